"""Lambda entry point of the notify function: the table stream in, e-mails out.

Each inserted history event may cause e-mails. Every e-mail is claimed with a
conditional sent-marker before it goes out, so a retried batch never sends one
twice; a failed send releases its claim and reports the record for retry.

The batch is walked by a plain loop that answers Lambda's partial-batch contract
(``batchItemFailures``, with ReportBatchItemFailures in template.yaml). Powertools'
BatchProcessor does the same, but importing it costs about 35 ms of every cold
start (it brings in asyncio and the event data classes); the loop is ten lines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from lobby import clock, links
from lobby.catalog import load_catalog
from lobby.mail import send
from lobby.notifications import mails_for
from lobby.requests import ServiceRequest
from lobby.service import open_store
from lobby.settings import Settings, get_settings
from lobby.storage import Store

logger = Logger(service="lobby")


class MailFailed(Exception):
    """SES did not take an e-mail; the record is reported for retry. Carries the error code only."""


class MailUncertain(Exception):
    """An e-mail of this event may or may not have left with a dead invocation; it is not sent again."""


# Events after which a request is closed: its whole history starts its retention period.
CLOSING_EVENTS = frozenset({"close", "cancel", "rated", "followed_up"})


def link_signer(settings: Settings, now: datetime) -> Callable[[ServiceRequest, str], str]:
    """Sign links lazily: the secret is fetched (and cached) only when an e-mail needs a link."""

    def sign(request: ServiceRequest, action: str) -> str:
        secret = links.signing_secret(settings.signing_secret_parameter)
        if action == "rate":
            token = links.sign(secret, request.reference, action, now, links.RESIDENT_LINK_LIFETIME)
            return f"{settings.site_url}/api/rate/{token}"
        token = links.sign(secret, request.reference, action, now, links.STAFF_LINK_LIFETIME)
        return f"{settings.site_url}/api/actions/{token}"

    return sign


def deliver_event(store: Store, image: dict[str, Any], now: datetime) -> int:
    """Send the e-mails one history event causes; return how many went out now."""
    event = Store.event_from_item(image)
    reference = image["reference"]["S"]
    event_sk = image["SK"]["S"]
    request = store.get_request(reference)
    if request is None:
        raise LookupError(f"event for missing request {reference}")
    catalog, settings = load_catalog(), get_settings()
    sent = 0
    uncertain: list[str] = []
    for mail in mails_for(catalog, settings, request, event, link_signer(settings, now)):
        state = store.claim_mail_state(reference, event_sk, mail.role, now)
        if state == "sent":
            logger.info("mail already sent", extra={"reference": reference, "role": mail.role})
            continue
        if state == "uncertain":
            uncertain.append(mail.role)
            continue
        try:
            send(mail, settings.sender_email)
        except Exception as error:
            store.mark_mail(reference, event_sk, mail.role, sent=False)
            # The error code only: SES's messages name the refused address.
            code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
            logger.warning("mail failed", extra={"reference": reference, "role": mail.role, "error": code})
            raise MailFailed(code) from None
        store.mark_mail(reference, event_sk, mail.role, sent=True)
        logger.info("mail sent", extra={"reference": reference, "role": mail.role, "event": event.type})
        sent += 1
    if uncertain:
        # An earlier invocation died while sending these: they may have left. Never send them twice;
        # fail the record so it is retried and, in the end, parked in the dead-letter queue for a person.
        logger.warning("mail may have been sent", extra={"reference": reference, "roles": uncertain})
        raise MailUncertain(",".join(uncertain))
    if event.type in CLOSING_EVENTS and request.closed_at:
        store.expire_history(reference, request.closed_at + timedelta(days=catalog.property.retention_days))
    return sent


def record_handler(record: dict[str, Any]) -> None:
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if not image.get("SK", {}).get("S", "").startswith("EVENT#"):
        return  # the event source filter already drops these; stay safe if it changes
    store = open_store(load_catalog(), get_settings())
    deliver_event(store, image, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    """Handle every record; report each failed one, even when all failed, so Lambda retries
    exactly those (with bisection) and, after the last retry, hands them to the on-failure queue."""
    failures = []
    for record in event.get("Records") or []:
        try:
            record_handler(record)
        except Exception as error:  # any failure is reported, never raised
            # The exception type only: a message could carry an address or a resident's words.
            logger.warning("record failed", extra={"error": type(error).__name__})
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
