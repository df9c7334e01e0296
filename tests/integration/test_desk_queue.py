"""The desk's queue, search, company view and request card, with permissions across offices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lobby import clock
from tests.integration.conftest import Aws, post_json, repair_fields
from tests.integration.desk_client import install_roster, signed_in

# A Wednesday, 09:00 at the property: office hours on a working day, so the deadlines these tests
# count on do not move with the hour or the weekday the suite happens to run.
OFFICE_HOURS = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture
def desk(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    install_roster(monkeypatch)
    return aws


def _repair(**fields: str) -> str:
    answer = post_json("/api/requests/repair", repair_fields(**fields))
    assert answer.status == 201, answer.body
    return str(answer.json()["reference"])


def _complaint() -> str:
    fields = {
        "category": "service",
        "name": "陈女士",
        "phone": "13900001234",
        "building": "5栋",
        "unit": "0801",
        "description": "前台接待态度不好，说话很不耐烦。",
        "consent": "yes",
        "lang": "zh",
    }
    answer = post_json("/api/requests/complaint", fields)
    assert answer.status == 201, answer.body
    return str(answer.json()["reference"])


def _stored(aws: Aws, reference: str) -> dict[str, object]:
    from lobby.storage import from_item

    [item] = [item for item in aws.requests() if item["reference"]["S"] == reference]
    return from_item(item)


def test_the_queue_lists_the_offices_open_requests_overdue_first_and_marked(desk: Aws) -> None:
    clock.set_time(OFFICE_HOURS)
    try:
        early = _repair(description="卫生间地漏堵塞，水排不下去。", size="minor")
        clock.set_time(OFFICE_HOURS + timedelta(hours=20))
        late = _repair(description="阳台灯不亮了，换了灯泡也没用。", size="medium", unit="0302")
        _complaint()  # the service centre's, not engineering's
        engineer = signed_in(desk, "王强")
        page = engineer.get("/desk/")
    finally:
        clock.set_time(None)
    assert page.status == 200
    text = page.text
    assert early in text and late in text
    assert text.index(early) < text.index(late)  # overdue first
    assert "已超时" in text and "还剩" in text
    assert "3栋 1502" in text and "尚无人受理" in text and "已收到" in text
    assert text.count("desk-row--overdue") == 1
    assert "投诉" not in text.split("<h2>", 1)[1]  # another office's request is not listed


def test_a_card_shows_what_the_resident_gave_with_phone_links_and_the_actions(desk: Aws) -> None:
    reference = _repair(phone_alt="0755-2688 1234")
    engineer = signed_in(desk, "王强")
    card = engineer.get(f"/desk/requests/{reference}")
    assert card.status == 200
    assert 'href="tel:13800138000"' in card.body and 'href="tel:075526881234"' in card.body
    assert "厨房水龙头一直滴水" in card.text and "王小明" in card.text
    assert "受理时限" in card.text and "办理时限" in card.text
    assert card.body.count('name="csrf"') >= 4  # every action's form, and sign-out
    for label in ("受理（我来负责）", "转派其他部门", "添加备注", "取消诉求"):
        assert label in card.text


def test_taking_starting_and_resolving_from_the_card_records_the_signed_in_person(desk: Aws) -> None:
    reference = _repair()
    engineer = signed_in(desk, "王强")
    path = f"/desk/requests/{reference}"
    token = engineer.csrf(engineer.get(path))
    taken = engineer.post(path, {"csrf": token, "action": "acknowledge", "actor": "冒名者"})
    assert taken.status == 303 and taken.headers["Location"] == f"{path}?done=acknowledge"
    assert _stored(desk, reference)["owner"] == "王强"  # never the typed name
    mine = engineer.get("/desk/", {"filter": "mine"})
    assert reference in mine.text
    assert reference not in engineer.get("/desk/", {"filter": "unassigned"}).text
    assert engineer.post(path, {"csrf": token, "action": "start"}).status == 303
    resolved = engineer.post(path, {"csrf": token, "action": "resolve", "note": "已更换阀芯，不再滴水。"})
    assert resolved.status == 303
    stored = _stored(desk, reference)
    assert stored["status"] == "resolved"
    events = [
        item
        for item in desk.items()
        if item["SK"]["S"].startswith("EVENT#") and item["reference"]["S"] == reference
    ]
    verified = [item for item in events if item.get("data", {}).get("M", {}).get("verified")]
    assert len(verified) == 3 and all(item["actor"]["S"] == "王强" for item in verified)
    card = engineer.get(path)
    assert "已更换阀芯" in card.text and "王强" in card.text


def test_an_action_the_state_does_not_allow_or_without_its_note_changes_nothing(desk: Aws) -> None:
    reference = _repair()
    engineer = signed_in(desk, "王强", lang="en")
    path = f"/desk/requests/{reference}"
    token = engineer.csrf(engineer.get(path))
    illegal = engineer.post(path, {"csrf": token, "action": "resolve", "note": "done"})
    missing = engineer.post(path, {"csrf": token, "action": "cancel", "note": ""})
    assert illegal.status == 409 and missing.status == 422
    assert "Enter" in missing.text or "note" in missing.text.lower()
    assert _stored(desk, reference)["status"] == "received"


def test_another_offices_request_is_forbidden_with_a_clear_page(desk: Aws) -> None:
    complaint = _complaint()
    engineer = signed_in(desk, "王强", lang="en")
    path = f"/desk/requests/{complaint}"
    shown = engineer.get(path)
    assert shown.status == 403 and "belongs to another office" in shown.text
    token = engineer.csrf(engineer.get("/desk/"))
    acted = engineer.post(path, {"csrf": token, "action": "acknowledge"})
    assert acted.status == 403
    assert _stored(desk, complaint)["status"] == "received"
    searched = engineer.post("/desk/", {"csrf": token, "q": complaint})
    assert "Results: 0" in searched.text and f"/desk/requests/{complaint}" not in searched.body


def test_the_director_and_the_company_see_every_office(desk: Aws) -> None:
    repair, complaint = _repair(), _complaint()
    for name in ("刘洋", "吴敏", "郑华"):
        browser = signed_in(desk, name)
        assert browser.get(f"/desk/requests/{complaint}").status == 200
        company = browser.get("/desk/company")
        assert company.status == 200 and repair in company.text and complaint in company.text
    clerk = signed_in(desk, "李明", lang="en")
    refused = clerk.get("/desk/company")
    assert refused.status == 403 and "company view is for" in refused.text


def test_the_company_view_puts_every_offices_overdue_requests_first(desk: Aws) -> None:
    clock.set_time(OFFICE_HOURS)
    try:
        complaint = _complaint()
        clock.set_time(OFFICE_HOURS + timedelta(days=2))
        repair = _repair()
        page = signed_in(desk, "刘洋").get("/desk/company")
    finally:
        clock.set_time(None)
    assert page.text.index(complaint) < page.text.index(repair)
    assert "超时诉求：1 条" in page.text


def test_search_by_reference_flat_or_the_last_four_digits_of_a_phone(desk: Aws) -> None:
    first = _repair()
    second = _repair(unit="0302", phone="13700009876", description="楼道灯坏了。")
    engineer = signed_in(desk, "王强")
    token = engineer.csrf(engineer.get("/desk/"))
    by_phone = engineer.post("/desk/", {"csrf": token, "q": "9876"})
    by_flat = engineer.post("/desk/", {"csrf": token, "q": "3栋 1502"})
    by_reference = engineer.post("/desk/", {"csrf": token, "q": first})
    assert second in by_phone.text and first not in by_phone.text
    assert first in by_flat.text and second not in by_flat.text
    assert first in by_reference.text and second not in by_reference.text
    assert engineer.post("/desk/", {"q": "9876"}).status == 403  # a search needs the token too
