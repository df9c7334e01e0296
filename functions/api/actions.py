"""Signed-link routes. GET shows a confirmation page and changes nothing (mail scanners prefetch
links); POST performs the action once."""

from datetime import datetime

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api.http import html_response, read_body
from api.shared import logger, store
from lobby import clock, link_actions, links
from lobby.catalog import load_catalog
from lobby.lifecycle import IllegalTransition, MissingInput, available_actions
from lobby.requests import ServiceRequest
from lobby.settings import get_settings
from lobby.storage import StaleRequest
from lobby.text_links import PATH as TEXT_PATH
from lobby.text_links import text_key, text_token
from lobby.validation import message
from views.labels import action_label
from views.messages import translate
from views.pages import signed_links
from views.wording import status_text

router = Router()


def _secret() -> bytes:
    return links.signing_secret(get_settings().signing_secret_parameter)


def _problem(http_status: int, key: str, lang: str | None = None, **values: str) -> Response:
    language = lang or load_catalog().property.staff_language
    return html_response(http_status, signed_links.problem_page(language, key, **values))


def _link_problem(error: Exception, lang: str | None = None) -> Response:
    if isinstance(error, links.LinkExpired):
        return _problem(410, "problem_expired", lang)
    if isinstance(error, link_actions.LinkUsed):
        return _problem(410, "problem_used", lang)
    return _problem(404, "problem_invalid", lang)


LINK_ERRORS = (links.LinkInvalid, links.LinkExpired, link_actions.LinkUsed, link_actions.LinkUnknown)


def next_links(request: ServiceRequest, now: datetime) -> list[tuple[str, str]]:
    catalog = load_catalog()
    secret = _secret()
    lang = catalog.property.staff_language
    return [
        (
            action_label(action, lang),
            f"/api/actions/{links.sign(secret, request.reference, action, now, links.STAFF_LINK_LIFETIME)}",
        )
        for action in available_actions(request, catalog)
    ]


@router.get("/api/actions/<token>", include_in_schema=False)
def show_action(token: str):  # no return annotation: Powertools would read it as a response model
    now = clock.now()
    try:
        opened = link_actions.open_link(store(), _secret(), token, now, link_actions.STAFF_LINKS)
    except LINK_ERRORS as error:
        return _link_problem(error)
    catalog = load_catalog()
    action = opened.link.action
    if action == "followup" and opened.request.status == "resolved":
        return html_response(200, signed_links.rate_page(catalog, opened.request, token, staff=True))
    if action == "followup" or opened.request.status not in _allowed(action):
        return _illegal(opened.request, action)
    return html_response(
        200, signed_links.confirm_page(catalog, opened.request, opened.history, action, token)
    )


def _allowed(action: str) -> frozenset[str]:
    from lobby.lifecycle import ALLOWED

    return ALLOWED.get(action, frozenset())


def _illegal(request: ServiceRequest, action: str) -> Response:
    lang = load_catalog().property.staff_language
    label = action_label(action, lang)
    return _problem(409, "problem_illegal", status=status_text(request.status, lang), action=label)


@router.post("/api/actions/<token>", include_in_schema=False)
def confirm_action(token: str):  # no return annotation: Powertools would read it as a response model
    now = clock.now()
    catalog = load_catalog()
    lang = catalog.property.staff_language
    inputs = {
        key: value for key, value in read_body(router.current_event).data.items() if isinstance(value, str)
    }
    if _link_action(token) == "followup":
        return _record_follow_up(token, inputs, now)
    try:
        change = link_actions.confirm(store(), catalog, _secret(), token, inputs, now)
    except LINK_ERRORS as error:
        return _link_problem(error)
    except IllegalTransition as illegal:
        return _problem(
            409,
            "problem_illegal",
            status=status_text(illegal.status, lang),
            action=action_label(illegal.action, lang),
        )
    except StaleRequest:
        return _problem(409, "problem_stale")
    except MissingInput as missing:
        opened = link_actions.open_link(store(), _secret(), token, now, link_actions.STAFF_LINKS)
        errors = {missing.field: _refusal(missing, lang)}
        page = signed_links.confirm_page(
            catalog, opened.request, opened.history, opened.link.action, token, errors=errors, values=inputs
        )
        return html_response(422, page)
    logger.info("action taken", extra={"reference": change.request.reference, "action": change.event.type})
    return html_response(
        200,
        signed_links.done_page(catalog, change.request, change.event.type, next_links(change.request, now)),
    )


