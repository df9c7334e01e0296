"""Limits per client and per recipient: a client filing request after request, or one address getting
receipt after receipt, is told to wait (429, Retry-After, in the resident's language) and nothing is
stored or sent; neither the client's address nor the e-mail address is ever stored or logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

import pytest

from lobby import settings
from tests.integration.conftest import OFFICE_EMAILS, Aws, HttpResponse, post_form, post_json, repair_fields

CLIENT = "198.51.100.7"


# Five seconds into one of the client limit's ten-minute windows (a Wednesday morning): every submission
# of a test falls in the same window, whatever the hour the suite runs at.
WINDOW_OPENED = "2026-11-25T10:00:05+08:00"


@pytest.fixture
def tight(aws: Aws, monkeypatch: pytest.MonkeyPatch, clock_at: Callable[[str], datetime]) -> Aws:
    clock_at(WINDOW_OPENED)
    monkeypatch.setenv("LIMIT_SUBMISSIONS_PER_CLIENT", "3")
    monkeypatch.setenv("LIMIT_RECEIPTS_PER_RECIPIENT", "2")
    settings.get_settings.cache_clear()
    return aws


def submit(n: int, client: str = CLIENT, forged: str = "203.0.113.1", **fields: str) -> HttpResponse:
    fields = {"email": f"resident{n}@example.com", **fields}
    body = repair_fields(description=f"厨房水龙头一直滴水，第 {n} 次报修。", **fields)
    return post_json("/api/requests/repair", body, headers={"X-Forwarded-For": f"{forged}, {client}"})


def test_a_client_past_its_limit_is_told_to_wait_and_nothing_is_stored(tight: Aws) -> None:
    for n in range(3):
        assert submit(n, forged=f"203.0.113.{n}").status == 201
    stored = len(tight.requests())

    refused = submit(9, email="", lang="en")
    assert refused.status == 429
    assert refused.json() == {
        "message": "You have sent too many requests in a short time, and this one was not saved. Please try "
        "again later; if it is urgent, call the 24-hour line."
    }
    assert 540 <= int(refused.headers["Retry-After"]) <= 595  # until the window ends at 10:10, with slack
    assert len(tight.requests()) == stored

    assert submit(10, client="198.51.100.8").status == 201  # another client is not held up


def test_a_form_post_past_the_limit_gets_the_page_in_the_residents_language(tight: Aws) -> None:
    for n in range(3):
        assert submit(n).status == 201
    body = repair_fields(description="第四次报修，楼道灯不亮。", email="")
    refused = post_form("/api/requests/repair", body, headers={"X-Forwarded-For": CLIENT})
    assert refused.status == 429
    assert refused.headers["Content-Type"].startswith("text/html")
    assert "您在短时间内提交得太多了，这次没有保存。" in refused.body
    assert refused.headers["Retry-After"].isdigit()


def test_an_address_past_its_receipts_for_the_day_is_refused_whoever_sends(tight: Aws) -> None:
    for n in range(2):
        assert submit(n, client=f"198.51.100.{n}", email="victim@example.com").status == 201
    refused = submit(5, client="198.51.100.99", email="Victim@Example.com")
    assert refused.status == 429
    assert refused.json()["message"].startswith("这个电子邮箱今天已收到太多回执，这次没有保存。")
    assert 50_300 <= int(refused.headers["Retry-After"]) <= 50_395  # until midnight in Shanghai
    assert submit(6, client="198.51.100.98", email="li@example.com").status == 201
    tight.notify_batch()
    assert sum("victim@example.com" in mail.to for mail in tight.sent()) == 2


def test_repeats_and_trapped_robots_do_not_count(tight: Aws) -> None:
    assert submit(1).status == 201
    for _ in range(5):
        assert submit(1).status == 200  # the same submission again: the first reference, nothing new
    for n in range(5):
        assert submit(n + 10, website="http://spam.example").status == 201  # the honeypot: nothing stored
    assert submit(2).status == 201
    assert submit(3).status == 201
    assert submit(4).status == 429


def test_no_address_is_stored_or_logged_and_the_first_refusal_is_recorded_once(
    tight: Aws, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for n in range(5):
        submit(n, email="victim@example.com")
    everything = json.dumps(tight.items())
    assert CLIENT not in everything and "203.0.113.1" not in everything
    assert "victim@example.com" not in json.dumps([item["PK"] for item in tight.items()])
    limits = [item for item in tight.items() if "#LIMIT#" in item["PK"]["S"]]
    tripped = sorted(item["PK"]["S"].split("#")[3] for item in limits if "tripped_at" in item)
    assert tripped == ["CLIENT", "RECIPIENT"]  # the third: its receipt; the fourth: the client
    assert all("expires_at" in item for item in limits)
    reached = [
        (record.limit, record.first) for record in caplog.records if record.getMessage() == "limit reached"
    ]
    assert reached == [("recipient", True), ("client", True), ("client", False)]
    logged = json.dumps([vars(record) for record in caplog.records], default=str)
    assert CLIENT not in logged and "victim@example.com" not in logged


def limit_notices(aws: Aws) -> list[dict[str, object]]:
    return [item for item in aws.outbox().values() if item["message"] == "limit"]


def test_the_office_hears_once_when_each_limit_first_refuses_and_the_notice_names_nobody(tight: Aws) -> None:
    for n in range(3):
        assert submit(n, email="victim@example.com" if n < 2 else "").status == 201
    assert limit_notices(tight) == []  # within the limits, nobody is told anything
    assert submit(3, client="198.51.100.9", email="Victim@example.com").status == 429  # receipts: 2 + 1
    for n in range(4, 8):  # the client's limit (3) and four refusals past it
        assert submit(n, email="").status == 429

    notices = limit_notices(tight)
    assert sorted(str(item["source"]).split("#")[0] for item in notices) == ["client", "recipient"]
    for item in notices:
        assert (item["recipient"], item["role"], item["channel"], item["lang"]) == (
            "office",
            "office",
            "email",
            "zh",
        )
        assert str(item["source"]).split("#")[1:3] in (["repair", "3"], ["repair", "2"])
    stored = json.dumps(notices, default=str)
    for personal in (CLIENT, "198.51.100.9", "victim@example.com", "王小明", "13800138000", "滴水"):
        assert personal.lower() not in stored.lower()

    tight.notify_batch()
    told = [mail for mail in tight.sent() if "提交限制" in mail.subject]
    assert sorted(mail.subject for mail in told) == [
        "【海景花园】提交限制已开始拒收：同一来源的提交，10 分钟内 3 件",
        "【海景花园】提交限制已开始拒收：同一电子邮箱的回执，每天 2 封",
    ]
    for mail in told:
        assert mail.to == [OFFICE_EMAILS["engineering"]]
        assert "报修" in mail.html and "首次拒收时间" in mail.html
        for personal in (CLIENT, "198.51.100.9", "victim@example.com", "王小明", "13800138000", "滴水"):
            assert personal.lower() not in (mail.subject + mail.html).lower()

    assert submit(9, email="").status == 429  # a later refusal tells nobody again
    tight.notify_batch()
    assert len(limit_notices(tight)) == 2
    assert len([mail for mail in tight.sent() if "提交限制" in mail.subject]) == 2
