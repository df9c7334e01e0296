"""Who hears of what, over which channel: the one place that decides.

A history event (or an office's daily digest, or a limit's first refusal) first gives *notices*: who
is told (the recipient kind, and the role that names them within the event), in which language, and
by which means: the office's group chats too, the resident by e-mail, by text or both. ``ROUTES``
then says which channel carries which notice, and under which role and recipient kind: each (notice,
channel) is one outbox item (``lobby.outbox.Message``), which the sender (``lobby.sender``) renders and
delivers. Nothing here renders or sends: ``views.emails`` writes each e-mail by its role,
``views.chat`` each group card, ``views.texts`` each text.

Adding a channel is one row of ``ROUTES``, plus its delivery in ``lobby.sender.CHANNELS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from msgspec import Struct

from lobby.catalog import Catalog
from lobby.lifecycle import STAFF_ACTIONS
from lobby.outbox import (
    DIGEST_MESSAGE,
    DIGEST_ROLE,
    EMAIL,
    EVENT_MESSAGE,
    LIMIT_MESSAGE,
    RESIDENT_EVENTS,
    Message,
)
from lobby.requests import Event, ServiceRequest
from lobby.robots import DINGTALK, WECOM
from lobby.spot_checks import ROLE as SPOT_CHECK_ROLE
from lobby.spot_checks import newly_drawn
from lobby.texts import NOTIFY_FIELD, SMS, TEXT, wants_texts

if TYPE_CHECKING:
    from lobby.limits import Trip

Robots = Mapping[str, tuple[str, ...]]  # office id → its group robots' platforms (Settings.office_robots)

# The reminder stages an office's group hears of: the deadline has come, is past, or went to the
# director. The early warning and the follow-up reminders stay in e-mail.
GROUP_STAGES = frozenset({"due", "repeat", "director"})
# Staff steps after which the request's owner is e-mailed the card and the next steps (views.emails.owner),
# and information the resident added on their request's page (lobby.resident_steps.INFORMATION).
OWNER_EVENTS = frozenset(STAFF_ACTIONS) | {"followed_up", "info"}
# Steps that already e-mail the office the request with its links: the owner hears of them only at their
# own address, or the office's mailbox would get the same links twice.
_OFFICE_HEARS = frozenset({"reassign", "reopen"})


class Notice(Struct, frozen=True):
    """Someone to tell, before any channel is chosen."""

    # who, within the event: office, office-reopen, office-<id>, director, reminder-<stage>, resident,
    # spot-check-<id>
    role: str
    recipient: str  # one of lobby.outbox.RECIPIENT_KINDS
    lang: str
    office: str  # the office the notice concerns: its group chats are the ones that may hear of it
    to_group: bool = False  # the office's group chats hear of it too
    by_email: bool = True  # by e-mail (a resident who chose texts only: no)
    by_text: bool = False  # by text message (a resident who chose texts and gave a mobile number)


class Route(Struct, frozen=True):
    """What one channel carries: which notices, and the role and recipient kind its items carry."""

    carries: Callable[[Notice, Robots], bool]
    role: Callable[[Notice, str], str]  # (notice, what the message is: EVENT_MESSAGE …) → the item's role
    recipient: Callable[[Notice], str]


def _named_by(channel: str) -> Callable[[Notice, str], str]:
    """The role of an item on a channel that reaches one party per event (a group, a phone): the
    channel's name for an event, ``<role>-<channel>`` for anything else (a digest)."""

    def role(notice: Notice, message: str) -> str:
        return channel if message == EVENT_MESSAGE else f"{notice.role}-{channel}"

    return role


def _group_of(platform: str) -> Route:
    """An office's group robot on ``platform``: it hears of the notices meant for groups, when the office
    has one, always as the office."""

    def carries(notice: Notice, robots: Robots) -> bool:
        return notice.to_group and platform in robots.get(notice.office, ())

    return Route(carries, _named_by(platform), recipient=lambda notice: "office")


