"""Lambda entry point of the photo function: wiring only.

Two kinds of record:

- **S3 ``ObjectCreated`` under ``incoming/``**: an upload (presigned POST or the API's form path).
  ``photos.clean`` judges its bytes; a clean JPEG and its thumbnail are written, the upload is
  deleted, and the request's history says a photo was added. A file that is not an accepted image
  is deleted and the history says so (the resident and the staff both see it).
- **the table stream's TTL deletions of a request** (``REMOVE`` by ``dynamodb.amazonaws.com``): the
  request's retention is over, and its photos go with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from lobby import clock, keys
from lobby.catalog import load_catalog
from lobby.photos import PhotoBucket, parse_incoming
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.storage import Store
from photos.process import process_upload

logger = Logger(service="lobby")


def _bucket(name: str | None = None) -> PhotoBucket:
    return PhotoBucket(name or get_settings().photo_bucket)


def _store() -> Store:
    return open_store(load_catalog(), get_settings())


def handle_s3(record: dict[str, Any]) -> None:
    key = unquote_plus(record["s3"]["object"]["key"])
    bucket = _bucket(record["s3"]["bucket"]["name"])
    slot = parse_incoming(key)
    if slot is None:
        logger.warning("photo key ignored")
        return
    outcome = process_upload(bucket, _store(), *slot, now=clock.now())
    logger.info("photo checked", extra={"reference": slot[0], "slot": slot[1], "outcome": outcome})


def handle_expiry(record: dict[str, Any]) -> None:
    old = (record.get("dynamodb") or {}).get("OldImage") or {}
    if old.get("SK", {}).get("S") != keys.REQUEST_SK or "reference" not in old:
        return
    reference = old["reference"]["S"]
    deleted = _bucket().delete_request(reference)
    logger.info("photos expired", extra={"reference": reference, "objects": deleted})


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    handled = 0
    for record in event.get("Records", []):
        if record.get("eventSource") == "aws:s3":
            handle_s3(record)
        elif record.get("eventSource") == "aws:dynamodb" and record.get("eventName") == "REMOVE":
            handle_expiry(record)
        handled += 1
    return {"handled": handled}
