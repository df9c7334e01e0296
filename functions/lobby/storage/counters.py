"""Counters: the day's reference sequence and the limits' counters (per client, per recipient), whose
first refusal queues the office's notice with it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lobby import keys
from lobby.outbox import Message
from lobby.references import format_reference
from lobby.requests import utc_iso
from lobby.storage.core import StoreUnavailable, epoch, translating_outages
from lobby.storage.outbox_queue import MARKER_LIFETIME, OutboxQueue


class Counters(OutboxQueue):
    """Atomic counters: references are allocated from one, limits take from others."""

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
                ":expires": {"N": str(epoch(datetime.combine(day, datetime.min.time(), UTC)) + 5 * 86400)},
            },
            ReturnValues="UPDATED_NEW",
        )
        return format_reference(day, int(response["Attributes"]["n"]["N"]))

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
    def counts(self, counters: list[str]) -> dict[str, int]:
        """The values of some counters (at most 100), by name; a counter never taken is left out."""
        if not counters:
            return {}
        by_key = {keys.limit_pk(self.property_id, counter): counter for counter in counters}
        request = {self.table_name: {"Keys": [self._limit_key(counter) for counter in counters]}}
        found: dict[str, int] = {}
        while request:
            response = self.client.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
            for item in response.get("Responses", {}).get(self.table_name, []):
                found[by_key[item["PK"]["S"]]] = int(item.get("n", {}).get("N", "0"))
            request = response.get("UnprocessedKeys") or {}  # type: ignore[assignment]
        return found

    @translating_outages
    def mark_tripped(self, counter: str, now: datetime, notice_pk: str, notices: list[Message]) -> bool:
        """Note when a counter first refused (``tripped_at``) and queue the messages that tell the office,
        on ``notice_pk``, in one transaction; True only the first time, so the office hears once."""
        from botocore.exceptions import ClientError

        queued = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self.outbox_item(
                        notice_pk,
                        keys.outbox_sk(message.source, message.role),
                        message,
                        now,
                        expires_at=now + MARKER_LIFETIME,
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
            for message in notices
        ]
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._limit_key(counter),
                            "UpdateExpression": "SET tripped_at = :now",
                            "ConditionExpression": "attribute_exists(n) AND attribute_not_exists(tripped_at)",
                            "ExpressionAttributeValues": {":now": {"S": utc_iso(now)}},
                        }
                    },
                    *queued,  # type: ignore[list-item]
                ]
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "TransactionCanceledException":
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if reasons[:1] == ["ConditionalCheckFailed"]:
                    return False  # an earlier refusal tripped it, and told the office
                raise StoreUnavailable(code) from error
            raise
        return True
