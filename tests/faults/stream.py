"""Deliver the table's stream to the sender (the notify function) the way Lambda does, including its
retries, and run its retry schedule on a simulated clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from devstack.stream import matches
from tests.integration.conftest import Aws, LambdaContext


def history_records(aws: Aws) -> list[dict[str, Any]]:
    """Every record on the stream from its start that the template's filter passes to the sender
    (new outbox items, closing history events).

    Reading from the start each time is how a retried batch looks: the same records again.
    """
    props = aws.template["Resources"]["NotifyFunction"]["Properties"]
    stream = next(event for event in props["Events"].values() if event["Type"] == "DynamoDB")["Properties"]
    patterns = [json.loads(item["Pattern"]) for item in stream["FilterCriteria"]["Filters"]]
    aws._shard_iterators.clear()
    records = aws.stream_records()
    return [record for record in records if any(matches(p, record) for p in patterns)]


def deliver(records: list[dict[str, Any]]) -> list[str]:
    """Invoke the notify function with one batch; return the sequence numbers it reported failed."""
    from notify.app import lambda_handler

    result = lambda_handler({"Records": records}, cast(Any, LambdaContext()))
    return [failure["itemIdentifier"] for failure in result.get("batchItemFailures") or []]


def outbox_states(aws: Aws) -> dict[tuple[str, str], str]:
    """Each outbox item's state by (reference, recipient role)."""
    return {(item.get("reference", ""), item["role"]): item["state"] for item in aws.outbox().values()}


class Clock:
    """A simulated clock for the sender: its stream handler and its retry schedule read this time."""

    def __init__(self, monkeypatch: Any, start: datetime | None = None) -> None:
        from lobby import clock

        self.now = (start or datetime.now(UTC)).replace(microsecond=0)  # the table keeps whole seconds
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def run_schedule(self, aws: Aws) -> dict[str, Any]:
        """One run of the sender's retry schedule, at this clock's time."""
        return aws.outbox_run(self.now)


def mails_to(aws: Aws, address: str, reference: str) -> int:
    """How many e-mails about one request went to one address."""
    return sum(1 for mail in aws.sent() if address in mail.to and f"[{reference}]" in mail.subject)
