"""Words residents read, in Chinese and English: deadlines, dates and statuses.

The handbook, the API's receipts and the e-mails all say a deadline or a
status the same way, so they all take their wording from here. Pure Python:
no AWS, no HTTP.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_RULE = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>m|h|d|wd)$")

# unit → (zh pattern, en singular, en plural)
_RULE_UNITS: dict[str, tuple[str, str, str]] = {
    "m": ("{n} 分钟内", "within {n} minute", "within {n} minutes"),
    "h": ("{n} 小时内", "within {n} hour", "within {n} hours"),
    "d": ("{n} 天内", "within {n} day", "within {n} days"),
    "wd": ("{n} 个工作日内", "within {n} working day", "within {n} working days"),
}

# unit → (zh pattern, en singular, en plural): a length of time without "within"
_PERIOD_UNITS: dict[str, tuple[str, str, str]] = {
    "m": ("{n} 分钟", "{n} minute", "{n} minutes"),
    "h": ("{n} 小时", "{n} hour", "{n} hours"),
    "d": ("{n} 天", "{n} day", "{n} days"),
    "wd": ("{n} 个工作日", "{n} working day", "{n} working days"),
}

# (unit, urgent) → (zh pattern, en singular, en plural): an hour or minute rule that says what it counts,
# the handling office's service hours or every hour of the day
_COUNTED_UNITS: dict[tuple[str, bool], tuple[str, str, str]] = {
    ("h", False): ("服务时间内 {n} 小时", "within {n} service hour", "within {n} service hours"),
    ("m", False): ("服务时间内 {n} 分钟", "within {n} service minute", "within {n} service minutes"),
    ("h", True): (
        "{n} 小时内（全天计时）",
        "within {n} hour, around the clock",
        "within {n} hours, around the clock",
    ),
    ("m", True): (
        "{n} 分钟内（全天计时）",
        "within {n} minute, around the clock",
        "within {n} minutes, around the clock",
    ),
}

_RULE_WORDS: dict[str, dict[str, str]] = {
    "same-day": {"zh": "当天（下班前）", "en": "the same working day"},
    "none": {"zh": "跟进至完成", "en": "followed through to completion, no fixed clock"},
}

_STATUS: dict[str, dict[str, str]] = {
    "received": {"zh": "已收到", "en": "Received"},
    "acknowledged": {"zh": "已受理", "en": "Acknowledged"},
    "in_progress": {"zh": "处理中", "en": "In progress"},
    "waiting": {"zh": "等待您的回复", "en": "Waiting for your reply"},
    "resolved": {"zh": "已办结", "en": "Resolved"},
    "closed": {"zh": "已关闭", "en": "Closed"},
    "cancelled": {"zh": "已取消", "en": "Cancelled"},
    "reopened": {"zh": "已重新处理", "en": "Reopened"},
}

STATUSES: tuple[str, ...] = tuple(_STATUS)

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def describe_rule(rule: str, lang: str, *, urgent: bool | None = None) -> str:
    """A deadline rule as a resident reads it: ``"8h"`` → "8 小时内" / "within 8 hours".

    Given ``urgent``, an hour or minute rule also says what it counts: "within 8 service hours" (the
    handling office's hours) or "within 1 hour, around the clock" (urgent).
    """
    lang = _lang(lang)
    if rule in _RULE_WORDS:
        return _RULE_WORDS[rule][lang]
    match = _RULE.match(rule)
    if not match:
        raise ValueError(f"{rule!r} is not a deadline rule")
    count = int(match["n"])
    counted = None if urgent is None else _COUNTED_UNITS.get((match["unit"], urgent))
    zh, en_one, en_many = counted or _RULE_UNITS[match["unit"]]
    if lang == "zh":
        return zh.format(n=count)
    return (en_one if count == 1 else en_many).format(n=count)


def describe_period(rule: str, lang: str) -> str:
    """A length of time from a rule, without "within": ``"4h"`` → "4 小时" / "4 hours".

    Reminder ladders read this way ("every 4 hours", "4 hours after the deadline").
    ``same-day`` and ``none`` are deadlines, not lengths, and are refused.
    """
    match = _RULE.match(rule)
    if not match:
        raise ValueError(f"{rule!r} is not a length of time (use 30m, 4h, 3d or 2wd)")
    return _period(int(match["n"]), match["unit"], lang)


def describe_timedelta(delta: timedelta, lang: str) -> str:
    """A fixed length of time in its largest whole unit: "14 天" / "14 days"; one day is "24 小时"."""
    seconds = int(delta.total_seconds())
    if seconds <= 0 or seconds % 60:
        raise ValueError(f"{delta!r} is not a whole number of minutes")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        # One day reads as "24 hours", the way the seeds promise a rework.
        if seconds % size == 0 and not (unit == "d" and seconds == 86400):
            return _period(seconds // size, unit, lang)
    raise AssertionError("unreachable: minutes always divide")  # pragma: no cover


def _period(count: int, unit: str, lang: str) -> str:
    zh, en_one, en_many = _PERIOD_UNITS[unit]
    if _lang(lang) == "zh":
        return zh.format(n=count)
    return (en_one if count == 1 else en_many).format(n=count)


def format_local(moment: datetime | str, lang: str, tz: str | ZoneInfo) -> str:
    """A moment in the property's local time: "2026年11月22日 17:30" / "22 Nov 2026, 17:30".

    ``moment`` is an aware datetime or an ISO-8601 string with an offset (the
    table stores UTC such as ``2026-11-22T09:30:00Z``). A naive value is
    refused: guessing its zone would show residents a wrong deadline.
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError("format_local needs an aware datetime (with a time zone)")
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local = moment.astimezone(zone)
    if _lang(lang) == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {_EN_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def status_text(status: str, lang: str) -> str:
    """The name of a request status as residents see it."""
    try:
        return _STATUS[status][_lang(lang)]
    except KeyError:
        raise ValueError(f"unknown status {status!r}") from None
