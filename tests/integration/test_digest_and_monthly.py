"""The daily digest and the monthly statistics, run as EventBridge Scheduler runs them, against moto.

Requests are seeded the way they arrive and move: submitted through intake (validated, numbered by the
daily counter), then acted on through the lifecycle and the resident's signed rating link, each at a
chosen time. The scheduled functions then run at chosen times and the e-mails they send are read back
from moto's SES.
"""

from __future__ import annotations

import csv
import email
import io
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, cast

import pytest

from tests.integration.conftest import (
    OFFICE_EMAILS,
    REGION,
    SIGNING_SECRET,
    Aws,
    LambdaContext,
    use_catalog_with_years,
)
from tests.unit.test_calendar import ARRANGEMENT_2027

CONTEXT = cast(Any, LambdaContext())
LOCAL = timedelta(hours=8)  # Asia/Shanghai has no daylight saving time


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - LOCAL


def at_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# seeding ----------------------------------------------------------------------------------------------
def catalog() -> Any:
    from lobby.catalog import load_catalog

    return load_catalog()


def store() -> Any:
    from lobby.service import open_store
    from lobby.settings import get_settings

    return open_store(catalog(), get_settings())


def submit(kind: str, at: datetime, **values: str) -> str:
    from lobby.intake import receive

    data = {
        "name": "王小明",
        "phone": "13800138000",
        "building": "5栋",
        "unit": "0101",
        "consent": "yes",
        "website": "",
        "lang": "zh",
        **values,
    }
    if kind == "repair":
        data = {
            "category": "electricity",
            "size": "minor",
            "description": f"灯不亮了 {at.isoformat()}",
            **data,
        }
    elif kind == "complaint":
        # An equipment complaint: 3 days (a service-quality one is due the same day)
        data = {"category": "equipment", "description": f"设施不到位 {at.isoformat()}", **data}
    elif kind == "suggestion":
        data = {"description": f"建议增加照明 {at.isoformat()}", **data}
    elif kind == "paid-service":
        data = {"service": "drain-clear", "agreement": "one-off", "preferred_date": "2026-12-05", **data}
    receipt = receive(store(), catalog(), catalog().kinds[kind], data, at)
    assert receipt.created
    return str(receipt.request.reference)


def act(reference: str, action: str, at: datetime, **inputs: str) -> None:
    from lobby.lifecycle import apply

    lobby_store = store()
    before = lobby_store.get_request(reference)
    change = apply(catalog(), before, action, {"actor": "李师傅", "note": "已处理", **inputs}, at)
    lobby_store.save_change(before, change.request, change.event)


def rate(reference: str, at: datetime, *, satisfied: bool, scores: tuple[int, int, int] = (5, 4, 5)) -> None:
    """The resident answers the follow-up through the signed link in their e-mail."""
    from lobby import link_actions, links

    secret = SIGNING_SECRET.encode()
    token = links.sign(secret, reference, "rate", at, links.RESIDENT_LINK_LIFETIME)
    answers = dict(zip(("quality", "effect", "attitude"), map(str, scores), strict=True))
    link_actions.rate(
        store(), catalog(), secret, token, {**answers, "satisfied": "yes" if satisfied else "no"}, at
    )


# reading what was sent ----------------------------------------------------------------------------------
def ses_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def raw_mails() -> list[EmailMessage]:
    """Messages sent with an attachment (SES v2 raw content), parsed."""
    return [
        cast(EmailMessage, email.message_from_string(message.raw_data, policy=default_policy))
        for message in ses_messages()
        if hasattr(message, "raw_data")
    ]


def attachment_rows(message: EmailMessage) -> list[dict[str, str]]:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/csv"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


_STACK: list[Aws] = []


@pytest.fixture(autouse=True)
def _stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws: Aws) -> Any:
    """The runs queue their e-mails; the table's stream hands them to the sender, as Lambda would.

    The calendar knows 2027 here (typed as ``tests/unit/test_calendar.py`` types it), so that the mornings
    from 1 October bring no warning about it (``test_calendar_years.py`` is about that one).
    """
    use_catalog_with_years(tmp_path, monkeypatch, ARRANGEMENT_2027)
    _STACK.append(aws)
    yield
    _STACK.clear()


def _skip_seeded_messages() -> None:
    """The e-mails the seeded requests queued (receipts, staff updates) are not these tests' subject:
    the stream moves past them undelivered, so only what a run queues reaches the sender."""
    _STACK[0].stream_records()


