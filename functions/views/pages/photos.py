"""Photos as people see them: the thumbnails on the status page and the desk card, the page that adds
photos without JavaScript, and the answer after a form's upload. Pure HTML; the links are made by
the caller (short-lived presigned GETs, ``lobby.photos``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lobby.catalog import Catalog
from lobby.policy import FORM_PHOTO_MAX_MB, PHOTOS_PER_REQUEST
from lobby.requests import ServiceRequest
from views.messages import translate
from views.page import e, render_page

if TYPE_CHECKING:
    from lobby.photos import Shown

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


def gallery(lang: str, shown: list[Shown]) -> str:
    """The request's photos as thumbnails, each linking to the photo; nothing when there are none."""
    if not shown:
        return ""
    items = "".join(
        f'<li><a href="{e(photo.photo_url)}" rel="noreferrer">'
        f'<img src="{e(photo.thumbnail_url)}" alt="{e(translate(lang, "photo.alt", slot=photo.slot))}" '
        'loading="lazy" width="160" height="160"></a></li>'
        for photo in shown
    )
    return f'<h2>{e(translate(lang, "photo.heading"))}</h2><ul class="lobby-photos">{items}</ul>'


def receipt_block(lang: str, photos_url: str | None) -> str:
    """The receipt's invitation to add photos (the kinds that take them), a link to the upload page; with
    JavaScript the script shows the same block and the progress of the photos chosen on the form."""
    if not photos_url:
        return ""
    return (
        f'<section class="lobby-receipt-photos"><h2>{e(translate(lang, "photo.heading"))}</h2>'
        f'<p><a class="lobby-photos-add" href="{e(photos_url)}">'
        f"{e(translate(lang, 'photo.add_link', photos_limit=PHOTOS_PER_REQUEST))}</a></p></section>"
    )


def add_photos_form(lang: str, token: str, taken: int) -> str:
    """The multipart form that sends photos through the API (the no-JavaScript path)."""
    left = PHOTOS_PER_REQUEST - taken
    intro = translate(lang, "photo.add_intro", photos_limit=PHOTOS_PER_REQUEST, form_mb=FORM_PHOTO_MAX_MB)
    if left <= 0:
        return f"<p>{e(intro)}</p><p>{e(translate(lang, 'photo.full'))}</p>"
    return (
        f"<p>{e(intro)}</p><p>{e(translate(lang, 'photo.taken', taken=taken, left=left))}</p>"
        f'<form class="lobby-form lobby-photos-form" method="post" action="/api/photos/{e(token)}" '
        'enctype="multipart/form-data">'
        f'<input type="hidden" name="lang" value="{e(lang)}">'
        f'<div class="lobby-field"><label class="lobby-label" for="f-photo">{e(translate(lang, "photo.label"))}</label>'
        f'<input class="lobby-file" type="file" id="f-photo" name="photo" accept="{ACCEPT}" multiple required></div>'
        f'<button type="submit" class="lobby-button">{e(translate(lang, "photo.send"))}</button></form>'
    )


def add_photos_page(catalog: Catalog, request: ServiceRequest, lang: str, token: str, taken: int) -> str:
    title = translate(lang, "photo.add_title", reference=request.reference)
    return render_page(lang, title, f"<h1>{e(title)}</h1>{add_photos_form(lang, token, taken)}")


def photos_received_page(
    request: ServiceRequest, lang: str, count: int, token: str, request_path: str | None = None
) -> str:
    """After a form's upload: how many arrived, and the ways on (more photos, the request's own page)."""
    title = translate(lang, "photo.received_title")
    back = (
        f'<p><a class="lobby-button" href="{e(request_path)}">{e(translate(lang, "request_page.back"))}</a></p>'
        if request_path
        else ""
    )
    body = (
        f'<div class="lobby-receipt" role="status"><h1>{e(title)}</h1>'
        f'<p class="lobby-reference"><strong>{e(request.reference)}</strong></p></div>'
        f"<p>{e(translate(lang, 'photo.received', number=count))}</p>{back}"
        f'<p><a href="/api/photos/{e(token)}">{e(translate(lang, "photo.add_more"))}</a></p>'
    )
    return render_page(lang, title, body)
