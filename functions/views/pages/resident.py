"""The API's own HTML pages, for residents whose browser posts the form without JavaScript."""

from __future__ import annotations

from html import escape

from lobby import policy
from lobby.catalog import Catalog, Kind
from lobby.requests import Event, ServiceRequest
from lobby.validation import SubmissionInvalid
from views import receipt
from views.answers import answer_rows
from views.forms import render_form, render_status_form
from views.messages import translate
from views.page import facts, render_page, tel_link
from views.pages import photos
from views.wording import event_text, local_time, status_text


def page_url(kind: Kind, lang: str) -> str:
    return f"/en/{kind.page}/" if lang == "en" else f"/{kind.page}/"


def receipt_html(
    catalog: Catalog,
    request: ServiceRequest,
    lang: str,
    duplicate: bool,
    request_url: str | None = None,
    heading: str = "h1",
) -> str:
    """The receipt: the reference, what was sent, the promise, the next steps and the request's own
    link. The page without JavaScript and the script (the API's ``receipt_html``) show this same
    markup; only the heading's level follows where it stands (a page of its own, or under a form)."""
    title = receipt.received_title(catalog, request, lang)
    steps = "".join(f"<li>{escape(step)}</li>" for step in receipt.next_steps(catalog, request, lang))
    notice = (
        f'<p class="lobby-notice">{escape(translate(lang, "receipt.duplicate"))}</p>' if duplicate else ""
    )
    due = local_time(catalog, request.promised_due, lang)
    due_row = f"<p><strong>{escape(translate(lang, 'receipt.due_line', due=due))}</strong></p>" if due else ""
    sent = answer_rows(catalog, catalog.kinds[request.kind], request.fields, lang, contact=False)
    sent_html = (
        f"<h2>{escape(translate(lang, 'receipt.what_you_sent'))}</h2>"
        + facts([(label, escape(value)) for label, value in sent], "lobby-facts lobby-answers")
        if sent
        else ""
    )
    phone = catalog.property.phone_24h
    # The sentence is escaped first and the dialling link put in afterwards, so only our own markup is raw.
    call = escape(translate(lang, "receipt.call", line_hours=policy.SERVICE_LINE_HOURS, phone="\x00"))
    call = call.replace("\x00", tel_link(phone))
    if request_url:
        link = (
            f'<p class="lobby-request-link"><a class="lobby-button" href="{escape(request_url)}">'
            f"{escape(translate(lang, 'receipt.request_link'))}</a></p>"
            f'<p class="lobby-hint">{escape(translate(lang, "receipt.request_link_hint"))}</p>'
        )
    else:
        link = (
            f'<p><a href="{escape(receipt.status_path(lang, request.reference))}">'
            f"{escape(translate(lang, 'status_page.link'))}</a></p>"
        )
    return f"""<div class="lobby-receipt" role="status" tabindex="-1">
<div class="lobby-receipt__panel">
  <{heading} class="lobby-receipt__title">{escape(title)}</{heading}>
  <p>{escape(translate(lang, "receipt.reference_is"))}</p>
  <p class="lobby-reference"><strong>{escape(request.reference)}</strong></p>
  {due_row}
</div>
{notice}
{sent_html}
<h2>{escape(translate(lang, "page.what_next"))}</h2>
<ul class="lobby-next-steps">{steps}</ul>
<p>{escape(translate(lang, "receipt.keep_reference"))}</p>
{link}
<p>{call}</p>
</div>"""


def receipt_page(
    catalog: Catalog,
    request: ServiceRequest,
    lang: str,
    duplicate: bool,
    request_url: str | None = None,
    photos_url: str | None = None,
) -> str:
    title = receipt.received_title(catalog, request, lang)
    body = receipt_html(catalog, request, lang, duplicate, request_url) + photos.receipt_block(
        lang, photos_url
    )
    return render_page(lang, title, body)


def form_errors_page(
    catalog: Catalog, kind: Kind, invalid: SubmissionInvalid, values: dict[str, object]
) -> str:
    lang = invalid.lang
    kept = {name: value for name, value in values.items() if isinstance(value, str)}
    form = render_form(catalog, kind.id, lang, values=kept, errors=invalid.errors)
    body = f"""
<h1>{escape(kind.name(lang))}</h1>
<p>{escape(translate(lang, "page.fix"))}</p>
{form}
<p><a href="{escape(page_url(kind, lang))}">{escape(translate(lang, "page.back"))}</a></p>
"""
    return render_page(lang, kind.name(lang), body)


def problem_page(lang: str, message: str, back: str | None = None) -> str:
    home = "/en/" if lang == "en" else "/"
    link = back or home
    body = f"""
<h1>{escape(translate(lang, "page.problem_title"))}</h1>
<p>{escape(message)}</p>
<p><a href="{escape(link)}">{escape(translate(lang, "page.back"))}</a></p>
"""
    return render_page(lang, translate(lang, "page.problem_title"), body)


def status_page(
    catalog: Catalog,
    request: ServiceRequest,
    history: list[Event],
    lang: str,
    photos: str = "",
    lead: str = "",
    actions: str = "",
) -> str:
    """The status and the timeline; on the request's own page (``views.pages.request_page``) with what
    the resident can do: ``lead`` above the photos and timeline (the rating), ``actions`` below them."""
    kind = catalog.kinds[request.kind]
    rows = [
        (translate(lang, "page.kind"), kind.name(lang)),
        (translate(lang, "page.status"), status_text(request.status, lang)),
        (translate(lang, "page.received"), local_time(catalog, request.received_at, lang)),
    ]
    contact_by = receipt.contact_by(catalog, request, lang)
    if contact_by:
        rows.append((translate(lang, "page.contact_by"), contact_by))
    due = local_time(catalog, request.promised_due, lang)
    if due:
        rows.append((translate(lang, "page.due"), due))
    rows.append((translate(lang, "page.owner"), owner_name(catalog, request, lang)))
    table = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    timeline = "".join(
        f"<li><time datetime='{escape(event.at.isoformat())}'>"
        f"{escape(local_time(catalog, event.at, lang))}</time> {escape(event_text(event, lang, catalog))}</li>"
        for event in history
        if event.public
    )
    title = f"{translate(lang, 'page.status_title')} {request.reference}"
    body = f"""
<h1>{escape(title)}</h1>
<table class="lobby-status">{table}</table>
{lead}
{photos}
<h2>{escape(translate(lang, "page.history"))}</h2>
<ol class="lobby-timeline">{timeline}</ol>
{actions}
"""
    return render_page(lang, title, body)


def status_not_found_page(lang: str) -> str:
    body = f"""
<h1>{escape(translate(lang, "page.not_found_title"))}</h1>
<p>{escape(receipt.not_found(lang))}</p>
{render_status_form(lang)}
"""
    return render_page(lang, translate(lang, "page.not_found_title"), body)


def owner_name(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    office = catalog.offices[request.office].name(lang)
    return f"{request.owner} ({office})" if request.owner else office
