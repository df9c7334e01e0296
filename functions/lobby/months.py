"""Report months, labelled ``"2026-11"``: their neighbours and their bounds in the property's time zone."""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


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


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; a day the month lacks becomes its last (31 Jan + 1 → 28 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, number = index // 12, index % 12 + 1
    return day.replace(year=year, month=number, day=min(day.day, monthrange(year, number)[1]))
