"""Deadline arithmetic: when a request falls due, and when the office is open.

Plain time-zone-aware date arithmetic over an office's clock: the property's zone
with the handling office's hours and working days (``Catalog.office_clock``). Inputs may
be in any zone; every datetime returned is aware and in UTC. Naive datetimes
are refused: guessing their zone is how deadlines drift by eight hours.

Deadline rules (the catalog's ``Rule``):

- ``Nm`` / ``Nh``: N minutes / hours of the office's service time (the clock
  stops while it is closed); when urgent, N minutes / hours of elapsed time,
  which a DST change neither stretches nor shrinks.
- ``Nd``: the same local wall-clock time N days later in the property's zone;
  unless urgent, moved to the office's next closing time when that falls
  outside its hours.
- ``Nwd``: close of business on the Nth working day after the effective day.
- ``same-day``: close of business on the effective day.
- ``none``: no deadline (``None``).

The *effective day* of a receipt is its local date when that is a working day
and the receipt came before closing time (before opening counts too);
otherwise it is the next working day.

Local wall times that do not exist (the hour skipped when clocks go forward)
are read with the offset in force before the change, so they land later by the
size of the gap: 02:30 on 2026-03-08 in New York becomes 03:30 EDT. Wall times
that happen twice (clocks going back) take the first occurrence, the earlier
instant, so a deadline is never silently granted an extra hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lobby.catalog import Calendar, Catalog, Kind, Property, Rule, parse_rule

# A calendar with no working day for a whole year is a configuration error,
# not a reason to loop forever.
MAX_SEARCH_DAYS = 366

_DURATION_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def deadline_for(
    rule: Rule | str, received_at: datetime, prop: Property, *, urgent: bool = False
) -> datetime | None:
    """When a request received at ``received_at`` is due under ``rule`` (UTC), or None for ``none``.

    ``prop`` is the handling office's clock (``Catalog.office_clock``). What is not urgent falls due
    within its service hours: minutes and hours count only while the office serves, and a day count
    that lands outside them moves to the next closing time. What is urgent counts every hour.
    """
    unit, count = _parts(rule)
    received = _utc(received_at, "received_at")
    if unit == "none":
        return None
    if unit in ("m", "h"):
        if urgent:
            return received + count * _DURATION_UNITS[unit]
        return add_service_time(received, count * _DURATION_UNITS[unit], prop)
    zone = ZoneInfo(prop.time_zone)
    local = received.astimezone(zone)
    if unit == "d":
        due = _wall_time(local.date() + timedelta(days=count), local.time(), zone)
        return due if urgent or in_service_hours(due, prop) else next_office_close(due, prop)
    day = _effective_day(local, prop)
    for _ in range(count):  # "same-day" has count 0: the effective day itself
        day = _next_working_day(day, prop.calendar)
    return _wall_time(day, prop.office_hours.close, zone)


def promise(
    catalog: Catalog,
    kind: Kind,
    values: dict[str, str],
    received_at: datetime,
    *,
    office: str | None = None,
    urgent: bool | None = None,
    sized: bool = False,
) -> tuple[datetime | None, datetime | None]:
    """(contact by, done by) of a request, in the handling office's clock (the kind's office by default).

    The promise is consistent: contact-by is never later than done-by (the resident is contacted by the
    time the work is due done at the latest), and, unless urgent, both fall within the office's hours.
    Until staff size a job (``sized``), done-by follows the size the kind ``starts_as``.
    """
    clock = catalog.office_clock(office or kind.office)
    urgent = kind.is_urgent(values) if urgent is None else urgent
    contact_by = deadline_for(kind.deadlines.acknowledge, received_at, clock, urgent=urgent)
    done_by = deadline_for(kind.resolve_rule(values, sized), received_at, clock, urgent=urgent)
    if contact_by is not None and done_by is not None and done_by < contact_by:
        contact_by = done_by
    return contact_by, done_by


def arrival_due(
    catalog: Catalog, kind: Kind, values: dict[str, str], received_at: datetime, office: str | None = None
) -> datetime | None:
    """When staff must be on site (the kind's arrival limit, 到场时限), or None when it sets none."""
    if kind.deadlines.arrive is None:
        return None
    clock = catalog.office_clock(office or kind.office)
    return deadline_for(kind.deadlines.arrive, received_at, clock, urgent=kind.is_urgent(values))


def is_office_open(moment: datetime, prop: Property) -> bool:
    """Whether the office is open at ``moment``: a working day, and open <= local time < close."""
    local = _utc(moment, "moment").astimezone(ZoneInfo(prop.time_zone))
    hours = prop.office_hours
    return prop.calendar.is_working_day(local.date()) and hours.open <= local.time() < hours.close


def next_office_open(moment: datetime, prop: Property) -> datetime:
    """``moment`` itself (in UTC) when the office is open then, else the next opening time."""
    instant = _utc(moment, "moment")
    if is_office_open(instant, prop):
        return instant
    zone = ZoneInfo(prop.time_zone)
    local = instant.astimezone(zone)
    opens = prop.office_hours.open
    day = local.date()
    if not (prop.calendar.is_working_day(day) and local.time() < opens):
        day = _next_working_day(day, prop.calendar)
    return _wall_time(day, opens, zone)


def in_service_hours(moment: datetime, prop: Property) -> bool:
    """Whether ``moment`` is within the office's hours on one of its working days, closing time included."""
    local = _utc(moment, "moment").astimezone(ZoneInfo(prop.time_zone))
    hours = prop.office_hours
    return prop.calendar.is_working_day(local.date()) and hours.open <= local.time() <= hours.close


def next_office_close(moment: datetime, prop: Property) -> datetime:
    """The first closing time at or after ``moment`` on one of the office's working days (UTC)."""
    zone = ZoneInfo(prop.time_zone)
    local = _utc(moment, "moment").astimezone(zone)
    day = local.date()
    if not (prop.calendar.is_working_day(day) and local.time() <= prop.office_hours.close):
        day = _next_working_day(day, prop.calendar)
    return _wall_time(day, prop.office_hours.close, zone)


def add_service_time(start: datetime, amount: timedelta, prop: Property) -> datetime:
    """``start`` plus ``amount`` of the office's service time: the clock stops while the office is closed.

    Eight hours from 17:00 at an office serving 08:00-18:00 is one hour today and seven tomorrow: 15:00.
    Time that ends exactly at closing is due at closing, not at the next opening.
    """
    moment = next_office_open(start, prop)
    zone = ZoneInfo(prop.time_zone)
    remaining = amount
    for _ in range(MAX_SEARCH_DAYS * 2):
        closes = _wall_time(moment.astimezone(zone).date(), prop.office_hours.close, zone)
        available = closes - moment
        if remaining <= available:
            return moment + remaining
        remaining -= available
        moment = next_office_open(closes, prop)
    raise ValueError(f"{amount} of service time does not fit in {MAX_SEARCH_DAYS * 2} opening days")


def add_duration(rule: Rule | str, start: datetime) -> datetime:
    """``start`` plus an ``Nm``/``Nh``/``Nd`` duration of elapsed time (a day is 24 hours), in UTC.

    Used for reminder repeats and escalation grace periods, which have no
    calendar: ``wd``, ``same-day`` and ``none`` raise ValueError.
    """
    unit, count = _parts(rule)
    if unit not in _DURATION_UNITS:
        raise ValueError(f"{rule!r} is not a duration (use Nm, Nh or Nd)")
    return _utc(start, "start") + count * _DURATION_UNITS[unit]


def elapsed_fraction(start: datetime, due: datetime, now: datetime) -> float:
    """How much of the time from ``start`` to ``due`` has passed at ``now``: 0 before, 1 at due, >1 after.

    A deadline at or before its start is wholly elapsed once it is reached.
    """
    start_utc, due_utc, now_utc = _utc(start, "start"), _utc(due, "due"), _utc(now, "now")
    total = (due_utc - start_utc).total_seconds()
    if total <= 0:
        return 1.0 if now_utc >= due_utc else 0.0
    return max(0.0, (now_utc - start_utc).total_seconds() / total)


def _parts(rule: Rule | str) -> tuple[str, int]:
    return parse_rule(rule).parts


def _utc(moment: datetime, name: str) -> datetime:
    # Converting to UTC first matters: arithmetic and comparison between
    # datetimes sharing one tzinfo use the wall clock, not elapsed time.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)


def _wall_time(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # fold=0: a skipped wall time moves later by the gap, a repeated one takes its first occurrence.
    return datetime.combine(day, clock.replace(fold=0), tzinfo=zone).astimezone(UTC)


def _effective_day(local: datetime, prop: Property) -> date:
    day = local.date()
    if prop.calendar.is_working_day(day) and local.time() < prop.office_hours.close:
        return day
    return _next_working_day(day, prop.calendar)


def _next_working_day(day: date, calendar: Calendar) -> date:
    """The first working day strictly after ``day``."""
    for offset in range(1, MAX_SEARCH_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"the calendar has no working day within {MAX_SEARCH_DAYS} days after {day}")
