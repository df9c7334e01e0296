"""Pages behind signed links: staff confirm an action; residents (or staff, after a visit) rate the result.

Each is drawn in the handbook's look (``views.page``) with the handbook forms' controls
(``views.controls``), for a phone first: one column, big targets, the action before the details.
"""

from __future__ import annotations

from typing import Any

from lobby import policy
from lobby.catalog import Catalog
from lobby.fields import STAFF_INPUTS
from lobby.lifecycle import NEEDS
from lobby.requests import Event, ServiceRequest
from views import controls, receipt
from views.labels import action_label, field_cells
from views.messages import translate
from views.page import e, facts, render_page
from views.pages.desk_shell import card_path
from views.wording import (
    actor_text,
    agreement_visit,
    describe_timedelta,
    event_text,
    local_time,
    owner_text,
    status_text,
)


def lede_html(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """The line under a title: the reference, the kind and where."""
    parts = [request.reference, catalog.kinds[request.kind].name(lang), request.location]
    return f'<p class="lobby-lede">{" · ".join(e(part) for part in parts if part)}</p>'


def request_facts(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """What the request is and where it stands, with everything the resident gave (phones dial)."""
    rows = [
        (translate(lang, "link_page.reference"), e(request.reference)),
        (translate(lang, "link_page.status"), e(status_text(request.status, lang))),
        (translate(lang, "link_page.location"), e(request.location or "—")),
        (translate(lang, "link_page.due"), e(local_time(catalog, request.current_due, lang) or "—")),
        (translate(lang, "link_page.owner"), e(owner_text(request, lang) or "—")),
        *field_cells(catalog, request, lang),
    ]
    return f"<h2>{e(translate(lang, 'link_page.summary'))}</h2>{facts(rows)}"


def history_list(catalog: Catalog, history: list[Event], lang: str) -> str:
    """Every line of the history, internal ones marked as such, each with who did it."""
    internal = f' <span class="lobby-tag">{e(translate(lang, "link_page.internal_mark"))}</span>'
    items = "".join(
        f'<li><time datetime="{e(event.at.isoformat())}">{e(local_time(catalog, event.at, lang))}</time> '
        f'<span class="lobby-timeline__actor">{e(actor_text(event, lang))}</span> '
        f"{e(event_text(event, lang, catalog, for_staff=True))}{'' if event.public else internal}</li>"
        for event in history
    )
    return f"<h2>{e(translate(lang, 'link_page.history'))}</h2><ol class='lobby-timeline'>{items}</ol>"


def actor_input(lang: str, error: str | None = None, value: str = "") -> str:
    return controls.text_input(
        lang,
        "actor",
        translate(lang, "link_page.actor"),
        max_length=STAFF_INPUTS["actor"].max_length,
        hint=translate(lang, "link_page.actor_hint"),
        error=error,
        value=value,
        autocomplete="name",
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
    parts = [actor_input(lang, errors.get("actor"), values.get("actor", ""))]
    if action == "note":
        options = [
            ("internal", translate(lang, "link_page.internal")),
            ("public", translate(lang, "link_page.public")),
        ]
        parts.append(
            controls.radios(
                lang, "visibility", translate(lang, "link_page.visibility"), options, checked="internal"
            )
        )
    if "note" in NEEDS.get(action, ()):
        hint = translate(lang, "link_page.note_private" if action == "note" else "link_page.note_public")
        parts.append(
            controls.text_area(
                lang,
                "note",
                translate(lang, "link_page.note"),
                max_length=STAFF_INPUTS["note"].max_length,
                hint=hint,
                error=errors.get("note"),
                value=values.get("note", ""),
            )
        )
    if action == "retriage":
        kind = catalog.kinds[request.kind]
        assert kind.deadlines.resolve_by
        choices = catalog.choices(kind.field(kind.deadlines.resolve_by))
        parts.append(
            controls.radios(
                lang,
                "size",
                translate(lang, "link_page.size"),
                [(key, name(lang)) for key, name in choices.items()],
                checked=request.fields.get(kind.deadlines.resolve_by, ""),
                error=errors.get("size"),
            )
        )
    if action == "reassign":
        options = [
            (key, office.name(lang)) for key, office in catalog.offices.items() if key != request.office
        ]
        parts.append(
            controls.radios(
                lang, "office", translate(lang, "link_page.office"), options, error=errors.get("office")
            )
        )
    title = translate(lang, "link_page.confirm_title", action=label)
    body = (
        f"<h1>{e(title)}</h1>{lede_html(catalog, request, lang)}"
        f'<p class="lobby-hint">{e(translate(lang, "link_page.confirm_intro"))}</p>'
        f'<form class="lobby-form lobby-action-form" method="post" action="/api/actions/{e(token)}" novalidate>'
        f'{"".join(parts)}<div class="lobby-actions">{controls.button(label)}</div></form>'
        f"{request_facts(catalog, request, lang)}{history_list(catalog, history, lang)}"
    )
    return render_page(lang, title, body, topic=request.reference)


def done_page(
    catalog: Catalog, request: ServiceRequest, action: str, next_links: list[tuple[str, str]]
) -> str:
    lang = catalog.property.staff_language
    title = translate(lang, "link_page.done_title", action=action_label(action, lang))
    buttons = "".join(
        f"<li>{controls.link_button(text, url, kind='' if index == 0 else 'secondary')}</li>"
        for index, (text, url) in enumerate(next_links)
    )
    next_html = (
        f"<h2>{e(translate(lang, 'link_page.next'))}</h2><ul class='lobby-next'>{buttons}</ul>"
        if buttons
        else ""
    )
    card = f'<p><a href="{e(card_path(request.reference))}">{e(translate(lang, "link_page.card"))}</a></p>'
    body = (
        f"<div class='lobby-receipt' role='status'><h1 class='lobby-receipt__title'>{e(title)}</h1>"
        f"<p>{e(request.reference)} · {e(status_text(request.status, lang))}</p></div>"
        f"{next_html}{card}{request_facts(catalog, request, lang)}"
    )
    return render_page(lang, title, body, topic=request.reference)


def problem_page(lang: str, key: str, **values: Any) -> str:
    title = translate(lang, "link_page.problem_title")
    body = (
        f"<div class='lobby-form-alert' role='alert'><h1>{e(title)}</h1>"
        f"<p>{e(translate(lang, f'link_page.{key}', **values))}</p></div>"
    )
    return render_page(lang, title, body)


def _scores(lang: str, values: dict[str, str]) -> str:
    hint = translate(
        lang, "link_page.scale_hint", lowest=str(policy.RATING_LOWEST), highest=str(policy.RATING_HIGHEST)
    )
    numbers = [(str(n), str(n)) for n in range(policy.RATING_LOWEST, policy.RATING_HIGHEST + 1)]
    return "".join(
        controls.radios(
            lang,
            scale,
            translate(lang, f"link_page.{scale}"),
            numbers,
            checked=values.get(scale, ""),
            hint=hint,
            required=False,
            scale=True,
        )
        for scale in policy.RATING_SCALES
    )


def _satisfaction_buttons(lang: str) -> str:
    return (
        f'<div class="lobby-actions lobby-choices">'
        f"{controls.button(translate(lang, 'link_page.yes'), name='satisfied', value='yes')}"
        f"{controls.button(translate(lang, 'link_page.no'), name='satisfied', value='no', kind='secondary')}</div>"
    )


def rate_form(lang: str, action: str, values: dict[str, str], actor: str = "") -> str:
    """The follow-up's form: one tap says satisfied or not; the three scores and comments are optional
    details below, sent with the same two buttons. ``action`` is where it posts (a signed link)."""
    comments = controls.text_area(
        lang,
        "comments",
        translate(lang, "link_page.comments"),
        max_length=STAFF_INPUTS["comments"].max_length,
        hint=translate(lang, "link_page.comments_hint"),
        value=values.get("comments", ""),
        required=False,
    )
    opened = " open" if any(values.get(name) for name in (*policy.RATING_SCALES, "comments")) else ""
    return (
        f'<form class="lobby-form lobby-rate-form" method="post" action="{e(action)}" novalidate>{actor}'
        f'<fieldset class="lobby-fieldset lobby-satisfaction"><legend class="lobby-legend lobby-satisfaction__question">'
        f"{e(translate(lang, 'link_page.satisfied'))}</legend>"
        f'<p class="lobby-hint">{e(translate(lang, "link_page.one_tap"))}</p>{_satisfaction_buttons(lang)}</fieldset>'
        f'<details class="lobby-details"{opened}><summary>{e(translate(lang, "link_page.details"))}</summary>'
        f'<div class="lobby-details__body">{_scores(lang, values)}{comments}'
        f'<p class="lobby-hint">{e(translate(lang, "link_page.details_send"))}</p>{_satisfaction_buttons(lang)}</div>'
        "</details></form>"
    )


def rate_page(
    catalog: Catalog,
    request: ServiceRequest,
    token: str,
    error: bool | str = False,
    staff: bool = False,
    values: dict[str, str] | None = None,
) -> str:
    """The follow-up (回访) for the resident (their language), or for staff recording a call or visit (who
    also give their name).

    ``error`` is True when the satisfaction was not given, or the message for a refused answer;
    ``values`` are the answers sent with it, shown again."""
    values = values or {}
    lang = catalog.property.staff_language if staff else request.lang
    action = f"/api/actions/{token}" if staff else f"/api/rate/{token}"
    actor = actor_input(lang, value=values.get("actor", "")) if staff else ""
    message = error if isinstance(error, str) else translate(lang, "link_page.choose_satisfaction")
    summary = controls.alert(message if error else "")
    title = translate(lang, "link_page.rate_title")
    visit = agreement_visit(catalog, request, lang) if staff else ""
    lede = lede_html(catalog, request, lang) + (f"<p><strong>{e(visit)}</strong></p>" if visit else "")
    body = f"<h1>{e(title)}</h1>{lede}{summary}{rate_form(lang, action, values, actor)}"
    return render_page(lang, title, body, topic=request.reference)


def rated_page(catalog: Catalog, request: ServiceRequest, request_path: str | None = None) -> str:
    """Thanks for the rating, and the way back: the request's own page when its link could be signed,
    else the status form."""
    lang = request.lang
    if request.status == "reopened":
        due = local_time(catalog, request.resolve_due, lang)
        detail = translate(
            lang, "link_page.thanks_reopened", due=due, within=describe_timedelta(policy.REWORK_WITHIN, lang)
        )
    elif request.status == "resolved" and request.follow_up_due:  # a long-term agreement: visits still ahead
        detail = translate(
            lang, "link_page.thanks_agreement", due=local_time(catalog, request.follow_up_due, lang)
        )
    else:
        detail = translate(lang, "link_page.thanks_closed")
    link = request_path or receipt.status_path(lang, request.reference)
    words = translate(lang, "request_page.back" if request_path else "status_page.link")
    title = translate(lang, "link_page.thanks")
    body = (
        f"<div class='lobby-receipt' role='status'><h1 class='lobby-receipt__title'>{e(title)}</h1>"
        f"<p>{e(detail)}</p></div>"
        f"<p><a href='{e(link)}'>{e(words)}</a></p>"
    )
    return render_page(lang, title, body)
