"""The ``wecom`` and ``dingtalk`` channels of the sender (``lobby.sender.CHANNELS``): an outbox item
addressed to an office's group robot, rendered as a markdown card and posted (``lobby.robots``).

Which items: an office with a robot (``Settings.office_robots``) hears in its group of a new request,
a reopened one, a reminder that a deadline has come, passed or been escalated, and its daily digest,
one item per robot beside the e-mail's own (``chat_messages_for``, ``digest_chat_messages``): a chat
that fails never holds up or repeats the e-mail, and the other way round.

Rendering reads the request (or the office's digest) as it is now, finds the office's robot in the
parameter store and, last, takes the robot's turn for this minute: a robot that has posted its
twenty messages leaves the item waiting for its next try (``RobotBusy``), like any failed delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lobby.catalog import Catalog
from lobby.outbox import DIGEST_MESSAGE, EVENT_MESSAGE, Message
from lobby.requests import Event, ServiceRequest
from lobby.robots import MARKDOWN_BYTES, ChatPost, find_robot, post, robot_parameters, take_turn
from lobby.settings import Settings
from lobby.storage import Store

Robots = Mapping[str, tuple[str, ...]]  # office id → its robots' platforms (Settings.office_robots)

# The reminder stages a group hears of: the deadline has come, is past, or went to the director. The
# early warning and the follow-up reminders stay in e-mail.
CHAT_STAGES = frozenset({"due", "repeat", "director"})


def chat_messages_for(
    catalog: Catalog, robots: Robots, request: ServiceRequest, event: Event
) -> list[Message]:
    """The chat messages one history event causes: one per robot of the request's office, or none."""
    if event.type == "reminder":
        if event.data.get("superseded") or event.data.get("stage") not in CHAT_STAGES:
            return []
    elif event.type not in ("submitted", "reopen"):
        return []
    staff = catalog.property.staff_language
    return [
        Message(EVENT_MESSAGE, event.sort_key, platform, "office", staff, platform, request.reference)
        for platform in robots.get(request.office, ())
    ]


def digest_chat_messages(catalog: Catalog, robots: Robots, office: str, now: datetime) -> list[Message]:
    """The office's digest for each of its robots (role ``digest-<platform>``)."""
    from lobby.office_digest import DIGEST_ROLE

    staff = catalog.property.staff_language
    return [
        Message(DIGEST_MESSAGE, office, f"{DIGEST_ROLE}-{platform}", "office", staff, platform, at=now)
        for platform in robots.get(office, ())
    ]


def render_chat(
    store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime
) -> ChatPost:
    """The card of one outbox item for the robot of ``message.channel``; raises when it cannot be sent."""
    from views.chat import digest_card, event_card

    if message.message == EVENT_MESSAGE:
        assert message.reference
        request = store.get_request(message.reference)
        event = store.get_event(message.reference, message.source)
        if request is None or event is None:
            raise LookupError("the request or its event is missing")
        office = request.office
        title, markdown = event_card(catalog, settings.site_url, request, event, MARKDOWN_BYTES)
    elif message.message == DIGEST_MESSAGE:
        from lobby.office_digest import digest_of

        assert message.at is not None
        office = message.source
        digest = digest_of(store, catalog, office, message.at)
        title, markdown = digest_card(catalog, settings.site_url, digest, MARKDOWN_BYTES)
    else:
        raise ValueError(f"no chat card for {message.message}")
    robot = find_robot(robot_parameters(settings.robots_parameter_path), office, message.channel)
    take_turn(store, robot, now)
    return ChatPost(robot, title, markdown, now)


def send_chat(chat: ChatPost, settings: Settings) -> None:
    post(chat, chat.at)
