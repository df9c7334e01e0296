"""DynamoDB: the only package that talks to the table. See infra/README.md for the key design.

One ``Store`` per property, assembled from one module per concern:

- ``core``: the client, the item codec, ``StoreUnavailable`` and ``StaleRequest``, the shared base;
- ``requests``: requests and their history, the atomic writes that change them;
- ``outbox_queue``: outbox items and the delivery protocol's conditional writes;
- ``counters``: the day's reference sequence and the limits' counters;
- ``agenda``: the scheduler's and the reports' queries (Agenda, office queues, months), expiry;
- ``desk``: the staff desk's pending sign-ins and sessions (``DeskStore``, over a ``Store``).
"""

from __future__ import annotations

from lobby.storage.agenda import Agenda
from lobby.storage.core import (
    Addresser,
    StaleRequest,
    StoreUnavailable,
    dynamodb_client,
    from_item,
    to_item,
    translating_outages,
)
from lobby.storage.counters import Counters
from lobby.storage.outbox_queue import MARKER_LIFETIME
from lobby.storage.requests import NO_DEADLINE

__all__ = [
    "MARKER_LIFETIME",
    "NO_DEADLINE",
    "Addresser",
    "StaleRequest",
    "Store",
    "StoreUnavailable",
    "dynamodb_client",
    "from_item",
    "to_item",
    "translating_outages",
]


class Store(Agenda, Counters):
    """Requests, their history and their outbox for one property."""
