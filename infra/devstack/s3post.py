"""S3's part of a browser upload, for the local stack: the POST policy check and the upload event.

moto stores a POSTed object without reading its policy, and sends no event notifications to Lambda.
The local front plays S3's part instead: a presigned POST (``lobby.photos``) is checked here as S3
checks it (the signature over the policy, its expiry, every condition, every form field covered by
one), then the object is stored in moto and the photo function is called with the S3 event the
bucket's notification would send.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Fields S3 does not ask a policy condition for.
UNCOVERED = {"policy", "x-amz-signature", "file"}


class PostRefused(Exception):
    """S3's answer to a POST it refuses: its HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def _denied(message: str) -> PostRefused:
    return PostRefused(403, "AccessDenied", message)


def _signing_key(secret_key: str, day: str, region: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _matches(condition: Any, fields: Mapping[str, str], size: int) -> bool:
    if isinstance(condition, dict):
        return all(fields.get(name.lower()) == str(value) for name, value in condition.items())
    if not isinstance(condition, list) or len(condition) != 3:
        return False
    operator, name, value = condition
    if operator == "content-length-range":
        return int(name) <= size <= int(value)
    field = fields.get(str(name).lstrip("$").lower())
    if field is None:
        return False
    if operator == "eq":
        return field == str(value)
    if operator == "starts-with":
        return field.startswith(str(value))
    return False


def _covered(condition: Any) -> set[str]:
    if isinstance(condition, dict):
        return {name.lower() for name in condition}
    if isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
        return {str(condition[1]).lstrip("$").lower()}
    return set()


def check_post(
    bucket: str, form: Mapping[str, str], size: int, now: datetime, secret_key: str, region: str
) -> str:
    """The key a POST may store its ``size`` bytes under; PostRefused as S3 would answer otherwise."""
    fields = {name.lower(): value for name, value in form.items()} | {"bucket": bucket}
    encoded = fields.get("policy", "")
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        conditions = list(policy["conditions"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    credential = fields.get("x-amz-credential", "").split("/")
    if len(credential) != 5 or fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        raise _denied("Invalid according to Policy: Policy Condition failed: x-amz-credential")
    expected = hmac.new(_signing_key(secret_key, credential[1], region), encoded.encode(), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), fields.get("x-amz-signature", "")):
        raise _denied("The request signature we calculated does not match the signature you provided.")
    if now.astimezone(UTC) >= expires:
        raise _denied("Invalid according to Policy: Policy expired.")
    for condition in conditions:
        if not _matches(condition, fields, size):
            if isinstance(condition, list) and condition and condition[0] == "content-length-range":
                raise PostRefused(
                    400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
                )
            raise _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")
    covered = set().union(*(_covered(condition) for condition in conditions)) | {"bucket"}
    extra = sorted(
        name for name in fields if name not in covered | UNCOVERED and not name.startswith("x-ignore-")
    )
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {extra[0]}")
    return fields["key"]


def object_created(bucket: str, key: str, size: int, region: str) -> dict[str, Any]:
    """The event S3 sends a function on ``s3:ObjectCreated:*`` (one record)."""
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size},
                },
            }
        ]
    }
