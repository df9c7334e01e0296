"""The request forms and the status form, rendered from the catalog in a resident's language.

The site build (site/hooks/lobby_markers.py) puts the forms into the handbook pages; the API
renders the same forms again for its no-JavaScript pages, with the values a resident sent and an
error summary, so a form looks and behaves the same wherever it is shown. The markup follows the
project's conventions (``f-<field>`` ids, hint and error ids, an error summary linking to each
field) and the GOV.UK pattern: a label on every field, the hint under it, optional fields marked
as optional. Every sentence comes from the message catalog (``views.messages``).

Pure Python: no AWS, no HTTP, no MkDocs. Every text that comes from the catalog or from a
resident is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

from lobby.catalog import Catalog, FormField, Kind
from lobby.fields import field_type
from lobby.policy import PHOTO_KINDS, PHOTO_MAX_MB, PHOTOS_PER_REQUEST
from lobby.references import EXAMPLE
from lobby.validation import CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD, STEP_FIELD
from views.messages import language, translate
from views.page import attrs as _attrs
from views.page import e as _e
from views.page import page_url

STATUS_ACTION = "/api/status"
# What the form's button asks for: the answers shown back before anything is sent (api/routes.py).
CHECK_STEP = "check"
# The photo picker's field (site JS only: the input has no name, so a form post never carries a file).
PHOTO_FIELD = "photos"
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"

# More choices than this are a drop-down list instead of radio buttons.
MAX_RADIOS = 6
TEXTAREA_ROWS = 6

# The status form asks for what the API looks a request up by; these limits
# are the form's, the API checks its own.
STATUS_REFERENCE_MAX = 20
STATUS_CONTACT_MAX = 120


def price_text(catalog: Catalog, key: str, lang: str) -> str:
    """A paid service's price with its unit: "30 元/次", "CNY 30 per visit"."""
    price = catalog.prices[key]
    return translate(lang, "form.price", amount=f"{price.price:g}", unit=price.unit(lang))


def _choices(catalog: Catalog, form_field: FormField, lang: str) -> list[tuple[str, str]]:
    options = []
    for key, label in catalog.choices(form_field).items():
        text = label(lang)
        if form_field.choices_from == "prices":
            text = f"{text} — {price_text(catalog, key, lang)}"
        options.append((key, text))
    return options


def _hint_text(form_field: FormField, lang: str) -> str:
    parts = [form_field.hint(lang)] if form_field.hint else []
    if field_type(form_field).multiline and form_field.max_length:
        if form_field.min_length:
            parts.append(
                translate(lang, "form.limit_range", min=form_field.min_length, max=form_field.max_length)
            )
        else:
            parts.append(translate(lang, "form.limit", max=form_field.max_length))
    return " ".join(parts)


def _described_by(field_id: str, has_hint: bool, error: str | None) -> str | None:
    ids = ([f"f-{field_id}-hint"] if has_hint else []) + ([f"f-{field_id}-error"] if error else [])
    return " ".join(ids) or None


def _error_html(field_id: str, error: str | None, lang: str) -> str:
    if not error:
        return ""
    return (
        f'<p class="lobby-error-message" id="f-{_e(field_id)}-error">'
        f'<span class="lobby-visually-hidden">{_e(translate(lang, "form.error_prefix"))}</span>{_e(error)}</p>\n'
    )


def _label_text(form_field: FormField, lang: str) -> str:
    optional = (
        ""
        if form_field.required
        else f'<span class="lobby-optional">{_e(translate(lang, "form.optional"))}</span>'
    )
    return f"{_e(form_field.label(lang))}{optional}"


