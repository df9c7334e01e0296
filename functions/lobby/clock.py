"""The one clock the handlers read: the real time, or, in the local stack only, a time set by hand.

Domain code takes ``now`` as a parameter; the handlers (the API, notify, a schedule event without a
time) take it from :func:`now`. The local stack's ``POST /_local/clock`` moves this clock to a chosen
moment, from which it keeps running, so that time-dependent behaviour (a repair filed on Friday
evening, a promise missed overnight, a year the calendar does not know) can be tried end to end.
Nothing deployed moves it: no route, setting or event reaches :func:`set_time` on Lambda.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time in UTC, as the local stack's clock may have moved it."""
    return datetime.now(UTC) + _offset


def set_time(moment: datetime | None) -> datetime:
    """Move the clock so that it reads ``moment`` now (and runs on from there); ``None`` for the real time.

    ``moment`` must carry its zone: a naive time would be read eight hours off. Returns the new time.
    """
    global _offset  # noqa: PLW0603 - one clock per process, as the local stack runs every function in one
    if moment is None:
        _offset = timedelta(0)
    elif moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the time needs its offset, e.g. 2026-11-27T20:00:00+08:00")
    else:
        _offset = moment.astimezone(UTC) - datetime.now(UTC)
    return now()


def is_set() -> bool:
    """Whether the clock has been moved away from the real time."""
    return _offset != timedelta(0)
