"""Scheduled functions: reminders, the daily digest and the monthly statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lobby import clock


def scheduled_time(event: dict[str, Any]) -> datetime:
    """The moment the schedule fired (Scheduler's ``<aws.scheduler.scheduled-time>`` in the payload), so a
    retried or replayed run acts as of that moment; the current time only when the event carries none."""
    text = event.get("time")
    if not text:
        return clock.now()
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)
