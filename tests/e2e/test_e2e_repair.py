"""A resident files a repair from the handbook page, with and without JavaScript, in Chinese and English."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.lobby_pages import (
    REFERENCE,
    Resident,
    drain,
    fill_repair_form,
    office_mail_for,
    reference_in,
    status_json,
    stored_request_count,
    submit,
)
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")
REQUIRED_REPAIR_FIELDS = ("category", "name", "phone", "building", "unit", "description", "consent")


def test_repair_with_javascript_shows_the_reference_and_mails_the_office(page: Page, lobby: Stack) -> None:
    resident = Resident()
    page.goto("/repair/")
    fill_repair_form(page, resident)
    submit(page)

    receipt = page.locator(".lobby-receipt")
    expect(receipt).to_contain_text(REFERENCE)
    assert page.url == lobby.url("/repair/")  # answered in place, by the page's script
    reference = reference_in(receipt.inner_text())
    stored = status_json(lobby, reference, resident.phone)
    expect(receipt).to_contain_text(stored["due_text"])

    mail = lobby.wait_for_mail(office_mail_for(reference), timeout=2)
    assert resident.description in mail["text"]


def test_repair_without_javascript_gets_the_receipt_page(page_without_js: Page, lobby: Stack) -> None:
    page = page_without_js
    resident = Resident()
    page.goto("/repair/")
    fill_repair_form(page, resident)
    submit(page)

    page.wait_for_url("**/api/requests/repair")
    receipt = page.locator(".lobby-receipt")
    expect(receipt).to_contain_text(REFERENCE)
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    reference = reference_in(receipt.inner_text())
    expect(receipt).to_contain_text(status_json(lobby, reference, resident.phone)["due_text"])
    lobby.wait_for_mail(office_mail_for(reference), timeout=2)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_empty_repair_form_lists_every_answer_needed_and_stores_nothing(
    request: pytest.FixtureRequest, lobby: Stack, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    drain(lobby)
    requests_before, mails_before = stored_request_count(lobby), len(lobby.outbox())

    page.goto("/repair/")
    submit(page)

    summary = page.locator(".lobby-error-summary")
    expect(summary).to_be_visible()
    for field in REQUIRED_REPAIR_FIELDS:
        expect(summary.locator(f'a[href="#f-{field}"]')).to_have_count(1)
        expect(page.locator(f"#f-{field}-error")).to_be_visible()
    expect(page.locator("#f-email-error")).to_have_count(0)  # optional fields are not in error
    if javascript:
        summary.locator('a[href="#f-phone"]').click()
        expect(page.locator("#f-phone")).to_be_focused()

    assert stored_request_count(lobby) == requests_before
    barrier = drain(lobby)  # every e-mail the empty form could have caused has arrived by now
    # E-mails only: the offices' group robots get their own cards, which may land after the barrier's e-mail.
    new_mails = [mail for mail in lobby.outbox()[mails_before:] if mail["channel"] == "email"]
    assert new_mails
    assert all(barrier in mail["subject"] for mail in new_mails), [mail["subject"] for mail in new_mails]


def test_english_repair_gets_an_english_receipt_and_mails_the_resident(page: Page, lobby: Stack) -> None:
    token = secrets.token_hex(4)
    resident = Resident(
        name="Alex Chan",
        email=f"alex.{token}@example.com",
        building="Block 3",
        description=f"The kitchen tap has been dripping since Monday ({token}).",
    )
    page.goto("/en/repair/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fill_repair_form(page, resident)
    submit(page)

    receipt = page.locator(".lobby-receipt")
    expect(receipt).to_contain_text(REFERENCE)
    reference = reference_in(receipt.inner_text())
    expect(receipt).to_contain_text(status_json(lobby, reference, resident.phone, lang="en")["due_text"])
    assert not CJK.search(receipt.inner_text()), receipt.inner_text()

    mail = lobby.wait_for_mail(
        lambda mail: resident.email in mail["to"] and reference in mail["subject"] + mail["text"], timeout=5
    )
    assert not CJK.search(mail["subject"]), mail["subject"]
