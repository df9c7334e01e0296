"""One upload checked: cleaned and stored with its thumbnail, or deleted; either way, the history says so."""

from __future__ import annotations

from datetime import datetime

from lobby.photos import PhotoBucket, incoming_key, photo_key, thumbnail_key
from lobby.requests import Event
from lobby.storage import Store
from photos.clean import Refused, clean

ACTOR = "system"


def process_upload(bucket: PhotoBucket, store: Store, reference: str, slot: int, now: datetime) -> str:
    """``"added"`` or ``"refused:<reason>"``; an upload for no stored request is deleted unrecorded."""
    client, source = bucket.client, incoming_key(reference, slot)
    if store.get_request(reference) is None:
        client.delete_object(Bucket=bucket.bucket, Key=source)
        return "refused:no_request"
    data = client.get_object(Bucket=bucket.bucket, Key=source)["Body"].read()
    try:
        cleaned = clean(data)
    except Refused as refused:
        client.delete_object(Bucket=bucket.bucket, Key=source)
        store.add_event(
            reference,
            Event(type="photo_refused", at=now, actor=ACTOR, public=True, data={"reason": refused.reason}),
        )
        return f"refused:{refused.reason}"
    for key, body in (
        (photo_key(reference, slot), cleaned.photo),
        (thumbnail_key(reference, slot), cleaned.thumbnail),
    ):
        client.put_object(Bucket=bucket.bucket, Key=key, Body=body, ContentType="image/jpeg")
    client.delete_object(Bucket=bucket.bucket, Key=source)
    store.add_event(
        reference, Event(type="photo_added", at=now, actor=ACTOR, public=True, data={"slot": slot})
    )
    return "added"
