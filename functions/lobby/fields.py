"""Field types: how each kind of form field cleans a value, which control it is, and its JSON Schema.

The catalog gives every form field a ``type`` (``text``, ``textarea``, ``tel``, ``email``, ``choice``,
``date``); this module is the one place that knows what a type means. Validation asks a type to
clean a value, the form code asks it for its control's facts (the form code writes the HTML), and
the OpenAPI document asks it for its JSON Schema, so the three never disagree.

Errors are codes (``Invalid("bad_phone")``); the sentences are the message catalog's ``invalid.<code>``. The limits on
what staff type into action and rating pages live here too (``STAFF_INPUTS``), beside the types.
Plain Python: no HTTP, no AWS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from lobby import policy

if TYPE_CHECKING:
    from lobby.catalog import Catalog, FormField

# A mainland mobile (1[3-9] and nine more digits), a mainland landline with its area code
# (0 and two or three digits, then a local number of seven or eight digits not starting with 0 or 1),
# or an international number after a + (7 to 15 digits, E.164). Spaces and hyphens may separate digits.
_SEP = "[ -]?"
_MOBILE = f"1[3-9](?:{_SEP}[0-9]){{9}}"
_LANDLINE = rf"(?:0[1-9][0-9]{{1,2}}{_SEP}|\(0[1-9][0-9]{{1,2}}\) ?)[2-9](?:{_SEP}[0-9]){{6,7}}"
_INTERNATIONAL = rf"\+[1-9](?:{_SEP}[0-9]){{6,14}}"
# Published in the OpenAPI document as they are, so they use only what JSON Schema's regexes share
# with Python's (no \d: Python's matches every script's digits).
PHONE_PATTERN = f"^(?:{_MOBILE}|{_LANDLINE}|{_INTERNATIONAL})$"
# SES delivers only to addresses whose local part is plain ASCII; the domain is ASCII or punycode.
EMAIL_PATTERN = (
    r"^(?:[A-Za-z0-9!#$%&*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+)$"
)
DATE_PATTERN = r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})$"
_PHONE = re.compile(PHONE_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)
_DATE = re.compile(DATE_PATTERN)

# How far ahead a date field reaches, in days from today in the property's calendar.
DATE_HORIZON_DAYS = 366

# Characters that draw nothing although Unicode counts them as letters or symbols: the Hangul
# fillers, the blank Braille pattern, the combining grapheme joiner, the Khmer inherent vowels.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
# Categories that draw nothing by themselves: separators, controls, format, private use,
# unassigned, and marks with no base character to sit on.
_UNSEEN = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co"})
_LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x85")


class Invalid(Struct, frozen=True):
    """Why a value was refused: a code (the message catalog's ``invalid.<code>``) and the number it quotes."""

    code: str
    n: int | None = None


class Control(Struct, frozen=True):
    """The facts of a field's HTML control; the form code turns them into markup.

    ``element`` is ``input``, ``textarea`` or ``select``; ``attributes`` are the type-specific ones
    (type, inputmode, autocomplete, spellcheck, pattern); the lengths come from the field.
    """

    element: str
    attributes: dict[str, str | None] = field(default_factory=dict)


def is_blank(value: str) -> bool:
    """True when ``value`` shows nothing: only spaces, invisible fillers, format characters or marks."""
    return all(ch in _FILLERS or unicodedata.category(ch) in _UNSEEN for ch in value)


def clean_text(value: str, *, multiline: bool) -> str:
    """Normalise Unicode, count every line break as one, drop control and format characters
    (keeping newlines in long text), trim; a value that shows nothing becomes empty."""
    value = unicodedata.normalize("NFC", value)
    for separator in _LINE_BREAKS:
        value = value.replace(separator, "\n")
    kept = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in _DROPPED).strip()
    if not multiline:
        kept = kept.replace("\t", " ")
    return "" if is_blank(kept) else kept


def phone_digits(value: str) -> str:
    """The digits of a phone number, for comparing what a resident typed twice."""
    return "".join(ch for ch in value if ch.isdigit())


def text_number(value: str) -> str | None:
    """A phone number as E.164 when it takes text messages (a mainland mobile, or a number abroad that
    SNS will judge), else None: landlines and mainland numbers that are not mobiles take no texts."""
    value = value.strip()
    digits = phone_digits(value)
    if value.startswith("+") and not digits.startswith("86"):
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    national = digits[2:] if value.startswith("+") else digits
    if len(national) == 11 and national[0] == "1" and national[1] in "3456789":
        return f"+86{national}"
    return None


