"""A repair from start to finish: the resident files it, staff act on it from the office e-mail's links,
the resident follows it on the status page, says the result is not good enough, and the director hears of it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.lobby_pages import (
    Resident,
    fill_repair_form,
    office_mail_for,
    reference_in,
    status_json,
    submit,
)
from tests.e2e.stack import Stack
from views.labels import action_label
from views.wording import status_text

pytestmark = pytest.mark.e2e

# infra/environments/local.yaml: the repair office's director is `management`, whose mail lands here
DIRECTOR = "management@lobby.local"
STAFF_LANG = "zh"  # infra/catalog.yaml: the property's staff language
MAIL_TIMEOUT = 10.0  # seconds; the stream poller delivers within one or two polls


class _Anchors(HTMLParser):
    """Every ``<a href>`` in an e-mail, as (visible text, href), with entities decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.found.append(("".join(self._text).strip(), self._href))
            self._href = None


def links_in(html: str) -> list[tuple[str, str]]:
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return parser.found


def on_stack(url: str) -> str:
    """An e-mailed absolute link (built on SITE_URL) as a path on the stack the test started."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def action_link(mail: dict[str, Any], action: str) -> str:
    label = action_label(action, STAFF_LANG)
    found = [href for text, href in links_in(mail["html"]) if text == label]
    assert len(found) == 1, f"no single {label!r} link in the office e-mail: {links_in(mail['html'])!r}"
    return on_stack(found[0])


def rating_link(mail: dict[str, Any]) -> str:
    found = [href for _, href in links_in(mail["html"]) if "/api/rate/" in href]
    assert len(found) == 1, f"no single rating link in the resident's e-mail: {links_in(mail['html'])!r}"
    return on_stack(found[0])


def confirm(page: Page, actor: str, note: str | None = None) -> None:
    """Staff fill the confirmation form a signed link opens, and press its button."""
    form = page.locator("form.lobby-action-form")
    form.locator("#f-actor").fill(actor)
    if note is not None:
        form.locator("#f-note").fill(note)
    form.locator("button[type=submit]").click()


def look_up_status(page: Page, reference: str, contact: str) -> Any:
    """The resident's status lookup on the handbook's status page; returns the result region."""
    page.goto("/status/")
    page.locator("#f-reference").fill(reference)
    page.locator("#f-contact").fill(contact)
    submit(page, "form.lobby-status-form")
    result = page.locator(".lobby-status-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text(reference)
    return result


def rate_unsatisfied(page: Page, comments: str) -> None:
    """The resident opens the optional details, scores, says what is wrong, and taps "not satisfied"."""
    form = page.locator("form.lobby-rate-form")
    form.locator("details.lobby-details > summary").click()
    for scale, score in (("quality", 2), ("effect", 1), ("attitude", 4)):
        form.locator(f"#f-{scale}-{score}").check()
    form.locator("#f-comments").fill(comments)
    form.locator(".lobby-details button[name=satisfied][value=no]").click()


@pytest.fixture
def staff_page(browser: Browser, lobby: Stack) -> Iterator[Page]:
    """A second browser, the staff member's: no cookies or history shared with the resident's."""
    context = browser.new_context(base_url=lobby.base_url, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_repair_is_acknowledged_resolved_and_reopened_by_an_unsatisfied_resident(
    page: Page, staff_page: Page, lobby: Stack
) -> None:
    token = secrets.token_hex(4)
    resident = Resident(email=f"wang.{token}@example.com")
    staff_name = f"李师傅{token}"
    resolution_note = f"已更换水龙头阀芯，试水正常（{token}）。"
    complaint = f"换完第二天又开始滴水（{token}）。"

    # The resident files the repair from the handbook page.
    page.goto("/repair/")
    fill_repair_form(page, resident)
    submit(page)
    receipt = page.locator(".lobby-receipt")
    expect(receipt).to_be_visible()
    reference = reference_in(receipt.inner_text())

    # Staff open the acknowledge link from the office e-mail: the page shows the request, nothing changes yet.
    office_mail = lobby.wait_for_mail(office_mail_for(reference), timeout=MAIL_TIMEOUT)
    staff_page.goto(action_link(office_mail, "acknowledge"))
    expect(staff_page.locator("h1")).to_contain_text(action_label("acknowledge", STAFF_LANG))
    summary = staff_page.locator("dl.lobby-facts")
    expect(summary).to_contain_text(reference)
    expect(summary).to_contain_text(resident.description)
    assert status_json(lobby, reference, resident.phone)["status"] == "received"

    confirm(staff_page, staff_name)
    done = staff_page.locator(".lobby-receipt")
    expect(done).to_contain_text(f"已完成：{action_label('acknowledge', STAFF_LANG)}")
    expect(done).to_contain_text(status_text("acknowledged", STAFF_LANG))

    # From the done page, the same person marks it done, with a note for the resident.
    staff_page.get_by_role("link", name=action_label("resolve", STAFF_LANG), exact=True).click()
    expect(staff_page.locator("h1")).to_contain_text(action_label("resolve", STAFF_LANG))
    # The browser remembered who confirmed the last action.
    expect(staff_page.locator("form.lobby-action-form #f-actor")).to_have_value(staff_name)
    confirm(staff_page, staff_name, resolution_note)
    done = staff_page.locator(".lobby-receipt")
    expect(done).to_contain_text(f"已完成：{action_label('resolve', STAFF_LANG)}")
    expect(done).to_contain_text(status_text("resolved", STAFF_LANG))

    # The resident sees who took it and what was done, in order.
    result = look_up_status(page, reference, resident.phone)
    expect(result).to_contain_text(status_text("resolved", "zh"))
    expect(result).to_contain_text(staff_name)  # the owner
    events = result.locator(".lobby-timeline li")
    expect(events).to_have_count(3)  # submitted, acknowledged, resolved
    expect(events.nth(1)).to_contain_text(staff_name)
    expect(events.nth(2)).to_contain_text(resolution_note)

    # The resolution e-mail asks for a rating; the resident is not satisfied.
    resolved_mail = lobby.wait_for_mail(
        lambda mail: (
            resident.email in mail["to"] and reference in mail["subject"] and "/api/rate/" in mail["html"]
        ),
        timeout=MAIL_TIMEOUT,
    )
    page.goto(rating_link(resolved_mail))
    expect(page.locator("h1")).to_contain_text("为服务评分")
    rate_unsatisfied(page, complaint)
    thanks = page.locator(".lobby-receipt")
    expect(thanks).to_contain_text("感谢您的评价")
    expect(thanks).to_contain_text("重新打开")

    # The status page now says it is reopened, with the resident's complaint in the timeline.
    result = look_up_status(page, reference, resident.phone)
    expect(result).to_contain_text(status_text("reopened", "zh"))
    events = result.locator(".lobby-timeline li")
    expect(events).to_have_count(4)
    expect(events.nth(3)).to_contain_text(complaint)
    assert status_json(lobby, reference, resident.phone)["status"] == "reopened"

    # The director is told, and the alert carries the resident's words.
    alert = lobby.wait_for_mail(
        lambda mail: DIRECTOR in mail["to"] and reference in mail["subject"] and "不满意" in mail["subject"],
        timeout=MAIL_TIMEOUT,
    )
    assert complaint in alert["text"] or complaint in alert["html"], alert
