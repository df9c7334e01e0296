"""One upload checked: cleaned and stored with its thumbnail, or deleted; either way, the history says so."""

from __future__ import annotations

from datetime import datetime

from lobby.photos import PhotoBucket, incoming_key, photo_key, thumbnail_key
from lobby.requests import Event
from lobby.storage import Store
from photos.clean import Refused, clean

ACTOR = "system"


def process_upload(bucket: PhotoBucket, store: Store, reference: str, slot: int, now: datetime) -> str:
    """``"added"`` or ``"refused:<reason>"``; an upload for no stored request is deleted unrecorded.

    The office hears once per batch: the photo checked last (no other upload of the request still
    waiting) records ``notify`` with every slot that holds a photo, and that queues its e-mail.
    """
    client, source = bucket.client, incoming_key(reference, slot)
    request = store.get_request(reference)
    if request is None:
        client.delete_object(Bucket=bucket.bucket, Key=source)
        return "refused:no_request"
    upload = client.get_object(Bucket=bucket.bucket, Key=source)["Body"].read()
    try:
        cleaned = clean(upload)
    except Refused as refused:
        client.delete_object(Bucket=bucket.bucket, Key=source)
        store.add_event(
            request,
            Event(type="photo_refused", at=now, actor=ACTOR, public=True, data={"reason": refused.reason}),
        )
        return f"refused:{refused.reason}"
    for key, body in (
        (photo_key(reference, slot), cleaned.photo),
        (thumbnail_key(reference, slot), cleaned.thumbnail),
    ):
        client.put_object(Bucket=bucket.bucket, Key=key, Body=body, ContentType="image/jpeg")
    client.delete_object(Bucket=bucket.bucket, Key=source)
    data: dict[str, object] = {"slot": slot}
    if not bucket.uploads_waiting(reference):
        data |= {"notify": True, "slots": bucket.photo_slots(reference)}
    store.add_event(request, Event(type="photo_added", at=now, actor=ACTOR, public=True, data=data))
    return "added"
