"""The monthly statistics (seeds 002 and 003): the figures and the monthly run (``views.emails.monthly``
writes the director's e-mail and its CSV).

Definitions (each figure in the e-mail and the CSV means exactly this):

- **The month** is a local calendar month of the property; a request belongs to the month it was
  received in (its reference's date). The report runs on the 1st for the month before.
- **Counts** by kind and by the office that holds the request now (after any reassignment).
  *Handled* = resolved or closed; *still open* = any open status; *reopened* = reopened at least once
  (the seeds' rework).
- **On time.** Acknowledgement: ``acknowledged_at <= acknowledge_due``. Resolution:
  ``resolved_at <= resolve_due``. Only requests with that deadline count, and only once the outcome is
  known: done (on time or late), or not done and the deadline passed before ``now`` (late). A request
  still inside its deadline, paused while waiting for the resident, or cancelled before the deadline is
  not counted yet.
- **Follow-up coverage** against the seeds' targets. Kinds covered in full ("all"): every request of the
  month that was handled (now resolved or closed, or reopened after a handling) needs one; kinds
  sampled: the sample size of the month's work orders (``lobby.sampling``; cancelled requests are not
  work orders). A follow-up is *done* when the request carries a rating (the resident's own, or the
  answers staff recorded by phone or visit). Coverage = done / required, shown capped at 100 %.
- **Satisfaction** counts the ratings *recorded in the month* (the seed analyses each month's follow-up
  results), for requests received in the month or the two before; each request counts with its latest
  rating.
- **Red flags** (seed 002): the same matter complained about twice or more, and the same repair three
  times or more: complaints (repairs) from the same flat in the same category, counted over the month
  and the two before it, flagged in a month that brought at least one of them (so a repeat is reported
  when it happens, not every month after). Cancelled requests do not count. Failed follow-ups: every
  follow-up answered "not satisfied" in the month, read from the request's history, so one that was
  later put right still shows.
- **Overdue**: every open request, of any month, whose current deadline has passed at ``now``.

No personal data leaves in the CSV: references, kinds, offices, the flat (building and unit), categories
and figures only; never a name, phone number, e-mail address or free text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from lobby import keys
from lobby.catalog import Catalog
from lobby.mail import Attachment, Mail
from lobby.months import month_bounds, previous_month, shift_month
from lobby.outbox import MONTHLY_MESSAGE, Message
from lobby.policy import RATING_SCALES, REPEAT_THRESHOLDS, WINDOW_MONTHS
from lobby.repeats import matter
from lobby.requests import Event, ServiceRequest, parse_iso
from lobby.sampling import decide_sample, sample_size, sampling_seed
from lobby.settings import Settings
from lobby.spot_checks import SpotCheckFigures, month_figures
from lobby.storage import StaleRequest, Store

HANDLED = frozenset({"resolved", "closed"})
CANCELLED = "cancelled"
MONTHLY_MARKER_ROLE = "director"  # the recipient's role of the report's outbox item


class Timeliness(Struct):
    measured: int = 0
    on_time: int = 0

    def add(self, outcome: bool | None) -> None:
        if outcome is None:
            return
        self.measured += 1
        self.on_time += int(outcome)

    @property
    def percent(self) -> float | None:
        return 100 * self.on_time / self.measured if self.measured else None


class KindFigures(Struct):
    kind: str  # a kind id, or "all"
    received: int = 0
    handled: int = 0
    still_open: int = 0
    cancelled: int = 0
    reopened: int = 0
    acknowledge: Timeliness = field(default_factory=Timeliness)
    resolve: Timeliness = field(default_factory=Timeliness)

    def add(self, request: ServiceRequest, now: datetime) -> None:
        self.received += 1
        self.handled += request.status in HANDLED
        self.still_open += request.is_open
        self.cancelled += request.status == CANCELLED
        self.reopened += request.reopen_count > 0
        self.acknowledge.add(acknowledged_on_time(request, now))
        self.resolve.add(resolved_on_time(request, now))


class Coverage(Struct, frozen=True):
    kind: str
    rule: str  # "all" or "sampled"
    work_orders: int  # the requests the rule applies to
    required: int
    selected: int | None  # sampled kinds: how many the monthly sample chose
    done: int

    @property
    def percent(self) -> float | None:
        return min(100.0, 100 * self.done / self.required) if self.required else None

    @property
    def met(self) -> bool:
        return self.done >= self.required


class Satisfaction(Struct):
    kind: str  # a kind id, or "all"
    rated: int = 0
    satisfied: int = 0
    score_totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_SCALES, 0))
    score_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_SCALES, 0))

    def add(self, rating: dict[str, Any]) -> None:
        self.rated += 1
        self.satisfied += rating.get("satisfied") is True
        for scale in RATING_SCALES:
            if isinstance(rating.get(scale), int):
                self.score_totals[scale] += rating[scale]
                self.score_counts[scale] += 1

    @property
    def satisfied_percent(self) -> float | None:
        return 100 * self.satisfied / self.rated if self.rated else None

    def mean(self, scale: str) -> float | None:
        count = self.score_counts[scale]
        return self.score_totals[scale] / count if count else None


class RepeatFlag(Struct, frozen=True):
    kind: str
    category: str
    location: str
    references: tuple[str, ...]  # oldest first


class FailedFollowUp(Struct, frozen=True):
    reference: str
    kind: str
    office: str
    location: str
    at: datetime


class OverdueRequest(Struct, frozen=True):
    reference: str
    kind: str
    office: str
    location: str
    due: datetime
    late: timedelta


class MonthData(Struct, frozen=True):
    """What the figures are computed from (read by ``gather_month``)."""

    month: str
    now: datetime
    window: list[ServiceRequest]  # received in the month and the WINDOW_MONTHS - 1 before it
    histories: dict[str, list[Event]]  # history of every window request that was ever reopened
    open_requests: list[ServiceRequest]  # every open request of every office at ``now``


class MonthlyStatistics(Struct, frozen=True):
    month: str
    generated_at: datetime
    by_kind_office: dict[tuple[str, str], int]
    kinds: dict[str, KindFigures]  # catalog order; every kind, even with nothing received
    total: KindFigures
    coverage: list[Coverage]
    satisfaction: dict[str, Satisfaction]  # kinds with ratings, catalog order
    satisfaction_total: Satisfaction
    repeat_complaints: list[RepeatFlag]
    repeat_repairs: list[RepeatFlag]
    failed_follow_ups: list[FailedFollowUp]
    overdue: list[OverdueRequest]
    # The company's spot checks (抽查) of the month's requests: office → drawn, recorded, results (000 §5.5).
    spot_checks: dict[str, SpotCheckFigures] = field(default_factory=dict)

    @property
    def red_flag_count(self) -> int:
        return len(self.repeat_complaints) + len(self.repeat_repairs) + len(self.failed_follow_ups)


def _outcome(
    deadline: datetime | None, done_at: datetime | None, stopped_at: datetime | None, now: datetime
) -> bool | None:
    """True on time, False late, None not (yet) measurable."""
    if deadline is None:
        return None
    if done_at is not None:
        return done_at <= deadline
    end = stopped_at or now
    return False if end > deadline else None


def acknowledged_on_time(request: ServiceRequest, now: datetime) -> bool | None:
    stopped = request.closed_at if request.status == CANCELLED else None
    return _outcome(request.acknowledge_due, request.acknowledged_at, stopped, now)


def resolved_on_time(request: ServiceRequest, now: datetime) -> bool | None:
    stopped = None
    if request.status == CANCELLED:
        stopped = request.closed_at
    elif request.status == "waiting":
        stopped = request.paused_at  # the clock is paused: the deadline moves when work resumes
    return _outcome(request.resolve_due, request.resolved_at, stopped, now)


def rating_time(request: ServiceRequest) -> datetime | None:
    """When the request's (latest) rating was recorded."""
    rating = request.rating or {}
    text = rating.get("at")
    if isinstance(text, str) and text:
        return parse_iso(text)
    return None


