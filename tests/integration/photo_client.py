"""Photos for the integration tests: the bucket in moto, a repair filed, a browser's presigned POST
through S3's checks (devstack.s3post), a form's multipart post, the photo function run on an upload."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from devstack.s3post import check_post, object_created
from lobby import clock
from tests.integration.conftest import (
    REGION,
    Aws,
    LambdaContext,
    call_api,
    http_event,
    post_json,
    repair_fields,
)

BUCKET = "lobby-photos-test"
BOUNDARY = "----lobbyphotos"


@pytest.fixture
def photos(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("PHOTO_BUCKET", BUCKET)
    from lobby import photos as module
    from lobby.settings import get_settings

    get_settings.cache_clear()
    module.s3_client.cache_clear()
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    clock.set_time(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    yield s3
    clock.set_time(None)
    module.s3_client.cache_clear()


def secret_key() -> str:
    """The secret key of moto's account, which S3 checks a POST's signature with."""
    credentials = boto3.Session().get_credentials()
    assert credentials is not None
    return str(credentials.secret_key)


def keys(s3: Any) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


_filed = itertools.count(1)


def file_repair(lang: str = "zh") -> dict[str, Any]:
    description = f"厨房水龙头一直滴水，关不紧（第 {next(_filed)} 处）。"  # another request, not a repeat
    response = post_json("/api/requests/repair", repair_fields(lang=lang, description=description))
    assert response.status == 201, response.body
    receipt = response.json()
    assert receipt["photos_url"].startswith("/api/photos/")
    return receipt


def ask_uploads(photos_url: str, *files: tuple[str, int], lang: str = "zh") -> Any:
    payload = {"lang": lang, "files": [{"type": kind, "size": size} for kind, size in files]}
    return post_json(f"{photos_url}/uploads", payload)


def browser_post(
    s3: Any, upload: dict[str, Any], data: bytes, *, now: datetime | None = None, **changed: str
) -> str:
    """Post ``data`` as a browser would with the presigned POST, through S3's checks; run the function."""
    form = {**upload["fields"], **changed}
    key = check_post(BUCKET, form, len(data), now or clock.now(), secret_key(), REGION)
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=form["Content-Type"])
    run_photo_function(key, len(data))
    return key


def run_photo_function(key: str, size: int) -> dict[str, Any]:
    from photos.app import lambda_handler

    return lambda_handler(object_created(BUCKET, key, size, REGION), LambdaContext())


def multipart(files: list[tuple[str, str, bytes]], lang: str = "zh") -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="lang"\r\n\r\n{lang}\r\n'.encode()]
    for filename, content_type, data in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_multipart(path: str, body: bytes, accept_language: str = "zh-CN") -> Any:
    event = http_event(
        "POST",
        path,
        body=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"accept": "text/html", "accept-language": accept_language},
        base64_body=True,
    )
    return call_api(event)


def history(aws: Aws, reference: str) -> list[dict[str, Any]]:
    return [
        item
        for item in aws.items()
        if item["SK"]["S"].startswith("EVENT#") and item["reference"]["S"] == reference
    ]


def events_of(aws: Aws, reference: str) -> list[str]:
    return sorted(item["event"]["S"] for item in history(aws, reference))
