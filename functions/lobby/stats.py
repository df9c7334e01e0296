"""The monthly statistics (seeds 002 and 003): figures, the CSV, the director's e-mail, and the monthly run.

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

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lobby.catalog import Catalog
from lobby.mail import Attachment, Mail
from lobby.policy import MONTHLY_LIST_LIMIT, REPEAT_THRESHOLDS, WINDOW_MONTHS
from lobby.requests import Event, ServiceRequest, parse_iso
from lobby.sampling import (
    FIXED_LARGE,
    FIXED_SMALL,
    HIGH_BAND_PERCENT,
    LOW_BAND_PERCENT,
    decide_sample,
    sample_size,
    sampling_seed,
)
from lobby.settings import Settings
from lobby.storage import MARKER_LIFETIME, StaleRequest, Store

HANDLED = frozenset({"resolved", "closed"})
CANCELLED = "cancelled"
SCALES = ("quality", "effect", "attitude")
MONTHLY_MARKER_EVENT = "statistics"
MONTHLY_MARKER_ROLE = "director"
EN_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# months -------------------------------------------------------------------------------------------------
def shift_month(month: str, delta: int) -> str:
    """``"2026-11"`` moved by ``delta`` months."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(now: datetime, time_zone: str) -> str:
    """The local month before the one ``now`` falls in: what a run on the 1st reports on."""
    local = now.astimezone(ZoneInfo(time_zone))
    return shift_month(f"{local.year:04d}-{local.month:02d}", -1)


