"""Text messages: every template fits one segment with the longest values the catalog allows; the
short signed link; who gets texts, on which number, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from lobby import policy
from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.fields import text_number
from lobby.links import LinkExpired, LinkInvalid
from lobby.notifications import messages_for
from lobby.outbox import Message
from lobby.requests import Event, ServiceRequest
from lobby.text_links import PATH, RATE, STATUS, TOKEN_LENGTH, read_text_token, text_key, text_token
from lobby.texts import SMS, notify_by, quiet_until
from views.messages import languages
from views.texts import GSM_SEGMENT, TEXT_EVENTS, UCS2_SEGMENT, segment_size, text_body

CATALOG = load_catalog(SOURCE_YAML)
KEY = text_key(b"s" * 40)
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
REQUEST = ServiceRequest(
    reference="20261123-0001",
    kind="repair",
    office="engineering",
    status="received",
    lang="zh",
    fields={"phone": "13800138000", "building": "3栋", "unit": "1502"},
    received_at=NOW,
    acknowledge_due=None,
    resolve_due=None,
    catalog_version=CATALOG.catalog_version,
)


def longest_link() -> str:
    site = "https://" + "w" * (policy.TEXT_SITE_URL_LONGEST - len("https://.cn")) + ".cn"
    assert len(site) == policy.TEXT_SITE_URL_LONGEST
    return f"{site}{PATH}{text_token(KEY, '20261231-999999')}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("event", TEXT_EVENTS)
def test_every_text_is_one_segment_with_the_longest_values(lang: str, event: str) -> None:
    """The text as sent (signed with the property's name), with the longest kind name of the catalog,
    the longest reference and the longest link."""
    assert lang in languages()
    kind = max(CATALOG.kinds.values(), key=lambda kind: len(kind.name(lang)))
    request = replace(REQUEST, kind=kind.id, reference="20261231-999999", lang=lang)
    happened = Event(event, NOW, "staff", True, {})
    text = text_body(CATALOG, request, happened, longest_link())

    length, limit = segment_size(text)
    assert length <= limit, (length, text)
    assert limit == (UCS2_SEGMENT if lang == "zh" else GSM_SEGMENT)  # English stays in GSM-7
    assert longest_link() in text and CATALOG.property.name(lang) in text


def test_segment_counting_follows_the_encodings() -> None:
    assert segment_size("Hello [x]") == (11, GSM_SEGMENT)  # brackets take two septets
    assert segment_size("您好 https://a.cn") == (15, UCS2_SEGMENT)
    assert segment_size("café ✓") == (6, UCS2_SEGMENT)  # one sign outside GSM-7 makes it UCS-2


def test_a_text_link_is_short_opens_its_request_and_cannot_be_altered() -> None:
    token = text_token(KEY, "20261123-0001")
    assert len(token) == TOKEN_LENGTH
    assert read_text_token(KEY, token, NOW) == ("20261123-0001", STATUS)
    assert read_text_token(KEY, text_token(KEY, "20261123-123456", RATE), NOW) == ("20261123-123456", RATE)
    assert "20261123" not in token and "0001" not in token  # nothing readable, nothing personal

    altered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for bad in (altered, token[:-1], token + "A", "x" * 16, "é" * 16, ""):
        with pytest.raises(LinkInvalid):
            read_text_token(KEY, bad, NOW)
    with pytest.raises(LinkInvalid):
        read_text_token(text_key(b"t" * 40), token, NOW)  # another deployment's secret
    with pytest.raises(LinkExpired):
        read_text_token(KEY, token, NOW + policy.TEXT_LINK_LIFETIME + timedelta(days=2))


def test_only_numbers_that_take_texts_get_them() -> None:
    assert text_number("138 0013 8000") == "+8613800138000"
    assert text_number("+86 138-0013-8000") == "+8613800138000"
    assert text_number("+852 9123 4567") == "+85291234567"
    assert text_number("010-6512 3456") is None  # a Beijing landline
    assert text_number("+86 10 6512 3456") is None
    assert text_number("12345678901") is None  # not a mobile prefix


def test_how_a_resident_hears_from_us_follows_the_choice_and_defaults_to_text_without_email() -> None:
    assert notify_by(REQUEST) == "text"
    assert notify_by(replace(REQUEST, fields={**REQUEST.fields, "email": "a@b.cn"})) == "email"
    assert (
        notify_by(replace(REQUEST, fields={**REQUEST.fields, "email": "a@b.cn", "notify_by": "both"}))
        == "both"
    )


def texts_for(request: ServiceRequest, event: Event) -> list[Message]:
    return [message for message in messages_for(CATALOG, {}, request, event) if message.channel == SMS]


def test_a_text_is_queued_for_resident_events_when_wanted_and_a_number_takes_it() -> None:
    submitted = Event("submitted", NOW, "resident", True, {"channel": "web"})
    [message] = texts_for(REQUEST, submitted)
    assert (message.channel, message.recipient, message.role, message.lang) == (SMS, "resident", SMS, "zh")

    landline = replace(REQUEST, fields={**REQUEST.fields, "phone": "010-65123456"})
    by_email = replace(REQUEST, fields={**REQUEST.fields, "email": "a@b.cn", "notify_by": "email"})
    internal = Event("assign", NOW, "staff", False, {})
    assert texts_for(landline, submitted) == []
    assert texts_for(by_email, submitted) == []
    assert texts_for(REQUEST, internal) == []


def test_quiet_hours_hold_a_text_until_the_morning_unless_the_kind_is_urgent() -> None:
    evening = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    early = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)  # 07:59 the next day
    morning = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00

    assert quiet_until(CATALOG, REQUEST, NOW) is None
    assert quiet_until(CATALOG, REQUEST, evening) == morning
    assert quiet_until(CATALOG, REQUEST, early) == morning
    assert quiet_until(CATALOG, REQUEST, morning) is None
    urgent = next(kind for kind in CATALOG.kinds.values() if kind.urgent)
    assert quiet_until(CATALOG, replace(REQUEST, kind=urgent.id), evening) is None
