"""Image files for the photo tests: a phone's JPEG with GPS EXIF, other formats, and hostile files."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
IMAGE_DESCRIPTION = 0x010E
SCRIPT = b"<script>alert(document.cookie)</script>"


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 9.25)}
    return exif


def picture(size: tuple[int, int] = (1200, 900), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size, (30, 120, 200) if mode == "RGB" else None)
    for x in range(0, size[0], 50):  # some detail, so the encoders have work to do
        for y in range(0, size[1], 50):
            image.putpixel((x, y), (250, 250, 0) if mode == "RGB" else (250, 250, 0, 255))
    return image


def jpeg_with_gps(size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, format="JPEG", exif=gps_exif().tobytes(), comment=b"taken at home")
    return out.getvalue()


def encoded(format_name: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    picture((400, 300), mode).save(out, format=format_name, **options)
    return out.getvalue()


def heic() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return encoded("HEIF", exif=gps_exif().tobytes())


def jpeg_with_script_in_metadata() -> bytes:
    exif = gps_exif()
    exif[IMAGE_DESCRIPTION] = SCRIPT.decode()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SCRIPT + b"</x:xmpmeta>"
    out = io.BytesIO()
    picture((400, 300)).save(out, format="JPEG", exif=exif.tobytes(), comment=SCRIPT, xmp=xmp)
    return out.getvalue()


def polyglot_jpeg_html() -> bytes:
    """A real JPEG that is also an HTML page and a ZIP archive (data after the end-of-image marker)."""
    return jpeg_with_gps((300, 200)) + b"<html><body>" + SCRIPT + b"</body></html>" + b"PK\x03\x04zipped"


def html_named_as_image() -> bytes:
    return b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"


def gif() -> bytes:
    return encoded("GIF")
