"""The outbox's facts: which messages an event causes, on which channel (``lobby.notifications``, the one
place that decides), each with its recipient kind and language, and an e-mail written for each e-mail
role; and the retry timetable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.notifications import ROUTES, digest_messages, messages_for
from lobby.outbox import FIRST_WAIT, LONGEST_WAIT, RECIPIENT_KINDS, RETRY_FOR, next_try
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails.events import write_event_mail

CATALOG = load_catalog(SOURCE_YAML)
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
SETTINGS = Settings(
    table_name="lobby-test",
    sender_email="desk@example.com",
    office_emails={office: f"{office}@example.com" for office in CATALOG.offices},
    site_url="https://lobby.example",
)
REQUEST = ServiceRequest(
    reference="20261123-0001",
    kind="repair",
    office="engineering",
    status="in_progress",
    lang="en",
    fields={
        "category": "water",
        "size": "minor",
        "name": "Li Hua",
        "phone": "13800138000",
        "email": "li@example.com",
        "building": "3",
        "unit": "1502",
        "description": "The kitchen tap drips.",
    },
    received_at=NOW - timedelta(hours=2),
    acknowledge_due=NOW - timedelta(hours=1),
    resolve_due=NOW + timedelta(hours=6),
    catalog_version=CATALOG.catalog_version,
    resolved_at=NOW - timedelta(minutes=5),
    rating={"quality": 2, "effect": 2, "attitude": 3, "satisfied": False},
    follow_up_due=NOW + timedelta(days=3),
)

EVENTS: list[tuple[str, bool, dict[str, Any]]] = [
    ("submitted", True, {"channel": "web"}),
    ("acknowledge", True, {}),
    ("start", True, {}),
    ("wait", True, {"note": "Which day suits you?"}),
    ("resume", True, {}),
    ("resolve", True, {"note": "Washer replaced."}),
    ("close", True, {}),
    ("cancel", True, {"note": "Withdrawn."}),
    ("reopen", True, {"note": "Still drips."}),
    ("reopen", True, {"via": "rate"}),
    ("reopen", True, {"via": "followup"}),
    ("retriage", True, {"size": "medium"}),
    ("reassign", False, {"office": "service-centre"}),
    ("note", True, {"note": "Parts ordered."}),
    ("note", False, {"note": "Internal."}),
    ("rated", True, {}),
    ("followed_up", False, {}),
    *[
        ("reminder", False, {"stage": stage, "step": f"resolve@x#{stage}", "superseded": superseded})
        for stage in ("warn", "due", "repeat", "director", "quality", "followup")
        for superseded in (False, True)
    ],
]


# The e-mail roles each event causes when the resident gave an e-mail address (without one, the same
# but "resident") and the request's owner has none of their own, and whether the office's group chats
# hear of it.
EXPECTED: dict[tuple[str, str], tuple[list[str], bool]] = {
    ("submitted", ""): (["office", "resident"], True),
    ("acknowledge", ""): (["owner", "resident"], False),
    ("start", ""): (["owner"], False),
    ("wait", ""): (["owner", "resident"], False),
    ("resume", ""): (["owner"], False),
    ("resolve", ""): (["owner", "resident"], False),
    ("close", ""): ([], False),
    ("cancel", ""): (["owner", "resident"], False),
    ("reopen", ""): (["office-reopen", "resident"], True),
    ("reopen", "rate"): (["office-reopen", "director", "resident"], True),
    ("reopen", "followup"): (["office-reopen", "director", "resident"], True),
    ("retriage", ""): (["owner", "resident"], False),
    ("reassign", ""): (["office-engineering"], False),  # the owner has no address: the office hears
    ("note", "public"): (["owner", "resident"], False),
    ("note", "private"): (["owner"], False),
    ("rated", ""): ([], False),
    ("followed_up", ""): (["owner"], False),
    **{
        ("reminder", stage): ([f"reminder-{stage}"], stage in ("due", "repeat", "director"))
        for stage in ("warn", "due", "repeat", "director", "quality", "followup")
    },
}


def expected(kind: str, public: bool, data: dict[str, Any]) -> tuple[list[str], bool]:
    if kind == "reminder":
        return ([], False) if data["superseded"] else EXPECTED[(kind, data["stage"])]
    if kind == "note":
        return EXPECTED[(kind, "public" if public else "private")]
    return EXPECTED[(kind, str(data.get("via", "")))]


ROBOTS = {"engineering": ("wecom", "dingtalk"), "security": ("wecom",)}


@pytest.mark.parametrize("robots", [{}, ROBOTS], ids=["no-robots", "robots"])
@pytest.mark.parametrize("with_email", [True, False], ids=["email-given", "no-email"])
@pytest.mark.parametrize(("kind", "public", "data"), EVENTS)
def test_each_event_queues_its_messages_on_each_channel_and_each_e_mail_is_written(
    kind: str, public: bool, data: dict[str, Any], with_email: bool, robots: dict[str, tuple[str, ...]]
) -> None:
    request = REQUEST if with_email else replace(REQUEST, fields={**REQUEST.fields, "email": ""})
    event = Event(type=kind, at=NOW, actor="engineer-zhang", public=public, data=data)
    roles, to_groups = expected(kind, public, data)
    resident_hears = "resident" in roles
    if not with_email:  # then the resident hears by text instead (lobby.texts.notify_by)
        roles = [role for role in roles if role != "resident"]

    queued = messages_for(CATALOG, robots, request, event)

    emails = [message for message in queued if message.channel == "email"]
    assert [message.role for message in emails] == roles
    texts = [message for message in queued if message.channel == "sms"]
    assert [(m.role, m.recipient) for m in texts] == (
        [("sms", "resident")] if resident_hears and not with_email else []
    )
    groups = [message for message in queued if message.channel in ("wecom", "dingtalk")]
    platforms = list(robots.get(request.office, ())) if to_groups else []
    assert sorted(message.channel for message in groups) == sorted(platforms)
    for message in groups:  # a group hears once per event, as the office, in the staff's language
        assert (message.role, message.recipient) == (message.channel, "office")
    for message in queued:
        assert message.channel in ROUTES
        assert message.recipient in RECIPIENT_KINDS
        assert (message.reference, message.source) == (request.reference, event.sort_key)
        resident = message.recipient == "resident"
        assert message.lang == (request.lang if resident else CATALOG.property.staff_language)
    for message in emails:
        mail = write_event_mail(
            CATALOG, SETTINGS, request, event, message.role, lambda r, a: f"https://x/{a}"
        )
        assert mail is not None and mail.role == message.role
        staff = SETTINGS.office_emails.values()
        assert mail.to == request.contact_email if message.recipient == "resident" else mail.to in staff


def test_an_offices_digest_goes_by_e_mail_then_to_each_of_its_groups() -> None:
    messages = digest_messages(CATALOG, ROBOTS, "engineering", NOW)
    assert [(m.channel, m.role, m.recipient) for m in messages] == [
        ("email", "digest", "office"),
        ("wecom", "digest-wecom", "office"),
        ("dingtalk", "digest-dingtalk", "office"),
    ]
    assert [m.channel for m in digest_messages(CATALOG, ROBOTS, "service-centre", NOW)] == ["email"]


def test_the_director_is_the_recipient_of_escalations_and_unsatisfied_ratings() -> None:
    escalation = Event(
        "reminder", NOW, "lobby", False, {"stage": "director", "step": "s", "superseded": False}
    )
    unsatisfied = Event("reopen", NOW, "resident", True, {"via": "rate"})
    assert [m.recipient for m in messages_for(CATALOG, {}, REQUEST, escalation)] == ["director"]
    assert [m.recipient for m in messages_for(CATALOG, {}, REQUEST, unsatisfied)] == [
        "office",
        "director",
        "resident",
    ]


def test_retries_wait_thirty_seconds_doubling_to_an_hour_until_the_day_is_over() -> None:
    give_up = NOW + RETRY_FOR
    waits = [next_try(failures, give_up, NOW) - NOW for failures in range(1, 10)]  # type: ignore[operator]
    assert waits == [FIRST_WAIT * 2**n for n in range(7)] + [LONGEST_WAIT, LONGEST_WAIT]
    assert next_try(40, give_up, give_up - timedelta(minutes=10)) == give_up  # the last try is at the end
    assert next_try(41, give_up, give_up) is None  # then it is parked