def run_monthly(moment: datetime) -> dict[str, Any]:
    from schedules.monthly import lambda_handler

    _skip_seeded_messages()
    report = lambda_handler({"time": at_utc(moment), "detail-type": "Scheduled Event"}, CONTEXT)
    assert _STACK[0].notify_batch()["batchItemFailures"] == []
    return report


def run_digest(moment: datetime) -> dict[str, Any]:
    from schedules.digest import lambda_handler

    _skip_seeded_messages()
    report = lambda_handler({"time": at_utc(moment), "detail-type": "Scheduled Event"}, CONTEXT)
    assert _STACK[0].notify_batch()["batchItemFailures"] == []
    return report


# the monthly run ----------------------------------------------------------------------------------------
REPORT_TIME = local(2026, 12, 1, 8, 0)  # the schedule: 08:00 on the 1st
NOVEMBER_WEEKDAYS = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30]


def seed_november() -> dict[str, Any]:
    """25 repairs, 3 complaints and 2 paid services received in November 2026; returns their references.

    Repairs (minor: done within 8 hours), received at 10:00 on weekdays: R0–R19 contacted and done in
    time (R0–R5 rated satisfied; R6 rated not satisfied, so reopened for rework within 24 hours); R20–R21
    contacted at 18:30 (late) and done late; R22 contacted, never done; R23 a major repair booked after
    hours on 30 November (contact due 1 December 17:30); R24 cancelled at once. R0–R2 are water repairs
    at 3栋 1502; C0 and C1 are complaints about service from the same flat.
    """
    repairs = []
    for i in range(25):
        received = local(2026, 11, NOVEMBER_WEEKDAYS[i % len(NOVEMBER_WEEKDAYS)], 10)
        where = {"building": "3栋", "unit": "1502", "category": "water"} if i < 3 else {"unit": f"{1000 + i}"}
        if i == 23:
            received = local(2026, 11, 30, 20, 0)
            where["size"] = "major"
        repairs.append(submit("repair", received, description=f"第 {i} 号报修：请尽快处理", **where))
        if i < 20:
            act(repairs[i], "acknowledge", received + timedelta(hours=1))
            act(repairs[i], "resolve", received + timedelta(hours=5))
        elif i < 22:
            act(repairs[i], "acknowledge", received + timedelta(hours=8, minutes=30))  # 18:30: late
            act(repairs[i], "resolve", received + timedelta(hours=20))  # late
        elif i == 22:
            act(repairs[i], "acknowledge", received + timedelta(hours=1))  # then nothing: overdue
        elif i == 24:
            act(repairs[i], "cancel", received + timedelta(hours=1), note="住户已自行修好")
    for i in range(6):
        rate(repairs[i], local(2026, 11, NOVEMBER_WEEKDAYS[i], 10) + timedelta(days=2), satisfied=True)
    rate(
        repairs[6], local(2026, 11, 20, 9), satisfied=False, scores=(2, 2, 3)
    )  # reopened: rework due in 24 h

    c0 = submit("complaint", local(2026, 11, 10, 10), building="3栋", unit="1502")
    act(c0, "acknowledge", local(2026, 11, 10, 11))
    act(c0, "resolve", local(2026, 11, 11, 10))
    rate(c0, local(2026, 11, 12, 10), satisfied=True, scores=(4, 4, 4))
    c1 = submit("complaint", local(2026, 11, 16, 10), building="3栋", unit="1502")
    act(c1, "acknowledge", local(2026, 11, 16, 11))  # due 19 Nov 10:00, never done: overdue
    c2 = submit("complaint", local(2026, 11, 30, 19), building="6栋", unit="0606")
    paid = [
        submit("paid-service", local(2026, 11, 30, 19, 10), unit="2001"),
        submit("paid-service", local(2026, 11, 30, 19, 20), unit="2002"),
    ]
    return {"repairs": repairs, "complaints": [c0, c1, c2], "paid": paid}


def selections(references: list[str]) -> dict[str, tuple[bool | None, int]]:
    lobby_store = store()
    stored = {reference: lobby_store.get_request(reference) for reference in references}
    return {ref: (request.follow_up_selected, request.version) for ref, request in stored.items()}


