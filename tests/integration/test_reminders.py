"""Deadlines that chase themselves: submit, run the reminder schedule at chosen times, read the mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lobby.catalog import load_catalog
from lobby.intake import receive
from lobby.requests import ServiceRequest
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.storage import Store
from tests.integration.conftest import OFFICE_EMAILS, Aws, LambdaContext, SentMail, repair_fields

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A moment on the property's clock: '2026-11-23 15:45' (Monday)."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Clock:
    """Runs the reminder schedule at chosen moments and hands back the e-mails each run caused."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.catalog = load_catalog()
        self.store: Store = open_store(self.catalog, get_settings())
        self.seen = 0

    def submit(self, kind: str, when: datetime, **fields: str) -> str:
        spec = self.catalog.kinds[kind]
        data = repair_fields(**fields)
        if kind != "repair":
            data["category"] = fields.get("category", "service")
        data["situation"] = "elderly"
        wanted = {field.id for field in spec.fields} | {"consent", "website", "lang"}
        data = {name: value for name, value in data.items() if name in wanted}
        receipt = receive(self.store, self.catalog, self.catalog.kinds[kind], data, when)
        self.aws.notify_batch()
        self.seen = len(self.aws.sent())
        return receipt.request.reference

    def act(self, reference: str, steps: list[tuple[str, dict[str, str], str]]) -> ServiceRequest:
        """Staff take these actions in order, at these local times; returns the request as stored after."""
        from lobby.lifecycle import apply

        request = self.store.get_request(reference)
        assert request is not None
        for action, inputs, when in steps:
            change = apply(self.catalog, request, action, inputs, at(when))
            self.store.save_change(request, change.request, change.event)
            request = self.store.get_request(reference)
            assert request is not None
        return request

    def run(self, when: datetime) -> list[SentMail]:
        from schedules.reminders import lambda_handler

        lambda_handler({"time": when.isoformat()}, LambdaContext())
        self.aws.notify_batch()
        sent = self.aws.sent()
        new, self.seen = sent[self.seen :], len(sent)
        return new


def _summary(mails: list[SentMail]) -> list[tuple[str, str]]:
    """(recipient, what the subject flags) for each mail, e.g. ('service@…', '即将到期')."""
    return sorted((mail.to[0], mail.subject.split("] ", 1)[1].split(" · ", 1)[0]) for mail in mails)


@pytest.fixture
def clock(aws: Aws) -> Clock:
    return Clock(aws)


SERVICE = OFFICE_EMAILS["service-centre"]
RESIDENT = "resident@example.com"
DIRECTOR = OFFICE_EMAILS["management"]
QUALITY = OFFICE_EMAILS["quality"]


def test_a_complaint_climbs_the_ladder_and_nothing_is_sent_twice(clock: Clock) -> None:
    # Monday 10:00: a complaint must be contacted the same day, by 17:30 (close of business).
    reference = clock.submit("complaint", at("2026-11-23 10:00"))

    assert clock.run(at("2026-11-23 15:00")) == []
    warning = clock.run(at("2026-11-23 15:45"))  # 75 % of 10:00 → 17:30 is 15:37:30
    assert _summary(warning) == [(SERVICE, "即将到期")]
    assert reference in warning[0].subject
    assert clock.run(at("2026-11-23 15:50")) == []  # an overlapping run records nothing again

    # A service-quality complaint is contacted and done the same day: one promise, missed at 17:30. The
    # office is told it is due; the resident gets an apology, how it stands and the new time.
    assert _summary(clock.run(at("2026-11-23 17:30"))) == [
        (RESIDENT, "很抱歉，我们没能按时办好您的诉求"),
        (SERVICE, "已到期"),
    ]

    # Evening: the 19:30 escalation and the 21:30 repeat wait for the office to open (quiet hours).
    assert clock.run(at("2026-11-23 22:00")) == []
    assert clock.run(at("2026-11-24 03:00")) == []

    morning = clock.run(at("2026-11-24 08:30"))
    # The night's repeats (21:30, 01:30, 05:30) collapse into one; the director hears of it too.
    assert _summary(morning) == [(DIRECTOR, "已超时，升级至主任"), (SERVICE, "仍未完成，已超时")]
    assert clock.run(at("2026-11-24 08:45")) == []

    assert _summary(clock.run(at("2026-11-24 09:30"))) == [(SERVICE, "仍未完成，已超时")]
    evening = clock.run(at("2026-11-24 17:30"))  # a day after the deadline: the quality department
    assert (QUALITY, "已超时，升级至公司品质部") in _summary(evening)


def test_running_the_same_moment_twice_sends_nothing_twice(clock: Clock) -> None:
    clock.submit("complaint", at("2026-11-23 10:00"))
    first = clock.run(at("2026-11-24 09:00"))
    assert first
    clock.aws._shard_iterators.clear()  # the stream redelivers everything; the sent-markers hold
    assert clock.run(at("2026-11-24 09:00")) == []


def test_an_urgent_help_request_reminds_at_night(clock: Clock) -> None:
    # Sunday 02:00: an elderly neighbour living alone; first contact within an hour, day or night.
    clock.submit("help", at("2026-11-22 02:00"))
    assert _summary(clock.run(at("2026-11-22 02:31"))) == [(OFFICE_EMAILS["security"], "即将到期")]
    assert _summary(clock.run(at("2026-11-22 03:00"))) == [
        (RESIDENT, "很抱歉，我们没能按时与您联系"),  # an urgent promise missed at night is told at once
        (OFFICE_EMAILS["security"], "已到期"),
    ]


