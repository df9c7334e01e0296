"""The reminder ladder, quiet hours and follow-up steps: pure functions of a request and the catalog."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.requests import ServiceRequest
from lobby.scheduled_steps import due_steps, ladder, next_action_at, superseded

SH = ZoneInfo("Asia/Shanghai")
CATALOG = load_catalog(SOURCE_YAML)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def request(kind: str = "complaint", received: str = "2026-11-23 10:00", **changes: object) -> ServiceRequest:
    base = ServiceRequest(
        reference="20261123-0001",
        kind=kind,
        office=CATALOG.kinds[kind].office,
        status="received",
        lang="zh",
        fields={"size": "minor"} if kind == "repair" else {},
        received_at=at(received),
        acknowledge_due=at("2026-11-23 17:30"),
        resolve_due=at("2026-11-26 10:00"),
        catalog_version=CATALOG.catalog_version,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _stages(steps: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(step.stage, step.deliver_at.astimezone(SH).strftime("%a %H:%M")) for step in steps]


def test_the_first_contact_ladder_of_a_complaint() -> None:
    steps = ladder(CATALOG, request(), until=at("2026-11-24 18:00"))
    assert _stages([step for step in steps if step.key.startswith("ack@")]) == [
        ("warn", "Mon 15:37"),  # 75 % of 10:00 → 17:30
        ("due", "Mon 17:30"),  # at the deadline: the closing minute still counts as office hours
        ("missed", "Mon 17:30"),  # the resident is told at once: an apology, the progress, the new time
        ("repeat", "Tue 08:30"),  # 21:30, 01:30 and 05:30 wait for the office and collapse into one
        ("director", "Tue 08:30"),  # 2 hours after the deadline, held overnight
        ("repeat", "Tue 09:30"),
        ("repeat", "Tue 13:30"),
        ("repeat", "Tue 17:30"),
        ("quality", "Tue 17:30"),  # a day after the deadline
        ("repeat", "Wed 08:30"),  # the next one after the horizon, so the agenda knows where to go
    ]


def test_keys_are_stable_and_name_the_deadline() -> None:
    first = ladder(CATALOG, request(), until=at("2026-11-24 09:00"))
    again = ladder(CATALOG, request(), until=at("2026-11-24 09:00"))
    assert [s.key for s in first] == [s.key for s in again]
    assert first[0].key == "ack@2026-11-23T09:30:00Z#warn"


def test_an_urgent_kind_is_reminded_at_night() -> None:
    help_request = request("help", received="2026-11-22 02:00", acknowledge_due=at("2026-11-22 03:00"))
    assert _stages(ladder(CATALOG, help_request, until=at("2026-11-22 03:00")))[:2] == [
        ("warn", "Sun 02:30"),
        ("due", "Sun 03:00"),
    ]


def test_earlier_office_reminders_due_together_are_superseded_by_the_latest() -> None:
    steps = due_steps(CATALOG, request(), at("2026-11-24 08:30"))
    assert {s.stage for s in steps} == {"warn", "due", "missed", "repeat", "director"}
    overtaken = superseded(steps)
    assert not any(
        s.stage == "missed" and s.key in overtaken for s in steps
    )  # the resident's, never overtaken
    assert {s.stage for s in steps if s.key in overtaken} == {"warn", "due"}
    assert not any(s.stage == "director" and s.key in overtaken for s in steps)


def test_no_clock_while_waiting_or_done() -> None:
    for status in ("waiting", "cancelled", "closed"):
        assert ladder(CATALOG, request(status=status), until=at("2026-12-31 00:00")) == []


def test_the_resolve_phase_starts_at_acknowledgement() -> None:
    acked = request(status="acknowledged", acknowledged_at=at("2026-11-23 11:00"))
    steps = ladder(CATALOG, acked, until=at("2026-11-26 10:00"))
    assert steps[0].key.startswith("resolve@")
    assert steps[0].at == at("2026-11-23 11:00") + (at("2026-11-26 10:00") - at("2026-11-23 11:00")) * 0.75


@pytest.mark.parametrize(
    ("kind", "selected", "expected"),
    [
        ("complaint", None, "followup"),  # 100 % coverage
        ("help", None, "followup"),
        ("repair", True, "followup"),  # in the month's sample
        ("repair", False, "autoclose"),  # not in the sample: closes after the rating window
        ("repair", None, None),  # the monthly sampling has not decided yet
        ("suggestion", None, "autoclose"),  # no follow-up
    ],
)
def test_after_resolution(kind: str, selected: bool | None, expected: str | None) -> None:
    resolved = request(
        kind, status="resolved", resolved_at=at("2026-11-24 10:00"), follow_up_selected=selected
    )
    steps = ladder(CATALOG, resolved, until=at("2026-11-24 10:00"))
    assert [s.stage for s in steps] == ([expected] if expected else [])


def test_the_agenda_points_at_the_next_step() -> None:
    assert next_action_at(CATALOG, request()) == at("2026-11-23 15:37:30")
    assert next_action_at(CATALOG, request(), after=at("2026-11-23 16:00")) == at("2026-11-23 17:30")
    assert next_action_at(CATALOG, request(status="closed")) is None
    assert next_action_at(CATALOG, request(), after=at("2026-11-23 17:30")) - at(
        "2026-11-24 08:30"
    ) == timedelta(0)  # type: ignore[operator]


# missed promises are chased whatever the state -------------------------------------------------------
def _by_phase(steps: list, phase: str) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return _stages([step for step in steps if step.key.startswith(f"{phase}@")])


def test_a_done_by_missed_while_nobody_took_the_request_is_chased_and_the_resident_told() -> None:
    # A minor repair at 07:04 on a Monday: contact and done by 15:04 (engineering's 8 service hours).
    repair = request(
        "repair",
        received="2026-11-23 07:04",
        acknowledge_due=at("2026-11-23 15:04"),
        resolve_due=at("2026-11-23 16:04"),
    )
    steps = ladder(CATALOG, repair, until=at("2026-11-23 21:00"))
    assert _by_phase(steps, "ack")[:3] == [
        ("warn", "Mon 13:04"),
        ("due", "Mon 15:04"),
        ("missed", "Mon 15:04"),
    ]
    assert _by_phase(steps, "resolve")[:3] == [
        ("due", "Mon 16:04"),
        ("missed", "Mon 16:04"),
        ("repeat", "Tue 08:00"),
    ]
    # Once done-by is missed too, the first-contact ladder stops: its later steps would say the same again.
    assert all(step.at <= at("2026-11-23 16:04") for step in steps if step.key.startswith("ack@"))
    assert [step.recipient for step in steps if step.stage == "missed"] == ["resident", "resident"]


def test_one_promise_missed_is_one_apology_when_contact_by_is_done_by() -> None:
    repair = request(
        "repair",
        received="2026-11-23 07:04",
        acknowledge_due=at("2026-11-23 15:04"),
        resolve_due=at("2026-11-23 15:04"),
    )
    missed = [
        step for step in ladder(CATALOG, repair, until=at("2026-11-24 18:00")) if step.stage == "missed"
    ]
    assert [step.key.split("@")[0] for step in missed] == ["resolve"]


@pytest.mark.parametrize("status", ["acknowledged", "in_progress", "reopened"])
def test_a_missed_done_by_tells_the_resident_in_every_working_state(status: str) -> None:
    taken = request(status=status, acknowledged_at=at("2026-11-23 11:00"))
    steps = due_steps(CATALOG, taken, at("2026-11-26 10:00"))
    assert [(s.stage, s.deliver_at) for s in steps if s.stage == "missed"] == [
        ("missed", at("2026-11-26 10:00"))
    ]


def test_waiting_on_the_resident_pauses_a_promise_but_does_not_excuse_one_already_missed() -> None:
    paused_in_time = request(status="waiting", paused_at=at("2026-11-25 09:00"))
    assert ladder(CATALOG, paused_in_time, until=at("2026-11-30 09:00")) == []
    assert paused_in_time.current_due is None
    paused_late = request(status="waiting", paused_at=at("2026-11-26 11:00"))  # an hour after done-by
    assert paused_late.current_due == at("2026-11-26 10:00")
    steps = due_steps(CATALOG, paused_late, at("2026-11-26 16:00"))
    assert {step.stage for step in steps} >= {"due", "missed", "repeat", "director"}
    assert not any(step.stage == "warn" for step in steps)


def test_the_new_time_is_when_the_director_is_told_in_office_hours() -> None:
    from lobby.scheduled_steps import new_promise

    # A complaint's director is told 2 hours after the deadline: 17:30 → 19:30, held to Tuesday's opening.
    assert new_promise(CATALOG, request(), at("2026-11-23 17:30")) == at("2026-11-24 08:30")
    assert new_promise(CATALOG, request(), at("2026-11-23 10:00")) == at("2026-11-23 12:00")
