"""Every key of the table, in one place (infra/README.md, "The table", explains the patterns).

One property's items all start with ``P#<property>``. A request and everything that belongs to it
(history events, used one-time links, its outbox items) share the request's partition, so a query on
it returns the whole file and TTL can retire it at once. Items that belong to no request (reference
counters, the duplicate guard, the digests and monthly reports waiting in the outbox) get their own
partitions, never a fake reference.

The sparse indexes read only what carries their key: ``Agenda`` (GSI2) holds, under separate
partitions, the requests whose next scheduled step is due and the outbox items waiting for a (re)try,
and the parked ones; ``ByOfficeDeadline`` (GSI1) the open requests; ``ByMonth`` (GSI5) every request by
the month it was received; ``ByContact`` (GSI4) requests by the keyed contact; ``ByPlace`` (GSI3) the
requests of kinds that count repeats, by the hash of their matter (lobby.repeats).
"""

from __future__ import annotations

REQUEST_SK = "REQUEST"
OUTBOX_SK_PREFIX = "OUTBOX#"
EVENT_SK_PREFIX = "EVENT#"


def property_prefix(property_id: str) -> str:
    return f"P#{property_id}"


# base table -------------------------------------------------------------------------------------------
def request_pk(property_id: str, reference: str) -> str:
    return f"{property_prefix(property_id)}#R#{reference}"


def link_sk(nonce: str) -> str:
    """A used one-time link, under its request."""
    return f"LINK#{nonce}"


def dedupe_pk(property_id: str, fingerprint: str) -> str:
    return f"{property_prefix(property_id)}#DEDUPE#{fingerprint}"


def sequence_pk(property_id: str, day_digits: str) -> str:
    """The day's reference counter (``day_digits`` is ``yyyymmdd``)."""
    return f"{property_prefix(property_id)}#SEQ#{day_digits}"


def outbox_sk(source: str, role: str) -> str:
    """An outbox item: what caused it (an event's sort key, an office, a month) and the recipient's role."""
    return f"{OUTBOX_SK_PREFIX}{source}#{role}"


def digest_pk(property_id: str, day_iso: str) -> str:
    """The partition of one day's digests (one outbox item per office)."""
    return f"{property_prefix(property_id)}#DIGEST#{day_iso}"


def limit_notice_pk(property_id: str, day_iso: str) -> str:
    """The partition of one day's notices that a limit refused its first submission (one outbox item each)."""
    return f"{property_prefix(property_id)}#LIMITNOTICE#{day_iso}"


def monthly_pk(property_id: str, month: str) -> str:
    """The partition of one month's report (``2026-11``)."""
    return f"{property_prefix(property_id)}#MONTHLY#{month}"


# indexes ----------------------------------------------------------------------------------------------
def office_queue_pk(property_id: str, office: str) -> str:
    """ByOfficeDeadline (GSI1): an office's open requests, sorted by ``<due>#<reference>``."""
    return f"{property_prefix(property_id)}#OFFICE#{office}"


def agenda_pk(property_id: str) -> str:
    """Agenda (GSI2): requests by the moment of their next scheduled step, ``<at>#<reference>``."""
    return f"{property_prefix(property_id)}#AGENDA"


def outbox_due_pk(property_id: str) -> str:
    """Agenda (GSI2), outbox partition: items waiting for their next try, sorted by its moment."""
    return f"{property_prefix(property_id)}#OUTBOX"


def outbox_parked_pk(property_id: str) -> str:
    """Agenda (GSI2), parked partition: items that failed for a whole day, sorted by when they were parked."""
    return f"{property_prefix(property_id)}#PARKED"


def contact_pk(property_id: str, contact: str) -> str:
    """ByContact (GSI4): requests by the keyed contact, never the contact itself."""
    return f"{property_prefix(property_id)}#CONTACT#{contact}"


def month_pk(property_id: str, month: str) -> str:
    """ByMonth (GSI5): requests received in a local month, sorted by ``<received>#<reference>``."""
    return f"{property_prefix(property_id)}#MONTH#{month}"


def place_pk(property_id: str, place: str) -> str:
    """ByPlace (GSI3): requests of one matter (lobby.repeats.place_key, a hash), by ``<received>#<reference>``."""
    return f"{property_prefix(property_id)}#PLACE#{place}"


def at_key(moment_iso: str, reference: str) -> str:
    """The sort key of a request in a time-ordered index."""
    return f"{moment_iso}#{reference}"


def limit_pk(property_id: str, counter: str) -> str:
    """A rate-limit counter (lobby.limits): the counter's name holds a keyed hash, never an address."""
    return f"{property_prefix(property_id)}#LIMIT#{counter}"


# the desk -----------------------------------------------------------------------------------------------
def signin_pk(property_id: str, nonce: str) -> str:
    """A pending sign-in (the nonce its e-mailed link carries) and the outbox item that sends the link."""
    return f"{property_prefix(property_id)}#SIGNIN#{nonce}"


def session_pk(property_id: str, session_hash: str) -> str:
    """A desk session, under the SHA-256 of its id: the table never holds the cookie's value."""
    return f"{property_prefix(property_id)}#SESSION#{session_hash}"
