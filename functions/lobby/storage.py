"""DynamoDB: the only module that talks to the table. See infra/README.md for the key design."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from lobby import keys
from lobby.outbox import PARKED, PENDING, PROMPT_GRACE, SENDING, SENT, Message, OutboxItem
from lobby.policy import DEDUPE_WINDOW_SECONDS
from lobby.references import format_reference
from lobby.requests import Event, ServiceRequest, parse_iso, utc_iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

P = ParamSpec("P")
R = TypeVar("R")

NO_DEADLINE = "9999-12-31T23:59:59Z"
# Outbox items of digests and monthly reports belong to no request; TTL removes them after this long.
MARKER_LIFETIME = timedelta(days=400)
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


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _iso_or_none(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment else None


def _parse_or_none(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; ratings are small integers."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return int(value)
    return value


def _is_throttle(error: Exception) -> bool:
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
            if _is_throttle(error):
                raise StoreUnavailable(error.response.get("Error", {}).get("Code", "throttled")) from error
            raise

    return wrapper


class Store:
    """Requests, their history and their outbox for one property."""

    def __init__(
        self,
        table_name: str,
        property_id: str,
        client: DynamoDBClient | None = None,
        retention_days: int = 730,
        planner: Callable[[ServiceRequest], datetime | None] | None = None,
        contact_keyer: Callable[[str], str | None] | None = None,
        addresser: Addresser | None = None,
    ) -> None:
        self.table_name = table_name
        # When the scheduler must next look at a request (the Agenda index); see lobby.schedule.
        self.planner = planner or (lambda request: request.current_due)
        # The ByContact index key of a phone number: a keyed hash (lobby.limits.keyed). Without a
        # keyer a request has no ByContact entry: a bare hash of a phone number is never stored.
        self.contact_keyer = contact_keyer
        # The messages a history event causes (lobby.outbox.messages_for): queued with the event, atomically.
        self.addresser = addresser or (lambda request, event: [])
        self.items_read = 0  # items returned by queries, for the scheduler's benchmark
        self.property_id = property_id
        self.retention_days = retention_days
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = dynamodb_client()
        return self._client

    # keys -----------------------------------------------------------------
    def request_pk(self, reference: str) -> str:
        return keys.request_pk(self.property_id, reference)

    # items ----------------------------------------------------------------
    def request_item(self, request: ServiceRequest) -> dict[str, Any]:
        prop = self.property_id
        received = utc_iso(request.received_at)
        data: dict[str, Any] = {
            "PK": self.request_pk(request.reference),
            "SK": keys.REQUEST_SK,
            "type": "request",
            "reference": request.reference,
            "kind": request.kind,
            "office": request.office,
            "status": request.status,
            "lang": request.lang,
            "fields": request.fields,
            "received_at": received,
            "acknowledge_due": utc_iso(request.acknowledge_due) if request.acknowledge_due else None,
            "resolve_due": utc_iso(request.resolve_due) if request.resolve_due else None,
            "catalog_version": request.catalog_version,
            "owner": request.owner,
            "acknowledged_at": _iso_or_none(request.acknowledged_at),
            "resolved_at": _iso_or_none(request.resolved_at),
            "closed_at": _iso_or_none(request.closed_at),
            "paused_at": _iso_or_none(request.paused_at),
            "reopen_count": request.reopen_count,
            "rating": request.rating,
            "version": request.version,
            "follow_up_due": _iso_or_none(request.follow_up_due),
            "follow_up_selected": request.follow_up_selected,
            "channel": request.channel if request.channel != "web" else None,
            "receiver": request.receiver,
            "receiver_email": request.receiver_email,
            "GSI5PK": keys.month_pk(prop, request.received_month),
            "GSI5SK": keys.at_key(received, request.reference),
        }
        phone = request.fields.get("phone", "")
        contact = self.contact_keyer(phone) if self.contact_keyer is not None and phone else None
        if contact:
            data["GSI4PK"] = keys.contact_pk(prop, contact)
            data["GSI4SK"] = received
        if request.closed_at and self.retention_days:
            data["expires_at"] = _epoch(request.closed_at + timedelta(days=self.retention_days))
        if request.is_open:
            due = utc_iso(request.current_due) if request.current_due else NO_DEADLINE
            data["GSI1PK"] = keys.office_queue_pk(prop, request.office)
            data["GSI1SK"] = keys.at_key(due, request.reference)
        agenda_at = self.planner(request)
        if agenda_at:
            data["GSI2PK"] = keys.agenda_pk(prop)
            data["GSI2SK"] = keys.at_key(utc_iso(agenda_at), request.reference)
        return to_item(data)

    def event_item(self, reference: str, event: Event) -> dict[str, Any]:
        return to_item(
            {
                "PK": self.request_pk(reference),
                "SK": event.sort_key,
                "type": "event",
                "reference": reference,
                "event": event.type,
                "at": utc_iso(event.at),
                "actor": event.actor,
                "public": event.public,
                "data": event.data or None,
            }
        )

    @staticmethod
    def request_from_item(item: dict[str, Any]) -> ServiceRequest:
        data = from_item(item)
        return ServiceRequest(
            reference=data["reference"],
            kind=data["kind"],
            office=data["office"],
            status=data["status"],
            lang=data["lang"],
            fields=dict(data.get("fields") or {}),
            received_at=parse_iso(data["received_at"]),
            acknowledge_due=parse_iso(data["acknowledge_due"]) if data.get("acknowledge_due") else None,
            resolve_due=parse_iso(data["resolve_due"]) if data.get("resolve_due") else None,
            catalog_version=data["catalog_version"],
            owner=data.get("owner"),
            acknowledged_at=_parse_or_none(data.get("acknowledged_at")),
            resolved_at=_parse_or_none(data.get("resolved_at")),
            closed_at=_parse_or_none(data.get("closed_at")),
            paused_at=_parse_or_none(data.get("paused_at")),
            reopen_count=int(data.get("reopen_count", 0)),
            rating=_plain(data.get("rating")),
            version=int(data.get("version", 0)),
            follow_up_due=_parse_or_none(data.get("follow_up_due")),
            follow_up_selected=data.get("follow_up_selected"),
            channel=data.get("channel") or "web",
            receiver=data.get("receiver"),
            receiver_email=data.get("receiver_email"),
        )

    @staticmethod
    def event_from_item(item: dict[str, Any]) -> Event:
        data = from_item(item)
        return Event(
            type=data["event"],
            at=parse_iso(data["at"]),
            actor=data["actor"],
            public=bool(data["public"]),
            data=dict(data.get("data") or {}),
            id=data["SK"].rsplit("#", 1)[-1],
        )

    # reads ----------------------------------------------------------------
    @translating_outages
    def get_request(self, reference: str) -> ServiceRequest | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": self.request_pk(reference)}, "SK": {"S": keys.REQUEST_SK}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return self.request_from_item(item) if item else None

    @translating_outages
    def history(self, reference: str) -> list[Event]:
        events: list[Event] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :event)",
            "ExpressionAttributeValues": {
                ":pk": {"S": self.request_pk(reference)},
                ":event": {"S": keys.EVENT_SK_PREFIX},
            },
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            events.extend(self.event_from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return events
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # writes ---------------------------------------------------------------
    def _dedupe_key(self, fingerprint: str) -> dict[str, Any]:
        return {"PK": {"S": keys.dedupe_pk(self.property_id, fingerprint)}, "SK": {"S": "DEDUPE"}}

    @translating_outages
    def find_duplicate(self, fingerprint: str, now: datetime) -> str | None:
        """The reference of an identical submission made within the duplicate window, if any."""
        item = self.client.get_item(
            TableName=self.table_name, Key=self._dedupe_key(fingerprint), ConsistentRead=True
        ).get("Item")
        if item and int(item["expires_at"]["N"]) > _epoch(now):
            return item["reference"]["S"]
        return None

    @translating_outages
    def allocate_reference(self, day: date) -> str:
        """The next reference of the day, from an atomic counter."""
        response = self.client.update_item(
            TableName=self.table_name,
            Key={"PK": {"S": keys.sequence_pk(self.property_id, f"{day:%Y%m%d}")}, "SK": {"S": "SEQ"}},
            UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                # Counters are only needed for their day; let TTL remove them a few days later.
                ":expires": {"N": str(_epoch(datetime.combine(day, datetime.min.time(), UTC)) + 5 * 86400)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return format_reference(day, int(response["Attributes"]["n"]["N"]))

    @translating_outages
    def create_request(self, request: ServiceRequest, event: Event, fingerprint: str, now: datetime) -> str:
        """Store a new request with its first event and the messages it causes, atomically.

        Returns the reference stored, which is an earlier request's when an identical
        submission won the race inside the duplicate window.
        """
        from botocore.exceptions import ClientError

        dedupe = {
            **self._dedupe_key(fingerprint),
            "reference": {"S": request.reference},
            "expires_at": {"N": str(_epoch(now) + DEDUPE_WINDOW_SECONDS)},
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": self.request_item(request),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": self.event_item(request.reference, event),
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": dedupe,
                            "ConditionExpression": "attribute_not_exists(PK) OR expires_at < :now",
                            "ExpressionAttributeValues": {":now": {"N": str(_epoch(now))}},
                        }
                    },
                    *self._queued_with(request, event, now),  # type: ignore[list-item]
                ]
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "TransactionCanceledException":
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if len(reasons) >= 3 and reasons[2] == "ConditionalCheckFailed":
                    winner = self.find_duplicate(fingerprint, now)
                    if winner:
                        return winner
                if any(reason in {"ThrottlingError", "TransactionConflict"} for reason in reasons):
                    raise StoreUnavailable(code) from error
            if _is_throttle(error):
                raise StoreUnavailable(code or "throttled") from error
            raise
        return request.reference

    @translating_outages
    def save_change(
        self, before: ServiceRequest, after: ServiceRequest, event: Event, once: str | None = None
    ) -> None:
        """Store a changed request with the event that records it and the messages it causes, atomically.

        The write only succeeds if nobody changed the request since ``before`` was read,
        and, with ``once``, if that one-time token was never used: otherwise StaleRequest.
        """
        from dataclasses import replace

        from botocore.exceptions import ClientError

        stored = replace(after, version=before.version + 1)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self.request_item(stored),
                    "ConditionExpression": "#version = :version OR (attribute_not_exists(#version) AND :version = :zero)",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": {
                        ":version": {"N": str(before.version)},
                        ":zero": {"N": "0"},
                    },
                }
            },
            {"Put": {"TableName": self.table_name, "Item": self.event_item(stored.reference, event)}},
            *self._queued_with(stored, event, event.at),
        ]
        if once:
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": {
                            "PK": {"S": self.request_pk(stored.reference)},
                            "SK": {"S": keys.link_sk(once)},
                            "used_at": {"S": utc_iso(event.at)},
                            "action": {"S": event.type},
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "TransactionCanceledException":
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    raise StaleRequest(stored.reference) from error
                raise StoreUnavailable(code) from error
            if _is_throttle(error):
                raise StoreUnavailable(code or "throttled") from error
            raise

    # limits ---------------------------------------------------------------
    def _limit_key(self, counter: str) -> dict[str, Any]:
        return {"PK": {"S": keys.limit_pk(self.property_id, counter)}, "SK": {"S": "LIMIT"}}

    def _update_if(self, counter: str, **update: Any) -> bool:
        """One conditional update of a limit counter; False when its condition did not hold."""
        from botocore.exceptions import ClientError

        try:
            self.client.update_item(TableName=self.table_name, Key=self._limit_key(counter), **update)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    @translating_outages
    def take(self, counter: str, limit: int, expires_at: int) -> bool:
        """Count one use of ``counter`` unless it already reached ``limit``; False when it had.
        TTL removes the counter at ``expires_at`` (epoch seconds)."""
        return self._update_if(
            counter,
            UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :expires)",
            ConditionExpression="attribute_not_exists(n) OR n < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str(expires_at)},
            },
        )

    @translating_outages
    def mark_tripped(self, counter: str, now: datetime) -> bool:
        """Note when a counter first refused; True only the first time (so the office hears once).
        The item (``tripped_at``) is what a notice to the office is made from."""
        return self._update_if(
            counter,
            UpdateExpression="SET tripped_at = :now",
            ConditionExpression="attribute_exists(n) AND attribute_not_exists(tripped_at)",
            ExpressionAttributeValues={":now": {"S": utc_iso(now)}},
        )

    @translating_outages
    def link_used(self, reference: str, nonce: str) -> bool:
        item = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": self.request_pk(reference)}, "SK": {"S": keys.link_sk(nonce)}},
            ConsistentRead=True,
        ).get("Item")
        return item is not None

    # queries ----------------------------------------------------------------
    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs = {"TableName": self.table_name, **kwargs}
        while True:
            page = self.client.query(**kwargs)
            self.items_read += page.get("ScannedCount", len(page.get("Items", [])))
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def agenda_due(self, now: datetime, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Request items whose next scheduled action is due (the sparse Agenda index; never a scan)."""
        return self._query(
            IndexName="Agenda",
            KeyConditionExpression="GSI2PK = :pk AND GSI2SK <= :now",
            ExpressionAttributeValues={
                ":pk": {"S": keys.agenda_pk(self.property_id)},
                ":now": {"S": f"{utc_iso(now)}#~"},
            },
            Limit=page_size,
        )

    def open_for_office(self, office: str) -> list[ServiceRequest]:
        """The office's open requests, earliest deadline first (the sparse ByOfficeDeadline index)."""
        items = self._query(
            IndexName="ByOfficeDeadline",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.office_queue_pk(self.property_id, office)}},
        )
        return [self.request_from_item(item) for item in items]

    def received_in_month(self, month: str) -> list[ServiceRequest]:
        """Every request received in a local month (``2026-11``), oldest first (the ByMonth index)."""
        items = self._query(
            IndexName="ByMonth",
            KeyConditionExpression="GSI5PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.month_pk(self.property_id, month)}},
        )
        return [self.request_from_item(item) for item in items]

    def record_step(self, request: ServiceRequest, event: Event, now: datetime) -> bool:
        """Write a scheduler event under its stable key, with the messages it causes, atomically;
        False when an earlier run already wrote it."""
        from botocore.exceptions import ClientError

        key = {"PK": {"S": self.request_pk(request.reference)}, "SK": {"S": event.sort_key}}
        if "Item" in self.client.get_item(
            TableName=self.table_name, Key=key, ConsistentRead=True, ProjectionExpression="PK"
        ):
            return False  # most steps a run sees were recorded by an earlier run: a read is cheaper
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": self.event_item(request.reference, event),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    *self._queued_with(request, event, now),  # type: ignore[list-item]
                ]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if reasons[:1] == ["ConditionalCheckFailed"]:
                    return False
            raise
        return True

    def move_agenda(self, request: ServiceRequest, next_at: datetime | None) -> None:
        """Point the Agenda entry at the next action, unless the request changed meanwhile."""
        from botocore.exceptions import ClientError

        values: dict[str, Any] = {":version": {"N": str(request.version)}}
        if next_at is None:
            update = "REMOVE GSI2PK, GSI2SK"
        else:
            update = "SET GSI2PK = :pk, GSI2SK = :sk"
            values[":pk"] = {"S": keys.agenda_pk(self.property_id)}
            values[":sk"] = {"S": keys.at_key(utc_iso(next_at), request.reference)}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"PK": {"S": self.request_pk(request.reference)}, "SK": {"S": keys.REQUEST_SK}},
                UpdateExpression=update,
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # A staff change rewrote the request (and its agenda) since this run read it: theirs stands.

    def save_request(self, before: ServiceRequest, after: ServiceRequest) -> None:
        """Store a request change that records no history (the monthly sample's choice), version-checked."""
        from dataclasses import replace

        from botocore.exceptions import ClientError

        stored = replace(after, version=before.version + 1)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=self.request_item(stored),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StaleRequest(stored.reference) from error
            raise

    def expire_history(self, reference: str, expires_at: datetime) -> int:
        """Let TTL remove a closed request's history and outbox items with it (quality records: 2 years)."""
        count = 0
        for item in self._query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": self.request_pk(reference)}},
            ProjectionExpression="PK, SK",
        ):
            if item["SK"]["S"] == keys.REQUEST_SK:
                continue  # the request item carries its own expiry, cleared if it is ever reopened
            self.client.update_item(
                TableName=self.table_name,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET expires_at = :at",
                ExpressionAttributeValues={":at": {"N": str(_epoch(expires_at))}},
            )
            count += 1
        return count

    # the outbox ------------------------------------------------------------
    def get_event(self, reference: str, sort_key: str) -> Event | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": self.request_pk(reference)}, "SK": {"S": sort_key}},
            ConsistentRead=True,
        ).get("Item")
        return self.event_from_item(item) if item else None

    def outbox_item(
        self, pk: str, sk: str, message: Message, now: datetime, expires_at: datetime | None = None
    ) -> dict[str, Any]:
        """A new outbox item: pending, on the outbox partition of the Agenda index for the retry schedule."""
        next_at = now + PROMPT_GRACE
        return to_item(
            {
                "PK": pk,
                "SK": sk,
                "type": "outbox",
                "message": message.message,
                "source": message.source,
                "role": message.role,
                "recipient": message.recipient,
                "lang": message.lang,
                "channel": message.channel,
                "reference": message.reference,
                "at": _iso_or_none(message.at),
                "state": PENDING,
                "attempts": 0,
                "queued_at": utc_iso(now),
                "next_at": utc_iso(next_at),
                "GSI2PK": keys.outbox_due_pk(self.property_id),
                "GSI2SK": utc_iso(next_at),
                "expires_at": _epoch(expires_at) if expires_at else None,
            }
        )

    @staticmethod
    def outbox_from_item(item: dict[str, Any]) -> OutboxItem:
        data = from_item(item)
        return OutboxItem(
            pk=data["PK"],
            sk=data["SK"],
            body=Message(
                message=data["message"],
                source=data["source"],
                role=data["role"],
                recipient=data["recipient"],
                lang=data["lang"],
                channel=data["channel"],
                reference=data.get("reference"),
                at=_parse_or_none(data.get("at")),
            ),
            state=data["state"],
            attempts=int(data.get("attempts", 0)),
            queued_at=parse_iso(data["queued_at"]),
            next_at=_parse_or_none(data.get("next_at")),
            claimed_at=_parse_or_none(data.get("claimed_at")),
            error=data.get("error"),
            retry_until=_parse_or_none(data.get("retry_until")),
        )

    def _queued_with(self, request: ServiceRequest, event: Event, now: datetime) -> list[dict[str, Any]]:
        """The transaction Puts that queue the messages an event causes (see ``addresser``)."""
        puts = []
        for message in self.addresser(request, event):
            pk, sk = self.request_pk(request.reference), keys.outbox_sk(event.sort_key, message.role)
            puts.append(
                {"Put": {"TableName": self.table_name, "Item": self.outbox_item(pk, sk, message, now)}}
            )
        return puts

    def queue_message(self, pk: str, message: Message, now: datetime) -> bool:
        """Queue a message that belongs to no request (a digest, a report) once; False if it already was."""
        from botocore.exceptions import ClientError

        sk = keys.outbox_sk(message.source, message.role)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=self.outbox_item(pk, sk, message, now, expires_at=now + MARKER_LIFETIME),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_outbox(self, pk: str, sk: str) -> OutboxItem | None:
        item = self.client.get_item(
            TableName=self.table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return self.outbox_from_item(item) if item else None

    def outbox_due(self, now: datetime, page_size: int = 100) -> Iterator[OutboxItem]:
        """Outbox items whose next try is due (the outbox partition of the sparse Agenda index; never a scan)."""
        items = self._query(
            IndexName="Agenda",
            KeyConditionExpression="GSI2PK = :pk AND GSI2SK <= :now",
            ExpressionAttributeValues={
                ":pk": {"S": keys.outbox_due_pk(self.property_id)},
                ":now": {"S": utc_iso(now)},
            },
            Limit=page_size,
        )
        return (self.outbox_from_item(item) for item in items)

    def outbox_parked(self) -> Iterator[OutboxItem]:
        """Parked outbox items, oldest first (the parked partition of the Agenda index)."""
        items = self._query(
            IndexName="Agenda",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.outbox_parked_pk(self.property_id)}},
        )
        return (self.outbox_from_item(item) for item in items)

    def _change_outbox(
        self,
        item: OutboxItem,
        state: str,
        update: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> bool:
        """One conditional step of the delivery protocol: only from ``state`` at the attempt count seen."""
        from botocore.exceptions import ClientError

        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"PK": {"S": item.pk}, "SK": {"S": item.sk}},
                UpdateExpression=update,
                ConditionExpression="#state = :from AND attempts = :seen",
                ExpressionAttributeNames={"#state": "state", **(names or {})},
                ExpressionAttributeValues={
                    ":from": {"S": state},
                    ":seen": {"N": str(item.attempts)},
                    **values,
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_outbox(self, item: OutboxItem, now: datetime) -> bool:
        """Take the right to try this item now; False when another sender has it, or it is done."""
        return self._change_outbox(
            item,
            PENDING,
            "SET #state = :sending, claimed_at = :now, attempts = :next",
            {
                ":sending": {"S": SENDING},
                ":now": {"S": utc_iso(now)},
                ":next": {"N": str(item.attempts + 1)},
            },
        )

    def outbox_sent(self, claimed: OutboxItem, now: datetime) -> bool:
        """Mark a claimed item sent, for good: it leaves the index. ``claimed`` carries the claim's count."""
        return self._change_outbox(
            claimed,
            SENDING,
            "SET #state = :sent, sent_at = :now REMOVE next_at, GSI2PK, GSI2SK",
            {":sent": {"S": SENT}, ":now": {"S": utc_iso(now)}},
        )

    def outbox_retry(self, claimed: OutboxItem, next_at: datetime, retry_until: datetime, error: str) -> bool:
        """Release a claimed item that failed, due again at ``next_at``; parked if still failing at ``retry_until``."""
        return self._change_outbox(
            claimed,
            SENDING,
            "SET #state = :pending, next_at = :next, GSI2SK = :next, retry_until = :until, #error = :error",
            {
                ":pending": {"S": PENDING},
                ":next": {"S": utc_iso(next_at)},
                ":until": {"S": utc_iso(retry_until)},
                ":error": {"S": error},
            },
            {"#error": "error"},
        )

    def outbox_park(self, item: OutboxItem, now: datetime, reason: str) -> bool:
        """Park an item (from ``item.state``) for a person: off the retry partition, onto the parked one."""
        return self._change_outbox(
            item,
            item.state,
            "SET #state = :parked, parked_at = :now, #error = :error, GSI2PK = :pk, GSI2SK = :now "
            "REMOVE next_at",
            {
                ":parked": {"S": PARKED},
                ":now": {"S": utc_iso(now)},
                ":error": {"S": reason},
                ":pk": {"S": keys.outbox_parked_pk(self.property_id)},
            },
            {"#error": "error"},
        )

    def outbox_requeue(self, item: OutboxItem, now: datetime) -> bool:
        """Put a parked item back in the queue, due now, with a new day of retries."""
        return self._change_outbox(
            item,
            PARKED,
            "SET #state = :pending, next_at = :now, GSI2PK = :pk, GSI2SK = :now REMOVE retry_until",
            {
                ":pending": {"S": PENDING},
                ":now": {"S": utc_iso(now)},
                ":pk": {"S": keys.outbox_due_pk(self.property_id)},
            },
        )
