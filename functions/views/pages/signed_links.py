"""Pages behind signed links: staff confirm an action; residents rate the result."""

from __future__ import annotations

from html import escape
from typing import Any

from lobby import policy
from lobby.catalog import Catalog
from lobby.fields import STAFF_INPUTS
from lobby.lifecycle import NEEDS
from lobby.requests import Event, ServiceRequest
from views import receipt
from views.labels import action_label, field_rows
from views.messages import translate
from views.page import render_page
from views.wording import describe_timedelta, event_text, local_time, status_text


def _summary(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    rows = [
        (translate(lang, "link_page.reference"), request.reference),
        (translate(lang, "link_page.status"), status_text(request.status, lang)),
        (translate(lang, "link_page.location"), request.location),
        (translate(lang, "link_page.due"), local_time(catalog, request.current_due, lang) or "—"),
        (translate(lang, "link_page.owner"), request.owner or "—"),
        *field_rows(catalog, request, lang),
    ]
    body = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        f"<h2>{escape(translate(lang, 'link_page.summary'))}</h2><table class='lobby-status'>{body}</table>"
    )


def _history(catalog: Catalog, history: list[Event], lang: str) -> str:
    items = "".join(
        f"<li><time>{escape(local_time(catalog, event.at, lang))}</time> "
        f"{escape(event.actor)}: {escape(event_text(event, lang, catalog))}"
        f"{'' if event.public else ' 🔒'}</li>"
        for event in history
    )
    return f"<h2>{escape(translate(lang, 'link_page.history'))}</h2><ol class='lobby-timeline'>{items}</ol>"


def _text_input(
    name: str, label: str, hint: str, error: str | None, value: str = "", autocomplete: str = ""
) -> str:
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    err = f'<p class="lobby-error-message" id="f-{name}-error">{escape(error)}</p>' if error else ""
    described = f"f-{name}-hint" + (f" f-{name}-error" if error else "")
    return (
        f'<div class="lobby-field"><label for="f-{name}">{escape(label)}</label>'
        f'<p class="lobby-hint" id="f-{name}-hint">{escape(hint)}</p>{err}'
        f'<input id="f-{name}" name="{name}" type="text" maxlength="{STAFF_INPUTS["actor"].max_length}" required value="{escape(value)}"'
        f' aria-describedby="{described}"{auto}></div>'
    )


