"""The desk's items in the table: pending sign-ins (with the outbox item that mails the link) and
sessions. Like ``lobby.storage``, the only code here that touches DynamoDB; it shares the Store's
client, table and property (infra/README.md lists the keys).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct

from lobby import keys
from lobby.outbox import Message
from lobby.requests import parse_iso, utc_iso
from lobby.storage import Store, from_item, to_item

SIGNIN_SK = "SIGNIN"
SESSION_SK = "SESSION"
# How long TTL keeps a sign-in and its outbox item after the link's end (for the outbox page).
SIGNIN_KEPT = timedelta(days=1)


class PendingSignIn(Struct, frozen=True):
    nonce: str
    email: str
    requested_at: datetime
    expires: datetime


class StoredSession(Struct, frozen=True):
    session_hash: str
    email: str
    csrf: str
    created_at: datetime
    expires: datetime


class DeskStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _key(self, pk: str, sk: str) -> dict[str, Any]:
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    def _read(self, pk: str, sk: str) -> dict[str, Any] | None:
        store = self.store
        item = store.client.get_item(TableName=store.table_name, Key=self._key(pk, sk), ConsistentRead=True)
        return item.get("Item")

    # sign-in ----------------------------------------------------------------------------------------------
    def add_sign_in(self, pending: PendingSignIn, message: Message, now: datetime) -> None:
        """The pending sign-in and the message that mails its link, in one transaction."""
        store = self.store
        pk = keys.signin_pk(store.property_id, pending.nonce)
        kept = pending.expires + SIGNIN_KEPT
        item = to_item(
            {
                "PK": pk,
                "SK": SIGNIN_SK,
                "type": "signin",
                "email": pending.email,
                "requested_at": utc_iso(pending.requested_at),
                "expires": utc_iso(pending.expires),
                "expires_at": int(kept.timestamp()),
            }
        )
        outbox = store.outbox_item(pk, keys.outbox_sk(pending.nonce, message.role), message, now, kept)
        store.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": store.table_name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {"Put": {"TableName": store.table_name, "Item": outbox}},
            ]
        )

    def get_sign_in(self, nonce: str) -> PendingSignIn | None:
        item = self._read(keys.signin_pk(self.store.property_id, nonce), SIGNIN_SK)
        return _pending(nonce, item) if item else None

    def take_sign_in(self, nonce: str) -> PendingSignIn | None:
        """Remove a pending sign-in and return it; None when it was already used (or never was)."""
        from botocore.exceptions import ClientError

        store = self.store
        try:
            response = store.client.delete_item(
                TableName=store.table_name,
                Key=self._key(keys.signin_pk(store.property_id, nonce), SIGNIN_SK),
                ConditionExpression="attribute_exists(PK)",
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return _pending(nonce, response["Attributes"])

    # sessions ---------------------------------------------------------------------------------------------
    def add_session(self, session: StoredSession) -> None:
        store = self.store
        store.client.put_item(
            TableName=store.table_name,
            Item=to_item(
                {
                    "PK": keys.session_pk(store.property_id, session.session_hash),
                    "SK": SESSION_SK,
                    "type": "session",
                    "email": session.email,
                    "csrf": session.csrf,
                    "created_at": utc_iso(session.created_at),
                    "expires": utc_iso(session.expires),
                    "expires_at": int(session.expires.timestamp()),  # TTL removes it some time after
                }
            ),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def get_session(self, session_hash: str) -> StoredSession | None:
        item = self._read(keys.session_pk(self.store.property_id, session_hash), SESSION_SK)
        if not item:
            return None
        data = from_item(item)
        return StoredSession(
            session_hash=session_hash,
            email=data["email"],
            csrf=data["csrf"],
            created_at=parse_iso(data["created_at"]),
            expires=parse_iso(data["expires"]),
        )

    def remove_session(self, session_hash: str) -> None:
        store = self.store
        store.client.delete_item(
            TableName=store.table_name,
            Key=self._key(keys.session_pk(store.property_id, session_hash), SESSION_SK),
        )


def _pending(nonce: str, item: dict[str, Any]) -> PendingSignIn:
    data = from_item(item)
    return PendingSignIn(
        nonce=nonce,
        email=data["email"],
        requested_at=parse_iso(data["requested_at"]),
        expires=parse_iso(data["expires"]),
    )
