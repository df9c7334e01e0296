"""Deliver the table's stream to the notify function the way Lambda does, including its retries."""

from __future__ import annotations

import json
from typing import Any, cast

from devstack.stream import matches
from tests.integration.conftest import Aws, LambdaContext


def history_records(aws: Aws) -> list[dict[str, Any]]:
    """Every history-event record on the stream from its start, filtered as template.yaml says.

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


def sequence_of(records: list[dict[str, Any]], reference: str) -> str:
    """The sequence number of the "submitted" record of one request."""
    for record in records:
        if record["dynamodb"]["NewImage"]["reference"]["S"] == reference:
            return str(record["dynamodb"]["SequenceNumber"])
    raise LookupError(reference)


def mails_to(aws: Aws, address: str, reference: str) -> int:
    """How many e-mails about one request went to one address."""
    return sum(1 for mail in aws.sent() if address in mail.to and f"[{reference}]" in mail.subject)
