"""Limits per client and per recipient: one client cannot file requests without end, and nobody can
use the desk to send receipts to a third party's address again and again.

Neither the client's address nor the e-mail address is ever stored: counters are keyed by an HMAC
of each under a key derived from the link-signing secret (:func:`lobby.links.keying_secret`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lobby.storage import Store

CLIENT_WINDOW_SECONDS = 600


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


@dataclass(frozen=True)
class Limits:
    """The limits of one submission: who sends it (the client's address, never stored) and how much."""

    secret: bytes
    client: str
    per_client: int
    per_recipient: int
    time_zone: str

    def take(self, store: Store, recipient: str | None, now: datetime) -> None:
        """Count this submission against the client and its receipt against the recipient; raise
        LimitReached (counting nothing more) when either is used up."""
        epoch = int(now.timestamp())
        window = epoch - epoch % CLIENT_WINDOW_SECONDS
        window_end = window + CLIENT_WINDOW_SECONDS
        client = f"CLIENT#{keyed(self.secret, 'client', self.client)}#{window}"
        if not store.take(client, self.per_client, window_end + CLIENT_WINDOW_SECONDS):
            raise LimitReached("client", window_end - epoch, store.mark_tripped(client, now))
        if not recipient:
            return
        local = now.astimezone(ZoneInfo(self.time_zone))
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
        address = f"RECIPIENT#{keyed(self.secret, 'recipient', recipient.lower())}#{local:%Y%m%d}"
        if not store.take(address, self.per_recipient, int(midnight.timestamp()) + 86400):
            raise LimitReached(
                "recipient", int(midnight.timestamp()) - epoch, store.mark_tripped(address, now)
            )
