"""A long-term paid-service agreement, end to end on the moved clock (as ``POST /_local/clock`` moves it): booked
through the API, taken and resolved from the office's e-mail, then followed up halfway through its term and
after its end (seeds 002 and 004), each visit reminded by the reminder schedule and recorded from its link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from tests.integration.conftest import (
    OFFICE_EMAILS,
    Aws,
    SentMail,
    call_api,
    http_event,
    post_form,
    post_json,
)
from tests.integration.test_promises import Schedules

SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVICE = OFFICE_EMAILS["service-centre"]
LINK = re.compile(r'<a [^>]*href="(?:https://lobby\.example)?(/api/actions/[^"]+)"[^>]*>([^<]+)</a>')


def booking(agreement: str) -> dict[str, str]:
    return {
        "service": "deep-clean",
        "agreement": agreement,
        "preferred_date": "2026-11-28",
        "name": "王小明",
        "phone": "13800138000",
        "email": "resident@example.com",
        "building": "3栋",
        "unit": "1502",
        "description": "每周六上午做一次家居保洁。",
        "consent": "yes",
        "website": "",
        "lang": "zh",
    }


def links(html: str) -> dict[str, str]:
    """Action label → path, from an e-mail or a page."""
    return {unescape(label).strip(): urlparse(unescape(path)).path for path, label in LINK.findall(html)}


class Desk(Schedules):
    """The moved clock, the reminder schedule run at it, the office's links, and the e-mails each step caused."""

    def __init__(self, aws: Aws, clock_at: Callable[[str], datetime]) -> None:
        super().__init__(aws)
        self.clock_at = clock_at

    def reminders_at(self, local: str) -> list[SentMail]:
        # The sender signs the e-mail's links at this time too.
        return self.reminders(self.clock_at(f"{local}+08:00"))

    def act(self, local: str, path: str, fields: dict[str, str]) -> str:
        self.clock_at(f"{local}+08:00")
        answer = post_form(path, fields)
        assert answer.status == 200, answer.body
        return answer.body

    def book(self, agreement: str, resolved: str) -> str:
        """A booking filed on Thursday 26 November at 10:00, taken at once, resolved at ``resolved``."""
        self.clock_at("2026-11-26T10:00:00+08:00")
        filed = post_json("/api/requests/paid-service", booking(agreement))
        assert filed.status == 201, filed.body
        self.receipt: dict[str, Any] = filed.json()
        [office] = [mail for mail in self.settle() if mail.to == [SERVICE]]
        taken = self.act("2026-11-26 10:30", links(office.html)["受理（我来负责）"], {"actor": "张敏"})
        self.act(resolved, links(taken)["已处理完毕"], {"actor": "张敏", "note": "协议已签订，首次保洁完成"})
        return str(filed.json()["reference"])


def status(reference: str) -> dict[str, Any]:
    answer = post_json("/api/status", {"reference": reference, "contact": "13800138000", "lang": "zh"})
    assert answer.status == 200
    return answer.json()  # type: ignore[no-any-return]


def stored(reference: str) -> Any:
    from lobby.catalog import load_catalog
    from lobby.service import open_store
    from lobby.settings import get_settings

    request = open_store(load_catalog(), get_settings()).get_request(reference)
    assert request is not None
    return request


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_a_six_month_agreement_is_followed_up_halfway_through_and_after_it_ends(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    desk = Desk(aws, clock_at)
    reference = desk.book("long-term-6", resolved="2026-11-27 15:00")
    desk.settle()
    # The term counts from 27 November: 181 days to 27 May 2027, halfway on day 90.
    request = stored(reference)
    assert request.status == "resolved" and local(request.follow_up_due) == "2027-02-25 15:00"
    final_by = [local(due) for due in request.follow_ups_after]
    assert final_by == ["2027-06-03 15:00"]  # within 7 days of the end

    assert desk.reminders_at("2026-12-04 15:00") == []  # no one-off follow-up a week after completion
    assert desk.reminders_at("2027-02-24 14:59") == []
    [halfway] = desk.reminders_at("2027-02-24 15:00")  # a day ahead of the halfway visit
    assert halfway.to == [SERVICE]
    assert "2027年2月25日 15:00" in halfway.html
    assert "长期服务协议（6 个月）中期回访" in halfway.html

    record = links(halfway.html)["记录回访结果"]
    page = call_api(http_event("GET", record))
    assert page.status == 200 and 'name="satisfied"' in page.body
    assert "长期服务协议（6 个月）中期回访" in unescape(page.body)  # the page says which visit it records
    answers = {"actor": "客服小陈", "quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes"}
    desk.act("2027-02-25 10:00", record, answers)
    after_halfway = stored(reference)
    assert after_halfway.status == "resolved"  # the agreement runs on: one more visit
    assert local(after_halfway.follow_up_due) == "2027-06-03 15:00" and after_halfway.follow_ups_after == ()
    assert status(reference)["history"][-1]["text"] == "协议中期已回访您；协议结束后我们会再回访一次"

    desk.settle()
    assert desk.reminders_at("2027-02-26 15:00") == []  # the halfway visit is recorded: no more about it
    assert desk.reminders_at("2027-06-02 14:00") == []
    [final] = desk.reminders_at("2027-06-02 15:00")
    assert final.to == [SERVICE] and "长期服务协议（6 个月）结束后的回访" in final.html
    desk.act("2027-06-03 09:00", links(final.html)["记录回访结果"], answers)
    assert stored(reference).status == "closed"
    assert status(reference)["history"][-1]["text"] == "已完成回访，诉求办结"


def test_a_one_off_booking_keeps_its_single_follow_up(aws: Aws, clock_at: Callable[[str], datetime]) -> None:
    desk = Desk(aws, clock_at)
    reference = desk.book("one-off", resolved="2026-11-27 15:00")
    assert desk.receipt["next_steps"][-1] == "处理完毕后，我们会请您为这次服务评分，并可能回访。"
    request = stored(reference)
    assert local(request.follow_up_due) == "2026-12-04 15:00" and request.follow_ups_after == ()
    assert request.follow_up_selected is None  # the monthly sample decides whether it is visited


def test_the_residents_own_rating_keeps_the_agreements_visits(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    desk = Desk(aws, clock_at)
    reference = desk.book("long-term-12", resolved="2026-11-26 16:00")
    assert "我们会在协议中期和协议结束后各回访您一次" in desk.receipt["next_steps"][-1]
    [resolved] = [
        mail for mail in desk.settle() if mail.to == ["resident@example.com"] and "/api/rate/" in mail.html
    ]
    [rate] = re.findall(r'href="https://lobby\.example(/api/rate/[^"]+)"', resolved.html)
    clock_at("2026-11-27T09:00:00+08:00")
    thanks = post_form(unescape(rate), {"satisfied": "yes", "quality": "5"})
    assert thanks.status == 200
    assert "下一次回访在 2027年5月27日 16:00 前" in unescape(thanks.body)  # day 182 of 365
    request = stored(reference)
    assert request.status == "resolved" and request.rating["satisfied"] is True
    assert [local(due) for due in request.follow_ups_after] == ["2027-12-03 16:00"]