def month_bounds(month: str, time_zone: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, local midnight, in UTC."""
    zone = ZoneInfo(time_zone)

    def first_instant(label: str) -> datetime:
        year, number = (int(part) for part in label.split("-"))
        return datetime(year, number, 1, tzinfo=zone).astimezone(UTC)

    return first_instant(month), first_instant(shift_month(month, 1))


# figures ------------------------------------------------------------------------------------------------
@dataclass
class Timeliness:
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


@dataclass
class KindFigures:
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


@dataclass(frozen=True)
class Coverage:
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


@dataclass
class Satisfaction:
    kind: str  # a kind id, or "all"
    rated: int = 0
    satisfied: int = 0
    score_totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCALES, 0))
    score_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCALES, 0))

    def add(self, rating: dict[str, Any]) -> None:
        self.rated += 1
        self.satisfied += rating.get("satisfied") is True
        for scale in SCALES:
            if isinstance(rating.get(scale), int):
                self.score_totals[scale] += rating[scale]
                self.score_counts[scale] += 1

    @property
    def satisfied_percent(self) -> float | None:
        return 100 * self.satisfied / self.rated if self.rated else None

    def mean(self, scale: str) -> float | None:
        count = self.score_counts[scale]
        return self.score_totals[scale] / count if count else None


@dataclass(frozen=True)
class RepeatFlag:
    kind: str
    category: str
    location: str
    references: tuple[str, ...]  # oldest first


@dataclass(frozen=True)
class FailedFollowUp:
    reference: str
    kind: str
    office: str
    location: str
    at: datetime


@dataclass(frozen=True)
class OverdueRequest:
    reference: str
    kind: str
    office: str
    location: str
    due: datetime
    late: timedelta


@dataclass(frozen=True)
class MonthData:
    """What the figures are computed from (read by ``gather_month``)."""

    month: str
    now: datetime
    window: list[ServiceRequest]  # received in the month and the WINDOW_MONTHS - 1 before it
    histories: dict[str, list[Event]]  # history of every window request that was ever reopened
    open_requests: list[ServiceRequest]  # every open request of every office at ``now``


@dataclass(frozen=True)
class MonthlyStatistics:
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


def unit_key(request: ServiceRequest) -> tuple[str, str]:
    """The flat, normalised as the ByUnit index keys it: "3 栋" and "3栋" are the same flat."""

    def normal(value: str) -> str:
        return value.replace(" ", "").lower()

    return normal(request.fields.get("building", "")), normal(request.fields.get("unit", ""))


def _repeat_flags(window: list[ServiceRequest], kind: str, threshold: int, month: str) -> list[RepeatFlag]:
    groups: dict[tuple[str, str, str], list[ServiceRequest]] = defaultdict(list)
    for request in window:
        if request.kind != kind or request.status == CANCELLED:
            continue
        building, unit = unit_key(request)
        if not (building or unit):
            continue
        groups[(building, unit, request.fields.get("category", ""))].append(request)
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
        repeat_repairs=_repeat_flags(data.window, "repair", REPEAT_THRESHOLDS["repair"], data.month),
        failed_follow_ups=_failed_follow_ups(data, start, end),
        overdue=_overdue(data.open_requests, data.now),
    )


def _index(order: list[str], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


# the CSV ------------------------------------------------------------------------------------------------
CSV_COLUMNS = ("section", "kind", "office", "reference", "location", "category", "metric", "value")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A spreadsheet-safe cell: text a resident typed (the flat) can never run as a formula."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _mean(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f}"


def csv_rows(stats: MonthlyStatistics, time_zone: str) -> list[dict[str, str]]:
    """The report as tidy rows (one figure per row), in the order the e-mail presents them."""
    rows: list[dict[str, Any]] = []

    def add(section: str, metric: str, value: object, **where: str) -> None:
        rows.append({"section": section, "metric": metric, "value": value, **where})

    for (kind, office), count in stats.by_kind_office.items():
        add("count", "received", count, kind=kind, office=office)
    add("count", "received", stats.total.received, kind="all")
    for figures in [*stats.kinds.values(), stats.total]:
        for metric in ("handled", "still_open", "cancelled", "reopened"):
            add("outcome", metric, getattr(figures, metric), kind=figures.kind)
    for figures in [*stats.kinds.values(), stats.total]:
        for name in ("acknowledge", "resolve"):
            timeliness: Timeliness = getattr(figures, name)
            add("on_time", f"{name}_measured", timeliness.measured, kind=figures.kind)
            add("on_time", f"{name}_on_time", timeliness.on_time, kind=figures.kind)
            add("on_time", f"{name}_percent", _percent(timeliness.percent), kind=figures.kind)
    for coverage in stats.coverage:
        add("follow_up_coverage", "rule", coverage.rule, kind=coverage.kind)
        add("follow_up_coverage", "work_orders", coverage.work_orders, kind=coverage.kind)
        add("follow_up_coverage", "required", coverage.required, kind=coverage.kind)
        add("follow_up_coverage", "selected", coverage.selected, kind=coverage.kind)
        add("follow_up_coverage", "done", coverage.done, kind=coverage.kind)
        add("follow_up_coverage", "percent", _percent(coverage.percent), kind=coverage.kind)
        add("follow_up_coverage", "met", "yes" if coverage.met else "no", kind=coverage.kind)
    for satisfaction in [*stats.satisfaction.values(), stats.satisfaction_total]:
        add("satisfaction", "rated", satisfaction.rated, kind=satisfaction.kind)
        add("satisfaction", "satisfied", satisfaction.satisfied, kind=satisfaction.kind)
        add(
            "satisfaction",
            "satisfied_percent",
            _percent(satisfaction.satisfied_percent),
            kind=satisfaction.kind,
        )
        for scale in SCALES:
            add("satisfaction", f"{scale}_mean", _mean(satisfaction.mean(scale)), kind=satisfaction.kind)
    for section, flags in (
        ("repeat_complaint", stats.repeat_complaints),
        ("repeat_repair", stats.repeat_repairs),
    ):
        for flag in flags:
            add(
                section,
                "occurrences",
                len(flag.references),
                kind=flag.kind,
                reference=" ".join(flag.references),
                location=flag.location,
                category=flag.category,
            )
    zone = ZoneInfo(time_zone)
    for failed in stats.failed_follow_ups:
        add(
            "failed_follow_up",
            "recorded_at",
            failed.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            kind=failed.kind,
            office=failed.office,
            reference=failed.reference,
            location=failed.location,
        )
    for overdue in stats.overdue:
        add(
            "overdue",
            "hours_late",
            _hours(overdue.late),
            kind=overdue.kind,
            office=overdue.office,
            reference=overdue.reference,
            location=overdue.location,
        )
    return [{column: _cell(row.get(column)) for column in CSV_COLUMNS} for row in rows]


def statistics_csv(stats: MonthlyStatistics, time_zone: str) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs show the Chinese flat names correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(stats, time_zone))
    return buffer.getvalue().encode("utf-8-sig")


# the e-mail ---------------------------------------------------------------------------------------------
_L: dict[str, dict[str, str]] = {
    "subject": {
        "zh": "{month}服务统计：收到 {received} 项，当前逾期 {overdue} 项，红色警示 {flags} 项",
        "en": "Service statistics for {month}: {received} received, {overdue} overdue now, {flags} red flags",
    },
    "heading": {"zh": "{month}服务统计", "en": "Service statistics, {month}"},
    "intro": {
        "zh": "主任您好：以下是{month}收到的住户请求的统计，数据截至 {now}。每一项数字都在附件 CSV 中（每行一项），可直接用表格软件打开。",
        "en": "Dear Director, here are the figures for the residents' requests received in {month}, as at {now}. "
        "Every figure is also in the attached CSV (one figure per row), ready for a spreadsheet.",
    },
    "headline": {"zh": "要点", "en": "At a glance"},
    "h_received": {"zh": "收到请求", "en": "Requests received"},
    "h_ack": {"zh": "首次联系准时率", "en": "First contact on time"},
    "h_resolve": {"zh": "办结准时率", "en": "Done on time"},
    "h_overdue": {"zh": "当前逾期未办", "en": "Overdue now"},
    "h_satisfied": {"zh": "本月回访满意率", "en": "Satisfied at follow-up this month"},
    "h_flags": {"zh": "红色警示", "en": "Red flags"},
    "items": {"zh": "{n} 项", "en": "{n}"},
    "rate": {"zh": "{percent}（{on_time}/{measured}）", "en": "{percent} ({on_time} of {measured})"},
    "rated": {"zh": "{percent}（{n} 份评价）", "en": "{percent} ({n} ratings)"},
    "no_figure": {"zh": "暂无数据", "en": "no data yet"},
    "t_counts": {"zh": "按类别和部门统计", "en": "Received, by kind and office"},
    "t_outcomes": {"zh": "办理结果与时效", "en": "Outcomes and timeliness"},
    "t_coverage": {"zh": "回访覆盖率", "en": "Follow-up coverage"},
    "t_satisfaction": {
        "zh": "满意度（本月记录的回访）",
        "en": "Satisfaction (follow-ups recorded this month)",
    },
    "t_repeat_complaints": {
        "zh": "红色警示：同一事项投诉两次以上",
        "en": "Red flag: the same matter complained about twice or more",
    },
    "t_repeat_repairs": {
        "zh": "红色警示：同一维修 3 次以上",
        "en": "Red flag: the same repair three times or more",
    },
    "t_failed": {
        "zh": "红色警示：回访不合格（住户不满意）",
        "en": "Red flag: failed follow-ups (resident not satisfied)",
    },
    "t_overdue": {"zh": "当前逾期未办", "en": "Overdue now"},
    "c_kind": {"zh": "类别", "en": "Kind"},
    "c_office": {"zh": "部门", "en": "Office"},
    "c_received": {"zh": "收到", "en": "Received"},
    "c_handled": {"zh": "已办结", "en": "Done"},
    "c_open": {"zh": "未结", "en": "Open"},
    "c_cancelled": {"zh": "已取消", "en": "Cancelled"},
    "c_reopened": {"zh": "返修", "en": "Reworked"},
    "c_ack": {"zh": "首次联系准时", "en": "Contact on time"},
    "c_resolve": {"zh": "办结准时", "en": "Done on time"},
    "c_rule": {"zh": "要求", "en": "Target"},
    "c_required": {"zh": "应回访", "en": "Required"},
    "c_done": {"zh": "已回访", "en": "Done"},
    "c_coverage": {"zh": "覆盖率", "en": "Coverage"},
    "c_met": {"zh": "是否达标", "en": "Met"},
    "c_rated": {"zh": "评价数", "en": "Ratings"},
    "c_satisfied": {"zh": "满意率", "en": "Satisfied"},
    "c_quality": {"zh": "质量", "en": "Quality"},
    "c_effect": {"zh": "效果", "en": "Effect"},
    "c_attitude": {"zh": "态度", "en": "Attitude"},
    "c_location": {"zh": "房号", "en": "Flat"},
    "c_category": {"zh": "事项", "en": "Matter"},
    "c_times": {"zh": "次数", "en": "Times"},
    "c_references": {"zh": "编号", "en": "References"},
    "c_reference": {"zh": "编号", "en": "Reference"},
    "c_when": {"zh": "回访时间", "en": "Recorded"},
    "c_due": {"zh": "期限", "en": "Due"},
    "c_late": {"zh": "已超时", "en": "Late by"},
    "all_kinds": {"zh": "合计", "en": "All kinds"},
    "rule_all": {"zh": "全部回访（100 %）", "en": "every one (100 %)"},
    "rule_sampled": {
        "zh": "抽样：{n} 张派工单中回访 {required} 张",
        "en": "sample: {required} of {n} work orders",
    },
    "met_yes": {"zh": "达标", "en": "yes"},
    "met_no": {"zh": "未达标", "en": "not yet"},
    "none": {"zh": "本月没有。", "en": "None this month."},
    "none_overdue": {"zh": "目前没有逾期未办的请求。", "en": "Nothing is overdue now."},
    "more_in_csv": {"zh": "另有 {n} 项，见附件 CSV。", "en": "{n} more in the attached CSV."},
    "notes_heading": {"zh": "口径说明", "en": "How the figures are counted"},
    "note_on_time": {
        "zh": "准时率只计算已有结果的请求：按期完成为准时；未完成且已过期限为超时；仍在期限内、等待住户回复或在期限前取消的暂不计入。",
        "en": "On-time rates count only requests whose outcome is known: done by the deadline is on time; "
        "not done with the deadline passed is late; those still inside the deadline, waiting for the resident, "
        "or cancelled before it are not counted yet.",
    },
    "note_coverage": {
        "zh": "回访要求按规程：投诉、求助等全部回访；报修和特约服务按当月派工单数抽样：20 张以下回访 {small} 张（不足 {small} 张则全部），"
        "20–50 张 {low} %，51–99 张 {high} %（向上取整），100 张及以上 {large} 张。样本按公平、可复核的方式抽定，抽中的请求会提醒客户服务中心回访。",
        "en": "Targets follow the procedures: complaints, help requests and the like are all followed up; repairs "
        "and paid services are sampled by the month's work orders: under 20, {small} (all of them if fewer); "
        "20–50, {low} %; 51–99, {high} % (rounded up); 100 or more, {large}. The sample is drawn fairly and "
        "reproducibly, and the Service Centre is reminded of each chosen request.",
    },
    "note_flags": {
        "zh": "重复投诉和重复维修按同一房号、同一类别计算，统计本月及前两个月；回访不合格包括之后已返修的请求。",
        "en": "Repeat complaints and repairs count the same flat and the same category over this month and the "
        "two before; failed follow-ups include those since put right.",
    },
    "footer": {
        "zh": "本邮件由 Lobby 于每月 1 日自动发出。附件只含编号、类别、部门、房号和统计数字，不含住户姓名和联系方式。",
        "en": "Sent by Lobby on the 1st of every month. The attachment holds references, kinds, offices, flats "
        "and figures only: no resident's name or contact details.",
    },
}


def _l(key: str, lang: str, **values: Any) -> str:
    return _L[key]["en" if lang == "en" else "zh"].format(**values)


def month_text(month: str, lang: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{EN_MONTH_NAMES[number - 1]} {year}" if lang == "en" else f"{year}年{number}月"


def percent_text(value: float | None, lang: str) -> str:
    return _l("no_figure", lang) if value is None else f"{value:.1f} %"


def duration_text(delta: timedelta, lang: str) -> str:
    """How late, to the hour: "2天3小时" / "2 d 3 h"; under an hour in minutes."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if lang == "en":
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else ""]
        return " ".join(p for p in parts if p) or f"{minutes} min"
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else ""]
    return "".join(parts) or f"{minutes}分钟"


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    empty: str = ""
    note: str = ""


