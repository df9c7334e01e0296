"""The resident's own request page and its steps.

- ``GET /api/s/<token>`` (``api.text_links``) shows the request with what the resident can do now
  (``views.pages.request_page``): rate it once resolved (the follow-up's own one-time link,
  ``/api/rate/<token>``), add information, add photos (the photo routes' form, ``api.photos``),
  cancel it while it is not yet resolved.
- ``POST /api/resident/information`` and ``POST /api/resident/cancel``: plain form posts carrying the
  page's signed token in their body; the site's origin is checked as for the desk's posts, so another
  site cannot post them from a resident's browser.

A refusal (another origin, a forged or expired token, a text too long, a step the request's state does
not allow) is answered in the resident's language with a 4xx and changes nothing. Only the reference
and the step are logged, never what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api import photos
from api.desk_common import page, site_origin
from api.http import HttpProblem, header, negotiate_lang, raw_body, read_body
from api.shared import logger, now, store
from desk.sessions import DeskRefused, check_origin
from lobby import link_actions, links, resident_steps
from lobby.catalog import load_catalog
from lobby.lifecycle import IllegalTransition, MissingInput
from lobby.policy import CANCEL_REASON_MAX_CHARS, PHOTO_KINDS, RESIDENT_INFORMATION_MAX_CHARS
from lobby.requests import ServiceRequest
from lobby.resident_steps import INFORMATION_FIELD, REASON_FIELD
from lobby.settings import get_settings
from lobby.storage import StaleRequest
from lobby.text_links import read_text_token, text_key, text_token
from lobby.validation import choose_lang, message
from views.messages import translate
from views.pages import photos as photo_pages
from views.pages import request_page as views
from views.pages import resident as pages
from views.wording import status_text

router = Router()

# Enough of a body's head to hold the form's first fields (the token and the language), which browsers
# send in the form's order: a body over the size limit is refused, but still on its request's page.
HEAD_BYTES = 256
LIMITS = {INFORMATION_FIELD: RESIDENT_INFORMATION_MAX_CHARS, REASON_FIELD: CANCEL_REASON_MAX_CHARS}


def _secret() -> bytes:
    return links.signing_secret(get_settings().signing_secret_parameter)


def _photos_form(request: ServiceRequest, lang: str, moment: datetime) -> str:
    """The photo routes' upload form for this request (a day's permission), while it takes photos;
    nothing when photos are not kept here or the bucket cannot be read (the page shows the rest)."""
    if request.kind not in PHOTO_KINDS or not request.is_open or not get_settings().photo_bucket:
        return ""
    try:
        taken = len(photos.bucket().taken(request.reference))
        return photo_pages.add_photos_form(lang, photos.upload_token(request.reference, moment), taken)
    except Exception as error:
        logger.warning("photo form skipped", extra={"error": type(error).__name__})
        return ""


def render(
    request: ServiceRequest,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The request's own page in the resident's language, with the steps its state allows."""
    catalog = load_catalog()
    moment = now()
    secret = _secret()
    lang = request.lang
    token = text_token(text_key(secret), request.reference)
    rate_url = None
    if request.status == "resolved" and not link_actions.rated_since_resolution(request):
        rate_url = (
            f"/api/rate/{links.sign(secret, request.reference, 'rate', moment, links.RESIDENT_LINK_LIFETIME)}"
        )
    lead, below = views.actions(
        request,
        token,
        lang,
        rate_url=rate_url,
        photos_form=_photos_form(request, lang, moment),
        errors=errors,
        values=values,
    )
    gallery, images_from = photos.gallery(request, lang)
    history = store().history(request.reference)
    html = pages.status_page(catalog, request, history, lang, photos=gallery, lead=lead, actions=below)
    return page(status, html, images_from)


def _refused(http_status: int, lang: str, key: str, token: str | None = None, **values: Any) -> Response:
    return page(
        http_status, views.refused_page(lang, translate(lang, f"request_page.{key}", **values), token)
    )