# The channels, in the order their items are queued, and what each carries.
ROUTES: dict[str, Route] = {
    EMAIL: Route(
        lambda notice, robots: notice.by_email,
        role=lambda notice, message: notice.role,
        recipient=lambda notice: notice.recipient,
    ),
    WECOM: _group_of(WECOM),
    DINGTALK: _group_of(DINGTALK),
    SMS: Route(
        lambda notice, robots: notice.by_text, _named_by(SMS), recipient=lambda notice: notice.recipient
    ),
}


def owner_hears(request: ServiceRequest, event: Event) -> bool:
    """Whether the owner's next-step e-mail follows this step (at their address, else the office's)."""
    if event.type not in OWNER_EVENTS | _OFFICE_HEARS:
        return False
    return bool(request.owner_email) or event.type not in _OFFICE_HEARS


def event_notices(catalog: Catalog, request: ServiceRequest, event: Event) -> list[Notice]:
    """Who hears of one history event: at most one notice per role."""
    staff = catalog.property.staff_language
    office = request.office

    def to_staff(role: str, recipient: str = "office", group: bool = False) -> Notice:
        return Notice(role, recipient, staff, office, group)

    if event.type == "reminder":
        if event.data.get("superseded"):
            return []  # a later reminder of the same moment says it all
        stage = str(event.data.get("stage", ""))
        recipient = "director" if stage == "director" else "office"
        return [to_staff(f"reminder-{stage}", recipient, group=stage in GROUP_STAGES)]
    notices = [to_staff("owner", "owner")] if owner_hears(request, event) else []
    if event.type == "reassign":
        return [to_staff(f"office-{office}"), *notices]
    if event.type == "submitted":
        notices.append(to_staff("office", group=True))
    elif event.type == "photo_added" and event.data.get("notify"):
        notices.append(to_staff("office-photos"))  # the last of a batch of photos (photos/process.py)
    elif event.type == "resolve":  # each office that drew a spot check gets it as work
        notices.extend(
            Notice(f"{SPOT_CHECK_ROLE}{checker}", "office", staff, checker) for checker in newly_drawn(event)
        )
    elif event.type == "reopen":
        notices.append(to_staff("office-reopen", group=True))
        if event.data.get("via") in ("rate", "followup"):
            notices.append(to_staff("director", "director"))
    if event.type in RESIDENT_EVENTS or (event.type == "note" and event.public):
        # The resident's choice on the form (lobby.texts.notify_by): e-mail unless texts only.
        by_email = bool(request.contact_email) and request.fields.get(NOTIFY_FIELD) != TEXT
        by_text = wants_texts(request)
        if by_email or by_text:
            notices.append(
                Notice("resident", "resident", request.lang, office, by_email=by_email, by_text=by_text)
            )
    return notices


def _routed(
    notices: list[Notice],
    robots: Robots,
    message: str,
    source: str,
    reference: str | None = None,
    at: datetime | None = None,
) -> list[Message]:
    """Each notice over each channel that carries it, channel by channel: the outbox items."""
    return [
        Message(
            message,
            source,
            route.role(notice, message),
            route.recipient(notice),
            notice.lang,
            channel,
            reference=reference,
            at=at,
        )
        for channel, route in ROUTES.items()
        for notice in notices
        if route.carries(notice, robots)
    ]


def messages_for(catalog: Catalog, robots: Robots, request: ServiceRequest, event: Event) -> list[Message]:
    """Every message one history event causes, on every channel: queued with the event, atomically."""
    notices = event_notices(catalog, request, event)
    return _routed(notices, robots, EVENT_MESSAGE, event.sort_key, reference=request.reference)


def digest_messages(catalog: Catalog, robots: Robots, office: str, now: datetime) -> list[Message]:
    """An office's daily digest on every channel that carries it: its e-mail first, then its groups."""
    notice = Notice(DIGEST_ROLE, "office", catalog.property.staff_language, office, to_group=True)
    return _routed([notice], robots, DIGEST_MESSAGE, office, at=now)


def limit_messages(catalog: Catalog, trip: Trip, now: datetime) -> list[Message]:
    """The notice that a limit refused its first submission: for the office of the kind that met it (its
    groups have nothing to act on), in the staff's language; the trip is all it says."""
    office = catalog.kinds[trip.kind].office
    notice = Notice("office", "office", catalog.property.staff_language, office)
    return _routed([notice], {}, LIMIT_MESSAGE, trip.source, at=now)
