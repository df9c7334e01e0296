"""The resident-facing API routes. They sit on a Router so Lambda and the local stack share them."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api import photos
from api.http import (
    HttpProblem,
    Incoming,
    client_address,
    html_response,
    json_response,
    negotiate_lang,
    read_body,
)
from api.shared import logger, now, store
from lobby import links
from lobby.catalog import Catalog, Kind, load_catalog
from lobby.intake import receive
from lobby.limits import LimitReached, Limits
from lobby.references import is_reference
from lobby.requests import Event, ServiceRequest, utc_iso
from lobby.settings import get_settings
from lobby.text_links import STATUS
from lobby.texts import text_link
from lobby.validation import (
    CONTROL_FIELDS,
    LANG_FIELD,
    STEP_FIELD,
    SubmissionInvalid,
    choose_lang,
    validate_submission,
)
from views import receipt
from views.answers import answer_items
from views.forms import CHECK_STEP
from views.pages import check
from views.pages import photos as photo_pages
from views.pages import resident as pages
from views.wording import event_text, local_time, status_text

router = Router()

# Looked up in place of a malformed reference, so that it costs what a real one costs; no request has it.
UNUSED_REFERENCE = "00000000-0000"
# Compared against when no request was found, so that a miss costs what a wrong contact costs.
_NOBODY = ServiceRequest(
    reference=UNUSED_REFERENCE,
    kind="",
    office="",
    status="",
    lang="zh",
    fields={"phone": "00000000000", "phone_alt": "00000000000", "email": "nobody@invalid"},
    received_at=datetime(2000, 1, 1, tzinfo=UTC),
    acknowledge_due=None,
    resolve_due=None,
    catalog_version="",
)


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment else None


def request_url(reference: str) -> str | None:
    """The request's own signed link (the short one texts carry: nothing personal in it); none when
    the signing secret cannot be read, and the receipt then links to the status form instead."""
    try:
        return text_link(get_settings(), reference, STATUS)
    except Exception as error:
        logger.warning("request link skipped", extra={"error": type(error).__name__})
        return None


def receipt_json(
    catalog: Catalog, request: ServiceRequest, lang: str, duplicate: bool, url: str | None = None
) -> dict[str, Any]:
    photos_url = photos.receipt_photos_path(request, now())
    return {
        "reference": request.reference,
        "kind": request.kind,
        "status": request.status,
        "received_at": _iso(request.received_at),
        "due_at": _iso(request.promised_due),
        "acknowledge_by": _iso(request.acknowledge_due),
        "resolve_by": _iso(request.resolve_due),
        "due_text": local_time(catalog, request.promised_due, lang),
        "status_url": receipt.status_path(lang, request.reference),
        "message": receipt.promise(catalog, request, lang),
        "next_steps": receipt.next_steps(catalog, request, lang),
        "duplicate": duplicate,
        "request_url": url,
        # The same receipt as the page without JavaScript; the script shows it under the form's page.
        "receipt_html": pages.receipt_html(catalog, request, lang, duplicate, url, heading="h2"),
        # Photos (api/photos.py): where the form's photo block posts, for the kinds that take photos,
        # and the receipt's photo block, as the page without JavaScript shows it.
        "photos_url": photos_url,
        "photos_html": photo_pages.receipt_block(lang, photos_url),
    }


@router.post("/api/requests/<kind>", include_in_schema=False)
def submit_request(kind: str):  # no return annotation: Powertools would read it as a response model
    catalog = load_catalog()
    event = router.current_event
    kind_spec = catalog.kinds.get(kind)
    if kind_spec is None:
        raise HttpProblem(404, "unknown_kind")
    incoming: Incoming = read_body(event)
    # Without a lang field, the resident's language is the one their browser asks for.
    data = {LANG_FIELD: negotiate_lang(event.headers), **incoming.data}
    lang = choose_lang(data[LANG_FIELD])
    step = data.get(STEP_FIELD)
    if isinstance(step, str) and step.startswith(check.CHANGE_STEP) and incoming.wants_html:
        field_id = step.removeprefix(check.CHANGE_STEP)
        return html_response(200, check.change_page(catalog, kind_spec, lang, incoming.data, field_id))
    if step not in (None, "", check.SEND_STEP):  # "check", or a step no form sends: show, store nothing
        return check_answers(catalog, kind_spec, data, incoming)
    try:
        receipt = receive(store(), catalog, kind_spec, data, now(), limits(event))
    except LimitReached as limit:
        # Logged for the operators' alarm; the first refusal of a counter has queued the office's notice
        # (lobby.limits). Neither the address nor the client is logged.
        logger.warning("limit reached", extra={"kind": kind, "limit": limit.which, "first": limit.first})
        raise HttpProblem(429, f"limit_{limit.which}", lang=lang, retry_after=limit.retry_after) from None
    except SubmissionInvalid as invalid:
        return refused(catalog, kind_spec, invalid, incoming)

    request = receipt.request
    duplicate = not receipt.created
    logger.info(
        "request received", extra={"reference": request.reference, "kind": kind, "duplicate": duplicate}
    )
    status = 200 if duplicate else 201
    url = request_url(request.reference)
    if incoming.wants_html:
        photos_url = photos.receipt_photos_path(request, now())
        return html_response(status, pages.receipt_page(catalog, request, lang, duplicate, url, photos_url))
    return json_response(status, receipt_json(catalog, request, lang, duplicate, url))


def refused(catalog: Catalog, kind: Kind, invalid: SubmissionInvalid, incoming: Incoming) -> Response:
    """The form again with each problem (a page), or the problems by field (JSON); nothing stored."""
    logger.info("submission refused", extra={"kind": kind.id, **fields_in_error(kind, invalid)})
    if incoming.wants_html:
        return html_response(422, pages.form_errors_page(catalog, kind, invalid, incoming.data))
    errors = [{"field": name, "message": text} for name, text in invalid.errors.items()]
    return json_response(422, {"message": invalid.summary, "errors": errors})


def check_answers(catalog: Catalog, kind: Kind, data: dict[str, Any], incoming: Incoming) -> Response:
    """Check your answers: the answers validated and shown back with their change buttons, nothing
    stored, nothing counted against the limits (a page without JavaScript; ``check_html`` with it)."""
    try:
        submission = validate_submission(catalog, kind, data, now())
    except SubmissionInvalid as invalid:
        return refused(catalog, kind, invalid, incoming)
    lang = submission.lang
    if incoming.wants_html:
        return html_response(200, check.check_page(catalog, kind, lang, submission.values, data))
    answers = answer_items(catalog, kind, submission.values, lang)
    return json_response(
        200,
        {
            "step": CHECK_STEP,
            "answers": [{"field": field, "label": label, "value": value} for field, label, value in answers],
            "check_html": check.check_html(catalog, kind, lang, submission.values, data, heading="h2"),
        },
    )


def limits(event: Any) -> Limits | None:
    """The submission's limits; none when the keying secret cannot be read. A resident's request never
    waits on the secret: an outage of SSM lets submissions through uncounted (and says so in the log)
    rather than refusing them, since the API's own throttling still caps the rate."""
    settings = get_settings()
    try:
        secret = links.keying_secret(settings.signing_secret_parameter)
    except Exception as error:
        logger.warning("limits skipped", extra={"error": type(error).__name__})
        return None
    return Limits(
        secret=secret,
        client=client_address(event),
        per_client=settings.submissions_per_client,
        per_recipient=settings.receipts_per_recipient,
        time_zone=load_catalog().property.time_zone,
    )


