"""Deadlines, dates and statuses in words: the one place each is said, in every language.

The handbook, the API's pages and the e-mails all say a deadline or a status the same way, so
they all take it from here; the words themselves are in the message catalog (``views.messages``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lobby import policy
from lobby.agreements import term_months
from lobby.catalog import Catalog
from lobby.requests import LOBBY, RESIDENT, STATUSES, Event, ServiceRequest
from views.messages import MissingMessage, translate

_RULE = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>m|h|d|wd)$")
_WORDED_RULES = ("same-day", "none")

# Who acted when no staff member did: the resident (a form, a rating) and Lobby itself (reminders).
SYSTEM_ACTORS = frozenset({RESIDENT.name, LOBBY.name})

__all__ = [
    "STATUSES",
    "actor_text",
    "describe_period",
    "describe_rule",
    "describe_timedelta",
    "duration_text",
    "event_text",
    "format_local",
    "local_time",
    "owner_text",
    "rating_text",
    "repeat_text",
    "spot_check_result",
    "status_text",
]


def describe_rule(rule: str, lang: str, *, urgent: bool | None = None) -> str:
    """A deadline rule as a resident reads it: ``"8h"`` → "8 小时内" / "within 8 hours".

    Given ``urgent``, an hour or minute rule also says what it counts: "within 8 service hours" (the
    handling office's hours) or "within 1 hour, around the clock" (urgent).
    """
    if rule in _WORDED_RULES:
        return translate(lang, f"rule.{rule}")
    match = _RULE.match(rule)
    if not match:
        raise ValueError(f"{rule!r} is not a deadline rule")
    unit = match["unit"]
    if urgent is not None and unit in ("m", "h"):
        counted = "clock" if urgent else "service"
        return translate(lang, f"within.{unit}.{counted}", count=int(match["n"]))
    return translate(lang, f"within.{unit}", count=int(match["n"]))


def describe_period(rule: str, lang: str) -> str:
    """A length of time from a rule, without "within": ``"4h"`` → "4 小时" / "4 hours".

    Reminder ladders read this way ("every 4 hours", "4 hours after the deadline").
    ``same-day`` and ``none`` are deadlines, not lengths, and are refused.
    """
    match = _RULE.match(rule)
    if not match:
        raise ValueError(f"{rule!r} is not a length of time (use 30m, 4h, 3d or 2wd)")
    return translate(lang, f"period.{match['unit']}", count=int(match["n"]))


def describe_timedelta(delta: timedelta, lang: str) -> str:
    """A fixed length of time in its largest whole unit: "14 天" / "14 days"; one day is "24 小时"."""
    seconds = int(delta.total_seconds())
    if seconds <= 0 or seconds % 60:
        raise ValueError(f"{delta!r} is not a whole number of minutes")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        # One day reads as "24 hours", the way the seeds promise a rework.
        if seconds % size == 0 and not (unit == "d" and seconds == 86400):
            return translate(lang, f"period.{unit}", count=seconds // size)
    raise AssertionError("unreachable: minutes always divide")  # pragma: no cover


def duration_text(delta: timedelta, lang: str) -> str:
    """How late, to the hour: "2天3小时" / "2 d 3 h"; under an hour in minutes."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and hours:
        return translate(lang, "late.days_hours", days=days, hours=hours)
    if days:
        return translate(lang, "late.days", days=days)
    if hours:
        return translate(lang, "late.hours", hours=hours)
    return translate(lang, "late.minutes", minutes=minutes)


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
    return translate(
        lang,
        "moment",
        year=local.year,
        month=local.month,
        month_name=translate(lang, f"month.short.{local.month}"),
        day=local.day,
        clock=f"{local:%H:%M}",
    )


def status_text(status: str, lang: str) -> str:
    """The name of a request status as residents see it."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return translate(lang, f"status.{status}")


def local_time(catalog: Catalog, moment: datetime | None, lang: str) -> str:
    """A moment in the property's time zone, or "" when there is none."""
    if moment is None:
        return ""
    return format_local(moment, lang, catalog.property.time_zone)


def actor_text(event: Event, lang: str) -> str:
    """Who took a step, as staff read it in a history: a name (marked when it was only typed, not signed
    in), "the resident" or "Lobby" in the reader's words."""
    if event.actor in SYSTEM_ACTORS:
        return translate(lang, f"actor.{event.actor}")
    if event.actor_verified is False:
        return translate(lang, "actor.unverified", name=event.actor)
    return event.actor


def rating_text(rating: dict[str, Any], lang: str) -> str:
    """A follow-up's answers in one line: satisfied or not, the scores given, the comments."""
    parts = [translate(lang, "rating.satisfied" if rating.get("satisfied") else "rating.unsatisfied")]
    scores = [
        translate(lang, "rating.score", scale=translate(lang, f"rating.{scale}"), score=rating[scale])
        for scale in policy.RATING_SCALES
        if isinstance(rating.get(scale), int)
    ]
    joiner = translate(lang, "rating.join")
    if scores:
        parts.append(
            translate(lang, "rating.scores", highest=policy.RATING_HIGHEST, scores=joiner.join(scores))
        )
    if rating.get("comments"):
        parts.append(translate(lang, "rating.comments", comments=rating["comments"]))
    return translate(lang, "rating.sentences").join(parts)


def owner_text(request: ServiceRequest, lang: str) -> str:
    """A request's owner as staff read it: their name, marked when it was only typed, not signed in."""
    if not request.owner:
        return ""
    if request.owner_verified is False:
        return translate(lang, "actor.unverified", name=request.owner)
    return request.owner


def repeat_text(request: ServiceRequest, lang: str) -> str | None:
    """The red flag of a request whose matter came again (lobby.repeats): how many earlier requests, and
    their references; None for a request that repeats nothing."""
    if not request.repeats:
        return None
    return translate(
        lang,
        "mail.repeat_line",
        count=len(request.repeats),
        before=policy.WINDOW_MONTHS - 1,
        references=translate(lang, "list.separator").join(request.repeats),
    )


def spot_check_result(result: dict[str, Any], lang: str) -> str:
    """What a spot check found (lobby.spot_checks.record): reached or not, satisfied or not, the note."""
    if not result.get("reached"):
        text = translate(lang, "spot.not_reached")
    else:
        text = translate(
            lang, "spot.reached_satisfied" if result.get("satisfied") else "spot.reached_unsatisfied"
        )
    note = str(result.get("note", ""))
    return translate(lang, "spot.with_note", result=text, note=note) if note else text


def event_text(event: Event, lang: str, catalog: Catalog | None = None, *, for_staff: bool = False) -> str:
    """A line of a request's history as the resident reads it, or, ``for_staff``, as staff read it
    after the name of whoever took the step (``actor_text``): without "you", and without naming the
    actor twice (``event.<type>.staff``, where the catalog words a step apart for staff)."""
    channel = str(event.data.get("channel", ""))
    values = {
        "actor": event.actor,
        "note": event.data.get("note", ""),
        "to": event.data.get("to", ""),
        "stage": event.data.get("stage", ""),
        "within": describe_timedelta(policy.REWORK_WITHIN, lang),
        "channel": _channel_name(channel, lang),
    }
    if event.type == "retriage" and catalog is not None:
        values["to"] = _size_name(catalog, str(values["to"]), lang)
    if event.type == "reassign" and catalog is not None and values["to"] in catalog.offices:
        values["to"] = catalog.offices[str(values["to"])].name(lang)
    if event.type == "spot_check":
        office = str(event.data.get("office", ""))
        values["office"] = (
            catalog.offices[office].name(lang) if catalog and office in catalog.offices else office
        )
        values["result"] = spot_check_result(event.data, lang)
    if event.type == "reminder" and values["stage"]:
        values["stage"] = translate(lang, f"mail.stage.{values['stage']}")
    for key in _event_keys(event, channel, for_staff):
        try:
            text = translate(lang, key, **values)
        except MissingMessage:
            continue
        return text.rstrip("：: ")
    raise AssertionError("unreachable: event.other is in every catalog")  # pragma: no cover


def _event_keys(event: Event, channel: str, for_staff: bool) -> list[str]:
    """The catalog keys that may word an event, most particular first.

    A step the resident took themselves (a cancellation on their request's page) says so where the
    catalog words it apart (``event.<type>.by_resident``); a request that came another way than the
    web form says how (``event.submitted.phone``); staff read their own wording first.
    """
    base = f"event.{event.type}"
    resident = [".by_resident"] if event.actor == RESIDENT.name else []
    staff = [f"{base}.staff{suffix}" for suffix in (*resident, "")] if for_staff else []
    how = [f"{base}.{channel}"] if channel else []
    return [*staff, *(base + suffix for suffix in resident), *how, base, "event.other"]


def _channel_name(channel: str, lang: str) -> str:
    """How a request came (``web``, ``phone``...), in the reader's words."""
    try:
        return translate(lang, f"desk.channel.{channel}") if channel else ""
    except MissingMessage:
        return channel


def _size_name(catalog: Catalog, size: str, lang: str) -> str:
    for kind in catalog.kinds.values():
        if isinstance(kind.deadlines.resolve, dict) and kind.deadlines.resolve_by:
            choice = catalog.choices(kind.field(kind.deadlines.resolve_by)).get(size)
            if choice:
                return choice(lang)
    return size


def agreement_visit(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """Which visit of a long-term agreement a follow-up is (halfway through, or after the end); "" for any other."""
    months = term_months(catalog.kinds[request.kind], request.fields)
    if months is None:
        return ""
    visit = "halfway" if request.follow_ups_after else "final"
    return translate(lang, f"mail.followup_visit.{visit}", months=months)
