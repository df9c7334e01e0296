"""The outbox's facts: which messages an event causes (the same roles the renderer renders), each with
its channel, recipient kind and language; and the retry timetable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.notifications import mails_for
from lobby.outbox import FIRST_WAIT, LONGEST_WAIT, RECIPIENT_KINDS, RETRY_FOR, messages_for, next_try
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings

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


@pytest.mark.parametrize("with_email", [True, False], ids=["email-given", "no-email"])
@pytest.mark.parametrize(("kind", "public", "data"), EVENTS)
def test_the_messages_an_event_queues_are_the_ones_it_renders(
    kind: str, public: bool, data: dict[str, Any], with_email: bool
) -> None:
    request = REQUEST if with_email else replace(REQUEST, fields={**REQUEST.fields, "email": ""})
    event = Event(type=kind, at=NOW, actor="engineer-zhang", public=public, data=data)

    queued = messages_for(CATALOG, request, event)
    rendered = mails_for(CATALOG, SETTINGS, request, event, lambda r, action: f"https://x/{action}")

    assert [message.role for message in queued] == [mail.role for mail in rendered]
    for message in queued:
        assert message.channel == "email"
        assert message.recipient in RECIPIENT_KINDS
        assert (message.reference, message.source) == (request.reference, event.sort_key)
        resident = message.recipient == "resident"
        assert message.lang == (request.lang if resident else CATALOG.property.staff_language)


def test_the_director_is_the_recipient_of_escalations_and_unsatisfied_ratings() -> None:
    escalation = Event(
        "reminder", NOW, "lobby", False, {"stage": "director", "step": "s", "superseded": False}
    )
    unsatisfied = Event("reopen", NOW, "resident", True, {"via": "rate"})
    assert [m.recipient for m in messages_for(CATALOG, REQUEST, escalation)] == ["director"]
    assert [m.recipient for m in messages_for(CATALOG, REQUEST, unsatisfied)] == [
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
