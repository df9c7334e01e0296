"""The catalog: one source, validated, and every error names the key an administrator must fix."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from msgspec.structs import asdict

from lobby.catalog import (
    SOURCE_YAML,
    CatalogError,
    compile_catalog,
    load_catalog,
    main,
    parse_catalog,
    read_document,
)
from lobby.settings import Settings

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.fixture
def document() -> dict[str, Any]:
    """The source as the catalog reads it: the YAML with the official holiday arrangements compiled in."""
    return read_document(SOURCE_YAML)


def test_the_shipped_catalog_has_every_request_kind_of_the_seeds() -> None:
    catalog = load_catalog(SOURCE_YAML)
    assert set(catalog.kinds) == {
        "repair",
        "complaint",
        "consultation",
        "help",
        "coordination",
        "suggestion",
        "paid-service",
    }
    repair = catalog.kinds["repair"]
    assert repair.deadlines.resolve == {"minor": "8h", "medium": "3d", "major": "none"}
    assert catalog.kinds["complaint"].deadlines.acknowledge == "same-day"
    assert catalog.kinds["consultation"].deadlines.resolve == "2wd"
    assert catalog.kinds["complaint"].follow_up.within == "3d"
    assert catalog.kinds["repair"].follow_up.within == "30d"
    assert asdict(catalog.property.emergency_numbers) == {
        "medical": "120",
        "police": "110",
        "fire": "119",
    }


def test_the_compiled_json_is_the_same_catalog_with_the_same_version(tmp_path: Path) -> None:
    target = tmp_path / "catalog.json"
    compiled = compile_catalog(SOURCE_YAML, target)
    load_catalog.cache_clear()
    reloaded = load_catalog(target)  # as a cold start reads it: decoded, checked when it was compiled
    assert reloaded == compiled
    assert reloaded.catalog_version == load_catalog(SOURCE_YAML).catalog_version


def test_any_change_changes_the_version_digest(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["kinds"]["repair"]["deadlines"]["resolve"]["minor"] = "6h"
    assert parse_catalog(changed).catalog_version != parse_catalog(document).catalog_version


def _break(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    *parents, last = path.split(".")
    target = broken
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return broken


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("kinds.repair.deadlines.resolve.minor", "8 hours", "kinds.repair.deadlines.resolve"),
        ("kinds.repair.office", "plumbing", "kinds.repair.office"),
        ("kinds.complaint.page", "repair", "kinds.complaint.page"),
        ("kinds.repair.deadlines.resolve", {"minor": "8h", "medium": "3d"}, "kinds.repair.deadlines.resolve"),
        ("property.time_zone", "Mars/Olympus", "property.time_zone"),
        ("property.office_hours.close", "07:00", "property.office_hours"),
        ("property.calendar.working_weekdays", [0, 8], "property.calendar.working_weekdays"),
        ("offices.engineering.director", "nobody", "offices.engineering.director"),
        ("kinds.help.reminders.warn_at_percent", 150, "kinds.help.reminders.warn_at_percent"),
        ("kinds.help.unexpected", True, "kinds.help.unexpected"),
        ("kinds.suggestion.fields.0", "favourite_colour", "kinds.suggestion.fields.0"),
        ("kinds.repair.follow_up.coverage", "some", "kinds.repair.follow_up.coverage"),
        ("kinds.paid-service.follow_up.agreements.terms", {"forever": 12}, "follow_up.agreements.terms"),
        ("kinds.paid-service.follow_up.agreements.terms", {"long-term-12": 0}, "follow_up.agreements.terms"),
        ("kinds.paid-service.follow_up.agreements.field", "service", "follow_up.agreements.terms"),
        ("property.service_office", _DELETE, "property.service_office"),
    ],
)
def test_an_invalid_catalog_names_the_offending_key(
    document: dict[str, Any], path: str, value: Any, named: str
) -> None:
    with pytest.raises(CatalogError) as error:
        parse_catalog(_break(document, path, value))
    assert named in str(error.value)


def test_a_holiday_that_is_also_a_make_up_day_is_refused(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["property"]["calendar"]["holidays"] = [date(2026, 9, 16)]
    broken["property"]["calendar"]["make_up_working_days"] = [date(2026, 9, 16)]
    with pytest.raises(CatalogError, match=r"property\.calendar"):
        parse_catalog(broken)


def test_the_command_line_check_reports_errors_and_fails(
    tmp_path: Path, document: dict[str, Any], capsys: Any
) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(yaml.safe_dump(_break(document, "kinds.repair.office", "plumbing"), allow_unicode=True))
    assert main(["check", str(bad)]) == 1
    assert "kinds.repair.office" in capsys.readouterr().err
    assert main([]) == 0
    assert "7 kinds" in capsys.readouterr().out


def _report(document: dict[str, Any]) -> list[str]:
    """The lines of the error an administrator reads, one per offending key."""
    with pytest.raises(CatalogError) as error:
        parse_catalog(document)
    header, *lines = str(error.value).split("\n  ")
    assert header == "invalid catalog:"
    return lines


@pytest.mark.parametrize(
    ("path", "value", "line"),
    [
        ("kinds.repair.deadlines.acknowledge", _DELETE, "kinds.repair.deadlines.acknowledge: required"),
        (
            "prices.aircon-clean.price",
            "80 yuan",
            "prices.aircon-clean.price: must be a number, got '80 yuan'",
        ),
        ("prices.aircon-clean.price", -5, "prices.aircon-clean.price: must be at least 0, got -5.0"),
        (
            "kinds.help.reminders.warn_at_percent",
            True,
            "kinds.help.reminders.warn_at_percent: must be a whole number, got True",
        ),
        ("kinds.repair.urgent", "yes", "kinds.repair.urgent: must be true or false, got 'yes'"),
        (
            "property.calendar.holidays",
            ["2026-09-16", "2026-02-30"],
            "property.calendar.holidays.1: must be a date written YYYY-MM-DD, got '2026-02-30'",
        ),
        (
            "property.office_hours.close",
            1050,  # what YAML makes of an unquoted 17:30
            'property.office_hours.close: must be a time of day written "HH:MM", got 1050 (put the time in quotes)',
        ),
        (
            "kinds.repair.deadlines.resolve.minor",
            "8 hours",
            "kinds.repair.deadlines.resolve.minor: '8 hours' is not a deadline rule"
            " (use 8h, 3d, 2wd, 30m, same-day or none)",
        ),
        (
            "kinds.consultation.deadlines.resolve",
            ["2wd"],
            "kinds.consultation.deadlines.resolve: ['2wd'] is not a deadline rule"
            " (use 8h, 3d, 2wd, 30m, same-day or none)",
        ),
        (
            "kinds.repair.follow_up.coverage",
            "some",
            "kinds.repair.follow_up.coverage: must be one of 'all', 'sampled', 'none'; got 'some'",
        ),
        ("kinds.repair.name", None, "kinds.repair.name: needs a value"),
        ("kinds.repair.name.en", "", "kinds.repair.name.en: must not be empty"),
        ("offices", ["engineering"], "offices: must be a mapping, got ['engineering']"),
        ("version", 2026.11, "version: must be text, got 2026.11"),
    ],
)
def test_a_value_of_the_wrong_kind_is_reported_at_its_key(
    document: dict[str, Any], path: str, value: Any, line: str
) -> None:
    assert _report(_break(document, path, value)) == [line]


def test_an_unknown_key_is_reported_with_the_keys_that_belong_there(document: dict[str, Any]) -> None:
    [line] = _report(_break(document, "kinds.repair.follow_up.whithin", "3d"))
    assert (
        line
        == "kinds.repair.follow_up.whithin: unknown key (the keys here are within, coverage, spot_checks, agreements)"
    )


def test_every_error_is_reported_at_once(document: dict[str, Any]) -> None:
    broken = _break(document, "property.retention_days", "two years")
    broken = _break(broken, "kinds.help.unexpected", True)
    broken = _break(broken, "kinds.repair.deadlines.resolve.minor", "8 hours")
    del broken["property"]["phone_24h"]
    assert sorted(_report(broken)) == [
        "kinds.help.unexpected: unknown key (the keys here are id, name, summary, staff_procedure, office,"
        " page, emergency_first, urgent, urgent_when, about_field, shared_categories, fields, deadlines,"
        " follow_up, reminders)",
        "kinds.repair.deadlines.resolve.minor: '8 hours' is not a deadline rule"
        " (use 8h, 3d, 2wd, 30m, same-day or none)",
        "property.phone_24h: required",
        "property.retention_days: must be a whole number, got 'two years'",
    ]


def test_dates_and_times_read_from_json_text_are_the_ones_yaml_gives(document: dict[str, Any]) -> None:
    typhoon = copy.deepcopy(document)
    typhoon["property"]["calendar"]["holidays"] = [date(2026, 9, 16)]
    as_json = json.loads(json.dumps(typhoon, default=str))
    assert as_json["property"]["calendar"]["holidays"][0] == "2026-09-16"
    calendar = parse_catalog(as_json).property.calendar
    assert date(2026, 9, 16) in calendar.holidays
    assert not calendar.is_working_day(date(2026, 9, 16))
    assert not calendar.is_working_day(date(2026, 1, 1))
    assert parse_catalog(as_json).property.office_hours.close == time(17, 30)


def test_settings_are_normalised_and_name_the_variable_to_fix() -> None:
    settings = Settings(
        table_name="lobby",
        sender_email="desk@example.com",
        office_emails='{"service": "service@example.com"}',  # type: ignore[arg-type]  # as the environment gives it
        site_url="https://lobby.example.com/",
    )
    assert settings.office_email("service") == "service@example.com"
    assert settings.site_url == "https://lobby.example.com"
    with pytest.raises(ValueError, match="TABLE_NAME") as error:
        Settings(table_name="", sender_email="", office_emails={})
    assert "SENDER_EMAIL" in str(error.value)
    with pytest.raises(ValueError, match="OFFICE_EMAILS"):
        Settings(table_name="lobby", sender_email="desk@example.com", office_emails="[1]")  # type: ignore[arg-type]


def test_a_cold_start_loads_the_catalog_and_settings_without_pydantic() -> None:
    script = (
        "import sys\n"
        "from lobby.catalog import load_catalog\n"
        "from lobby.settings import get_settings\n"
        "load_catalog(); get_settings()\n"
        "print(sorted(name for name in sys.modules if name.startswith('pydantic')))\n"
    )
    env = {
        **{key: value for key, value in os.environ.items() if key != "LOBBY_CATALOG"},
        "PYTHONPATH": str(FUNCTIONS),
        "TABLE_NAME": "lobby",
        "SENDER_EMAIL": "desk@example.com",
        "OFFICE_EMAILS": '{"service": "service@example.com"}',
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_a_compiled_catalog_is_decoded_without_being_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "catalog.json"
    compiled = compile_catalog(SOURCE_YAML, target)
    from lobby import catalog, catalog_check

    def checked_again(*_args: object) -> None:
        raise AssertionError("the compiled catalog was checked again")

    monkeypatch.setattr(catalog, "parse_catalog", checked_again)
    monkeypatch.setattr(catalog_check, "check", checked_again)
    monkeypatch.setattr(catalog_check, "_cross_check", checked_again)
    load_catalog.cache_clear()
    assert load_catalog(target) == compiled
    assert load_catalog(target).kinds["repair"].deadlines.resolve["minor"].parts == ("h", 8)


def test_a_compiled_catalog_that_does_not_fit_the_models_is_not_loaded(tmp_path: Path) -> None:
    target = tmp_path / "catalog.json"
    compile_catalog(SOURCE_YAML, target)
    damaged = json.loads(target.read_text(encoding="utf-8"))
    damaged["kinds"]["repair"]["deadlines"]["acknowledge"] = "soon"
    target.write_text(json.dumps(damaged), encoding="utf-8")
    load_catalog.cache_clear()
    with pytest.raises(ValueError, match=r"kinds.*deadlines\.acknowledge"):
        load_catalog(target)


def test_errors_inside_lists_and_shared_fields_name_their_place(document: dict[str, Any]) -> None:
    broken = _break(document, "property.calendar.working_weekdays", [1, 2, 9])
    broken = _break(broken, "fields.name.max_length", 0)
    broken = _break(broken, "kinds.repair.fields.0.type", "slider")
    lines = _report(broken)
    assert "property.calendar.working_weekdays.2: must be at most 7, got 9" in lines
    assert "kinds.repair.fields.3.max_length: must be at least 1, got 0" in lines
    assert (
        "kinds.repair.fields.0.type: must be one of 'text', 'textarea', 'tel', 'email', 'choice', 'date';"
        " got 'slider'" in lines
    )


def test_no_escalation_ladder_tells_the_same_office_twice() -> None:
    # The ladder's director step goes to the handling office's director, its last step to the quality
    # office: they must differ, or the last step repeats the one before (the suggestion ladder did).
    catalog = load_catalog(SOURCE_YAML)
    quality = catalog.property.quality_office
    for kind in catalog.kinds.values():
        director = catalog.offices[kind.office].director
        assert director not in (None, quality, kind.office), kind.id
    assert catalog.offices["management"].director == "general-manager"


def test_urgency_answers_and_the_starting_size_must_name_what_the_kind_has(document: dict[str, Any]) -> None:
    unknown_choice = _report(_break(document, "kinds.repair.urgent_when.out_now", ["flooded"]))
    assert unknown_choice == [
        "kinds.repair.urgent_when.out_now: not a choice field of the kind with these choices"
    ]
    assert any(
        "starts_as" in line for line in _report(_break(document, "kinds.repair.deadlines.starts_as", "huge"))
    )
    arrive = _report(_break(document, "kinds.repair.deadlines.arrive", "soon"))
    assert [line.split(":")[0] for line in arrive] == ["kinds.repair.deadlines.arrive"]
