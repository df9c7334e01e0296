"""Promises kept and missed, end to end: requests filed through the API on the moved clock (as
``POST /_local/clock`` moves it), the reminder schedule run as EventBridge runs it, the sender delivering
what each run queued, and the resident reading their status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import (
    OFFICE_EMAILS,
    Aws,
    LambdaContext,
    SentMail,
    post_form,
    post_json,
    repair_fields,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESIDENT = "resident@example.com"


class Schedules:
    """Runs the reminder schedule at chosen moments and hands back the e-mails each run caused."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.seen = 0

    def settle(self) -> list[SentMail]:
        self.aws.notify_batch()
        sent = self.aws.sent()
        new, self.seen = sent[self.seen :], len(sent)
        return new

    def reminders(self, moment: datetime) -> list[SentMail]:
        from schedules.reminders import lambda_handler

        lambda_handler({"time": moment.astimezone(UTC).isoformat()}, LambdaContext())
        return self.settle()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stored(reference: str) -> Any:
    from lobby.catalog import load_catalog
    from lobby.service import open_store
    from lobby.settings import get_settings

    request = open_store(load_catalog(), get_settings()).get_request(reference)
    assert request is not None
    return request


def test_a_done_by_missed_while_nobody_took_the_repair_is_chased_and_the_resident_told(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-23T07:04:00+08:00")  # Monday, before engineering opens at 08:00
    receipt = post_json("/api/requests/repair", repair_fields()).json()
    reference, due = receipt["reference"], parse(receipt["due_at"])
    assert due.astimezone(SHANGHAI) == datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)  # 8 service hours
    schedules = Schedules(aws)
    schedules.settle()  # the office's e-mail and the receipt

    before = schedules.reminders(due - timedelta(minutes=1))
    assert RESIDENT not in [mail.to[0] for mail in before]
    after = schedules.reminders(due + timedelta(minutes=1))  # nobody has taken it
    [apology] = [mail for mail in after if mail.to == [RESIDENT]]
    assert apology.subject == f"[{reference}] 很抱歉，我们没能按时办好您的诉求"
    assert "2026年11月23日 16:00" in apology.html  # the promise missed
    assert "已收到" in apology.html  # how it stands: still waiting to be taken
    # The new time: when the director is told (4 hours on, 20:00, held to engineering's next opening).
    assert "2026年11月24日 08:00" in apology.html
    assert [mail.to for mail in after if mail.to != [RESIDENT]] == [[OFFICE_EMAILS["engineering"]]]
    assert schedules.reminders(due + timedelta(minutes=16)) == []  # told once

    status = post_json("/api/status", {"reference": reference, "contact": "13800138000", "lang": "en"}).json()
    assert status["history"][-1]["text"] == (
        "We missed the time we promised and apologised; the office director is following it up"
    )
    director = schedules.reminders(datetime(2026, 11, 24, 8, 1, tzinfo=SHANGHAI))
    assert [OFFICE_EMAILS["management"]] in [mail.to for mail in director]


