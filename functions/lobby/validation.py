"""Validate a resident's submission against the catalog, with messages from the message catalog.

The HTML form and the JSON API send the same flat field names, so both paths end
here. Nothing in this module knows HTTP or AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct

from lobby.catalog import Catalog, FormField, Kind
from lobby.fields import Invalid, clean_field, text_number
from views.messages import translate

CONSENT_FIELD = "consent"
HONEYPOT_FIELD = "website"
LANG_FIELD = "lang"
# Where a form post stands in "check your answers" (api/routes.py): ``check`` asks to see the answers
# before sending, ``change.<field>`` goes back to the form at a field, ``send`` (or none) stores it.
STEP_FIELD = "step"
CONTROL_FIELDS = frozenset({CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD, STEP_FIELD})
CONSENT_VALUES = frozenset({"yes", "on", "true", "1"})
NOTIFY_FIELD = "notify_by"
PHONES = ("phone", "phone_alt")


def message(key: str, lang: str, **values: Any) -> str:
    """The sentence for a refusal (an ``Invalid`` code of ``lobby.fields``) from the message catalog.

    ``label`` is the field's label as the form shows it; the catalog's sentences also get it as
    ``label_lower``, its first letter in lower case, for the middle of a sentence.
    """
    label = str(values.get("label", ""))
    return translate(lang, f"invalid.{key}", **values, label_lower=label[:1].lower() + label[1:])


def choose_lang(value: Any) -> str:
    return "en" if value == "en" else "zh"


class Submission(Struct, frozen=True):
    """A valid submission: cleaned values for the kind's fields, and the resident's language."""

    kind: Kind
    values: dict[str, str]
    lang: str


class SubmissionInvalid(Exception):
    """A submission with problems: one localized message per field, in form order."""

    def __init__(self, lang: str, errors: dict[str, str] | None = None) -> None:
        super().__init__()  # no args: the messages stay out of str(error), and so out of any log
        self.lang = lang
        self.errors = errors if errors is not None else {}

    @property
    def summary(self) -> str:
        return translate(self.lang, "invalid.summary", count=len(self.errors))


def _check_field(
    catalog: Catalog, form_field: FormField, raw: Any, lang: str, today: date
) -> tuple[str | None, str | None]:
    """Return (clean value or None when empty, error message or None)."""
    result = clean_field(catalog, form_field, raw, today)
    if isinstance(result, Invalid):
        return None, message(result.code, lang, label=form_field.label(lang), n=result.n)
    return result, None


def validate_submission(catalog: Catalog, kind: Kind, data: Mapping[str, Any], now: datetime) -> Submission:
    """Check every field of ``data`` against ``kind``; raise :class:`SubmissionInvalid` listing all problems."""
    lang_value = data.get(LANG_FIELD, "zh")
    lang = choose_lang(lang_value)
    errors: dict[str, str] = {}
    if lang_value not in ("zh", "en"):
        errors[LANG_FIELD] = message("bad_lang", lang)

    today = now.astimezone(ZoneInfo(catalog.property.time_zone)).date()
    values: dict[str, str] = {}
    for form_field in kind.fields:
        value, error = _check_field(catalog, form_field, data.get(form_field.id), lang, today)
        if error:
            errors[form_field.id] = error
        elif value is not None:
            values[form_field.id] = value

    known = {form_field.id for form_field in kind.fields} | CONTROL_FIELDS
    for name in data:
        if name not in known:
            errors[str(name)[:40]] = message("unknown_field", lang, name=str(name)[:40])

    notify = values.get(NOTIFY_FIELD)  # how the resident hears from us (lobby.texts): it needs the means
    if notify in ("email", "both") and not values.get("email") and "email" not in errors:
        errors[NOTIFY_FIELD] = message("notify_needs_email", lang)
    elif notify in ("text", "both") and not any(text_number(values.get(name, "")) for name in PHONES):
        errors.setdefault(NOTIFY_FIELD, message("notify_needs_mobile", lang))

    step = data.get(STEP_FIELD)
    if step is not None and not isinstance(step, str):
        errors[STEP_FIELD] = message("bad_step", lang)

    consent = data.get(CONSENT_FIELD)
    if consent is not True and str(consent).strip().lower() not in CONSENT_VALUES:
        errors[CONSENT_FIELD] = message("consent", lang)

    if errors:
        raise SubmissionInvalid(lang=lang, errors=errors)
    return Submission(kind=kind, values=values, lang=lang)