def confirm_page(
    catalog: Catalog,
    request: ServiceRequest,
    history: list[Event],
    action: str,
    token: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    lang = catalog.property.staff_language
    errors, values = errors or {}, values or {}
    label = action_label(action, lang)
    parts = [
        _text_input(
            "actor",
            translate(lang, "link_page.actor"),
            translate(lang, "link_page.actor_hint"),
            errors.get("actor"),
            values.get("actor", ""),
            "name",
        )
    ]
    needs = NEEDS.get(action, ())
    if action == "note":
        parts.append(
            _radios(
                "visibility",
                translate(lang, "link_page.visibility"),
                [
                    ("internal", translate(lang, "link_page.internal")),
                    ("public", translate(lang, "link_page.public")),
                ],
                "internal",
            )
        )
    if "note" in needs:
        hint = translate(lang, "link_page.note_private" if action == "note" else "link_page.note_public")
        err = errors.get("note")
        err_html = f'<p class="lobby-error-message" id="f-note-error">{escape(err)}</p>' if err else ""
        parts.append(
            f'<div class="lobby-field"><label for="f-note">{escape(translate(lang, "link_page.note"))}</label>'
            f'<p class="lobby-hint" id="f-note-hint">{escape(hint)}</p>{err_html}'
            f'<textarea id="f-note" name="note" rows="4" maxlength="{STAFF_INPUTS["note"].max_length}" required '
            f'aria-describedby="f-note-hint">{escape(values.get("note", ""))}</textarea></div>'
        )
    if action == "retriage":
        kind = catalog.kinds[request.kind]
        assert kind.deadlines.resolve_by
        choices = catalog.choices(kind.field(kind.deadlines.resolve_by))
        parts.append(
            _radios(
                "size",
                translate(lang, "link_page.size"),
                [(k, v(lang)) for k, v in choices.items()],
                request.fields.get(kind.deadlines.resolve_by, ""),
            )
        )
    if action == "reassign":
        options = [(k, o.name(lang)) for k, o in catalog.offices.items() if k != request.office]
        parts.append(_radios("office", translate(lang, "link_page.office"), options, ""))
    form = (
        f'<form class="lobby-form lobby-action-form" method="post" action="/api/actions/{escape(token)}">'
        f"{''.join(parts)}<button type='submit' class='md-button md-button--primary'>{escape(label)}</button></form>"
    )
    body = (
        f"<h1>{escape(translate(lang, 'link_page.confirm_title', action=label))}</h1><p>{escape(translate(lang, 'link_page.confirm_intro'))}</p>"
        f"{form}{_summary(catalog, request, lang)}{_history(catalog, history, lang)}"
    )
    return render_page(lang, translate(lang, "link_page.confirm_title", action=label), body)


def _radios(name: str, legend: str, options: list[tuple[str, str]], checked: str) -> str:
    items = "".join(
        f'<div class="lobby-radio"><input type="radio" id="f-{name}-{escape(value)}" name="{name}" '
        f'value="{escape(value)}"{" checked" if value == checked else ""} required>'
        f'<label for="f-{name}-{escape(value)}">{escape(text)}</label></div>'
        for value, text in options
    )
    return f'<fieldset class="lobby-field" id="f-{name}"><legend>{escape(legend)}</legend>{items}</fieldset>'


def done_page(
    catalog: Catalog, request: ServiceRequest, action: str, next_links: list[tuple[str, str]]
) -> str:
    lang = catalog.property.staff_language
    label = action_label(action, lang)
    links = "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>' for text, url in next_links)
    next_html = f"<h2>{escape(translate(lang, 'link_page.next'))}</h2><ul>{links}</ul>" if links else ""
    body = (
        f"<div class='lobby-receipt' role='status'><h1>{escape(translate(lang, 'link_page.done_title', action=label))}</h1>"
        f"<p>{escape(request.reference)} · {escape(status_text(request.status, lang))}</p></div>"
        f"{next_html}{_summary(catalog, request, lang)}"
    )
    return render_page(lang, translate(lang, "link_page.done_title", action=label), body)


def problem_page(lang: str, key: str, **values: Any) -> str:
    title = translate(lang, "link_page.problem_title")
    body = f"<h1>{escape(title)}</h1><p>{escape(translate(lang, f'link_page.{key}', **values))}</p>"
    return render_page(lang, title, body)


def rate_page(
    catalog: Catalog, request: ServiceRequest, token: str, error: bool | str = False, staff: bool = False
) -> str:
    """The follow-up questions: for the resident (their language), or for staff recording a call or visit.

    ``error`` is True when a question was left unanswered, or the message for a refused answer."""
    lang = catalog.property.staff_language if staff else request.lang
    action = f"/api/actions/{escape(token)}" if staff else f"/api/rate/{escape(token)}"
    actor = (
        _text_input(
            "actor",
            translate(lang, "link_page.actor"),
            translate(lang, "link_page.actor_hint"),
            None,
            "",
            "name",
        )
        if staff
        else ""
    )
    hint = translate(
        lang, "link_page.scale_hint", lowest=str(policy.RATING_LOWEST), highest=str(policy.RATING_HIGHEST)
    )
    scales = "".join(
        f'<fieldset class="lobby-field" id="f-{scale}"><legend>{escape(translate(lang, f"link_page.{scale}"))}</legend>'
        f'<p class="lobby-hint">{escape(hint)}</p>'
        + "".join(
            f'<span class="lobby-radio lobby-radio--inline"><input type="radio" id="f-{scale}-{n}" name="{scale}" '
            f'value="{n}" required><label for="f-{scale}-{n}">{n}</label></span>'
            for n in range(policy.RATING_LOWEST, policy.RATING_HIGHEST + 1)
        )
        + "</fieldset>"
        for scale in policy.RATING_SCALES
    )
    satisfied = _radios(
        "satisfied",
        translate(lang, "link_page.satisfied"),
        [("yes", translate(lang, "link_page.yes")), ("no", translate(lang, "link_page.no"))],
        "",
    )
    comments = (
        f'<div class="lobby-field"><label for="f-comments">{escape(translate(lang, "link_page.comments"))}</label>'
        f'<textarea id="f-comments" name="comments" rows="4" '
        f'maxlength="{STAFF_INPUTS["comments"].max_length}"></textarea></div>'
    )
    summary = (
        f'<div class="lobby-error-summary" role="alert"><p>{escape(error if isinstance(error, str) else translate(lang, "link_page.answer_all"))}</p></div>'
        if error
        else ""
    )
    body = (
        f"<h1>{escape(translate(lang, 'link_page.rate_title'))}</h1><p>{escape(request.reference)} · "
        f"{escape(catalog.kinds[request.kind].name(lang))}</p><p>{escape(translate(lang, 'link_page.rate_intro'))}</p>{summary}"
        f'<form class="lobby-form lobby-rate-form" method="post" action="{action}">'
        f"{actor}{scales}{satisfied}{comments}<button type='submit' class='md-button md-button--primary'>"
        f"{escape(translate(lang, 'link_page.send'))}</button></form>"
    )
    return render_page(lang, translate(lang, "link_page.rate_title"), body)


def rated_page(catalog: Catalog, request: ServiceRequest) -> str:
    lang = request.lang
    if request.status == "reopened":
        due = local_time(catalog, request.resolve_due, lang)
        detail = translate(
            lang, "link_page.thanks_reopened", due=due, within=describe_timedelta(policy.REWORK_WITHIN, lang)
        )
    else:
        detail = translate(lang, "link_page.thanks_closed")
    link = receipt.status_path(lang, request.reference)
    body = (
        f"<div class='lobby-receipt' role='status'><h1>{escape(translate(lang, 'link_page.thanks'))}</h1><p>{escape(detail)}</p></div>"
        f"<p><a href='{escape(link)}'>{escape(translate(lang, 'status_page.link'))}</a></p>"
    )
    return render_page(lang, translate(lang, "link_page.thanks"), body)