def _rate_text(timeliness: Timeliness, lang: str) -> str:
    if not timeliness.measured:
        return _l("no_figure", lang)
    return _l(
        "rate",
        lang,
        percent=percent_text(timeliness.percent, lang),
        on_time=timeliness.on_time,
        measured=timeliness.measured,
    )


def _category_name(catalog: Catalog, kind: str, category: str, lang: str) -> str:
    try:
        choice = catalog.choices(catalog.kinds[kind].field("category")).get(category)
    except KeyError:
        return category
    return choice(lang) if choice else category


def _kind_name(catalog: Catalog, kind: str, lang: str) -> str:
    if kind == "all":
        return _l("all_kinds", lang)
    return catalog.kinds[kind].name(lang) if kind in catalog.kinds else kind


def _office_name(catalog: Catalog, office: str, lang: str) -> str:
    return catalog.offices[office].name(lang) if office in catalog.offices else office


def _limited(rows: list[list[str]], lang: str) -> tuple[list[list[str]], str]:
    if len(rows) <= MONTHLY_LIST_LIMIT:
        return rows, ""
    return rows[:MONTHLY_LIST_LIMIT], _l("more_in_csv", lang, n=len(rows) - MONTHLY_LIST_LIMIT)


def report_tables(catalog: Catalog, stats: MonthlyStatistics, lang: str) -> list[Table]:
    time_zone = catalog.property.time_zone

    def kind(kind_id: str) -> str:
        return _kind_name(catalog, kind_id, lang)

    def office(office_id: str) -> str:
        return _office_name(catalog, office_id, lang)

    def c(key: str) -> str:
        return _l(key, lang)

    tables = [
        Table(
            c("t_counts"),
            [c("c_kind"), c("c_office"), c("c_received")],
            [[kind(k), office(o), str(n)] for (k, o), n in stats.by_kind_office.items()]
            + [[c("all_kinds"), "", str(stats.total.received)]],
        ),
        Table(
            c("t_outcomes"),
            [
                c(key)
                for key in (
                    "c_kind",
                    "c_received",
                    "c_handled",
                    "c_open",
                    "c_cancelled",
                    "c_reopened",
                    "c_ack",
                    "c_resolve",
                )
            ],
            [
                [
                    kind(figures.kind),
                    str(figures.received),
                    str(figures.handled),
                    str(figures.still_open),
                    str(figures.cancelled),
                    str(figures.reopened),
                    _rate_text(figures.acknowledge, lang),
                    _rate_text(figures.resolve, lang),
                ]
                for figures in [*[f for f in stats.kinds.values() if f.received], stats.total]
            ],
            note=c("note_on_time"),
        ),
        Table(
            c("t_coverage"),
            [c(key) for key in ("c_kind", "c_rule", "c_required", "c_done", "c_coverage", "c_met")],
            [
                [
                    kind(coverage.kind),
                    c("rule_all")
                    if coverage.rule == "all"
                    else _l("rule_sampled", lang, n=coverage.work_orders, required=coverage.required),
                    str(coverage.required),
                    str(coverage.done),
                    percent_text(coverage.percent, lang),
                    c("met_yes") if coverage.met else c("met_no"),
                ]
                for coverage in stats.coverage
                if coverage.required  # a kind with nothing to follow up this month has no row to read
            ],
            empty=c("none"),
            note=_l(
                "note_coverage",
                lang,
                small=FIXED_SMALL,
                low=LOW_BAND_PERCENT,
                high=HIGH_BAND_PERCENT,
                large=FIXED_LARGE,
            ),
        ),
        Table(
            c("t_satisfaction"),
            [c(key) for key in ("c_kind", "c_rated", "c_satisfied", "c_quality", "c_effect", "c_attitude")],
            [
                [
                    kind(s.kind),
                    str(s.rated),
                    percent_text(s.satisfied_percent, lang),
                    *[_mean(s.mean(scale)) or "–" for scale in SCALES],
                ]
                for s in [*stats.satisfaction.values(), stats.satisfaction_total]
                if s.rated
            ],
            empty=c("none"),
        ),
    ]
    for key, flags in (
        ("t_repeat_complaints", stats.repeat_complaints),
        ("t_repeat_repairs", stats.repeat_repairs),
    ):
        tables.append(
            Table(
                c(key),
                [c("c_location"), c("c_category"), c("c_times"), c("c_references")],
                [
                    [
                        flag.location,
                        _category_name(catalog, flag.kind, flag.category, lang),
                        str(len(flag.references)),
                        " ".join(flag.references),
                    ]
                    for flag in flags
                ],
                empty=c("none"),
            )
        )
    tables.append(
        Table(
            c("t_failed"),
            [c("c_reference"), c("c_kind"), c("c_office"), c("c_location"), c("c_when")],
            [
                [f.reference, kind(f.kind), office(f.office), f.location, _local(f.at, time_zone, lang)]
                for f in stats.failed_follow_ups
            ],
            empty=c("none"),
        )
    )
    overdue_rows, more = _limited(
        [
            [
                o.reference,
                kind(o.kind),
                office(o.office),
                o.location,
                _local(o.due, time_zone, lang),
                duration_text(o.late, lang),
            ]
            for o in stats.overdue
        ],
        lang,
    )
    tables.append(
        Table(
            c("t_overdue"),
            [c(key) for key in ("c_reference", "c_kind", "c_office", "c_location", "c_due", "c_late")],
            overdue_rows,
            empty=c("none_overdue"),
            note=more,
        )
    )
    return tables


