"""The request state machine: who may do what to a request in which state, and what each action changes.

The expected tables below are written out by hand from the procedures (seeds 000 and 002), not copied
from ``lobby.lifecycle``: a wrong entry in ALLOWED, NEEDS or PUBLIC fails a test here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.lifecycle import (
    ALLOWED,
    NEEDS,
    PUBLIC,
    IllegalTransition,
    MissingInput,
    apply,
    available_actions,
)
from lobby.requests import LOBBY, Actor, ServiceRequest

CATALOG = load_catalog(SOURCE_YAML)

RECEIVED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
ACKNOWLEDGE_DUE = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # same day, 17:30 in Shanghai
MINOR_DUE = RECEIVED_AT + timedelta(hours=8)  # a minor repair: 8 hours
MEDIUM_DUE = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # a medium repair: 3 days, Thursday 10:00 in Shanghai
ACKNOWLEDGED_AT = RECEIVED_AT + timedelta(minutes=20)
NOW = RECEIVED_AT + timedelta(hours=2)

ENGINEER = "engineer-zhang"
COMPLETE_INPUTS = {
    "actor": ENGINEER,
    "note": "Replaced the washer under the kitchen sink.",
    "size": "medium",
    "office": "service-centre",
}

STATUSES = (
    "received",
    "acknowledged",
    "in_progress",
    "waiting",
    "resolved",
    "closed",
    "cancelled",
    "reopened",
)
OPEN = ("received", "acknowledged", "in_progress", "waiting", "reopened")

# action → the states it may be taken in
LEGAL_FROM: dict[str, set[str]] = {
    "acknowledge": {"received", "reopened"},
    "start": {"acknowledged", "reopened"},
    "wait": {"acknowledged", "in_progress", "reopened"},
    "resume": {"waiting"},
    "resolve": {"acknowledged", "in_progress", "reopened"},
    "close": {"resolved"},
    "cancel": set(OPEN),
    "reopen": {"resolved", "closed"},
    "retriage": set(OPEN),
    "reassign": set(OPEN),
    "note": {*OPEN, "resolved"},
}

# action → (the status it leaves the request in, or None when the status stays; whether the resident sees it)
OUTCOME: dict[str, tuple[str | None, bool]] = {
    "acknowledge": ("acknowledged", True),
    "start": ("in_progress", True),
    "wait": ("waiting", True),
    "resume": ("in_progress", True),
    "resolve": ("resolved", True),
    "close": ("closed", True),
    "cancel": ("cancelled", True),
    "reopen": ("reopened", True),
    "retriage": (None, True),
    "reassign": (None, False),
    "note": (None, False),
}

# action → what the person taking it must give
NEEDED: dict[str, tuple[str, ...]] = {
    "acknowledge": ("actor",),
    "start": ("actor",),
    "wait": ("actor", "note"),
    "resume": ("actor",),
    "resolve": ("actor", "note"),
    "close": ("actor",),
    "cancel": ("actor", "note"),
    "reopen": ("actor", "note"),
    "retriage": ("actor", "size"),
    "reassign": ("actor", "office"),
    "note": ("actor", "note"),
}

# a state each action is legal in, for tests about inputs
TYPICAL_STATE = {
    "acknowledge": "received",
    "start": "acknowledged",
    "wait": "in_progress",
    "resume": "waiting",
    "resolve": "in_progress",
    "close": "resolved",
    "cancel": "received",
    "reopen": "resolved",
    "retriage": "received",
    "reassign": "received",
    "note": "in_progress",
}


def repair(size: str = "minor", **changes: Any) -> ServiceRequest:
    """A repair just received on Monday morning, with ``changes`` applied."""
    request = ServiceRequest(
        reference="20261123-0001",
        kind="repair",
        office="engineering",
        status="received",
        lang="en",
        fields={
            "category": "water",
            "size": size,
            "name": "Li Hua",
            "phone": "13800138000",
            "building": "3",
            "unit": "1502",
            "description": "The kitchen tap drips.",
        },
        received_at=RECEIVED_AT,
        acknowledge_due=ACKNOWLEDGE_DUE,
        resolve_due={"minor": MINOR_DUE, "medium": MEDIUM_DUE, "major": None}[size],
        catalog_version=CATALOG.catalog_version,
    )
    return replace(request, **changes)


def complaint(**changes: Any) -> ServiceRequest:
    """A complaint: a kind with one resolve rule (3 days) and no sizes."""
    request = replace(
        repair(),
        kind="complaint",
        office="service-centre",
        fields={
            "topic": "service",
            "name": "Li Hua",
            "phone": "13800138000",
            "building": "3",
            "unit": "1502",
        },
        resolve_due=MEDIUM_DUE,
    )
    return replace(request, **changes)


def in_state(status: str, request: ServiceRequest | None = None) -> ServiceRequest:
    """``request`` (a fresh repair by default) as it looks after the usual path to ``status``."""
    request = request or repair()
    handled = {"owner": "engineer-li", "acknowledged_at": ACKNOWLEDGED_AT}
    resolved_at = RECEIVED_AT + timedelta(hours=1)
    shape: dict[str, dict[str, Any]] = {
        "received": {},
        "acknowledged": handled,
        "in_progress": handled,
        "waiting": {**handled, "paused_at": RECEIVED_AT + timedelta(minutes=30)},
        "resolved": {**handled, "resolved_at": resolved_at},
        "closed": {**handled, "resolved_at": resolved_at, "closed_at": resolved_at + timedelta(hours=1)},
        "cancelled": {"closed_at": RECEIVED_AT + timedelta(minutes=5)},
        "reopened": {**handled, "reopen_count": 1, "resolve_due": RECEIVED_AT + timedelta(hours=25)},
    }
    return replace(request, status=status, **shape[status])


def _pairs(legal: bool) -> list[Any]:
    return [
        pytest.param(action, status, id=f"{action} a request that is {status}")
        for action in LEGAL_FROM
        for status in STATUSES
        if (status in LEGAL_FROM[action]) == legal
    ]


# --- the tables ----------------------------------------------------------------------------------------


def test_the_transition_table_is_the_one_the_procedures_describe() -> None:
    assert {action: set(states) for action, states in ALLOWED.items()} == LEGAL_FROM


def test_the_input_table_is_the_one_the_procedures_describe() -> None:
    assert dict(NEEDS) == NEEDED


def test_the_resident_sees_every_action_but_reassignments_and_notes() -> None:
    assert set(PUBLIC) == {action for action, (_, public) in OUTCOME.items() if public}


# --- the full matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "status"), _pairs(legal=True))
def test_a_legal_action_changes_the_status_and_records_an_event(action: str, status: str) -> None:
    request = in_state(status)
    expected_status, expected_public = OUTCOME[action]

    change = apply(CATALOG, request, action, {**COMPLETE_INPUTS, "actor": f"  {ENGINEER} "}, NOW)

    assert change.request.status == (expected_status or status)
    assert change.event.type == action
    assert change.event.public is expected_public
    assert change.event.actor == ENGINEER
    assert change.event.at == NOW
    assert request.status == status  # the request read is left as it was


@pytest.mark.parametrize(("action", "status"), _pairs(legal=False))
def test_an_illegal_action_is_refused(action: str, status: str) -> None:
    with pytest.raises(IllegalTransition) as refused:
        apply(CATALOG, in_state(status), action, COMPLETE_INPUTS, NOW)
    assert (refused.value.action, refused.value.status) == (action, status)
    assert str(refused.value) == f"cannot {action} a request that is {status}"


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, repair(), "escalate", COMPLETE_INPUTS, NOW)


def test_legality_is_checked_before_inputs() -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state("cancelled"), "resolve", {}, NOW)


# --- the business rules, one sentence each -------------------------------------------------------------


def test_a_request_must_be_acknowledged_before_it_can_be_resolved() -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, repair(), "resolve", COMPLETE_INPUTS, NOW)
    acknowledged = apply(CATALOG, repair(), "acknowledge", COMPLETE_INPUTS, NOW).request
    assert apply(CATALOG, acknowledged, "resolve", COMPLETE_INPUTS, NOW).request.status == "resolved"


def test_a_waiting_request_must_be_resumed_before_it_can_be_resolved() -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state("waiting"), "resolve", COMPLETE_INPUTS, NOW)


@pytest.mark.parametrize("status", OPEN)
def test_an_open_request_cannot_be_reopened(status: str) -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state(status), "reopen", COMPLETE_INPUTS, NOW)


@pytest.mark.parametrize("action", sorted(LEGAL_FROM))
def test_nothing_can_be_done_to_a_cancelled_request(action: str) -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state("cancelled"), action, COMPLETE_INPUTS, NOW)


@pytest.mark.parametrize("status", [status for status in STATUSES if status != "resolved"])
def test_only_a_resolved_request_can_be_closed(status: str) -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state(status), "close", COMPLETE_INPUTS, NOW)


@pytest.mark.parametrize("action", sorted(set(LEGAL_FROM) - {"reopen"}))
def test_a_closed_request_can_only_be_reopened(action: str) -> None:
    with pytest.raises(IllegalTransition):
        apply(CATALOG, in_state("closed"), action, COMPLETE_INPUTS, NOW)


# --- inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "missing"),
    [
        pytest.param(action, field, id=f"{action} without {field}")
        for action, fields in NEEDED.items()
        for field in fields
    ],
)
@pytest.mark.parametrize("absent_as", ["left out", "blank"])
def test_an_action_without_a_needed_input_names_the_field(action: str, missing: str, absent_as: str) -> None:
    inputs = {field: COMPLETE_INPUTS[field] for field in NEEDED[action]}
    if absent_as == "left out":
        del inputs[missing]
    else:
        inputs[missing] = "   "
    with pytest.raises(MissingInput) as refused:
        apply(CATALOG, in_state(TYPICAL_STATE[action]), action, inputs, NOW)
    assert refused.value.field == missing
    assert str(refused.value) == f"{missing} is required"


@pytest.mark.parametrize("action", sorted(NEEDED))
def test_an_action_needs_nothing_beyond_what_it_lists(action: str) -> None:
    inputs = {field: COMPLETE_INPUTS[field] for field in NEEDED[action]}
    change = apply(CATALOG, in_state(TYPICAL_STATE[action]), action, inputs, NOW)
    assert change.event.type == action


def test_reassigning_to_an_office_that_does_not_exist_names_the_office() -> None:
    with pytest.raises(MissingInput) as refused:
        apply(CATALOG, repair(), "reassign", {"actor": ENGINEER, "office": "plumbing"}, NOW)
    assert refused.value.field == "office"


@pytest.mark.parametrize("size", ["huge", "Minor", "8h"])
def test_retriaging_to_a_size_the_kind_does_not_have_names_the_size(size: str) -> None:
    with pytest.raises(MissingInput) as refused:
        apply(CATALOG, repair(), "retriage", {"actor": ENGINEER, "size": size}, NOW)
    assert refused.value.field == "size"


def test_retriaging_a_kind_without_sizes_names_the_size() -> None:
    with pytest.raises(MissingInput) as refused:
        apply(CATALOG, complaint(), "retriage", {"actor": ENGINEER, "size": "medium"}, NOW)
    assert refused.value.field == "size"


def test_the_note_is_recorded_trimmed_in_the_event() -> None:
    change = apply(
        CATALOG, in_state("in_progress"), "wait", {"actor": ENGINEER, "note": "  Parts ordered. "}, NOW
    )
    assert change.event.data["note"] == "Parts ordered."


def test_cancelling_records_the_reason() -> None:
    change = apply(CATALOG, repair(), "cancel", {"actor": ENGINEER, "note": "Filed twice."}, NOW)
    assert change.request.closed_at == NOW
    assert change.event.data["reason"] == "Filed twice."


# --- acknowledge ---------------------------------------------------------------------------------------


def test_acknowledging_makes_the_actor_the_owner_and_records_when() -> None:
    change = apply(CATALOG, repair(), "acknowledge", {"actor": ENGINEER}, NOW)
    assert change.request.owner == ENGINEER
    assert change.request.acknowledged_at == NOW
    assert change.request.current_due == MINOR_DUE  # the office now works against the resolve deadline


def test_acknowledging_a_reopened_request_keeps_the_first_acknowledgement_time() -> None:
    reopened = in_state("reopened")
    change = apply(CATALOG, reopened, "acknowledge", {"actor": ENGINEER}, NOW)
    assert change.request.acknowledged_at == ACKNOWLEDGED_AT
    assert change.request.owner == ENGINEER


# --- waiting for the resident --------------------------------------------------------------------------


def test_waiting_pauses_the_resolve_clock_for_exactly_the_time_spent_waiting() -> None:
    paused_at = RECEIVED_AT + timedelta(hours=1)
    waiting = apply(CATALOG, in_state("in_progress"), "wait", COMPLETE_INPUTS, paused_at).request
    assert waiting.current_due is None
    assert waiting.paused_at == paused_at

    resumed = apply(CATALOG, waiting, "resume", {"actor": ENGINEER}, paused_at + timedelta(hours=5)).request

    assert resumed.resolve_due == MINOR_DUE + timedelta(hours=5)
    assert resumed.current_due == MINOR_DUE + timedelta(hours=5)
    assert resumed.paused_at is None
    assert resumed.status == "in_progress"


def test_two_waits_add_up() -> None:
    request = in_state("in_progress")
    for start in (RECEIVED_AT + timedelta(hours=1), RECEIVED_AT + timedelta(hours=4)):
        request = apply(CATALOG, request, "wait", COMPLETE_INPUTS, start).request
        request = apply(CATALOG, request, "resume", {"actor": ENGINEER}, start + timedelta(hours=2)).request
    assert request.resolve_due == MINOR_DUE + timedelta(hours=4)


def test_resuming_a_request_without_a_resolve_deadline_leaves_it_without_one() -> None:
    major = in_state("waiting", repair(size="major"))
    resumed = apply(CATALOG, major, "resume", {"actor": ENGINEER}, NOW).request
    assert resumed.resolve_due is None
    assert resumed.status == "in_progress"


# --- retriage ------------------------------------------------------------------------------------------


def test_retriaging_a_minor_repair_as_medium_moves_the_deadline_from_8_hours_to_3_days() -> None:
    request = in_state("acknowledged")
    change = apply(CATALOG, request, "retriage", {"actor": ENGINEER, "size": "medium"}, NOW)

    assert change.request.fields["size"] == "medium"
    assert change.request.resolve_due == MEDIUM_DUE  # counted from receipt, not from now
    assert change.event.data == {"from": "minor", "to": "medium", "verified": False}
    assert change.event.public is True
    assert request.fields["size"] == "minor"  # the record read is not changed in place


def test_retriaging_a_repair_as_major_removes_the_resolve_deadline() -> None:
    change = apply(CATALOG, in_state("in_progress"), "retriage", {"actor": ENGINEER, "size": "major"}, NOW)
    assert change.request.resolve_due is None
    assert change.event.data == {"from": "minor", "to": "major", "verified": False}


def test_retriaging_keeps_the_time_already_spent_waiting_for_the_resident() -> None:
    # Waited 5 hours, resumed: the minor deadline moved from 8h to 13h after receipt. Retriaging to
    # medium must keep those 5 hours: the clock was paused, whatever the size of the job.
    waited = RECEIVED_AT + timedelta(hours=1)
    waiting = apply(CATALOG, in_state("in_progress"), "wait", COMPLETE_INPUTS, waited).request
    resumed = apply(CATALOG, waiting, "resume", {"actor": ENGINEER}, waited + timedelta(hours=5)).request
    assert resumed.resolve_due == MINOR_DUE + timedelta(hours=5)

    change = apply(CATALOG, resumed, "retriage", {"actor": ENGINEER, "size": "medium"}, NOW)

    assert change.request.resolve_due == MEDIUM_DUE + timedelta(hours=5)


def test_retriaging_a_reopened_repair_keeps_the_24_hour_rework_deadline() -> None:
    # Seed 002: a second complaint that a defect remains gets a special visit and rework within 24 hours.
    # Re-sizing the job must not replace that promise with a deadline counted from the first receipt,
    # which is long past by the time a request is reopened.
    reopened_at = RECEIVED_AT + timedelta(days=10)
    resolved = in_state("resolved")
    reopened = apply(CATALOG, resolved, "reopen", COMPLETE_INPUTS, reopened_at).request

    change = apply(CATALOG, reopened, "retriage", {"actor": ENGINEER, "size": "medium"}, reopened_at)

    assert change.request.fields["size"] == "medium"
    assert change.request.resolve_due == reopened_at + timedelta(hours=24)


# --- reassign ------------------------------------------------------------------------------------------


def test_reassigning_moves_the_request_and_records_both_offices() -> None:
    change = apply(CATALOG, repair(), "reassign", {"actor": ENGINEER, "office": "service-centre"}, NOW)
    assert change.request.office == "service-centre"
    assert change.event.data == {"from": "engineering", "to": "service-centre", "verified": False}
    assert change.event.public is False


# --- resolve, close, reopen ----------------------------------------------------------------------------


def test_resolving_then_closing_records_both_times() -> None:
    resolved = apply(CATALOG, in_state("in_progress"), "resolve", COMPLETE_INPUTS, NOW).request
    closed = apply(CATALOG, resolved, "close", {"actor": ENGINEER}, NOW + timedelta(days=1)).request
    assert (resolved.resolved_at, resolved.current_due) == (NOW, None)
    assert (closed.resolved_at, closed.closed_at) == (NOW, NOW + timedelta(days=1))
    assert not closed.is_open


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_reopening_gives_the_office_24_hours_to_rework(status: str) -> None:
    reopened_at = RECEIVED_AT + timedelta(days=3)
    change = apply(CATALOG, in_state(status), "reopen", COMPLETE_INPUTS, reopened_at)

    assert change.request.status == "reopened"
    assert change.request.resolve_due == reopened_at + timedelta(hours=24)
    assert change.request.current_due == reopened_at + timedelta(hours=24)
    assert change.request.reopen_count == 1
    assert change.request.resolved_at is None
    assert change.request.closed_at is None
    assert change.request.is_open


def test_each_reopening_is_counted() -> None:
    request = in_state("resolved")
    for _ in range(2):
        request = apply(CATALOG, request, "reopen", COMPLETE_INPUTS, NOW).request
        request = apply(CATALOG, request, "resolve", COMPLETE_INPUTS, NOW).request
    assert request.reopen_count == 2


# --- notes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "public"),
    [
        pytest.param(None, False, id="a note without visibility is internal"),
        pytest.param("internal", False, id="an internal note is internal"),
        pytest.param("anything", False, id="an unknown visibility is internal"),
        pytest.param("public", True, id="a public note is shown to the resident"),
    ],
)
def test_a_note_is_internal_unless_made_public(visibility: str | None, public: bool) -> None:
    inputs = {"actor": ENGINEER, "note": "Called the resident, no answer."}
    if visibility is not None:
        inputs["visibility"] = visibility
    request = in_state("in_progress")

    change = apply(CATALOG, request, "note", inputs, NOW)

    assert change.event.public is public
    assert change.event.data == {
        "note": "Called the resident, no answer.",
        "visibility": "public" if public else "internal",
        "verified": False,  # a name typed behind an e-mailed link
    }
    assert change.request == request  # a note changes nothing but the history


# --- what an e-mail offers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("received", ["acknowledge", "retriage", "reassign", "note", "cancel"]),
        ("acknowledged", ["start", "wait", "resolve", "retriage", "reassign", "note", "cancel"]),
        ("in_progress", ["wait", "resolve", "retriage", "reassign", "note", "cancel"]),
        ("waiting", ["resume", "retriage", "reassign", "note", "cancel"]),
        ("resolved", ["note"]),
        ("closed", []),
        ("cancelled", []),
        ("reopened", ["acknowledge", "start", "wait", "resolve", "retriage", "reassign", "note", "cancel"]),
    ],
)
def test_a_repair_offers_these_actions(status: str, offered: list[str]) -> None:
    assert available_actions(in_state(status), CATALOG) == offered


@pytest.mark.parametrize("status", STATUSES)
def test_a_kind_without_sizes_never_offers_retriage(status: str) -> None:
    request = in_state(status, complaint())
    with_sizes = available_actions(in_state(status), CATALOG)
    assert available_actions(request, CATALOG) == [action for action in with_sizes if action != "retriage"]


@pytest.mark.parametrize("status", STATUSES)
def test_every_offered_action_can_be_taken(status: str) -> None:
    request = in_state(status)
    for action in available_actions(request, CATALOG):
        assert apply(CATALOG, request, action, COMPLETE_INPUTS, NOW).event.type == action


def test_a_complaint_is_not_re_sized_into_another_category() -> None:
    request = in_state("acknowledged", complaint())
    with pytest.raises(MissingInput) as refused:
        apply(CATALOG, request, "retriage", {**COMPLETE_INPUTS, "size": "service"}, NOW)
    assert refused.value.field == "size"


@pytest.mark.parametrize("typed", ["١٣٨٠٠١٣٨٠٠٠", "１３８００１３８０００", "13800138000\u0663"])
def test_a_contact_typed_in_other_digits_is_compared_not_crashed_on(typed: str) -> None:
    # Python counts these as digits, and compare_digest refuses non-ASCII text: the lookup must
    # answer "no match", never raise (it once made the status route answer 503).
    assert repair().matches_contact(typed) is False
    assert repair().matches_contact("138 0013 8000") is True


def test_a_typed_name_is_recorded_as_unverified_and_owns_without_an_address() -> None:
    change = apply(CATALOG, in_state("received"), "acknowledge", {"actor": ENGINEER}, NOW)

    assert change.event.actor == ENGINEER and change.event.actor_verified is False
    assert change.event.data == {"verified": False}
    assert (change.request.owner, change.request.owner_verified, change.request.owner_email) == (
        ENGINEER,
        False,
        None,
    )


def test_the_signed_in_person_is_recorded_as_verified_whatever_name_is_typed() -> None:
    staff = Actor.signed_in("王强", "wang.qiang@harbour-view.example")

    change = apply(CATALOG, in_state("received"), "acknowledge", {"actor": "someone else"}, NOW, staff)

    assert change.event.actor == "王强" and change.event.actor_verified is True
    assert change.request.owner == "王强"
    assert change.request.owner_verified is True
    assert change.request.owner_email == "wang.qiang@harbour-view.example"


def test_lobby_itself_is_neither_verified_nor_unverified() -> None:
    change = apply(CATALOG, in_state("resolved"), "close", {}, NOW, LOBBY)

    assert change.event.actor == "lobby" and change.event.actor_verified is None
    assert "verified" not in change.event.data


def test_resuming_after_a_wait_that_began_past_the_deadline_keeps_the_missed_deadline() -> None:
    from lobby.catalog import load_catalog
    from lobby.lifecycle import apply as take

    catalog = load_catalog()
    taken = _missed_request(catalog)
    waiting = take(
        catalog,
        taken,
        "wait",
        {"actor": "李工", "note": "等住户回电"},
        taken.resolve_due + timedelta(hours=1),
    )
    resumed = take(
        catalog, waiting.request, "resume", {"actor": "李工"}, taken.resolve_due + timedelta(days=2)
    )
    assert resumed.request.resolve_due == taken.resolve_due  # no credit for a pause after the promise broke
    early = take(
        catalog,
        taken,
        "wait",
        {"actor": "李工", "note": "等住户回电"},
        taken.resolve_due - timedelta(hours=1),
    )
    back = take(catalog, early.request, "resume", {"actor": "李工"}, taken.resolve_due + timedelta(hours=1))
    assert back.request.resolve_due == taken.resolve_due + timedelta(hours=2)  # paused in time: credited


def _missed_request(catalog: Any) -> Any:
    from msgspec.structs import replace as with_changes

    from lobby.requests import ServiceRequest

    received = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    return with_changes(
        ServiceRequest(
            reference="20261123-0009",
            kind="complaint",
            office="service-centre",
            status="in_progress",
            lang="zh",
            fields={"category": "equipment"},
            received_at=received,
            acknowledge_due=received + timedelta(hours=2),
            resolve_due=received + timedelta(days=3),
            catalog_version=catalog.catalog_version,
        ),
        owner="李工",
        acknowledged_at=received + timedelta(hours=1),
    )


def test_staff_size_a_repair_the_resident_estimated_and_its_promise_follows() -> None:
    from lobby.requests import new_request
    from lobby.validation import Submission

    catalog = load_catalog(SOURCE_YAML)
    repair = catalog.kinds["repair"]
    filed = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
    values = {"category": "water", "size": "major", "name": "王", "phone": "13800138000"}
    request = new_request(catalog, Submission(kind=repair, values=values, lang="zh"), "20261125-0001", filed)
    assert not request.sized and request.resolve_due == filed + timedelta(hours=8)  # promised as minor
    change = apply(
        catalog, request, "retriage", {"actor": "李工", "size": "medium"}, filed + timedelta(hours=2)
    )
    assert change.request.sized and change.request.fields["size"] == "medium"
    assert change.request.resolve_due == filed + timedelta(days=3)
    assert (change.event.data["from"], change.event.data["to"]) == ("minor", "medium")
    assert change.event.public  # the resident is told


def test_an_arrival_limit_runs_until_work_starts_and_is_chased_when_missed() -> None:
    from msgspec.structs import replace as changed

    from lobby.requests import new_request
    from lobby.scheduled_steps import due_steps, phases
    from lobby.validation import Submission

    catalog = load_catalog(SOURCE_YAML)
    repair = catalog.kinds["repair"]
    arriving = changed(repair, deadlines=changed(repair.deadlines, arrive="2h"))
    catalog = changed(catalog, kinds={**catalog.kinds, "repair": arriving})
    filed = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 09:00
    values = {"category": "water", "name": "王", "phone": "13800138000"}
    request = new_request(
        catalog, Submission(kind=arriving, values=values, lang="zh"), "20261125-0002", filed
    )
    assert request.arrive_due == filed + timedelta(hours=2)
    late = filed + timedelta(hours=2, minutes=1)
    stages = {(step.key.split("@")[0], step.stage) for step in due_steps(catalog, request, late)}
    assert {("arrive", "due"), ("arrive", "missed")} <= stages
    taken = apply(catalog, request, "acknowledge", {"actor": "李工"}, filed + timedelta(minutes=30)).request
    assert [phase.name for phase in phases(taken)] == ["arrive", "resolve"]
    started = apply(catalog, taken, "start", {"actor": "李工"}, filed + timedelta(hours=1)).request
    assert [phase.name for phase in phases(started)] == ["resolve"]  # on site: the arrival clock stops


def test_resolving_draws_the_spot_checks_and_keeps_them_when_resolved_again() -> None:
    from msgspec.structs import replace as changed

    catalog = load_catalog(SOURCE_YAML)
    complaint = catalog.kinds["complaint"]
    checked = changed(complaint, follow_up=changed(complaint.follow_up, spot_checks={"quality": 100}))
    catalog = changed(catalog, kinds={**catalog.kinds, "complaint": checked})
    taken = _missed_request(catalog)
    resolved = apply(
        catalog, taken, "resolve", {"actor": "李工", "note": "已整改"}, taken.received_at + timedelta(hours=3)
    )
    assert resolved.request.spot_checks == ("quality",)
    never = changed(checked, follow_up=changed(checked.follow_up, spot_checks={}))
    unchecked = changed(catalog, kinds={**catalog.kinds, "complaint": never})
    assert (
        apply(
            unchecked, taken, "resolve", {"actor": "李工", "note": "已整改"}, taken.received_at
        ).request.spot_checks
        == ()
    )
