"""Signed action links: HMAC-SHA256 over the request, the action, the expiry and a one-time nonce.

The secret lives in SSM Parameter Store (a SecureString) and is read through
Powertools Parameters with caching; it is never in the environment or the code.
A link carries no personal data: only a reference, an action and a random nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from msgspec import Struct

# The lifetimes are the office's decision (lobby.policy); callers sign with links.<NAME>_LIFETIME.
from lobby.policy import (  # noqa: F401
    RESIDENT_LINK_LIFETIME,
    SECRET_CACHE_SECONDS,
    SPOT_CHECK_LINK_LIFETIME,
    STAFF_LINK_LIFETIME,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider


class LinkInvalid(ValueError):
    """Tampered, malformed or signed with another secret."""


class LinkExpired(ValueError):
    """Genuine, but past its expiry."""


class Link(Struct, frozen=True):
    reference: str
    action: str
    expires: int  # epoch seconds
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, reference: str, action: str, now: datetime, lifetime: timedelta) -> str:
    payload = json.dumps(
        {"r": reference, "a": action, "e": int((now + lifetime).timestamp()), "n": secrets.token_urlsafe(12)},
        separators=(",", ":"),
    ).encode()
    signature = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify(secret: bytes, token: str, now: datetime) -> Link:
    """The link a token stands for; LinkInvalid if it was altered, LinkExpired if it is too old."""
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = _unb64(payload_part), _unb64(signature_part)
    except (ValueError, binascii.Error):
        raise LinkInvalid("malformed") from None
    expected = hmac.new(secret, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise LinkInvalid("bad signature")
    try:
        data = json.loads(payload)
        link = Link(
            reference=str(data["r"]), action=str(data["a"]), expires=int(data["e"]), nonce=str(data["n"])
        )
    except (ValueError, KeyError, TypeError):
        raise LinkInvalid("bad payload") from None
    if now.timestamp() >= link.expires:
        raise LinkExpired(link.reference)
    return link


@cache
def secret_store() -> SSMProvider:
    """Powertools' SSM provider on a client of boto3's default session.

    Left to itself, Powertools builds a second boto3 session for its provider: about 30 ms of a
    cold start spent loading what the table and mail clients' session has already loaded.
    """
    import boto3
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=boto3.client("ssm"))


def signing_secret(parameter_name: str) -> bytes:
    """The signing secret, from SSM through Powertools Parameters (decrypted, cached for 5 minutes)."""
    value = secret_store().get(parameter_name, decrypt=True, max_age=SECRET_CACHE_SECONDS)
    if not value or len(value) < 32:
        raise RuntimeError("the signing secret must be at least 32 characters")
    return str(value).encode()


def keying_secret(parameter_name: str) -> bytes:
    """The key of the project's keyed hashes (the contact index, the limits' counters), derived from
    the signing secret: one secret to create and rotate, and this key signs nothing."""
    return hmac.new(signing_secret(parameter_name), b"lobby keyed hashes", hashlib.sha256).digest()