def _repeat_flags(
    window: list[ServiceRequest], kind: str, threshold: int, month: str, shared: frozenset[str] = frozenset()
) -> list[RepeatFlag]:
    """Repeats of the same matter (lobby.repeats.matter): by flat and category, or, for a shared place
    (a lift), by building and category whoever reported it."""
    groups: dict[tuple[str, str, str], list[ServiceRequest]] = defaultdict(list)
    for request in window:
        if request.kind != kind or request.status == CANCELLED:
            continue
        found = matter(request, shared)
        if found is not None:
            groups[found].append(request)
    flags = []
    for (_, _, category), requests in groups.items():
        if len(requests) < threshold or not any(r.received_month == month for r in requests):
            continue
        requests.sort(key=lambda r: (r.received_at, r.reference))
        flags.append(
            RepeatFlag(
                kind=kind,
                category=category,
                location=requests[-1].location,
                references=tuple(r.reference for r in requests),
            )
        )
    return sorted(flags, key=lambda flag: (-len(flag.references), flag.references))


def _failed_follow_ups(data: MonthData, start: datetime, end: datetime) -> list[FailedFollowUp]:
    by_reference = {request.reference: request for request in data.window}
    failed = []
    for reference, events in data.histories.items():
        request = by_reference.get(reference)
        if request is None:
            continue
        for event in events:
            if event.data.get("satisfied") is False and start <= event.at < end:
                failed.append(
                    FailedFollowUp(
                        reference=reference,
                        kind=request.kind,
                        office=request.office,
                        location=request.location,
                        at=event.at,
                    )
                )
    return sorted(failed, key=lambda item: (item.at, item.reference))


