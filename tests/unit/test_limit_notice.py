"""The office's notice when a limit first refuses: one e-mail to the office of the kind that met it,
saying which limit, the kind, the count and window it allows and when, in the staff's language, and
nothing about who sent it (the outbox item holds the trip alone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.limits import CLIENT_WINDOW_SECONDS, Trip
from lobby.notifications import limit_messages
from lobby.settings import Settings
from views.emails.limit_notice import limit_notice

CATALOG = load_catalog(SOURCE_YAML)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
SETTINGS = Settings(
    table_name="lobby-test",
    sender_email="desk@example.com",
    office_emails={office: f"{office}@example.com" for office in CATALOG.offices},
)


def test_a_trip_is_told_as_its_source_and_read_back_from_it() -> None:
    trip = Trip("recipient", "complaint", 10)
    assert Trip.from_source(trip.source) == trip
    assert trip.source.split("#")[:3] == ["recipient", "complaint", "10"]
    assert Trip("client", "repair", 10).source != Trip("client", "repair", 10).source  # two trips, two items
    assert Trip("client", "repair", 10).window.total_seconds() == CLIENT_WINDOW_SECONDS
    assert Trip("recipient", "repair", 10).window.days == 1


@pytest.mark.parametrize("kind", ["repair", "complaint", "suggestion"])
def test_the_notice_goes_by_e_mail_to_the_office_of_the_kind_in_the_staffs_language(kind: str) -> None:
    trip = Trip("client", kind, 10)
    [message] = limit_messages(CATALOG, trip, NOW)
    assert (message.message, message.source, message.at) == ("limit", trip.source, NOW)
    assert (message.recipient, message.role, message.channel) == ("office", "office", "email")
    assert message.lang == CATALOG.property.staff_language and message.reference is None

    mail = limit_notice(CATALOG, SETTINGS, message.role, trip, NOW)
    assert mail.to == f"{CATALOG.kinds[kind].office}@example.com"
    assert mail.role == "office"


def test_the_notice_says_which_limit_the_kind_the_count_the_window_and_when() -> None:
    client = limit_notice(CATALOG, SETTINGS, "office", Trip("client", "repair", 10), NOW)
    assert client.subject == "【海景花园】提交限制已开始拒收：同一来源的提交，10 分钟内 10 件"
    for fact in (
        "类别: 报修",
        "负责部门: 工程维修部",
        "首次拒收时间: 2026年11月26日 11:00",
        "24 小时服务电话",
    ):
        assert fact in client.text
        assert fact.split(": ")[-1] in client.html

    recipient = limit_notice(CATALOG, SETTINGS, "office", Trip("recipient", "repair", 7), NOW)
    assert recipient.subject == "【海景花园】提交限制已开始拒收：同一电子邮箱的回执，每天 7 封"
    assert "可能有人在利用服务台向他人的邮箱发送邮件" in recipient.text


def test_the_notice_speaks_the_staffs_language_when_it_is_english() -> None:
    english = replace(CATALOG, property=replace(CATALOG.property, staff_language="en"))
    mail = limit_notice(english, SETTINGS, "office", Trip("client", "repair", 10), NOW)
    assert mail.subject == (
        "[Harbour View Gardens] A limit is refusing submissions: submissions from one client, 10 in 10 minutes"
    )
    for fact in ("Kind: Repair", "Office: Engineering and Maintenance", "First refused: 26 Nov 2026, 11:00"):
        assert fact in mail.text
    assert not any("\u4e00" <= char <= "\u9fff" for char in mail.subject + mail.text)
