"""Requests and their history: the request and event items, reads, and the atomic writes that change a
request together with its history event, its one-time link and the messages it causes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lobby import keys
from lobby.policy import DEDUPE_WINDOW_SECONDS
from lobby.requests import Event, ServiceRequest, parse_iso, utc_iso
from lobby.storage.core import (
    StaleRequest,
    StoreUnavailable,
    epoch,
    from_item,
    is_throttle,
    iso_or_none,
    parse_or_none,
    plain,
    to_item,
    translating_outages,
)
from lobby.storage.outbox_queue import OutboxQueue

NO_DEADLINE = "9999-12-31T23:59:59Z"


class Requests(OutboxQueue):
    """Requests, their history and the messages queued with each change."""

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
            "owner_verified": request.owner_verified,
            "owner_email": request.owner_email,
            "acknowledged_at": iso_or_none(request.acknowledged_at),
            "resolved_at": iso_or_none(request.resolved_at),
            "closed_at": iso_or_none(request.closed_at),
            "paused_at": iso_or_none(request.paused_at),
            "reopen_count": request.reopen_count,
            "rating": request.rating,
            "version": request.version,
            "follow_up_due": iso_or_none(request.follow_up_due),
            "follow_up_selected": request.follow_up_selected,
            "arrive_due": iso_or_none(request.arrive_due),
            "sized": request.sized or None,
            "spot_checks": list(request.spot_checks) or None,
            "spot_check_due": iso_or_none(request.spot_check_due),
            "spot_check_results": request.spot_check_results or None,
            "repeats": list(request.repeats) or None,
            "follow_ups_after": [utc_iso(due) for due in request.follow_ups_after] or None,
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
            data["expires_at"] = epoch(request.closed_at + timedelta(days=self.retention_days))
        if request.is_open:
            due = utc_iso(request.current_due) if request.current_due else NO_DEADLINE
            data["GSI1PK"] = keys.office_queue_pk(prop, request.office)
            data["GSI1SK"] = keys.at_key(due, request.reference)
        place = self.placer(request)
        if place:
            data["GSI3PK"] = keys.place_pk(prop, place)
            data["GSI3SK"] = keys.at_key(received, request.reference)
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
            owner_verified=data.get("owner_verified"),
            owner_email=data.get("owner_email"),
            acknowledged_at=parse_or_none(data.get("acknowledged_at")),
            resolved_at=parse_or_none(data.get("resolved_at")),
            closed_at=parse_or_none(data.get("closed_at")),
            paused_at=parse_or_none(data.get("paused_at")),
            reopen_count=int(data.get("reopen_count", 0)),
            rating=plain(data.get("rating")),
            version=int(data.get("version", 0)),
            follow_up_due=parse_or_none(data.get("follow_up_due")),
            follow_up_selected=data.get("follow_up_selected"),
            arrive_due=parse_or_none(data.get("arrive_due")),
            sized=bool(data.get("sized", False)),
            spot_checks=tuple(data.get("spot_checks") or ()),
            spot_check_due=parse_or_none(data.get("spot_check_due")),
            spot_check_results=dict(plain(data.get("spot_check_results") or {})),
            repeats=tuple(data.get("repeats") or ()),
            follow_ups_after=tuple(parse_iso(due) for due in data.get("follow_ups_after") or ()),
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
        if item and int(item["expires_at"]["N"]) > epoch(now):
            return item["reference"]["S"]
        return None

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
            "expires_at": {"N": str(epoch(now) + DEDUPE_WINDOW_SECONDS)},
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
                            "ExpressionAttributeValues": {":now": {"N": str(epoch(now))}},
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
            if is_throttle(error):
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
        from botocore.exceptions import ClientError
        from msgspec.structs import replace

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
            if is_throttle(error):
                raise StoreUnavailable(code or "throttled") from error
            raise

    def save_request(self, before: ServiceRequest, after: ServiceRequest) -> None:
        """Store a request change that records no history (the monthly sample's choice), version-checked."""
        from botocore.exceptions import ClientError
        from msgspec.structs import replace

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

    @translating_outages
    def add_event(self, request: ServiceRequest, event: Event) -> None:
        """A history line that changes nothing else about the request (a photo checked, say), with the
        messages it causes."""
        self.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self.table_name, "Item": self.event_item(request.reference, event)}},
                *self._queued_with(request, event, event.at),  # type: ignore[list-item]
            ]
        )

    @translating_outages
    def link_used(self, reference: str, nonce: str) -> bool:
        item = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": self.request_pk(reference)}, "SK": {"S": keys.link_sk(nonce)}},
            ConsistentRead=True,
        ).get("Item")
        return item is not None

    def get_event(self, reference: str, sort_key: str) -> Event | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": self.request_pk(reference)}, "SK": {"S": sort_key}},
            ConsistentRead=True,
        ).get("Item")
        return self.event_from_item(item) if item else None
