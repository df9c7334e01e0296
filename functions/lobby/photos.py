"""The requests' photos in their private S3 bucket: the only module that touches it.

A photo has a slot (1 to ``PHOTOS_PER_REQUEST``) under its request's reference and three keys over
its life: ``incoming/<reference>/<slot>`` as uploaded (a presigned POST from the browser, or the API
for a form without JavaScript), then, once the photo function has checked and cleaned it,
``photos/<reference>/<slot>.jpg`` and ``thumbs/<reference>/<slot>.jpg``; the upload is deleted.
Nothing else is ever written, so the bucket itself is the record of which slots are taken.

A presigned POST is for one slot of one request: its policy fixes the exact key, the content type
the browser declared, a size of at most ``PHOTO_MAX_MB`` and an expiry ``PHOTO_UPLOAD_LIFETIME``
away. S3 refuses anything else, so it cannot be reused for another request or after it expires.
People see photos only through presigned GETs that last ``PHOTO_VIEW_LIFETIME``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from typing import Any

from msgspec import Struct

from lobby.policy import PHOTO_MAX_MB, PHOTO_UPLOAD_LIFETIME, PHOTO_VIEW_LIFETIME, PHOTOS_PER_REQUEST

# What a browser may declare; the photo function judges the bytes whatever was declared.
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
INCOMING = "incoming/"
PHOTOS = "photos/"
THUMBS = "thumbs/"
_INCOMING_KEY = re.compile(r"^incoming/(?P<reference>\d{8}-\d{4,})/(?P<slot>[1-9]\d*)$")


class PhotoProblem(ValueError):
    """An upload this service refuses before storing anything; ``key`` names why (``problem.<key>``)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Upload(Struct, frozen=True):
    """Where and how a browser posts one photo: the form's action URL and its hidden fields."""

    slot: int
    url: str
    fields: dict[str, str]


class Shown(Struct, frozen=True):
    """A stored photo as people see it: short-lived links to the photo and its thumbnail."""

    slot: int
    photo_url: str
    thumbnail_url: str


def incoming_key(reference: str, slot: int) -> str:
    return f"{INCOMING}{reference}/{slot}"


def photo_key(reference: str, slot: int) -> str:
    return f"{PHOTOS}{reference}/{slot}.jpg"


def thumbnail_key(reference: str, slot: int) -> str:
    return f"{THUMBS}{reference}/{slot}.jpg"


def parse_incoming(key: str) -> tuple[str, int] | None:
    """The reference and slot of an upload's key; None for any other key."""
    found = _INCOMING_KEY.match(key)
    if not found or int(found["slot"]) > PHOTOS_PER_REQUEST:
        return None
    return found["reference"], int(found["slot"])


@cache
def s3_client() -> Any:
    """S3 with SigV4. On AWS, virtual-hosted addresses at the regional endpoint: a browser's POST and an
    <img> then reach the bucket's own region at once (the global name answers other regions with a
    redirect). A local endpoint (the local stack's) keeps botocore's path-style addresses."""
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", config=Config(signature_version="s3v4"))
    if not client.meta.endpoint_url.endswith(".amazonaws.com"):
        return client
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


class PhotoBucket:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or s3_client()

    def _slots_under(self, prefix: str) -> set[int]:
        page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=100)
        slots = set()
        for item in page.get("Contents", []):
            name = item["Key"][len(prefix) :].removesuffix(".jpg")
            if name.isdigit():
                slots.add(int(name))
        return slots

    def photo_slots(self, reference: str) -> list[int]:
        """The slots holding a checked photo."""
        return sorted(self._slots_under(f"{PHOTOS}{reference}/"))

    def uploads_waiting(self, reference: str) -> bool:
        """Whether an upload of the request is still waiting for the photo function."""
        return bool(self._slots_under(f"{INCOMING}{reference}/"))

    def taken(self, reference: str) -> set[int]:
        """The slots holding a photo or an upload still being checked."""
        return self._slots_under(f"{INCOMING}{reference}/") | self._slots_under(f"{PHOTOS}{reference}/")

    def free_slots(self, reference: str, wanted: int) -> list[int]:
        """``wanted`` free slots of the request; PhotoProblem("photo_count") if fewer are free."""
        free = [slot for slot in range(1, PHOTOS_PER_REQUEST + 1) if slot not in self.taken(reference)]
        if wanted < 1 or wanted > len(free):
            raise PhotoProblem("photo_count")
        return free[:wanted]

    def presigned_uploads(self, reference: str, content_types: list[str]) -> list[Upload]:
        """One presigned POST per photo the browser is about to send, each for its own free slot."""
        if any(content_type not in CONTENT_TYPES for content_type in content_types):
            raise PhotoProblem("photo_type")
        slots = self.free_slots(reference, len(content_types))
        uploads = []
        for slot, content_type in zip(slots, content_types, strict=True):
            post = self.client.generate_presigned_post(
                Bucket=self.bucket,
                Key=incoming_key(reference, slot),
                Fields={"Content-Type": content_type},
                Conditions=[
                    {"Content-Type": content_type},
                    ["content-length-range", 1, PHOTO_MAX_MB * 1024 * 1024],
                ],
                ExpiresIn=int(PHOTO_UPLOAD_LIFETIME.total_seconds()),
            )
            uploads.append(Upload(slot=slot, url=post["url"], fields=dict(post["fields"])))
        return uploads

    def put_uploads(self, reference: str, files: list[tuple[str, bytes]]) -> list[int]:
        """Store a form's photos (content type, bytes) as uploads for the photo function to check."""
        if any(content_type not in CONTENT_TYPES for content_type, _ in files):
            raise PhotoProblem("photo_type")
        slots = self.free_slots(reference, len(files))
        for slot, (content_type, body) in zip(slots, files, strict=True):
            self.client.put_object(
                Bucket=self.bucket, Key=incoming_key(reference, slot), Body=body, ContentType=content_type
            )
        return slots

    def _link(self, key: str, lifetime: timedelta) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=int(lifetime.total_seconds()),
            )
        )

    def shown(self, reference: str, lifetime: timedelta = PHOTO_VIEW_LIFETIME) -> list[Shown]:
        """The request's checked photos, by slot, with presigned links that last ``lifetime``."""
        return [
            Shown(
                slot=slot,
                photo_url=self._link(photo_key(reference, slot), lifetime),
                thumbnail_url=self._link(thumbnail_key(reference, slot), lifetime),
            )
            for slot in self.photo_slots(reference)
        ]

    def photo_link(self, reference: str, slot: int) -> str | None:
        """A short-lived link to one checked photo; None when the request has no photo in that slot."""
        if slot not in self._slots_under(f"{PHOTOS}{reference}/"):
            return None
        return self._link(photo_key(reference, slot), PHOTO_VIEW_LIFETIME)

    def delete_request(self, reference: str) -> int:
        """Delete every object of the request (uploads, photos, thumbnails); how many there were."""
        keys = [
            {"Key": item["Key"]}
            for prefix in (INCOMING, PHOTOS, THUMBS)
            for item in self.client.list_objects_v2(Bucket=self.bucket, Prefix=f"{prefix}{reference}/").get(
                "Contents", []
            )
        ]
        if keys:
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
        return len(keys)