def test_a_request_put_on_hold_after_its_deadline_is_still_chased(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    from lobby.catalog import load_catalog
    from lobby.lifecycle import apply
    from lobby.service import open_store
    from lobby.settings import get_settings

    clock_at("2026-11-23T09:00:00+08:00")
    receipt = post_json("/api/requests/repair", repair_fields(email="")).json()
    reference, due = receipt["reference"], parse(receipt["due_at"])
    catalog, store = load_catalog(), open_store(load_catalog(), get_settings())
    for action, inputs, moment in [
        ("acknowledge", {"actor": "李工"}, due - timedelta(hours=6)),
        ("wait", {"actor": "李工", "note": "等住户在家"}, due + timedelta(minutes=30)),  # after the deadline
    ]:
        request = store.get_request(reference)
        change = apply(catalog, request, action, inputs, moment)
        store.save_change(request, change.request, change.event)
    assert stored(reference).current_due == due  # the office's queue and digest keep it overdue
    schedules = Schedules(aws)
    schedules.settle()
    chased = schedules.reminders(due + timedelta(hours=4, minutes=1))
    assert OFFICE_EMAILS["engineering"] in [mail.to[0] for mail in chased]


def test_staff_size_the_repair_and_the_resident_is_told_the_new_promise(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    from lobby.catalog import load_catalog
    from lobby.lifecycle import apply
    from lobby.service import open_store
    from lobby.settings import get_settings

    clock_at("2026-11-25T09:00:00+08:00")  # Wednesday
    receipt = post_json("/api/requests/repair", repair_fields(size="major")).json()  # the resident's estimate
    reference = receipt["reference"]
    assert parse(receipt["due_at"]) - parse(receipt["received_at"]) == timedelta(hours=8)  # promised as minor
    schedules = Schedules(aws)
    schedules.settle()
    catalog, store = load_catalog(), open_store(load_catalog(), get_settings())
    request = store.get_request(reference)
    change = apply(
        catalog, request, "retriage", {"actor": "李工", "size": "medium"}, parse(receipt["received_at"])
    )
    store.save_change(request, change.request, change.event)
    assert stored(reference).resolve_due == parse(receipt["received_at"]) + timedelta(days=3)
    [told] = [mail for mail in schedules.settle() if mail.to == [RESIDENT]]
    assert "2026年11月28日 09:00" in told.html  # the new done-by: three days on


def test_water_out_on_friday_evening_is_urgent_and_chased_through_the_night(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-27T20:00:00+08:00")  # Friday 20:00: engineering closed at 18:00
    receipt = post_json("/api/requests/repair", repair_fields(out_now="out")).json()
    due = parse(receipt["due_at"])
    assert due.astimezone(SHANGHAI) == datetime(2026, 11, 28, 4, 0, tzinfo=SHANGHAI)  # 8 hours, all night
    schedules = Schedules(aws)
    schedules.settle()
    night = schedules.reminders(due + timedelta(minutes=1))  # 04:01 on Saturday: no quiet hours
    assert OFFICE_EMAILS["engineering"] in [mail.to[0] for mail in night]
    assert RESIDENT in [mail.to[0] for mail in night]


def test_a_minor_repair_on_friday_evening_is_promised_within_engineerings_hours(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-27T20:00:00+08:00")  # Friday 20:00: engineering (08:00-18:00 every day) closed at 18:00
    receipt = post_json("/api/requests/repair", repair_fields()).json()
    contact_by, done_by = parse(receipt["acknowledge_by"]), parse(receipt["resolve_by"])
    # Eight hours of engineering's service time from its Saturday opening; first contact never later.
    assert done_by.astimezone(SHANGHAI) == datetime(2026, 11, 28, 16, 0, tzinfo=SHANGHAI)
    assert (
        contact_by <= done_by
        and contact_by.astimezone(SHANGHAI).date() == done_by.astimezone(SHANGHAI).date()
    )
    both = "工程维修部会在 2026年11月28日 16:00 前与您联系，在 2026年11月28日 16:00 前处理完毕。"
    assert receipt["message"] == both and both in receipt["receipt_html"]
    page = post_form("/api/requests/repair", repair_fields(description="卫生间灯不亮了，开关没反应。"))
    assert page.status == 201 and both in page.body  # the page after the form, without JavaScript
    english = post_json(
        "/api/requests/repair", repair_fields(lang="en", description="The bathroom light is out.")
    )
    assert english.json()["message"] == (
        "Engineering and Maintenance will contact you by 28 Nov 2026, 16:00 and have it done by 28 Nov 2026, 16:00."
    )
    lookup = {"reference": receipt["reference"], "contact": "13800138000", "lang": "zh"}
    status = post_json("/api/status", lookup).json()
    assert (status["contact_by_text"], status["due_text"]) == ("2026年11月28日 16:00", "2026年11月28日 16:00")
    status_page = unescape(post_form("/api/status", lookup).body)  # the status page without JavaScript
    assert "最迟联系您的时间</th><td>2026年11月28日 16:00" in status_page
    assert "承诺时间</th><td>2026年11月28日 16:00" in status_page
    schedules = Schedules(aws)
    [first] = [
        mail for mail in schedules.settle() if mail.to == [RESIDENT] and receipt["reference"] in mail.subject
    ]
    assert both in first.html  # the resident's first e-mail says the same
    assert schedules.reminders(datetime(2026, 11, 28, 7, 59, tzinfo=SHANGHAI)) == []  # nobody woken at night
    warned = schedules.reminders(datetime(2026, 11, 28, 11, 0, tzinfo=SHANGHAI))  # 75 % of 20:00 → 16:00
    assert {mail.to[0] for mail in warned} == {OFFICE_EMAILS["engineering"]}


def test_a_complaint_about_the_director_escalates_to_the_general_managers_office(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-25T10:00:00+08:00")  # Wednesday
    fields = {key: value for key, value in repair_fields(category="attitude", about="management").items()}
    del fields["size"]
    receipt = post_json("/api/requests/complaint", fields).json()
    contact_by = stored(receipt["reference"]).acknowledge_due  # the same day, 17:30
    schedules = Schedules(aws)
    schedules.settle()
    schedules.reminders(contact_by + timedelta(minutes=1))  # due: the office, and the resident's apology
    # Two hours after the deadline, held to the service centre's Thursday opening: the director's step.
    escalated = schedules.reminders(datetime(2026, 11, 26, 8, 31, tzinfo=SHANGHAI))
    recipients = [mail.to[0] for mail in escalated]
    assert OFFICE_EMAILS["general-manager"] in recipients
    assert OFFICE_EMAILS["management"] not in recipients  # never the person complained about


def test_a_complaint_forwarded_by_a_government_body_goes_to_the_general_managers_office(
    aws: Aws, clock_at: Callable[[str], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.desk_client import install_roster, signed_in

    install_roster(monkeypatch)
    clock_at(
        "2026-11-27T18:30:00+08:00"
    )  # Friday: the general manager's office (weekdays 09:00-18:00) has closed
    clerk = signed_in(aws, "李明")
    page = clerk.get("/desk/new", {"kind": "complaint"})
    fields = {
        key: value
        for key, value in repair_fields(category="service").items()
        if key not in ("size", "website")
    }
    fields.update({"csrf": clerk.csrf(page), "kind": "complaint", "channel": "government"})
    fields.update({"received_at": "2026-11-27T18:20", "description": "12345 热线转来：物业前台无人值守。"})
    registered = clerk.post("/desk/new", fields)
    assert registered.status == 303, registered.text
    reference = registered.headers["Location"].split("/")[-1].split("?")[0]
    request = stored(reference)
    assert (request.office, request.channel) == ("general-manager", "government")
    # Counted in that office's own calendar: its next working day is Monday, not the service centre's Saturday.
    monday = datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)
    assert (
        request.acknowledge_due == monday and request.resolve_due == monday
    )  # service quality: the same day
    schedules = Schedules(aws)
    mails = schedules.settle()
    offices = [mail.to[0] for mail in mails if mail.to[0] in OFFICE_EMAILS.values()]
    assert offices == [OFFICE_EMAILS["general-manager"]]  # not the service centre, where complaints go
    [receipt] = [mail for mail in mails if mail.to == [RESIDENT]]
    assert "公司总经办会在 2026年11月30日 18:00 前与您联系" in receipt.html
    assert schedules.reminders(datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)) == []  # its weekend: quiet
    warned = schedules.reminders(datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI))
    assert [mail.to for mail in warned] == [[OFFICE_EMAILS["general-manager"]]]
    gm = signed_in(aws, "郑华")
    assert reference in gm.get("/desk/").text  # in the general manager's office's queue


def test_a_spot_check_is_drawn_at_resolution_recorded_and_counted_in_the_monthly_report(
    aws: Aws, clock_at: Callable[[str], datetime], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msgspec

    from lobby.catalog import SOURCE_YAML, load_catalog, parse_catalog, read_document
    from lobby.lifecycle import apply
    from lobby.service import open_store
    from lobby.settings import get_settings
    from schedules.monthly import lambda_handler as monthly

    document = read_document(SOURCE_YAML)  # every complaint checked by the quality department, to test
    document["kinds"]["complaint"]["follow_up"]["spot_checks"] = {"quality": 100}
    compiled = tmp_path / "catalog.json"
    compiled.write_bytes(msgspec.json.encode(parse_catalog(document), enc_hook=str))
    monkeypatch.setenv("LOBBY_CATALOG", str(compiled))
    load_catalog.cache_clear()

    clock_at("2026-11-10T10:00:00+08:00")
    fields = repair_fields(category="equipment")
    del fields["size"]
    reference = post_json("/api/requests/complaint", fields).json()["reference"]
    catalog, store = load_catalog(), open_store(load_catalog(), get_settings())
    for action, inputs, hours in [
        ("acknowledge", {"actor": "张"}, 1),
        ("resolve", {"actor": "张", "note": "已修好"}, 3),
    ]:
        request = store.get_request(reference)
        moment = stored(reference).received_at + timedelta(hours=hours)
        change = apply(catalog, request, action, inputs, moment)
        store.save_change(request, change.request, change.event)
    assert stored(reference).spot_checks == ("quality",)  # drawn when resolved, before the follow-up is due
    schedules = Schedules(aws)
    schedules.settle()
    monthly({"time": "2026-12-01T00:00:00Z"}, LambdaContext())
    [report] = [mail for mail in schedules.settle() if mail.to == [OFFICE_EMAILS["management"]]]
    assert "公司抽查回访" in report.html and "公司品质部 1 项" in report.html
