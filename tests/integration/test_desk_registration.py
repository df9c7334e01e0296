"""Registering a request received by phone, in person, by letter or from a government body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lobby.catalog import load_catalog
from lobby.deadlines import promise
from lobby.requests import parse_iso
from tests.integration.conftest import REGION, Aws, repair_fields
from tests.integration.desk_client import EMAIL, Browser, install_roster, signed_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    install_roster(monkeypatch)
    return aws


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _form(browser: Browser, received: datetime, **overrides: str) -> dict[str, str]:
    page = browser.get("/desk/new", {"kind": "repair"})
    assert page.status == 200
    fields = {key: value for key, value in repair_fields().items() if key != "website"}
    fields.update(
        {"csrf": browser.csrf(page), "kind": "repair", "channel": "phone", "received_at": _local(received)}
    )
    fields.update(overrides)
    return fields


def _requests(aws: Aws) -> list[dict[str, object]]:
    from lobby.storage import from_item

    return [from_item(item) for item in aws.requests()]


def test_a_phone_repair_received_twenty_minutes_ago_runs_from_then_and_names_its_receiver(desk: Aws) -> None:
    clerk = signed_in(desk, "李明")
    received = (datetime.now(UTC) - timedelta(minutes=20)).replace(second=0, microsecond=0)
    done = clerk.post("/desk/new", _form(clerk, received))
    assert done.status == 303, done.text
    [stored] = _requests(desk)
    reference = str(stored["reference"])
    assert done.headers["Location"] == f"/desk/requests/{reference}?done=registered"
    assert stored["office"] == "engineering" and stored["channel"] == "phone"
    assert stored["receiver"] == "李明" and stored["receiver_email"] == EMAIL["李明"]
    assert parse_iso(str(stored["received_at"])) == received
    catalog = load_catalog()
    _, due = promise(catalog, catalog.kinds["repair"], {"size": "minor"}, received)
    assert parse_iso(str(stored["resolve_due"])) == due

    assert reference in clerk.get("/desk/", {"filter": "mine"}).text  # the receiver follows it
    assert reference not in clerk.get("/desk/").text  # it is engineering's, not the service centre's
    card = clerk.get(f"/desk/requests/{reference}", {"done": "registered"})
    assert card.status == 200 and "已登记" in card.text and "电话" in card.text

    engineer = signed_in(desk, "王强")
    assert reference in engineer.get("/desk/").text

    desk.notify_batch()
    [receipt] = [mail for mail in desk.sent() if mail.to == ["resident@example.com"]]
    assert "李明" in receipt.html and "首问负责人" in receipt.html


@pytest.mark.parametrize(
    ("shift", "words"),
    [(timedelta(hours=2), "不能晚于现在"), (timedelta(days=-8), "不能早于")],
)
def test_a_received_time_in_the_future_or_over_a_week_back_is_refused(
    desk: Aws, shift: timedelta, words: str
) -> None:
    clerk = signed_in(desk, "李明")
    answer = clerk.post("/desk/new", _form(clerk, datetime.now(UTC) + shift))
    assert answer.status == 422 and words in answer.text
    assert 'value="厨房水龙头一直滴水，关不紧。"' in answer.text or "厨房水龙头一直滴水" in answer.text
    assert _requests(desk) == []


def test_missing_fields_consent_and_channel_are_told_in_the_staff_members_language(desk: Aws) -> None:
    clerk = signed_in(desk, "李明", lang="en")
    form = _form(clerk, datetime.now(UTC), channel="fax", phone="", consent="")
    answer = clerk.post("/desk/new", form)
    assert answer.status == 422
    for words in ("Select how the request reached us", "Explain the privacy notice", "phone"):
        assert words in answer.text
    assert _requests(desk) == []


def test_a_request_forwarded_by_a_government_body_goes_to_the_general_managers_office(desk: Aws) -> None:
    clerk = signed_in(desk, "李明")
    answer = clerk.post(
        "/desk/new", _form(clerk, datetime.now(UTC) - timedelta(hours=1), channel="government")
    )
    assert answer.status == 303
    [stored] = _requests(desk)
    assert stored["office"] == "general-manager" and stored["channel"] == "government"
    gm = signed_in(desk, "郑华")
    assert str(stored["reference"]) in gm.get("/desk/").text


def test_a_registration_from_another_origin_or_without_the_token_stores_nothing(desk: Aws) -> None:
    clerk = signed_in(desk, "李明")
    form = _form(clerk, datetime.now(UTC))
    other = clerk.post("/desk/new", form, headers={"origin": "https://evil.example"})
    tokenless = clerk.post("/desk/new", {key: value for key, value in form.items() if key != "csrf"})
    assert other.status == tokenless.status == 403
    assert _requests(desk) == []


def test_registering_twice_by_a_double_click_stores_one_request(desk: Aws) -> None:
    clerk = signed_in(desk, "李明")
    form = _form(clerk, datetime.now(UTC) - timedelta(minutes=5))
    first, second = clerk.post("/desk/new", form), clerk.post("/desk/new", form)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_requests(desk)) == 1


def test_the_registration_form_carries_the_kinds_own_fields(desk: Aws) -> None:
    clerk = signed_in(desk, "李明")
    choices = clerk.get("/desk/new")
    assert choices.status == 200 and "?kind=repair" in choices.body and "?kind=complaint" in choices.body
    page = clerk.get("/desk/new", {"kind": "repair"})
    for field in ("category", "size", "phone", "building", "unit", "description", "received_at", "channel"):
        assert f'name="{field}"' in page.body
    assert 'type="datetime-local"' in page.body


@pytest.fixture
def daytime(desk: Aws, clock_at: Callable[[str], datetime]) -> Aws:
    """Noon in Shanghai, outside the texts' quiet hours, for the desk, the API and the sender alike."""
    clock_at(datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0).isoformat())
    return desk


