"""Receiving a request: validate, deduplicate, number and store it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct
from msgspec.structs import replace

from lobby.catalog import Catalog, Kind
from lobby.limits import Limits
from lobby.references import format_reference
from lobby.repeats import earlier_repeats
from lobby.requests import RESIDENT, Event, ServiceRequest, new_request, submission_fingerprint
from lobby.storage import Store
from lobby.validation import HONEYPOT_FIELD, validate_submission

# Decoy references are drawn from sequence numbers no day reaches (real ones count up from 1).
DECOY_SEQUENCE_FROM = 5000


class Receipt(Struct, frozen=True):
    request: ServiceRequest
    created: bool  # False when an identical submission was already stored


def office_for(catalog: Catalog, kind: Kind, channel: str) -> str:
    """The office that handles a request of ``kind`` that reached us through ``channel`` (web, phone,
    in person, letter, government): the catalog's ``property.channel_offices``, else the kind's own."""
    return catalog.property.channel_offices.get(channel, kind.office)


def receive(
    store: Store,
    catalog: Catalog,
    kind: Kind,
    data: dict[str, Any],
    now: datetime,
    limits: Limits | None = None,
) -> Receipt:
    """Store a resident's submission and return its receipt.

    Raises ``SubmissionInvalid``, ``LimitReached`` or ``StoreUnavailable`` (each: nothing stored).
    """
    # The request keeps its times to the second (utc_iso): its deadlines count from that same moment, so
    # a later re-size, which counts again from the stored time, finds the same deadline.
    now = now.replace(microsecond=0)
    submission = validate_submission(catalog, kind, data, now)
    local_day = now.astimezone(ZoneInfo(catalog.property.time_zone)).date()
    if data.get(HONEYPOT_FIELD) not in (None, ""):
        # Only a robot fills the hidden field. It is answered as if its request were stored, so that
        # it learns nothing, and nothing is stored or sent.
        decoy = format_reference(local_day, DECOY_SEQUENCE_FROM + secrets.randbelow(DECOY_SEQUENCE_FROM))
        return Receipt(request=new_request(catalog, submission, decoy, now), created=True)
    fingerprint = submission_fingerprint(submission)
    earlier = store.find_duplicate(fingerprint, now)
    if earlier:
        return _earlier(store, earlier)
    if limits is not None:  # a repeat above costs nothing: it stores nothing and sends no receipt
        limits.take(store, catalog, kind.id, submission.values.get("email"), now)

    reference = store.allocate_reference(local_day)
    request = new_request(catalog, submission, reference, now)
    request = replace(request, repeats=earlier_repeats(store, catalog, request))
    submitted = Event(type="submitted", at=now, actor=RESIDENT.name, public=True, data={"channel": "web"})
    stored = store.create_request(request, submitted, fingerprint, now)
    if stored != reference:
        return _earlier(store, stored)
    return Receipt(request=request, created=True)


def _earlier(store: Store, reference: str) -> Receipt:
    request = store.get_request(reference)
    if request is None:  # the duplicate guard outlived its request: impossible unless deleted by hand
        raise LookupError(f"duplicate guard points at missing request {reference}")
    return Receipt(request=request, created=False)
