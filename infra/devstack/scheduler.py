"""EventBridge Scheduler, locally: the template's ``ScheduleV2`` events.

:func:`scheduler_event` builds the event Scheduler hands a function at a chosen
moment (``POST /_local/schedules/{name}`` runs one); :class:`ScheduleClock` runs
each enabled schedule on its own rate or cron expression, in its time zone.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from devstack.aws import StackError
from devstack.functions import ACCOUNT_ID, Background, LocalFunction, describe_failure
from lobby import clock

log = logging.getLogger("lobby.local")


@dataclass(frozen=True)
class Schedule:
    """A function's ``Type: ScheduleV2`` event."""

    event_name: str
    function: LocalFunction
    expression: str
    time_zone: str = "UTC"
    input: str | None = None
    schedule_name: str | None = None
    enabled: bool = True

    @property
    def arn(self) -> str:
        name = self.schedule_name or f"{self.function.logical_id}-{self.event_name}"
        return f"arn:aws:scheduler:{self.function.region}:{ACCOUNT_ID}:schedule/default/{name}"

    def answers_to(self, name: str) -> bool:
        return name in (self.event_name, self.schedule_name, self.function.logical_id)


def schedules(functions: Mapping[str, LocalFunction]) -> list[Schedule]:
    found = []
    for function in functions.values():
        for event_name, event in function.events.items():
            if event.get("Type") != "ScheduleV2":
                continue
            props = event.get("Properties") or {}
            name = props.get("Name")
            found.append(
                Schedule(
                    event_name=event_name,
                    function=function,
                    expression=str(props.get("ScheduleExpression", "")),
                    time_zone=_time_zone(function, event_name, props.get("ScheduleExpressionTimezone")),
                    input=props.get("Input") if isinstance(props.get("Input"), str) else None,
                    schedule_name=name if isinstance(name, str) else None,
                    enabled=props.get("State", "ENABLED") != "DISABLED",
                )
            )
    return found


def _time_zone(function: LocalFunction, event_name: str, value: Any) -> str:
    if value is None:
        return "UTC"
    try:
        return ZoneInfo(str(value)).key
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise StackError(
            f"{function.logical_id}.{event_name}: ScheduleExpressionTimezone {value!r} is not a time zone"
        ) from None


def find_schedule(found: list[Schedule], name: str) -> Schedule | None:
    return next((schedule for schedule in found if schedule.answers_to(name)), None)