def _control_html(
    catalog: Catalog, form_field: FormField, lang: str, value: str, error: str | None, autofocus: bool
) -> str:
    field_id = form_field.id
    described_by = _described_by(field_id, bool(_hint_text(form_field, lang)), error)
    common: dict[str, str | bool | int | None] = {
        "id": f"f-{field_id}",
        "name": field_id,
        "required": form_field.required,
        "autofocus": autofocus,
        "aria_describedby": described_by,
        "aria_invalid": "true" if error else None,
    }
    control = field_type(form_field).control(form_field)
    if control.element == "textarea":
        attributes = _attrs(
            class_="lobby-textarea",
            rows=TEXTAREA_ROWS,
            minlength=form_field.min_length,
            maxlength=form_field.max_length,
            **control.attributes,
            **common,
        )
        return f"<textarea {attributes}>{_e(value)}</textarea>"
    if control.element == "select":
        options = [f'<option value="">{_e(translate(lang, "form.choose"))}</option>']
        for key, text in _choices(catalog, form_field, lang):
            selected = " selected" if key == value else ""
            options.append(f'<option value="{_e(key)}"{selected}>{_e(text)}</option>')
        return f"<select {_attrs(class_='lobby-select', **common)}>{''.join(options)}</select>"
    attributes = _attrs(
        class_="lobby-input",
        **control.attributes,
        minlength=form_field.min_length,
        maxlength=form_field.max_length,
        **common,
        value=value,
    )
    return f"<input {attributes}>"


def _radios_html(
    catalog: Catalog, form_field: FormField, lang: str, value: str, error: str | None, autofocus: bool
) -> str:
    field_id = form_field.id
    hint = _hint_text(form_field, lang)
    described_by = _described_by(field_id, bool(hint), error)
    items = []
    for index, (key, text) in enumerate(_choices(catalog, form_field, lang)):
        # The first radio carries the field's own id, so the error summary's #f-<field> lands on it.
        input_id = f"f-{field_id}" if index == 0 else f"f-{field_id}-{key}"
        attributes = _attrs(
            class_="lobby-radio__input",
            type="radio",
            id=input_id,
            name=field_id,
            value=key,
            required=form_field.required,
            checked=key == value,
            autofocus=autofocus and index == 0,
            aria_invalid="true" if error else None,
        )
        items.append(
            f'<div class="lobby-radio"><input {attributes}>'
            f'<label class="lobby-radio__label" for="{_e(input_id)}">{_e(text)}</label></div>\n'
        )
    hint_html = f'<div class="lobby-hint" id="f-{_e(field_id)}-hint">{_e(hint)}</div>\n' if hint else ""
    return (
        f'<div class="lobby-field{" lobby-field--error" if error else ""}" data-field="{_e(field_id)}">'
        f"<fieldset {_attrs(class_='lobby-fieldset', aria_describedby=described_by)}>"
        f'<legend class="lobby-legend">{_label_text(form_field, lang)}</legend>\n'
        f"{hint_html}{_error_html(field_id, error, lang)}"
        f'<div class="lobby-radios">\n{"".join(items)}</div>\n'
        "</fieldset></div>\n"
    )


def render_field(
    catalog: Catalog,
    form_field: FormField,
    lang: str,
    value: str = "",
    error: str | None = None,
    *,
    autofocus: bool = False,
) -> str:
    """One question of a form: label, hint, error message (when given) and the control; ``autofocus``
    when the resident came back from checking their answers to change this one."""
    is_select = field_type(form_field).control(form_field).element == "select"
    if is_select and len(catalog.choices(form_field)) <= MAX_RADIOS:
        return _radios_html(catalog, form_field, lang, value, error, autofocus)
    field_id = form_field.id
    hint = _hint_text(form_field, lang)
    hint_html = f'<div class="lobby-hint" id="f-{_e(field_id)}-hint">{_e(hint)}</div>\n' if hint else ""
    return (
        f'<div class="lobby-field{" lobby-field--error" if error else ""}" data-field="{_e(field_id)}">'
        f'<label class="lobby-label" for="f-{_e(field_id)}">{_label_text(form_field, lang)}</label>\n'
        f"{hint_html}{_error_html(field_id, error, lang)}"
        f"{_control_html(catalog, form_field, lang, value, error, autofocus)}\n"
        "</div>\n"
    )


def _consent_html(lang: str, checked: bool, error: str | None) -> str:
    link = f'<a href="{_e(page_url(lang, "privacy"))}">{_e(translate(lang, "form.privacy_link"))}</a>'
    # The sentence is escaped first and the link put in afterwards, so only our own markup is raw.
    sentence = _e(translate(lang, "form.consent", link="\x00")).replace("\x00", link)
    attributes = _attrs(
        class_="lobby-checkbox__input",
        type="checkbox",
        id=f"f-{CONSENT_FIELD}",
        name=CONSENT_FIELD,
        value="yes",
        required=True,
        checked=checked,
        aria_describedby=f"f-{CONSENT_FIELD}-error" if error else None,
        aria_invalid="true" if error else None,
    )
    return (
        f'<div class="lobby-field lobby-field--consent{" lobby-field--error" if error else ""}" '
        f'data-field="{CONSENT_FIELD}">{_error_html(CONSENT_FIELD, error, lang)}'
        f'<div class="lobby-checkbox"><input {attributes}>'
        f'<label class="lobby-checkbox__label" for="f-{CONSENT_FIELD}">{sentence}</label></div></div>\n'
    )


