"""HTML rendered from the catalog: request forms, the status form and the API's standalone page.

The site build (site/hooks/lobby_markers.py) puts the forms into the handbook
pages; the API uses the same functions for its no-JavaScript pages, so a form
looks and behaves the same wherever it is shown. The handbook's fact blocks
(deadlines, prices, tables) are the site's alone: site/hooks/handbook_blocks.py. The markup follows
the conventions in the project brief (``f-<field>`` ids, hint and error ids,
an error summary linking to each field) and the GOV.UK pattern: a label on
every field, the hint under it, optional fields marked as optional.

Pure Python: no AWS, no HTTP, no MkDocs. Every text that comes from the
catalog or from a resident is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from lobby.catalog import Catalog, FormField, Kind
from lobby.fields import field_type

STYLESHEET_PATH = "/assets/stylesheets/lobby.css"
SCRIPT_PATH = "/assets/javascripts/lobby.js"
STATUS_ACTION = "/api/status"

CONSENT_FIELD = "consent"
HONEYPOT_FIELD = "website"
LANG_FIELD = "lang"

# More choices than this are a drop-down list instead of radio buttons.
MAX_RADIOS = 6
TEXTAREA_ROWS = 6

# The status form asks for what the API looks a request up by; these limits
# are the form's, the API checks its own.
STATUS_REFERENCE_MAX = 20
STATUS_CONTACT_MAX = 120

_T: dict[str, dict[str, str]] = {
    "optional": {"zh": "（选填）", "en": " (optional)"},
    "error_prefix": {"zh": "错误：", "en": "Error: "},
    "summary_title": {"zh": "请修改以下内容", "en": "There is a problem"},
    "required_note": {
        "zh": "标有“选填”的项目可以不填，其余各项都需要填写。",
        "en": "Answer every question unless it is marked optional.",
    },
    "choose": {"zh": "请选择", "en": "Select one"},
    "limit": {"zh": "最多 {max} 字。", "en": "Up to {max} characters."},
    "limit_range": {"zh": "请写 {min} 至 {max} 字。", "en": "Use {min} to {max} characters."},
    "consent": {
        "zh": "我同意物业使用以上信息办理本次请求。我们如何使用和保存这些信息，请看{link}。",
        "en": "I agree that the office uses these details to handle this request. "
        "The {link} explains how we use and keep them.",
    },
    "privacy_link": {"zh": "隐私说明", "en": "privacy notice"},
    "honeypot": {"zh": "请不要填写这一项", "en": "Leave this field empty"},
    "submit": {"zh": "提交", "en": "Send"},
    "after_submit": {
        "zh": "提交后，页面会显示受理编号。请记下编号，查询进度时要用到。",
        "en": "When you send the form you get a reference number. Keep it: you need it to check progress.",
    },
    "status_reference": {"zh": "受理编号", "en": "Reference number"},
    "status_reference_hint": {
        "zh": "提交请求后页面和邮件里显示的编号，例如 20261122-0007。",
        "en": "The number shown when you sent your request and in our emails, for example 20261122-0007.",
    },
    "status_contact": {"zh": "联系电话或电子邮箱", "en": "Phone number or email address"},
    "status_contact_hint": {
        "zh": "填写提交请求时留下的电话或邮箱。",
        "en": "The phone number or email address you gave when you sent the request.",
    },
    "status_submit": {"zh": "查询进度", "en": "Check progress"},
    "home": {"zh": "返回首页", "en": "Back to the home page"},
    "page_site": {"zh": "物业服务台", "en": "Service Desk"},
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _t(key: str, lang: str, **values: object) -> str:
    text = _T[key][_lang(lang)]
    return text.format(**values) if values else text


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def page_url(lang: str, page: str = "") -> str:
    """The absolute path of a handbook page: ``/repair/``, ``/en/repair/``, ``/``, ``/en/``."""
    prefix = "/en/" if _lang(lang) == "en" else "/"
    return f"{prefix}{page}/" if page else prefix


def _attrs(**attributes: str | bool | int | None) -> str:
    """HTML attributes; ``True`` renders a bare attribute, ``None``/``False`` leaves it out."""
    parts = []
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        html_name = name.rstrip("_").replace("_", "-")
        parts.append(html_name if value is True else f'{html_name}="{_e(value)}"')
    return " ".join(parts)


# --- request forms -----------------------------------------------------------------------------


def price_text(catalog: Catalog, key: str, lang: str) -> str:
    """A paid service's price with its unit: "30 元/次", "CNY 30 per visit"."""
    price = catalog.prices[key]
    amount = f"{price.price:g}"
    if _lang(lang) == "en":
        return f"CNY {amount} {price.unit(lang)}"
    return f"{amount} 元/{price.unit(lang)}"


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
            parts.append(_t("limit_range", lang, min=form_field.min_length, max=form_field.max_length))
        else:
            parts.append(_t("limit", lang, max=form_field.max_length))
    return " ".join(parts)


def _described_by(field_id: str, has_hint: bool, error: str | None) -> str | None:
    ids = ([f"f-{field_id}-hint"] if has_hint else []) + ([f"f-{field_id}-error"] if error else [])
    return " ".join(ids) or None


def _error_html(field_id: str, error: str | None, lang: str) -> str:
    if not error:
        return ""
    return (
        f'<p class="lobby-error-message" id="f-{_e(field_id)}-error">'
        f'<span class="lobby-visually-hidden">{_e(_t("error_prefix", lang))}</span>{_e(error)}</p>\n'
    )


