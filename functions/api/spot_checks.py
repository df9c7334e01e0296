"""A company spot check's signed link (lobby.spot_checks): GET shows the form and changes nothing (mail
scanners prefetch links); POST records the result once."""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api.actions import LINK_ERRORS, _link_problem, _problem, _secret
from api.http import html_response, read_body
from api.shared import logger, now, store
from lobby import spot_checks
from lobby.catalog import load_catalog
from lobby.lifecycle import MissingInput
from lobby.link_actions import Opened, open_link
from lobby.storage import StaleRequest
from views.pages import signed_links
from views.pages import spot_check as pages

router = Router()


def _open(token: str, moment: datetime) -> Opened:
    """The link's request; raises the link errors (another action's link is invalid here)."""
    accepts = spot_checks.link_actions(load_catalog().offices)
    return open_link(store(), _secret(), token, moment, accepts)


def _refused(refused: spot_checks.SpotCheckRefused, office: str) -> Response:
    catalog = load_catalog()
    lang = catalog.property.staff_language
    key, values = pages.refusal_key(catalog, refused, office, lang)
    status = 409 if refused.code == "recorded" else 403
    return html_response(status, signed_links.problem_page(lang, key, **values))


@router.get("/api/spot-checks/<token>", include_in_schema=False)
def show_spot_check(token: str):  # no return annotation: Powertools would read it as a response model
    try:
        opened = _open(token, now())
    except LINK_ERRORS as error:
        return _link_problem(error)
    office = spot_checks.office_of(opened.link.action)
    request = opened.request
    if office not in request.spot_checks:
        return _refused(spot_checks.SpotCheckRefused("other_office"), office)
    if office in request.spot_check_results:
        return _refused(spot_checks.SpotCheckRefused("recorded", request.spot_check_results[office]), office)
    return html_response(200, pages.form_page(load_catalog(), request, office, token))


@router.post("/api/spot-checks/<token>", include_in_schema=False)
def record_spot_check(token: str):  # no return annotation: Powertools would read it as a response model
    moment = now()
    inputs = {
        key: value for key, value in read_body(router.current_event).data.items() if isinstance(value, str)
    }
    try:
        opened = _open(token, moment)
    except LINK_ERRORS as error:
        return _link_problem(error)
    office = spot_checks.office_of(opened.link.action)
    catalog = load_catalog()
    try:
        change = spot_checks.record(opened.request, office, inputs, moment)
        store().save_change(opened.request, change.request, change.event)
    except spot_checks.SpotCheckRefused as refused:
        return _refused(refused, office)
    except StaleRequest:
        return _problem(409, "problem_stale")
    except MissingInput as missing:
        errors = {missing.field: pages.refusal_text(missing, catalog.property.staff_language)}
        page = pages.form_page(catalog, opened.request, office, token, errors=errors, values=inputs)
        return html_response(422, page)
    logger.info("spot check recorded", extra={"reference": change.request.reference, "office": office})
    return html_response(200, pages.done_page(catalog, change.request, office))
