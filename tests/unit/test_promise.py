"""The promise to the resident: contact-by and done-by, in the handling office's own hours.

A promise is consistent: contact-by is never later than done-by, and, unless urgent, both fall within
the handling office's service hours. Checked for every kind at every hour of 2026, a year with the
Spring Festival, the National Day week and their make-up working days.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lobby.catalog import SOURCE_YAML, Kind, load_catalog
from lobby.deadlines import in_service_hours, promise

CATALOG = load_catalog(SOURCE_YAML)
SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2026, 1, 1, tzinfo=SHANGHAI)
HOURS_IN_2026 = 365 * 24


def _choices(kind: Kind) -> list[dict[str, str]]:
    """One set of field values per resolve rule the kind can have (a repair's sizes, as staff set them),
    each also with the answers that make it urgent (water or power out now)."""
    resolve, by = kind.deadlines.resolve, kind.deadlines.resolve_by
    sets: list[dict[str, str]] = (
        [{by: choice} for choice in resolve] if isinstance(resolve, dict) and by else [{}]
    )
    urgent = {name: min(wanted) for name, wanted in kind.urgent_when.items()}
    return sets + [{**values, **urgent} for values in sets] if urgent else sets


PROMISES = [(kind, values) for kind in CATALOG.kinds.values() for values in _choices(kind)]


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def shown(moment: datetime | None) -> str | None:
    return None if moment is None else f"{moment.astimezone(SHANGHAI):%a %Y-%m-%d %H:%M}"


def assert_consistent(kind: Kind, values: dict[str, str], received: datetime) -> None:
    contact_by, done_by = promise(CATALOG, kind, values, received, sized=True)
    clock = CATALOG.office_clock(kind.office)
    where = f"{kind.id} {values} received {shown(received)}: contact by {shown(contact_by)}, done by {shown(done_by)}"
    if contact_by is not None and done_by is not None:
        assert contact_by <= done_by, where
    for due in (contact_by, done_by):
        if due is None:
            continue
        assert due.tzinfo is UTC and due > received, where
        if not kind.is_urgent(values):
            assert in_service_hours(due, clock), where


def test_the_catalog_gives_offices_different_hours_and_kinds_of_both_urgencies() -> None:
    # Otherwise the property below would check less than it claims.
    clocks = {kind.office: CATALOG.office_clock(kind.office) for kind, _ in PROMISES}
    assert len({(clock.office_hours, clock.calendar.working_weekdays) for clock in clocks.values()}) >= 2
    assert {kind.urgent for kind, _ in PROMISES} == {True, False}
    assert any(not values for _, values in PROMISES) and any(values for _, values in PROMISES)


@given(
    index=st.integers(min_value=0, max_value=len(PROMISES) - 1),
    hour=st.integers(min_value=0, max_value=HOURS_IN_2026 - 1),
    minute=st.integers(min_value=0, max_value=59),
)
def test_a_promise_is_consistent_at_any_minute_of_the_year(index: int, hour: int, minute: int) -> None:
    kind, values = PROMISES[index]
    received = (YEAR_START + timedelta(hours=hour, minutes=minute)).astimezone(UTC)
    assert_consistent(kind, values, received)


@pytest.mark.parametrize(("kind", "values"), PROMISES, ids=[f"{k.id}{v}" for k, v in PROMISES])
def test_a_promise_is_consistent_at_every_hour_of_the_year(kind: Kind, values: dict[str, str]) -> None:
    for hour in range(HOURS_IN_2026):
        assert_consistent(kind, values, (YEAR_START + timedelta(hours=hour)).astimezone(UTC))


@pytest.mark.parametrize(
    ("received", "contact_by", "done_by"),
    [
        # Engineering serves 08:00-18:00 every day, public holidays included.
        (
            "2026-11-25 07:04",
            "Wed 2026-11-25 16:00",
            "Wed 2026-11-25 16:00",
        ),  # was: done 15:04, contact 17:30
        ("2026-11-27 20:00", "Sat 2026-11-28 16:00", "Sat 2026-11-28 16:00"),  # was: Sat 04:00, contact Mon
        (
            "2026-09-30 19:00",
            "Thu 2026-10-01 16:00",
            "Thu 2026-10-01 16:00",
        ),  # was: 10-01 03:00, contact 10-08
        ("2026-11-27 17:00", "Fri 2026-11-27 18:00", "Sat 2026-11-28 15:00"),  # was: due Sat 01:00
        ("2026-11-25 10:00", "Wed 2026-11-25 18:00", "Wed 2026-11-25 18:00"),  # eight hours end at closing
    ],
)
def test_the_minor_repairs_of_the_issue_get_a_promise_engineering_can_keep(
    received: str, contact_by: str, done_by: str
) -> None:
    promised = promise(CATALOG, CATALOG.kinds["repair"], {"size": "minor"}, local(received))
    assert (shown(promised[0]), shown(promised[1])) == (contact_by, done_by)


def test_each_office_counts_in_its_own_hours() -> None:
    engineering, management = CATALOG.office_clock("engineering"), CATALOG.office_clock("management")
    sunday_noon = local("2026-11-29 12:00")
    national_day = local("2026-10-02 10:00")
    make_up_saturday = local("2026-10-10 10:00")
    assert in_service_hours(sunday_noon, engineering) and not in_service_hours(sunday_noon, management)
    assert in_service_hours(national_day, engineering) and not in_service_hours(national_day, management)
    assert in_service_hours(make_up_saturday, management)
    assert management.office_hours.close == time(17, 30) and engineering.office_hours.close == time(18, 0)
    # A suggestion (the management office) filed on Saturday night is acknowledged by Monday's close.
    contact_by, _ = promise(CATALOG, CATALOG.kinds["suggestion"], {}, local("2026-11-28 21:00"))
    assert shown(contact_by) == "Mon 2026-11-30 17:30"


def test_an_urgent_kind_counts_every_hour() -> None:
    help_kind = CATALOG.kinds["help"]
    assert help_kind.urgent
    contact_by, _ = promise(CATALOG, help_kind, {}, local("2026-10-01 03:00"))
    assert shown(contact_by) == "Thu 2026-10-01 04:00"


@pytest.mark.parametrize(
    ("category", "done_by"),
    [
        ("service", "Wed 2026-11-25 17:30"),  # seed 000 §5.4.1: fixed and answered the same day
        ("attitude", "Sat 2026-11-28 10:00"),  # seed 002: within 3 days
        ("equipment", "Sat 2026-11-28 10:00"),
    ],
)
def test_a_service_quality_complaint_is_put_right_the_same_day(category: str, done_by: str) -> None:
    contact_by, due = promise(
        CATALOG, CATALOG.kinds["complaint"], {"category": category}, local("2026-11-25 10:00")
    )
    assert shown(due) == done_by
    assert shown(contact_by) == "Wed 2026-11-25 17:30"


# staff size the repair; water, power, gas or a lift out now is urgent ------------------------------------
def test_a_repair_is_promised_as_minor_whatever_the_resident_estimates() -> None:
    repair = CATALOG.kinds["repair"]
    for estimate in ({"size": "major"}, {"size": "medium"}, {}):
        _, done_by = promise(CATALOG, repair, estimate, local("2026-11-25 09:00"))
        assert shown(done_by) == "Wed 2026-11-25 17:00", estimate  # 8 of engineering's service hours
    _, sized = promise(CATALOG, repair, {"size": "major"}, local("2026-11-25 09:00"), sized=True)
    assert sized is None  # staff sized it major: followed through with no fixed clock


def test_water_out_now_is_urgent_and_counts_every_hour() -> None:
    repair = CATALOG.kinds["repair"]
    out = {"category": "water", "out_now": "out"}
    assert repair.is_urgent(out) and not repair.is_urgent({"category": "water", "out_now": "working"})
    _, done_by = promise(CATALOG, repair, out, local("2026-11-27 20:00"))  # Friday evening
    assert shown(done_by) == "Sat 2026-11-28 04:00"  # 8 hours around the clock, not Saturday 16:00
    _, calm = promise(CATALOG, repair, {"category": "water"}, local("2026-11-27 20:00"))
    assert shown(calm) == "Sat 2026-11-28 16:00"