def test_acting_on_the_request_stops_its_reminders(clock: Clock) -> None:
    reference = clock.submit("repair", at("2026-11-23 09:00"), size="medium")  # the resident's estimate
    clock.act(
        reference,
        [
            ("acknowledge", {"actor": "李师傅"}, "2026-11-23 09:30"),
            ("retriage", {"actor": "李师傅", "size": "medium"}, "2026-11-23 10:00"),  # sized on site
        ],
    )
    clock.aws.notify_batch()
    clock.seen = len(clock.aws.sent())

    # The first-contact clock is gone; the medium repair's 3-day clock now runs (75 % ≈ day 3, 03:00 → 08:30).
    assert clock.run(at("2026-11-23 17:30")) == []
    assert _summary(clock.run(at("2026-11-26 08:30"))) == [(OFFICE_EMAILS["engineering"], "即将到期")]

    clock.act(reference, [("resolve", {"actor": "李师傅", "note": "已修复"}, "2026-11-26 10:00")])
    clock.aws.notify_batch()
    clock.seen = len(clock.aws.sent())
    assert clock.run(at("2026-11-27 09:00")) == []  # resolved: no more reminders to the office


def test_a_complaint_is_followed_up_within_three_days_of_resolution(clock: Clock) -> None:

    reference = clock.submit("complaint", at("2026-11-23 10:00"))
    request = clock.act(
        reference,
        [
            ("acknowledge", {"actor": "张经理"}, "2026-11-23 11:00"),
            ("resolve", {"actor": "张经理", "note": "已道歉并整改"}, "2026-11-23 15:00"),
        ],
    )
    assert request.follow_up_due == at("2026-11-26 15:00")
    clock.aws.notify_batch()
    clock.seen = len(clock.aws.sent())

    assert clock.run(at("2026-11-24 09:00")) == []
    due = clock.run(at("2026-11-25 15:00"))  # a day ahead of the 3-day follow-up deadline
    assert _summary(due) == [(SERVICE, "回访到期")]
    assert "/api/actions/" in due[0].html  # the signed link that records the follow-up


def test_a_resolved_suggestion_closes_itself_after_the_rating_window(clock: Clock) -> None:

    reference = clock.submit(
        "suggestion", at("2026-11-23 10:00"), description="希望在小区里增加自行车停放架。"
    )
    clock.act(
        reference,
        [
            ("acknowledge", {"actor": "主任"}, "2026-11-23 11:00"),
            ("resolve", {"actor": "主任", "note": "月度评审会已采纳"}, "2026-11-24 15:00"),
        ],
    )

    clock.run(at("2026-11-30 15:00"))
    assert clock.store.get_request(reference).status == "resolved"  # type: ignore[union-attr]
    clock.run(at("2026-12-01 15:01"))
    assert clock.store.get_request(reference).status == "closed"  # type: ignore[union-attr]


def test_a_run_reads_only_what_is_due(clock: Clock, aws: Aws) -> None:
    for n in range(6):
        clock.submit("complaint", at("2026-11-23 10:00"), description=f"第 {n} 号投诉：楼道灯不亮。")
    from schedules.reminders import lambda_handler

    quiet: dict[str, Any] = lambda_handler({"time": at("2026-11-23 11:00").isoformat()}, LambdaContext())
    assert quiet["requests"] == 0 and quiet["items_read"] == 0
    busy: dict[str, Any] = lambda_handler({"time": at("2026-11-23 15:45").isoformat()}, LambdaContext())
    assert busy["requests"] == 6 and busy["recorded"] == 6
    assert busy["items_read"] == 6


@pytest.mark.parametrize(("satisfied", "status"), [("yes", "closed"), ("no", "reopened")])
def test_staff_record_the_follow_up_from_the_reminder_link(clock: Clock, satisfied: str, status: str) -> None:
    import re
    from html import unescape
    from urllib.parse import urlparse

    from tests.integration.conftest import call_api, http_event, post_form

    reference = clock.submit("complaint", at("2026-11-23 10:00"))
    clock.act(
        reference,
        [
            ("acknowledge", {"actor": "张经理"}, "2026-11-23 11:00"),
            ("resolve", {"actor": "张经理", "note": "已道歉并整改"}, "2026-11-23 15:00"),
        ],
    )
    clock.aws.notify_batch()
    clock.seen = len(clock.aws.sent())
    [reminder] = clock.run(at("2026-11-25 15:00"))
    link = urlparse(
        unescape(re.findall(r'href="(https://lobby\.example/api/actions/[^"]+)"', reminder.html)[0])
    ).path

    form = call_api(http_event("GET", link))
    assert form.status == 200 and 'name="actor"' in form.body and 'name="quality"' in form.body
    missing_name = post_form(link, {"quality": "4", "effect": "4", "attitude": "5", "satisfied": satisfied})
    assert missing_name.status == 422

    answers = {"actor": "客服小陈", "quality": "4", "effect": "4", "attitude": "5", "satisfied": satisfied}
    assert post_form(link, answers).status == 200
    stored = clock.store.get_request(reference)
    assert stored is not None and stored.status == status
    assert stored.rating is not None and stored.rating["by"] == "客服小陈"
    clock.aws.notify_batch()
    director = [mail for mail in clock.aws.sent() if mail.to == [DIRECTOR] and "不满意" in mail.subject]
    assert bool(director) is (satisfied == "no")
