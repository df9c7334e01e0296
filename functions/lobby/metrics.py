"""CloudWatch metrics as embedded-metric log lines: no client, no call, one line on standard output.

Lambda's log pipeline turns each line into a data point of ``Lobby/<name>`` with the ``Table``
dimension; the alarms in template.yaml watch these names.
"""

from __future__ import annotations

import json
import time
from typing import Any

NAMESPACE = "Lobby"
OUTBOX_PARKED = "OutboxParked"  # an outbox item parked after a day of failed tries
CALENDAR_YEAR_UNKNOWN = "CalendarYearUnknown"  # years the office works in whose holidays nobody typed


def emit(name: str, value: int, table: str, **properties: Any) -> None:
    """One data point of ``name`` (a count), with ``properties`` logged beside it (never personal data)."""
    print(
        json.dumps(
            {
                "_aws": {
                    "Timestamp": int(time.time() * 1000),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": NAMESPACE,
                            "Dimensions": [["Table"]],
                            "Metrics": [{"Name": name, "Unit": "Count"}],
                        }
                    ],
                },
                "Table": table,
                name: value,
                **properties,
            }
        ),
        flush=True,
    )