def test_the_monthly_run_samples_last_month_and_mails_the_director_once(aws: Aws) -> None:
    from lobby.sampling import choose_sample, sampling_seed

    seeded = seed_november()
    repairs, (c0, c1, _c2), paid = seeded["repairs"], seeded["complaints"], seeded["paid"]

    report = run_monthly(REPORT_TIME)
    assert report["month"] == "2026-11"
    assert report["mail"] == "queued"
    assert len(ses_messages()) == 1  # and delivered
    assert report["skipped"] == []

    # The sample: 24 repair work orders (the cancelled one is none) → 30 % → 8, chosen as documented.
    chosen = {ref for ref, (selected, _) in selections(repairs).items() if selected}
    seed = sampling_seed(SIGNING_SECRET.encode(), "harbour-view", "repair", "2026-11")
    assert chosen == choose_sample(repairs[:24], 8, seed)
    assert [selections(repairs)[ref][0] for ref in repairs].count(False) == 16
    assert selections([repairs[24]])[repairs[24]][0] is None  # cancelled: not a work order
    assert {selected for selected, _ in selections(paid).values()} == {True}  # fewer than 5: all
    assert {selected for selected, _ in selections([c0, c1]).values()} == {None}  # complaints: all, no sample

    # Exactly one e-mail: to the director of the Service Centre, with the CSV.
    assert len(ses_messages()) == 1
    [message] = raw_mails()
    assert message["To"] == OFFICE_EMAILS["management"]
    assert message["Subject"] == "2026年11月服务统计：收到 30 项，当前逾期 3 项，红色警示 3 项"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "首次联系准时率: 92.0 %（23/25）" in text
    assert "办结准时率: 80.0 %（20/25）" in text
    assert "13800138000" not in message.as_string()

    rows = attachment_rows(message)
    counts = {(r["kind"], r["office"]): r["value"] for r in rows if r["section"] == "count"}
    assert counts == {
        ("repair", "engineering"): "25",
        ("complaint", "service-centre"): "3",
        ("paid-service", "service-centre"): "2",
        ("all", ""): "30",
    }
    figures = {(r["section"], r["kind"], r["metric"]): r["value"] for r in rows if not r["reference"]}
    # first contact: repairs 21 of 23 (R23 is not due yet, R24 was cancelled in time); complaints 2 of 2
    # (C2 and the paid services were booked after hours: not due yet)
    assert figures[("on_time", "repair", "acknowledge_on_time")] == "21"
    assert figures[("on_time", "repair", "acknowledge_measured")] == "23"
    assert figures[("on_time", "complaint", "acknowledge_percent")] == "100.0"
    assert figures[("on_time", "all", "acknowledge_percent")] == "92.0"
    # done on time: repairs 19 of 23 (R6 reopened and past its rework deadline, R20–R22 late; R23 has no
    # fixed clock); complaints 1 of 2 (C1 past its 3 days)
    assert figures[("on_time", "repair", "resolve_on_time")] == "19"
    assert figures[("on_time", "repair", "resolve_measured")] == "23"
    assert figures[("on_time", "all", "resolve_percent")] == "80.0"
    assert figures[("follow_up_coverage", "repair", "required")] == "8"
    assert figures[("follow_up_coverage", "repair", "selected")] == "8"
    assert figures[("follow_up_coverage", "repair", "done")] == "7"
    assert figures[("follow_up_coverage", "repair", "met")] == "no"
    assert figures[("follow_up_coverage", "complaint", "required")] == "1"
    assert figures[("follow_up_coverage", "complaint", "done")] == "1"
    assert figures[("follow_up_coverage", "paid-service", "required")] == "2"
    assert figures[("satisfaction", "all", "rated")] == "8"
    assert figures[("satisfaction", "all", "satisfied")] == "7"
    assert figures[("satisfaction", "all", "satisfied_percent")] == "87.5"

    overdue = {r["reference"] for r in rows if r["section"] == "overdue"}
    assert overdue == {repairs[22], repairs[6], c1}
    flags = {
        (r["section"], r["reference"]) for r in rows if r["section"] in ("repeat_repair", "repeat_complaint")
    }
    assert flags == {("repeat_repair", " ".join(repairs[:3])), ("repeat_complaint", f"{c0} {c1}")}
    failed = [(r["reference"], r["value"]) for r in rows if r["section"] == "failed_follow_up"]
    assert failed == [(repairs[6], "2026-11-20 09:00")]
    assert not any("13800138000" in value or "王小明" in value for row in rows for value in row.values())