def _label_text(form_field: FormField, lang: str) -> str:
    optional = (
        "" if form_field.required else f'<span class="lobby-optional">{_e(_t("optional", lang))}</span>'
    )
    return f"{_e(form_field.label(lang))}{optional}"


def _control_html(catalog: Catalog, form_field: FormField, lang: str, value: str, error: str | None) -> str:
    field_id = form_field.id
    described_by = _described_by(field_id, bool(_hint_text(form_field, lang)), error)
    common: dict[str, str | bool | int | None] = {
        "id": f"f-{field_id}",
        "name": field_id,
        "required": form_field.required,
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
        options = [f'<option value="">{_e(_t("choose", lang))}</option>']
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


def _radios_html(catalog: Catalog, form_field: FormField, lang: str, value: str, error: str | None) -> str:
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
    catalog: Catalog, form_field: FormField, lang: str, value: str = "", error: str | None = None
) -> str:
    """One question of a form: label, hint, error message (when given) and the control."""
    is_select = field_type(form_field).control(form_field).element == "select"
    if is_select and len(catalog.choices(form_field)) <= MAX_RADIOS:
        return _radios_html(catalog, form_field, lang, value, error)
    field_id = form_field.id
    hint = _hint_text(form_field, lang)
    hint_html = f'<div class="lobby-hint" id="f-{_e(field_id)}-hint">{_e(hint)}</div>\n' if hint else ""
    return (
        f'<div class="lobby-field{" lobby-field--error" if error else ""}" data-field="{_e(field_id)}">'
        f'<label class="lobby-label" for="f-{_e(field_id)}">{_label_text(form_field, lang)}</label>\n'
        f"{hint_html}{_error_html(field_id, error, lang)}"
        f"{_control_html(catalog, form_field, lang, value, error)}\n"
        "</div>\n"
    )


def _consent_html(lang: str, checked: bool, error: str | None) -> str:
    link = f'<a href="{_e(page_url(lang, "privacy"))}">{_e(_t("privacy_link", lang))}</a>'
    # The sentence is escaped first and the link put in afterwards, so only our own markup is raw.
    sentence = _e(_t("consent", lang, link="\x00")).replace("\x00", link)
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
        f'<label for="f-{HONEYPOT_FIELD}">{_e(_t("honeypot", lang))}</label>'
        f'<input type="text" id="f-{HONEYPOT_FIELD}" name="{HONEYPOT_FIELD}" value="" '
        'tabindex="-1" autocomplete="off"></div>\n'
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
        f'<h2 class="lobby-error-summary__title">{_e(_t("summary_title", lang))}</h2>\n'
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
) -> str:
    """The complete ``<form>`` for a request kind, in ``lang``.

    ``values`` (field → submitted text) fills the fields in again and
    ``errors`` (field → message) adds the error summary and the message beside
    each field: this is how the API shows a form it could not accept.
    """
    lang = _lang(lang)
    kind: Kind = catalog.kinds[kind_id]
    values = values or {}
    errors = errors or {}
    field_ids = [form_field.id for form_field in kind.fields] + [CONSENT_FIELD]
    fields_html = "".join(
        render_field(
            catalog, form_field, lang, str(values.get(form_field.id) or ""), errors.get(form_field.id)
        )
        for form_field in kind.fields
    )
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
        f'<p class="lobby-form__note">{_e(_t("required_note", lang))}</p>\n'
        f'<input type="hidden" name="{LANG_FIELD}" value="{lang}">\n'
        f"{fields_html}"
        f"{_consent_html(lang, _is_checked(values.get(CONSENT_FIELD, '')), errors.get(CONSENT_FIELD))}"
        f"{_honeypot_html(lang)}"
        '<div class="lobby-actions"><button type="submit" class="lobby-button">'
        f"{_e(_t('submit', lang))}</button></div>\n"
        f'<p class="lobby-form__note">{_e(_t("after_submit", lang))}</p>\n'
        "</form>"
    )


def _status_field(
    field_id: str, lang: str, value: str, error: str | None, *, max_length: int, autocomplete: str
) -> str:
    hint = _t(f"status_{field_id}_hint", lang)
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
        f'<label class="lobby-label" for="f-{field_id}">{_e(_t(f"status_{field_id}", lang))}</label>\n'
        f'<div class="lobby-hint" id="f-{field_id}-hint">{_e(hint)}</div>\n'
        f"{_error_html(field_id, error, lang)}<input {attributes}>\n</div>\n"
    )


def render_status_form(
    lang: str, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> str:
    """The form that looks a request up by its reference and the phone or e-mail given with it.

    It posts (never a GET), so the contact detail never sits in a URL or an access log.
    """
    lang = _lang(lang)
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
        f"{_e(_t('status_submit', lang))}</button></div>\n"
        "</form>"
    )


def render_page(lang: str, title: str, body_html: str) -> str:
    """A small standalone page in the handbook's look, for the API's no-JavaScript answers.

    ``body_html`` is trusted markup built by the caller (with its own values
    escaped); ``title`` is plain text.
    """
    lang = _lang(lang)
    home = page_url(lang)
    return (
        "<!doctype html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{_e(title)} · {_e(_t('page_site', lang))}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}">\n'
        f'<script src="{SCRIPT_PATH}" defer></script>\n'
        "</head>\n"
        '<body class="lobby-page">\n'
        f'<header class="lobby-page__header"><a class="lobby-page__home" href="{home}">'
        f"{_e(_t('page_site', lang))}</a></header>\n"
        f'<main class="lobby-page__main" id="main">\n{body_html}\n'
        f'<p class="lobby-page__back"><a href="{home}">{_e(_t("home", lang))}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
