"""The resident-facing API routes. They sit on a Router so Lambda and the local stack share them."""

from datetime import datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router

from api.http import (
    HttpProblem,
    Incoming,
    html_response,
    json_response,
    negotiate_lang,
    prefers_html,
    problem_message,
    read_body,
)
from api.openapi import openapi_document
from lobby import clock
from lobby.catalog import LANGUAGES, Catalog, load_catalog
from lobby.intake import receive
from lobby.references import is_reference
from lobby.requests import ServiceRequest, utc_iso
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.storage import Store, StoreUnavailable
from lobby.validation import LANG_FIELD, SubmissionInvalid, choose_lang
from views import receipt
from views.pages import resident as pages
from views.wording import event_text, local_time, status_text

logger = Logger(service="lobby")
router = Router()


@cache
def store() -> Store:
    return open_store(load_catalog(), get_settings())


def now() -> datetime:
    return clock.now()


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment else None


def receipt_json(catalog: Catalog, request: ServiceRequest, lang: str, duplicate: bool) -> dict[str, Any]:
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
    }


@router.post("/api/requests/<kind>", include_in_schema=False)
def submit_request(kind: str):  # no return annotation: Powertools would read it as a response model
    catalog = load_catalog()
    event = router.current_event
    lang = negotiate_lang(event.headers)
    kind_spec = catalog.kinds.get(kind)
    if kind_spec is None:
        raise HttpProblem(404, "unknown_kind")
    incoming: Incoming = read_body(event)
    lang = choose_lang(incoming.data.get(LANG_FIELD, lang))
    try:
        receipt = receive(store(), catalog, kind_spec, incoming.data, now())
    except SubmissionInvalid as invalid:
        logger.info(
            "submission refused", extra={"kind": kind, "fields_in_error": sorted(invalid.errors)[:20]}
        )
        if incoming.wants_html:
            return html_response(422, pages.form_errors_page(catalog, kind_spec, invalid, incoming.data))
        errors = [{"field": name, "message": text} for name, text in invalid.errors.items()]
        return json_response(422, {"message": invalid.summary, "errors": errors})

    request = receipt.request
    duplicate = not receipt.created
    logger.info(
        "request received", extra={"reference": request.reference, "kind": kind, "duplicate": duplicate}
    )
    status = 200 if duplicate else 201
    if incoming.wants_html:
        return html_response(status, pages.receipt_page(catalog, request, lang, duplicate))
    return json_response(status, receipt_json(catalog, request, lang, duplicate))


def _lookup(reference: str, contact: str) -> ServiceRequest | None:
    """The request, only when the contact matches; otherwise None, exactly as for an unknown reference."""
    reference = reference.strip()
    if not is_reference(reference) or not contact.strip():
        return None
    request = store().get_request(reference)
    if request is None or not request.matches_contact(contact):
        return None
    return request


def status_json(catalog: Catalog, request: ServiceRequest, lang: str) -> dict[str, Any]:
    history = [event for event in store().history(request.reference) if event.public]
    return {
        "reference": request.reference,
        "kind": request.kind,
        "kind_name": catalog.kinds[request.kind].name(lang),
        "status": request.status,
        "status_text": status_text(request.status, lang),
        "received_at": _iso(request.received_at),
        "due_at": _iso(request.promised_due),
        "due_text": local_time(catalog, request.promised_due, lang),
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
    request = _lookup(reference, contact) if valid else None
    if incoming.wants_html:
        if request is None:
            return html_response(404, pages.status_not_found_page(lang))
        history = store().history(request.reference)
        return html_response(200, pages.status_page(catalog, request, history, lang))
    if request is None:
        return _not_found_json(lang)
    return json_response(200, status_json(catalog, request, lang))


CONTACT_MAX_LENGTH = 120


@router.get("/api/requests/<reference>", include_in_schema=False)
def get_status(reference: str):  # no return annotation: Powertools would read it as a response model
    query = router.current_event.query_string_parameters or {}
    contact, lang = query.get("contact", ""), query.get("lang", "zh")
    invalid = [
        name
        for name, wrong in (("contact", len(contact) > CONTACT_MAX_LENGTH), ("lang", lang not in LANGUAGES))
        if wrong
    ]
    if invalid:
        # Checked here rather than by the resolver's enable_validation, which would import
        # pydantic and the OpenAPI models on every cold start for two query parameters.
        message = problem_message("invalid_query", negotiate_lang(router.current_event.headers))
        errors = [{"field": name, "message": message} for name in invalid]
        return json_response(422, {"message": message, "errors": errors})
    request = _lookup(reference, contact)
    if request is None:
        return _not_found_json(lang)
    return json_response(200, status_json(load_catalog(), request, lang))


def _problem_response(problem: HttpProblem, event: Any) -> Response:
    lang = negotiate_lang(event.headers)
    message = problem_message(problem.key, lang)
    if prefers_html(event.headers):
        return html_response(problem.status, pages.problem_page(lang, message))
    return json_response(problem.status, {"message": message})


def configure(app: ApiGatewayResolver) -> ApiGatewayResolver:
    """Attach the routes, error handlers and the OpenAPI document to a resolver."""
    from api import actions

    app.include_router(router)
    app.include_router(actions.router)

    def bind_router(resolver: ApiGatewayResolver, next_middleware: Any) -> Response:
        # One Router serves every resolver built in a process (Lambda's, the local one, tests');
        # point it at the resolver handling this request.
        router.api_resolver = resolver
        actions.router.api_resolver = resolver
        return next_middleware(resolver)

    app.use([bind_router])

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi():
        return json_response(200, openapi_document(load_catalog()))

    @app.exception_handler(HttpProblem)
    def handle_problem(problem: HttpProblem) -> Response:
        return _problem_response(problem, app.current_event)

    @app.exception_handler(StoreUnavailable)
    def handle_unavailable(_: StoreUnavailable) -> Response:
        logger.warning("table unavailable; nothing stored")
        response = _problem_response(HttpProblem(503, "busy"), app.current_event)
        response.headers["Retry-After"] = "30"
        return response

    @app.not_found
    def handle_not_found(_: Exception) -> Response:
        return _problem_response(HttpProblem(404, "not_found"), app.current_event)

    return app