class FieldType(Struct, frozen=True):
    """A plain one-line text field; the other types change what differs."""

    name: str
    multiline: bool = False
    blank_code: str = "required"  # what an empty required field is told
    lengths: bool = True  # the catalog gives it min_length/max_length (a choice has neither)
    ceiling: int = 200  # the largest max_length the catalog may give it
    description: str = ""

    def prepare(self, raw: str) -> str | Invalid:
        """The text as it is checked: normalised, invisible characters dropped, ends trimmed."""
        value = clean_text(raw, multiline=self.multiline)
        return Invalid("one_line") if not self.multiline and "\n" in value else value

    def check(
        self, value: str, form_field: FormField, choices: Collection[str], today: date
    ) -> str | Invalid:
        """A prepared, non-empty value of the right length, checked for the type: the value to store."""
        return value

    def control(self, form_field: FormField) -> Control:
        return Control("input", {"type": "text", "autocomplete": form_field.autocomplete})

    def schema(self, form_field: FormField, choices: Collection[str]) -> dict[str, Any]:
        return {"type": "string"}


class _Textarea(FieldType, frozen=True):
    def control(self, form_field: FormField) -> Control:
        return Control("textarea")


class _Typed(FieldType, frozen=True):
    """A phone, an address, a date: matched against its pattern as sent, ends trimmed, nothing dropped
    (so what the published pattern refuses, the API refuses too)."""

    def prepare(self, raw: str) -> str | Invalid:
        return raw.strip()


class _Tel(_Typed, frozen=True):
    def check(
        self, value: str, form_field: FormField, choices: Collection[str], today: date
    ) -> str | Invalid:
        return value if _PHONE.fullmatch(value) else Invalid("bad_phone")

    def control(self, form_field: FormField) -> Control:
        return Control(
            "input", {"type": "tel", "inputmode": "tel", "autocomplete": form_field.autocomplete or "tel"}
        )

    def schema(self, form_field: FormField, choices: Collection[str]) -> dict[str, Any]:
        return {"type": "string", "pattern": PHONE_PATTERN}


class _Email(_Typed, frozen=True):
    def check(
        self, value: str, form_field: FormField, choices: Collection[str], today: date
    ) -> str | Invalid:
        if not value.isascii() and "@" in value:
            return Invalid("email_not_ascii")
        return value.lower() if _EMAIL.fullmatch(value) else Invalid("bad_email")

    def control(self, form_field: FormField) -> Control:
        autocomplete = form_field.autocomplete or "email"
        return Control(
            "input",
            {"type": "email", "inputmode": "email", "autocomplete": autocomplete, "spellcheck": "false"},
        )

    def schema(self, form_field: FormField, choices: Collection[str]) -> dict[str, Any]:
        return {"type": "string", "pattern": EMAIL_PATTERN}


class _Date(_Typed, frozen=True):
    def check(
        self, value: str, form_field: FormField, choices: Collection[str], today: date
    ) -> str | Invalid:
        if not _DATE.fullmatch(value):  # ISO 8601's other spellings (2026-W52-1, 20261201) are refused
            return Invalid("bad_date")
        try:
            chosen = date.fromisoformat(value)
        except ValueError:
            return Invalid("bad_date")
        if chosen < today:
            return Invalid("past_date")
        if (chosen - today).days > DATE_HORIZON_DAYS:
            return Invalid("far_date")
        return value

    def control(self, form_field: FormField) -> Control:
        return Control("input", {"type": "date", "autocomplete": form_field.autocomplete})

    def schema(self, form_field: FormField, choices: Collection[str]) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


class _Choice(FieldType, frozen=True):
    def prepare(self, raw: str) -> str | Invalid:
        return raw  # one of the keys, exactly as the form sends it

    def check(
        self, value: str, form_field: FormField, choices: Collection[str], today: date
    ) -> str | Invalid:
        return value if value in choices else Invalid("bad_choice")

    def control(self, form_field: FormField) -> Control:
        return Control("select")

    def schema(self, form_field: FormField, choices: Collection[str]) -> dict[str, Any]:
        return {"type": "string", "enum": list(choices)}


