"""The one sender: delivers outbox items (``lobby.outbox``) over their channel, each exactly once.

The protocol, the same for every message (event e-mails, reminders, digests, monthly reports):

1. **render** it over the item's channel (``CHANNELS``; e-mail today), before anything is claimed, so a
   process that dies while rendering leaves the item as it was;
2. **claim**: a conditional write takes the pending item at the attempt count seen (state ``sending``);
   whoever loses the race leaves it alone; then **send**;
3. **mark**: ``sent`` for good (the item leaves the retry index), or, on any failure, back to
   ``pending`` with its next try (``outbox.next_try``: 30 s, doubling, at most an hour), or, a day after
   its first failure, ``parked`` with the ``OutboxParked`` metric that the alarm watches.

A claim still ``sending`` after the lease belongs to a process that died mid-send: the message may
have left, so it is parked at once rather than sent a second time. The stream hands each new item to
``deliver`` within seconds; the retry schedule (``deliver_due``) reads only the items due from the
outbox partition of the sparse Agenda index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

from lobby import links, metrics
from lobby.catalog import Catalog
from lobby.channel_counts import count_delivery
from lobby.chat_delivery import render_chat, send_chat
from lobby.mail import Attachment, Mail, send, send_with_attachment
from lobby.notifications import messages_for
from lobby.outbox import (
    CALENDAR_MESSAGE,
    DIGEST_MESSAGE,
    EMAIL,
    EVENT_MESSAGE,
    LEASE,
    LIMIT_MESSAGE,
    MONTHLY_MESSAGE,
    PENDING,
    RETRY_FOR,
    SENDING,
    SIGNIN_MESSAGE,
    Held,
    Message,
    OutboxItem,
    next_try,
)
from lobby.requests import ServiceRequest
from lobby.robots import DINGTALK, WECOM
from lobby.settings import Settings
from lobby.spot_checks import LINK_PREFIX as SPOT_CHECK_LINK
from lobby.storage import Store
from lobby.text_links import PATH as TEXT_PATH
from lobby.text_links import text_key, text_token
from lobby.texts import SMS, render_text, send_text
from views.emails.events import write_event_mail
from views.receipt import status_path

PARKED_METRIC = metrics.OUTBOX_PARKED
MAYBE_SENT = "MaybeSent"  # the reason recorded for a claim left by a dead process
R = TypeVar("R")
RUN_LIMIT = 200  # items one schedule run tries; the rest wait for the next minute


class LinkUnavailable(Exception):
    """The message needs a signed link and the signing secret could not be read: try again later."""


class NothingToSay(Exception):
    """The event no longer calls for this message (the request changed before it was sent)."""


class SendReport(Struct):
    sent: int = 0
    retrying: int = 0  # failed this time, due again later
    parked: int = 0
    busy: int = 0  # claimed by another sender, or already done
    skipped: int = 0  # nothing left to say
    errors: list[str] = field(default_factory=list)  # failure codes, never messages
    outcomes: list[dict[str, str]] = field(default_factory=list)  # for the log: no address, no text

    def note(self, outcome: str, item: OutboxItem) -> None:
        body = item.body
        self.outcomes.append(
            {
                "outcome": outcome,
                "reference": body.reference or body.source,
                "role": body.role,
                "channel": body.channel,
            }
        )


# rendering ----------------------------------------------------------------------------------------------
# What a resident's message links to: their request's own page.
REQUEST_PAGE = "request"


class LinkSigner:
    """Signs the links a message needs, when it is rendered. If the secret cannot be read it answers a
    placeholder instead of failing, so a message without links (the resident's receipt) never waits for
    one that has them; a message that would carry the placeholder is not sent (``LinkUnavailable``)."""

    PLACEHOLDER = "https://unsigned.invalid/"

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.now = now
        self.failure: str | None = None

    def __call__(self, request: ServiceRequest, action: str) -> str:
        try:
            secret = links.signing_secret(self.settings.signing_secret_parameter)
        except Exception as error:  # the parameter is missing, unreadable or too short
            if action == REQUEST_PAGE:  # the resident's own page: the status form will do, never wait
                return f"{self.settings.site_url}{status_path(request.lang, request.reference)}"
            self.failure = error_code(error)
            return self.PLACEHOLDER
        if action == REQUEST_PAGE:
            # The request's own page: the short link texts carry (lobby.text_links), nothing personal in it.
            return f"{self.settings.site_url}{TEXT_PATH}{text_token(text_key(secret), request.reference)}"
        if action.startswith("photo."):  # a photo's slot (api/photos.py opens it)
            token = links.sign(secret, request.reference, action, self.now, links.STAFF_LINK_LIFETIME)
            return f"{self.settings.site_url}/api/photo/{token}"
        if action == "rate":
            token = links.sign(secret, request.reference, action, self.now, links.RESIDENT_LINK_LIFETIME)
            return f"{self.settings.site_url}/api/rate/{token}"
        if action.startswith(SPOT_CHECK_LINK):  # an office's spot check (api/spot_checks.py)
            token = links.sign(secret, request.reference, action, self.now, links.SPOT_CHECK_LINK_LIFETIME)
            return f"{self.settings.site_url}/api/spot-checks/{token}"
        token = links.sign(secret, request.reference, action, self.now, links.STAFF_LINK_LIFETIME)
        return f"{self.settings.site_url}/api/actions/{token}"

    def check(self, mail: Mail) -> None:
        if self.PLACEHOLDER in mail.text or self.PLACEHOLDER in mail.html:
            raise LinkUnavailable(self.failure or "unsigned")


def event_mail(store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime) -> Mail:
    """The e-mail of one role about one history event, rendered from the request as it is now."""
    assert message.reference
    request = store.get_request(message.reference)
    event = store.get_event(message.reference, message.source)
    if request is None or event is None:
        raise LookupError("the request or its event is missing")
    # Still owed? The request may have changed since the item was queued (passed on again, say).
    owed = messages_for(catalog, settings.office_robots, request, event)
    if not any((due.role, due.channel) == (message.role, message.channel) for due in owed):
        raise NothingToSay(message.role)
    signer = LinkSigner(settings, now)
    mail = write_event_mail(catalog, settings, request, event, message.role, signer)
    if mail is None:
        raise NothingToSay(message.role)
    signer.check(mail)
    return mail


def render_email(
    store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime
) -> tuple[Mail, Attachment | None]:
    if message.message == EVENT_MESSAGE:
        return event_mail(store, catalog, settings, message, now), None
    if message.message == SIGNIN_MESSAGE:
        return sign_in_mail(store, catalog, settings, message, now), None
    assert message.at is not None
    if message.message == DIGEST_MESSAGE:
        from lobby.office_digest import digest_mail_for

        return digest_mail_for(store, catalog, settings, message.source, message.at), None
    if message.message == MONTHLY_MESSAGE:
        from lobby.stats import monthly_mail_for

        return monthly_mail_for(store, catalog, settings, message.source, message.at)
    if message.message == LIMIT_MESSAGE:
        from lobby.limits import Trip
        from views.emails.limit_notice import limit_notice

        return limit_notice(
            catalog, settings, message.role, Trip.from_source(message.source), message.at
        ), None
    if message.message == CALENDAR_MESSAGE:
        from views.emails.calendar import calendar_mail

        mail = calendar_mail(catalog, settings, message.at)
        if mail is None:
            raise NothingToSay(message.role)  # the arrangement was added before the warning left
        return mail, None
    raise ValueError(f"unknown message {message.message}")


def sign_in_mail(store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime) -> Mail:
    """A desk sign-in link, signed now and ending when the sign-in does (15 minutes after it was asked)."""
    from desk.sessions import link_token
    from lobby.storage.desk import DeskStore
    from views.emails.signin import sign_in_mail as render_sign_in

    pending = DeskStore(store).get_sign_in(message.source)
    if pending is None:
        raise NothingToSay(message.role)  # used already, or expired and removed
    try:
        secret = links.signing_secret(settings.signing_secret_parameter)
    except Exception as error:
        raise LinkUnavailable(error_code(error)) from error
    token = link_token(secret, pending, now)
    if token is None:
        raise NothingToSay(message.role)  # the link would arrive dead
    link = f"{settings.site_url}/desk/sign-in/{token}"
    return render_sign_in(catalog, message.lang, pending.email, link, pending.expires)


class Rendered(Struct, frozen=True):
    mail: Mail
    attachment: Attachment | None = None


def send_email(rendered: Rendered, settings: Settings) -> None:
    """Hand a rendered e-mail to SES (``lobby.mail``, the only module that calls it)."""
    if rendered.attachment is None:
        send(rendered.mail, settings.sender_email)
    else:
        send_with_attachment(rendered.mail, settings.sender_email, rendered.attachment)


def render_email_message(
    store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime
) -> Rendered:
    mail, attachment = render_email(store, catalog, settings, message, now)
    return Rendered(mail, attachment)


class Channel(Struct, Generic[R], frozen=True):
    """How one channel delivers an item: render it (what the channel's ``send`` takes), then send it."""

    render: Callable[[Store, Catalog, Settings, Message, datetime], R]
    send: Callable[[R, Settings], None]


# One entry per channel: e-mail, the offices' group robots (lobby.chat_delivery), texts (lobby.texts).
CHANNELS: dict[str, Channel[Any]] = {
    EMAIL: Channel(render=render_email_message, send=send_email),
    WECOM: Channel(render=render_chat, send=send_chat),
    DINGTALK: Channel(render=render_chat, send=send_chat),
    SMS: Channel(render=render_text, send=send_text),
}


# delivery -----------------------------------------------------------------------------------------------
def error_code(error: BaseException) -> str:
    """An AWS error code, a robot's failure code or the exception's type: never its message, which may
    name an address."""
    if isinstance(getattr(error, "code", None), str):
        return str(error.code)  # type: ignore[attr-defined]
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return str(code or type(error).__name__)


def count_parked(settings: Settings, reason: str) -> None:
    """One ``OutboxParked`` data point (``lobby.metrics``), which the alarm watches."""
    metrics.emit(PARKED_METRIC, 1, settings.table_name, reason=reason)


def deliver(
    store: Store, catalog: Catalog, settings: Settings, item: OutboxItem, now: datetime, report: SendReport
) -> None:
    """Claim, send and mark one item (see the module's docstring); never raises for a failed send."""
    if item.state == SENDING and item.claimed_at is not None and item.claimed_at + LEASE <= now:
        if store.outbox_park(item, now, MAYBE_SENT):
            count_parked(settings, MAYBE_SENT)
            report.parked += 1
            report.note("parked", item)
        return
    if item.state != PENDING:
        report.busy += 1
        return
    channel = CHANNELS[item.body.channel]
    claimed = replace(item, state=SENDING, attempts=item.attempts + 1, claimed_at=now)
    try:
        rendered = channel.render(store, catalog, settings, item.body, now)
    except NothingToSay:
        if store.claim_outbox(item, now):
            store.outbox_sent(claimed, now)
            report.skipped += 1
            report.note("skipped", item)
        return
    except Exception as error:
        if store.claim_outbox(item, now):
            failed(store, settings, claimed, error, now, report)
        return
    if not store.claim_outbox(item, now):
        report.busy += 1
        return
    try:
        channel.send(rendered, settings)
    except Exception as error:
        failed(store, settings, claimed, error, now, report)
        return
    store.outbox_sent(claimed, now)
    count_delivery(store, item.body.channel, now, catalog.property.time_zone)
    report.sent += 1
    report.note("sent", item)


def failed(
    store: Store, settings: Settings, claimed: OutboxItem, error: Exception, now: datetime, report: SendReport
) -> None:
    """Release a claimed item for its next try, or park it when its day of retries is over."""
    code = error_code(error)
    if isinstance(error, Held):  # not a failure: it waits for its moment, with a day of retries from then
        store.outbox_retry(claimed, error.until, error.until + RETRY_FOR, code)
        report.retrying += 1
        report.note("held", claimed)
        return
    report.errors.append(code)
    give_up = claimed.retry_until or now + RETRY_FOR
    # A permanent refusal (a number SNS will not take) is parked at once, for a person to look at.
    next_at = None if getattr(error, "permanent", False) else next_try(claimed.attempts, give_up, now)
    if next_at is None:
        store.outbox_park(claimed, now, code)
        count_parked(settings, code)
        report.parked += 1
        report.note("parked", claimed)
    else:
        store.outbox_retry(claimed, next_at, give_up, code)
        report.retrying += 1
        report.note("failed", claimed)


def deliver_due(
    store: Store, catalog: Catalog, settings: Settings, now: datetime, limit: int = RUN_LIMIT
) -> SendReport:
    """The retry schedule: try every item whose next try is due (and park dead claims)."""
    report = SendReport()
    for count, item in enumerate(store.outbox_due(now)):
        if count >= limit:
            break
        deliver(store, catalog, settings, item, now, report)
    return report


def replay_parked(store: Store, now: datetime, reference: str | None = None) -> int:
    """Put parked items (all, or one request's) back in the queue with a new day of retries."""
    return sum(
        store.outbox_requeue(item, now)
        for item in list(store.outbox_parked())
        if reference is None or item.body.reference == reference
    )
