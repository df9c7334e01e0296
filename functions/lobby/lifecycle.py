"""The life of a request: which actions are legal in which state, and what each one changes.

received → acknowledged → in_progress → resolved → closed, with waiting (the resolve
clock pauses), cancelled, and reopened (the resident says the defect remains: a special
visit and rework within 24 hours, seed 002). Plain Python: no AWS, no HTTP.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from lobby.agreements import plan_at_resolution
from lobby.catalog import Catalog
from lobby.deadlines import deadline_for, promise
from lobby.fields import STAFF_INPUTS, Invalid, clean_staff_input
from lobby.policy import REWORK_WITHIN
from lobby.requests import Actor, Event, ServiceRequest
from lobby.sampling import draw_spot_checks

# action → the states it may be taken in
ALLOWED: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({"received", "reopened"}),
    "start": frozenset({"acknowledged", "reopened"}),
    "wait": frozenset({"acknowledged", "in_progress", "reopened"}),
    "resume": frozenset({"waiting"}),
    "resolve": frozenset({"acknowledged", "in_progress", "reopened"}),
    "close": frozenset({"resolved"}),
    "cancel": frozenset({"received", "acknowledged", "in_progress", "waiting", "reopened"}),
    "reopen": frozenset({"resolved", "closed"}),
    "retriage": frozenset({"received", "acknowledged", "in_progress", "waiting", "reopened"}),
    "reassign": frozenset({"received", "acknowledged", "in_progress", "waiting", "reopened"}),
    "note": frozenset({"received", "acknowledged", "in_progress", "waiting", "resolved", "reopened"}),
}

# what an action needs from the person taking it
NEEDS: dict[str, tuple[str, ...]] = {
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

# actions whose event the resident sees on the status page and is e-mailed about
PUBLIC = frozenset(
    {"acknowledge", "start", "wait", "resume", "resolve", "close", "cancel", "reopen", "retriage"}
)

# staff actions offered as signed links in office e-mails (reopen is the resident's, via the rating)
STAFF_ACTIONS = (
    "acknowledge",
    "start",
    "wait",
    "resume",
    "resolve",
    "retriage",
    "reassign",
    "note",
    "cancel",
)


class IllegalTransition(ValueError):
    """The action does not apply to the request in its current state."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a request that is {status}")
        self.action = action
        self.status = status


class MissingInput(ValueError):
    """An input the action needs is missing, or refused: ``code`` is an ``Invalid`` code of lobby.fields
    (``required``, ``too_long`` with the limit ``n``, ``one_line``)."""

    def __init__(self, field: str, code: str = "required", n: int | None = None) -> None:
        super().__init__(f"{field} is required" if code == "required" else f"{field}: {code}")
        self.field = field
        self.code = code
        self.n = n


def clean_inputs(inputs: dict[str, str]) -> dict[str, str]:
    """What staff typed, cleaned and held to the limits of lobby.fields.STAFF_INPUTS; raises MissingInput."""
    cleaned = dict(inputs)
    for name in STAFF_INPUTS.keys() & inputs.keys():
        result = clean_staff_input(name, inputs[name])
        if isinstance(result, Invalid):
            raise MissingInput(name, result.code, result.n)
        cleaned[name] = result
    return cleaned


class Change(Struct, frozen=True):
    """The request after an action, and the history event that records it."""

    request: ServiceRequest
    event: Event


def available_actions(request: ServiceRequest, catalog: Catalog) -> list[str]:
    """Staff actions that make sense now, in the order an e-mail offers them."""
    actions = [action for action in STAFF_ACTIONS if request.status in ALLOWED[action]]
    kind = catalog.kinds[request.kind]
    # Re-sizing is for kinds whose deadline follows a size (a repair); a complaint's deadline follows
    # its category, which staff do not re-size.
    if not isinstance(kind.deadlines.resolve, dict) or kind.deadlines.resolve_by != "size":
        actions = [action for action in actions if action != "retriage"]
    return actions


def apply(
    catalog: Catalog,
    request: ServiceRequest,
    action: str,
    inputs: dict[str, str],
    now: datetime,
    actor: Actor | None = None,
) -> Change:
    """Take ``action`` on ``request``; raise IllegalTransition or MissingInput when it cannot be done.

    ``actor`` is who takes it: the desk passes the signed-in person (``Actor.signed_in``), Lobby and the
    resident their own; without one, the name typed into ``inputs["actor"]`` is recorded as unverified.
    """
    if action not in ALLOWED:
        raise IllegalTransition(action, request.status)
    if request.status not in ALLOWED[action]:
        raise IllegalTransition(action, request.status)
    inputs = clean_inputs({**inputs, "actor": actor.name} if actor else inputs)
    for needed in NEEDS[action]:
        if not inputs.get(needed, "").strip():
            raise MissingInput(needed)
    who = replace(actor, name=inputs["actor"]) if actor else Actor.typed(inputs["actor"])
    note = inputs.get("note", "")
    data: dict[str, Any] = {"note": note} if note else {}
    if who.verified is not None:
        data["verified"] = who.verified
    public = action in PUBLIC
    updated = _transition(catalog, request, action, inputs, who, now, data)
    if action == "note":
        public = inputs.get("visibility") == "public"
        data["visibility"] = "public" if public else "internal"
    event = Event(type=action, at=now, actor=who.name, public=public, data=data)
    return Change(request=updated, event=event)