def fields_in_error(kind: Kind, invalid: SubmissionInvalid) -> dict[str, Any]:
    """What a refusal may log: the names of the kind's own fields in error, and how many other names
    were sent. A name the form does not have is whatever the client sent (a JSON body posted as a
    form arrives as one long "name"), so it is counted, never written."""
    known = {form_field.id for form_field in kind.fields} | CONTROL_FIELDS
    named = sorted(name for name in invalid.errors if name in known)
    return {"fields_in_error": named, "unknown_fields": len(invalid.errors) - len(named)}


def _lookup(reference: str, contact: str) -> tuple[ServiceRequest, list[Event]] | None:
    """The request and its history, only when the contact matches; otherwise None.

    A known reference with a wrong contact, an unknown reference and a malformed one cost the same
    work: one read of the request, one query of its history, one comparison of the contact, so
    neither the answer nor its timing tells them apart.
    """
    reference = reference.strip()
    key = reference if is_reference(reference) else UNUSED_REFERENCE
    request = store().get_request(key)
    history = store().history(key)
    matches = (request or _NOBODY).matches_contact(contact)
    if request is None or not matches or key != reference:
        return None
    return request, history


def status_json(catalog: Catalog, request: ServiceRequest, history: list[Event], lang: str) -> dict[str, Any]:
    history = [event for event in history if event.public]
    return {
        "reference": request.reference,
        "kind": request.kind,
        "kind_name": catalog.kinds[request.kind].name(lang),
        "status": request.status,
        "status_text": status_text(request.status, lang),
        "received_at": _iso(request.received_at),
        "received_text": local_time(catalog, request.received_at, lang),
        "due_at": _iso(request.promised_due),
        "due_text": local_time(catalog, request.promised_due, lang),
        "contact_by_text": receipt.contact_by(catalog, request, lang),
        "owner": pages.owner_name(catalog, request, lang),
        "history": [
            {
                "at": _iso(event.at),
                "at_text": local_time(catalog, event.at, lang),
                "text": event_text(event, lang, catalog),
            }
            for event in history
        ],
    }


def _not_found_json(lang: str) -> Response:
    return json_response(404, {"message": receipt.not_found(lang)})


@router.post("/api/status", include_in_schema=False)
def lookup_status():  # no return annotation: Powertools would read it as a response model
    catalog = load_catalog()
    incoming = read_body(router.current_event)
    data = incoming.data
    lang = choose_lang(data.get(LANG_FIELD, negotiate_lang(router.current_event.headers)))
    reference, contact = data.get("reference", ""), data.get("contact", "")
    valid = isinstance(reference, str) and isinstance(contact, str)
    found = _lookup(reference, contact) if valid else _lookup("", "")
    if incoming.wants_html:
        if found is None:
            return html_response(404, pages.status_not_found_page(lang))
        gallery, images_from = photos.gallery(found[0], lang)
        page = pages.status_page(catalog, *found, lang, photos=gallery)
        return html_response(200, page, images_from=images_from)
    if found is None:
        return _not_found_json(lang)
    return json_response(200, {**status_json(catalog, *found, lang), "photos": photos.shown_json(found[0])})
