"""The same matter again (seed 002): the same repair three times or more, the same complaint twice or more.

A matter is a *place* and an *item*: the flat (building and unit) and the category, or, for a shared
place (a lift, the common areas: the kind's ``shared_categories``), the building and the category whoever
reported it. The monthly report counts repeats over the month and the two before it (``lobby.stats``);
a new request that makes its matter reach the threshold within the same window carries the earlier
references (``ServiceRequest.repeats``), so the office's e-mail and the desk card flag it on arrival.

The earlier requests are read from the sparse ``ByPlace`` index (one small query, only for kinds with a
threshold); its key is a hash of the matter, so no flat number sits in a key. Plain Python over the store.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from lobby.catalog import Catalog
from lobby.months import month_bounds, shift_month
from lobby.policy import REPEAT_THRESHOLDS, WINDOW_MONTHS
from lobby.requests import ServiceRequest

if TYPE_CHECKING:
    from lobby.storage import Store

CANCELLED = "cancelled"  # a cancelled request is no repeat of anything


def _normal(value: str) -> str:
    return value.replace(" ", "").lower()


def unit_key(request: ServiceRequest) -> tuple[str, str]:
    """The flat, normalised: "3 栋" and "3栋" are the same flat."""
    return _normal(request.fields.get("building", "")), _normal(request.fields.get("unit", ""))


def matter(request: ServiceRequest, shared: frozenset[str]) -> tuple[str, str, str] | None:
    """(building, unit, category) of the request's matter, the unit left out for a shared place; None
    when the request names no place."""
    building, unit = unit_key(request)
    category = request.fields.get("category", "")
    if category in shared:
        unit = ""
    if not (building or unit):
        return None
    return building, unit, category


def place_key(catalog: Catalog, request: ServiceRequest) -> str | None:
    """The ``ByPlace`` key of a request whose kind counts repeats, else None (the index stays sparse)."""
    kind = catalog.kinds.get(request.kind)
    if kind is None or request.kind not in REPEAT_THRESHOLDS:
        return None
    found = matter(request, kind.shared_categories)
    if found is None:
        return None
    text = "|".join((request.kind, *found))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def window_start(catalog: Catalog, received_at: datetime) -> datetime:
    """The first instant of the repeat window of a request received at ``received_at``: the start of the
    month two before its own, as the monthly report counts."""
    local = received_at.astimezone(ZoneInfo(catalog.property.time_zone))
    label = shift_month(f"{local.year:04d}-{local.month:02d}", -(WINDOW_MONTHS - 1))
    return month_bounds(label, catalog.property.time_zone)[0]


def earlier_repeats(store: Store, catalog: Catalog, request: ServiceRequest) -> tuple[str, ...]:
    """The earlier requests of the same matter within the window, oldest first, when with this one they
    reach the kind's threshold; else ()."""
    threshold = REPEAT_THRESHOLDS.get(request.kind)
    place = place_key(catalog, request)
    if threshold is None or place is None:
        return ()
    from lobby.storage import StoreUnavailable

    try:
        found = store.received_at_place(place, window_start(catalog, request.received_at))
    except StoreUnavailable:
        return ()  # the flag is lost, never the request: the monthly report still counts the repeat
    earlier = [
        reference
        for reference, received_at, status in found
        if status != CANCELLED and reference != request.reference and received_at <= request.received_at
    ]
    return tuple(earlier) if len(earlier) + 1 >= threshold else ()
