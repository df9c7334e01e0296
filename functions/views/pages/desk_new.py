"""Registering a request at the desk: choose the kind, then its own fields (from the catalog, as the
handbook's forms render them) with the channel, the time it was received, the resident's language and
the consent the resident gave to the receiver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from lobby.catalog import Catalog
from lobby.validation import CONSENT_FIELD, LANG_FIELD
from views.forms import render_error_summary, render_field
from views.messages import translate
from views.page import attrs, e
from views.pages.desk_shell import NEW_PATH, csrf_field, desk_page, t

if TYPE_CHECKING:
    from desk.roster import Staff

CHANNELS = ("phone", "in_person", "letter", "government")


def kinds_page(catalog: Catalog, staff: Staff, csrf: str, lang: str) -> str:
    title = translate(lang, "desk.new.title")
    items = "".join(
        f'<li><a class="desk-kind" href="{NEW_PATH}?kind={e(kind.id)}"><strong>{e(kind.name(lang))}</strong>'
        f"<span>{e(kind.summary(lang))}</span></a></li>"
        for kind in catalog.kinds.values()
    )
    body = f'<h1>{e(title)}</h1><p>{t(lang, "desk.new.choose")}</p><ul class="desk-kinds">{items}</ul>'
    return desk_page(lang, title, body, staff, csrf, NEW_PATH)


def _error(field: str, errors: Mapping[str, str]) -> str:
    message = errors.get(field)
    if not message:
        return ""
    return f'<p class="lobby-error-message" id="f-{field}-error">{e(message)}</p>'


def _radios(
    name: str, legend: str, options: list[tuple[str, str]], checked: str, errors: Mapping[str, str]
) -> str:
    items = "".join(
        f'<div class="lobby-radio"><input {attrs(class_="lobby-radio__input", type="radio", name=name, value=value, checked=value == checked, required=True, id=f"f-{name}" if index == 0 else f"f-{name}-{value}")}>'
        f'<label class="lobby-radio__label" for="{"f-" + name if index == 0 else f"f-{name}-{value}"}">{e(text)}</label></div>'
        for index, (value, text) in enumerate(options)
    )
    error_class = " lobby-field--error" if errors.get(name) else ""
    return (
        f'<div class="lobby-field{error_class}"><fieldset class="lobby-fieldset"><legend class="lobby-legend">{e(legend)}</legend>'
        f"{_error(name, errors)}<div class='lobby-radios'>{items}</div></fieldset></div>"
    )


def _desk_fields(
    lang: str, values: Mapping[str, str], errors: Mapping[str, str], now_local: str, oldest: str
) -> str:
    channels = [(channel, translate(lang, f"desk.channel.{channel}")) for channel in CHANNELS]
    channel = _radios(
        "channel", translate(lang, "desk.new.channel"), channels, values.get("channel", "phone"), errors
    )
    error_class = " lobby-field--error" if errors.get("received_at") else ""
    received = (
        f'<div class="lobby-field{error_class}"><label class="lobby-label" for="f-received_at">{t(lang, "desk.new.received")}</label>'
        f'<div class="lobby-hint" id="f-received_at-hint">{t(lang, "desk.new.received_hint")}</div>'
        f"{_error('received_at', errors)}"
        f"<input {attrs(class_='lobby-input', type='datetime-local', id='f-received_at', name='received_at', required=True, value=values.get('received_at', now_local), max=now_local, min=oldest, aria_describedby='f-received_at-hint')}>"
        "</div>"
    )
    langs = [("zh", translate(lang, "desk.new.lang_zh")), ("en", translate(lang, "desk.new.lang_en"))]
    resident_lang = _radios(
        LANG_FIELD, translate(lang, "desk.new.lang"), langs, values.get(LANG_FIELD, "zh"), errors
    )
    return channel + received + resident_lang


def _consent(lang: str, values: Mapping[str, str], errors: Mapping[str, str]) -> str:
    checked = values.get(CONSENT_FIELD) in ("yes", "on")
    error_class = " lobby-field--error" if errors.get(CONSENT_FIELD) else ""
    return (
        f'<div class="lobby-field lobby-field--consent{error_class}">{_error(CONSENT_FIELD, errors)}'
        f'<div class="lobby-checkbox"><input {attrs(class_="lobby-checkbox__input", type="checkbox", id=f"f-{CONSENT_FIELD}", name=CONSENT_FIELD, value="yes", checked=checked, required=True)}>'
        f'<label class="lobby-checkbox__label" for="f-{CONSENT_FIELD}">{t(lang, "desk.new.consent")}</label></div></div>'
    )


def form_page(
    catalog: Catalog,
    staff: Staff,
    csrf: str,
    kind_id: str,
    lang: str,
    now_local: str,
    oldest: str,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> str:
    kind = catalog.kinds[kind_id]
    values, errors = values or {}, errors or {}
    title = translate(lang, "desk.new.kind_title", kind=kind.name(lang))
    order = ["channel", "received_at", LANG_FIELD] + [field.id for field in kind.fields] + [CONSENT_FIELD]
    fields = "".join(
        render_field(
            catalog, form_field, lang, str(values.get(form_field.id) or ""), errors.get(form_field.id)
        )
        for form_field in kind.fields
    )
    receiver = translate(lang, "desk.new.receiver", name=staff.name)
    body = (
        f'<p class="desk-back"><a href="{NEW_PATH}">{t(lang, "desk.new.other_kind")}</a></p>'
        f"<h1>{e(title)}</h1><p>{e(receiver)}</p>"
        f'<form class="lobby-form desk-new" method="post" action="{NEW_PATH}?kind={e(kind.id)}" novalidate>'
        f"{render_error_summary(errors, order, lang)}{csrf_field(csrf)}"
        f'<input type="hidden" name="kind" value="{e(kind.id)}">'
        f"{_desk_fields(lang, values, errors, now_local, oldest)}"
        f"<h2>{t(lang, 'desk.new.resident')}</h2>{fields}{_consent(lang, values, errors)}"
        f'<div class="lobby-actions"><button type="submit" class="lobby-button">{t(lang, "desk.new.submit")}</button></div>'
        "</form>"
    )
    return desk_page(lang, title, body, staff, csrf, NEW_PATH)
