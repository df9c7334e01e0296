"""The photo function's check and clean-up (photos/clean.py): by the bytes, to pixels only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lobby.policy import PHOTO_LONG_SIDE, PHOTO_MAX_MB, THUMB_LONG_SIDE
from photos.clean import Refused, clean
from tests import photo_files


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_jpeg_with_gps_exif_comes_out_with_no_exif_at_all() -> None:
    original = photo_files.jpeg_with_gps()
    assert b"Exif" in original and opened(original).getexif().get_ifd(photo_files.GPS_IFD)

    cleaned = clean(original)

    for data in (cleaned.photo, cleaned.thumbnail):
        image = opened(data)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert b"Exif" not in data
        assert b"taken at home" not in data
        assert "icc_profile" not in image.info and "exif" not in image.info and "comment" not in image.info
    assert opened(cleaned.photo).size == (1200, 900)
    assert max(opened(cleaned.thumbnail).size) == THUMB_LONG_SIDE


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("png", lambda: photo_files.encoded("PNG")),
        ("png with transparency", lambda: photo_files.encoded("PNG", mode="RGBA")),
        ("webp", lambda: photo_files.encoded("WEBP", exif=photo_files.gps_exif().tobytes())),
        ("heic", photo_files.heic),
    ],
)
def test_every_accepted_format_becomes_a_plain_jpeg(name: str, make: object) -> None:
    cleaned = clean(make())  # type: ignore[operator]
    image = opened(cleaned.photo)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (400, 300)), name
    assert b"Exif" not in cleaned.photo and dict(image.getexif()) == {}


def test_a_large_photo_is_scaled_to_the_longest_side_kept() -> None:
    cleaned = clean(photo_files.jpeg_with_gps((PHOTO_LONG_SIDE + 640, 1000)))
    assert opened(cleaned.photo).width == PHOTO_LONG_SIDE


def test_an_image_with_a_script_in_its_metadata_is_re_encoded_clean() -> None:
    original = photo_files.jpeg_with_script_in_metadata()
    assert original.count(photo_files.SCRIPT) >= 2

    cleaned = clean(original)

    for data in (cleaned.photo, cleaned.thumbnail):
        assert b"<script" not in data and b"xmpmeta" not in data and b"Exif" not in data


def test_a_polyglot_keeps_only_its_pixels() -> None:
    cleaned = clean(photo_files.polyglot_jpeg_html())
    assert (
        b"<html" not in cleaned.photo
        and b"<script" not in cleaned.photo
        and b"PK\x03\x04" not in cleaned.photo
    )
    assert opened(cleaned.photo).size == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        photo_files.html_named_as_image(),
        b"",
        photo_files.jpeg_with_gps()[:400],  # cut off: the header promises what the file does not hold
        photo_files.gif(),  # an image, but not a format residents' phones send
        b"%PDF-1.7\n" + photo_files.SCRIPT,
    ],
    ids=["html", "empty", "truncated jpeg", "gif", "pdf"],
)
def test_a_file_that_is_not_an_accepted_image_is_refused(data: bytes) -> None:
    with pytest.raises(Refused) as refused:
        clean(data)
    assert refused.value.reason == "not_image"


def test_a_file_over_the_limit_is_refused_unread() -> None:
    with pytest.raises(Refused) as refused:
        clean(b"\xff\xd8" + b"\x00" * (PHOTO_MAX_MB * 1024 * 1024))
    assert refused.value.reason == "too_large"


def test_an_image_whose_pixels_would_not_fit_in_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from photos import clean as module

    monkeypatch.setattr(module, "PHOTO_MAX_PIXELS", 1000)
    with pytest.raises(Refused) as refused:
        module.clean(photo_files.jpeg_with_gps((100, 100)))
    assert refused.value.reason == "too_large"
