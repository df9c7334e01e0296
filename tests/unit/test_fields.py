"""Field types (lobby.fields): each type cleans a value, names its control and its JSON Schema, and
the three agree; staff inputs are held to their limits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from api.openapi import kind_schema, openapi_document
from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.fields import (
    EMAIL_PATTERN,
    FIELD_TYPES,
    PHONE_PATTERN,
    STAFF_INPUTS,
    Invalid,
    clean_field,
    clean_staff_input,
    field_schema,
    field_type,
    is_blank,
)
from lobby.validation import SubmissionInvalid, validate_submission

CATALOG = load_catalog(SOURCE_YAML)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
TODAY = date(2026, 11, 23)
REPAIR = CATALOG.kinds["repair"]
BOOKING = CATALOG.kinds["paid-service"]


def _clean(field_id: str, value: Any, kind: Any = REPAIR) -> str | Invalid | None:
    return clean_field(CATALOG, kind.field(field_id), value, TODAY)


def _message(field_id: str, value: str, lang: str, kind: Any = REPAIR) -> str:
    data = {
        "category": "water",
        "size": "minor",
        "service": "drain-clear",
        "agreement": "one-off",
        "name": "Li Hua",
        "phone": "13800138000",
        "building": "3",
        "unit": "1502",
        "description": "The kitchen tap drips.",
        "consent": "yes",
        "lang": lang,
    }
    data = {
        key: value for key, value in data.items() if key in {f.id for f in kind.fields} | {"consent", "lang"}
    }
    data[field_id] = value
    with pytest.raises(SubmissionInvalid) as invalid:
        validate_submission(CATALOG, kind, data, NOW)
    return invalid.value.errors[field_id]


def test_every_catalog_field_type_is_registered() -> None:
    used = {form_field.type for kind in CATALOG.kinds.values() for form_field in kind.fields}
    assert used <= set(FIELD_TYPES)
    assert set(FIELD_TYPES) == {"text", "textarea", "tel", "email", "choice", "date"}


# --- text: names that show nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "\u3164",  # Hangul filler
        "\u3164\u3164\u3164",
        "\u115f\u1160",  # Hangul choseong and jungseong fillers
        "\uffa0",  # halfwidth Hangul filler
        "\u2800\u2800",  # blank Braille pattern
        "\u200b \u200d",  # zero-width space and joiner
        "\u0301\u0308",  # combining marks with nothing to sit on
        "\u3000",  # ideographic space
        "\u034f",  # combining grapheme joiner
    ],
)
def test_a_name_that_shows_nothing_is_refused_as_blank(value: str) -> None:
    assert is_blank(value)
    assert _clean("name", value) == Invalid("required")
    assert _message("name", value, "zh") == "请填写您的姓名"
    assert _message("name", value, "en") == "Enter your name"


@pytest.mark.parametrize("value", ["Li Hua", "李华", "José", "\u3164李华", "Ö"])
def test_a_name_with_something_to_see_is_kept(value: str) -> None:
    assert isinstance(_clean("name", value), str)


def test_an_optional_field_that_shows_nothing_is_not_stored() -> None:
    assert _clean("access", "\u3164\u200b") is None
    assert _clean("phone_alt", " ") is None
    assert _clean("phone_alt", "\u3164") == Invalid("bad_phone")  # a phone is checked as sent


def test_text_is_one_line_and_textarea_keeps_its_lines() -> None:
    assert _clean("unit", "15\n02") == Invalid("one_line")
    assert _clean("description", "Line one\r\nline two\u2028three") == "Line one\nline two\nthree"


# --- tel -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "19912345678",
        "0755-2688 0000",
        "0755-26880000",
        "075526880000",
        "(0755) 2688 0000",
        "010-65529988",
        "01065529988",
        "0851-6123456",
        "+44 20 7946 0958",
        "+86 138 0013 8000",
        "+1-212-555-0100",
    ],
)
def test_mainland_mobiles_landlines_and_international_numbers_are_phones(value: str) -> None:
    assert _clean("phone", value) == value
    assert re.search(PHONE_PATTERN, value)


@pytest.mark.parametrize(
    "value",
    [
        "0000000",
        "00000000000",
        "12345678901",  # no mobile starts 12
        "1380013800",  # ten digits
        "138001380001",  # twelve
        "26880000",  # a landline without its area code
        "0755-0688 0000",  # a local number does not start with 0
        "+0123456789",
        "+12345",  # too short
        "+1234567890123456",  # over 15 digits
        "12345",
        "call me",
        "138--0013-8000",
        "０７５５２６８８００００",  # full-width digits
    ],
)
def test_anything_else_is_not_a_phone(value: str) -> None:
    assert _clean("phone", value) == Invalid("bad_phone")
    assert not re.search(PHONE_PATTERN, value)
    assert _message("phone", value, "en") == "Enter a phone number, like 13800138000 or 0755 2688 0000"


# --- email ---------------------------------------------------------------------------------------


def test_an_address_with_a_chinese_local_part_is_refused_because_it_cannot_be_delivered() -> None:
    assert _clean("email", "用户@example.com") == Invalid("email_not_ascii")
    assert "无法投递" in _message("email", "用户@example.com", "zh")
    assert "cannot deliver" in _message("email", "用户@example.com", "en")
    assert "cannot deliver" in _message("email", "josé@example.com", "en")
    assert not re.search(EMAIL_PATTERN, "用户@example.com")


def test_a_plain_address_is_kept_in_lower_case() -> None:
    assert _clean("email", "Li.Hua+desk@Example.COM") == "li.hua+desk@example.com"
    assert _clean("email", "a@b") == Invalid("bad_email")


# --- date ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2026-W52-1", "2026W521", "20261201", "2026-335", "2026-12-1", "2026-12-01T10:00"]
)
def test_a_date_is_written_yyyy_mm_dd_and_nothing_else(value: str) -> None:
    assert _clean("preferred_date", value, BOOKING) == Invalid("bad_date")
    assert _message("preferred_date", value, "en", BOOKING) == "Enter a real date, like 2026-12-01"


def test_a_date_runs_from_today_to_a_year_ahead() -> None:
    assert _clean("preferred_date", "2026-12-01", BOOKING) == "2026-12-01"
    assert _clean("preferred_date", "2026-11-22", BOOKING) == Invalid("past_date")
    assert _clean("preferred_date", "2027-11-25", BOOKING) == Invalid("far_date")
    assert _clean("preferred_date", "2026-02-30", BOOKING) == Invalid("bad_date")


# --- choice --------------------------------------------------------------------------------------


def test_a_choice_is_one_of_its_keys() -> None:
    assert _clean("category", "water") == "water"
    assert _clean("category", "huge") == Invalid("bad_choice")
    assert _clean("category", "") == Invalid("required_choice")
    assert _clean("size", "") is None  # optional: the resident's estimate of the job, staff size it
    assert _clean("service", "drain-clear", BOOKING) == "drain-clear"  # choices from the prices


# --- controls ------------------------------------------------------------------------------------


def test_each_type_names_its_control() -> None:
    controls = {
        field_id: field_type(REPAIR.field(field_id)).control(REPAIR.field(field_id))
        for field_id in ("name", "phone", "email", "description", "size")
    }
    assert controls["phone"].element == "input"
    assert controls["phone"].attributes == {"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
    assert controls["email"].attributes == {
        "type": "email",
        "inputmode": "email",
        "autocomplete": "email",
        "spellcheck": "false",
    }
    assert controls["name"].attributes == {"type": "text", "autocomplete": "name"}
    assert controls["description"].element == "textarea"
    assert controls["size"].element == "select"
    date_field = BOOKING.field("preferred_date")
    assert field_type(date_field).control(date_field).attributes["type"] == "date"


# --- JSON Schema ---------------------------------------------------------------------------------


def _published(kind: Any, field_id: str) -> dict[str, Any]:
    return field_schema(CATALOG, kind.field(field_id))


def test_each_type_publishes_what_it_checks() -> None:
    phone = _published(REPAIR, "phone")
    assert phone["type"] == "string" and (phone["minLength"], phone["maxLength"]) == (1, 20)
    assert "international" in phone["description"]
    assert _published(REPAIR, "category")["enum"][:2] == ["water", "electricity"]
    assert "minLength" not in _published(REPAIR, "category")
    assert _published(REPAIR, "size")["enum"] == ["minor", "medium", "major", ""]  # optional: may be empty
    described = _published(REPAIR, "description")
    assert (described["minLength"], described["maxLength"]) == (5, 2000)
    assert _published(BOOKING, "preferred_date")["format"] == "date"


@pytest.mark.parametrize(
    ("kind", "field_id", "value"),
    [
        (REPAIR, "phone", "13800138000"),
        (REPAIR, "phone", " 0755-2688 0000 "),
        (REPAIR, "phone", "0000000"),
        (REPAIR, "phone", ""),
        (REPAIR, "phone", "1380013\x008000"),
        (REPAIR, "phone", "\u3164"),
        (REPAIR, "phone_alt", ""),
        (REPAIR, "phone_alt", "  "),
        (REPAIR, "phone_alt", "\x84"),
        (REPAIR, "email", ""),
        (REPAIR, "email", "\x84"),
        (REPAIR, "email", "li@example.com"),
        (REPAIR, "email", "用户@example.com"),
        (REPAIR, "email", "li@例子.com"),
        (BOOKING, "preferred_date", "2026-12-01"),
        (BOOKING, "preferred_date", "2026-W52-1"),
        (BOOKING, "preferred_date", "20261201"),
        (BOOKING, "preferred_date", " "),
    ],
)
def test_the_published_pattern_accepts_what_the_api_accepts(kind: Any, field_id: str, value: str) -> None:
    """The pattern is what the API checks, so a client generating from the document (schemathesis)
    is refused exactly when the API refuses; a date's range is the one thing only the API knows."""
    pattern = _published(kind, field_id)["pattern"]
    accepted = not isinstance(_clean(field_id, value, kind), Invalid)
    assert bool(re.search(pattern, value)) is accepted


