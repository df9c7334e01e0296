"""The outbox queue: outbox items, queued with the change that causes them or on their own (digests,
reports), and the conditional steps of the delivery protocol (claim, sent, retry, park, requeue); see
lobby.outbox for what an item holds and lobby.sender for the protocol."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from lobby import keys
from lobby.outbox import PARKED, PENDING, PROMPT_GRACE, SENDING, SENT, Message, OutboxItem
from lobby.requests import Event, ServiceRequest, parse_iso, utc_iso
from lobby.storage.core import Table, epoch, from_item, iso_or_none, parse_or_none, to_item

# Outbox items of digests and monthly reports belong to no request; TTL removes them after this long.
MARKER_LIFETIME = timedelta(days=400)


class OutboxQueue(Table):
    """Outbox items and the delivery protocol's conditional writes."""

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
                "at": iso_or_none(message.at),
                "state": PENDING,
                "attempts": 0,
                "queued_at": utc_iso(now),
                "next_at": utc_iso(next_at),
                "GSI2PK": keys.outbox_due_pk(self.property_id),
                "GSI2SK": utc_iso(next_at),
                "expires_at": epoch(expires_at) if expires_at else None,
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
                at=parse_or_none(data.get("at")),
            ),
            state=data["state"],
            attempts=int(data.get("attempts", 0)),
            queued_at=parse_iso(data["queued_at"]),
            next_at=parse_or_none(data.get("next_at")),
            claimed_at=parse_or_none(data.get("claimed_at")),
            error=data.get("error"),
            retry_until=parse_or_none(data.get("retry_until")),
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
