"""Lambda entry point of the monthly statistics (EventBridge Scheduler, 08:00 on the 1st, property time): wiring only.

"Now" is the event's ``time``: the run reports on the local month before it, so a retry later that day (or
a replay) reports on the same month, and its outbox item keeps the e-mail to one.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from msgspec.structs import asdict

from lobby import links
from lobby.catalog import load_catalog
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.stats import run_monthly
from schedules import scheduled_time

logger = Logger(service="lobby")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    catalog, settings = load_catalog(), get_settings()
    now = scheduled_time(event)
    # The follow-up sample is keyed by the signing secret: reproducible by us, unguessable by whoever does the work.
    secret = links.signing_secret(settings.signing_secret_parameter)
    report = run_monthly(open_store(catalog, settings), catalog, now, secret)
    for reference in report.skipped:
        logger.warning(
            "sample decision not stored: the request kept changing", extra={"reference": reference}
        )
    logger.info("monthly run", extra={"at": now.isoformat(), **asdict(report)})
    return asdict(report)
