"""The ``sms`` channel of the sender (``lobby.sender.CHANNELS``): text messages to residents through
Amazon SNS (``Publish`` to a phone number, transactional).

**Who gets texts.** The form asks how the resident wants to hear from the office (``notify_by``: text,
e-mail or both; text when they gave no e-mail address). A text goes to the first of their numbers
that can take one (a mainland mobile, or an international number), never to a landline. Each text
is its own outbox item beside the e-mail's (``lobby.notifications`` decides, as for every channel), so
neither waits for, nor repeats, the other.

**What a text says** (``views.texts``): one segment, its kind, what happened and a short signed link
(``lobby.text_links``) to the status page, or to the rating once the request is resolved.

**When.** Not in the quiet hours (``policy.TEXT_QUIET_FROM`` to ``TEXT_QUIET_UNTIL``, the property's
time) unless the kind is urgent: the item waits until the morning (``outbox.Held``). At most
``policy.TEXTS_PER_REQUEST_PER_DAY`` texts per request in a local day (a counter in the table); more
are left out, the e-mail and the status page still say it.

**What goes wrong.** A number that opted out (``CheckIfPhoneNumberIsOptedOut``) gets nothing and the
item is done; a number SNS refuses (``InvalidParameter``: a landline, an invalid number) is parked at
once for a person to look at; throttling and outages are retried as any delivery. Logs name the
reference and a code, never the number or the text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct

from lobby import links, policy
from lobby.catalog import Catalog
from lobby.fields import text_number as mobile
from lobby.outbox import Held, Message
from lobby.requests import ServiceRequest
from lobby.settings import Settings
from lobby.storage import Store
from lobby.text_links import PATH, RATE, STATUS, text_key, text_token

SMS = "sms"
NOTIFY_FIELD = "notify_by"
TEXT, EMAIL_ONLY, BOTH = "text", "email", "both"
PHONE_FIELDS = ("phone", "phone_alt")


class TextRefused(Exception):
    """SNS will not take this number: parked at once (``permanent``), a person looks at it."""

    permanent = True

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def notify_by(request: ServiceRequest) -> str:
    """How the resident wants to hear from the office: what they chose, else text without an e-mail."""
    chosen = request.fields.get(NOTIFY_FIELD)
    if chosen in (TEXT, EMAIL_ONLY, BOTH):
        return chosen
    return EMAIL_ONLY if request.contact_email else TEXT


def text_number(request: ServiceRequest) -> str | None:
    """The first of the resident's numbers that takes texts, in E.164 (+8613800138000), or None."""
    return next(filter(None, (mobile(request.fields.get(name, "")) for name in PHONE_FIELDS)), None)


def wants_texts(request: ServiceRequest) -> bool:
    return notify_by(request) in (TEXT, BOTH) and text_number(request) is not None


# rendering ----------------------------------------------------------------------------------------------
class TextMessage(Struct, frozen=True):
    number: str  # E.164; never logged
    body: str

    def __repr__(self) -> str:
        return "TextMessage(…)"


def text_link(settings: Settings, reference: str, action: str) -> str:
    key = text_key(links.signing_secret(settings.signing_secret_parameter))
    return f"{settings.site_url}{PATH}{text_token(key, reference, action)}"


def quiet_until(catalog: Catalog, request: ServiceRequest, now: datetime) -> datetime | None:
    """The end of the quiet hours when ``now`` is in them and the kind is not urgent, else None."""
    if catalog.kinds[request.kind].is_urgent(request.fields):
        return None
    zone = ZoneInfo(catalog.property.time_zone)
    local = now.astimezone(zone)
    start, end = policy.TEXT_QUIET_FROM, policy.TEXT_QUIET_UNTIL
    clock = local.time()
    if end <= clock < start:
        return None
    day = local.date() + (timedelta(days=1) if clock >= start else timedelta(0))
    return datetime.combine(day, end, zone)


def render_text(
    store: Store, catalog: Catalog, settings: Settings, message: Message, now: datetime
) -> TextMessage:
    """The text of one item, or why not now: ``Held`` (quiet hours), ``NothingToSay`` (opted out, over
    the day's limit, no longer wanted)."""
    from lobby.sender import NothingToSay
    from views.texts import text_body

    assert message.reference
    request = store.get_request(message.reference)
    event = store.get_event(message.reference, message.source)
    if request is None or event is None:
        raise LookupError("the request or its event is missing")
    number = text_number(request)
    if number is None or not wants_texts(request):
        raise NothingToSay("sms-not-wanted")
    held = quiet_until(catalog, request, now)
    if held is not None:
        raise Held(held, "sms-quiet-hours")
    action = RATE if event.type == "resolve" and request.status == "resolved" else STATUS
    body = text_body(catalog, request, event, text_link(settings, request.reference, action))
    if sns_client().check_if_phone_number_is_opted_out(phoneNumber=number).get("isOptedOut"):
        raise NothingToSay("sms-opted-out")
    local = now.astimezone(ZoneInfo(catalog.property.time_zone))
    tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
    counter = f"TEXTS#{request.reference}#{local:%Y%m%d}"
    if not store.take(counter, policy.TEXTS_PER_REQUEST_PER_DAY, int(tomorrow.timestamp()) + 86400):
        raise NothingToSay("sms-daily-limit")
    return TextMessage(number, body)


# sending ------------------------------------------------------------------------------------------------
@cache
def sns_client() -> Any:
    import boto3

    return boto3.client("sns")


TRANSACTIONAL: dict[str, Any] = {
    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
}


def send_text(text: TextMessage, settings: Settings) -> None:
    """Publish one text; a number SNS refuses raises ``TextRefused``, anything else is retried."""
    from botocore.exceptions import ClientError

    try:
        sns_client().publish(PhoneNumber=text.number, Message=text.body, MessageAttributes=TRANSACTIONAL)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("InvalidParameter", "InvalidParameterValue"):
            raise TextRefused("sms-invalid-number") from None
        raise
