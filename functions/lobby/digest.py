"""The daily digest: each working morning, one e-mail per office with what is open, due today and overdue.

The service office's digest also lists the follow-up visits (回访) due today or already late.

- **Working mornings only**: an office gets nothing on a day its own calendar marks as not worked
  (weekends, holidays, unless it serves on them); make-up working Saturdays (调休) get a digest like any
  working day.
- **Nothing to say, no e-mail**: an office with no open request (and, for the service office, no
  follow-up due) gets none.
- **Once per office per day**: a sent-marker is claimed with a conditional write before sending, so an
  overlapping or retried run sends nothing twice.
- **No scan.** Open requests come from the office's sparse ``ByOfficeDeadline`` index. Resolved requests
  are not in it, so the follow-ups come from the sparse ``Agenda`` index: ``agenda_due`` up to the end of
  the next working day returns the requests whose next scheduled action is that close, and those
  resolved with a follow-up owed (coverage "all", or "sampled" and chosen) and due by the end of today
  are listed.
  This relies on the Agenda keeping a resolved request whose follow-up is owed until the follow-up is
  recorded (its entry at or before the follow-up's due time); the list is as complete as the Agenda is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.policy import DIGEST_LIST_LIMIT
from lobby.requests import ServiceRequest
from lobby.settings import Settings
from lobby.stats import EN_MONTH_NAMES, Table, duration_text
from lobby.storage import MARKER_LIFETIME, Store
from views.wording import format_local

DIGEST_ROLE = "digest"


def local_day(now: datetime, time_zone: str) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def end_of_day(day: date, time_zone: str) -> datetime:
    """The first instant of the next local day, in UTC."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(time_zone)).astimezone(UTC)


def follow_up_owed(catalog: Catalog, request: ServiceRequest) -> bool:
    """A resolved request whose follow-up visit is owed: the kind covers all, or sampled and this one was chosen."""
    if request.status != "resolved" or request.follow_up_due is None:
        return False
    coverage = catalog.kinds[request.kind].follow_up.coverage if request.kind in catalog.kinds else "none"
    return coverage == "all" or (coverage == "sampled" and request.follow_up_selected is True)


def next_working_day(day: date, catalog: Catalog) -> date:
    """The service office's next working day (its follow-ups are read up to the end of it)."""
    calendar = catalog.office_clock(catalog.property.service_office).calendar
    for offset in range(1, 367):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"the calendar has no working day within a year after {day}")


def follow_ups_due(
    store: Store, catalog: Catalog, until: datetime, horizon: datetime
) -> list[ServiceRequest]:
    """Resolved requests whose follow-up is owed and due before ``until``, earliest first (the Agenda index).

    The Agenda is read up to ``horizon`` (the end of the next working day), not just ``until``: a run of the
    reminders at the same minute may already have moved an entry on to the next office opening.
    """
    due = []
    for item in store.agenda_due(horizon):
        request = Store.request_from_item(item)
        if follow_up_owed(catalog, request) and request.follow_up_due and request.follow_up_due < until:
            due.append(request)
    return sorted(due, key=lambda r: (r.follow_up_due, r.reference))


@dataclass(frozen=True)
class OfficeDigest:
    office: str
    day: date
    now: datetime
    overdue: list[ServiceRequest]
    due_today: list[ServiceRequest]
    other_open: list[ServiceRequest]
    follow_ups: list[ServiceRequest] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.other_open)

    @property
    def has_news(self) -> bool:
        return bool(self.open_count or self.follow_ups)


def office_digest(
    office: str,
    open_requests: list[ServiceRequest],
    follow_ups: list[ServiceRequest],
    now: datetime,
    time_zone: str,
) -> OfficeDigest:
    """Sort an office's open requests into overdue, due today (by local midnight) and the rest."""
    day = local_day(now, time_zone)
    tonight = end_of_day(day, time_zone)
    overdue, due_today, other = [], [], []
    for request in open_requests:
        due = request.current_due
        if due is not None and due < now:
            overdue.append(request)
        elif due is not None and due < tonight:
            due_today.append(request)
        else:
            other.append(request)

    def by_due(request: ServiceRequest) -> tuple[datetime, str]:
        return (request.current_due or datetime.max.replace(tzinfo=UTC), request.reference)

    return OfficeDigest(
        office=office,
        day=day,
        now=now,
        overdue=sorted(overdue, key=by_due),
        due_today=sorted(due_today, key=by_due),
        other_open=sorted(other, key=by_due),
        follow_ups=list(follow_ups),
    )


