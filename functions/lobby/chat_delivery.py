"""The ``wecom`` and ``dingtalk`` channels of the sender (``lobby.sender.CHANNELS``): an outbox item
addressed to an office's group robot, rendered as a markdown card and posted (``lobby.robots``).

Which items: an office with a robot (``Settings.office_robots``) hears in its group of a new request,
a reopened one, a reminder that a deadline has come, passed or been escalated, and its daily digest,
one item per robot beside the e-mail's own (``lobby.notifications`` decides, as for every channel): a
chat that fails never holds up or repeats the e-mail, and the other way round.

Rendering reads the request (or the office's digest) as it is now, finds the office's robot in the
parameter store and, last, takes the robot's turn for this minute: a robot that has posted its
twenty messages leaves the item waiting for its next try (``RobotBusy``), like any failed delivery.
"""

from __future__ import annotations

from datetime import datetime

from lobby.catalog import Catalog
from lobby.outbox import DIGEST_MESSAGE, EVENT_MESSAGE, Message
from lobby.robots import MARKDOWN_BYTES, ChatPost, find_robot, post, robot_parameters, take_turn
from lobby.settings import Settings
from lobby.storage import Store


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