def _transition(
    catalog: Catalog,
    request: ServiceRequest,
    action: str,
    inputs: dict[str, str],
    actor: Actor,
    now: datetime,
    data: dict[str, Any],
) -> ServiceRequest:
    match action:
        case "acknowledge":
            return replace(
                request,
                status="acknowledged",
                owner=actor.name,
                owner_verified=actor.verified,
                owner_email=actor.email,
                acknowledged_at=request.acknowledged_at or now,
            )
        case "start":
            return replace(request, status="in_progress")
        case "wait":
            return replace(request, status="waiting", paused_at=now)
        case "resume":
            return _resume(request, now)
        case "resolve":
            plan = plan_at_resolution(catalog, request, now)  # a long-term agreement: halfway and at the end
            # The company's spot checks are drawn now, while the follow-up is still ahead (seed 000 §5.5).
            # A drawn check is due with the follow-up, and its office hears of it with this event.
            rates = catalog.kinds[request.kind].follow_up.spot_checks
            spot_checks = request.spot_checks or draw_spot_checks(rates, request.reference, now)
            if spot_checks and not request.spot_checks:
                data["spot_checks"] = list(spot_checks)
            return replace(
                request,
                status="resolved",
                resolved_at=now,
                follow_up_due=plan.due,
                follow_ups_after=plan.later,
                follow_up_selected=plan.selected,
                spot_checks=spot_checks,
                spot_check_due=request.spot_check_due or (plan.due if spot_checks else None),
            )
        case "close":
            return replace(request, status="closed", closed_at=now)
        case "cancel":
            data["reason"] = data.get("note", "")
            return replace(request, status="cancelled", closed_at=now)
        case "reopen":
            # seed 002: a second complaint that a defect remains → special visit and rework within 24 hours
            return replace(
                request,
                status="reopened",
                resolve_due=now + REWORK_WITHIN,
                resolved_at=None,
                closed_at=None,
                reopen_count=request.reopen_count + 1,
            )
        case "retriage":
            return _retriage(catalog, request, inputs["size"], data)
        case "reassign":
            office = inputs["office"]
            if office not in catalog.offices:
                raise MissingInput("office")
            data.update({"from": request.office, "to": office})
            return replace(request, office=office)
        case _:  # note
            return request


def _resume(request: ServiceRequest, now: datetime) -> ServiceRequest:
    """Back from waiting for the resident: the resolve clock moves by the time spent waiting (unless it was
    already missed when the wait began: a pause does not renew a broken promise)."""
    resolve_due = request.resolve_due
    if resolve_due and request.paused_at and not request.missed_before_pause:
        resolve_due = resolve_due + (now - request.paused_at)
    status = "in_progress" if request.owner else "received"
    return replace(request, status=status, resolve_due=resolve_due, paused_at=None)


def _retriage(catalog: Catalog, request: ServiceRequest, size: str, data: dict[str, Any]) -> ServiceRequest:
    """Staff size the job after inspection: the promise follows the new size (the resident is told)."""
    kind = catalog.kinds[request.kind]
    rules = kind.deadlines.resolve
    if not isinstance(rules, dict) or kind.deadlines.resolve_by != "size" or size not in rules:
        raise MissingInput("size")
    assert kind.deadlines.resolve_by
    fields = {**request.fields, kind.deadlines.resolve_by: size}
    previous = request.fields.get(kind.deadlines.resolve_by)
    if not request.sized and kind.deadlines.starts_as:
        previous = kind.deadlines.starts_as  # what it was promised by: the resident only estimated
    data.update({"from": previous, "to": size})
    if request.reopen_count:  # seed 002: the 24-hour rework promise stands whatever the size
        return replace(request, fields=fields, sized=True)
    # Time already credited for waiting on the resident = current due − the old size's catalog due.
    clock = catalog.office_clock(request.office)
    urgent = kind.is_urgent(request.fields)
    old_due = (
        deadline_for(rules[previous], request.received_at, clock, urgent=urgent)
        if previous in rules
        else None
    )
    credit = request.resolve_due - old_due if request.resolve_due and old_due else timedelta(0)
    _, due = promise(catalog, kind, fields, request.received_at, office=request.office, sized=True)
    return replace(request, fields=fields, sized=True, resolve_due=due + credit if due else None)
