"""The office's desk in a browser: a clerk signs in through the link in the outbox and registers a phone
repair received 20 minutes ago; an engineer signs in, takes it, finds it under "mine", starts and resolves
it from the card; the resident's e-mails name the receiver; the director's company view shows an overdue
request once the stack's clock has moved on."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from lobby.catalog import load_catalog
from lobby.deadlines import promise
from tests.e2e.lobby_pages import Resident, reference_in, submit_json
from tests.e2e.stack import Stack
from views.labels import action_label
from views.wording import local_time, status_text

pytestmark = pytest.mark.e2e

LANG = "zh"  # the browsers ask for Chinese (locale zh-CN)
SIGN_IN = "/desk/sign-in/"


def _staff(lobby: Stack, role: str, office: str) -> dict[str, str]:
    roster = lobby.get("/_local/staff.json").json()
    assert all(set(person) == {"name", "email", "office", "role"} for person in roster)
    return next(person for person in roster if person["role"] == role and person["office"] == office)


def _stack_now(lobby: Stack) -> datetime:
    return datetime.fromisoformat(lobby.get("/_local/clock").json()["time"].replace("Z", "+00:00"))


@contextmanager
def _browser(browser: Browser, lobby: Stack) -> Iterator[Page]:
    context = browser.new_context(
        base_url=lobby.base_url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _sign_in(page: Page, lobby: Stack, person: dict[str, str]) -> None:
    """Ask for a link at /desk/sign-in, open the newest one the outbox holds for this person, use it."""
    before = sum(1 for mail in lobby.outbox() if person["email"] in mail["to"])
    page.goto("/desk/sign-in")
    page.locator("#f-email").fill(person["email"])
    page.locator("form.lobby-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("请查收邮件")

    def newest() -> dict[str, Any] | None:
        mails = [mail for mail in lobby.outbox() if person["email"] in mail["to"]]
        return mails[-1] if len(mails) > before else None

    mail = lobby.wait_for_mail(lambda _: newest() is not None, timeout=10)
    mail = newest() or mail
    [link] = [
        part.split('"')[0] for part in mail["html"].split('href="')[1:] if SIGN_IN in part.split('"')[0]
    ][:1]
    parts = urlsplit(link)
    page.goto(parts.path)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".desk-menu")).to_contain_text(person["name"])


def _act(page: Page, action: str, note: str | None = None) -> None:
    label = action_label(action, LANG)
    if note is None:
        page.locator("form.desk-action", has=page.locator(f"input[value={action}]")).get_by_role(
            "button", name=label
        ).click()
    else:
        more = page.locator("details.desk-action-more", has=page.locator(f"input[value={action}]"))
        more.locator("summary").click()
        more.locator("textarea[name=note]").fill(note)
        more.get_by_role("button", name=label).click()
    expect(page.locator(".lobby-notice")).to_contain_text(label)


def _mails_to(lobby: Stack, address: str) -> Callable[[], list[dict[str, Any]]]:
    return lambda: [mail for mail in lobby.outbox() if address in mail["to"]]


def test_a_phone_repair_goes_from_the_clerk_to_the_engineer_and_the_director_sees_what_is_late(
    browser: Browser, lobby: Stack
) -> None:
    clerk = _staff(lobby, "clerk", "service-centre")
    engineer = _staff(lobby, "engineer", "engineering")
    director = _staff(lobby, "director", "management")
    resident = Resident(email=f"desk.{secrets.token_hex(4)}@example.com")
    catalog = load_catalog()

    # The clerk signs in and registers the call taken 20 minutes ago.
    received = (_stack_now(lobby) - timedelta(minutes=20)).replace(second=0, microsecond=0)
    with _browser(browser, lobby) as page:
        _sign_in(page, lobby, clerk)
        page.get_by_role("link", name="登记诉求").first.click()
        page.locator("a[href='/desk/new?kind=repair']").click()
        form = page.locator("form.desk-new")
        form.locator("input[name=channel][value=phone]").check()
        form.locator("#f-received_at").fill(received.astimezone(catalog_zone()).strftime("%Y-%m-%dT%H:%M"))
        form.locator("#f-category").select_option("water")
        form.locator("input[name=size][value=minor]").check()
        form.locator("#f-name").fill(resident.name)
        form.locator("#f-phone").fill(resident.phone)
        form.locator("#f-email").fill(resident.email)
        form.locator("#f-building").fill(resident.building)
        form.locator("#f-unit").fill(resident.unit)
        form.locator("#f-description").fill(resident.description)
        form.locator("#f-consent").check()
        form.get_by_role("button", name="登记").click()
        expect(page.locator(".lobby-notice")).to_contain_text("已登记")
        reference = reference_in(page.locator("h1").inner_text())

    # Both deadlines count from the call, not from the typing: contact today, done within 8 service hours.
    contact_by, done_by = promise(catalog, catalog.kinds["repair"], {"size": "minor"}, received)

    # The engineer finds it in engineering's queue, due by the time counted from the call.
    with _browser(browser, lobby) as page:
        _sign_in(page, lobby, engineer)
        row = page.locator("li.desk-row", has=page.get_by_role("link", name=reference))
        expect(row).to_contain_text(local_time(catalog, contact_by, LANG))
        expect(row).to_contain_text("尚无人受理")
        row.get_by_role("link", name=reference).click()
        facts = page.locator("table.desk-facts").first
        expect(facts).to_contain_text(local_time(catalog, received, LANG))
        expect(facts).to_contain_text(local_time(catalog, done_by, LANG))
        expect(facts).to_contain_text(clerk["name"])
        _act(page, "acknowledge")
        page.goto("/desk/?filter=mine")
        mine = page.locator("li.desk-row", has=page.get_by_role("link", name=reference))
        expect(mine).to_contain_text(engineer["name"])
        mine.get_by_role("link", name=reference).click()
        _act(page, "start")
        _act(page, "resolve", note="已更换阀芯，试水正常。")
        expect(page.locator(".desk-state")).to_contain_text(status_text("resolved", LANG))

    # Every e-mail the resident got names the clerk who took the call.
    mails = _mails_to(lobby, resident.email)
    lobby.wait_for_mail(lambda mail: resident.email in mail["to"] and len(mails()) >= 3, timeout=10)
    assert len(mails()) >= 3
    for mail in mails():
        assert clerk["name"] in mail["text"], mail["subject"]

    # Two days on, an open repair nobody took is overdue, and the director's company view leads with it.
    late = submit_json(lobby, "repair", Resident().repair_fields())["reference"]
    moved = lobby.post_json("/_local/clock", {"time": (_stack_now(lobby) + timedelta(days=2)).isoformat()})
    assert moved.status == 200, moved.text
    try:
        with _browser(browser, lobby) as page:
            _sign_in(page, lobby, director)
            page.get_by_role("link", name="全公司视图").click()
            row = page.locator("li.desk-row", has=page.get_by_role("link", name=late))
            expect(row).to_have_class("desk-row desk-row--overdue")
            expect(row).to_contain_text("已超时")
            expect(page.locator("li.desk-row").first).to_have_class("desk-row desk-row--overdue")
    finally:
        lobby.post_json("/_local/clock", {"time": None})


def catalog_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(load_catalog().property.time_zone)
