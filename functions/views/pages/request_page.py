"""The resident's own request page (the signed link in each of their messages, ``/api/s/<token>``): the
status and timeline (``views.pages.resident.status_page``) with what the resident can do there: rate
once it is resolved, add information, add photos, cancel while it is not yet resolved; and the page
after each step, with the way back.

Every form is a plain POST (no JavaScript needed) that carries the page's signed token in its body, as
its first field, so even a body past the size limit still says which request it was for. Pure HTML;
the routes are ``api.request_page``'s.
"""

from __future__ import annotations

from lobby import policy
from lobby.catalog import Catalog
from lobby.requests import Event, ServiceRequest
from lobby.resident_steps import CANCEL_STATES, INFORMATION_FIELD, INFORMATION_STATES, REASON_FIELD
from lobby.text_links import PATH as TEXT_PATH
from views import controls
from views.forms import render_error_summary
from views.messages import translate
from views.page import e, page_url, render_page
from views.pages.signed_links import rate_form
from views.wording import event_text, local_time, status_text

INFORMATION_PATH = "/api/resident/information"
CANCEL_PATH = "/api/resident/cancel"
TOKEN_FIELD = "token"  # noqa: S105 - the name of a form field, not a secret
LANG_FIELD = "lang"


def request_path(token: str) -> str:
    return f"{TEXT_PATH}{token}"


def _hidden(token: str, lang: str) -> str:
    return (
        f'<input type="hidden" name="{TOKEN_FIELD}" value="{e(token)}">'
        f'<input type="hidden" name="{LANG_FIELD}" value="{e(lang)}">'
    )


def information_form(lang: str, token: str, error: str | None = None, value: str = "") -> str:
    hint = translate(lang, "request_page.information_hint", limit=policy.RESIDENT_INFORMATION_MAX_CHARS)
    box = controls.text_area(
        lang,
        INFORMATION_FIELD,
        translate(lang, "request_page.information_label"),
        max_length=policy.RESIDENT_INFORMATION_MAX_CHARS,
        hint=hint,
        error=error,
        value=value,
        rows=5,
    )
    return (
        f'<h2 id="add-information">{e(translate(lang, "request_page.information_title"))}</h2>'
        f'<form class="lobby-form lobby-resident-form" method="post" action="{INFORMATION_PATH}" novalidate>'
        f"{_hidden(token, lang)}{box}"
        f'<div class="lobby-actions">{controls.button(translate(lang, "request_page.information_send"))}</div>'
        "</form>"
    )


def cancel_form(lang: str, token: str, error: str | None = None, value: str = "") -> str:
    """Folded away, so a thumb does not cancel by accident; open when it comes back with an error."""
    box = controls.text_area(
        lang,
        REASON_FIELD,
        translate(lang, "request_page.reason_label"),
        max_length=policy.CANCEL_REASON_MAX_CHARS,
        hint=translate(lang, "request_page.reason_hint", limit=policy.CANCEL_REASON_MAX_CHARS),
        error=error,
        value=value,
        rows=3,
    )
    opened = " open" if error or value else ""
    return (
        f'<details class="lobby-details lobby-cancel"{opened}>'
        f"<summary>{e(translate(lang, 'request_page.cancel_title'))}</summary>"
        f'<div class="lobby-details__body"><p>{e(translate(lang, "request_page.cancel_intro"))}</p>'
        f'<form class="lobby-form lobby-resident-form" method="post" action="{CANCEL_PATH}" novalidate>'
        f"{_hidden(token, lang)}{box}"
        f'<div class="lobby-actions">'
        f"{controls.button(translate(lang, 'request_page.cancel_send'), kind='warning')}</div>"
        "</form></div></details>"
    )


def rating_block(lang: str, rate_url: str) -> str:
    """The follow-up's one-tap form (``/api/rate/<token>``), once the request is resolved."""
    return (
        f'<h2 id="rate">{e(translate(lang, "link_page.rate_title"))}</h2>'
        f"<p>{e(translate(lang, 'link_page.rate_intro'))}</p>{rate_form(lang, rate_url, {})}"
    )


def actions(
    request: ServiceRequest,
    token: str,
    lang: str,
    *,
    rate_url: str | None = None,
    photos_form: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> tuple[str, str]:
    """What the page offers, as (above the timeline, below it): the error summary and the rating first;
    then adding information and photos, and cancelling, as far as the request's state allows."""
    errors, values = errors or {}, values or {}
    order = [INFORMATION_FIELD, REASON_FIELD]
    lead = render_error_summary(errors, order, lang)
    if rate_url and request.status == "resolved":
        lead += rating_block(lang, rate_url)
    below = []
    if request.status in INFORMATION_STATES:
        below.append(
            information_form(lang, token, errors.get(INFORMATION_FIELD), values.get(INFORMATION_FIELD, ""))
        )
    if photos_form and request.is_open:
        below.append(f"<h2>{e(translate(lang, 'photo.heading'))}</h2>{photos_form}")
    if request.status in CANCEL_STATES:
        below.append(cancel_form(lang, token, errors.get(REASON_FIELD), values.get(REASON_FIELD, "")))
    if not request.is_open and request.status != "resolved":
        below.append(
            f'<p class="lobby-hint">{e(translate(lang, "request_page.finished", status=status_text(request.status, lang)))}'
            f' <a href="{e(page_url(lang))}">{e(translate(lang, "request_page.new_request"))}</a></p>'
        )
    return lead, "".join(below)


def _done(lang: str, title: str, lines: list[str], token: str, reference: str) -> str:
    paragraphs = "".join(f"<p>{e(line)}</p>" for line in lines)
    body = (
        f'<div class="lobby-receipt" role="status"><div class="lobby-receipt__panel">'
        f'<h1 class="lobby-receipt__title">{e(title)}</h1>'
        f'<p class="lobby-reference"><strong>{e(reference)}</strong></p></div></div>{paragraphs}'
        f'<p><a class="lobby-button" href="{e(request_path(token))}">{e(translate(lang, "request_page.back"))}</a></p>'
    )
    return render_page(lang, title, body, topic=reference)


# What each step's page says: its title, and the line that dates it.
DONE = {
    "info": ("request_page.information_done", "request_page.information_done_at"),
    "cancel": ("request_page.cancel_done", "request_page.cancel_done_at"),
}


def done_page(catalog: Catalog, request: ServiceRequest, event: Event, token: str) -> str:
    """After a step (``event``: information added, or the cancellation): what was recorded, when, that
    the owner was told, and the way back to the request."""
    lang = request.lang
    title, dated = DONE[event.type]
    return _done(
        lang,
        translate(lang, title),
        [
            translate(lang, dated, at=local_time(catalog, event.at, lang)),
            event_text(event, lang, catalog),
            translate(lang, "request_page.owner_told"),
        ],
        token,
        request.reference,
    )


def refused_page(lang: str, message: str, token: str | None = None) -> str:
    """A step that was refused, and changed nothing: why, and the way back to the request (when known)."""
    title = translate(lang, "request_page.refused_title")
    back = (
        f'<p><a href="{e(request_path(token))}">{e(translate(lang, "request_page.back"))}</a></p>'
        if token
        else ""
    )
    body = (
        f"<div class='lobby-form-alert' role='alert'><h1>{e(title)}</h1><p>{e(message)}</p>"
        f"<p>{e(translate(lang, 'request_page.nothing_changed'))}</p></div>{back}"
    )
    return render_page(lang, title, body)
