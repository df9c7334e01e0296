"""What the scheduled functions read and write: the due part of the Agenda index and each reminder step
recorded once (reminders), an office's open queue (the digest), a month's requests (the report), the
earlier requests of one matter (the repeat flag), and
the expiry of a closed request's history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from lobby import keys
from lobby.requests import Event, ServiceRequest, parse_iso, utc_iso
from lobby.storage.core import epoch, translating_outages
from lobby.storage.requests import Requests


class Agenda(Requests):
    """The scheduler's and the reports' queries over the sparse indexes, never a scan."""

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

    @translating_outages
    def received_at_place(self, place: str, since: datetime) -> list[tuple[str, datetime, str]]:
        """(reference, received, status) of the requests of one matter received from ``since`` on, oldest
        first (the sparse ByPlace index, which keeps only the status besides its keys)."""
        items = self._query(
            IndexName="ByPlace",
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK >= :since",
            ExpressionAttributeValues={
                ":pk": {"S": keys.place_pk(self.property_id, place)},
                ":since": {"S": utc_iso(since)},
            },
        )
        found = []
        for item in items:
            received, reference = item["GSI3SK"]["S"].split("#", 1)
            found.append((reference, parse_iso(received), item.get("status", {}).get("S", "")))
        return found

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
                ExpressionAttributeValues={":at": {"N": str(epoch(expires_at))}},
            )
            count += 1
        return count
