"""The monthly statistics, checked on a generated month (November 2026) whose every figure is known by hand.

The month, in words (times UTC; Shanghai is UTC+8; the report runs at 08:00 on 1 December):

- 30 repairs, received at 10:00 local, first contact due 17:30 local, resolution due 8 hours on:
  R0–R19 closed, contact and work on time; R20–R23 closed, both late; R24–R25 resolved, contact late,
  work on time (R24 was reworked after a failed follow-up on 20 Nov); R26 in progress past its deadline;
  R27 in progress inside a 3-day deadline (and passed to the Service Centre); R28 waiting for the
  resident; R29 cancelled after its contact deadline without contact.
  Flats: R0–R2 water at 3栋 1502 (a third repair: red flag); R3–R4 water at 7栋 0801, with a
  September one at "7 栋 0801" (the same flat: red flag); R5 power at 3栋 1502.
  Ratings: R0–R6 satisfied; R24 not satisfied; R8 rated after midnight on 1 December (local).
  The sample chose R0–R8.
- 5 complaints at the Service Centre: C0 closed and rated, C1 resolved late, both about service at
  3栋 1502 (red flag); C2 not yet contacted, past its deadline; C3 cancelled at once; C4 acknowledged.
- 3 paid services, booked after hours on 30 November, all chosen for follow-up.
- Earlier months (not counted, but looked at): three October water repairs at 9栋 0901, an October
  repair rated in November, an October complaint that failed its follow-up in October, and a
  September complaint still open.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from lobby.stats import (
    MonthData,
    compute_statistics,
    month_bounds,
    previous_month,
    shift_month,
)
from views.emails.monthly import monthly_mail
from views.emails.monthly_csv import csv_rows, statistics_csv

CATALOG = load_catalog(SOURCE_YAML)
TZ = CATALOG.property.time_zone
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 on 1 December in Shanghai
H = timedelta(hours=1)
SETTINGS = Settings(
    table_name="t",
    sender_email="desk@example.com",
    office_emails={office: f"{office}@example.com" for office in CATALOG.offices},
)


def rating(quality: int, effect: int, attitude: int, satisfied: bool, at: datetime) -> dict[str, Any]:
    return {
        "quality": quality,
        "effect": effect,
        "attitude": attitude,
        "satisfied": satisfied,
        "comments": "水管不再漏了",
        "at": at.isoformat(),
    }


def make(
    reference: str,
    kind: str,
    status: str,
    received_at: datetime,
    *,
    office: str | None = None,
    building: str = "5栋",
    unit: str = "0101",
    category: str = "electricity",
    **changes: Any,
) -> ServiceRequest:
    offices = {"repair": "engineering", "complaint": "service-centre", "paid-service": "service-centre"}
    fields = {"name": "王小明", "phone": "13800138000", "building": building, "unit": unit}
    if kind in ("repair", "complaint"):
        fields["category"] = category
    request = ServiceRequest(
        reference=reference,
        kind=kind,
        office=office or offices[kind],
        status=status,
        lang="zh",
        fields=fields,
        received_at=received_at,
        acknowledge_due=received_at + 7.5 * H,
        resolve_due=received_at + 8 * H,
        catalog_version="test",
    )
    return replace(request, **changes)


def repairs() -> list[ServiceRequest]:
    made = []
    for i in range(30):
        day = 1 + i % 28
        received = datetime(2026, 11, day, 2, 0, tzinfo=UTC)
        reference = f"202611{day:02d}-{i + 1:04d}"
        on_time = {"acknowledged_at": received + H, "resolved_at": received + 6 * H}
        late = {"acknowledged_at": received + 9 * H, "resolved_at": received + 20 * H}
        if i < 20:
            state: dict[str, Any] = {"status": "closed", **on_time, "closed_at": received + 30 * H}
        elif i < 24:
            state = {"status": "closed", **late, "closed_at": received + 40 * H}
        elif i < 26:
            # first contact 15 minutes late, the work itself 10 minutes early
            state = {
                "status": "resolved",
                "acknowledged_at": received + timedelta(minutes=465),
                "resolved_at": received + timedelta(minutes=470),
            }
        elif i == 26:
            state = {"status": "in_progress", "acknowledged_at": received + H}
        elif i == 27:
            state = {
                "status": "in_progress",
                "acknowledged_at": received + H,
                "resolve_due": received + timedelta(days=3),
                "office": "service-centre",
            }
        elif i == 28:
            state = {"status": "waiting", "acknowledged_at": received + H, "paused_at": received + 2 * H}
        else:
            state = {
                "status": "cancelled",
                "closed_at": received + 10 * H,
                "resolve_due": received + timedelta(days=3),
            }
        where: dict[str, str] = {}
        if i <= 2:
            where = {"building": "3栋", "unit": "1502", "category": "water"}
        elif i <= 4:
            where = {"building": "7栋", "unit": "0801", "category": "water"}
        elif i == 5:
            where = {"building": "3栋", "unit": "1502", "category": "electricity"}
        else:
            where = {"unit": f"{1000 + i}"}
        status = state.pop("status")
        made.append(make(reference, "repair", status, received, **where, **state))
    scores = [(5, 4, 5), (4, 4, 5), (5, 4, 5), (4, 4, 5), (5, 4, 5), (4, 4, 5), (5, 4, 5)]
    for i, (quality, effect, attitude) in enumerate(scores):
        made[i] = replace(
            made[i], rating=rating(quality, effect, attitude, True, made[i].received_at + 48 * H)
        )
    made[24] = replace(
        made[24], reopen_count=1, rating=rating(2, 2, 3, False, datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    )
    made[8] = replace(made[8], rating=rating(1, 1, 1, False, datetime(2026, 11, 30, 16, 30, tzinfo=UTC)))
    for i in range(9):
        made[i] = replace(made[i], follow_up_selected=True)
    for i in range(9, 29):
        made[i] = replace(made[i], follow_up_selected=False)
    return made


def complaints() -> list[ServiceRequest]:
    def day(d: int) -> datetime:
        return datetime(2026, 11, d, 2, 0, tzinfo=UTC)

    return [
        make(
            "20261110-0001",
            "complaint",
            "closed",
            day(10),
            building="3栋",
            unit="1502",
            category="service",
            acknowledged_at=day(10) + H,
            resolve_due=day(13),
            resolved_at=day(11),
            closed_at=day(12),
            rating=rating(4, 4, 4, True, day(12)),
        ),
        make(
            "20261111-0001",
            "complaint",
            "resolved",
            day(11),
            building="3栋",
            unit="1502",
            category="service",
            acknowledged_at=day(11) + H,
            resolve_due=day(14),
            resolved_at=day(15),
        ),
        make(
            "20261130-0001",
            "complaint",
            "received",
            day(30),
            building="3栋",
            unit="1502",
            category="attitude",
            resolve_due=day(30) + timedelta(days=3),
        ),
        make(
            "20261113-0001",
            "complaint",
            "cancelled",
            day(13),
            building="6栋",
            unit="0606",
            category="service",
            closed_at=day(13) + H,
            resolve_due=day(16),
        ),
        make(
            "20261114-0001",
            "complaint",
            "acknowledged",
            day(14),
            building="6栋",
            unit="0606",
            category="service",
            acknowledged_at=day(14) + H,
            resolve_due=NOW + timedelta(days=1),
        ),
    ]


def paid_services() -> list[ServiceRequest]:
    booked = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 18:00 local: after hours
    return [
        make(
            f"20261130-{n:04d}",
            "paid-service",
            "received",
            booked,
            unit=f"20{n}",
            acknowledge_due=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
            resolve_due=None,
            follow_up_selected=True,
        )
        for n in (11, 12, 13)
    ]


def earlier() -> list[ServiceRequest]:
    sep = datetime(2026, 9, 15, 2, 0, tzinfo=UTC)
    oct_ = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    closed: dict[str, Any] = {
        "acknowledged_at": oct_ + H,
        "resolved_at": oct_ + 5 * H,
        "closed_at": oct_ + 50 * H,
    }
    return [
        make(
            "20260915-0001",
            "repair",
            "closed",
            sep,
            building="7 栋",
            unit="0801",
            category="water",
            acknowledged_at=sep + H,
            resolved_at=sep + 5 * H,
            closed_at=sep + 50 * H,
        ),
        *[
            make(
                f"20261012-{n:04d}",
                "repair",
                "closed",
                oct_,
                building="9栋",
                unit="0901",
                category="water",
                **closed,
            )
            for n in (1, 2, 3)
        ],
        make(
            "20261012-0004",
            "repair",
            "closed",
            oct_,
            unit="0444",
            rating=rating(3, 3, 3, True, datetime(2026, 11, 3, 2, 0, tzinfo=UTC)),
            **closed,
        ),
        make(
            "20261012-0005",
            "complaint",
            "closed",
            oct_,
            unit="0555",
            category="attitude",
            reopen_count=1,
            rating=rating(5, 5, 5, True, datetime(2026, 10, 30, 2, 0, tzinfo=UTC)),
            **closed,
        ),
        make(
            "20260915-0002",
            "complaint",
            "received",
            sep,
            unit="0999",
            category="equipment",
            acknowledge_due=datetime(2026, 9, 30, 9, 30, tzinfo=UTC),
        ),
    ]


def failure(at: datetime) -> Event:
    return Event(
        type="reopen", at=at, actor="resident", public=True, data={"satisfied": False, "via": "rate"}
    )


@pytest.fixture(scope="module")
def month() -> MonthData:
    window = [*earlier(), *repairs(), *complaints(), *paid_services()]
    open_requests = [r for r in window if r.is_open]
    histories = {
        "20261125-0025": [
            Event(type="resolve", at=datetime(2026, 11, 19, 2, tzinfo=UTC), actor="李师傅", public=True),
            failure(datetime(2026, 11, 20, 3, 0, tzinfo=UTC)),
        ],
        "20261012-0005": [failure(datetime(2026, 10, 28, 2, 0, tzinfo=UTC))],
    }
    return MonthData(
        month="2026-11", now=NOW, window=window, histories=histories, open_requests=open_requests
    )


@pytest.fixture(scope="module")
def rows(month: MonthData) -> dict[tuple[str, str, str], str]:
    """(section, kind, metric) → value, for the aggregate sections."""
    stats = compute_statistics(CATALOG, month)
    table = csv_rows(stats, TZ)
    return {
        (row["section"], row["kind"], row["metric"]): row["value"] for row in table if not row["reference"]
    }


def test_the_report_covers_the_local_month_before_the_run() -> None:
    assert previous_month(NOW, TZ) == "2026-11"
    assert previous_month(datetime(2026, 11, 30, 16, 0, tzinfo=UTC), TZ) == "2026-11"  # 1 Dec 00:00 local
    assert previous_month(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), TZ) == "2026-10"  # still 30 Nov local
    assert previous_month(datetime(2026, 1, 1, 0, 0, tzinfo=UTC), TZ) == "2025-12"
    assert month_bounds("2026-11", TZ) == (
        datetime(2026, 10, 31, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
    )
    assert shift_month("2026-01", -2) == "2025-11"


def test_counts_by_kind_and_office(month: MonthData) -> None:
    stats = compute_statistics(CATALOG, month)
    assert stats.by_kind_office == {
        ("repair", "engineering"): 29,
        ("repair", "service-centre"): 1,  # passed on to the Service Centre
        ("complaint", "service-centre"): 5,
        ("paid-service", "service-centre"): 3,
    }
    assert stats.total.received == 38
    repair = stats.kinds["repair"]
    assert (repair.received, repair.handled, repair.still_open, repair.cancelled, repair.reopened) == (
        30,
        26,
        3,
        1,
        1,
    )
    total = stats.total
    assert (total.handled, total.still_open, total.cancelled, total.reopened) == (28, 8, 2, 1)
    assert stats.kinds["suggestion"].received == 0


def test_on_time_rates(rows: dict[tuple[str, str, str], str]) -> None:
    # repairs: contact 23 on time of 30 measured; work 22 of 27 (R27 inside its deadline, R28 paused, R29 cancelled)
    assert rows[("on_time", "repair", "acknowledge_on_time")] == "23"
    assert rows[("on_time", "repair", "acknowledge_measured")] == "30"
    assert rows[("on_time", "repair", "acknowledge_percent")] == "76.7"
    assert rows[("on_time", "repair", "resolve_on_time")] == "22"
    assert rows[("on_time", "repair", "resolve_measured")] == "27"
    assert rows[("on_time", "repair", "resolve_percent")] == "81.5"
    # complaints: contact 3 of 4 (C2 late, C3 cancelled before its deadline); work 1 of 2
    assert rows[("on_time", "complaint", "acknowledge_percent")] == "75.0"
    assert rows[("on_time", "complaint", "resolve_percent")] == "50.0"
    assert rows[("on_time", "all", "acknowledge_on_time")] == "26"
    assert rows[("on_time", "all", "acknowledge_measured")] == "34"
    assert rows[("on_time", "all", "acknowledge_percent")] == "76.5"
    assert rows[("on_time", "all", "resolve_percent")] == "79.3"  # 23 of 29
    assert rows[("on_time", "paid-service", "acknowledge_percent")] == ""  # nothing measurable yet


def test_follow_up_coverage_against_the_seed_targets(rows: dict[tuple[str, str, str], str]) -> None:
    # repairs: 29 work orders (the cancelled one is none) → 30 % → 9; nine rated, R8 after midnight included
    assert rows[("follow_up_coverage", "repair", "rule")] == "sampled"
    assert rows[("follow_up_coverage", "repair", "work_orders")] == "29"
    assert rows[("follow_up_coverage", "repair", "required")] == "9"
    assert rows[("follow_up_coverage", "repair", "selected")] == "9"
    assert rows[("follow_up_coverage", "repair", "done")] == "9"
    assert rows[("follow_up_coverage", "repair", "percent")] == "100.0"
    assert rows[("follow_up_coverage", "repair", "met")] == "yes"
    # complaints: every handled one (C0, C1) → 2 required, 1 done
    assert rows[("follow_up_coverage", "complaint", "rule")] == "all"
    assert rows[("follow_up_coverage", "complaint", "required")] == "2"
    assert rows[("follow_up_coverage", "complaint", "done")] == "1"
    assert rows[("follow_up_coverage", "complaint", "percent")] == "50.0"
    assert rows[("follow_up_coverage", "complaint", "met")] == "no"
    # paid services: 3 work orders, fewer than 5 → all 3
    assert rows[("follow_up_coverage", "paid-service", "required")] == "3"
    assert rows[("follow_up_coverage", "paid-service", "done")] == "0"
    assert rows[("follow_up_coverage", "paid-service", "percent")] == "0.0"
    assert ("follow_up_coverage", "suggestion", "rule") not in rows  # not followed up at all


def test_satisfaction_counts_the_ratings_recorded_in_the_month(rows: dict[tuple[str, str, str], str]) -> None:
    # repairs: R0–R6, R24 and the October repair rated on 3 November; not R8 (1 December local)
    assert rows[("satisfaction", "repair", "rated")] == "9"
    assert rows[("satisfaction", "repair", "satisfied")] == "8"
    assert rows[("satisfaction", "repair", "satisfied_percent")] == "88.9"
    assert rows[("satisfaction", "repair", "quality_mean")] == "4.11"  # 37 / 9
    assert rows[("satisfaction", "repair", "effect_mean")] == "3.67"  # 33 / 9
    assert rows[("satisfaction", "repair", "attitude_mean")] == "4.56"  # 41 / 9
    assert rows[("satisfaction", "complaint", "rated")] == "1"
    assert rows[("satisfaction", "all", "rated")] == "10"
    assert rows[("satisfaction", "all", "satisfied_percent")] == "90.0"
    assert rows[("satisfaction", "all", "quality_mean")] == "4.10"
    assert rows[("satisfaction", "all", "effect_mean")] == "3.70"
    assert rows[("satisfaction", "all", "attitude_mean")] == "4.50"


def test_red_flags(month: MonthData) -> None:
    stats = compute_statistics(CATALOG, month)
    assert [(f.location, f.category, f.references) for f in stats.repeat_repairs] == [
        ("7栋 0801", "water", ("20260915-0001", "20261104-0004", "20261105-0005")),
        ("3栋 1502", "water", ("20261101-0001", "20261102-0002", "20261103-0003")),
    ]  # not 9栋 0901: its three repairs were all in October
    assert [(f.location, f.category, f.references) for f in stats.repeat_complaints] == [
        ("3栋 1502", "service", ("20261110-0001", "20261111-0001")),
    ]  # not 6栋 0606: one of its two complaints was cancelled
    assert [(f.reference, f.kind, f.office, f.location) for f in stats.failed_follow_ups] == [
        ("20261125-0025", "repair", "engineering", "5栋 1024"),
    ]  # the October complaint failed in October
    assert stats.red_flag_count == 4


def test_overdue_list_is_every_open_request_past_its_deadline_latest_first(month: MonthData) -> None:
    stats = compute_statistics(CATALOG, month)
    table = csv_rows(stats, TZ)
    overdue = [
        (r["reference"], r["kind"], r["office"], r["value"]) for r in table if r["section"] == "overdue"
    ]
    assert overdue == [
        ("20260915-0002", "complaint", "service-centre", "1478.5"),  # 30 Sep 17:30 local, still not contacted
        ("20261127-0027", "repair", "engineering", "86.0"),
        ("20261130-0001", "complaint", "service-centre", "14.5"),
    ]


def test_the_csv_carries_no_personal_data_and_opens_in_a_spreadsheet(month: MonthData) -> None:
    data = statistics_csv(compute_statistics(CATALOG, month), TZ)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for spreadsheet programs
    text = data.decode("utf-8-sig")
    assert "王小明" not in text
    assert "13800138000" not in text
    assert "水管不再漏了" not in text  # comments are free text: never exported
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == [
        "section",
        "kind",
        "office",
        "reference",
        "location",
        "category",
        "metric",
        "value",
    ]
    flags = [row for row in parsed if row["section"] == "repeat_repair"]
    assert flags[1]["reference"] == "20261101-0001 20261102-0002 20261103-0003"
    assert flags[1]["value"] == "3"
    failed = [row for row in parsed if row["section"] == "failed_follow_up"]
    assert failed == [
        {
            "section": "failed_follow_up",
            "kind": "repair",
            "office": "engineering",
            "reference": "20261125-0025",
            "location": "5栋 1024",
            "category": "",
            "metric": "recorded_at",
            "value": "2026-11-20 11:00",
        }
    ]


def test_text_a_resident_typed_cannot_become_a_formula_or_markup() -> None:
    received = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    sneaky = [
        make(
            f"20261103-000{n}",
            "repair",
            "in_progress",
            received,
            building="=HYPERLINK(1)",
            unit="<b>9</b>",
            category="water",
        )
        for n in (1, 2, 3)
    ]
    data = MonthData(month="2026-11", now=NOW, window=sneaky, histories={}, open_requests=sneaky)
    stats = compute_statistics(CATALOG, data)
    flag = next(row for row in csv_rows(stats, TZ) if row["section"] == "repeat_repair")
    assert flag["location"] == "'=HYPERLINK(1) <b>9</b>"
    mail, _ = monthly_mail(CATALOG, SETTINGS, stats)
    assert "<b>9</b>" not in mail.html
    assert "&lt;b&gt;9&lt;/b&gt;" in mail.html


def test_the_email_goes_to_the_service_office_director_in_the_staff_language(month: MonthData) -> None:
    stats = compute_statistics(CATALOG, month)
    mail, attachment = monthly_mail(CATALOG, SETTINGS, stats)
    assert mail.to == "management@example.com"  # the director of the Service Centre
    assert mail.subject == "2026年11月服务统计：收到 38 项，当前逾期 3 项，红色警示 4 项"
    for expected in (
        "首次联系准时率: 76.5 %（26/34）",
        "办结准时率: 79.3 %（23/29）",
        "本月回访满意率: 90.0 %（10 份评价）",
        "抽样：29 张派工单中回访 9 张",
        "20260915-0001 20261104-0004 20261105-0005",
        "20261125-0025",
        "61天14小时",  # how late the September complaint is
    ):
        assert expected in mail.text, expected
    assert "王小明" not in mail.text and "13800138000" not in mail.html
    assert "20261127-0027" in mail.html
    assert attachment.filename == "lobby-statistics-harbour-view-2026-11.csv"
    assert attachment.content_type == "text/csv"


def test_an_empty_month_still_reports_and_says_so() -> None:
    data = MonthData(month="2026-11", now=NOW, window=[], histories={}, open_requests=[])
    stats = compute_statistics(CATALOG, data)
    mail, _ = monthly_mail(CATALOG, SETTINGS, stats)
    assert stats.total.received == 0
    assert "目前没有逾期未办的诉求。" in mail.text
    assert "本月没有。" in mail.text


def test_the_same_lift_repaired_three_times_for_three_residents_is_flagged() -> None:
    november = [
        make(
            f"2026110{n}-0001",
            "repair",
            "closed",
            datetime(2026, 11, n, 2, tzinfo=UTC),
            building="3栋",
            unit=unit,
            category="lift",
        )
        for n, unit in ((2, "0101"), (4, "0702"), (6, "1503"))
    ]
    taps = [
        make(
            f"2026111{n}-0001",
            "repair",
            "closed",
            datetime(2026, 11, 10 + n, 2, tzinfo=UTC),
            building="3栋",
            unit=unit,
            category="water",
        )
        for n, unit in ((1, "0101"), (2, "0702"), (3, "1503"))
    ]
    data = MonthData(
        month="2026-11",
        now=datetime(2026, 12, 1, tzinfo=UTC),
        window=november + taps,
        histories={},
        open_requests=[],
    )
    flags = compute_statistics(CATALOG, data).repeat_repairs
    # A lift is a shared place: counted by building, whoever reported it; three flats' taps are three matters.
    assert [(flag.category, flag.references) for flag in flags] == [
        ("lift", ("20261102-0001", "20261104-0001", "20261106-0001"))
    ]
