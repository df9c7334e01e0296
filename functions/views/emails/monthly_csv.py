"""The monthly report's CSV attachment: every figure, one per row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lobby.policy import RATING_SCALES
from lobby.stats import MonthlyStatistics, Timeliness

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


def mean_text(value: float | None) -> str:
    """A mean score to two places, or nothing."""
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
        for scale in RATING_SCALES:
            add("satisfaction", f"{scale}_mean", mean_text(satisfaction.mean(scale)), kind=satisfaction.kind)
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