def test_an_optional_choice_may_be_sent_empty_and_nothing_else() -> None:
    optional = replace(REPAIR.field("size"), required=False)
    assert field_schema(CATALOG, optional)["enum"] == ["minor", "medium", "major", ""]
    assert clean_field(CATALOG, optional, "", TODAY) is None
    assert clean_field(CATALOG, optional, " ", TODAY) == Invalid("bad_choice")
    assert clean_field(CATALOG, optional, " minor", TODAY) == Invalid("bad_choice")


@pytest.mark.parametrize("kind_id", sorted(CATALOG.kinds))
def test_each_kinds_body_lists_its_fields_with_their_types_limits(kind_id: str) -> None:
    kind = CATALOG.kinds[kind_id]
    body = kind_schema(CATALOG, kind)
    assert body["additionalProperties"] is False
    assert body["required"] == [f.id for f in kind.fields if f.required] + ["consent"]
    for form_field in kind.fields:
        schema = body["properties"][form_field.id]
        assert schema["type"] == "string"
        if form_field.type == "choice":
            left_empty = [] if form_field.required else [""]  # an optional choice may be left unchosen
            assert schema["enum"] == [*CATALOG.choices(form_field), *left_empty]
        elif form_field.type == "date":
            assert re.search(schema["pattern"], "2026-12-01") and not re.search(
                schema["pattern"], "2026-W52-1"
            )
        else:
            assert schema["maxLength"] == form_field.max_length
        if form_field.type == "tel":
            assert re.search(schema["pattern"], "13800138000") and not re.search(schema["pattern"], "0000000")
    document = openapi_document(CATALOG)
    assert document["components"]["schemas"][f"{kind_id}Request"] == body


