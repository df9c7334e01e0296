"""What the scheduler owes each request, and when: the reminder ladder, follow-ups, auto-close.

Plain Python over a request and the catalog. Every step has a stable key, so the
scheduled function can record each one with a conditional write and never send the
same reminder twice, however runs overlap or retry.

The ladder of a phase (first contact, or resolution) with start S and deadline D:
  warn      at S + warn_at_percent of (D − S)         → the owning office
  due       at D                                       → the owning office
  repeat    every repeat_every after D while overdue   → the owning office
  director  at D + escalate_director_after             → the office's director
  quality   at D + escalate_quality_after              → the company quality department
  missed    at D                                       → the resident: an apology, the progress, the new time
Staff steps of kinds not marked urgent are held until the handling office next opens (no 3 a.m. mail);
steps that land on the same delivery moment collapse into one. A missed promise is chased whatever the
request's state (``phases``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from msgspec import Struct

from lobby.catalog import Catalog, Kind, Property
from lobby.deadlines import add_duration, deadline_for, is_office_open, next_office_open
from lobby.policy import AUTOCLOSE_AFTER, CLOSING_GRACE, FOLLOW_UP_REPEAT, REWORK_WITHIN
from lobby.requests import ServiceRequest, utc_iso

REPEAT_HORIZON = 400  # repeats looked at beyond the deadline: enough for a year of hourly repeats

STAGES = ("warn", "due", "missed", "repeat", "director", "quality")


class Step(Struct, frozen=True):
    key: str  # stable: names the phase, its deadline and the step
    stage: str  # warn, due, repeat, director, quality, followup, autoclose
    at: datetime  # when it falls due by the ladder
    deliver_at: datetime  # when it may be sent (held for office hours unless urgent)
    due: datetime | None  # the deadline it is about

    @property
    def recipient(self) -> str:
        """Who gets it: the owning office, its director, the quality department, the service centre, or the
        resident (told when a promise is missed)."""
        stages = {"director": "director", "quality": "quality", "followup": "service", "missed": "resident"}
        return stages.get(self.stage, "office")


class Phase(Struct, frozen=True):
    """A clock the office is held to: first contact (``ack``) or resolution (``resolve``)."""

    name: str
    start: datetime
    due: datetime
    missed_only: bool = False  # only what comes once it is missed: not the warning before it


def phases(request: ServiceRequest) -> list[Phase]:
    """The clocks running now. A missed promise is chased whatever the state (seed 000 §5.2.3):

    - received: first contact; and the resolution, from the moment it is missed too (nobody took it);
    - acknowledged, in progress, reopened: the resolution;
    - received or acknowledged, with an arrival limit: being on site, until work starts;
    - waiting for the resident: nothing, unless the resolution was already missed when the wait began
      (a pause does not excuse a promise already broken).
    """
    status, resolve_due = request.status, request.resolve_due
    found: list[Phase] = []
    if request.arrive_due and status in ("received", "acknowledged"):
        found.append(Phase("arrive", request.received_at, request.arrive_due))
    if status == "received":
        if request.acknowledge_due:
            found.append(Phase("ack", request.received_at, request.acknowledge_due))
        if resolve_due:
            found.append(Phase("resolve", request.received_at, resolve_due, missed_only=True))
    elif status in ("acknowledged", "in_progress", "reopened") and resolve_due:
        start = request.acknowledged_at or request.received_at
        if status == "reopened":
            start = resolve_due - REWORK_WITHIN
        found.append(Phase("resolve", min(start, resolve_due), resolve_due))
    elif status == "waiting" and resolve_due and request.missed_before_pause:
        found.append(Phase("resolve", request.received_at, resolve_due, missed_only=True))
    return found


def _deliver(urgent: bool, clock: Property, at: datetime) -> datetime:
    """Urgent requests at any hour; others during the handling office's hours, the closing minute included (a
    same-day deadline falls exactly at closing time, and its reminder belongs to that day)."""
    if urgent or is_office_open(at - CLOSING_GRACE, clock):
        return at
    return next_office_open(at, clock)


def ladder(catalog: Catalog, request: ServiceRequest, until: datetime) -> list[Step]:
    """Every step of the running clocks whose ladder time is at or before ``until``, plus the next one."""
    kind = catalog.kinds[request.kind]
    running = phases(request)
    if not running:
        return _after_resolution(catalog, request, kind, until)
    steps: dict[str, Step] = {}
    clock = catalog.office_clock(request.office)
    urgent = kind.is_urgent(request.fields)
    # A resolution missed before the first contact takes over from the contact's ladder once it is missed.
    overtaken_at = next((p.due for p in running if p.name == "resolve" and p.missed_only), None)
    for phase in running:
        raw = _phase_ladder(kind, phase, until)
        if phase.name == "ack" and overtaken_at is not None:
            raw = [(stage, at) for stage, at in raw if at <= overtaken_at]
            if phase.due >= overtaken_at:  # one promise missed, one apology
                raw = [(stage, at) for stage, at in raw if stage != "missed"]
        prefix = f"{phase.name}@{utc_iso(phase.due)}"
        for stage, at in sorted(raw, key=lambda item: item[1]):
            deliver_at = at if stage == "missed" else _deliver(urgent, clock, at)
            # Repeats that are held to the same opening time collapse into one reminder.
            key = f"{prefix}#{stage}@{utc_iso(deliver_at)}" if stage == "repeat" else f"{prefix}#{stage}"
            steps.setdefault(key, Step(key=key, stage=stage, at=at, deliver_at=deliver_at, due=phase.due))
    return sorted(steps.values(), key=lambda step: (step.deliver_at, STAGES.index(step.stage)))


def _phase_ladder(kind: Kind, phase: Phase, until: datetime) -> list[tuple[str, datetime]]:
    """(stage, ladder time) of one clock: warn, due, the resident's apology, repeats, escalations."""
    reminders = kind.reminders
    due = phase.due
    raw: list[tuple[str, datetime]] = [("due", due), ("missed", due)]
    if not phase.missed_only:
        raw.append(("warn", phase.start + (due - phase.start) * (reminders.warn_at_percent / 100)))
    repeat_at = add_duration(reminders.repeat_every, due)
    for _ in range(REPEAT_HORIZON):
        raw.append(("repeat", repeat_at))
        if repeat_at > until:
            break
        repeat_at = add_duration(reminders.repeat_every, repeat_at)
    raw.append(("director", add_duration(reminders.escalate_director_after, due)))
    raw.append(("quality", add_duration(reminders.escalate_quality_after, due)))
    return raw