# the e-mail ---------------------------------------------------------------------------------------------
_L: dict[str, dict[str, str]] = {
    "subject": {
        "zh": "【{office}】{day}待办：逾期 {overdue} 项，今天到期 {due_today} 项，未结共 {open} 项",
        "en": "{office}, {day}: {overdue} overdue, {due_today} due today, {open} open in all",
    },
    "subject_follow_ups": {"zh": "，回访到期 {n} 项", "en": "; {n} follow-ups due"},
    "heading": {"zh": "{office}：{day}待办", "en": "{office}: today's list, {day}"},
    "intro": {
        "zh": "早上好！以下是截至 {now} 贵部门的未结请求。请先处理逾期项，并在期限前联系住户；如需延期，请主动告知住户新的时间。",
        "en": "Good morning. These are your office's open requests as at {now}. Please start with the overdue "
        "ones and contact each resident before the deadline; if more time is needed, tell the resident the new time.",
    },
    "t_overdue": {"zh": "已逾期（{n} 项）", "en": "Overdue ({n})"},
    "t_due_today": {"zh": "今天到期（{n} 项）", "en": "Due today ({n})"},
    "t_other": {"zh": "其他未结请求（{n} 项）", "en": "Other open requests ({n})"},
    "t_follow_ups": {"zh": "回访到期（{n} 项）", "en": "Follow-ups due ({n})"},
    "follow_up_hint": {
        "zh": "请以电话、上门或网上方式回访住户，记录质量、效果、态度评分和满意度；住户不满意时请求会重新打开并在 24 小时内返修。",
        "en": "Call, visit or write to each resident and record their ratings of quality, effect and attitude and "
        "whether they are satisfied; a resident who is not satisfied reopens the request for rework within 24 hours.",
    },
    "more": {"zh": "另有 {n} 项未列出。", "en": "{n} more not listed."},
    "c_reference": {"zh": "编号", "en": "Reference"},
    "c_kind": {"zh": "类别", "en": "Kind"},
    "c_location": {"zh": "房号", "en": "Flat"},
    "c_status": {"zh": "状态", "en": "Status"},
    "c_due": {"zh": "期限", "en": "Due"},
    "c_late": {"zh": "已超时", "en": "Late by"},
    "c_office": {"zh": "办理部门", "en": "Handled by"},
    "c_resolved": {"zh": "办结时间", "en": "Done"},
    "c_follow_up_due": {"zh": "回访期限", "en": "Follow up by"},
    "no_deadline": {"zh": "无固定期限（跟进至完成）", "en": "no fixed deadline (follow it through)"},
    "paused": {"zh": "计时暂停（等待住户回复）", "en": "clock paused (waiting for the resident)"},
    "not_late": {"zh": "今天到期", "en": "due today"},
    "footer": {
        "zh": "本邮件由 Lobby 在每个工作日早上自动发出；没有待办事项的部门不会收到。住户个人信息仅用于处理请求，请勿转发给无关人员。",
        "en": "Sent by Lobby every working morning; an office with nothing open gets none. Residents' personal "
        "data is for handling their requests only; do not forward it.",
    },
}

_STATUS: dict[str, dict[str, str]] = {
    "received": {"zh": "待受理", "en": "awaiting first contact"},
    "acknowledged": {"zh": "已受理", "en": "acknowledged"},
    "in_progress": {"zh": "处理中", "en": "in progress"},
    "waiting": {"zh": "等待住户回复", "en": "waiting for the resident"},
    "reopened": {"zh": "已重开，需返修", "en": "reopened for rework"},
    "resolved": {"zh": "已办结，待回访", "en": "done, follow-up due"},
}


def _l(key: str, lang: str, **values: Any) -> str:
    return _L[key]["en" if lang == "en" else "zh"].format(**values)


