"""The office calendar: working weekdays, each year's official holiday arrangement, the administrator's additions.

Split from ``lobby.catalog`` (which re-exports every name here) to keep each module small.
"""

from __future__ import annotations

import builtins
import functools
import os
from datetime import date
from typing import Annotated

from msgspec import Meta

from lobby.catalog_base import Weekday, _Model


class YearArrangement(_Model, frozen=True, kw_only=True):
    """One year's public holidays and make-up working days (调休上班), as the State Council publishes them."""

    year: Annotated[int, Meta(ge=2000, le=2200)]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        _not_both(self.holidays, self.make_up_working_days)
        strays = sorted(
            str(day) for day in self.holidays | self.make_up_working_days if day.year != self.year
        )
        if strays:
            raise ValueError(f"dates outside {self.year}: {strays}")


def _not_both(holidays: frozenset[date], make_up: frozenset[date]) -> None:
    both = holidays & make_up
    if both:
        raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")


# The next year's arrangement is wanted from 1 October (the State Council usually publishes it in the
# autumn); a deployment is refused from 1 December while it is unknown, unless told to go on.
NEXT_YEAR_WARNING = (10, 1)
NEXT_YEAR_DEPLOY_REFUSAL = (12, 1)


class Calendar(_Model, frozen=True, kw_only=True, dict=True):
    """Working weekdays, the official holiday arrangement of each known year, and the administrator's additions.

    ``official`` is compiled in from the ``chinese-calendar`` package (never typed by hand, never imported
    by a function at run time). ``years`` holds an arrangement the administrator typed from the State
    Council's notice before the package knew the year; it takes the place of the package's for that year.
    ``holidays`` and ``make_up_working_days`` are single days on top of both: a typhoon day off, say. A
    year known to neither counts weekends only (see ``unknown_years``).
    """

    working_weekdays: Annotated[frozenset[Weekday], Meta(min_length=1)]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()
    years: tuple[YearArrangement, ...] = ()
    official: tuple[YearArrangement, ...] = ()

    def __post_init__(self) -> None:
        _not_both(self.holidays, self.make_up_working_days)
        typed = [arrangement.year for arrangement in self.years]
        twice = sorted({year for year in typed if typed.count(year) > 1})
        if twice:
            raise ValueError(f"years arranged twice: {twice}")

    @functools.cached_property
    def _arrangements(self) -> dict[int, YearArrangement]:
        by_year = {arrangement.year: arrangement for arrangement in self.official}
        by_year.update({arrangement.year: arrangement for arrangement in self.years})
        return by_year

    @builtins.property
    def known_years(self) -> frozenset[int]:
        """The years whose holiday arrangement is known (from the package or typed by the administrator)."""
        return frozenset(self._arrangements)

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_working_days:
            return True
        if day in self.holidays:
            return False
        arrangement = self._arrangements.get(day.year)
        if arrangement is not None:
            if day in arrangement.make_up_working_days:
                return True
            if day in arrangement.holidays:
                return False
        return day.isoweekday() in self.working_weekdays

    def unknown_years(self, today: date) -> list[int]:
        """The years the office is working in, or about to, whose arrangement nobody knows.

        This year always counts; next year counts from 1 October. Days of an unknown year are counted by
        their weekday alone (no holidays, no make-up days), so each year listed here must be reported.
        """
        wanted = [today.year]
        if (today.month, today.day) >= NEXT_YEAR_WARNING:
            wanted.append(today.year + 1)
        return [year for year in wanted if year not in self._arrangements]


def calendar_notice(calendar: Calendar, today: date, *, deploying: bool = False) -> tuple[list[str], bool]:
    """What the catalog check says about years whose holiday arrangement is unknown, and whether to refuse.

    A check warns while this year, or from 1 October next year, is unknown; a deployment is refused while
    this year is unknown, or next year from 1 December (``ALLOW_UNKNOWN_YEAR=1`` goes on anyway, and says so).
    """
    unknown = calendar.unknown_years(today)
    lines = [
        f"warning: the calendar does not know the public holidays of {year}: its days count by weekday alone. "
        f"Upgrade chinese-calendar, or type the State Council's arrangement into property.calendar.years."
        for year in unknown
    ]
    december = (today.month, today.day) >= NEXT_YEAR_DEPLOY_REFUSAL
    refuse = deploying and (today.year in unknown or (december and today.year + 1 in unknown))
    if refuse and os.environ.get("ALLOW_UNKNOWN_YEAR") == "1":
        lines.append("ALLOW_UNKNOWN_YEAR=1: deploying with an unknown year, as told.")
        refuse = False
    elif refuse:
        lines.append(
            "refusing to deploy with an unknown year from 1 December (ALLOW_UNKNOWN_YEAR=1 goes on)."
        )
    return lines, refuse
