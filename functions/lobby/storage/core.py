"""The table's core: the client, the item codec, the store's two errors, and the base every part builds on.

The rest of the package (``lobby.storage``) adds one concern each: requests and their history, the
outbox queue, counters, the scheduler's and reports' queries. See infra/README.md for the key design.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from lobby import keys
from lobby.outbox import Message
from lobby.requests import Event, ServiceRequest, parse_iso, utc_iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

P = ParamSpec("P")
R = TypeVar("R")

Addresser = Callable[[ServiceRequest, Event], list[Message]]


class StoreUnavailable(Exception):
    """The table could not take the write (throttled or unreachable) and nothing was stored."""


class StaleRequest(Exception):
    """The request changed since it was read, or the one-time link was already used; nothing was stored."""


@cache
def dynamodb_client() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb")


@cache
def _codec() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    serializer, _ = _codec()
    return {key: serializer.serialize(value) for key, value in data.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    _, deserializer = _codec()
    return {key: deserializer.deserialize(value) for key, value in item.items()}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def iso_or_none(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment else None


def parse_or_none(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; ratings are small integers."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return int(value)
    return value


def is_throttle(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
    return code in {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }


def translating_outages(method: Callable[P, R]) -> Callable[P, R]:
    """A throttled, unreachable or timed-out table becomes StoreUnavailable: the resident is told to try
    again (503), never shown a bare 500. Only the resident-facing reads and writes need this."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from botocore.exceptions import ClientError, HTTPClientError

        try:
            return method(*args, **kwargs)
        except HTTPClientError as error:  # timeouts and broken connections, once botocore's retries are spent
            raise StoreUnavailable(type(error).__name__) from error
        except ClientError as error:
            if is_throttle(error):
                raise StoreUnavailable(error.response.get("Error", {}).get("Code", "throttled")) from error
            raise

    return wrapper


class Table:
    """One property's share of the table: the client, its configuration, and paged queries."""

    def __init__(
        self,
        table_name: str,
        property_id: str,
        client: DynamoDBClient | None = None,
        retention_days: int = 730,
        planner: Callable[[ServiceRequest], datetime | None] | None = None,
        contact_keyer: Callable[[str], str | None] | None = None,
        addresser: Addresser | None = None,
        placer: Callable[[ServiceRequest], str | None] | None = None,
    ) -> None:
        self.table_name = table_name
        # When the scheduler must next look at a request (the Agenda index); see lobby.scheduled_steps.
        self.planner = planner or (lambda request: request.current_due)
        # The ByContact index key of a phone number: a keyed hash (lobby.limits.keyed). Without a
        # keyer a request has no ByContact entry: a bare hash of a phone number is never stored.
        self.contact_keyer = contact_keyer
        # The messages a history event causes (lobby.notifications.messages_for): queued with the event, atomically.
        self.addresser = addresser or (lambda request, event: [])
        # The ByPlace index key of a request's matter (lobby.repeats.place_key); None keeps it off the index.
        self.placer = placer or (lambda request: None)
        self.items_read = 0  # items returned by queries, for the scheduler's benchmark
        self.property_id = property_id
        self.retention_days = retention_days
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = dynamodb_client()
        return self._client

    def request_pk(self, reference: str) -> str:
        return keys.request_pk(self.property_id, reference)

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs = {"TableName": self.table_name, **kwargs}
        while True:
            page = self.client.query(**kwargs)
            self.items_read += page.get("ScannedCount", len(page.get("Items", [])))
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