def _texts() -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def test_the_form_asks_how_the_resident_on_the_phone_wants_to_hear_from_us(desk: Aws) -> None:
    page = signed_in(desk, "李明").get("/desk/new", {"kind": "repair"}).text
    for choice in ("text", "email", "both"):
        assert f'name="notify_by" value="{choice}"' in page or f'value="{choice}" name="notify_by"' in page
    assert "进展通知方式" in page and "短信和电子邮件" in page


@pytest.mark.parametrize(
    ("notify_by", "email", "texted", "emailed"),
    [
        ("text", "", True, False),
        ("both", "resident@example.com", True, True),
        ("email", "resident@example.com", False, True),
    ],
)
def test_staff_record_the_residents_choice_and_the_updates_follow_it(
    daytime: Aws, notify_by: str, email: str, texted: bool, emailed: bool
) -> None:
    from lobby import clock

    clerk = signed_in(daytime, "李明")
    received = clock.now() - timedelta(minutes=10)
    answer = clerk.post("/desk/new", _form(clerk, received, notify_by=notify_by, email=email))
    assert answer.status == 303, answer.text
    [stored] = _requests(daytime)
    assert dict(stored["fields"])["notify_by"] == notify_by  # type: ignore[call-overload]

    daytime.notify_batch()
    texts = [text for number, text in _texts() if number == "+8613800138000"]
    receipts = [mail for mail in daytime.sent() if mail.to == ["resident@example.com"]]
    assert bool(texts) is texted and bool(receipts) is emailed
    if texted:
        assert "已收到" in texts[0] and len(texts) == 1


def test_a_text_choice_without_a_mobile_number_is_refused_in_the_staff_members_words(desk: Aws) -> None:
    clerk = signed_in(desk, "李明", lang="en")
    form = _form(clerk, datetime.now(UTC) - timedelta(minutes=5), phone="010-65123456", notify_by="text")
    answer = clerk.post("/desk/new", form)
    assert answer.status == 422 and "mobile" in answer.text
    assert _requests(desk) == []
