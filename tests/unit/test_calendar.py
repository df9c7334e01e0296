"""The office calendar: the official arrangements compiled in, the administrator's additions, unknown years.

Every check that depends on the date takes it as ``today``; none reads the real clock.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from lobby.catalog import (
    SOURCE_YAML,
    CatalogError,
    calendar_notice,
    compile_catalog,
    main,
    parse_catalog,
    read_document,
)

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

# A 2027 arrangement as an administrator would type it from the State Council's notice (the test's own
# dates: the package does not know 2027). The Spring Festival falls on Saturday 6 February 2027.
ARRANGEMENT_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", *(str(date(2027, 2, 5) + timedelta(days=i)) for i in range(9))],
    "make_up_working_days": ["2027-02-20"],
}


@pytest.fixture
def document() -> dict[str, Any]:
    return read_document(SOURCE_YAML)  # type: ignore[no-any-return]


def calendar_of(document: dict[str, Any]) -> Any:
    return parse_catalog(document).property.calendar


def with_calendar(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["property"]["calendar"].update(changes)
    return changed


def test_every_day_of_2026_is_the_official_arrangement(document: dict[str, Any]) -> None:
    calendar = calendar_of(document)
    day, differ = date(2026, 1, 1), []
    while day.year == 2026:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            differ.append(day)
        day += timedelta(days=1)
    assert differ == []
    assert not calendar.is_working_day(date(2026, 2, 17))  # the Spring Festival
    assert calendar.is_working_day(date(2026, 2, 28))  # a make-up working Saturday


def test_the_source_types_no_holiday_list(document: dict[str, Any]) -> None:
    import yaml

    source = yaml.safe_load(SOURCE_YAML.read_text(encoding="utf-8"))["property"]["calendar"]
    assert source["holidays"] == [] and source["make_up_working_days"] == [] and "official" not in source
    assert {arrangement["year"] for arrangement in document["property"]["calendar"]["official"]} >= {
        2024,
        2025,
        2026,
    }


def test_an_unknown_year_counts_weekdays_only_and_is_reported(document: dict[str, Any]) -> None:
    calendar = calendar_of(document)
    assert 2027 not in calendar.known_years
    assert calendar.is_working_day(date(2027, 2, 10))  # a Wednesday in the Spring Festival, unknown
    assert not calendar.is_working_day(date(2027, 2, 13))  # a Saturday
    assert calendar.unknown_years(date(2027, 2, 10)) == [2027]


def test_next_year_is_wanted_from_the_first_of_october(document: dict[str, Any]) -> None:
    calendar = calendar_of(document)
    assert calendar.unknown_years(date(2026, 9, 30)) == []
    assert calendar.unknown_years(date(2026, 10, 1)) == [2027]
    assert calendar.unknown_years(date(2026, 12, 31)) == [2027]
    typed = calendar_of(with_calendar(document, years=[ARRANGEMENT_2027]))
    assert typed.unknown_years(date(2026, 12, 31)) == []
    assert typed.unknown_years(date(2027, 10, 1)) == [2028]


def test_a_typed_year_makes_its_days_off_and_make_up_days(document: dict[str, Any]) -> None:
    calendar = calendar_of(with_calendar(document, years=[ARRANGEMENT_2027]))
    assert not calendar.is_working_day(date(2027, 2, 10))
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday worked in exchange
    assert calendar.is_working_day(date(2027, 3, 1))


def test_a_typed_year_takes_the_place_of_the_packages(document: dict[str, Any]) -> None:
    # The notice typed for a year the package knows replaces its arrangement: 2026-10-08 becomes a day off.
    typed = {"year": 2026, "holidays": ["2026-10-08"], "make_up_working_days": []}
    calendar = calendar_of(with_calendar(document, years=[typed]))
    assert not calendar.is_working_day(date(2026, 10, 8))
    assert calendar.is_working_day(date(2026, 10, 2))  # a Friday, no longer a holiday in this arrangement


def test_a_typhoon_day_off_is_added_to_the_official_arrangement(document: dict[str, Any]) -> None:
    before = calendar_of(document)
    after = calendar_of(with_calendar(document, holidays=["2026-09-16"]))
    assert before.is_working_day(date(2026, 9, 16)) and not after.is_working_day(date(2026, 9, 16))
    assert not after.is_working_day(date(2026, 10, 1))  # the official days off stay off


@pytest.mark.parametrize(
    ("years", "named"),
    [
        ([{"year": 2027, "holidays": ["2026-12-31"]}], "dates outside 2027"),
        ([ARRANGEMENT_2027, ARRANGEMENT_2027], "years arranged twice: [2027]"),
        (
            [{"year": 2027, "holidays": ["2027-02-20"], "make_up_working_days": ["2027-02-20"]}],
            "both holiday and make-up",
        ),
    ],
)
def test_a_typed_year_that_contradicts_itself_is_refused(
    document: dict[str, Any], years: list[dict[str, Any]], named: str
) -> None:
    with pytest.raises(CatalogError, match=r"property\.calendar") as error:
        parse_catalog(with_calendar(document, years=years))
    assert named in str(error.value)


@pytest.mark.parametrize(
    ("today", "deploying", "allowed", "warns", "refused"),
    [
        (date(2026, 9, 30), True, False, False, False),
        (date(2026, 10, 1), False, False, True, False),  # make lint and the catalog check warn
        (date(2026, 11, 30), True, False, True, False),  # a deployment still goes, with the warning
        (date(2026, 12, 1), False, False, True, False),
        (date(2026, 12, 1), True, False, True, True),  # make deploy refuses
        (date(2026, 12, 1), True, True, True, False),  # unless told to go on
        (date(2027, 1, 5), True, False, True, True),  # this year unknown: still refused
    ],
)
def test_the_check_warns_from_october_and_deploy_refuses_from_december(
    document: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    today: date,
    deploying: bool,
    allowed: bool,
    warns: bool,
    refused: bool,
) -> None:
    if allowed:
        monkeypatch.setenv("ALLOW_UNKNOWN_YEAR", "1")
    else:
        monkeypatch.delenv("ALLOW_UNKNOWN_YEAR", raising=False)
    lines, refuse = calendar_notice(calendar_of(document), today, deploying=deploying)
    assert refuse is refused
    assert any("2027" in line for line in lines) is warns
    if allowed:
        assert "ALLOW_UNKNOWN_YEAR=1" in lines[-1]


def test_the_command_line_deploy_check_fails_in_december_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALLOW_UNKNOWN_YEAR", raising=False)
    assert main(["deploy-check"], today=date(2026, 11, 30)) == 0
    assert "public holidays of 2027" in capsys.readouterr().err
    assert main(["deploy-check"], today=date(2026, 12, 1)) == 1
    assert "refusing to deploy" in capsys.readouterr().err
    assert main(["check"], today=date(2026, 12, 1)) == 0
    assert "public holidays of 2027" in capsys.readouterr().err
    assert main(["check"], today=date(2026, 6, 1)) == 0
    assert capsys.readouterr().err == ""


def test_a_function_loading_the_compiled_catalog_never_imports_chinese_calendar(tmp_path: Path) -> None:
    compiled = tmp_path / "catalog.json"
    compile_catalog(SOURCE_YAML, compiled)
    official = json.loads(compiled.read_text(encoding="utf-8"))["property"]["calendar"]["official"]
    assert any(arrangement["year"] == 2026 for arrangement in official)
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from lobby.catalog import load_catalog\n"
        "calendar = load_catalog().property.calendar\n"
        "print(calendar.is_working_day(date(2026, 2, 17)), calendar.is_working_day(date(2026, 2, 28)))\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('chinese_calendar', 'yaml')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS), "LOBBY_CATALOG": str(compiled)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split("\n")[:2] == ["False True", "[]"]


def test_a_complaint_filed_on_new_years_eve_is_due_after_the_holiday_once_the_year_is_typed(
    document: dict[str, Any],
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from msgspec.structs import replace

    from lobby.deadlines import deadline_for

    shanghai = ZoneInfo("Asia/Shanghai")
    filed = datetime(2026, 12, 31, 23, 0, tzinfo=shanghai)
    unknown = parse_catalog(document).property
    typed = replace(unknown, calendar=calendar_of(with_calendar(document, years=[ARRANGEMENT_2027])))
    due_unknown = deadline_for("same-day", filed, unknown)
    due_typed = deadline_for("same-day", filed, typed)
    assert due_unknown is not None and due_typed is not None
    assert due_unknown.astimezone(shanghai) == datetime(2027, 1, 1, 17, 30, tzinfo=shanghai)  # weekdays only
    assert due_typed.astimezone(shanghai) == datetime(2027, 1, 4, 17, 30, tzinfo=shanghai)  # Monday