def _posted(event: Any) -> tuple[dict[str, str], bool]:
    """The form's text fields, and whether the body was over the size limit (then only the token and the
    language, read from its head)."""
    try:
        data = read_body(event).data
        return {key: value for key, value in data.items() if isinstance(value, str)}, False
    except HttpProblem as problem:
        if problem.status != 413:
            raise
    head = raw_body(event)[:HEAD_BYTES].decode("utf-8", errors="ignore")
    wanted = (views.TOKEN_FIELD, views.LANG_FIELD)
    return {name: value for name, value in parse_qsl(head) if name in wanted}, True


def _refusal(missing: MissingInput, lang: str) -> str:
    label = translate(lang, f"request_page.{missing.field}_label")
    return message(missing.code, lang, label=label, n=missing.n)


Step = Callable[[ServiceRequest, dict[str, str], str], Response]


def _step(field: str, act: Step) -> Response:
    """Check where the post came from and its token, then ``act(request, form, token)``."""
    event = router.current_event
    lang = negotiate_lang(event.headers)
    try:
        check_origin(
            site_origin(),
            header(event.headers, "origin"),
            header(event.headers, "referer"),
            header(event.headers, "sec-fetch-site"),
        )
    except DeskRefused:
        return _refused(403, lang, "other_origin")
    form, too_large = _posted(event)
    lang = choose_lang(form.get(views.LANG_FIELD, lang))
    token = form.get(views.TOKEN_FIELD, "")
    try:
        reference, _ = read_text_token(text_key(_secret()), token, now())
    except links.LinkExpired:
        return _refused(410, lang, "expired")
    except links.LinkInvalid:
        return _refused(404, lang, "invalid")
    request = store().get_request(reference)
    if request is None:
        return _refused(404, lang, "invalid")
    if too_large:
        label = translate(request.lang, f"request_page.{field}_label")
        error = translate(request.lang, "request_page.too_large", label=label, limit=LIMITS[field])
        return render(request, status=413, errors={field: error})
    return act(request, form, token)


def _add_information(request: ServiceRequest, form: dict[str, str], token: str) -> Response:
    lang = request.lang
    try:
        event = resident_steps.add_information(store(), request, form.get(INFORMATION_FIELD, ""), now())
    except IllegalTransition:
        return _refused(409, lang, "information_closed", token, status=status_text(request.status, lang))
    except MissingInput as missing:
        errors = {INFORMATION_FIELD: _refusal(missing, lang)}
        return render(request, status=422, errors=errors, values=form)
    logger.info("information added", extra={"reference": request.reference})
    return page(200, views.done_page(load_catalog(), request, event, token))


def _cancel(request: ServiceRequest, form: dict[str, str], token: str) -> Response:
    lang = request.lang
    try:
        change = resident_steps.cancel(store(), load_catalog(), request, form.get(REASON_FIELD, ""), now())
    except IllegalTransition as illegal:
        key = "already_cancelled" if illegal.status == "cancelled" else "cancel_too_late"
        return _refused(409, lang, key, token, status=status_text(illegal.status, lang))
    except StaleRequest:
        return _refused(409, lang, "stale", token)
    except MissingInput as missing:
        return render(request, status=422, errors={REASON_FIELD: _refusal(missing, lang)}, values=form)
    logger.info("cancelled by the resident", extra={"reference": request.reference})
    return page(200, views.done_page(load_catalog(), change.request, change.event, token))


@router.post(views.INFORMATION_PATH, include_in_schema=False)
def add_information():  # no return annotation: Powertools would read it as a response model
    return _step(INFORMATION_FIELD, _add_information)


@router.post(views.CANCEL_PATH, include_in_schema=False)
def cancel_request():  # no return annotation: Powertools would read it as a response model
    return _step(REASON_FIELD, _cancel)
