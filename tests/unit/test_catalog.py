"""The catalog: one source, validated, and every error names the key an administrator must fix."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from lobby.catalog import SOURCE_YAML, CatalogError, compile_catalog, load_catalog, main, parse_catalog


@pytest.fixture
def document() -> dict[str, Any]:
    return yaml.safe_load(SOURCE_YAML.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


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
    assert catalog.property.emergency_numbers.model_dump() == {
        "medical": "120",
        "police": "110",
        "fire": "119",
    }


def test_the_compiled_json_is_the_same_catalog_with_the_same_version(tmp_path: Path) -> None:
    target = tmp_path / "catalog.json"
    compiled = compile_catalog(SOURCE_YAML, target)
    reloaded = parse_catalog(json.loads(target.read_text(encoding="utf-8")))
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
    broken["property"]["calendar"]["make_up_working_days"].append(
        broken["property"]["calendar"]["holidays"][0]
    )
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