def _refusal(refused: MissingInput | link_actions.RatingIncomplete, lang: str) -> str:
    """The message for an input that was missing or refused (too long, not on one line)."""
    if refused.code == "required":
        field = refused.field if refused.field in ("actor", "note", "size", "office") else "note"
        return translate(lang, "link_page.required", label=translate(lang, f"link_page.{field}"))
    return message(refused.code, lang, label=translate(lang, f"link_page.{refused.field}"), n=refused.n)


def _link_action(token: str) -> str | None:
    try:
        return links.verify(_secret(), token, clock.now()).action
    except (links.LinkInvalid, links.LinkExpired):
        return None


def _record_follow_up(token: str, inputs: dict[str, str], now: datetime) -> Response:
    """Staff record the answers they gathered by phone or visit; the same questions as the resident's rating."""
    catalog = load_catalog()
    try:
        change = link_actions.rate(store(), catalog, _secret(), token, inputs, now, ["followup"])
    except LINK_ERRORS as error:
        return _link_problem(error)
    except (IllegalTransition, StaleRequest):
        return _problem(409, "problem_used")
    except (link_actions.RatingIncomplete, MissingInput) as refused:
        opened = link_actions.open_link(store(), _secret(), token, now, ["followup"])
        # an unanswered question is told in one sentence; a refused answer in its own words
        problem = refused.code == "required" or _refusal(refused, catalog.property.staff_language)
        return html_response(
            422,
            signed_links.rate_page(catalog, opened.request, token, error=problem, staff=True, values=inputs),
        )
    logger.info(
        "follow-up recorded", extra={"reference": change.request.reference, "event": change.event.type}
    )
    return html_response(200, signed_links.done_page(catalog, change.request, "followup", []))


@router.get("/api/rate/<token>", include_in_schema=False)
def show_rating(token: str):  # no return annotation: Powertools would read it as a response model
    now = clock.now()
    try:
        opened = link_actions.open_link(store(), _secret(), token, now, link_actions.RESIDENT_LINKS)
    except LINK_ERRORS as error:
        return _link_problem(error, "zh")
    if opened.request.status != "resolved":
        return _problem(409, "problem_used", opened.request.lang)
    return html_response(200, signed_links.rate_page(load_catalog(), opened.request, token))


@router.post("/api/rate/<token>", include_in_schema=False)
def submit_rating(token: str):  # no return annotation: Powertools would read it as a response model
    now = clock.now()
    catalog = load_catalog()
    inputs = {
        key: value for key, value in read_body(router.current_event).data.items() if isinstance(value, str)
    }
    try:
        change = link_actions.rate(
            store(), catalog, _secret(), token, inputs, now, link_actions.RESIDENT_LINKS
        )
    except LINK_ERRORS as error:
        return _link_problem(error, "zh")
    except (IllegalTransition, StaleRequest):
        return _problem(409, "problem_used", "zh")
    except link_actions.RatingIncomplete as refused:
        opened = link_actions.open_link(store(), _secret(), token, now, link_actions.RESIDENT_LINKS)
        problem = refused.code == "required" or _refusal(refused, opened.request.lang)
        page = signed_links.rate_page(catalog, opened.request, token, error=problem, values=inputs)
        return html_response(422, page)
    logger.info("rating stored", extra={"reference": change.request.reference, "event": change.event.type})
    # back to the request's own page (lobby.text_links), where the rating now shows in the timeline
    back = f"{TEXT_PATH}{text_token(text_key(_secret()), change.request.reference)}"
    return html_response(200, signed_links.rated_page(catalog, change.request, back))
