"""Lambda entry point of the reminder schedule (EventBridge Scheduler, every 15 minutes): wiring only.

"Now" is the event's ``time``, so a retried or replayed invocation acts as of its scheduled moment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from msgspec.structs import asdict

from lobby.catalog import load_catalog
from lobby.reminder_run import run_reminders
from lobby.service import open_store
from lobby.settings import get_settings
from schedules import scheduled_time

logger = Logger(service="lobby")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    catalog = load_catalog()
    now = scheduled_time(event)
    report = run_reminders(open_store(catalog, get_settings()), catalog, now)
    logger.info("reminder run", extra={"at": now.isoformat(), **asdict(report)})
    return asdict(report)
