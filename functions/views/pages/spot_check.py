"""A company spot check's result (lobby.spot_checks): the page behind its signed link, and the desk card's
section (what was drawn, what is still to record, what was found, and the form for the person's office)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from lobby.catalog import Catalog
from lobby.fields import STAFF_INPUTS
from lobby.lifecycle import MissingInput
from lobby.requests import ServiceRequest, parse_iso
from lobby.spot_checks import EVENT, SpotCheckRefused
from lobby.validation import message
from views import controls
from views.labels import action_label
from views.messages import translate
from views.page import e, facts, render_page
from views.pages.desk_shell import card_path, csrf_field
from views.pages.signed_links import actor_input, lede_html, request_facts
from views.wording import local_time, spot_check_result

if TYPE_CHECKING:
    from desk.roster import Staff

# What each input is called in a refusal
_LABELS = {
    "actor": "link_page.actor",
    "reached": "link_page.reached",
    "satisfied": "link_page.spot_satisfied",
    "note": "link_page.note",
}


def refusal_text(missing: MissingInput, lang: str) -> str:
    """An answer missing or refused, in the staff member's words."""
    label = translate(lang, _LABELS.get(missing.field, "link_page.note"))
    if missing.code != "required":
        return message(missing.code, lang, label=label, n=missing.n)
    if missing.field == "actor":
        return translate(lang, "link_page.required", label=label)
    return translate(lang, "link_page.spot_choose", label=label)


def refusal_key(
    catalog: Catalog, refused: SpotCheckRefused, office: str, lang: str
) -> tuple[str, dict[str, Any]]:
    """Why nothing was recorded, as a ``link_page`` message and its values: another office's check, or
    one already recorded (when and by whom)."""
    name = catalog.offices[office].name(lang) if office in catalog.offices else office
    if refused.code == "recorded":
        at = local_time(catalog, _moment(refused.result.get("at")), lang)
        return "spot_recorded", {"office": name, "at": at, "by": str(refused.result.get("by", ""))}
    return "spot_other_office", {"office": name}


def _moment(text: object) -> datetime | None:
    return parse_iso(text) if isinstance(text, str) and text else None


def _inputs(lang: str, errors: dict[str, str], values: dict[str, str], typed_name: bool) -> str:
    parts = []
    if typed_name:  # behind a link nobody is signed in: the checker gives their name
        parts.append(actor_input(lang, errors.get("actor"), values.get("actor", "")))
    questions = (  # name, question, its two answers, its hint, whether it must be answered
        ("reached", "link_page.reached", ("link_page.reached_yes", "link_page.reached_no"), "", True),
        (
            "satisfied",
            "link_page.spot_satisfied",
            ("link_page.yes", "link_page.no_answer"),
            "link_page.spot_satisfied_hint",
            False,
        ),
    )
    for name, question, (yes, no), hint, required in questions:
        parts.append(
            controls.radios(
                lang,
                name,
                translate(lang, question),
                [("yes", translate(lang, yes)), ("no", translate(lang, no))],
                checked=values.get(name, ""),
                hint=translate(lang, hint) if hint else "",
                error=errors.get(name),
                required=required,
            )
        )
    parts.append(
        controls.text_area(
            lang,
            "note",
            translate(lang, "link_page.note"),
            max_length=STAFF_INPUTS["note"].max_length,
            hint=translate(lang, "link_page.spot_note_hint"),
            error=errors.get("note"),
            value=values.get("note", ""),
            required=False,
        )
    )
    return "".join(parts)


def _check_facts(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """When the request was resolved and when the check is due."""
    rows = [
        (
            translate(lang, "mail.spot_check_resolved_at"),
            local_time(catalog, request.resolved_at, lang) or "—",
        ),
        (translate(lang, "mail.spot_check_due"), local_time(catalog, request.spot_check_due, lang) or "—"),
    ]
    return facts([(label, e(value)) for label, value in rows])


def form_page(
    catalog: Catalog,
    request: ServiceRequest,
    office: str,
    token: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    """The result of ``office``'s check, behind its signed link, in the staff language."""
    lang = catalog.property.staff_language
    errors, values = errors or {}, values or {}
    title = translate(lang, "link_page.spot_title")
    summary = controls.alert(" ".join(errors.values()))
    intro = translate(lang, "link_page.spot_intro", office=catalog.offices[office].name(lang))
    body = (
        f"<h1>{e(title)}</h1>{lede_html(catalog, request, lang)}{summary}"
        f'<p class="lobby-hint">{e(intro)}</p>{_check_facts(catalog, request, lang)}'
        f'<form class="lobby-form lobby-action-form" method="post" action="/api/spot-checks/{e(token)}" novalidate>'
        f"{_inputs(lang, errors, values, typed_name=True)}"
        f'<div class="lobby-actions">{controls.button(action_label(EVENT, lang))}</div></form>'
        f"{request_facts(catalog, request, lang)}"
    )
    return render_page(lang, title, body, topic=request.reference)


def done_page(catalog: Catalog, request: ServiceRequest, office: str) -> str:
    lang = catalog.property.staff_language
    title = translate(lang, "link_page.spot_done")
    found = spot_check_result(request.spot_check_results.get(office, {}), lang)
    card = f'<p><a href="{e(card_path(request.reference))}">{e(translate(lang, "link_page.card"))}</a></p>'
    body = (
        f"<div class='lobby-receipt' role='status'><h1 class='lobby-receipt__title'>{e(title)}</h1>"
        f"<p>{e(request.reference)} · {e(catalog.offices[office].name(lang))} · {e(found)}</p></div>{card}"
    )
    return render_page(lang, title, body, topic=request.reference)


def card_section(
    catalog: Catalog,
    request: ServiceRequest,
    staff: Staff,
    csrf: str,
    lang: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    """The desk card's spot checks: one line per drawn office, and the form for the person's own office."""
    if not request.spot_checks:
        return ""
    items = []
    for office in request.spot_checks:
        result = request.spot_check_results.get(office)
        if result is None:
            due = local_time(catalog, request.spot_check_due, lang) or "—"
            state = translate(lang, "desk.card.spot_pending", due=due)
        else:
            state = translate(
                lang,
                "desk.card.spot_result",
                result=spot_check_result(result, lang),
                by=result.get("by", ""),
                at=local_time(catalog, _moment(result.get("at")), lang),
            )
        items.append(f"<li><strong>{e(catalog.offices[office].name(lang))}</strong> {e(state)}</li>")
    form = ""
    if staff.office in request.spot_checks and staff.office not in request.spot_check_results:
        label = action_label(EVENT, lang)
        form = (
            f'<details class="desk-action-more" open><summary>{e(label)}</summary>'
            f'<form class="desk-action" method="post" action="{card_path(request.reference)}">'
            f'{csrf_field(csrf)}<input type="hidden" name="action" value="{EVENT}">'
            f"{_inputs(lang, errors or {}, values or {}, typed_name=False)}"
            f'<button type="submit" class="lobby-button">{e(label)}</button></form></details>'
        )
    heading = translate(lang, "desk.card.spot_checks")
    return f"<h2>{e(heading)}</h2><ul class='desk-spot-checks'>{''.join(items)}</ul>{form}"
