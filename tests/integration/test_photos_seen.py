"""Who sees a request's photos, and how: the office e-mail's links (a redirect to a short presigned GET),
the desk card's thumbnails, the resident's status page; each page lets its images load from the bucket."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lobby.policy import PHOTO_VIEW_LIFETIME
from tests import photo_files
from tests.integration.conftest import Aws, call_api, http_event, post_form, post_json
from tests.integration.desk_client import install_roster, signed_in
from tests.integration.photo_client import BUCKET, ask_uploads, file_repair, keys, photos, run_photo_function
from views.messages import translate

__all__ = ["photos"]  # the fixture

PHOTO_LINK = re.compile(r"https://lobby\.example(/api/photo/[A-Za-z0-9_\-.]+)")


def two_photos_in_one_batch(s3: Any, receipt: dict[str, Any]) -> str:
    """Two uploads land before the function runs for either, as a browser sending both at once."""
    data = photo_files.jpeg_with_gps((300, 200))
    uploads = ask_uploads(receipt["photos_url"], ("image/jpeg", len(data)), ("image/jpeg", len(data)))
    landed = [upload["fields"]["key"] for upload in uploads.json()["uploads"]]
    for key in landed:
        s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="image/jpeg")
    for key in landed:
        run_photo_function(key, len(data))
    return str(receipt["reference"])


def presigned_for(url: str, key: str) -> bool:
    address = urlsplit(url)
    query = parse_qs(address.query)
    return address.path.endswith(key) and query["X-Amz-Expires"] == [
        str(int(PHOTO_VIEW_LIFETIME.total_seconds()))
    ]


def test_the_office_gets_one_e_mail_per_batch_linking_each_photo(photos: Any, aws: Aws) -> None:
    receipt = file_repair()
    aws.notify_batch()  # the new request's e-mails
    before = len(aws.sent())
    reference = two_photos_in_one_batch(photos, receipt)

    aws.notify_batch()

    new = aws.sent()[before:]
    [mail] = [mail for mail in new if "engineering@harbour-view.example" in mail.to]
    assert reference in mail.subject
    links = PHOTO_LINK.findall(mail.html)
    assert len(set(links)) == 2
    opened = call_api(http_event("GET", links[0]))
    assert opened.status == 303
    assert presigned_for(opened.headers["Location"], f"photos/{reference}/1.jpg")


def test_a_photo_link_for_a_slot_without_a_photo_says_it_is_gone(photos: Any, aws: Aws) -> None:
    receipt = file_repair()
    reference = two_photos_in_one_batch(photos, receipt)
    aws.notify_batch()
    links = sorted(set(PHOTO_LINK.findall(" ".join(mail.html for mail in aws.sent()))))
    photos.delete_object(Bucket=BUCKET, Key=f"photos/{reference}/1.jpg")

    answers = [call_api(http_event("GET", link, headers={"accept": "text/html"})) for link in links]

    assert sorted(answer.status for answer in answers) == [303, 404]
    gone = next(answer for answer in answers if answer.status == 404)
    assert translate("zh", "problem.photo_gone") in gone.body


def test_the_desk_card_shows_the_thumbnails_and_lets_them_load(
    photos: Any, aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_roster(monkeypatch)
    reference = two_photos_in_one_batch(photos, file_repair())
    engineer = signed_in(aws, "王强")

    card = engineer.get(f"/desk/requests/{reference}")

    assert card.status == 200
    thumbnails = re.findall(r'<img src="([^"]+)"', card.text)
    assert len(thumbnails) == 2 and presigned_for(thumbnails[0], f"thumbs/{reference}/1.jpg")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(thumbnails[0]))
    assert f"img-src 'self' {origin}" in card.headers["Content-Security-Policy"]
    assert translate("zh", "event.photo_added") in card.text


def test_the_resident_sees_their_thumbnails_on_the_status_page(photos: Any) -> None:
    reference = two_photos_in_one_batch(photos, file_repair())

    page = post_form("/api/status", {"reference": reference, "contact": "13800138000", "lang": "zh"})
    answer = post_json("/api/status", {"reference": reference, "contact": "13800138000", "lang": "zh"})

    assert page.status == 200
    assert page.body.count('<img src="') == 2
    assert translate("zh", "photo.heading") in page.body
    assert [photo["slot"] for photo in answer.json()["photos"]] == [1, 2]
    assert presigned_for(answer.json()["photos"][0]["thumbnail_url"], f"thumbs/{reference}/1.jpg")
    assert len(keys(photos)) == 4
