"""The controls of the API's own forms (staff actions, the rating, the desk), in the handbook forms' look.

The request forms (``views.forms``) draw their questions from the catalog; these draw the questions
the API asks itself (a staff member's name, a note, a choice) with the same markup and classes:
a label on every control, the hint under it, the error beside it, big targets for thumbs. A limit
the server enforces (``lobby.fields.STAFF_INPUTS``) is the control's ``maxlength`` too.

Pure Python; every value is escaped here.
"""

from __future__ import annotations

from views.messages import translate
from views.page import attrs, e


def alert(message: str) -> str:
    """A page's refusal or error, announced to screen readers, in the error summary's look ("" for none)."""
    return f'<div class="lobby-error-summary" role="alert"><p>{e(message)}</p></div>' if message else ""


def _described_by(name: str, hint: str, error: str | None) -> str | None:
    ids = ([f"f-{name}-hint"] if hint else []) + ([f"f-{name}-error"] if error else [])
    return " ".join(ids) or None


def _hint_and_error(name: str, hint: str, error: str | None, lang: str) -> str:
    hint_html = f'<div class="lobby-hint" id="f-{e(name)}-hint">{e(hint)}</div>' if hint else ""
    error_html = (
        f'<p class="lobby-error-message" id="f-{e(name)}-error"><span class="lobby-visually-hidden">'
        f"{e(translate(lang, 'form.error_prefix'))}</span>{e(error)}</p>"
        if error
        else ""
    )
    return hint_html + error_html


def _field(name: str, error: str | None, inner: str) -> str:
    return f'<div class="lobby-field{" lobby-field--error" if error else ""}" data-field="{e(name)}">{inner}</div>'


def _text_box(
    lang: str,
    name: str,
    label: str,
    control: str,
    hint: str,
    error: str | None,
    **attributes: str | bool | int | None,
) -> str:
    """A labelled ``control`` (``input`` or ``textarea``) with its hint and error; ``value`` is the text
    in it (an input's attribute, a text area's content)."""
    value = str(attributes.pop("value", "") or "")
    common = attrs(
        id=f"f-{name}",
        name=name,
        **attributes,
        aria_describedby=_described_by(name, hint, error),
        aria_invalid="true" if error else None,
    )
    box = (
        f"<input {common} {attrs(value=value)}>"
        if control == "input"
        else f"<textarea {common}>{e(value)}</textarea>"
    )
    return _field(
        name,
        error,
        f'<label class="lobby-label" for="f-{e(name)}">{e(label)}</label>{_hint_and_error(name, hint, error, lang)}{box}',
    )


def text_input(
    lang: str,
    name: str,
    label: str,
    *,
    max_length: int,
    hint: str = "",
    error: str | None = None,
    value: str = "",
    required: bool = True,
    autocomplete: str | None = None,
    input_type: str = "text",
) -> str:
    """A one-line text box with its label, hint and error."""
    return _text_box(
        lang,
        name,
        label,
        "input",
        hint,
        error,
        class_="lobby-input",
        type=input_type,
        maxlength=max_length,
        required=required,
        autocomplete=autocomplete,
        value=value,
    )


def text_area(
    lang: str,
    name: str,
    label: str,
    *,
    max_length: int,
    hint: str = "",
    error: str | None = None,
    value: str = "",
    required: bool = True,
    rows: int = 4,
) -> str:
    """A box for a few lines (a note, a reason, comments)."""
    return _text_box(
        lang,
        name,
        label,
        "textarea",
        hint,
        error,
        class_="lobby-textarea",
        rows=rows,
        maxlength=max_length,
        required=required,
        value=value,
    )


def radios(
    lang: str,
    name: str,
    legend: str,
    options: list[tuple[str, str]],
    *,
    checked: str = "",
    hint: str = "",
    error: str | None = None,
    required: bool = True,
    scale: bool = False,
) -> str:
    """One choice among ``options`` (value, text); ``scale`` draws them as a row of numbered boxes."""
    items = []
    for index, (value, text) in enumerate(options):
        # The first radio carries the field's own id, so an error summary's #f-<name> lands on it; a
        # scale's boxes are each named by their number, and its fieldset carries the field's id.
        input_id = f"f-{name}" if index == 0 and not scale else f"f-{name}-{value}"
        control = attrs(
            class_="lobby-radio__input",
            type="radio",
            id=input_id,
            name=name,
            value=value,
            checked=value == checked,
            required=required,
        )
        items.append(
            f'<div class="lobby-radio"><input {control}>'
            f'<label class="lobby-radio__label" for="{e(input_id)}">{e(text)}</label></div>'
        )
    group = "lobby-radios lobby-scale" if scale else "lobby-radios"
    fieldset = attrs(
        class_="lobby-fieldset",
        id=f"f-{name}" if scale else None,
        aria_describedby=_described_by(name, hint, error),
    )
    return _field(
        name,
        error,
        f'<fieldset {fieldset}><legend class="lobby-legend">{e(legend)}</legend>'
        f'{_hint_and_error(name, hint, error, lang)}<div class="{group}">{"".join(items)}</div></fieldset>',
    )


def button(label: str, *, name: str | None = None, value: str | None = None, kind: str = "") -> str:
    """A submit button; ``kind`` ``secondary`` or ``warning`` for the other looks."""
    css = f"lobby-button lobby-button--{kind}" if kind else "lobby-button"
    return f"<button {attrs(type='submit', class_=css, name=name, value=value)}>{e(label)}</button>"


def link_button(label: str, href: str, *, kind: str = "") -> str:
    """A link that looks like a button (the next steps after an action)."""
    css = f"lobby-button lobby-button--{kind}" if kind else "lobby-button"
    return f'<a class="{css}" href="{e(href)}">{e(label)}</a>'