def _local(moment: datetime, time_zone: str, lang: str) -> str:
    from views.wording import format_local

    return format_local(moment, lang, time_zone)


def monthly_mail(catalog: Catalog, settings: Settings, stats: MonthlyStatistics) -> tuple[Mail, Attachment]:
    """The director's e-mail (the director of the service office) and its CSV attachment."""
    from lobby.mailbody import render

    prop = catalog.property
    lang = prop.staff_language
    month = month_text(stats.month, lang)
    director = catalog.offices[prop.service_office].director or prop.service_office
    subject = _l(
        "subject",
        lang,
        month=month,
        received=stats.total.received,
        overdue=len(stats.overdue),
        flags=stats.red_flag_count,
    )
    satisfaction = stats.satisfaction_total
    headline = [
        (_l("h_received", lang), _l("items", lang, n=stats.total.received)),
        (_l("h_ack", lang), _rate_text(stats.total.acknowledge, lang)),
        (_l("h_resolve", lang), _rate_text(stats.total.resolve, lang)),
        (_l("h_overdue", lang), _l("items", lang, n=len(stats.overdue))),
        (
            _l("h_satisfied", lang),
            _l(
                "rated",
                lang,
                percent=percent_text(satisfaction.satisfied_percent, lang),
                n=satisfaction.rated,
            )
            if satisfaction.rated
            else _l("no_figure", lang),
        ),
        (_l("h_flags", lang), _l("items", lang, n=stats.red_flag_count)),
    ]
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": _l("heading", lang, month=month),
        "intro": _l("intro", lang, month=month, now=_local(stats.generated_at, prop.time_zone, lang)),
        "headline_heading": _l("headline", lang),
        "headline": headline,
        "tables": report_tables(catalog, stats, lang),
        "notes_heading": _l("notes_heading", lang),
        "notes": [_l("note_flags", lang)],
        "footer": _l("footer", lang),
    }
    text, html = render("monthly", context)
    mail = Mail(
        role=MONTHLY_MARKER_ROLE, to=settings.office_email(director), subject=subject, text=text, html=html
    )
    attachment = Attachment(
        filename=f"lobby-statistics-{prop.id}-{stats.month}.csv",
        content=statistics_csv(stats, prop.time_zone),
        content_type="text/csv",
    )
    return mail, attachment


