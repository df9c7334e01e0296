"""The request record and its history events: plain data, no AWS."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from msgspec import Struct, field

from lobby.catalog import Catalog
from lobby.deadlines import arrival_due, promise
from lobby.fields import phone_digits
from lobby.validation import Submission

RECEIVED = "received"
# Every status a request can be in, in the order a request meets them (cancelled and reopened last).
STATUSES = (
    "received",
    "acknowledged",
    "in_progress",
    "waiting",
    "resolved",
    "closed",
    "cancelled",
    "reopened",
)
OPEN_STATUSES = frozenset({"received", "acknowledged", "in_progress", "waiting", "reopened"})


def utc_iso(moment: datetime) -> str:
    """UTC ISO-8601 with a Z, to the second: sorts as a string, reads as a time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Actor(Struct, frozen=True):
    """Who takes a step: the name the history records, and how it is known.

    ``verified`` is False for a name typed on a page behind an e-mailed link (anyone holding the link can
    type any name), True for the person signed in to the desk (``email``: their roster address, where
    their next-step e-mails go), None for the resident and for Lobby itself.
    """

    name: str
    verified: bool | None = None
    email: str | None = None

    @classmethod
    def typed(cls, name: str) -> Actor:
        return cls(name, verified=False)

    @classmethod
    def signed_in(cls, name: str, email: str) -> Actor:
        return cls(name, verified=True, email=email)


RESIDENT = Actor("resident")
LOBBY = Actor("lobby")


class Event(Struct, frozen=True):
    """One line of a request's history: who did what, when, and whether the resident sees it."""

    type: str
    at: datetime
    actor: str
    public: bool
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: secrets.token_hex(3))

    @property
    def actor_verified(self) -> bool | None:
        """False: a name typed on a page behind an e-mailed link, nobody signed in; True: the signed-in
        staff member; None: the resident, Lobby itself, or a step recorded before the flag existed.
        Stored as the event's ``verified`` (``Actor.verified``)."""
        value = self.data.get("verified")
        return value if isinstance(value, bool) else None

    @property
    def sort_key(self) -> str:
        return f"EVENT#{self.at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{self.id}"


class ServiceRequest(Struct, frozen=True):
    reference: str
    kind: str
    office: str
    status: str
    lang: str
    fields: dict[str, str]
    received_at: datetime
    acknowledge_due: datetime | None
    resolve_due: datetime | None
    catalog_version: str
    owner: str | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    paused_at: datetime | None = None
    reopen_count: int = 0
    rating: dict[str, Any] | None = None
    follow_up_due: datetime | None = None
    follow_up_selected: bool | None = (
        None  # sampled kinds: chosen (True) or not (False) by the monthly sample
    )
    arrive_due: datetime | None = None  # on site by (the kind's arrival limit), until work starts
    sized: bool = False  # staff have sized the job (until then its promise follows the kind's starts_as)
    spot_checks: tuple[str, ...] = ()  # the offices drawn, at resolution, to spot-check its follow-up
    spot_check_due: datetime | None = None  # the drawn checks are due with the follow-up (lobby.spot_checks)
    # office → its recorded check: reached, satisfied (when reached), note, at, by (lobby.spot_checks.record)
    spot_check_results: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Earlier requests of the same matter in the repeat window, when with this one they reach the kind's
    # threshold (lobby.repeats): found when it arrived, flagged to the office.
    repeats: tuple[str, ...] = ()
    # The follow-ups still ahead after the one due now: a long-term agreement's final visit (lobby.agreements).
    follow_ups_after: tuple[datetime, ...] = ()
    version: int = 0  # bumped by every stored change; a write expects the version it read
    # Whether the owner's name was verified (signed in) or only typed, and their roster address if signed in.
    owner_verified: bool | None = None
    owner_email: str | None = None
    # How it reached the office (web, phone, in_person, letter, government) and, for a request the desk
    # registered, who received it (接待人, the first-contact owner) with their roster address.
    channel: str = "web"
    receiver: str | None = None
    receiver_email: str | None = None

    @property
    def promised_due(self) -> datetime | None:
        """The time promised to the resident: the resolve deadline, else the first contact."""
        return self.resolve_due or self.acknowledge_due

    @property
    def current_due(self) -> datetime | None:
        """The deadline the office is working against now (none while the clock is paused or it is done).

        A pause does not excuse a promise already missed: waiting that began after the resolve deadline
        keeps it.
        """
        if self.status == RECEIVED:
            return self.acknowledge_due
        if self.status in ("acknowledged", "in_progress", "reopened"):
            return self.resolve_due
        if self.status == "waiting" and self.missed_before_pause:
            return self.resolve_due
        return None

    @property
    def missed_before_pause(self) -> bool:
        """Waiting for the resident, with the resolve deadline already missed when the wait began."""
        return bool(self.resolve_due and self.paused_at and self.paused_at >= self.resolve_due)

    @property
    def received_month(self) -> str:
        """The property's local month of receipt, ``2026-11``: the reference starts with the local date."""
        return f"{self.reference[:4]}-{self.reference[4:6]}"

    @property
    def location(self) -> str:
        return f"{self.fields.get('building', '')} {self.fields.get('unit', '')}".strip()

    @property
    def contact_email(self) -> str | None:
        return self.fields.get("email") or None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def matches_contact(self, contact: str) -> bool:
        """True when ``contact`` is the phone (either number) or the e-mail given with the request."""
        contact = contact.strip()
        if "@" in contact:
            email = self.fields.get("email", "")
            return bool(email) and secrets.compare_digest(contact.lower().encode(), email.lower().encode())
        digits = phone_digits(contact)
        if len(digits) < 7:
            return False
        phones = [phone_digits(self.fields.get(name, "")) for name in ("phone", "phone_alt")]
        # Bytes: compare_digest refuses str with non-ASCII, and a typed contact may hold any digit.
        return any(phone and secrets.compare_digest(digits.encode(), phone.encode()) for phone in phones)


def new_request(
    catalog: Catalog, submission: Submission, reference: str, received_at: datetime
) -> ServiceRequest:
    kind = submission.kind
    acknowledge_due, resolve_due = promise(catalog, kind, submission.values, received_at)
    return ServiceRequest(
        arrive_due=arrival_due(catalog, kind, submission.values, received_at),
        reference=reference,
        kind=kind.id,
        office=kind.office,
        status=RECEIVED,
        lang=submission.lang,
        fields=dict(submission.values),
        received_at=received_at.astimezone(UTC),
        acknowledge_due=acknowledge_due,
        resolve_due=resolve_due,
        catalog_version=catalog.catalog_version,
    )


def submission_fingerprint(submission: Submission) -> str:
    """Identical submissions of the same kind share a fingerprint (double clicks, retried posts)."""
    canonical = json.dumps([submission.kind.id, submission.values], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
