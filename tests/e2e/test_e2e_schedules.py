"""The office's scheduled jobs run through the local tool, at a moment the developer chooses."""

from __future__ import annotations

import pytest

from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e


def test_every_template_schedule_runs_at_a_chosen_time(lobby: Stack) -> None:
    listed = lobby.get("/_local/schedules").json()
    assert listed, "template.yaml defines no ScheduleV2 events"
    for schedule in listed:
        answer = lobby.post_json(f"/_local/schedules/{schedule['name']}", {"time": "2026-11-23T01:45:00Z"})
        assert answer.status == 200, f"{schedule['name']}: {answer.text}"
        assert answer.json()["time"] == "2026-11-23T01:45:00Z"