def test_running_the_month_again_sends_nothing_and_changes_no_decision(aws: Aws) -> None:
    seeded = seed_november()
    everything = [*seeded["repairs"], *seeded["paid"]]
    run_monthly(REPORT_TIME)
    decided = selections(everything)

    again = run_monthly(REPORT_TIME)
    retried_later = run_monthly(REPORT_TIME + timedelta(hours=3))

    assert again["mail"] == retried_later["mail"] == "already queued"
    assert again["sampled"] == {"repair": 0, "paid-service": 0}
    assert len(ses_messages()) == 1
    assert selections(everything) == decided  # not even a version changed: nothing was rewritten


def test_a_request_that_keeps_changing_is_left_undecided_and_the_next_run_completes_the_sample(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lobby.sampling import choose_sample, sampling_seed
    from lobby.storage import StaleRequest, Store

    seeded = seed_november()
    repairs = seeded["repairs"]
    busy, once = repairs[10], repairs[11]
    original = Store.save_request
    raced: set[str] = set()

    def racing_save(self: Store, before: Any, after: Any) -> None:
        if after.reference == busy or (after.reference == once and once not in raced):
            raced.add(after.reference)
            raise StaleRequest(after.reference)
        original(self, before, after)

    monkeypatch.setattr(Store, "save_request", racing_save)
    report = run_monthly(REPORT_TIME)
    assert report["skipped"] == [busy]
    assert selections([busy])[busy][0] is None
    assert selections([once])[once][0] is not None  # re-read and stored on the second try

    monkeypatch.setattr(Store, "save_request", original)
    rerun = run_monthly(REPORT_TIME + timedelta(hours=1))
    assert rerun["skipped"] == []
    assert rerun["sampled"]["repair"] == 1
    chosen = {ref for ref, (selected, _) in selections(repairs).items() if selected}
    seed = sampling_seed(SIGNING_SECRET.encode(), "harbour-view", "repair", "2026-11")
    assert chosen == choose_sample(repairs[:24], 8, seed)
    assert len(ses_messages()) == 1


# the daily digest ---------------------------------------------------------------------------------------
MONDAY_MORNING = local(2026, 11, 23, 8, 30)


def seed_working_week() -> dict[str, str]:
    """Open work at Engineering and the Service Centre, and follow-ups, as of Monday 23 November 2026."""
    overdue = submit("repair", local(2026, 11, 20, 10), unit="1101")  # minor: due Friday 18:00
    act(overdue, "acknowledge", local(2026, 11, 20, 11))
    due_today = submit(
        "repair", local(2026, 11, 22, 20), unit="1102"
    )  # Sunday evening: eight service hours from Monday 08:00, contact by then too: Monday 16:00
    complaint_open = submit(
        "complaint", local(2026, 11, 20, 10), unit="2201"
    )  # done within 3 days: Monday 10:00
    act(complaint_open, "acknowledge", local(2026, 11, 20, 11))
    follow_up_today = submit("complaint", local(2026, 11, 20, 9), unit="2202")
    act(follow_up_today, "acknowledge", local(2026, 11, 20, 9, 30))
    act(follow_up_today, "resolve", local(2026, 11, 20, 15))  # follow up within 3 days: Monday 15:00
    follow_up_tomorrow = submit("complaint", local(2026, 11, 21, 9), unit="2203")
    act(follow_up_tomorrow, "acknowledge", local(2026, 11, 21, 9, 30))
    act(follow_up_tomorrow, "resolve", local(2026, 11, 21, 14))  # follow up by Tuesday 14:00
    return {
        "overdue": overdue,
        "due_today": due_today,
        "complaint_open": complaint_open,
        "follow_up_today": follow_up_today,
        "follow_up_tomorrow": follow_up_tomorrow,
    }


def test_a_working_morning_sends_one_digest_to_each_office_with_something_to_say(aws: Aws) -> None:
    refs = seed_working_week()
    report = run_digest(MONDAY_MORNING)

    assert report["working_day"] is True
    assert sorted(report["queued"]) == ["engineering", "service-centre"]
    mails = {mail.to[0]: mail for mail in aws.sent()}
    assert set(mails) == {OFFICE_EMAILS["engineering"], OFFICE_EMAILS["service-centre"]}  # none to the quiet

    engineering = mails[OFFICE_EMAILS["engineering"]]
    assert engineering.subject == "【工程维修部】2026年11月23日待办：逾期 1 项，今天到期 1 项，未结共 2 项"
    overdue_part, rest = engineering.html.split("今天到期（1 项）")
    assert refs["overdue"] in overdue_part and "2天14小时" in overdue_part  # due Friday 18:00
    assert refs["due_today"] in rest and "2026年11月23日 16:00" in rest

    service = mails[OFFICE_EMAILS["service-centre"]]
    assert service.subject == (
        "【客户服务中心】2026年11月23日待办：逾期 0 项，今天到期 1 项，未结共 1 项，回访到期 1 项"
    )
    open_part, follow_ups = service.html.split("回访到期（1 项）")
    assert refs["complaint_open"] in open_part
    assert refs["follow_up_today"] in follow_ups and "2026年11月23日 15:00" in follow_ups
    assert refs["follow_up_tomorrow"] not in service.html  # its follow-up is due on Tuesday
    for mail in mails.values():
        assert "13800138000" not in mail.html and "王小明" not in mail.html


def test_running_the_digest_again_the_same_day_sends_nothing_twice(aws: Aws) -> None:
    seed_working_week()
    run_digest(MONDAY_MORNING)
    again = run_digest(MONDAY_MORNING)
    retried = run_digest(MONDAY_MORNING + timedelta(hours=2))
    assert again["queued"] == retried["queued"] == []
    assert sorted(again["already"]) == ["engineering", "service-centre"]
    assert len(aws.sent()) == 2

    tuesday = run_digest(MONDAY_MORNING + timedelta(days=1))  # a new day, a new digest
    assert sorted(tuesday["queued"]) == ["engineering", "service-centre"]
    assert len(aws.sent()) == 4


def test_each_office_gets_its_digest_on_its_own_working_days(aws: Aws) -> None:
    # Engineering serves every day, public holidays included; the management office keeps weekdays and
    # the make-up working days.
    submit("repair", local(2026, 11, 20, 10), unit="1101")
    submit("suggestion", local(2026, 11, 20, 10), unit="1102")
    sunday = run_digest(local(2026, 11, 22, 8, 30))
    assert sunday["working_day"] is True
    assert sunday["queued"] == ["engineering"]
    assert "management" not in sunday["quiet"]  # not asked at all: it does not work on Sundays
    assert [mail.to for mail in aws.sent()] == [[OFFICE_EMAILS["engineering"]]]
    assert "management" in run_digest(local(2026, 11, 23, 8, 30))["queued"]


def test_the_holiday_digest_goes_to_the_offices_that_serve_on_holidays(aws: Aws) -> None:
    submit("repair", local(2026, 9, 30, 10), unit="3303")  # open over the National Day holiday
    submit("suggestion", local(2026, 9, 30, 10), unit="3304")
    national_day = run_digest(local(2026, 10, 1, 8, 30))
    assert national_day["queued"] == ["engineering"]
    back_at_work = run_digest(local(2026, 10, 8, 8, 30))  # the management office's first day back
    assert "management" in back_at_work["queued"]


def test_the_make_up_working_saturday_gets_a_digest(aws: Aws) -> None:
    reference = submit("suggestion", local(2026, 2, 27, 10), unit="4404")
    report = run_digest(local(2026, 2, 28, 8, 30))  # Saturday 28 February 2026 is worked (调休)
    assert report["working_day"] is True
    assert report["queued"] == ["management"]
    [mail] = aws.sent()
    assert mail.to == [OFFICE_EMAILS["management"]]
    assert reference in mail.html
    assert "management" not in run_digest(local(2026, 3, 1, 8, 30))["queued"]  # and Sunday is not


def test_the_digest_names_each_owner_and_the_time_left_and_links_each_card_and_the_queue(aws: Aws) -> None:
    from html import unescape

    refs = seed_working_week()
    run_digest(MONDAY_MORNING)
    engineering = next(mail for mail in aws.sent() if mail.to == [OFFICE_EMAILS["engineering"]])
    html = unescape(engineering.html)

    assert 'href="https://lobby.example/desk/"' in html  # the queue on the desk
    for reference in (refs["overdue"], refs["due_today"]):
        assert f'href="https://lobby.example/desk/requests/{reference}"' in html  # each request's card
    overdue_part, due_today_part = html.split("今天到期（1 项）")
    assert "李师傅（姓名未验证）" in overdue_part  # taken through an e-mailed link: a typed name
    assert "尚无人受理" in due_today_part  # nobody has taken it yet
    assert "剩余时间" in due_today_part
    assert "还剩 7小时" in due_today_part  # contact due 16:00, the digest runs at 08:30 (to the hour)
