"""The daily digest: each working morning, one e-mail per office with what is open, due today and overdue.

While the calendar does not know the holidays of this year (or, from 1 October, of next year), the run
also queues one e-mail a day to the administrator (``views.emails.calendar``), weekends and holidays
included, and the function counts the unknown years in the ``CalendarYearUnknown`` metric (an alarm).

The service office's digest also lists the follow-up visits (回访) due today or already late.

- **Working mornings only**: an office gets nothing on a day its own calendar marks as not worked
  (weekends, holidays, unless it serves on them); make-up working Saturdays (调休) get a digest like any
  working day.
- **Nothing to say, no e-mail**: an office with no open request (and, for the service office, no
  follow-up due) gets none.
- **Once per office per day**: the run queues each office's digest in the outbox with a conditional
  write (its own partition per day, ``keys.digest_pk``), so an overlapping or retried run queues nothing
  twice; the sender (``lobby.sender``) renders it as of the run's moment and delivers it, retrying
  while SES is down.
- **No scan.** Open requests come from the office's sparse ``ByOfficeDeadline`` index. Resolved requests
  are not in it, so the follow-ups come from the sparse ``Agenda`` index: ``agenda_due`` up to the end of
  the next working day returns the requests whose next scheduled action is that close, and those
  resolved with a follow-up owed (coverage "all", or "sampled" and chosen) and due by the end of today
  are listed.
  This relies on the Agenda keeping a resolved request whose follow-up is owed until the follow-up is
  recorded (its entry at or before the follow-up's due time); the list is as complete as the Agenda is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from msgspec import Struct, field

from lobby import keys
from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.outbox import CALENDAR_MESSAGE, EMAIL, Message
from lobby.requests import ServiceRequest
from lobby.settings import Settings
from lobby.storage import Store

CALENDAR_ROLE = "administrator"  # the recipient's role of the calendar's daily warning


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


class OfficeDigest(Struct, frozen=True):
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


# the daily run ------------------------------------------------------------------------------------------
class DigestRun(Struct):
    day: str
    working_day: bool
    queued: list[str] = field(default_factory=list)  # offices whose digest this run queued
    already: list[str] = field(default_factory=list)  # offices an earlier run had queued today
    quiet: list[str] = field(default_factory=list)  # offices with nothing to say
    items_read: int = 0
    # Years the office works in (this one; the next from 1 October) whose public holidays the calendar does
    # not know: their days count by weekday alone until an administrator adds the arrangement.
    unknown_years: list[int] = field(default_factory=list)
    # The administrator's e-mail about them: "queued" once a day, "already queued" by an earlier run that day.
    administrator: str = "not needed"


def follow_ups_of_the_day(store: Store, catalog: Catalog, now: datetime) -> list[ServiceRequest]:
    prop = catalog.property
    day = local_day(now, prop.time_zone)
    return follow_ups_due(
        store,
        catalog,
        until=end_of_day(day, prop.time_zone),
        horizon=end_of_day(next_working_day(day, catalog), prop.time_zone),
    )


def digest_of(
    store: Store, catalog: Catalog, office: str, now: datetime, follow_ups: list[ServiceRequest] | None = None
) -> OfficeDigest:
    """One office's digest as of ``now`` (follow-ups go to the service office only)."""
    prop = catalog.property
    if office != prop.service_office:
        follow_ups = []
    elif follow_ups is None:
        follow_ups = follow_ups_of_the_day(store, catalog, now)
    return office_digest(office, store.open_for_office(office), follow_ups, now, prop.time_zone)


def digest_mail_for(store: Store, catalog: Catalog, settings: Settings, office: str, now: datetime) -> Mail:
    """The digest e-mail of one office for the run at ``now``: what the sender renders."""
    from lobby.channel_counts import sent_on
    from views.emails.digest import digest_mail

    yesterday = local_day(now, catalog.property.time_zone) - timedelta(days=1)
    return digest_mail(catalog, settings, digest_of(store, catalog, office, now), sent_on(store, yesterday))


def run_digest(
    store: Store, catalog: Catalog, now: datetime, robots: Mapping[str, tuple[str, ...]] | None = None
) -> DigestRun:
    """Queue each office's digest for the local day of ``now``, once; nothing on a non-working day.
    An office with group robots (``robots``, ``Settings.office_robots``) gets it in each chat too."""
    from lobby.notifications import digest_messages

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
    if run.unknown_years:  # every day, working or not, until the arrangement is added
        warning = Message(
            CALENDAR_MESSAGE, day.isoformat(), CALENDAR_ROLE, "administrator", prop.staff_language, at=now
        )
        queued = store.queue_message(keys.digest_pk(prop.id, day.isoformat()), warning, now)
        run.administrator = "queued" if queued else "already queued"
    if not run.working_day:
        return run
    start_read = store.items_read
    follow_ups = follow_ups_of_the_day(store, catalog, now)
    for office in working:
        if not digest_of(store, catalog, office, now, follow_ups).has_news:
            run.quiet.append(office)
            continue
        digest_pk = keys.digest_pk(prop.id, day.isoformat())
        for message in digest_messages(catalog, robots or {}, office, now):
            queued = store.queue_message(digest_pk, message, now)
            if message.channel == EMAIL:
                (run.queued if queued else run.already).append(office)
    run.items_read = store.items_read - start_read
    return run
