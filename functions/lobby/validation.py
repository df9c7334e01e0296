"""Validate a resident's submission against the catalog, with messages in zh and en.

The HTML form and the JSON API send the same flat field names, so both paths end
here. Nothing in this module knows HTTP or AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lobby.catalog import Catalog, FormField, Kind
from lobby.fields import Invalid, clean_field

CONSENT_FIELD = "consent"
HONEYPOT_FIELD = "website"
LANG_FIELD = "lang"
CONTROL_FIELDS = frozenset({CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD})
CONSENT_VALUES = frozenset({"yes", "on", "true", "1"})

MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "请填写{label}", "en": "Enter {label}"},
    "required_choice": {"zh": "请选择{label}", "en": "Select {label}"},
    "too_long": {"zh": "{label}不能超过 {n} 个字", "en": "{Label} must be {n} characters or fewer"},
    "too_short": {"zh": "{label}至少需要 {n} 个字", "en": "{Label} must be at least {n} characters"},
    "not_text": {"zh": "{label}必须是文字", "en": "{Label} must be text"},
    "one_line": {"zh": "{label}不能换行", "en": "{Label} must be on one line"},
    "bad_phone": {
        "zh": "请输入有效的电话号码，例如 13800138000 或 0755-2688 0000",
        "en": "Enter a phone number, like 13800138000 or 0755 2688 0000",
    },
    "bad_email": {
        "zh": "请输入有效的电子邮箱地址，例如 name@example.com",
        "en": "Enter an email address in the correct format, like name@example.com",
    },
    "email_not_ascii": {
        "zh": "我们的邮件服务无法投递到 @ 前含有中文或其他非英文字符的地址，请换用只含英文字母、数字和符号的邮箱",
        "en": "Our mail service cannot deliver to an address with Chinese or other non-English characters "
        "before the @; use an address made of English letters, digits and symbols",
    },
    "bad_choice": {"zh": "请从列表中选择{label}", "en": "Select {label} from the list"},
    "bad_date": {"zh": "请输入有效日期，例如 2026-12-01", "en": "Enter a real date, like 2026-12-01"},
    "past_date": {"zh": "{label}不能早于今天", "en": "{Label} must be today or in the future"},
    "far_date": {"zh": "{label}不能晚于一年之后", "en": "{Label} must be within the next year"},
    "consent": {
        "zh": "请阅读隐私说明并勾选同意，我们才能处理您的诉求",
        "en": "Read the privacy notice and tick the box so that we can handle your request",
    },
    "unknown_field": {"zh": "表单中没有“{name}”这一栏", "en": "The form has no field called “{name}”"},
    "bad_lang": {"zh": "语言只能是 zh 或 en", "en": "The language must be zh or en"},
    "summary": {"zh": "提交的内容有 {n} 处需要修改", "en": "There is a problem with {n} of your answers"},
    "summary_one": {"zh": "提交的内容有 1 处需要修改", "en": "There is a problem with 1 of your answers"},
}


def message(key: str, lang: str, **values: Any) -> str:
    text = MESSAGES[key]["en" if lang == "en" else "zh"]
    label = str(values.get("label", ""))
    if label and lang == "en":
        values = {**values, "label": label[:1].lower() + label[1:], "Label": label}
    return text.format(**values)


def choose_lang(value: Any) -> str:
    return "en" if value == "en" else "zh"


@dataclass(frozen=True)
class Submission:
    """A valid submission: cleaned values for the kind's fields, and the resident's language."""

    kind: Kind
    values: dict[str, str]
    lang: str


@dataclass
class SubmissionInvalid(Exception):
    """A submission with problems: one localized message per field, in form order."""

    lang: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        count = len(self.errors)
        return message("summary_one" if count == 1 else "summary", self.lang, n=count)


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

    consent = data.get(CONSENT_FIELD)
    if consent is not True and str(consent).strip().lower() not in CONSENT_VALUES:
        errors[CONSENT_FIELD] = message("consent", lang)

    if errors:
        raise SubmissionInvalid(lang=lang, errors=errors)
    return Submission(kind=kind, values=values, lang=lang)
