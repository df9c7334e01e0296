"""What the photo flow tests read back from the running stack: the bucket, the office's photo e-mail, the
desk card and the resident's own page; and the phone's JPEG with its location, made with Pillow."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

import boto3
from PIL import Image
from playwright.sync_api import Page, expect

from tests import photo_files
from tests.e2e.lobby_pages import ENGINEERING
from tests.e2e.stack import Stack, request, wait_until

BUCKET = "lobby-photos-local"  # devstack.aws.LocalSettings.photo_bucket
HREF = re.compile(r'href="([^"]+)"')


def phone_jpeg() -> bytes:
    """A phone's photo of the leak: a JPEG whose EXIF carries where it was taken."""
    data = photo_files.jpeg_with_gps((1600, 1200))
    assert (
        photo_files.GPS_IFD in Image.open(io.BytesIO(data)).getexif()
    )  # the test starts from a located photo
    return data


def assert_no_metadata(data: bytes) -> None:
    """A stored JPEG with pixels only: no EXIF (no location), no comment, no colour profile, no XMP."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert not set(image.info) & {"exif", "comment", "icc_profile", "xmp"}, set(image.info)
    assert b"Exif\x00\x00" not in data and b"taken at home" not in data


def s3(stack: Stack) -> Any:
    return boto3.client("s3", endpoint_url=stack.health["aws_endpoint"], region_name=stack.health["region"])


def stored_photo_and_thumbnail(stack: Stack, reference: str, timeout: float = 20) -> tuple[bytes, bytes]:
    """The checked photo and its thumbnail once the photo function has written them."""
    client = s3(stack)
    keys = (f"photos/{reference}/1.jpg", f"thumbs/{reference}/1.jpg")

    def both() -> bool:
        listed = client.list_objects_v2(Bucket=BUCKET, Prefix="")
        names = {item["Key"] for item in listed.get("Contents", [])}
        return all(key in names for key in keys)

    assert wait_until(both, timeout), f"no cleaned photo for {reference} within {timeout} s"
    photo, thumbnail = (client.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys)
    return photo, thumbnail


def office_photo_link_opens_the_clean_photo(stack: Stack, reference: str) -> None:
    """The office's e-mail about the photo links to it; the link opens the cleaned photo."""
    mail = stack.wait_for_mail(
        lambda mail: (
            ENGINEERING in mail["to"] and reference in mail["subject"] and "/api/photo/" in mail["html"]
        ),
        timeout=15,
    )
    [link, *_] = [href for href in HREF.findall(mail["html"]) if "/api/photo/" in href]
    opened = stack.get(urlsplit(link).path)
    assert opened.status == 303, opened.text
    location = {name.lower(): value for name, value in opened.headers.items()}["location"]
    photo = request(location)
    assert photo.status == 200
    assert_no_metadata(photo.body)


def desk_card_shows_the_photo(page: Page, stack: Stack, reference: str) -> None:
    """An engineer of the office signs in at the desk; the request's card shows the photo's thumbnail,
    loaded from the bucket, linking to the photo."""
    from tests.e2e.test_e2e_desk import _sign_in, _staff

    _sign_in(page, stack, _staff(stack, "engineer", "engineering"))
    page.goto(f"/desk/requests/{reference}")
    thumbnail = page.locator(".lobby-photos img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_be_visible()
    page.wait_for_function("() => document.querySelector('.lobby-photos img').naturalWidth > 0")
    href = page.locator(".lobby-photos a").get_attribute("href") or ""
    assert f"photos/{reference}/1.jpg" in href


def resident_link(stack: Stack, email: str, reference: str) -> str:
    """The path of the request's own page, from the acknowledgement e-mail the resident got."""
    mail = stack.wait_for_mail(lambda mail: email in mail["to"] and reference in mail["subject"], timeout=10)
    [link, *_] = [href for href in HREF.findall(mail["html"]) if "/api/s/" in href]
    return urlsplit(link).path
