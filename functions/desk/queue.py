"""The desk's queue: an office's open requests by their next deadline, overdue first, with filters and
search; the company view puts every office's overdue requests first. Plain Python over the store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from msgspec import Struct

from desk.roster import Staff
from lobby.catalog import Catalog
from lobby.fields import phone_digits
from lobby.references import is_reference
from lobby.requests import ServiceRequest
from lobby.storage import Store

FILTERS = ("all", "mine", "unassigned", "overdue", "waiting")
PHONE_TAIL = 4  # a phone number is searched by its last four digits
SEARCH_MAX = 40


class Row(Struct, frozen=True):
    request: ServiceRequest
    due: datetime | None  # the deadline the office works against now (none while waiting)
    time_left: timedelta | None  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.time_left is not None and self.time_left < timedelta(0)


def row(request: ServiceRequest, now: datetime) -> Row:
    due = request.current_due
    return Row(request, due, due - now if due else None)


def ordered(rows: Iterable[Row]) -> list[Row]:
    """Overdue first (the longest overdue on top), then by the next deadline; no deadline last."""
    far = datetime.max.replace(tzinfo=None)
    return sorted(
        rows,
        key=lambda item: (
            not item.overdue,
            item.due.replace(tzinfo=None) if item.due else far,
            item.request.reference,
        ),
    )


def is_mine(request: ServiceRequest, staff: Staff) -> bool:
    """Taken by them, or received by them (the first-contact owner)."""
    return request.owner == staff.name or (request.receiver_email or "") == staff.email


def keep(item: Row, chosen: str, staff: Staff) -> bool:
    request = item.request
    if chosen == "mine":
        return is_mine(request, staff)
    if chosen == "unassigned":
        return not request.owner
    if chosen == "overdue":
        return item.overdue
    if chosen == "waiting":
        return request.status == "waiting"
    return True


def office_queue(
    store: Store, office: str, staff: Staff, now: datetime, chosen: str = "all", offices: Iterable[str] = ()
) -> list[Row]:
    """One office's open requests (the ByOfficeDeadline index), filtered. "Mine" also looks in ``offices``
    (every office): a receiver follows what they registered for another office to the end."""
    places = [office, *(other for other in offices if other != office)] if chosen == "mine" else [office]
    rows = (row(request, now) for place in places for request in store.open_for_office(place))
    return ordered(item for item in rows if keep(item, chosen, staff))


def company_queue(
    store: Store, catalog: Catalog, staff: Staff, now: datetime, chosen: str = "all"
) -> list[Row]:
    """Every office's open requests, overdue first across offices."""
    rows = [row(request, now) for office in catalog.offices for request in store.open_for_office(office)]
    return ordered(item for item in rows if keep(item, chosen, staff))


def matches(request: ServiceRequest, term: str) -> bool:
    """A reference, a flat (building and unit as typed, or the unit alone) or a phone's last four digits."""
    term = " ".join(term.split())
    if not term:
        return False
    if is_reference(term):
        return request.reference == term
    digits = phone_digits(term)
    if len(digits) == PHONE_TAIL and digits == term:
        phones = [phone_digits(request.fields.get(name, "")) for name in ("phone", "phone_alt")]
        if any(phone.endswith(digits) for phone in phones if phone):
            return True
    flat = request.location.replace(" ", "").lower()
    wanted = term.replace(" ", "").lower()
    return bool(flat) and (flat == wanted or request.fields.get("unit", "").lower() == wanted)


def search(store: Store, catalog: Catalog, staff: Staff, term: str, now: datetime) -> list[Row]:
    """The requests a staff member may see that match ``term``: open ones from the queue they see, and by
    reference any request (a closed one too) of theirs."""
    term = term[:SEARCH_MAX]
    offices = list(catalog.offices) if staff.sees_all else [staff.office]
    found = {
        request.reference: row(request, now)
        for office in offices
        for request in store.open_for_office(office)
        if matches(request, term)
    }
    reference = " ".join(term.split())
    if is_reference(reference) and reference not in found:
        request = store.get_request(reference)
        if request is not None and staff.may_see(request.office, request.receiver_email):
            found[reference] = row(request, now)
    return ordered(found.values())