def _honeypot_html(lang: str) -> str:
    # Hidden from people and from screen readers; a bot that fills every input fills this one too.
    return (
        '<div class="lobby-honeypot" aria-hidden="true">'
        f'<label for="f-{HONEYPOT_FIELD}">{_e(translate(lang, "form.honeypot"))}</label>'
        f'<input type="text" id="f-{HONEYPOT_FIELD}" name="{HONEYPOT_FIELD}" value="" '
        'tabindex="-1" autocomplete="off"></div>\n'
    )


def photo_picker_html(lang: str) -> str:
    """The photos question of the kinds that take photos. The site's script shows the picker (the
    browser then uploads each photo straight to the bucket once the request is stored); without the
    script the picker stays hidden and a note says the receipt offers the upload page instead."""
    hint = translate(lang, "photo.pick_hint", photos_limit=PHOTOS_PER_REQUEST, photo_mb=PHOTO_MAX_MB)
    attributes = _attrs(
        class_="lobby-file lobby-photo-picker__input",
        type="file",
        id=f"f-{PHOTO_FIELD}",
        accept=PHOTO_ACCEPT,
        multiple=True,
        aria_describedby=f"f-{PHOTO_FIELD}-hint",
    )
    # The browser's own words on a file input ("Choose Files") are in the browser's language, not the
    # page's: the input is hidden from sight (not from the keyboard) behind a button-like label in ours.
    choose = (
        f'<label class="lobby-photo-picker__choose" for="f-{PHOTO_FIELD}" aria-hidden="true">'
        f"{_e(translate(lang, 'photo.label'))}</label>"
    )
    return (
        f'<div class="lobby-field lobby-photo-picker" data-field="{PHOTO_FIELD}" '
        f'data-photos-limit="{PHOTOS_PER_REQUEST}" data-photo-max-mb="{PHOTO_MAX_MB}">'
        f'<label class="lobby-label" for="f-{PHOTO_FIELD}">{_e(translate(lang, "photo.heading"))}'
        f'<span class="lobby-optional">{_e(translate(lang, "form.optional"))}</span></label>\n'
        f'<div class="lobby-hint" id="f-{PHOTO_FIELD}-hint">{_e(hint)}</div>\n'
        f'<p class="lobby-photo-picker__later">{_e(translate(lang, "photo.pick_later"))}</p>\n'
        f'<div class="lobby-photo-picker__control" hidden><input {attributes}>{choose}\n'
        '<ul class="lobby-photo-list" aria-live="polite"></ul></div>\n'
        "</div>\n"
    )


def render_error_summary(errors: Mapping[str, str], field_ids: list[str], lang: str) -> str:
    """The box at the top of a form that lists each problem and links to the field it is about.

    Problems with a field on the form come first, in the form's order, as links
    to ``#f-<field>``; any other problem (an unknown field, say) is listed as text.
    """
    if not errors:
        return ""
    items = []
    for field_id in field_ids:
        if errors.get(field_id):
            items.append(f'<li><a href="#f-{_e(field_id)}">{_e(errors[field_id])}</a></li>\n')
    for field_id, message in errors.items():
        if field_id not in field_ids and message:
            items.append(f"<li>{_e(message)}</li>\n")
    return (
        '<div class="lobby-error-summary" role="alert" tabindex="-1">'
        f'<h2 class="lobby-error-summary__title">{_e(translate(lang, "form.summary_title"))}</h2>\n'
        f'<ul class="lobby-error-summary__list">\n{"".join(items)}</ul></div>\n'
    )


def _is_checked(value: object) -> bool:
    return value is True or str(value).strip().lower() in {"yes", "on", "true", "1"}


