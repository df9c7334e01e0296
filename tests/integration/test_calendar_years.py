"""A year the calendar does not know, end to end: the API files a request in 2027 on the moved clock, the
daily digest runs as EventBridge runs it, and the sender delivers what it queued.

With no 2027 arrangement the administrator is e-mailed once a day (weekends too) and the digest function
counts the unknown year for the alarm; with the arrangement typed into the catalog, the Spring Festival
days are days off and nobody is warned.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import OFFICE_EMAILS, Aws, LambdaContext, post_json, use_catalog_with_years
from tests.unit.test_calendar import ARRANGEMENT_2027

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMINISTRATOR = "admin@harbour-view.example"


def run_digest(local: str) -> dict[str, Any]:
    from schedules.digest import lambda_handler

    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    return cast(dict[str, Any], lambda_handler({"time": moment.astimezone(UTC).isoformat()}, LambdaContext()))


def unknown_year_counts(output: str) -> list[int]:
    """The CalendarYearUnknown data points the function printed (CloudWatch embedded-metric lines)."""
    points = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    return [point["CalendarYearUnknown"] for point in points if "CalendarYearUnknown" in point]


def suggestion(lang: str = "zh") -> dict[str, str]:
    return {
        "name": "王小明",
        "phone": "13800138000",
        "building": "5栋",
        "unit": "0101",
        "description": "建议在楼下增加照明。",
        "consent": "yes",
        "website": "",
        "lang": lang,
    }


def acknowledge_due(answer: Any) -> datetime:
    from lobby.catalog import load_catalog
    from lobby.service import open_store
    from lobby.settings import get_settings

    catalog = load_catalog()
    request = open_store(catalog, get_settings()).get_request(answer.json()["reference"])
    assert request is not None and request.acknowledge_due is not None
    return request.acknowledge_due.astimezone(SHANGHAI)


def test_a_year_nobody_typed_mails_the_administrator_each_day_and_raises_the_alarm(
    aws: Aws,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    clock_at: Callable[[str], datetime],
) -> None:
    from lobby.settings import get_settings

    monkeypatch.setenv("ADMINISTRATOR_EMAIL", ADMINISTRATOR)
    get_settings.cache_clear()
    clock_at("2027-02-09T18:00:00+08:00")  # Tuesday evening before the (unknown) Spring Festival
    filed = post_json("/api/requests/suggestion", suggestion())
    assert filed.status == 201, filed.body
    # Unknown 2027 counts by weekday alone: the director's office is "open" on Wednesday 10 February.
    assert acknowledge_due(filed) == datetime(2027, 2, 10, 17, 30, tzinfo=SHANGHAI)
    aws.notify_batch()
    capsys.readouterr()

    first = run_digest("2027-02-10T08:30")
    aws.notify_batch()
    assert first["unknown_years"] == [2027] and first["administrator"] == "queued"
    warnings = [mail for mail in aws.sent() if mail.to == [ADMINISTRATOR]]
    assert len(warnings) == 1
    assert "2027" in warnings[0].subject and "节假日" in warnings[0].subject
    assert "property.calendar.years" in warnings[0].html

    again = run_digest("2027-02-10T08:45")  # a retried run the same morning
    aws.notify_batch()
    assert again["administrator"] == "already queued"
    sunday = run_digest("2027-02-14T08:30")  # every day, a Sunday too
    aws.notify_batch()
    assert sunday["administrator"] == "queued"
    assert len([mail for mail in aws.sent() if mail.to == [ADMINISTRATOR]]) == 2
    assert unknown_year_counts(capsys.readouterr().out) == [1, 1, 1]
    logged = [record for record in caplog.records if record.getMessage() == "calendar year unknown"]
    assert [(record.levelname, record.unknown_years) for record in logged] == [("ERROR", [2027])] * 3


def test_without_an_administrator_address_the_director_is_warned(aws: Aws) -> None:
    run_digest("2026-10-08T08:30")  # from 1 October next year's arrangement is wanted
    aws.notify_batch()
    [warning] = [mail for mail in aws.sent() if "2027" in mail.subject]
    assert warning.to == [OFFICE_EMAILS["management"]]


def test_a_known_year_warns_nobody_and_counts_zero(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_digest("2026-09-30T08:30")  # next year's arrangement is wanted only from 1 October
    aws.notify_batch()
    assert report["unknown_years"] == [] and report["administrator"] == "not needed"
    assert not any("节假日" in mail.subject for mail in aws.sent())
    assert unknown_year_counts(capsys.readouterr().out) == [0]


@pytest.fixture
def catalog_with_2027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from lobby.catalog import load_catalog

    use_catalog_with_years(tmp_path, monkeypatch, ARRANGEMENT_2027)
    yield
    load_catalog.cache_clear()


def test_once_the_year_is_typed_the_spring_festival_is_days_off_and_nobody_is_warned(
    catalog_with_2027: None,
    aws: Aws,
    capsys: pytest.CaptureFixture[str],
    clock_at: Callable[[str], datetime],
) -> None:
    clock_at("2027-02-04T18:00:00+08:00")  # Thursday evening, the festival starts on Friday 5 February
    filed = post_json("/api/requests/suggestion", suggestion("en"))
    assert filed.status == 201, filed.body
    # The director's office is back on Monday 15 February (the 2027 typed here: 5-13 February off).
    assert acknowledge_due(filed) == datetime(2027, 2, 15, 17, 30, tzinfo=SHANGHAI)
    aws.notify_batch()
    capsys.readouterr()
    before = len(aws.sent())

    festival = run_digest("2027-02-10T08:30")
    aws.notify_batch()
    assert festival["unknown_years"] == [] and festival["administrator"] == "not needed"
    assert "management" not in festival["queued"] + festival["quiet"]  # a day off for the director
    assert not any(mail.to == [OFFICE_EMAILS["management"]] for mail in aws.sent()[before:])
    assert unknown_year_counts(capsys.readouterr().out) == [0]