def day_text(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {EN_MONTH_NAMES[day.month - 1][:3]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def status_words(status: str, lang: str) -> str:
    words = _STATUS.get(status)
    return words["en" if lang == "en" else "zh"] if words else status


def _due_text(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    if request.status == "waiting":
        return _l("paused", lang)
    if request.current_due is None:
        return _l("no_deadline", lang)
    return format_local(request.current_due, lang, catalog.property.time_zone)


def digest_tables(catalog: Catalog, digest: OfficeDigest, lang: str) -> list[Table]:
    time_zone = catalog.property.time_zone

    def kind(request: ServiceRequest) -> str:
        return catalog.kinds[request.kind].name(lang) if request.kind in catalog.kinds else request.kind

    def row(request: ServiceRequest, late: str | None = None) -> list[str]:
        cells = [
            request.reference,
            kind(request),
            request.location,
            status_words(request.status, lang),
            _due_text(catalog, request, lang),
        ]
        return [*cells, late] if late is not None else cells

    columns = [_l(key, lang) for key in ("c_reference", "c_kind", "c_location", "c_status", "c_due")]
    tables = []
    if digest.overdue:
        tables.append(
            Table(
                _l("t_overdue", lang, n=len(digest.overdue)),
                [*columns, _l("c_late", lang)],
                [
                    row(r, duration_text(digest.now - r.current_due, lang) if r.current_due else "")
                    for r in digest.overdue
                ],
            )
        )
    if digest.due_today:
        tables.append(
            Table(
                _l("t_due_today", lang, n=len(digest.due_today)), columns, [row(r) for r in digest.due_today]
            )
        )
    if digest.other_open:
        shown = digest.other_open[:DIGEST_LIST_LIMIT]
        hidden = len(digest.other_open) - len(shown)
        tables.append(
            Table(
                _l("t_other", lang, n=len(digest.other_open)),
                columns,
                [row(r) for r in shown],
                note=_l("more", lang, n=hidden) if hidden else "",
            )
        )
    if digest.follow_ups:
        tables.append(
            Table(
                _l("t_follow_ups", lang, n=len(digest.follow_ups)),
                [
                    _l(key, lang)
                    for key in (
                        "c_reference",
                        "c_kind",
                        "c_location",
                        "c_office",
                        "c_resolved",
                        "c_follow_up_due",
                        "c_late",
                    )
                ],
                [
                    [
                        r.reference,
                        kind(r),
                        r.location,
                        catalog.offices[r.office].name(lang) if r.office in catalog.offices else r.office,
                        format_local(r.resolved_at, lang, time_zone) if r.resolved_at else "",
                        format_local(r.follow_up_due, lang, time_zone) if r.follow_up_due else "",
                        duration_text(digest.now - r.follow_up_due, lang)
                        if r.follow_up_due and r.follow_up_due < digest.now
                        else _l("not_late", lang),
                    ]
                    for r in digest.follow_ups
                ],
                note=_l("follow_up_hint", lang),
            )
        )
    return tables


def digest_mail(catalog: Catalog, settings: Settings, digest: OfficeDigest) -> Mail:
    from lobby.mailbody import render

    prop = catalog.property
    lang = prop.staff_language
    office_name = catalog.offices[digest.office].name(lang)
    day = day_text(digest.day, lang)
    subject = _l(
        "subject",
        lang,
        office=office_name,
        day=day,
        overdue=len(digest.overdue),
        due_today=len(digest.due_today),
        open=digest.open_count,
    )
    if digest.follow_ups:
        subject += _l("subject_follow_ups", lang, n=len(digest.follow_ups))
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": _l("heading", lang, office=office_name, day=day),
        "intro": _l("intro", lang, now=format_local(digest.now, lang, prop.time_zone)),
        "tables": digest_tables(catalog, digest, lang),
        "footer": _l("footer", lang),
    }
    text, html = render("digest", context)
    return Mail(
        role=DIGEST_ROLE, to=settings.office_email(digest.office), subject=subject, text=text, html=html
    )


# the daily run ------------------------------------------------------------------------------------------
@dataclass
class DigestRun:
    day: str
    working_day: bool
    sent: list[str] = field(default_factory=list)  # offices e-mailed by this run
    already: list[str] = field(default_factory=list)  # offices an earlier run had e-mailed today
    quiet: list[str] = field(default_factory=list)  # offices with nothing to say
    items_read: int = 0
    # Years the office works in (this one; the next from 1 October) whose public holidays the calendar does
    # not know: their days count by weekday alone until an administrator adds the arrangement.
    unknown_years: list[int] = field(default_factory=list)


def digest_marker(day: date) -> str:
    """The sent-marker's key: mail markers live under a reference; this can never be a real one (``yyyymmdd-nnnn``)."""
    return f"digest-{day.isoformat()}"


def run_digest(
    store: Store,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
    sender: Callable[[Mail, str], str] | None = None,
) -> DigestRun:
    """Send each office its digest for the local day of ``now``, once; nothing on a non-working day."""
    from lobby.mail import send as ses_send

    send = sender or ses_send
    prop = catalog.property
    day = local_day(now, prop.time_zone)
    # Each office gets its digest on its own working days: a seven-day service centre on Sundays too.
    working = [
        office for office in catalog.offices if catalog.office_clock(office).calendar.is_working_day(day)
    ]
    run = DigestRun(
        day=day.isoformat(),
        working_day=bool(working),
        unknown_years=prop.calendar.unknown_years(day),
    )
    if not run.working_day:
        return run
    start_read = store.items_read
    follow_ups = follow_ups_due(
        store,
        catalog,
        until=end_of_day(day, prop.time_zone),
        horizon=end_of_day(next_working_day(day, catalog), prop.time_zone),
    )
    for office in working:
        digest = office_digest(
            office,
            store.open_for_office(office),
            follow_ups if office == prop.service_office else [],
            now,
            prop.time_zone,
        )
        if not digest.has_news:
            run.quiet.append(office)
            continue
        marker = digest_marker(day)
        if not store.claim_mail(marker, office, DIGEST_ROLE, now, expires_at=now + MARKER_LIFETIME):
            run.already.append(office)
            continue
        try:
            send(digest_mail(catalog, settings, digest), settings.sender_email)
        except Exception:
            store.mark_mail(marker, office, DIGEST_ROLE, sent=False)
            raise
        store.mark_mail(marker, office, DIGEST_ROLE, sent=True)
        run.sent.append(office)
    run.items_read = store.items_read - start_read
    return run
