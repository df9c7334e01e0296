"""Make AWS fail on purpose: an answer from DynamoDB or SES replaced by the error it gives when
it throttles, rejects or times out, at one chosen call.

Errors are injected with botocore's ``before-call`` event, which answers a call before it is
sent; the code under test sees exactly what botocore raises once its own retries are spent.
Timeouts are raised as the ``ReadTimeoutError`` botocore raises when a connection stalls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ReadTimeoutError

THROTTLED = "ProvisionedThroughputExceededException"


def sent_parameters(request: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a call as they go over the wire (DynamoDB and SES v2 speak JSON)."""
    body = request.get("body") or b"{}"
    return dict(json.loads(body))


@dataclass
class Fault:
    """Fails the chosen calls of one operation; ``calls`` counts every call of it, failed or not."""

    operation: str
    fails: Callable[[int, dict[str, Any]], bool]  # (call number from 1, call parameters) → fail it?
    error: dict[str, Any] | None = None  # the parsed error answer, or None for a timeout
    calls: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self, model: Any, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        if model.name != self.operation:
            return None
        self.calls += 1
        parameters = sent_parameters(params)
        if not self.fails(self.calls, parameters):
            return None
        self.failed.append(parameters)
        if self.error is None:
            raise ReadTimeoutError(endpoint_url=f"https://{self.operation.lower()}.amazonaws.com/")
        status = int(self.error.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
        return AWSResponse("https://aws.invalid/", status, HTTPHeaders(), None), self.error


def error_answer(
    code: str, message: str = "injected by tests/faults", status: int = 400, **extra: Any
) -> dict[str, Any]:
    return {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }


def transaction_cancelled(*reasons: str) -> dict[str, Any]:
    """DynamoDB's answer when a TransactWriteItems is cancelled, with one reason per item."""
    return error_answer(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{', '.join(reasons)}]",
        CancellationReasons=[{"Code": reason} for reason in reasons],
    )


def always(_: int, __: dict[str, Any]) -> bool:
    return True


def on_call(*numbers: int) -> Callable[[int, dict[str, Any]], bool]:
    return lambda number, _: number in numbers


@contextmanager
def failing(client: Any, fault: Fault) -> Iterator[Fault]:
    """Inject ``fault`` into every call ``client`` makes, for the duration of the block."""
    service = client.meta.service_model.service_id.hyphenize()
    event = f"before-call.{service}.{fault.operation}"
    unique = f"lobby-fault-{id(fault)}"
    client.meta.events.register(event, fault, unique_id=unique)
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, unique_id=unique)