# --- what staff type (issue: unbounded staff input) -----------------------------------------------


def test_staff_inputs_have_limits_and_the_name_is_one_line() -> None:
    assert clean_staff_input("actor", "  李师傅 ") == "李师傅"
    assert clean_staff_input("actor", "x" * 8000) == Invalid("too_long", STAFF_INPUTS["actor"].max_length)
    assert clean_staff_input("actor", "李师傅\r\nBcc: x@example.com") == Invalid("one_line")
    assert clean_staff_input("actor", "李师傅\n") == Invalid("one_line")
    assert clean_staff_input("note", "n" * 12000) == Invalid("too_long", 1000)
    assert clean_staff_input("note", "第一行\r\n第二行") == "第一行\n第二行"
    assert clean_staff_input("comments", "c" * 1001) == Invalid("too_long", 1000)
    assert clean_staff_input("actor", "\u3164") == ""


def test_a_catalog_field_cannot_be_longer_than_its_type_allows() -> None:
    import yaml

    from lobby.catalog import CatalogError, parse_catalog

    document = yaml.safe_load(SOURCE_YAML.read_text(encoding="utf-8"))
    document["fields"]["name"]["max_length"] = 100000
    with pytest.raises(
        CatalogError, match=r"kinds\.repair\.fields\.3: a text field takes at most 200 characters"
    ):
        parse_catalog(document)


def test_the_answers_are_described_from_their_declarations() -> None:
    schemas = openapi_document(CATALOG)["components"]["schemas"]
    receipt = schemas["Receipt"]
    assert receipt["required"] == ["reference", "kind", "status", "received_at", "due_at", "status_url"]
    assert receipt["properties"]["received_at"] == {"type": "string", "format": "date-time"}
    assert re.search(receipt["properties"]["reference"]["pattern"], "20261122-0007")
    assert schemas["Status"]["properties"]["history"]["items"] == {
        "$ref": "#/components/schemas/HistoryEntry"
    }
    query = schemas["StatusQuery"]
    assert query["additionalProperties"] is False
    assert (query["properties"]["reference"]["maxLength"], query["properties"]["contact"]["maxLength"]) == (
        20,
        120,
    )
    assert query["required"] == ["reference", "contact"]
