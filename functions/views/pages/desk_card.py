"""The request card: everything the resident gave, the deadlines, the history (public and internal), and
a button for every action the request's state allows, each a POST that carries the session's CSRF token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lobby.catalog import Catalog
from lobby.fields import STAFF_INPUTS
from lobby.lifecycle import NEEDS
from lobby.requests import Event, ServiceRequest
from views import controls
from views.labels import action_label
from views.messages import translate
from views.page import e, tel_link
from views.pages.desk_queue import time_left
from views.pages.desk_shell import QUEUE_PATH, card_path, csrf_field, desk_page, t
from views.wording import actor_text, event_text, local_time, repeat_text, status_text

if TYPE_CHECKING:
    from desk.queue import Row
    from desk.roster import Staff


def _value_html(catalog: Catalog, request: ServiceRequest, field_id: str, value: str, lang: str) -> str:
    form_field = catalog.kinds[request.kind].field(field_id)
    if form_field.type == "tel":
        return tel_link(value)
    if form_field.type == "email":
        return f'<a href="mailto:{e(value)}">{e(value)}</a>'
    if form_field.type == "choice":
        choice = catalog.choices(form_field).get(value)
        return e(choice(lang) if choice else value)
    return e(value)


def _rows(pairs: list[tuple[str, str]]) -> str:
    """Label and (already escaped) value rows."""
    body = "".join(f"<tr><th scope='row'>{e(label)}</th><td>{value}</td></tr>" for label, value in pairs)
    return f'<table class="lobby-status desk-facts">{body}</table>'


def _resident(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    kind = catalog.kinds[request.kind]
    pairs = [
        (
            form_field.label(lang),
            _value_html(catalog, request, form_field.id, request.fields[form_field.id], lang),
        )
        for form_field in kind.fields
        if request.fields.get(form_field.id)
    ]
    return f"<h2>{t(lang, 'desk.card.resident')}</h2>{_rows(pairs)}"


def _deadlines(catalog: Catalog, row: Row, lang: str) -> str:
    request = row.request
    when = [
        ("desk.card.received_at", request.received_at),
        ("desk.card.acknowledge_due", request.acknowledge_due),
        ("desk.card.resolve_due", request.resolve_due),
        ("desk.card.follow_up_due", request.follow_up_due),
    ]
    pairs = [(translate(lang, key), e(local_time(catalog, moment, lang))) for key, moment in when if moment]
    pairs.append((translate(lang, "desk.card.time_left"), e(time_left(row, lang))))
    channel = translate(lang, f"desk.channel.{request.channel}")
    pairs += [
        (translate(lang, "desk.card.channel"), e(channel)),
        (translate(lang, "desk.card.receiver"), e(request.receiver or "—")),
        (translate(lang, "desk.queue.owner"), e(request.owner or translate(lang, "desk.queue.nobody"))),
        (translate(lang, "desk.card.office"), e(catalog.offices[request.office].name(lang))),
    ]
    return f"<h2>{t(lang, 'desk.card.deadlines')}</h2>{_rows(pairs)}"


def _history(catalog: Catalog, history: list[Event], lang: str) -> str:
    items = []
    for event in history:
        seen = t(lang, "desk.card.public" if event.public else "desk.card.internal")
        items.append(
            f'<li class="{"" if event.public else "desk-internal"}"><time datetime="{e(event.at.isoformat())}">'
            f"{e(local_time(catalog, event.at, lang))}</time> <strong>{e(actor_text(event, lang))}</strong> "
            f'{e(event_text(event, lang, catalog, for_staff=True))} <span class="desk-tag">{seen}</span></li>'
        )
    return f"<h2>{t(lang, 'desk.card.history')}</h2><ol class='lobby-timeline desk-history'>{''.join(items)}</ol>"


def _radios(name: str, action: str, legend: str, options: list[tuple[str, str]], checked: str) -> str:
    items = "".join(
        f'<div class="lobby-radio"><input class="lobby-radio__input" type="radio" id="f-{action}-{name}-{e(value)}" '
        f'name="{name}" value="{e(value)}"{" checked" if value == checked else ""} required>'
        f'<label class="lobby-radio__label" for="f-{action}-{name}-{e(value)}">{e(text)}</label></div>'
        for value, text in options
    )
    return f'<fieldset class="lobby-fieldset"><legend class="lobby-legend">{e(legend)}</legend>{items}</fieldset>'


def _inputs(catalog: Catalog, request: ServiceRequest, action: str, lang: str, values: dict[str, str]) -> str:
    parts = []
    if action == "note":
        options = [
            ("internal", translate(lang, "link_page.internal")),
            ("public", translate(lang, "link_page.public")),
        ]
        parts.append(
            _radios("visibility", action, translate(lang, "link_page.visibility"), options, "internal")
        )
    if "note" in NEEDS[action]:
        hint = translate(lang, "link_page.note_private" if action == "note" else "link_page.note_public")
        parts.append(
            f'<div class="lobby-field"><label class="lobby-label" for="f-{action}-note">'
            f'{t(lang, "link_page.note")}</label><div class="lobby-hint">{e(hint)}</div>'
            f'<textarea class="lobby-textarea" id="f-{action}-note" name="note" rows="3" required '
            f'maxlength="{STAFF_INPUTS["note"].max_length}">{e(values.get("note", ""))}</textarea></div>'
        )
    if action == "retriage":
        kind = catalog.kinds[request.kind]
        assert kind.deadlines.resolve_by
        choices = catalog.choices(kind.field(kind.deadlines.resolve_by))
        current = request.fields.get(kind.deadlines.resolve_by, "")
        options = [(key, label(lang)) for key, label in choices.items()]
        parts.append(_radios("size", action, translate(lang, "link_page.size"), options, current))
    if action == "reassign":
        options = [
            (key, office.name(lang)) for key, office in catalog.offices.items() if key != request.office
        ]
        parts.append(_radios("office", action, translate(lang, "link_page.office"), options, ""))
    return "".join(parts)


def _actions(
    catalog: Catalog,
    request: ServiceRequest,
    actions: list[str],
    csrf: str,
    lang: str,
    values: dict[str, str],
) -> str:
    if not actions:
        return f"<h2>{t(lang, 'desk.card.actions')}</h2><p>{t(lang, 'desk.card.no_actions')}</p>"
    forms = []
    for action in actions:
        inputs = _inputs(catalog, request, action, lang, values if values.get("action") == action else {})
        button = f'<button type="submit" class="lobby-button">{e(action_label(action, lang))}</button>'
        hidden = f'{csrf_field(csrf)}<input type="hidden" name="action" value="{action}">'
        form = f'<form class="desk-action" method="post" action="{card_path(request.reference)}">{hidden}'
        if inputs:  # an action that asks for more opens its questions first
            forms.append(
                f'<details class="desk-action-more"><summary>{e(action_label(action, lang))}</summary>'
                f"{form}{inputs}{button}</form></details>"
            )
        else:
            forms.append(f"{form}{button}</form>")
    quick = "".join(form for form in forms if form.startswith("<form"))
    more = "".join(form for form in forms if form.startswith("<details"))
    return f"<h2>{t(lang, 'desk.card.actions')}</h2><div class='desk-actions'>{quick}</div>{more}"


def card_page(
    catalog: Catalog,
    staff: Staff,
    csrf: str,
    row: Row,
    history: list[Event],
    actions: list[str],
    lang: str,
    error: str | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    photos: str = "",
    spot_checks: str = "",
) -> str:
    request = row.request
    kind = catalog.kinds[request.kind].name(lang)
    title = f"{request.reference} · {kind}"
    badge = (
        f' <strong class="desk-badge desk-badge--overdue">{t(lang, "desk.queue.overdue")}</strong>'
        if row.overdue
        else ""
    )
    notice = controls.alert(error or "")
    flag = repeat_text(request, lang)
    if flag:
        notice += f'<p class="desk-flag">{e(flag)}</p>'

    if done == "registered":
        notice += f'<div class="lobby-notice" role="status"><p>{t(lang, "desk.card.registered")}</p></div>'
    elif done:
        notice += f'<div class="lobby-notice" role="status"><p>{t(lang, "desk.card.done", action=action_label(done, lang))}</p></div>'
    body = (
        f'<p class="desk-back"><a href="{QUEUE_PATH}">{t(lang, "desk.card.back")}</a></p>'
        f"<h1>{e(title)}</h1>"
        f'<p class="desk-state">{e(status_text(request.status, lang))} · {e(request.location)}{badge}</p>'
        f"{notice}{_actions(catalog, request, actions, csrf, lang, values or {})}{spot_checks}"
        f"{_deadlines(catalog, row, lang)}{_resident(catalog, request, lang)}{photos}{_history(catalog, history, lang)}"
    )
    return desk_page(lang, title, body, staff, csrf, card_path(request.reference))