# the monthly run ----------------------------------------------------------------------------------------
@dataclass
class MonthlyRun:
    month: str
    sampled: dict[str, int] = field(default_factory=dict)  # kind → requests newly decided by this run
    chosen: dict[str, int] = field(
        default_factory=dict
    )  # kind → requests chosen (stored), this run or before
    skipped: list[str] = field(default_factory=list)  # references changed by someone else twice: undecided
    mail: str = "not sent"  # "sent", or "already sent" by an earlier run


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


Sender = Callable[[Mail, str, Attachment], str]


def monthly_marker(month: str) -> str:
    """The sent-marker's key: mail markers live under a reference; this one can never be a real reference
    (those are ``yyyymmdd-nnnn``)."""
    return f"monthly-{month}"


def run_monthly(
    store: Store,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
    secret: bytes,
    sender: Sender | None = None,
) -> MonthlyRun:
    """The run on the 1st: decide last month's follow-up sample, then e-mail the statistics once."""
    from lobby.mail import send_with_attachment

    send: Sender = sender or send_with_attachment
    month = previous_month(now, catalog.property.time_zone)
    received, run = sample_month(store, catalog, store.received_in_month(month), month, secret)
    marker = monthly_marker(month)
    if not store.claim_mail(
        marker, MONTHLY_MARKER_EVENT, MONTHLY_MARKER_ROLE, now, expires_at=now + MARKER_LIFETIME
    ):
        run.mail = "already sent"
        return run
    try:
        stats = compute_statistics(catalog, gather_month(store, catalog, month, now, received))
        mail, attachment = monthly_mail(catalog, settings, stats)
        send(mail, settings.sender_email, attachment)
    except Exception:
        store.mark_mail(marker, MONTHLY_MARKER_EVENT, MONTHLY_MARKER_ROLE, sent=False)
        raise
    store.mark_mail(marker, MONTHLY_MARKER_EVENT, MONTHLY_MARKER_ROLE, sent=True)
    run.mail = "sent"
    return run
