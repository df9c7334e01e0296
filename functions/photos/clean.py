"""An uploaded file made into a clean JPEG and its thumbnail, or refused.

The file is judged by its bytes, never by its name or declared type: Pillow must open it as one of
the accepted formats (the decoders tried are limited to those) and ``verify()`` it. What is kept is
the pixels alone: the image is turned upright by its orientation tag, decoded, copied into a new
image that has no metadata at all, and encoded again. EXIF (GPS location above all), XMP, ICC
profiles, comments and whatever a polyglot file carries after or between the image's own segments
stay behind, because none of it is pixels.
"""

from __future__ import annotations

import io
from functools import cache

from msgspec import Struct
from PIL import Image, ImageOps, UnidentifiedImageError

from lobby.policy import PHOTO_LONG_SIDE, PHOTO_MAX_MB, PHOTO_MAX_PIXELS, THUMB_LONG_SIDE

# Pillow's format names; HEIF is registered by pillow-heif (iPhones send HEIC).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
JPEG_QUALITY = 85
THUMB_QUALITY = 75


class Refused(ValueError):
    """The file is not an image this service takes; ``reason`` names why (``photo.refused.<reason>``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Cleaned(Struct, frozen=True):
    photo: bytes  # JPEG, no metadata
    thumbnail: bytes  # JPEG, no metadata
    width: int
    height: int


@cache
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding ``image``'s pixels and nothing else (no info, no EXIF, no profile)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        rgb = flat
    else:
        rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def clean(data: bytes) -> Cleaned:
    """The photo and thumbnail made from ``data``; Refused if it is not an accepted image."""
    if len(data) > PHOTO_MAX_MB * 1024 * 1024:
        raise Refused("too_large")
    _register_heif()
    try:
        with _open(data) as probe:
            probe.verify()
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise Refused("too_large")
        with _open(data) as image:
            upright = ImageOps.exif_transpose(image)
            upright.load()
            pixels = _pixels_only(upright)
    except Refused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise Refused("not_image") from None
    pixels.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE))
    thumb = pixels.copy()
    thumb.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE))
    return Cleaned(
        photo=_jpeg(pixels, JPEG_QUALITY),
        thumbnail=_jpeg(thumb, THUMB_QUALITY),
        width=pixels.width,
        height=pixels.height,
    )
