"""Lambda entry point of the sender (``lobby.sender``): wiring only.

Three kinds of invocation:

- **the table stream**: each new outbox item is delivered at once; a closing history event starts its
  request's retention period. A failed send is not a failed record: the item itself waits for its
  next try in the table, so the stream never resends anything;
- **the retry schedule** (every minute, ``{"time": …}``): the items whose next try is due;
- **a replay** by an operator (``{"replay": "parked"}``, optionally with ``"reference"``): parked items
  back in the queue, then delivered (site/docs/operations).

The batch is walked by a plain loop that answers Lambda's partial-batch contract
(``batchItemFailures``, with ReportBatchItemFailures in template.yaml). Powertools'
BatchProcessor does the same, but importing it costs about 35 ms of every cold
start (it brings in asyncio and the event data classes); the loop is ten lines.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from msgspec.structs import asdict

from lobby import clock, keys
from lobby.catalog import load_catalog
from lobby.sender import SendReport, deliver, deliver_due, replay_parked
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.storage import Store
from schedules import scheduled_time

logger = Logger(service="lobby")

# Events after which a request is closed: its whole history starts its retention period.
CLOSING_EVENTS = frozenset({"close", "cancel", "rated", "followed_up"})


def record_handler(record: dict[str, Any], report: SendReport) -> None:
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    sort_key = image.get("SK", {}).get("S", "")
    catalog, settings = load_catalog(), get_settings()
    store = open_store(catalog, settings)
    now = clock.now()
    if sort_key.startswith(keys.OUTBOX_SK_PREFIX):
        deliver(store, catalog, settings, Store.outbox_from_item(image), now, report)
    elif sort_key.startswith(keys.EVENT_SK_PREFIX) and image.get("event", {}).get("S") in CLOSING_EVENTS:
        request = store.get_request(image["reference"]["S"])
        if request is not None and request.closed_at:
            expires = request.closed_at + timedelta(days=catalog.property.retention_days)
            store.expire_history(request.reference, expires)
    # anything else: the event source filter already drops it


def stream_handler(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Handle every record; report each failed one (the table was unreachable, say), even when all
    failed, so Lambda retries exactly those and, after the last retry, hands them to the on-failure queue."""
    failures = []
    report = SendReport()
    for record in records:
        try:
            record_handler(record, report)
            log_outcomes(report)
        except Exception as error:  # any failure is reported, never raised
            # The exception type only: a message could carry an address or a resident's words.
            logger.warning("record failed", extra={"error": type(error).__name__})
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    log_report("outbox delivered", report)
    return {"batchItemFailures": failures}


def log_outcomes(report: SendReport) -> None:
    """One line per message sent, failed or parked since the last call (reference, role, channel only)."""
    for outcome in report.outcomes:
        logger.info(f"mail {outcome['outcome']}", extra=outcome)
    report.outcomes.clear()


def log_report(message: str, report: SendReport, **extra: Any) -> dict[str, Any]:
    """The outcomes not yet logged, then a summary."""
    log_outcomes(report)
    summary = {key: value for key, value in asdict(report).items() if key != "outcomes"}
    logger.info(message, extra={**extra, **summary})
    return summary


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return stream_handler(event.get("Records") or [])
    catalog, settings = load_catalog(), get_settings()
    store = open_store(catalog, settings)
    now = scheduled_time(event)
    replayed = 0
    if event.get("replay") == "parked":
        reference = event.get("reference")
        replayed = replay_parked(store, now, str(reference) if reference else None)
    report = deliver_due(store, catalog, settings, now)
    summary = log_report("outbox run", report, at=now.isoformat(), replayed=replayed)
    return {"replayed": replayed, **summary}
