"""A resident looks up a request on the status page with the reference and the phone they gave."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.lobby_pages import Resident, status_json, submit, submit_json
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_status_lookup_shows_the_status(
    request: pytest.FixtureRequest, lobby: Stack, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    resident = Resident()
    reference = submit_json(lobby, "repair", resident.repair_fields())["reference"]
    expected = status_json(lobby, reference, resident.phone)

    page.goto("/status/")
    page.locator("#f-reference").fill(reference)
    page.locator("#f-contact").fill(resident.phone)
    submit(page, "form.lobby-status-form")

    expect(page.get_by_role("heading", name=re.compile(re.escape(reference)))).to_be_visible()
    result = page.locator(".lobby-status-result, table.lobby-status")
    expect(result).to_contain_text(expected["status_text"])
    expect(result).to_contain_text(expected["kind_name"])
    expect(result).to_contain_text(expected["due_text"])
    assert resident.phone not in page.url  # the contact never sits in a URL


def test_status_lookup_with_the_wrong_phone_finds_nothing(page: Page, lobby: Stack) -> None:
    resident = Resident()
    reference = submit_json(lobby, "repair", resident.repair_fields())["reference"]

    page.goto("/status/")
    page.locator("#f-reference").fill(reference)
    page.locator("#f-contact").fill(Resident().phone)
    submit(page, "form.lobby-status-form")

    expect(page.locator(".lobby-error-summary")).to_be_visible()
    expect(page.locator(".lobby-status-result")).to_have_count(0)
