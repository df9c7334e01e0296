"""Submission validation and reference numbers: plain logic, both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.references import counter_day, format_reference, is_reference
from lobby.validation import SubmissionInvalid, validate_submission

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def _repair(**overrides: Any) -> dict[str, Any]:
    data = {
        "category": "water",
        "size": "minor",
        "name": "Li Hua",
        "phone": "13800138000",
        "building": "3",
        "unit": "1502",
        "description": "The kitchen tap drips.",
        "consent": "yes",
        "lang": "en",
    }
    data.update(overrides)
    return data


def _errors(data: dict[str, Any], kind: str = "repair") -> dict[str, str]:
    catalog = load_catalog(SOURCE_YAML)
    with pytest.raises(SubmissionInvalid) as invalid:
        validate_submission(catalog, catalog.kinds[kind], data, NOW)
    return invalid.value.errors


def test_a_valid_submission_is_cleaned() -> None:
    catalog = load_catalog(SOURCE_YAML)
    submission = validate_submission(
        catalog,
        catalog.kinds["repair"],
        _repair(name="  Li Hua\u200b ", email="Li@Example.COM", description="Line one\r\nline two\x00"),
        NOW,
    )
    assert submission.values["name"] == "Li Hua"
    assert submission.values["email"] == "li@example.com"
    assert submission.values["description"] == "Line one\nline two"
    assert "phone_alt" not in submission.values  # optional and empty: not stored
    assert submission.lang == "en"


@pytest.mark.parametrize(
    ("lang", "field", "value", "message"),
    [
        ("zh", "phone", "", "请填写联系电话"),
        ("en", "phone", "", "Enter phone number"),
        ("zh", "phone", "12345", "请输入有效的电话号码，例如 13800138000 或 0755-2688 0000"),
        ("en", "phone", "call me", "Enter a phone number, like 13800138000 or 0755 2688 0000"),
        ("zh", "size", "huge", "请从列表中选择您估计的维修规模"),
        ("en", "category", "", "Select what needs repair"),
        ("zh", "description", "漏", "具体情况至少需要 5 个字"),
        ("en", "description", "x" * 2001, "What is happening must be 2000 characters or fewer"),
        ("en", "description", "ok " + "\x9f" * 2000, "What is happening must be 2000 characters or fewer"),
        ("zh", "email", "a@b", "请输入有效的电子邮箱地址，例如 name@example.com"),
        ("en", "unit", "15\n02", "Flat number must be on one line"),
        ("en", "unit", "15\u202802", "Flat number must be on one line"),
        ("zh", "consent", "no", "请阅读隐私说明并勾选同意，我们才能处理您的诉求"),
        ("en", "colour", "red", "The form has no field called “colour”"),
    ],
)
def test_each_problem_has_its_own_message_in_the_residents_language(
    lang: str, field: str, value: str, message: str
) -> None:
    assert _errors(_repair(lang=lang, **{field: value}))[field] == message


def test_all_problems_are_reported_at_once_in_form_order() -> None:
    errors = _errors(_repair(category="", name="", phone="1"))
    assert list(errors)[:3] == ["category", "name", "phone"]


def test_a_preferred_date_must_be_a_real_future_date() -> None:
    booking = {
        "service": "drain-clear",
        "agreement": "one-off",
        "name": "Li",
        "phone": "13800138000",
        "building": "3",
        "unit": "1502",
        "consent": "yes",
        "lang": "en",
    }
    assert _errors({**booking, "preferred_date": "2026-02-30"}, "paid-service")["preferred_date"].startswith(
        "Enter a real date"
    )
    assert (
        "today or in the future"
        in _errors({**booking, "preferred_date": "2026-11-22"}, "paid-service")["preferred_date"]
    )
    catalog = load_catalog(SOURCE_YAML)
    ok = validate_submission(
        catalog, catalog.kinds["paid-service"], {**booking, "preferred_date": "2026-11-23"}, NOW
    )
    assert ok.values["service"] == "drain-clear"


def test_the_summary_counts_the_problems() -> None:
    catalog = load_catalog(SOURCE_YAML)
    with pytest.raises(SubmissionInvalid) as invalid:
        validate_submission(catalog, catalog.kinds["repair"], _repair(lang="zh", name="", phone=""), NOW)
    assert invalid.value.summary == "提交的内容有 2 处需要修改"


@pytest.mark.parametrize(
    ("day", "sequence", "reference"),
    [
        (date(2026, 11, 22), 7, "20261122-0007"),
        (date(2026, 1, 1), 1, "20260101-0001"),
        (date(2026, 11, 22), 12345, "20261122-12345"),
    ],
)
def test_references_are_the_date_and_the_daily_sequence(day: date, sequence: int, reference: str) -> None:
    assert format_reference(day, sequence) == reference
    assert is_reference(reference)
    assert counter_day(reference) == f"{day:%Y%m%d}"


@pytest.mark.parametrize(
    "text", ["", "2026-11-22-0001", "20261122-01", "../20261122-0001", "20261122-0001\n"]
)
def test_anything_else_is_not_a_reference(text: str) -> None:
    assert not is_reference(text)


def test_sequences_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_reference(date(2026, 11, 22), 0)
