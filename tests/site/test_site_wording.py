"""Deadlines, dates and statuses as residents read them, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from views.wording import (
    STATUSES,
    describe_period,
    describe_rule,
    describe_timedelta,
    format_local,
    status_text,
)


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        ("8h", "8 小时内", "within 8 hours"),
        ("1h", "1 小时内", "within 1 hour"),
        ("30m", "30 分钟内", "within 30 minutes"),
        ("3d", "3 天内", "within 3 days"),
        ("2wd", "2 个工作日内", "within 2 working days"),
        ("same-day", "当天（下班前）", "the same working day"),
        ("none", "跟进至完成", "followed through to completion, no fixed clock"),
    ],
)
def test_rules_read_as_plain_words(rule: str, zh: str, en: str) -> None:
    assert describe_rule(rule, "zh") == zh
    assert describe_rule(rule, "en") == en


@pytest.mark.parametrize("rule", ["", "8", "0h", "3 days", "soon"])
def test_a_malformed_rule_is_refused(rule: str) -> None:
    with pytest.raises(ValueError, match="not a deadline rule"):
        describe_rule(rule, "zh")


def test_deadlines_are_shown_in_the_property_time_zone() -> None:
    due = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    assert format_local(due, "zh", "Asia/Shanghai") == "2026年11月22日 17:30"
    assert format_local(due, "en", "Asia/Shanghai") == "22 Nov 2026, 17:30"
    # As stored in the table: UTC ISO-8601 with a Z.
    assert format_local("2026-11-22T09:30:00Z", "en", "Asia/Shanghai") == "22 Nov 2026, 17:30"
    # Past midnight locally is the next day.
    assert format_local("2026-01-04T16:05:00+00:00", "zh", "Asia/Shanghai") == "2026年1月5日 00:05"
    other_zone = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert format_local(other_zone, "en", "Asia/Shanghai") == "1 Mar 2026, 21:00"


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_local(datetime(2026, 11, 22, 9, 30), "zh", "Asia/Shanghai")


def test_every_status_has_a_name_in_both_languages() -> None:
    assert set(STATUSES) == {
        "received",
        "acknowledged",
        "in_progress",
        "waiting",
        "resolved",
        "closed",
        "cancelled",
        "reopened",
    }
    for status in STATUSES:
        zh, en = status_text(status, "zh"), status_text(status, "en")
        assert zh and en and zh != en
        assert not any("a" <= char.lower() <= "z" for char in zh), zh
    assert len({status_text(status, "en") for status in STATUSES}) == len(STATUSES)
    assert status_text("in_progress", "zh") == "处理中"
    assert status_text("resolved", "en") == "Resolved"


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        status_text("lost", "en")


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        ("4h", "4 小时", "4 hours"),
        ("1d", "1 天", "1 day"),
        ("30m", "30 分钟", "30 minutes"),
        ("2wd", "2 个工作日", "2 working days"),
    ],
)
def test_periods_read_without_within(rule: str, zh: str, en: str) -> None:
    assert describe_period(rule, "zh") == zh
    assert describe_period(rule, "en") == en


@pytest.mark.parametrize("rule", ["same-day", "none", "soon"])
def test_a_deadline_is_not_a_period(rule: str) -> None:
    with pytest.raises(ValueError, match="not a length of time"):
        describe_period(rule, "en")


@pytest.mark.parametrize(
    ("delta", "zh", "en"),
    [
        (timedelta(hours=24), "24 小时", "24 hours"),
        (timedelta(days=14), "14 天", "14 days"),
        (timedelta(minutes=10), "10 分钟", "10 minutes"),
        (timedelta(minutes=90), "90 分钟", "90 minutes"),
    ],
)
def test_fixed_lengths_read_in_their_largest_whole_unit(delta: timedelta, zh: str, en: str) -> None:
    assert describe_timedelta(delta, "zh") == zh
    assert describe_timedelta(delta, "en") == en


@pytest.mark.parametrize(
    ("rule", "urgent", "zh", "en"),
    [
        ("8h", False, "服务时间内 8 小时", "within 8 service hours"),
        ("30m", False, "服务时间内 30 分钟", "within 30 service minutes"),
        ("1h", True, "1 小时内（全天计时）", "within 1 hour, around the clock"),
        ("3d", False, "3 天内", "within 3 days"),  # days, working days and the same day say it already
        ("same-day", True, "当天（下班前）", "the same working day"),
    ],
)
def test_an_hour_rule_says_what_it_counts(rule: str, urgent: bool, zh: str, en: str) -> None:
    assert describe_rule(rule, "zh", urgent=urgent) == zh
    assert describe_rule(rule, "en", urgent=urgent) == en