def _coverage(catalog: Catalog, received: list[ServiceRequest]) -> list[Coverage]:
    rows = []
    for kind_id, kind in catalog.kinds.items():
        rule = kind.follow_up.coverage
        if rule == "none":
            continue
        of_kind = [r for r in received if r.kind == kind_id and r.status != CANCELLED]
        if rule == "all":
            owed = [r for r in of_kind if r.status in HANDLED or r.reopen_count > 0]
            rows.append(
                Coverage(
                    kind=kind_id,
                    rule=rule,
                    work_orders=len(owed),
                    required=len(owed),
                    selected=None,
                    done=sum(r.rating is not None for r in owed),
                )
            )
        else:
            rows.append(
                Coverage(
                    kind=kind_id,
                    rule=rule,
                    work_orders=len(of_kind),
                    required=sample_size(len(of_kind)),
                    selected=sum(r.follow_up_selected is True for r in of_kind),
                    done=sum(r.rating is not None for r in of_kind),
                )
            )
    return rows


def _overdue(open_requests: list[ServiceRequest], now: datetime) -> list[OverdueRequest]:
    overdue = []
    for request in open_requests:
        due = request.current_due
        if request.is_open and due is not None and due < now:
            overdue.append(
                OverdueRequest(
                    reference=request.reference,
                    kind=request.kind,
                    office=request.office,
                    location=request.location,
                    due=due,
                    late=now - due,
                )
            )
    return sorted(overdue, key=lambda item: (-item.late, item.reference))


def compute_statistics(catalog: Catalog, data: MonthData) -> MonthlyStatistics:
    """Every figure of the month's report; see the module doc for what each one means."""
    time_zone = catalog.property.time_zone
    start, end = month_bounds(data.month, time_zone)
    received = [r for r in data.window if r.received_month == data.month]

    by_kind_office: dict[tuple[str, str], int] = defaultdict(int)
    kinds = {kind_id: KindFigures(kind=kind_id) for kind_id in catalog.kinds}
    total = KindFigures(kind="all")
    for request in received:
        by_kind_office[(request.kind, request.office)] += 1
        kinds.setdefault(request.kind, KindFigures(kind=request.kind)).add(request, data.now)
        total.add(request, data.now)

    satisfaction: dict[str, Satisfaction] = {}
    satisfaction_total = Satisfaction(kind="all")
    for request in data.window:
        at = rating_time(request)
        if request.rating is None or at is None or not start <= at < end:
            continue
        satisfaction.setdefault(request.kind, Satisfaction(kind=request.kind)).add(request.rating)
        satisfaction_total.add(request.rating)
    order = list(catalog.kinds)

    return MonthlyStatistics(
        month=data.month,
        generated_at=data.now,
        by_kind_office=dict(
            sorted(by_kind_office.items(), key=lambda item: (_index(order, item[0][0]), item[0][1]))
        ),
        kinds=kinds,
        total=total,
        coverage=_coverage(catalog, received),
        satisfaction=dict(sorted(satisfaction.items(), key=lambda item: _index(order, item[0]))),
        satisfaction_total=satisfaction_total,
        repeat_complaints=_repeat_flags(data.window, "complaint", REPEAT_THRESHOLDS["complaint"], data.month),
        repeat_repairs=_repeat_flags(
            data.window,
            "repair",
            REPEAT_THRESHOLDS["repair"],
            data.month,
            catalog.kinds["repair"].shared_categories if "repair" in catalog.kinds else frozenset(),
        ),
        failed_follow_ups=_failed_follow_ups(data, start, end),
        overdue=_overdue(data.open_requests, data.now),
        spot_checks=month_figures(received),
    )


