"""The clock the handlers read: the real time unless the local stack moved it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from lobby import clock


@pytest.fixture(autouse=True)
def real_time_afterwards() -> Iterator[None]:
    yield
    clock.set_time(None)


def test_the_clock_reads_the_real_time_until_it_is_moved() -> None:
    assert not clock.is_set()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    assert clock.now().tzinfo is UTC


def test_a_moved_clock_reads_the_moment_set_and_runs_on() -> None:
    moved = clock.set_time(datetime.fromisoformat("2026-11-27T20:00:00+08:00"))
    assert clock.is_set()
    assert abs(moved - datetime(2026, 11, 27, 12, tzinfo=UTC)) < timedelta(seconds=1)
    later = clock.now()
    assert moved <= later < moved + timedelta(seconds=5)
    clock.set_time(None)
    assert not clock.is_set()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_a_time_without_its_offset_is_refused_and_changes_nothing() -> None:
    with pytest.raises(ValueError, match="offset"):
        clock.set_time(datetime(2026, 11, 27, 20, 0))
    assert not clock.is_set()