def new_promise(catalog: Catalog, request: ServiceRequest, due: datetime) -> datetime:
    """What the resident is told when ``due`` is missed: by when the director, who now follows it, is told."""
    kind = catalog.kinds[request.kind]
    at = add_duration(kind.reminders.escalate_director_after, due)
    return _deliver(kind.is_urgent(request.fields), catalog.office_clock(request.office), at)


def _follow_up_steps(catalog: Catalog, resolved_at: datetime, due: datetime, until: datetime) -> list[Step]:
    """The service centre is reminded a day ahead (at once for short windows), at the deadline, then every
    day while the follow-up is owed: it stays on the agenda, and in the daily digest, until it is recorded."""
    moments = [max(resolved_at, due - timedelta(days=1)), due]
    later = due + FOLLOW_UP_REPEAT
    while moments[-1] <= until and len(moments) < REPEAT_HORIZON:
        moments.append(later)
        later += FOLLOW_UP_REPEAT
    steps: dict[datetime, Step] = {}
    service = catalog.office_clock(catalog.property.service_office)
    for at in moments:
        deliver_at = next_office_open(at, service)
        key = f"followup@{utc_iso(due)}#{utc_iso(deliver_at)}"
        steps.setdefault(deliver_at, Step(key=key, stage="followup", at=at, deliver_at=deliver_at, due=due))
    ordered = sorted(steps.values(), key=lambda step: step.deliver_at)
    past = [step for step in ordered if step.deliver_at <= until]
    return past + [step for step in ordered if step.deliver_at > until][:1]


def _after_resolution(catalog: Catalog, request: ServiceRequest, kind: Kind, until: datetime) -> list[Step]:
    if request.status != "resolved" or request.resolved_at is None:
        return []
    follow_up = kind.follow_up
    wanted = follow_up.coverage == "all" or (follow_up.coverage == "sampled" and request.follow_up_selected)
    if wanted and not follow_up.within.is_none:
        service = catalog.office_clock(catalog.property.service_office)
        due = request.follow_up_due or deadline_for(follow_up.within, request.resolved_at, service)
        assert due is not None
        return _follow_up_steps(catalog, request.resolved_at, due, until)
    if follow_up.coverage == "sampled" and request.follow_up_selected is None:
        return []  # the monthly sampling decides
    at = request.resolved_at + AUTOCLOSE_AFTER
    return [Step(key=f"autoclose@{utc_iso(at)}", stage="autoclose", at=at, deliver_at=at, due=None)]


def due_steps(catalog: Catalog, request: ServiceRequest, now: datetime) -> list[Step]:
    """Steps that may be delivered now. Of several office reminders due at once, only the latest stage matters:
    the earlier ones are returned too (to be recorded as superseded), marked by ``superseded``."""
    return [step for step in ladder(catalog, request, now) if step.deliver_at <= now]


def superseded(steps: list[Step]) -> set[str]:
    """Keys of due office reminders overtaken by a later office reminder due at the same time."""
    office = [step for step in steps if step.recipient == "office"]
    if len(office) <= 1:
        return set()
    latest = max(office, key=lambda step: (step.at, STAGES.index(step.stage)))
    return {step.key for step in office if step is not latest}


def next_action_at(
    catalog: Catalog, request: ServiceRequest, after: datetime | None = None
) -> datetime | None:
    """When the scheduler must next look at this request (the first step due after ``after``)."""
    horizon = after or request.received_at
    for step in ladder(catalog, request, horizon):
        if after is None or step.deliver_at > after:
            return step.deliver_at
    return None
