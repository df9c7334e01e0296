"""The photo routes: a resident adds photos to their request, staff open one from an e-mail.

- ``POST /api/photos/<token>/uploads`` (JSON, with JavaScript): presigned POSTs, one per photo, each
  for its own free slot of the token's request (``lobby.photos``); the browser then posts the files
  straight to the bucket.
- ``GET /api/photos/<token>``: the page to add photos without JavaScript; ``POST`` the same address
  with ``multipart/form-data`` (at most ``FORM_PHOTO_MAX_MB`` in all) stores them through the API.
- ``GET /api/photo/<token>``: a staff member's link from the office e-mail, answered with a redirect
  to a presigned GET of ``PHOTO_VIEW_LIFETIME``, so what sits in a mailbox never opens the photo itself.

The token is a signed link (``lobby.links``) for one request and the action ``photos`` (or
``photo.<slot>``); it carries no personal data. Whatever is uploaded is judged later by its bytes
(the photo function); here only counts, sizes and declared types are checked, and a refusal stores
nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api.http import HttpProblem, header, html_response, json_response, negotiate_lang, raw_body, read_body
from api.shared import logger, now, store
from lobby import links
from lobby.catalog import load_catalog
from lobby.photos import PhotoBucket, PhotoProblem, Shown
from lobby.policy import FORM_PHOTO_MAX_MB, PHOTO_KINDS, PHOTO_MAX_MB, PHOTO_TOKEN_LIFETIME
from lobby.requests import ServiceRequest
from lobby.settings import get_settings
from lobby.text_links import PATH as TEXT_PATH
from lobby.text_links import text_key, text_token
from views.pages import photos as pages

router = Router()

UPLOAD_ACTION = "photos"
VIEW_ACTION_PREFIX = "photo."
FORM_FIELD = "photo"
MULTIPART = "multipart/form-data"
# The form's own fields and the MIME framing around its files.
FORM_OVERHEAD_BYTES = 64 * 1024


def _secret() -> bytes:
    return links.signing_secret(get_settings().signing_secret_parameter)


def upload_token(reference: str, moment: datetime) -> str:
    """The permission to add photos to one request, for the receipt and the resident's messages."""
    return links.sign(_secret(), reference, UPLOAD_ACTION, moment, PHOTO_TOKEN_LIFETIME)


def upload_path(reference: str, moment: datetime) -> str:
    return f"/api/photos/{upload_token(reference, moment)}"


def view_path(reference: str, slot: int, moment: datetime) -> str:
    """A staff member's link to one photo (the office e-mail), valid as long as the e-mail's other links."""
    token = links.sign(_secret(), reference, f"{VIEW_ACTION_PREFIX}{slot}", moment, links.STAFF_LINK_LIFETIME)
    return f"/api/photo/{token}"


def bucket() -> PhotoBucket:
    return PhotoBucket(get_settings().photo_bucket)


def _request_for(token: str, action: str | None, lang: str) -> tuple[ServiceRequest, links.Link]:
    """The token's request, open and of a kind that takes photos; otherwise an HttpProblem."""
    try:
        link = links.verify(_secret(), token, now())
    except links.LinkExpired:
        raise HttpProblem(410, "photo_link_expired", lang=lang) from None
    except links.LinkInvalid:
        raise HttpProblem(404, "photo_link", lang=lang) from None
    if (action and link.action != action) or (not action and not link.action.startswith(VIEW_ACTION_PREFIX)):
        raise HttpProblem(404, "photo_link", lang=lang)
    request = store().get_request(link.reference)
    if request is None or request.kind not in PHOTO_KINDS:
        raise HttpProblem(404, "photo_link", lang=lang)
    if action == UPLOAD_ACTION and not request.is_open:
        raise HttpProblem(409, "photo_closed", lang=lang)
    return request, link


def _refused(problem: PhotoProblem, lang: str) -> HttpProblem:
    status = {"photo_count": 422, "photo_type": 415}.get(problem.key, 422)
    return HttpProblem(status, problem.key, lang=lang)


@router.post("/api/photos/<token>/uploads", include_in_schema=False)
def presign(token: str):  # no return annotation: Powertools would read it as a response model
    incoming = read_body(router.current_event)
    lang = str(incoming.data.get("lang") or negotiate_lang(router.current_event.headers))
    request, _ = _request_for(token, UPLOAD_ACTION, lang)
    files = incoming.data.get("files")
    if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
        raise HttpProblem(400, "photo_files", lang=lang)
    sizes = [item.get("size") for item in files]
    if not all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in sizes):
        raise HttpProblem(400, "photo_files", lang=lang)
    if any(size > PHOTO_MAX_MB * 1024 * 1024 for size in sizes):
        raise HttpProblem(413, "photo_too_large", lang=lang)
    try:
        uploads = bucket().presigned_uploads(request.reference, [str(item.get("type", "")) for item in files])
    except PhotoProblem as problem:
        raise _refused(problem, lang) from None
    logger.info("photo uploads signed", extra={"reference": request.reference, "count": len(uploads)})
    return json_response(
        200, {"uploads": [{"slot": up.slot, "url": up.url, "fields": up.fields} for up in uploads]}
    )


