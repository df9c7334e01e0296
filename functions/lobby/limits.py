"""Limits per client and per recipient: one client cannot file requests without end, and nobody can
use the desk to send receipts to a third party's address again and again.

Neither the client's address nor the e-mail address is ever stored: counters are keyed by an HMAC
of each under a key derived from the link-signing secret (:func:`lobby.links.keying_secret`).

The first refusal of each counter tells the office of the kind that met it, once: an outbox item
(``lobby.notifications.limit_messages``) written in the same transaction as the counter's
``tripped_at``, saying which limit, the kind, the count and window, and when; nothing personal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from msgspec import Struct, field

from lobby import keys
from lobby.catalog import Catalog
from lobby.storage import Store

CLIENT_WINDOW_SECONDS = 600
RECIPIENT_WINDOW = timedelta(days=1)  # receipts are counted per local calendar day


class LimitReached(Exception):
    """A limit refused the submission; nothing was stored. ``retry_after`` is in seconds."""

    def __init__(self, which: str, retry_after: int, first: bool) -> None:
        super().__init__(which)
        self.which = which  # "client" or "recipient"
        self.retry_after = max(1, retry_after)
        self.first = first  # the first refusal of this counter: the office hears of it once


def keyed(secret: bytes, purpose: str, value: str) -> str:
    """A stable, non-reversible key for ``value`` (an address, a phone number) used for ``purpose``."""
    return hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()[:32]


class Trip(Struct, frozen=True):
    """A limit's first refusal, as the office is told of it: which limit, the kind of request that met
    it and the count the limit allows; never an address or a client. It is the source of the notice's
    outbox item (``source``), with a nonce that keeps two trips of the same day apart."""

    which: str  # "client" or "recipient"
    kind: str
    limit: int
    nonce: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def source(self) -> str:
        return f"{self.which}#{self.kind}#{self.limit}#{self.nonce}"

    @classmethod
    def from_source(cls, source: str) -> Trip:
        which, kind, limit, nonce = source.split("#")
        return cls(which, kind, int(limit), nonce)

    @property
    def window(self) -> timedelta:
        """The stretch of time the limit counts over."""
        return timedelta(seconds=CLIENT_WINDOW_SECONDS) if self.which == "client" else RECIPIENT_WINDOW


class Limits(Struct, frozen=True):
    """The limits of one submission: who sends it (the client's address, never stored) and how much."""

    secret: bytes
    client: str
    per_client: int
    per_recipient: int
    time_zone: str

    def take(self, store: Store, catalog: Catalog, kind: str, recipient: str | None, now: datetime) -> None:
        """Count this submission (of ``kind``) against the client and its receipt against the recipient;
        raise LimitReached (counting nothing more) when either is used up."""
        epoch = int(now.timestamp())
        window = epoch - epoch % CLIENT_WINDOW_SECONDS
        window_end = window + CLIENT_WINDOW_SECONDS
        client = f"CLIENT#{keyed(self.secret, 'client', self.client)}#{window}"
        if not store.take(client, self.per_client, window_end + CLIENT_WINDOW_SECONDS):
            trip = Trip("client", kind, self.per_client)
            raise self._refused(store, catalog, client, trip, window_end - epoch, now)
        if not recipient:
            return
        local = now.astimezone(ZoneInfo(self.time_zone))
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
        address = f"RECIPIENT#{keyed(self.secret, 'recipient', recipient.lower())}#{local:%Y%m%d}"
        if not store.take(address, self.per_recipient, int(midnight.timestamp()) + 86400):
            trip = Trip("recipient", kind, self.per_recipient)
            raise self._refused(store, catalog, address, trip, int(midnight.timestamp()) - epoch, now)

    def _refused(
        self, store: Store, catalog: Catalog, counter: str, trip: Trip, retry_after: int, now: datetime
    ) -> LimitReached:
        """Note the refusal on its counter; the first one also queues the office's notice, in the same
        write, so the office hears of each counter's trip exactly once."""
        from lobby.notifications import limit_messages

        day = now.astimezone(ZoneInfo(self.time_zone)).date().isoformat()
        notice_pk = keys.limit_notice_pk(store.property_id, day)
        first = store.mark_tripped(counter, now, notice_pk, limit_messages(catalog, trip, now))
        return LimitReached(trip.which, retry_after, first)