FIELD_TYPES: dict[str, FieldType] = {
    "text": FieldType("text"),
    "textarea": _Textarea("textarea", multiline=True, ceiling=5000),
    "tel": _Tel(
        "tel",
        ceiling=40,
        description="a mainland mobile or landline with its area code, or + and an international number",
    ),
    "email": _Email("email", ceiling=254, description="an address whose part before @ is plain ASCII"),
    "choice": _Choice("choice", blank_code="required_choice", lengths=False),
    "date": _Date(
        "date",
        blank_code="required_choice",
        lengths=False,
        description=f"YYYY-MM-DD, from today to {DATE_HORIZON_DAYS} days ahead, in the property's calendar",
    ),
}


def field_type(form_field: FormField) -> FieldType:
    return FIELD_TYPES[form_field.type]


def clean_field(catalog: Catalog, form_field: FormField, raw: Any, today: date) -> str | Invalid | None:
    """A resident's answer to one field: the value to store, None when empty and optional, or Invalid."""
    kind = FIELD_TYPES[form_field.type]
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return Invalid("not_text")
    limit = form_field.max_length
    if limit is not None and len(raw) > limit:
        # What was sent counts, not what is left after cleaning: the limit is the document's.
        return Invalid("too_long", limit)
    value = kind.prepare(raw)
    if isinstance(value, Invalid):
        return value
    if not value:
        return Invalid(kind.blank_code) if form_field.required else None
    if limit is not None and len(value) > limit:  # NFC can lengthen a few scripts' text
        return Invalid("too_long", limit)
    if form_field.min_length and len(value) < form_field.min_length:
        return Invalid("too_short", form_field.min_length)
    return kind.check(value, form_field, catalog.choices(form_field), today)


def field_schema(catalog: Catalog, form_field: FormField) -> dict[str, Any]:
    """A field as strictly as ``clean_field`` checks it, as far as JSON Schema can say it."""
    kind = FIELD_TYPES[form_field.type]
    schema: dict[str, Any] = {
        **kind.schema(form_field, catalog.choices(form_field)),
        "title": form_field.label("en"),
    }
    notes = [kind.description] if kind.description else []
    if "pattern" in schema:  # the value is trimmed, and an optional one may be left empty
        core = schema["pattern"].removeprefix("^").removesuffix("$")
        schema["pattern"] = rf"^\s*{core}{'' if form_field.required else '?'}\s*$"
    if "enum" in schema and not form_field.required:
        schema["enum"] = [*schema["enum"], ""]
    if form_field.max_length:
        schema["maxLength"] = form_field.max_length
    minimum = max(form_field.min_length or 0, 1 if form_field.required else 0)
    if minimum and "enum" not in schema:
        schema["minLength"] = minimum
    if kind.lengths:
        shown = "" if isinstance(kind, _Typed) else "; a value that shows nothing counts as empty"
        notes.append(f"trimmed before it is checked{shown}")
    if notes:
        schema["description"] = "; ".join(notes)
    return schema


# --- what staff type --------------------------------------------------------------------------


class StaffInput(Struct, frozen=True):
    """A free-text input of the action and rating pages: its limit and whether it is one line."""

    max_length: int
    multiline: bool = False


STAFF_INPUTS: dict[str, StaffInput] = {
    "actor": StaffInput(max_length=80),  # the staff member's name, recorded on the history
    "note": StaffInput(max_length=1000, multiline=True),  # public or internal note, reasons
    "comments": StaffInput(max_length=1000, multiline=True),  # the rating's comments
    # what a resident types on their own request's page (lobby.resident_steps)
    "information": StaffInput(max_length=policy.RESIDENT_INFORMATION_MAX_CHARS, multiline=True),
    "reason": StaffInput(max_length=policy.CANCEL_REASON_MAX_CHARS, multiline=True),
}


def clean_staff_input(name: str, raw: str) -> str | Invalid:
    """What a staff member (or a resident rating) typed into ``name``: the cleaned text, or Invalid.

    Empty is returned as ``""``; whether the input is needed is the action's business.
    """
    spec = STAFF_INPUTS[name]
    if len(raw) > spec.max_length:
        return Invalid("too_long", spec.max_length)
    if not spec.multiline and any(ch in raw for ch in "\r\n\u2028\u2029\x85"):
        return Invalid("one_line")
    return clean_text(raw, multiline=spec.multiline)
