"""Lambda entry point of the daily digest (EventBridge Scheduler, 08:30 in the property's time zone): wiring only.

"Now" is the event's ``time``, so a retried or replayed invocation acts as of its scheduled morning.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from msgspec.structs import asdict

from lobby import metrics
from lobby.catalog import load_catalog
from lobby.office_digest import run_digest
from lobby.service import open_store
from lobby.settings import get_settings
from schedules import scheduled_time

logger = Logger(service="lobby")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    catalog, settings = load_catalog(), get_settings()
    now = scheduled_time(event)
    report = run_digest(open_store(catalog, settings), catalog, now, settings.office_robots)
    logger.info("digest run", extra={"at": now.isoformat(), **asdict(report)})
    # Every morning: the alarm watches this count, raised while a year is unknown, cleared once it is added.
    metrics.emit(metrics.CALENDAR_YEAR_UNKNOWN, len(report.unknown_years), settings.table_name)
    if report.unknown_years:
        # Until an administrator adds the arrangement (see the administrators' handbook); the run has
        # queued the day's e-mail to the administrator.
        logger.error("calendar year unknown", extra={"unknown_years": report.unknown_years})
    return asdict(report)