def _index(order: list[str], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


# the monthly run ----------------------------------------------------------------------------------------
class MonthlyRun(Struct):
    month: str
    sampled: dict[str, int] = field(default_factory=dict)  # kind → requests newly decided by this run
    chosen: dict[str, int] = field(
        default_factory=dict
    )  # kind → requests chosen (stored), this run or before
    skipped: list[str] = field(default_factory=list)  # references changed by someone else twice: undecided
    mail: str = "not queued"  # "queued" for the sender, or "already queued" by an earlier run


def sample_month(
    store: Store, catalog: Catalog, received: list[ServiceRequest], month: str, secret: bytes
) -> tuple[list[ServiceRequest], MonthlyRun]:
    """Decide the follow-up sample of every sampled kind; requests already decided keep their decision.

    Returns the month's requests as stored afterwards. The sample is recomputed from the same
    population and seed on every run, so a rerun (after a skipped write) completes it consistently.
    """
    run = MonthlyRun(month=month)
    updated = {request.reference: request for request in received}
    for kind_id, kind in catalog.kinds.items():
        if kind.follow_up.coverage != "sampled":
            continue
        population = [r for r in received if r.kind == kind_id and r.status != CANCELLED]
        seed = sampling_seed(secret, catalog.property.id, kind_id, month)
        decisions = decide_sample((r.reference for r in population), seed)
        run.sampled[kind_id] = 0
        for request in population:
            if request.follow_up_selected is not None:
                continue
            stored = _store_decision(store, request, decisions[request.reference])
            if stored is None:
                run.skipped.append(request.reference)
                continue
            updated[request.reference] = stored
            run.sampled[kind_id] += 1
        run.chosen[kind_id] = sum(updated[r.reference].follow_up_selected is True for r in population)
    return [updated[r.reference] for r in received], run


def _store_decision(store: Store, request: ServiceRequest, chosen: bool) -> ServiceRequest | None:
    """Store one decision, version-checked; on a race, re-read once. None when it could not be stored."""
    for _attempt in range(2):
        decided = replace(request, follow_up_selected=chosen)
        try:
            store.save_request(request, decided)
        except StaleRequest:
            fresh = store.get_request(request.reference)
            if fresh is None:
                return None
            if fresh.follow_up_selected is not None:
                return fresh  # another run decided it meanwhile: that decision stands
            request = fresh
            continue
        return replace(decided, version=request.version + 1)
    return None


def gather_month(
    store: Store, catalog: Catalog, month: str, now: datetime, received: list[ServiceRequest]
) -> MonthData:
    """Read what the figures need: three ByMonth queries, the open index of each office, reopened histories."""
    earlier = [
        r
        for offset in range(WINDOW_MONTHS - 1, 0, -1)
        for r in store.received_in_month(shift_month(month, -offset))
    ]
    window = [*earlier, *received]
    histories = {r.reference: store.history(r.reference) for r in window if r.reopen_count > 0}
    open_requests = [r for office in catalog.offices for r in store.open_for_office(office)]
    return MonthData(month=month, now=now, window=window, histories=histories, open_requests=open_requests)


def monthly_mail_for(
    store: Store, catalog: Catalog, settings: Settings, month: str, now: datetime
) -> tuple[Mail, Attachment]:
    """The director's report on ``month`` as of the run at ``now``: what the sender renders."""
    from lobby.channel_counts import sent_in_month
    from views.emails.monthly import monthly_mail

    data = gather_month(store, catalog, month, now, store.received_in_month(month))
    return monthly_mail(catalog, settings, compute_statistics(catalog, data), sent_in_month(store, month))


def run_monthly(store: Store, catalog: Catalog, now: datetime, secret: bytes) -> MonthlyRun:
    """The run on the 1st: decide last month's follow-up sample, then queue the statistics e-mail once."""
    prop = catalog.property
    month = previous_month(now, prop.time_zone)
    _received, run = sample_month(store, catalog, store.received_in_month(month), month, secret)
    message = Message(MONTHLY_MESSAGE, month, MONTHLY_MARKER_ROLE, "director", prop.staff_language, at=now)
    queued = store.queue_message(keys.monthly_pk(prop.id, month), message, now)
    run.mail = "queued" if queued else "already queued"
    return run
