"""Check your answers before sending (the GOV.UK pattern), the same with and without JavaScript.

The request form's button asks to check (``step=check``). The API validates the answers, stores
nothing, and answers with this block: each answer under its label, a "change" button beside it, and
the button that sends. The block is a form of its own that carries every answer in hidden fields, so
without JavaScript "change" posts them back (``step=change.<field>``: the form again, filled in, at
that field) and "send" posts them to be stored (``step=send``); nothing personal is ever in a URL.
With JavaScript the site's script shows the same markup (the API's ``check_html``) under the form's
page and handles the two buttons itself.

Pure HTML from the message catalog; every value is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

from lobby.catalog import Catalog, Kind
from lobby.policy import PHOTO_KINDS
from lobby.validation import CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD, STEP_FIELD
from views.answers import answer_items
from views.forms import render_form
from views.messages import translate
from views.page import attrs, e, render_page

SEND_STEP = "send"
CHANGE_STEP = "change."


def action(kind: Kind) -> str:
    return f"/api/requests/{kind.id}"


def _hidden(values: Mapping[str, object], kind: Kind, lang: str) -> str:
    """The answers as the resident typed them, and the form's own fields, to post again."""
    names = [form_field.id for form_field in kind.fields] + [CONSENT_FIELD, HONEYPOT_FIELD]
    fields = [(LANG_FIELD, lang)] + [(name, str(values.get(name) or "")) for name in names]
    return "".join(
        f'<input type="hidden" name="{e(name)}" value="{e(value)}">'
        for name, value in fields
        if value or name == HONEYPOT_FIELD
    )


def _change_button(kind: Kind, field_id: str, label: str, lang: str) -> str:
    button = attrs(
        type="submit",
        class_="lobby-check__change",
        name=STEP_FIELD,
        value=f"{CHANGE_STEP}{field_id}",
        # Without JavaScript the form comes back scrolled to the field; a fragment never reaches a server.
        formaction=f"{action(kind)}#f-{field_id}",
        data_field=field_id,
    )
    hidden = f'<span class="lobby-visually-hidden"> {e(label)}</span>'
    return f"<button {button}>{e(translate(lang, 'check.change'))}{hidden}</button>"


def check_html(
    catalog: Catalog,
    kind: Kind,
    lang: str,
    cleaned: Mapping[str, object],
    posted: Mapping[str, object],
    heading: str = "h1",
) -> str:
    """The check block: ``cleaned`` answers shown in words, ``posted`` ones carried to be sent."""
    rows = "".join(
        f'<div class="lobby-check__row" data-field="{e(field_id)}"><dt>{e(label)}</dt>'
        f'<dd class="lobby-check__answer">{e(value)}</dd>'
        f"<dd>{_change_button(kind, field_id, label, lang)}</dd></div>"
        for field_id, label, value in answer_items(catalog, kind, cleaned, lang)
    )
    photos = (
        f'<p class="lobby-check__photos">{e(translate(lang, "check.photos_after"))}</p>'
        if kind.id in PHOTO_KINDS
        else ""
    )
    return (
        f'<section class="lobby-check" data-kind="{e(kind.id)}" tabindex="-1">'
        f'<{heading} class="lobby-check__title">{e(translate(lang, "check.title"))}</{heading}>'
        f"<p>{e(translate(lang, 'check.intro'))}</p>"
        f'<form class="lobby-check__form" method="post" action="{e(action(kind))}">'
        f"{_hidden(posted, kind, lang)}"
        f'<dl class="lobby-check__answers">{rows}</dl>{photos}'
        f'<p class="lobby-form__note">{e(translate(lang, "check.send_note"))}</p>'
        f'<div class="lobby-actions"><button type="submit" class="lobby-button lobby-check__send" '
        f'name="{STEP_FIELD}" value="{SEND_STEP}">{e(translate(lang, "form.submit"))}</button></div>'
        "</form></section>"
    )


def check_page(
    catalog: Catalog, kind: Kind, lang: str, cleaned: Mapping[str, object], posted: Mapping[str, object]
) -> str:
    """The page a form post without JavaScript gets before anything is stored."""
    return render_page(lang, translate(lang, "check.title"), check_html(catalog, kind, lang, cleaned, posted))


def change_page(catalog: Catalog, kind: Kind, lang: str, posted: Mapping[str, object], field_id: str) -> str:
    """The form again, filled in with what was posted, with the answer to change in focus."""
    kept = {name: value for name, value in posted.items() if isinstance(value, str)}
    focus = field_id if any(form_field.id == field_id for form_field in kind.fields) else None
    form = render_form(catalog, kind.id, lang, values=kept, focus=focus)
    body = f"<h1>{e(kind.name(lang))}</h1>\n{form}"
    return render_page(lang, kind.name(lang), body)
