"""Text messages to residents through SNS (moto records them): who gets one, what it says, the link
that opens the status without typing, quiet hours, the daily limit, opt-outs, refused numbers and
throttling, and never a lost or repeated e-mail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import (
    OFFICE_EMAILS,
    REGION,
    Aws,
    call_api,
    http_event,
    post_json,
    repair_fields,
)

LINK = re.compile(r"https://lobby\.example/api/s/[A-Za-z0-9_-]{16}")


def texts() -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def file(**overrides: str) -> str:
    fields = repair_fields(**overrides)
    fields = {key: value for key, value in fields.items() if value != "-"}
    response = post_json("/api/requests/repair", fields)
    assert response.status == 201, response.body
    return str(response.json()["reference"])


def states(aws: Aws) -> dict[str, tuple[str, str | None]]:
    return {key.rsplit("#", 1)[-1]: (item["state"], item.get("error")) for key, item in aws.outbox().items()}


@pytest.fixture
def daytime(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Noon in Shanghai, outside the quiet hours, for the API and the sender alike."""
    from lobby import clock

    moment = datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def test_a_resident_with_only_a_phone_gets_a_text_whose_link_opens_the_status(
    aws: Aws, daytime: datetime
) -> None:
    reference = file(email="-")
    aws.notify_batch()

    [(number, text)] = texts()
    assert number == "+8613800138000"
    assert "已收到" in text and text.startswith("【")  # signed with the property's name
    assert len(text) <= 70
    assert [mail.to for mail in aws.sent()] == [[OFFICE_EMAILS["engineering"]]]  # no resident e-mail

    link = LINK.search(text)
    assert link
    page = call_api(http_event("GET", link.group(0).removeprefix("https://lobby.example")))
    assert page.status == 200
    assert reference in page.body and "已收到" in page.body
    assert "13800138000" not in link.group(0)


def test_both_gets_a_text_and_an_email_email_gets_no_text(aws: Aws, daytime: datetime) -> None:
    file(notify_by="both")
    file(notify_by="email", phone="13900139000")
    aws.notify_batch()

    assert [number for number, _ in texts()] == ["+8613800138000"]
    assert sorted(to for mail in aws.sent() for to in mail.to).count("resident@example.com") == 2


def test_choosing_a_way_without_its_means_is_refused_in_the_residents_language(aws: Aws) -> None:
    no_mobile = post_json("/api/requests/repair", repair_fields(phone="010-65123456", notify_by="text"))
    no_email = post_json("/api/requests/repair", repair_fields(email="", notify_by="both", lang="en"))

    def refusal(response: Any) -> str:
        assert response.status == 422
        [error] = response.json()["errors"]
        assert error["field"] == "notify_by"
        return str(error["message"])

    assert "手机号码" in refusal(no_mobile)
    assert "email address" in refusal(no_email)
    assert aws.requests() == []


def test_a_text_in_the_quiet_hours_waits_for_the_morning(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    from lobby import clock

    night = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    monkeypatch.setattr(clock, "now", lambda: night)
    file(email="-")
    aws.notify_batch()

    assert texts() == []
    assert states(aws)["sms"] == ("pending", "sms-quiet-hours")
    assert states(aws)["office"][0] == "sent"
    [item] = [item for item in aws.outbox().values() if item["role"] == "sms"]
    assert item["next_at"] == "2026-11-27T00:00:00Z"  # 08:00 in Shanghai

    assert aws.outbox_run(night + timedelta(hours=4))["sent"] == 0
    assert aws.outbox_run(datetime(2026, 11, 27, 0, 1, tzinfo=UTC))["sent"] == 1
    assert len(texts()) == 1


def test_an_opted_out_number_gets_no_text_and_the_item_is_done(aws: Aws, daytime: datetime) -> None:
    file(phone="13800138099", email="-")  # moto: numbers ending in 99 opted out
    aws.notify_batch()

    assert texts() == []
    assert states(aws)["sms"][0] == "sent"  # nothing more to do: never retried
    assert len(aws.sent()) == 1


def _sns_refuses(code: str) -> Any:
    def publish(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "refused +8613800138000"}}, "Publish")

    return publish


def test_a_number_sns_refuses_is_parked_at_once_and_throttling_is_retried(
    aws: Aws, daytime: datetime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lobby import texts as channel

    client = channel.sns_client()
    file(email="-")
    monkeypatch.setattr(client, "publish", _sns_refuses("InvalidParameter"))
    aws.notify_batch()
    assert states(aws)["sms"] == ("parked", "sms-invalid-number")
    assert states(aws)["office"][0] == "sent"

    file(email="-", phone="13900139000", unit="1503")
    monkeypatch.setattr(client, "publish", _sns_refuses("Throttling"))
    aws.notify_batch()
    waiting = [
        item for key, item in aws.outbox().items() if key.endswith("#sms") and item["state"] == "pending"
    ]
    assert [item["error"] for item in waiting] == ["Throttling"]
    assert len(aws.sent()) == 2  # both office e-mails, once each

    logged = capsys.readouterr().out
    assert "13800138000" not in logged and "13900139000" not in logged and "已收到" not in logged


def test_a_request_gets_at_most_the_days_limit_of_texts(aws: Aws, daytime: datetime) -> None:
    from lobby import policy
    from lobby.catalog import load_catalog
    from lobby.service import open_store
    from lobby.settings import get_settings

    reference = file(email="-")
    store = open_store(load_catalog(), get_settings())
    for _ in range(policy.TEXTS_PER_REQUEST_PER_DAY):  # the day's texts already went
        local_day = (daytime + timedelta(hours=8)).strftime("%Y%m%d")
        store.take(f"TEXTS#{reference}#{local_day}", policy.TEXTS_PER_REQUEST_PER_DAY, 2_000_000_000)
    aws.notify_batch()

    assert texts() == []
    assert states(aws)["sms"][0] == "sent"  # left out, not retried
    assert len(aws.sent()) == 1


def test_the_digest_and_the_monthly_report_count_the_messages_of_each_channel(
    aws: Aws, daytime: datetime
) -> None:
    from lobby.catalog import load_catalog
    from lobby.channel_counts import sent_in_month, sent_on
    from lobby.office_digest import digest_mail_for
    from lobby.service import open_store
    from lobby.settings import get_settings
    from lobby.stats import monthly_mail_for

    file(email="-")
    file(notify_by="both", phone="13900139000", unit="1503")
    aws.notify_batch()
    catalog, settings = load_catalog(), get_settings()
    store = open_store(catalog, settings)
    today = (daytime + timedelta(hours=8)).date()
    counted = {"email": 3, "sms": 2, "wecom": 0, "dingtalk": 0}  # two office e-mails, one resident's
    assert sent_on(store, today) == counted
    assert sent_in_month(store, f"{today:%Y-%m}") == counted

    digest = digest_mail_for(store, catalog, settings, "engineering", daytime + timedelta(days=1))
    assert "昨天共发出：邮件 3 封、短信 2 条、企业微信 0 条、钉钉 0 条。" in digest.text
    report, _csv = monthly_mail_for(store, catalog, settings, f"{today:%Y-%m}", daytime + timedelta(days=40))
    assert "邮件 3 封、短信 2 条、企业微信 0 条、钉钉 0 条" in report.text