def render_form(
    catalog: Catalog,
    kind_id: str,
    lang: str,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    focus: str | None = None,
) -> str:
    """The complete ``<form>`` for a request kind, in ``lang``.

    ``values`` (field → submitted text) fills the fields in again and
    ``errors`` (field → message) adds the error summary and the message beside
    each field: this is how the API shows a form it could not accept. ``focus`` is the field the
    resident chose to change on the check-your-answers page. The button asks to check the answers
    (``step=check``): nothing is stored until the resident confirms them.
    """
    lang = language(lang)
    kind: Kind = catalog.kinds[kind_id]
    values = values or {}
    errors = errors or {}
    field_ids = [form_field.id for form_field in kind.fields] + [CONSENT_FIELD]
    fields_html = "".join(
        render_field(
            catalog,
            form_field,
            lang,
            str(values.get(form_field.id) or ""),
            errors.get(form_field.id),
            autofocus=form_field.id == focus,
        )
        for form_field in kind.fields
    )
    photos_html = photo_picker_html(lang) if kind.id in PHOTO_KINDS else ""
    form_attributes = _attrs(
        class_="lobby-form",
        method="post",
        action=f"/api/requests/{kind.id}",
        data_kind=kind.id,
        data_kind_name=kind.name(lang),
        data_help_phone=catalog.property.phone_24h,
        novalidate=True,
    )
    return (
        f"<form {form_attributes}>\n"
        f"{render_error_summary(errors, field_ids, lang)}"
        f'<p class="lobby-form__note">{_e(translate(lang, "form.required_note"))}</p>\n'
        f'<input type="hidden" name="{LANG_FIELD}" value="{lang}">\n'
        f'<input type="hidden" name="{STEP_FIELD}" value="{CHECK_STEP}">\n'
        f"{fields_html}{photos_html}"
        f"{_consent_html(lang, _is_checked(values.get(CONSENT_FIELD, '')), errors.get(CONSENT_FIELD))}"
        f"{_honeypot_html(lang)}"
        '<div class="lobby-actions"><button type="submit" class="lobby-button">'
        f"{_e(translate(lang, 'form.continue'))}</button></div>\n"
        f'<p class="lobby-form__note">{_e(translate(lang, "form.after_submit"))}</p>\n'
        "</form>"
    )


def _status_field(
    field_id: str, lang: str, value: str, error: str | None, *, max_length: int, autocomplete: str
) -> str:
    hint = translate(lang, f"status_form.{field_id}_hint", example=EXAMPLE)
    attributes = _attrs(
        class_="lobby-input",
        type="text",
        id=f"f-{field_id}",
        name=field_id,
        autocomplete=autocomplete,
        spellcheck="false",
        required=True,
        maxlength=max_length,
        aria_describedby=_described_by(field_id, True, error),
        aria_invalid="true" if error else None,
        value=value,
    )
    return (
        f'<div class="lobby-field{" lobby-field--error" if error else ""}" data-field="{field_id}">'
        f'<label class="lobby-label" for="f-{field_id}">{_e(translate(lang, f"status_form.{field_id}"))}</label>\n'
        f'<div class="lobby-hint" id="f-{field_id}-hint">{_e(hint)}</div>\n'
        f"{_error_html(field_id, error, lang)}<input {attributes}>\n</div>\n"
    )


def render_status_form(
    lang: str, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> str:
    """The form that looks a request up by its reference and the phone or e-mail given with it.

    It posts (never a GET), so the contact detail never sits in a URL or an access log.
    """
    lang = language(lang)
    values = values or {}
    errors = errors or {}
    reference = _status_field(
        "reference",
        lang,
        values.get("reference", ""),
        errors.get("reference"),
        max_length=STATUS_REFERENCE_MAX,
        autocomplete="off",
    )
    contact = _status_field(
        "contact",
        lang,
        values.get("contact", ""),
        errors.get("contact"),
        max_length=STATUS_CONTACT_MAX,
        autocomplete="tel",
    )
    return (
        f'<form class="lobby-status-form" method="post" action="{STATUS_ACTION}" novalidate>\n'
        f"{render_error_summary(errors, ['reference', 'contact'], lang)}"
        f'<input type="hidden" name="{LANG_FIELD}" value="{lang}">\n'
        f"{reference}{contact}"
        f'<div class="lobby-actions"><button type="submit" class="lobby-button">'
        f"{_e(translate(lang, 'status_form.submit'))}</button></div>\n"
        "</form>"
    )
