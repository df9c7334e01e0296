"""Registering a request the office received by phone, in person, by letter or from a government body.

The kind's own fields are checked as a resident's web form is (``lobby.validation``); the desk adds the
channel, the time the request was actually received and the consent the resident gave to the receiver.
The signed-in staff member is the receiver (接待人), its first-contact owner; the deadlines run from the
time received; a request forwarded by a government body goes to the general manager's office (seed 000
§5.6.2.5). Plain Python over the store.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct
from msgspec.structs import replace

from desk.roster import Staff
from lobby.catalog import Catalog, Kind
from lobby.deadlines import promise
from lobby.intake import office_for
from lobby.repeats import earlier_repeats
from lobby.requests import Event, ServiceRequest, new_request, submission_fingerprint
from lobby.storage import Store
from lobby.validation import CONSENT_FIELD, LANG_FIELD, SubmissionInvalid, validate_submission
from views.messages import translate

CHANNELS = ("phone", "in_person", "letter", "government")
CHANNEL_FIELD = "channel"
RECEIVED_FIELD = "received_at"
KIND_FIELD = "kind"
# Fields of the desk's form that are not the kind's own (the CSRF token is checked before).
DESK_FIELDS = frozenset({CHANNEL_FIELD, RECEIVED_FIELD, KIND_FIELD, "csrf"})
RECEIVED_WITHIN = timedelta(days=7)  # a request is registered within a week of receiving it, or not here
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class Registered(Struct, frozen=True):
    request: ServiceRequest
    created: bool  # False when the same registration was already stored (a double click)


def local_input(catalog: Catalog, moment: datetime) -> str:
    """``moment`` as the form's datetime-local value, in the property's time zone."""
    return moment.astimezone(ZoneInfo(catalog.property.time_zone)).strftime(LOCAL_FORMAT)


def received_time(
    catalog: Catalog, text: object, now: datetime, lang: str
) -> tuple[datetime | None, str | None]:
    """The time received, read in the property's time zone, or the reason it is refused."""
    if not isinstance(text, str) or not text.strip():
        return None, translate(lang, "desk.new.received_required")
    try:
        local = datetime.strptime(text.strip()[:16], LOCAL_FORMAT)
    except ValueError:
        return None, translate(lang, "desk.new.received_bad")
    moment = local.replace(tzinfo=ZoneInfo(catalog.property.time_zone))
    if moment > now + timedelta(minutes=1):  # a minute's grace for a clock a little ahead
        return None, translate(lang, "desk.new.received_future")
    if moment < now - RECEIVED_WITHIN:
        return None, translate(
            lang, "desk.new.received_old", limit=local_input(catalog, now - RECEIVED_WITHIN)
        )
    return moment, None


def register(
    store: Store,
    catalog: Catalog,
    kind: Kind,
    data: dict[str, Any],
    staff: Staff,
    now: datetime,
    staff_lang: str,
) -> Registered:
    """Store the request with its receiver and channel; raises SubmissionInvalid (every problem, in
    ``staff_lang``, nothing stored) or StoreUnavailable."""
    own = {key: value for key, value in data.items() if key not in DESK_FIELDS}
    own.setdefault(LANG_FIELD, "zh")
    errors: dict[str, str] = {}
    try:
        # The staff member reads the messages: checked in their language, stored in the resident's.
        submission = validate_submission(catalog, kind, {**own, LANG_FIELD: staff_lang}, now)
    except SubmissionInvalid as invalid:
        errors.update(invalid.errors)
        if CONSENT_FIELD in errors:  # the receiver ticks it for the resident: say so in their words
            errors[CONSENT_FIELD] = translate(staff_lang, "desk.new.consent_required")
        submission = None
    channel = data.get(CHANNEL_FIELD)
    if channel not in CHANNELS:
        errors[CHANNEL_FIELD] = translate(staff_lang, "desk.new.channel_required")
    received_at, problem = received_time(catalog, data.get(RECEIVED_FIELD), now, staff_lang)
    if problem:
        errors[RECEIVED_FIELD] = problem
    if own.get(LANG_FIELD) not in ("zh", "en"):
        errors[LANG_FIELD] = translate(staff_lang, "desk.new.lang_required")
    if errors or submission is None or received_at is None:
        raise SubmissionInvalid(lang=staff_lang, errors=errors)
    submission = replace(submission, lang=str(own[LANG_FIELD]))
    return _store(store, catalog, kind, submission, str(channel), received_at, staff, now)


def _store(
    store: Store,
    catalog: Catalog,
    kind: Kind,
    submission: Any,
    channel: str,
    received_at: datetime,
    staff: Staff,
    now: datetime,
) -> Registered:
    # Two registrations are the same when everything typed, the channel, the time and the receiver are.
    same = f"{submission_fingerprint(submission)}|{channel}|{received_at.isoformat()}|{staff.email}"
    fingerprint = hashlib.sha256(same.encode()).hexdigest()
    earlier = store.find_duplicate(fingerprint, now)
    if earlier:
        request = store.get_request(earlier)
        if request is not None:
            return Registered(request, created=False)
    office = office_for(catalog, kind, channel)
    local_day = received_at.astimezone(ZoneInfo(catalog.property.time_zone)).date()
    reference = store.allocate_reference(local_day)
    request = new_request(catalog, submission, reference, received_at)
    acknowledge_due, resolve_due = promise(catalog, kind, submission.values, received_at, office=office)
    request = replace(
        request,
        office=office,
        acknowledge_due=acknowledge_due,
        resolve_due=resolve_due,
        channel=channel,
        receiver=staff.name,
        receiver_email=staff.email,
    )
    request = replace(request, repeats=earlier_repeats(store, catalog, request))
    data = {"channel": channel, "receiver": staff.name, "registered_at": now.isoformat(), "verified": True}
    submitted = Event(type="submitted", at=received_at, actor=staff.name, public=True, data=data)
    stored = store.create_request(request, submitted, fingerprint, now)
    if stored != reference:
        earlier_request = store.get_request(stored)
        if earlier_request is not None:
            return Registered(earlier_request, created=False)
    return Registered(request, created=True)