def parse_time(text: str) -> datetime:
    """An ISO-8601 instant; a time without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scheduler_event(schedule: Schedule, at: datetime) -> dict[str, Any]:
    """The event EventBridge Scheduler hands the function at ``at``, merged with the schedule's Input.

    The Input's context attributes (``<aws.scheduler.scheduled-time>`` …) are
    filled in, as Scheduler does for templated targets.
    """
    moment = at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    execution = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "0",
        "id": execution,
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT_ID,
        "time": moment,
        "region": schedule.function.region,
        "resources": [schedule.arn],
        "detail": {},
    }
    if schedule.input:
        attributes = {
            "<aws.scheduler.scheduled-time>": moment,
            "<aws.scheduler.execution-id>": execution,
            "<aws.scheduler.schedule-arn>": schedule.arn,
            "<aws.scheduler.attempt-number>": "1",
        }
        text = schedule.input
        for placeholder, value in attributes.items():
            text = text.replace(placeholder, value)
        extra = json.loads(text)
        if not isinstance(extra, dict):
            raise ValueError(f"{schedule.event_name}: Input must be a JSON object")
        event.update(extra)
    return event


def run_schedule(schedule: Schedule, at: datetime) -> Any:
    return schedule.function.invoke(scheduler_event(schedule, at))


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_interval(expression: str) -> timedelta | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")])


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: index for index, name in enumerate(_MONTH_NAMES, 1)}
_WEEKDAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _cron_field(text: str, low: int, high: int, names: Mapping[str, int]) -> set[int] | None:
    """The values a cron field allows; ``None`` when it uses syntax the local clock skips (L, W, #)."""
    values: set[int] = set()
    for written in text.upper().split(","):
        if written in ("*", "?"):
            values.update(range(low, high + 1))
            continue
        part = written
        for name, number in names.items():
            part = part.replace(name, str(number))
        if re.search(r"[^0-9*?/-]", part):
            return None
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class Cron:
    """AWS's six-field cron (minutes hours day-of-month month day-of-week year), common syntax only."""

    minutes: set[int]
    hours: set[int]
    days: set[int]
    months: set[int]
    weekdays: set[int]  # 1 = Sunday, as AWS counts
    years: set[int]
    day_is_any: bool
    weekday_is_any: bool

    @classmethod
    def parse(cls, expression: str) -> Cron | None:
        match = re.match(r"^cron\((.*)\)$", expression.strip())
        if not match or len(match[1].split()) != 6:
            return None
        minute, hour, day, month, weekday, year = match[1].split()
        fields = (
            _cron_field(minute, 0, 59, {}),
            _cron_field(hour, 0, 23, {}),
            _cron_field(day, 1, 31, {}),
            _cron_field(month, 1, 12, _MONTHS),
            _cron_field(weekday, 1, 7, _WEEKDAYS),
            _cron_field(year, 1970, 2199, {}),
        )
        if any(values is None for values in fields):
            return None
        return cls(*fields, day_is_any=day in ("*", "?"), weekday_is_any=weekday in ("*", "?"))  # type: ignore[arg-type]

    def fires_at(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1
        day_ok = moment.day in self.days if not self.day_is_any else True
        weekday_ok = weekday in self.weekdays if not self.weekday_is_any else True
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and moment.year in self.years
            and day_ok
            and weekday_ok
        )


class ScheduleClock(Background):
    """Runs each enabled schedule on its own clock (``make dev`` only), checking once a minute."""

    def __init__(self, found: list[Schedule], *, debug: bool = False) -> None:
        super().__init__("schedule-clock")
        self._debug = debug
        self._rates: list[tuple[Schedule, timedelta]] = []
        self._crons: list[tuple[Schedule, Cron]] = []
        for schedule in found:
            if not schedule.enabled:
                continue
            interval = rate_interval(schedule.expression)
            cron = Cron.parse(schedule.expression)
            if interval:
                self._rates.append((schedule, interval))
            elif cron:
                self._crons.append((schedule, cron))
            else:
                log.info(
                    "schedule %s (%s) is not run by the local clock; POST /_local/schedules/%s runs it",
                    schedule.event_name,
                    schedule.expression,
                    schedule.event_name,
                )

    @property
    def count(self) -> int:
        return len(self._rates) + len(self._crons)

    def start(self) -> None:
        if self.count:
            super().start()

    def _run(self) -> None:
        started = clock.now()  # the stack's clock: POST /_local/clock moves the schedules with it
        due = {schedule.event_name: started + interval for schedule, interval in self._rates}
        while not self._stop.wait(60 - time.time() % 60 + 0.05):
            now = clock.now().replace(second=0, microsecond=0)
            for schedule, interval in self._rates:
                if now >= due[schedule.event_name].replace(second=0, microsecond=0):
                    due[schedule.event_name] = now + interval
                    self._fire(schedule, now)
            for schedule, cron in self._crons:
                if cron.fires_at(now.astimezone(ZoneInfo(schedule.time_zone))):
                    self._fire(schedule, now)

    def _fire(self, schedule: Schedule, now: datetime) -> None:
        try:
            run_schedule(schedule, now)
            log.info("schedule %s ran at %s", schedule.event_name, now.isoformat())
        except Exception as error:  # one failed run never stops the clock
            log.warning("schedule %s failed:\n%s", schedule.event_name, describe_failure(error, self._debug))
