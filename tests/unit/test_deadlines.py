"""Deadline arithmetic at the edges: office hours, weekends, holidays, make-up days, zones and DST.

Table rows read as sentences: rule, received at (local wall time), due at (local wall time).
Every local time carries its weekday so a mistyped date fails loudly instead of testing nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, Calendar, Property, Rule, load_catalog
from lobby.deadlines import (
    add_duration,
    deadline_for,
    elapsed_fraction,
    is_office_open,
    next_office_open,
)

SHANGHAI = "Asia/Shanghai"
NEW_YORK_ZONE = "America/New_York"
MON_TO_FRI = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))

CATALOG = load_catalog(SOURCE_YAML)
# The real property: Asia/Shanghai, 08:30-17:30, Monday-Friday, the State Council holidays (chinese-calendar).
HARBOUR = CATALOG.property
# The same office in a DST zone, with a plain Monday-Friday calendar.
NEW_YORK = replace(HARBOUR, time_zone=NEW_YORK_ZONE, calendar=Calendar(working_weekdays=MON_TO_FRI))
# A front desk that works weekends too, but still closes for the public holidays.
EVERY_DAY_DESK = replace(
    HARBOUR, calendar=Calendar(working_weekdays=EVERY_DAY, official=HARBOUR.calendar.official)
)


def at(text: str, zone: str = SHANGHAI) -> datetime:
    """``"Mon 2026-03-02 10:00"`` as an aware datetime in ``zone`` (first occurrence if ambiguous)."""
    weekday, wall = text.split(" ", 1)
    moment = datetime.strptime(wall, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))
    assert f"{moment:%a}" == weekday, f"{wall} is a {moment:%a}, not a {weekday}"
    return moment


def shown(moment: datetime | None, zone: str = SHANGHAI) -> str | None:
    """A result as local wall time; also checks every result is handed back in UTC."""
    if moment is None:
        return None
    assert moment.tzinfo is UTC
    return f"{moment.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M}"


def test_the_real_calendar_holds_the_dates_these_tests_rely_on() -> None:
    calendar = HARBOUR.calendar
    assert HARBOUR.time_zone == SHANGHAI
    assert (HARBOUR.office_hours.open, HARBOUR.office_hours.close) == (time(8, 30), time(17, 30))
    spring_festival = {date(2026, 2, 15) + timedelta(days=i) for i in range(9)}
    national_day = {date(2026, 10, 1) + timedelta(days=i) for i in range(7)}
    assert not any(calendar.is_working_day(day) for day in spring_festival | national_day)
    assert all(
        calendar.is_working_day(day) for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10))
    )


WORKING_DAY_RULES = [
    # rule, received (Shanghai), due (Shanghai)
    ("2wd", "Mon 2026-03-02 10:00", "Wed 2026-03-04 17:30"),  # during hours: counts from today
    (
        "2wd",
        "Mon 2026-03-02 00:00",
        "Wed 2026-03-04 17:30",
    ),  # just after midnight: before opening counts today
    ("2wd", "Mon 2026-03-02 07:00", "Wed 2026-03-04 17:30"),  # before opening
    ("2wd", "Mon 2026-03-02 08:30", "Wed 2026-03-04 17:30"),  # exactly at opening
    ("2wd", "Mon 2026-03-02 17:29", "Wed 2026-03-04 17:30"),  # a minute before close
    ("2wd", "Mon 2026-03-02 17:30", "Thu 2026-03-05 17:30"),  # exactly at close: counts from tomorrow
    ("2wd", "Mon 2026-03-02 18:00", "Thu 2026-03-05 17:30"),  # after close
    ("2wd", "Mon 2026-03-02 23:59", "Thu 2026-03-05 17:30"),  # late at night
    ("2wd", "Fri 2026-03-06 16:00", "Tue 2026-03-10 17:30"),  # Friday afternoon: skips the weekend
    ("2wd", "Fri 2026-03-06 19:00", "Wed 2026-03-11 17:30"),  # Friday evening: counts from Monday
    ("2wd", "Sat 2026-03-07 10:00", "Wed 2026-03-11 17:30"),  # Saturday
    ("2wd", "Sun 2026-03-08 23:00", "Wed 2026-03-11 17:30"),  # Sunday night
    ("1wd", "Mon 2026-03-02 10:00", "Tue 2026-03-03 17:30"),
    ("5wd", "Mon 2026-03-02 10:00", "Mon 2026-03-09 17:30"),
    ("10wd", "Mon 2026-03-02 10:00", "Mon 2026-03-16 17:30"),
    ("same-day", "Mon 2026-03-02 10:00", "Mon 2026-03-02 17:30"),  # during hours: today
    ("same-day", "Mon 2026-03-02 06:00", "Mon 2026-03-02 17:30"),  # before opening: today
    ("same-day", "Mon 2026-03-02 08:30", "Mon 2026-03-02 17:30"),  # exactly at opening: today
    ("same-day", "Mon 2026-03-02 17:30", "Tue 2026-03-03 17:30"),  # exactly at close: tomorrow
    ("same-day", "Mon 2026-03-02 21:00", "Tue 2026-03-03 17:30"),  # after close: tomorrow
    ("same-day", "Fri 2026-03-06 19:00", "Mon 2026-03-09 17:30"),  # Friday evening: Monday
    ("same-day", "Sat 2026-03-07 10:00", "Mon 2026-03-09 17:30"),  # Saturday: Monday
    ("same-day", "Sun 2026-03-08 10:00", "Mon 2026-03-09 17:30"),  # Sunday: Monday
]

HOLIDAYS_AND_MAKE_UP_DAYS = [
    # Spring Festival 2026: Sat 02-14 worked, Sun 02-15 .. Mon 02-23 off, Sat 02-28 worked.
    ("same-day", "Fri 2026-02-13 18:00", "Sat 2026-02-14 17:30"),  # Friday evening: the make-up Saturday
    ("same-day", "Sat 2026-02-14 10:00", "Sat 2026-02-14 17:30"),  # a make-up Saturday is a working day
    ("same-day", "Sat 2026-02-14 17:30", "Tue 2026-02-24 17:30"),  # its close: past the whole holiday
    ("same-day", "Wed 2026-02-18 10:00", "Tue 2026-02-24 17:30"),  # mid-holiday
    ("same-day", "Mon 2026-02-23 10:00", "Tue 2026-02-24 17:30"),  # the holiday Monday
    ("2wd", "Fri 2026-02-13 10:00", "Tue 2026-02-24 17:30"),  # Sat 02-14 is the first working day
    ("2wd", "Mon 2026-02-23 09:00", "Thu 2026-02-26 17:30"),  # counts from Tue 02-24
    ("1wd", "Fri 2026-02-27 10:00", "Sat 2026-02-28 17:30"),  # due on the make-up Saturday
    ("2wd", "Fri 2026-02-27 10:00", "Mon 2026-03-02 17:30"),
    ("3d", "Fri 2026-02-13 10:00", "Tue 2026-02-24 17:30"),  # three days land in the holiday: its next close
    ("8h", "Fri 2026-02-13 10:00", "Sat 2026-02-14 09:00"),  # eight service hours: 7.5 today, 0.5 on Saturday
    ("8h", "Mon 2026-02-23 10:00", "Tue 2026-02-24 16:30"),  # the holiday Monday: from Tuesday's opening
    # National Day 2026: Thu 10-01 .. Wed 10-07 off, Sat 10-10 worked.
    ("same-day", "Wed 2026-09-30 17:45", "Thu 2026-10-08 17:30"),
    ("same-day", "Sun 2026-10-04 12:00", "Thu 2026-10-08 17:30"),
    ("same-day", "Sat 2026-10-10 09:00", "Sat 2026-10-10 17:30"),
    ("2wd", "Wed 2026-09-30 10:00", "Fri 2026-10-09 17:30"),
    ("3wd", "Wed 2026-09-30 10:00", "Sat 2026-10-10 17:30"),  # due on the make-up Saturday
    ("4wd", "Wed 2026-09-30 10:00", "Mon 2026-10-12 17:30"),
]

SERVICE_HOURS_AND_CALENDAR_DAYS = [
    # What is not urgent counts the office's service hours (08:30-17:30, working days) and falls due in them.
    ("30m", "Mon 2026-03-02 17:15", "Tue 2026-03-03 08:45"),  # 15 minutes today, 15 tomorrow
    ("8h", "Mon 2026-03-02 07:04", "Mon 2026-03-02 16:30"),  # before opening: from 08:30
    ("8h", "Mon 2026-03-02 10:00", "Tue 2026-03-03 09:00"),  # 7.5 hours today, half an hour tomorrow
    ("8h", "Fri 2026-03-06 17:00", "Mon 2026-03-09 16:00"),  # the clock stops for the weekend
    ("8h", "Fri 2026-03-06 20:00", "Mon 2026-03-09 16:30"),
    ("9h", "Mon 2026-03-02 08:30", "Mon 2026-03-02 17:30"),  # a full day ends at closing, not tomorrow
    ("1d", "Mon 2026-03-02 12:00", "Tue 2026-03-03 12:00"),  # days keep the wall clock in hours
    ("1d", "Sat 2026-03-07 23:59", "Mon 2026-03-09 17:30"),  # Sunday 23:59 is closed: Monday's close
    ("3d", "Fri 2026-03-06 19:00", "Tue 2026-03-10 17:30"),  # Monday 19:00 is after closing
    ("3d", "Mon 2026-03-02 07:00", "Thu 2026-03-05 17:30"),  # 07:00 is before opening: that day's close
    ("30d", "Sat 2026-01-31 12:00", "Mon 2026-03-02 12:00"),  # across a month end
]

URGENT_ELAPSED_TIME_AND_CALENDAR_DAYS = [
    # What is urgent counts every hour.
    ("30m", "Mon 2026-03-02 17:15", "Mon 2026-03-02 17:45"),  # minutes run past closing time
    ("8h", "Mon 2026-03-02 10:00", "Mon 2026-03-02 18:00"),
    ("8h", "Fri 2026-03-06 20:00", "Sat 2026-03-07 04:00"),  # and through the night
    ("8h", "Mon 2026-02-23 10:00", "Mon 2026-02-23 18:00"),  # and holidays
    ("24h", "Wed 2026-02-18 09:00", "Thu 2026-02-19 09:00"),
    ("1d", "Sat 2026-03-07 23:59", "Sun 2026-03-08 23:59"),
    ("3d", "Fri 2026-03-06 19:00", "Mon 2026-03-09 19:00"),
    ("3d", "Fri 2026-02-13 10:00", "Mon 2026-02-16 10:00"),
    ("30d", "Sat 2026-01-31 12:00", "Mon 2026-03-02 12:00"),
]


@pytest.mark.parametrize(
    ("rule", "received", "due"),
    WORKING_DAY_RULES + HOLIDAYS_AND_MAKE_UP_DAYS + SERVICE_HOURS_AND_CALENDAR_DAYS,
)
def test_a_request_received_then_is_due_at(rule: str, received: str, due: str) -> None:
    assert shown(deadline_for(rule, at(received), HARBOUR)) == due


@pytest.mark.parametrize(("rule", "received", "due"), URGENT_ELAPSED_TIME_AND_CALENDAR_DAYS)
def test_an_urgent_request_received_then_is_due_at(rule: str, received: str, due: str) -> None:
    assert shown(deadline_for(rule, at(received), HARBOUR, urgent=True)) == due


@pytest.mark.parametrize(
    ("rule", "received", "due"),
    [
        ("same-day", "Sat 2026-03-07 10:00", "Sat 2026-03-07 17:30"),  # weekends are worked
        ("same-day", "Sat 2026-03-07 18:00", "Sun 2026-03-08 17:30"),
        ("2wd", "Fri 2026-03-06 19:00", "Mon 2026-03-09 17:30"),  # Sat is day 0, then Sun and Mon
        ("same-day", "Wed 2026-09-30 18:00", "Thu 2026-10-08 17:30"),  # holidays still close the desk
        ("2wd", "Sat 2026-10-10 10:00", "Mon 2026-10-12 17:30"),
    ],
)
def test_a_desk_working_every_day_counts_weekends(rule: str, received: str, due: str) -> None:
    assert shown(deadline_for(rule, at(received), EVERY_DAY_DESK)) == due


@pytest.mark.parametrize("rule", ["none", Rule("none")])
def test_none_has_no_deadline(rule: str) -> None:
    assert deadline_for(rule, at("Mon 2026-03-02 10:00"), HARBOUR) is None


@pytest.mark.parametrize("rule", ["30m", "8h", "3d", "2wd", "same-day", "none"])
@pytest.mark.parametrize("zone", ["UTC", SHANGHAI, NEW_YORK_ZONE, "Pacific/Kiritimati"])
def test_the_zone_a_receipt_is_written_in_does_not_change_the_deadline(rule: str, zone: str) -> None:
    received = at("Fri 2026-03-06 17:45")  # after close in Shanghai
    assert deadline_for(rule, received.astimezone(ZoneInfo(zone)), HARBOUR) == deadline_for(
        rule, received, HARBOUR
    )


@pytest.mark.parametrize(
    ("rule", "received_utc", "due"),
    [
        # 23:30 UTC on Sunday is 07:30 on Monday in Shanghai: before opening on a working day.
        ("same-day", "Sun 2026-03-01 23:30", "Mon 2026-03-02 17:30"),
        ("2wd", "Sun 2026-03-01 23:30", "Wed 2026-03-04 17:30"),
        ("1d", "Sun 2026-03-01 23:30", "Tue 2026-03-03 17:30"),  # 07:30 is before opening
        # 09:45 UTC on Monday is 17:45 in Shanghai: after close.
        ("same-day", "Mon 2026-03-02 09:45", "Tue 2026-03-03 17:30"),
        # 16:00 UTC on Friday is already Saturday in Shanghai.
        ("same-day", "Fri 2026-03-06 16:00", "Mon 2026-03-09 17:30"),
        # 22:00 UTC on Friday 02-13 is 06:00 on the make-up Saturday.
        ("same-day", "Fri 2026-02-13 22:00", "Sat 2026-02-14 17:30"),
    ],
)
def test_the_local_date_not_the_utc_date_decides(rule: str, received_utc: str, due: str) -> None:
    assert shown(deadline_for(rule, at(received_utc, "UTC"), HARBOUR)) == due


@pytest.mark.parametrize(
    ("rule", "received", "due"),
    [
        # Clocks go forward on Sun 2026-03-08 at 02:00 (EST -5 → EDT -4).
        ("8h", "Sat 2026-03-07 22:00", "Sun 2026-03-08 07:00"),  # hours are elapsed time
        ("24h", "Sat 2026-03-07 12:00", "Sun 2026-03-08 13:00"),
        ("1d", "Sat 2026-03-07 12:00", "Sun 2026-03-08 12:00"),  # days keep the wall clock
        ("1d", "Sat 2026-03-07 02:30", "Sun 2026-03-08 03:30"),  # 02:30 does not exist: later by the gap
        ("2wd", "Fri 2026-03-06 10:00", "Tue 2026-03-10 17:30"),  # close is local, EDT after the change
        ("same-day", "Sun 2026-03-08 03:00", "Mon 2026-03-09 17:30"),
        # Clocks go back on Sun 2026-11-01 at 02:00 (EDT -4 → EST -5).
        ("8h", "Sat 2026-10-31 22:00", "Sun 2026-11-01 05:00"),
        ("24h", "Sat 2026-10-31 12:00", "Sun 2026-11-01 11:00"),
        ("1d", "Sat 2026-10-31 12:00", "Sun 2026-11-01 12:00"),
        ("2wd", "Fri 2026-10-30 10:00", "Tue 2026-11-03 17:30"),
    ],
)
def test_across_a_dst_change_hours_are_absolute_and_days_keep_the_wall_clock(
    rule: str, received: str, due: str
) -> None:
    # The receipt is in the New York zone itself, where naive wall-clock arithmetic would go wrong.
    moment = at(received, NEW_YORK_ZONE)
    assert shown(deadline_for(rule, moment, NEW_YORK, urgent=True), NEW_YORK_ZONE) == due


def test_a_day_across_dst_is_23_or_25_hours_long_in_new_york_and_24_in_shanghai() -> None:
    spring = at("Sat 2026-03-07 12:00", NEW_YORK_ZONE)
    autumn = at("Sat 2026-10-31 12:00", NEW_YORK_ZONE)
    shanghai = at("Sat 2026-03-07 12:00")
    assert deadline_for("1d", spring, NEW_YORK, urgent=True) - spring == timedelta(hours=23)  # type: ignore[operator]
    assert deadline_for("1d", autumn, NEW_YORK, urgent=True) - autumn == timedelta(hours=25)  # type: ignore[operator]
    assert deadline_for("1d", shanghai, HARBOUR, urgent=True) - shanghai == timedelta(hours=24)  # type: ignore[operator]


def test_a_repeated_wall_time_resolves_to_its_first_occurrence() -> None:
    # 01:30 on 2026-11-01 happens twice in New York; the earlier (EDT, 05:30 UTC) is taken.
    due = deadline_for("1d", at("Sat 2026-10-31 01:30", NEW_YORK_ZONE), NEW_YORK, urgent=True)
    assert due == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_a_receipt_in_the_second_occurrence_of_a_repeated_hour_is_read_correctly() -> None:
    second_0130 = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo(NEW_YORK_ZONE))  # EST, 06:30 UTC
    assert deadline_for("1h", second_0130, NEW_YORK, urgent=True) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert (
        shown(deadline_for("1d", second_0130, NEW_YORK, urgent=True), NEW_YORK_ZONE) == "Mon 2026-11-02 01:30"
    )


@pytest.mark.parametrize(
    ("moment", "zone", "is_open"),
    [
        ("Mon 2026-03-02 08:29", SHANGHAI, False),
        ("Mon 2026-03-02 08:30", SHANGHAI, True),  # opening is inclusive
        ("Mon 2026-03-02 12:00", SHANGHAI, True),
        ("Mon 2026-03-02 17:29", SHANGHAI, True),
        ("Mon 2026-03-02 17:30", SHANGHAI, False),  # closing is exclusive
        ("Sat 2026-03-07 10:00", SHANGHAI, False),  # weekend
        ("Sat 2026-02-14 10:00", SHANGHAI, True),  # make-up Saturday
        ("Mon 2026-02-23 10:00", SHANGHAI, False),  # Spring Festival holiday Monday
        ("Thu 2026-10-01 10:00", SHANGHAI, False),  # National Day
        ("Mon 2026-03-02 00:30", "UTC", True),  # 08:30 in Shanghai
        ("Sun 2026-03-01 23:59", "UTC", False),  # 07:59 on Monday in Shanghai
        ("Mon 2026-03-02 09:30", "UTC", False),  # 17:30 in Shanghai
    ],
)
def test_the_office_is_open(moment: str, zone: str, is_open: bool) -> None:
    assert is_office_open(at(moment, zone), HARBOUR) is is_open


def test_the_last_microsecond_before_close_is_open() -> None:
    last = datetime(2026, 3, 2, 17, 29, 59, 999999, tzinfo=ZoneInfo(SHANGHAI))
    assert is_office_open(last, HARBOUR)
    assert not is_office_open(last + timedelta(microseconds=1), HARBOUR)


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        ("Mon 2026-03-02 07:00", "Mon 2026-03-02 08:30"),  # before opening: today
        ("Mon 2026-03-02 08:30", "Mon 2026-03-02 08:30"),  # at opening: now
        ("Mon 2026-03-02 12:34", "Mon 2026-03-02 12:34"),  # open: now
        ("Mon 2026-03-02 17:30", "Tue 2026-03-03 08:30"),  # at close: tomorrow
        ("Fri 2026-03-06 19:00", "Mon 2026-03-09 08:30"),  # Friday evening: Monday
        ("Sat 2026-03-07 10:00", "Mon 2026-03-09 08:30"),
        ("Fri 2026-02-13 18:00", "Sat 2026-02-14 08:30"),  # the make-up Saturday
        ("Sat 2026-02-14 17:30", "Tue 2026-02-24 08:30"),  # past the Spring Festival
        ("Mon 2026-02-23 07:00", "Tue 2026-02-24 08:30"),
        ("Wed 2026-09-30 20:00", "Thu 2026-10-08 08:30"),  # past National Day
    ],
)
def test_the_office_next_opens(moment: str, opens: str) -> None:
    assert shown(next_office_open(at(moment), HARBOUR)) == opens


def test_next_office_open_returns_an_open_moment_unchanged_in_utc() -> None:
    moment = datetime(2026, 3, 2, 12, 34, 56, 789, tzinfo=ZoneInfo(SHANGHAI))
    result = next_office_open(moment, HARBOUR)
    assert result == moment
    assert result.tzinfo is UTC


def test_next_office_open_on_a_desk_working_every_day_is_sunday_morning() -> None:
    assert shown(next_office_open(at("Sun 2026-03-08 07:00"), EVERY_DAY_DESK)) == "Sun 2026-03-08 08:30"


@pytest.mark.parametrize(
    ("rule", "start", "end"),
    [
        ("30m", "Mon 2026-03-02 23:45", "Tue 2026-03-03 00:15"),
        ("4h", "Sat 2026-03-07 23:00", "Sun 2026-03-08 04:00"),  # 23:00 EST + 4 h = 04:00 EDT
        ("1d", "Sat 2026-03-07 12:00", "Sun 2026-03-08 13:00"),  # a duration day is 24 elapsed hours
        ("2d", "Sat 2026-10-31 12:00", "Mon 2026-11-02 11:00"),
    ],
)
def test_add_duration_adds_elapsed_time(rule: str, start: str, end: str) -> None:
    result = add_duration(rule, at(start, NEW_YORK_ZONE))
    assert shown(result, NEW_YORK_ZONE) == end


@pytest.mark.parametrize("rule", ["2wd", "same-day", "none"])
def test_add_duration_refuses_calendar_rules(rule: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        add_duration(rule, at("Mon 2026-03-02 10:00"))


@pytest.mark.parametrize(
    "rule", ["", "0h", "0wd", "2 h", "2H", "3w", "1.5h", "-1d", "sameday", "Same-Day", "NONE", "wd", "h", "8"]
)
def test_invalid_rules_are_refused(rule: str) -> None:
    received = at("Mon 2026-03-02 10:00")
    with pytest.raises(ValueError, match="not a deadline rule"):
        deadline_for(rule, received, HARBOUR)
    with pytest.raises(ValueError, match="not a deadline rule"):
        add_duration(rule, received)


def test_a_rule_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ValueError, match="not a deadline rule"):
        deadline_for(8, at("Mon 2026-03-02 10:00"), HARBOUR)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 2, 10, 0)
    aware = at("Mon 2026-03-02 10:00")
    for call in (
        lambda: deadline_for("2wd", naive, HARBOUR),
        lambda: is_office_open(naive, HARBOUR),
        lambda: next_office_open(naive, HARBOUR),
        lambda: add_duration("8h", naive),
        lambda: elapsed_fraction(naive, aware, aware),
        lambda: elapsed_fraction(aware, aware, naive),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=w) for w in range(110))
    closed = replace(HARBOUR, calendar=Calendar(working_weekdays=frozenset({1}), holidays=mondays))
    received = at("Mon 2026-03-02 10:00")
    with pytest.raises(ValueError, match="no working day within 366 days"):
        deadline_for("same-day", received, closed)
    with pytest.raises(ValueError, match="no working day within 366 days"):
        next_office_open(received, closed)


@pytest.mark.parametrize(
    ("now", "fraction"),
    [
        ("Mon 2026-03-02 09:00", 0.0),  # before the start: not negative
        ("Mon 2026-03-02 10:00", 0.0),
        ("Mon 2026-03-02 16:00", 0.75),
        ("Mon 2026-03-02 18:00", 1.0),
        ("Mon 2026-03-02 22:00", 1.5),  # overdue
    ],
)
def test_elapsed_fraction(now: str, fraction: float) -> None:
    start, due = at("Mon 2026-03-02 10:00"), at("Mon 2026-03-02 18:00")
    assert elapsed_fraction(start, due, at(now)) == pytest.approx(fraction)


def test_elapsed_fraction_counts_elapsed_time_across_dst() -> None:
    # 22:00 EST to 07:00 EDT is 8 hours; at 04:00 EDT 5 of them have passed (wall clock would say 6 of 9).
    start, due, now = (
        at(t, NEW_YORK_ZONE) for t in ("Sat 2026-03-07 22:00", "Sun 2026-03-08 07:00", "Sun 2026-03-08 04:00")
    )
    assert elapsed_fraction(start, due, now) == pytest.approx(5 / 8)


def test_elapsed_fraction_mixes_zones() -> None:
    start, due = at("Mon 2026-03-02 10:00"), at("Mon 2026-03-02 18:00")
    now_utc = at("Mon 2026-03-02 08:00", "UTC")  # 16:00 in Shanghai
    assert elapsed_fraction(start.astimezone(UTC), due, now_utc) == pytest.approx(0.75)


def test_elapsed_fraction_of_a_deadline_at_its_start() -> None:
    start = at("Mon 2026-03-02 10:00")
    assert elapsed_fraction(start, start, start - timedelta(minutes=1)) == 0.0
    assert elapsed_fraction(start, start, start) == 1.0


def test_every_rule_in_the_real_catalog_can_be_computed() -> None:
    received = at("Fri 2026-02-13 18:00")
    for kind in CATALOG.kinds.values():
        deadlines = kind.deadlines
        resolve = deadlines.resolve.values() if isinstance(deadlines.resolve, dict) else [deadlines.resolve]
        for rule in [deadlines.acknowledge, *resolve, kind.follow_up.within]:
            due = deadline_for(rule, received, HARBOUR)
            assert due is None or due > received
        reminders = kind.reminders
        for rule in (
            reminders.repeat_every,
            reminders.escalate_director_after,
            reminders.escalate_quality_after,
        ):
            assert add_duration(rule, received) > received


# ---------------------------------------------------------------- properties

PROPERTIES = st.sampled_from([HARBOUR, NEW_YORK, EVERY_DAY_DESK])
ZONES = st.sampled_from(["UTC", SHANGHAI, NEW_YORK_ZONE, "Europe/London", "Pacific/Kiritimati"])
INSTANTS = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
COUNTS = st.integers(min_value=1, max_value=40)
RULES = st.one_of(
    COUNTS.map(lambda n: f"{n}m"),
    COUNTS.map(lambda n: f"{n}h"),
    COUNTS.map(lambda n: f"{n}d"),
    COUNTS.map(lambda n: f"{n}wd"),
    st.just("same-day"),
)


def _local(moment: datetime, prop: Property) -> datetime:
    return moment.astimezone(ZoneInfo(prop.time_zone))


def _closes_between(start: datetime, end: datetime, prop: Property) -> list[datetime]:
    """Every working-day close strictly after ``start`` and at or before ``end``."""
    zone = ZoneInfo(prop.time_zone)
    day, closes = _local(start, prop).date(), []
    while day <= _local(end, prop).date():
        close = datetime.combine(day, prop.office_hours.close, tzinfo=zone)
        if prop.calendar.is_working_day(day) and start < close <= end:
            closes.append(close)
        day += timedelta(days=1)
    return closes


@given(rule=RULES, received=INSTANTS, zone=ZONES, prop=PROPERTIES)
def test_a_deadline_is_after_receipt_in_utc_whatever_zone_the_receipt_is_in(
    rule: str, received: datetime, zone: str, prop: Property
) -> None:
    due = deadline_for(rule, received.astimezone(ZoneInfo(zone)), prop)
    assert due is not None
    assert due.tzinfo is UTC
    assert due > received
    assert due == deadline_for(rule, received, prop)


@given(received=INSTANTS, prop=PROPERTIES)
def test_same_day_is_the_first_working_day_close_after_receipt(received: datetime, prop: Property) -> None:
    due = deadline_for("same-day", received, prop)
    assert due is not None
    local_due = _local(due, prop)
    assert local_due.time() == prop.office_hours.close
    assert prop.calendar.is_working_day(local_due.date())
    assert _closes_between(received, due, prop) == [local_due]


@given(n=COUNTS, received=INSTANTS, prop=PROPERTIES)
def test_n_working_days_is_the_nth_working_day_close_after_the_same_day_one(
    n: int, received: datetime, prop: Property
) -> None:
    same_day = deadline_for("same-day", received, prop)
    due = deadline_for(f"{n}wd", received, prop)
    assert same_day is not None and due is not None
    local_due = _local(due, prop)
    assert local_due.time() == prop.office_hours.close
    assert prop.calendar.is_working_day(local_due.date())
    assert len(_closes_between(same_day, due, prop)) == n


@given(n=st.integers(min_value=1, max_value=10_000), received=INSTANTS, zone=ZONES, prop=PROPERTIES)
def test_hours_and_minutes_are_exact_elapsed_time(
    n: int, received: datetime, zone: str, prop: Property
) -> None:
    local_receipt = received.astimezone(ZoneInfo(zone))
    assert deadline_for(f"{n}h", local_receipt, prop, urgent=True) == received + timedelta(hours=n)
    assert deadline_for(f"{n}m", local_receipt, prop, urgent=True) == received + timedelta(minutes=n)
    assert add_duration(f"{n}h", local_receipt) == received + timedelta(hours=n)
    assert add_duration(f"{n}d", local_receipt) == received + timedelta(days=n)


@given(n=COUNTS, received=INSTANTS)
def test_days_in_a_zone_without_dst_are_exactly_24_hours(n: int, received: datetime) -> None:
    assert deadline_for(f"{n}d", received, HARBOUR, urgent=True) == received + timedelta(days=n)


@given(n=COUNTS, received=INSTANTS)
def test_days_keep_the_local_date_and_wall_clock_in_a_dst_zone(n: int, received: datetime) -> None:
    due = deadline_for(f"{n}d", received, NEW_YORK, urgent=True)
    assert due is not None
    local_receipt, local_due = _local(received, NEW_YORK), _local(due, NEW_YORK)
    assert local_due.date() == local_receipt.date() + timedelta(days=n)
    wall = datetime.combine(local_due.date(), local_receipt.time())
    if _exists(wall, NEW_YORK_ZONE):
        assert local_due.time() == local_receipt.time()
    else:  # skipped when clocks went forward: moved later by the one-hour gap
        assert local_due.replace(tzinfo=None) == wall + timedelta(hours=1)


def _exists(wall: datetime, zone: str) -> bool:
    """Whether a naive local wall time happens at all in ``zone`` (it is skipped in a DST gap)."""
    round_trip = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).astimezone(ZoneInfo(zone))
    return round_trip.replace(tzinfo=None) == wall


@given(moment=INSTANTS, prop=PROPERTIES)
def test_next_office_open_is_an_open_moment_no_earlier_than_asked(moment: datetime, prop: Property) -> None:
    opens = next_office_open(moment, prop)
    assert opens.tzinfo is UTC
    assert opens >= moment
    assert is_office_open(opens, prop)
    if opens != moment:
        assert not is_office_open(moment, prop)
        assert _local(opens, prop).time() == prop.office_hours.open
        assert not is_office_open(opens - timedelta(microseconds=1), prop)


@given(
    start=INSTANTS,
    length=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=30)),
    a=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    b=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
)
def test_elapsed_fraction_grows_with_time_and_reaches_one_at_the_deadline(
    start: datetime, length: timedelta, a: timedelta, b: timedelta
) -> None:
    due = start + length
    earlier, later = sorted((start + a, start + b))
    assert 0.0 <= elapsed_fraction(start, due, earlier) <= elapsed_fraction(start, due, later)
    assert elapsed_fraction(start, due, due) == pytest.approx(1.0)
