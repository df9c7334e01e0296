"""Staff move a request through its life from their e-mail; the resident follows and rates it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlparse

import pytest

from tests.integration.conftest import (
    OFFICE_EMAILS,
    SIGNING_SECRET,
    Aws,
    SentMail,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)

LINK = re.compile(r'href="(https://lobby\.example/api/(?:actions|rate)/[^"]+)"')


def _links(mail: SentMail) -> dict[str, str]:
    """Action label → path, from the e-mail's HTML."""
    found = {}
    for match in re.finditer(r'<a href="(https://lobby\.example/api/[^"]+)"[^>]*>([^<]+)</a>', mail.html):
        found[unescape(match.group(2)).strip()] = urlparse(unescape(match.group(1))).path
    return found


def _mail_to(aws: Aws, address: str) -> list[SentMail]:
    return [mail for mail in aws.sent() if mail.to == [address]]


def _status(aws: Aws, reference: str) -> dict[str, object]:
    response = post_json("/api/status", {"reference": reference, "contact": "13800138000", "lang": "zh"})
    assert response.status == 200
    return response.json()  # type: ignore[no-any-return]


def _submit(aws: Aws) -> str:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    aws.notify_batch()
    return str(reference)


def test_the_office_email_offers_the_actions_of_the_current_state(aws: Aws) -> None:
    _submit(aws)
    [office] = _mail_to(aws, OFFICE_EMAILS["engineering"])
    assert list(_links(office)) == [
        "受理（我来负责）",
        "调整维修规模",
        "转派其他部门",
        "添加备注",
        "取消诉求",
    ]


def test_opening_a_link_changes_nothing_and_confirming_acts_once(aws: Aws) -> None:
    reference = _submit(aws)
    [office] = _mail_to(aws, OFFICE_EMAILS["engineering"])
    acknowledge = _links(office)["受理（我来负责）"]

    page = call_api(http_event("GET", acknowledge))
    assert page.status == 200
    assert "确认操作" in unescape(page.body) and reference in page.body
    assert "在网上提交了诉求" in unescape(page.body)  # the history is on the page, in staff words
    assert _status(aws, reference)["status"] == "received"  # a mail scanner's prefetch did nothing

    done = post_form(acknowledge, {"actor": "李师傅"})
    assert done.status == 200, done.body
    assert "已完成" in unescape(done.body)
    status = _status(aws, reference)
    assert status["status"] == "acknowledged"
    assert status["owner"] == "李师傅 (工程维修部)"
    assert [entry["text"] for entry in status["history"]] == [
        "已收到您的诉求（网上提交）",
        "李师傅已受理，负责跟进到底",
    ]

    replay = post_form(acknowledge, {"actor": "李师傅"})
    assert replay.status == 410
    assert "已经使用过" in unescape(replay.body)
    assert len(_status(aws, reference)["history"]) == 2

    aws.notify_batch()
    [acked] = [mail for mail in _mail_to(aws, "resident@example.com") if "专人负责" in mail.subject]
    assert "李师傅" in acked.html


def test_a_missing_name_is_asked_for_and_nothing_changes(aws: Aws) -> None:
    reference = _submit(aws)
    acknowledge = _links(_mail_to(aws, OFFICE_EMAILS["engineering"])[0])["受理（我来负责）"]
    response = post_form(acknowledge, {"actor": "  "})
    assert response.status == 422
    assert "请填写您的姓名" in unescape(response.body)
    assert _status(aws, reference)["status"] == "received"
    assert post_form(acknowledge, {"actor": "李师傅"}).status == 200  # the link still works once


def test_tampered_and_expired_links_get_a_clear_page_and_change_nothing(aws: Aws) -> None:
    reference = _submit(aws)
    acknowledge = _links(_mail_to(aws, OFFICE_EMAILS["engineering"])[0])["受理（我来负责）"]
    payload, signature = acknowledge.rsplit("/", 1)[1].split(".")
    tampered = f"/api/actions/{payload[:-2]}xx.{signature}"
    assert call_api(http_event("GET", tampered)).status == 404
    assert post_form(tampered, {"actor": "x"}).status == 404

    from lobby import links

    old = links.sign(
        SIGNING_SECRET.encode(),
        reference,
        "acknowledge",
        datetime.now(UTC) - timedelta(days=30),
        links.STAFF_LINK_LIFETIME,
    )
    expired = post_form(f"/api/actions/{old}", {"actor": "x"})
    assert expired.status == 410
    assert "已过期" in unescape(expired.body)

    other_secret = links.sign(
        b"another-secret-that-is-long-enough-0123",
        reference,
        "acknowledge",
        datetime.now(UTC),
        links.STAFF_LINK_LIFETIME,
    )
    assert post_form(f"/api/actions/{other_secret}", {"actor": "x"}).status == 404
    assert _status(aws, reference)["status"] == "received"