@router.get("/api/photos/<token>", include_in_schema=False)
def add_photos_page(token: str):  # no return annotation: Powertools would read it as a response model
    lang = negotiate_lang(router.current_event.headers)
    request, _ = _request_for(token, UPLOAD_ACTION, lang)
    lang = request.lang
    taken = len(bucket().taken(request.reference))
    return html_response(200, pages.add_photos_page(load_catalog(), request, lang, token, taken))


def form_files(event: Any) -> tuple[str | None, list[tuple[str, bytes]]]:
    """The language field and the (declared type, bytes) of each file a multipart form sent."""
    content_type = header(event.headers, "content-type")
    if content_type.split(";")[0].strip().lower() != MULTIPART:
        raise HttpProblem(415, "unsupported")
    body = raw_body(event)
    if len(body) > FORM_PHOTO_MAX_MB * 1024 * 1024 + FORM_OVERHEAD_BYTES:
        raise HttpProblem(413, "photo_form_too_large")
    # The standard library's MIME parser reads the parts; imported here, as only a form without
    # JavaScript sends one, so the API's cold start does not pay for it.
    from email import policy as email_policy
    from email.parser import BytesParser

    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace") + body
    )
    if not message.is_multipart():
        raise HttpProblem(400, "malformed")
    lang, files = None, []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if name == "lang":
            lang = payload.decode("utf-8", errors="replace").strip() or None
        elif name == FORM_FIELD and part.get_filename() and payload:
            files.append((part.get_content_type(), payload))
    return lang, files


@router.post("/api/photos/<token>", include_in_schema=False)
def upload_by_form(token: str):  # no return annotation: Powertools would read it as a response model
    event = router.current_event
    lang = negotiate_lang(event.headers)
    request, _ = _request_for(token, UPLOAD_ACTION, lang)
    try:
        sent_lang, files = form_files(event)
    except HttpProblem as problem:
        problem.lang = request.lang
        raise
    lang = sent_lang if sent_lang in ("zh", "en") else request.lang
    if not files:
        raise HttpProblem(422, "photo_none", lang=lang)
    if sum(len(data) for _, data in files) > FORM_PHOTO_MAX_MB * 1024 * 1024:
        raise HttpProblem(413, "photo_form_too_large", lang=lang)
    try:
        slots = bucket().put_uploads(request.reference, files)
    except PhotoProblem as problem:
        raise _refused(problem, lang) from None
    logger.info("photos received by form", extra={"reference": request.reference, "count": len(slots)})
    # The way back to the request's own page (lobby.text_links): the photos show there once checked.
    back = f"{TEXT_PATH}{text_token(text_key(_secret()), request.reference)}"
    return html_response(202, pages.photos_received_page(request, lang, len(slots), token, back))


@router.get("/api/photo/<token>", include_in_schema=False)
def open_photo(token: str) -> Response:
    lang = load_catalog().property.staff_language
    request, link = _request_for(token, None, lang)
    slot = link.action.removeprefix(VIEW_ACTION_PREFIX)
    url = bucket().photo_link(request.reference, int(slot)) if slot.isdigit() else None
    if url is None:
        raise HttpProblem(404, "photo_gone", lang=lang)
    return Response(status_code=303, headers={"Location": url, "Cache-Control": "no-store"}, body="")


def receipt_photos_path(request: ServiceRequest, moment: datetime) -> str | None:
    """Where the receipt sends the resident to add photos; None for a kind without photos, or while the
    signing secret cannot be read (the request itself is stored all the same)."""
    if request.kind not in PHOTO_KINDS:
        return None
    try:
        if not get_settings().photo_bucket:
            return None
        return upload_path(request.reference, moment)
    except Exception as error:
        logger.warning("photo link skipped", extra={"error": type(error).__name__})
        return None


def _shown(request: ServiceRequest) -> list[Shown]:
    """The request's photos with presigned links; none when photos are not kept here, or the bucket
    cannot be read (the page shows everything else)."""
    if request.kind not in PHOTO_KINDS or not get_settings().photo_bucket:
        return []
    try:
        return bucket().shown(request.reference)
    except Exception as error:
        logger.warning("photos not shown", extra={"error": type(error).__name__})
        return []


def gallery(request: ServiceRequest, lang: str) -> tuple[str, str | None]:
    """The request's photos as thumbnails (the desk card, the status page), and the origin their links
    load from, for the page's Content-Security-Policy."""
    shown = _shown(request)
    if not shown:
        return "", None
    address = urlsplit(shown[0].thumbnail_url)
    return pages.gallery(lang, shown), f"{address.scheme}://{address.netloc}"


def shown_json(request: ServiceRequest) -> list[dict[str, Any]]:
    """The request's photos for the status answer in JSON: slot, thumbnail and photo links."""
    return [
        {"slot": one.slot, "thumbnail_url": one.thumbnail_url, "photo_url": one.photo_url}
        for one in _shown(request)
    ]
