"""The short links of every resident message (``lobby.text_links``): a GET opens the request's own page
(``api.request_page``: the status and timeline, and what the resident can do there), or its rating
questions once it is resolved, without typing anything. Changes nothing."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from api import request_page
from api.http import html_response
from api.shared import now, store
from lobby import links
from lobby.catalog import load_catalog
from lobby.settings import get_settings
from lobby.text_links import RATE, read_text_token, text_key
from views.pages import resident as pages
from views.pages import signed_links

router = Router()


@router.get("/api/s/<token>", include_in_schema=False)
def open_text_link(token: str):  # no return annotation: Powertools would read it as a response model
    catalog = load_catalog()
    moment = now()
    secret = links.signing_secret(get_settings().signing_secret_parameter)
    try:
        reference, action = read_text_token(text_key(secret), token, moment)
    except links.LinkExpired:
        return html_response(410, pages.status_not_found_page("zh"))
    except links.LinkInvalid:
        return html_response(404, pages.status_not_found_page("zh"))
    request = store().get_request(reference)
    if request is None:
        return html_response(404, pages.status_not_found_page("zh"))
    if action == RATE and request.status == "resolved":
        rating = links.sign(secret, reference, "rate", moment, links.RESIDENT_LINK_LIFETIME)
        return html_response(200, signed_links.rate_page(catalog, request, rating))
    return request_page.render(request)
