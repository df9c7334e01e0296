"""What a resident does on their own request's page (the signed link in each of their messages): add
information, or cancel the request while it is not yet resolved. The rating after resolution is the
follow-up's own (``lobby.link_actions.rate``).

Each step is a history event by the resident, public, queued with the messages it causes
(``lobby.notifications`` decides who hears: the request's owner, else its office). Plain Python: no
AWS, no HTTP; the store is passed in.
"""

from __future__ import annotations

from datetime import datetime

from lobby.catalog import Catalog
from lobby.fields import Invalid, clean_staff_input
from lobby.lifecycle import ALLOWED, Change, IllegalTransition, MissingInput, apply
from lobby.requests import RESIDENT, Event, ServiceRequest
from lobby.storage import Store

INFORMATION = "info"  # the history event of information a resident added
INFORMATION_FIELD = "information"
REASON_FIELD = "reason"
# Information is taken while staff may still note the request: open, or resolved and not yet rated.
INFORMATION_STATES = ALLOWED["note"]
CANCEL_STATES = ALLOWED["cancel"]  # not once it is resolved, closed or already cancelled


def _typed(field: str, raw: str) -> str:
    """What the resident typed into ``field``, cleaned; MissingInput when empty, too long or unreadable."""
    cleaned = clean_staff_input(field, raw)
    if isinstance(cleaned, Invalid):
        raise MissingInput(field, cleaned.code, cleaned.n)
    if not cleaned.strip():
        raise MissingInput(field)
    return cleaned


def check_information(request: ServiceRequest, raw: str) -> str:
    """The information to add, cleaned; IllegalTransition once the request is closed or cancelled."""
    if request.status not in INFORMATION_STATES:
        raise IllegalTransition(INFORMATION, request.status)
    return _typed(INFORMATION_FIELD, raw)


def add_information(store: Store, request: ServiceRequest, raw: str, now: datetime) -> Event:
    """Append the resident's information to the request's history (the owner is told); the request
    itself does not change. Raises IllegalTransition or MissingInput, and then stores nothing."""
    text = check_information(request, raw)
    event = Event(type=INFORMATION, at=now, actor=RESIDENT.name, public=True, data={"note": text})
    store.add_event(request, event)
    return event


def cancel(store: Store, catalog: Catalog, request: ServiceRequest, raw: str, now: datetime) -> Change:
    """The resident withdraws their request, with a reason. Raises IllegalTransition once it is resolved
    (or closed, or cancelled already), MissingInput without a reason, StaleRequest if it changed since
    it was read; each stores nothing."""
    if request.status not in CANCEL_STATES:
        raise IllegalTransition("cancel", request.status)
    reason = _typed(REASON_FIELD, raw)
    change = apply(catalog, request, "cancel", {"note": reason}, now, RESIDENT)
    store.save_change(request, change.request, change.event)
    return change
