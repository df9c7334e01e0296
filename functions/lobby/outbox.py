"""The outbox: every message Lobby sends is first an item in the table, then delivered by one sender.

What an item holds, and why: **facts, not bodies.** An item names what to say (``message``: a history
event, a daily digest, a monthly report), to whom (``recipient`` kind and ``role``), in which language and
over which ``channel``; the sender renders it at send time (``lobby.sender``). Because of that:

- it is written in the same transaction as the change that causes it (a new request, a staff action, a
  reminder step) at the cost of one small item (about 0.4 KB, one write unit) per message, and the API
  never renders or signs anything on the resident's path;
- it carries no personal data (addresses are looked up when sending), so the outbox can be listed,
  logged and replayed freely;
- links are signed when the message leaves, with their full lifetime, and a message that needs a link
  while the signing secret cannot be read waits and is retried (the others, the resident's receipt
  among them, go out regardless: nothing in one message depends on another);
- a wording fix reaches messages still waiting. The price: a message describes the request as it is
  when it leaves, which is what today's e-mails already did.

Delivery (``lobby.sender``): claim, send, mark, each a conditional write on the item, so no message goes
out twice. A failed try waits (30 s, doubling, at most an hour) and is retried for a day from its first
failure; only then is it parked, counted in the ``OutboxParked`` metric (one alarm) and listed
for a person to replay (site/docs/operations). A claim left by a process that died while sending may
have been sent: it is never sent again automatically, it is parked at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from msgspec import Struct

RETRY_FOR = timedelta(hours=24)  # failed tries are retried this long after the first failure, then parked
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# A claim older than this belongs to a dead process (the sender's timeout is 60 s): "maybe sent".
LEASE = timedelta(minutes=5)
# The stream hands a new item to the sender within seconds; the retry schedule looks at it only
# after this grace, so the two do not race for every message.
PROMPT_GRACE = timedelta(minutes=2)

EMAIL = "email"
RECIPIENT_KINDS = ("office", "owner", "resident", "director", "administrator", "staff")

# what an item says: a history event, a daily digest, a monthly report, the calendar's daily warning,
# a limit's first refusal
EVENT_MESSAGE = "event"
DIGEST_MESSAGE = "digest"
DIGEST_ROLE = "digest"  # the role of an office's digest e-mail (its group cards: digest-<platform>)
MONTHLY_MESSAGE = "monthly"
CALENDAR_MESSAGE = "calendar"
LIMIT_MESSAGE = "limit"  # a limit refused its first submission (lobby.limits): source is the trip
SIGNIN_MESSAGE = "signin"  # a desk sign-in link (lobby.storage.desk): source is the pending sign-in's nonce

# states
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
PARKED = "parked"

# Events after which the resident hears from us (a public note too); see lobby.notifications.
RESIDENT_EVENTS = frozenset(
    {"submitted", "acknowledge", "wait", "resolve", "cancel", "reopen", "retriage", "missed"}
)


class Message(Struct, frozen=True):
    """What to send to whom, as facts; rendered when it is sent."""

    message: str  # EVENT_MESSAGE, DIGEST_MESSAGE, MONTHLY_MESSAGE or CALENDAR_MESSAGE
    source: str  # the event's sort key, the digest's office, the report's month, or the warning's day
    role: str  # the recipient's role within its source: office, resident, director, reminder-due …
    recipient: str  # one of RECIPIENT_KINDS
    lang: str
    channel: str = EMAIL
    reference: str | None = None  # the request an event message is about
    at: datetime | None = None  # the moment a digest or report describes (its schedule's time)


class OutboxItem(Struct, frozen=True):
    """A stored message with its delivery state."""

    pk: str
    sk: str
    body: Message
    state: str
    attempts: int  # tries claimed so far
    queued_at: datetime
    next_at: datetime | None  # when the next try is due (None once sent or parked)
    claimed_at: datetime | None = None
    error: str | None = None  # the last failure's code, never its message
    retry_until: datetime | None = None  # set by the first failure: a day later, the item is parked


class Held(Exception):
    """Not now: the item waits, without counting as a failure, until ``until`` (a text's quiet hours)."""

    def __init__(self, until: datetime, code: str) -> None:
        super().__init__(code)
        self.until = until
        self.code = code


def next_try(failures: int, give_up: datetime, now: datetime) -> datetime | None:
    """When to try again after ``failures`` failed tries, or None: ``give_up`` has come, park it."""
    if now >= give_up:
        return None
    wait = min(FIRST_WAIT * 2 ** min(max(failures - 1, 0), 16), LONGEST_WAIT)
    return min(now + wait, give_up)
