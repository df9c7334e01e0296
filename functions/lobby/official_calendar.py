"""The official holiday arrangements, read from the ``chinese-calendar`` package when the catalog is built.

The package carries the State Council's arrangement of each year it knows, with the make-up working days
(调休上班). ``python -m lobby.catalog compile`` writes them into the compiled catalog, and a catalog read from
its YAML source gets them the same way, so no function imports the package at run time: a Lambda package
carries only the compiled JSON. The package raises for a year it does not know; so does the catalog's
calendar, in its own way (``Calendar.unknown_years``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any


def official_arrangements() -> list[dict[str, Any]]:
    """Each year the package knows, with its holidays and make-up working days, as the catalog writes them."""
    from chinese_calendar import constants  # build and local runs only (see the module's docstring)

    years: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"holidays": [], "make_up_working_days": []})
    for day in sorted(constants.holidays):
        years[day.year]["holidays"].append(day.isoformat())
    for day in sorted(constants.workdays):
        years[day.year]["make_up_working_days"].append(day.isoformat())
    return [{"year": year, **years[year]} for year in sorted(years)]


def with_official_calendar(document: Any) -> Any:
    """The catalog document with the official arrangements in ``property.calendar.official``.

    Whatever the source says there is replaced: the arrangements come from the package, never by hand
    (an administrator types a year the package does not know yet in ``calendar.years``).
    """
    calendar = document.get("property", {}).get("calendar") if isinstance(document, dict) else None
    if isinstance(calendar, dict):
        calendar["official"] = official_arrangements()
    return document
