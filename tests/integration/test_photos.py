"""Photos on a request, through the API, the bucket (moto) and the photo function: the presigned POST's
policy, the form path without JavaScript, the check and clean-up, and every bad input of issue 15."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from devstack.s3post import PostRefused
from lobby import clock
from lobby.policy import FORM_PHOTO_MAX_MB, PHOTO_MAX_MB, PHOTO_UPLOAD_LIFETIME, PHOTOS_PER_REQUEST
from tests import photo_files
from tests.integration.conftest import Aws, LambdaContext, call_api, http_event, post_json
from tests.integration.photo_client import (
    BUCKET,
    ask_uploads,
    browser_post,
    events_of,
    file_repair,
    history,
    keys,
    multipart,
    photos,
    post_multipart,
    run_photo_function,
)
from views.messages import translate

__all__ = ["photos"]  # the fixture


# -- the presigned POST -------------------------------------------------------------------------------


def test_the_presigned_post_fixes_key_type_size_and_expiry(photos: Any) -> None:
    receipt = file_repair()
    response = ask_uploads(receipt["photos_url"], ("image/jpeg", 2_000_000), ("image/heic", 3_000_000))

    assert response.status == 200, response.body
    first, second = response.json()["uploads"]
    assert (first["slot"], second["slot"]) == (1, 2)
    policy = json.loads(base64.b64decode(first["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": f"incoming/{receipt['reference']}/1"} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, PHOTO_MAX_MB * 1024 * 1024] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert expires - datetime.now(UTC) <= PHOTO_UPLOAD_LIFETIME
    assert second["fields"]["key"] == f"incoming/{receipt['reference']}/2"
    assert keys(photos) == []  # asking stores nothing


def test_a_jpeg_with_gps_is_stored_clean_with_its_thumbnail(photos: Any, aws: Aws) -> None:
    receipt = file_repair()
    reference = receipt["reference"]
    original = photo_files.jpeg_with_gps()
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", len(original))).json()["uploads"]

    browser_post(photos, upload, original)

    assert keys(photos) == [f"photos/{reference}/1.jpg", f"thumbs/{reference}/1.jpg"]
    for key in keys(photos):
        data = photos.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and dict(image.getexif()) == {} and b"Exif" not in data
    assert "photo_added" in events_of(aws, reference)


def test_a_presigned_post_reused_after_it_expired_is_refused(photos: Any) -> None:
    receipt = file_repair()
    data = photo_files.jpeg_with_gps()
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", len(data))).json()["uploads"]

    with pytest.raises(PostRefused) as refused:
        browser_post(
            photos, upload, data, now=datetime.now(UTC) + PHOTO_UPLOAD_LIFETIME + timedelta(seconds=1)
        )

    assert (refused.value.status, refused.value.message) == (
        403,
        "Invalid according to Policy: Policy expired.",
    )
    assert keys(photos) == []


def test_a_presigned_post_cannot_store_under_another_request(photos: Any) -> None:
    mine, theirs = file_repair(), file_repair("en")
    data = photo_files.jpeg_with_gps()
    [upload] = ask_uploads(mine["photos_url"], ("image/jpeg", len(data))).json()["uploads"]

    with pytest.raises(PostRefused) as refused:
        browser_post(photos, upload, data, key=f"incoming/{theirs['reference']}/1")
    assert refused.value.status == 403 and "Condition failed" in refused.value.message

    with pytest.raises(PostRefused):  # nor declare another type than the policy's
        browser_post(photos, upload, data, **{"Content-Type": "text/html"})
    assert keys(photos) == []


def test_an_image_over_the_limit_is_refused_before_and_by_the_bucket(photos: Any) -> None:
    receipt = file_repair("en")
    too_big = PHOTO_MAX_MB * 1024 * 1024 + 1
    response = ask_uploads(receipt["photos_url"], ("image/jpeg", too_big), lang="en")
    assert response.status == 413
    assert response.json()["message"] == translate("en", "problem.photo_too_large", photo_mb=PHOTO_MAX_MB)

    # A browser that declared less and sends more: S3 holds it to the policy's range.
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", 1000)).json()["uploads"]
    with pytest.raises(PostRefused) as refused:
        browser_post(photos, upload, b"\xff\xd8" + b"\x00" * too_big)
    assert refused.value.code == "EntityTooLarge"
    assert keys(photos) == []


def test_a_sixth_photo_is_refused_and_nothing_is_signed(photos: Any) -> None:
    receipt = file_repair()
    data = photo_files.jpeg_with_gps((200, 150))
    uploads = ask_uploads(receipt["photos_url"], *[("image/jpeg", len(data))] * 4).json()["uploads"]
    for upload in uploads:
        browser_post(photos, upload, data)

    too_many = ask_uploads(receipt["photos_url"], ("image/png", 100), ("image/png", 100))
    assert too_many.status == 422
    assert too_many.json()["message"] == translate(
        "zh", "problem.photo_count", photos_limit=PHOTOS_PER_REQUEST
    )

    [fifth] = ask_uploads(receipt["photos_url"], ("image/png", 100)).json()["uploads"]
    browser_post(photos, fifth, photo_files.encoded("PNG"))
    sixth = ask_uploads(receipt["photos_url"], ("image/jpeg", 100), lang="en")
    assert sixth.status == 422
    assert sixth.json()["message"] == translate("en", "problem.photo_count", photos_limit=PHOTOS_PER_REQUEST)
    assert len([key for key in keys(photos) if key.startswith("photos/")]) == PHOTOS_PER_REQUEST


def test_a_declared_type_that_is_not_an_image_is_refused(photos: Any) -> None:
    receipt = file_repair("en")
    response = ask_uploads(receipt["photos_url"], ("text/html", 100), lang="en")
    assert response.status == 415
    assert response.json()["message"] == translate("en", "problem.photo_type")


# -- what the photo function refuses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [photo_files.html_named_as_image(), photo_files.gif(), b"%PDF-1.7\n" + photo_files.SCRIPT],
    ids=["html claiming to be a jpeg", "gif", "pdf"],
)
def test_a_file_that_claims_to_be_an_image_and_is_not_is_deleted_and_the_request_says_so(
    photos: Any, aws: Aws, data: bytes
) -> None:
    receipt = file_repair()
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", len(data))).json()["uploads"]
    before = [item for item in aws.requests() if item["reference"]["S"] == receipt["reference"]]

    browser_post(photos, upload, data)

    assert keys(photos) == []
    refused = [item for item in history(aws, receipt["reference"]) if item["event"]["S"] == "photo_refused"]
    assert len(refused) == 1 and refused[0]["public"]["BOOL"] is True
    after = [item for item in aws.requests() if item["reference"]["S"] == receipt["reference"]]
    assert after == before  # the request itself is untouched
    status = post_json(
        "/api/status", {"reference": receipt["reference"], "contact": "13800138000", "lang": "zh"}
    )
    assert translate("zh", "event.photo_refused") in [line["text"] for line in status.json()["history"]]


@pytest.mark.parametrize(
    "data",
    [photo_files.polyglot_jpeg_html(), photo_files.jpeg_with_script_in_metadata()],
    ids=["polyglot", "script in metadata"],
)
def test_a_polyglot_or_a_script_in_metadata_is_stored_as_pixels_only(photos: Any, data: bytes) -> None:
    receipt = file_repair()
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", len(data))).json()["uploads"]

    browser_post(photos, upload, data)

    for key in keys(photos):
        stored = photos.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert b"<script" not in stored and b"<html" not in stored and b"PK\x03\x04" not in stored


# -- whose request -------------------------------------------------------------------------------------


def test_an_upload_for_someone_elses_request_is_refused(photos: Any) -> None:
    mine, theirs = file_repair(), file_repair()
    token = mine["photos_url"].removeprefix("/api/photos/")
    _payload, signature = token.split(".")
    other_token = theirs["photos_url"].removeprefix("/api/photos/")
    forged = f"{other_token.split('.')[0]}.{signature}"  # their request under my signature

    response = post_json(f"/api/photos/{forged}/uploads", {"files": [{"type": "image/jpeg", "size": 10}]})

    assert response.status == 404
    assert response.json()["message"] == translate("zh", "problem.photo_link")
    page = call_api(http_event("GET", f"/api/photos/{forged}", headers={"accept": "text/html"}))
    assert page.status == 404 and translate("zh", "problem.photo_link") in page.body
    assert keys(photos) == []


def test_an_upload_link_past_its_lifetime_is_refused(photos: Any) -> None:
    receipt = file_repair("en")
    clock.set_time(clock.now() + timedelta(days=2))

    response = ask_uploads(receipt["photos_url"], ("image/jpeg", 10), lang="en")

    assert response.status == 410
    assert response.json()["message"] == translate("en", "problem.photo_link_expired")


# -- the form without JavaScript -----------------------------------------------------------------------


def test_the_form_path_stores_photos_for_the_photo_function(photos: Any, aws: Aws) -> None:
    receipt = file_repair()
    reference = receipt["reference"]
    page = call_api(http_event("GET", receipt["photos_url"], headers={"accept": "text/html"}))
    assert page.status == 200 and 'enctype="multipart/form-data"' in page.body

    body = multipart(
        [
            ("IMG_0001.JPG", "image/jpeg", photo_files.jpeg_with_gps()),
            ("b.png", "image/png", photo_files.encoded("PNG")),
        ]
    )
    response = post_multipart(receipt["photos_url"], body)

    assert response.status == 202, response.body
    assert translate("zh", "photo.received", number=2) in response.body
    assert keys(photos) == [f"incoming/{reference}/1", f"incoming/{reference}/2"]
    for key in keys(photos):
        run_photo_function(key, 0)
    assert keys(photos) == [
        f"photos/{reference}/1.jpg",
        f"photos/{reference}/2.jpg",
        f"thumbs/{reference}/1.jpg",
        f"thumbs/{reference}/2.jpg",
    ]
    assert events_of(aws, reference).count("photo_added") == 2


def test_a_form_post_over_its_limit_is_refused_and_stores_nothing(photos: Any) -> None:
    receipt = file_repair("en")
    big = b"\xff\xd8" + b"\x00" * (FORM_PHOTO_MAX_MB * 1024 * 1024)
    response = post_multipart(
        receipt["photos_url"], multipart([("big.jpg", "image/jpeg", big)], "en"), "en-GB"
    )

    assert response.status == 413
    assert translate("en", "problem.photo_form_too_large", form_mb=FORM_PHOTO_MAX_MB) in response.body
    assert keys(photos) == []


def test_a_form_with_a_sixth_photo_stores_none_of_them(photos: Any) -> None:
    receipt = file_repair()
    data = photo_files.jpeg_with_gps((100, 100))
    response = post_multipart(
        receipt["photos_url"], multipart([("a.jpg", "image/jpeg", data)] * (PHOTOS_PER_REQUEST + 1))
    )

    assert response.status == 422
    assert translate("zh", "problem.photo_count", photos_limit=PHOTOS_PER_REQUEST) in response.body
    assert keys(photos) == []


def test_a_form_with_no_photo_chosen_is_told_so(photos: Any) -> None:
    receipt = file_repair("en")
    response = post_multipart(
        receipt["photos_url"], multipart([("", "application/octet-stream", b"")], "en"), "en"
    )
    assert response.status == 422
    assert translate("en", "problem.photo_none") in response.body


# -- expiry ---------------------------------------------------------------------------------------------


def test_photos_are_deleted_when_the_requests_record_expires(photos: Any, aws: Aws) -> None:
    receipt = file_repair()
    data = photo_files.jpeg_with_gps((200, 150))
    [upload] = ask_uploads(receipt["photos_url"], ("image/jpeg", len(data))).json()["uploads"]
    browser_post(photos, upload, data)
    other = file_repair()
    [kept] = ask_uploads(other["photos_url"], ("image/jpeg", len(data))).json()["uploads"]
    browser_post(photos, kept, data)
    [request_item] = [item for item in aws.requests() if item["reference"]["S"] == receipt["reference"]]
    ttl_removal = {
        "eventSource": "aws:dynamodb",
        "eventName": "REMOVE",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "dynamodb": {"Keys": {"PK": request_item["PK"], "SK": request_item["SK"]}, "OldImage": request_item},
    }
    from photos.app import lambda_handler

    lambda_handler({"Records": [ttl_removal]}, LambdaContext())

    assert all(other["reference"] in key for key in keys(photos)) and len(keys(photos)) == 2


def test_without_javascript_the_receipt_leads_to_the_photo_form(photos: Any) -> None:
    from tests.integration.conftest import post_form, repair_fields

    receipt = post_form("/api/requests/repair", repair_fields(description="阳台地漏堵了，水排不出去。"))
    assert receipt.status == 201
    link = re.search(r'class="lobby-photos-add" href="(/api/photos/[^"]+)"', receipt.body)
    assert link and translate("zh", "photo.add_link", photos_limit=PHOTOS_PER_REQUEST) in receipt.body

    page = call_api(http_event("GET", link[1], headers={"accept": "text/html"}))
    assert page.status == 200 and 'name="photo"' in page.body
    sent = post_multipart(link[1], multipart([("IMG_0002.HEIC", "image/heic", photo_files.heic())]))
    assert sent.status == 202
    [upload] = keys(photos)
    run_photo_function(upload, 0)
    assert [key.split("/")[0] for key in keys(photos)] == ["photos", "thumbs"]