def _act(aws: Aws, reference: str, action: str, fields: dict[str, str]) -> None:
    from lobby import links

    token = links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    response = post_form(f"/api/actions/{token}", fields)
    assert response.status == 200, unescape(response.body)


def test_an_illegal_transition_is_refused_with_a_clear_message(aws: Aws) -> None:
    reference = _submit(aws)
    from lobby import links

    token = links.sign(
        SIGNING_SECRET.encode(), reference, "resume", datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    response = post_form(f"/api/actions/{token}", {"actor": "李师傅"})
    assert response.status == 409
    assert "不能执行" in unescape(response.body)
    assert _status(aws, reference)["status"] == "received"


def test_waiting_pauses_and_retriage_changes_the_deadline(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-25T09:00:00+08:00")  # a working day's office hours: the 3 days start at once
    reference = _submit(aws)
    _act(aws, reference, "acknowledge", {"actor": "李师傅"})
    _act(aws, reference, "retriage", {"actor": "李师傅", "size": "medium"})
    stored = next(item for item in aws.requests() if item["reference"]["S"] == reference)
    received = datetime.fromisoformat(stored["received_at"]["S"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(stored["resolve_due"]["S"].replace("Z", "+00:00"))
    assert due - received == timedelta(days=3)

    _act(aws, reference, "wait", {"actor": "李师傅", "note": "请告诉我们哪天上午家里有人。"})
    assert _status(aws, reference)["status"] == "waiting"
    aws.notify_batch()
    waiting = [mail for mail in _mail_to(aws, "resident@example.com") if "需要您的回复" in mail.subject]
    assert waiting and "哪天上午家里有人" in waiting[0].html


def test_a_resize_credits_no_waiting_when_the_deadline_falls_at_closing_time(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    # 8 hours of service from 10:00 end at 18:00, closing time; half a second later would be the next morning.
    clock_at("2026-11-25T10:00:00.500000+08:00")
    reference = _submit(aws)
    _act(aws, reference, "retriage", {"actor": "李师傅", "size": "medium"})
    stored = next(item for item in aws.requests() if item["reference"]["S"] == reference)
    received = datetime.fromisoformat(stored["received_at"]["S"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(stored["resolve_due"]["S"].replace("Z", "+00:00"))
    assert received == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert due - received == timedelta(days=3)  # no waiting happened, so none is credited


def test_an_internal_note_stays_internal(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "note", {"actor": "王主管", "note": "住户上次投诉过噪音", "visibility": "internal"})
    _act(aws, reference, "note", {"actor": "王主管", "note": "配件已订购，周三到货", "visibility": "public"})
    texts = [entry["text"] for entry in _status(aws, reference)["history"]]
    assert "配件已订购，周三到货" in texts
    assert not any("噪音" in text for text in texts)
    events = [
        item for item in aws.items() if item["SK"]["S"].startswith("EVENT#") and item["event"]["S"] == "note"
    ]
    assert {item["data"]["M"]["visibility"]["S"] for item in events} == {"internal", "public"}
    assert all(item["actor"]["S"] == "王主管" for item in events)


def test_reassigning_emails_the_new_office(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "reassign", {"actor": "李师傅", "office": "environment"})
    aws.notify_batch()
    [mail] = _mail_to(aws, OFFICE_EMAILS["environment"])
    assert reference in mail.subject and "转派给您" in unescape(mail.html)


@pytest.mark.parametrize("satisfied", [True, False])
def test_the_resident_rates_after_resolution(aws: Aws, satisfied: bool) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge", {"actor": "李师傅"})
    _act(aws, reference, "resolve", {"actor": "李师傅", "note": "已更换水龙头阀芯。"})
    aws.notify_batch()
    [done] = [mail for mail in _mail_to(aws, "resident@example.com") if "处理完毕" in mail.subject]
    rate_path = urlparse(unescape(LINK.findall(done.html)[0])).path
    assert rate_path.startswith("/api/rate/")

    form = call_api(http_event("GET", rate_path))
    assert form.status == 200 and "为服务评分" in unescape(form.body)
    incomplete = post_form(rate_path, {"quality": "5"})
    assert incomplete.status == 422

    answers = {
        "quality": "4",
        "effect": "2" if not satisfied else "5",
        "attitude": "5",
        "satisfied": "yes" if satisfied else "no",
        "comments": "还是有点滴水",
    }
    response = post_form(rate_path, answers)
    assert response.status == 200
    stored = next(item for item in aws.requests() if item["reference"]["S"] == reference)
    rating = stored["rating"]["M"]
    assert rating["quality"]["N"] == "4" and rating["satisfied"]["BOOL"] is satisfied
    assert post_form(rate_path, answers).status == 410  # one rating per link

    aws.notify_batch()
    director = _mail_to(aws, OFFICE_EMAILS["management"])
    if satisfied:
        assert _status(aws, reference)["status"] == "closed"
        assert director == []
        assert "expires_at" in stored  # kept two years after closing, then removed by TTL
    else:
        status = _status(aws, reference)
        assert status["status"] == "reopened"
        assert "24 小时内" in unescape(response.body)
        [alert] = director
        assert reference in alert.subject and "不满意" in alert.subject
        reopened = [
            mail for mail in _mail_to(aws, OFFICE_EMAILS["engineering"]) if "重新打开" in unescape(mail.html)
        ]
        assert reopened


def test_a_closed_request_and_its_whole_history_expire_two_years_after_closing(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge", {"actor": "李师傅"})
    _act(aws, reference, "resolve", {"actor": "李师傅", "note": "已更换水龙头阀芯。"})
    aws.notify_batch()
    [done] = [mail for mail in _mail_to(aws, "resident@example.com") if "处理完毕" in mail.subject]
    rate_path = urlparse(unescape(LINK.findall(done.html)[0])).path
    answers = {"quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes"}
    assert post_form(rate_path, answers).status == 200
    aws.notify_batch()

    items = [item for item in aws.items() if item["PK"]["S"].endswith(f"#R#{reference}")]
    request = next(item for item in items if item["SK"]["S"] == "REQUEST")
    closed = datetime.fromisoformat(request["closed_at"]["S"].replace("Z", "+00:00"))
    two_years = int((closed + timedelta(days=730)).timestamp())
    assert len(items) > 5  # the request, its events and its mail markers
    assert {int(item["expires_at"]["N"]) for item in items} == {two_years}


@pytest.mark.parametrize(
    ("action", "inputs", "subject", "shown"),
    [
        ("cancel", {"actor": "李师傅", "note": "住户已自行修好"}, "您的诉求已取消", "住户已自行修好"),
        ("retriage", {"actor": "李师傅", "size": "medium"}, "处理时限已更新", "工程维修部会在"),
    ],
)
def test_the_resident_hears_of_a_cancellation_or_a_new_deadline(
    aws: Aws, action: str, inputs: dict[str, str], subject: str, shown: str
) -> None:
    reference = _submit(aws)
    _act(aws, reference, action, inputs)
    aws.notify_batch()
    [mail] = [mail for mail in _mail_to(aws, "resident@example.com") if subject in mail.subject]
    assert reference in mail.subject and shown in unescape(mail.html)


def test_starting_work_and_resuming_change_the_status_without_mailing_the_resident(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge", {"actor": "李师傅"})
    _act(aws, reference, "start", {"actor": "李师傅"})
    assert _status(aws, reference)["status"] == "in_progress"
    _act(aws, reference, "wait", {"actor": "李师傅", "note": "等住户确认上门时间"})
    _act(aws, reference, "resume", {"actor": "李师傅"})
    assert _status(aws, reference)["status"] == "in_progress"
    aws.notify_batch()
    subjects = [mail.subject for mail in _mail_to(aws, "resident@example.com")]
    assert len(subjects) == 3  # received, owner named, waiting for you — no mail for start or resume
