"""The API's own HTML pages, for residents whose browser posts the form without JavaScript."""

from __future__ import annotations

from html import escape

from lobby.catalog import Catalog, Kind
from lobby.requests import Event, ServiceRequest
from lobby.validation import SubmissionInvalid
from views import receipt
from views.forms import render_form, render_status_form
from views.messages import translate
from views.page import render_page
from views.wording import event_text, local_time, status_text

_LABELS = {
    "status": {"zh": "状态", "en": "Status"},
    "kind": {"zh": "类别", "en": "Kind"},
    "received": {"zh": "提交时间", "en": "Received"},
    "due": {"zh": "承诺时间", "en": "Promised by"},
    "owner": {"zh": "负责人", "en": "Owner"},
    "history": {"zh": "办理记录", "en": "Timeline"},
    "what_next": {"zh": "接下来会怎样", "en": "What happens next"},
    "back": {"zh": "返回表单", "en": "Back to the form"},
    "fix": {"zh": "请修改以下内容后重新提交", "en": "Correct your answers and send the form again"},
    "status_title": {"zh": "办理进度", "en": "Request status"},
    "not_found_title": {"zh": "没有找到这份请求", "en": "We could not find that request"},
    "problem_title": {"zh": "提交未成功", "en": "Your request was not sent"},
}


def _label(key: str, lang: str) -> str:
    return _LABELS[key]["en" if lang == "en" else "zh"]


def page_url(kind: Kind, lang: str) -> str:
    return f"/en/{kind.page}/" if lang == "en" else f"/{kind.page}/"


def receipt_page(catalog: Catalog, request: ServiceRequest, lang: str, duplicate: bool) -> str:
    title = receipt.received_title(catalog, request, lang)
    steps = "".join(f"<li>{escape(step)}</li>" for step in receipt.next_steps(catalog, request, lang))
    notice = (
        f'<p class="lobby-notice">{escape(translate(lang, "receipt.duplicate"))}</p>' if duplicate else ""
    )
    due = local_time(catalog, request.promised_due, lang)
    due_row = f"<p>{escape(_label('due', lang))}: <strong>{escape(due)}</strong></p>" if due else ""
    body = f"""
<div class="lobby-receipt" role="status">
  <h1>{escape(title)}</h1>
  <p>{escape(translate(lang, "receipt.reference_is"))}</p>
  <p class="lobby-reference"><strong>{escape(request.reference)}</strong></p>
  {due_row}
</div>
{notice}
<h2>{escape(_label("what_next", lang))}</h2>
<ul>{steps}</ul>
<p>{escape(translate(lang, "receipt.keep_reference"))}</p>
<p><a href="{escape(receipt.status_path(lang, request.reference))}">{escape(translate(lang, "status_page.link"))}</a></p>
"""
    return render_page(lang, title, body)


def form_errors_page(
    catalog: Catalog, kind: Kind, invalid: SubmissionInvalid, values: dict[str, object]
) -> str:
    lang = invalid.lang
    kept = {name: value for name, value in values.items() if isinstance(value, str)}
    form = render_form(catalog, kind.id, lang, values=kept, errors=invalid.errors)
    body = f"""
<h1>{escape(kind.name(lang))}</h1>
<p>{escape(_label("fix", lang))}</p>
{form}
<p><a href="{escape(page_url(kind, lang))}">{escape(_label("back", lang))}</a></p>
"""
    return render_page(lang, kind.name(lang), body)


def problem_page(lang: str, message: str, back: str | None = None) -> str:
    home = "/en/" if lang == "en" else "/"
    link = back or home
    body = f"""
<h1>{escape(_label("problem_title", lang))}</h1>
<p>{escape(message)}</p>
<p><a href="{escape(link)}">{escape(_label("back", lang))}</a></p>
"""
    return render_page(lang, _label("problem_title", lang), body)


def status_page(catalog: Catalog, request: ServiceRequest, history: list[Event], lang: str) -> str:
    kind = catalog.kinds[request.kind]
    rows = [
        (_label("kind", lang), kind.name(lang)),
        (_label("status", lang), status_text(request.status, lang)),
        (_label("received", lang), local_time(catalog, request.received_at, lang)),
    ]
    due = local_time(catalog, request.promised_due, lang)
    if due:
        rows.append((_label("due", lang), due))
    rows.append((_label("owner", lang), owner_name(catalog, request, lang)))
    table = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    timeline = "".join(
        f"<li><time datetime='{escape(event.at.isoformat())}'>"
        f"{escape(local_time(catalog, event.at, lang))}</time> {escape(event_text(event, lang, catalog))}</li>"
        for event in history
        if event.public
    )
    title = f"{_label('status_title', lang)} {request.reference}"
    body = f"""
<h1>{escape(title)}</h1>
<table class="lobby-status">{table}</table>
<h2>{escape(_label("history", lang))}</h2>
<ol class="lobby-timeline">{timeline}</ol>
"""
    return render_page(lang, title, body)


def status_not_found_page(lang: str) -> str:
    body = f"""
<h1>{escape(_label("not_found_title", lang))}</h1>
<p>{escape(receipt.not_found(lang))}</p>
{render_status_form(lang)}
"""
    return render_page(lang, _label("not_found_title", lang), body)


def owner_name(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    office = catalog.offices[request.office].name(lang)
    return f"{request.owner} ({office})" if request.owner else office
