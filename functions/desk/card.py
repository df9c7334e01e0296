"""Acting on a request from its card: the signed-in person is the actor, recorded as verified."""

from __future__ import annotations

from datetime import datetime

from msgspec.structs import replace

from desk.roster import Staff
from desk.sessions import DeskRefused
from lobby import spot_checks
from lobby.catalog import Catalog
from lobby.lifecycle import Change, IllegalTransition, apply, available_actions
from lobby.requests import Actor, ServiceRequest
from lobby.storage import Store

# What a card's form may send besides the action (the actor is never taken from the form).
INPUTS = ("note", "size", "office", "visibility")
SPOT_CHECK_INPUTS = ("reached", "satisfied", "note")


def visible_request(store: Store, staff: Staff, reference: str) -> ServiceRequest:
    """The request, if this person may see it; DeskRefused 404 (no such request) or 403 (another office's)."""
    request = store.get_request(reference)
    if request is None:
        raise DeskRefused(404, "not_found")
    # The offices drawn to spot-check it see it too, to record their check (lobby.spot_checks).
    if not staff.may_see(request.office, request.receiver_email) and staff.office not in request.spot_checks:
        raise DeskRefused(403, "other_office")
    return request


def act(
    store: Store,
    catalog: Catalog,
    staff: Staff,
    request: ServiceRequest,
    action: str,
    form: dict[str, str],
    now: datetime,
) -> Change:
    """Take ``action`` as ``staff``. Raises IllegalTransition, MissingInput or StaleRequest; stores nothing then."""
    if action not in available_actions(request, catalog):
        raise IllegalTransition(action, request.status)
    inputs = {name: form[name] for name in INPUTS if name in form}
    # Signed in: the actor is who the roster says (verified, with their address), not a typed name.
    change = apply(catalog, request, action, inputs, now, Actor.signed_in(staff.name, staff.email))
    event = replace(change.event, data={**change.event.data, "office": staff.office})
    store.save_change(request, change.request, event)
    return Change(request=change.request, event=event)


def record_spot_check(
    store: Store, staff: Staff, request: ServiceRequest, form: dict[str, str], now: datetime
) -> Change:
    """Record the check of the person's own office, as them (verified). Raises SpotCheckRefused (another
    office's check, or one already recorded), MissingInput or StaleRequest; stores nothing then."""
    inputs = {name: form[name] for name in SPOT_CHECK_INPUTS if name in form}
    change = spot_checks.record(request, staff.office, inputs, now, Actor.signed_in(staff.name, staff.email))
    store.save_change(request, change.request, change.event)
    return change
