"""A resident who gives only a phone number hears from the office by text: the acknowledgement text
(in /_local/outbox.json, channel sms) carries a link that opens the request's status, nothing typed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.lobby_pages import REFERENCE, Resident, fill_repair_form, reference_in, submit
from tests.e2e.stack import Stack, wait_until

pytestmark = pytest.mark.e2e

TEXT_LINK = re.compile(r"http://127\.0\.0\.1:\d+/api/s/[A-Za-z0-9_-]{16}")


@pytest.fixture
def office_hours(lobby: Stack) -> Iterator[None]:
    """The stack's clock at a weekday noon in Shanghai (outside the texts' quiet hours), then back."""
    assert lobby.post_json("/_local/clock", {"time": "2026-11-26T12:00:00+08:00"}).status == 200
    yield
    lobby.post_json("/_local/clock", {"time": None})


def test_a_resident_with_only_a_phone_follows_the_texts_link_to_the_status(
    page: Page, lobby: Stack, office_hours: None
) -> None:
    resident = Resident()  # no e-mail address
    page.goto("/repair/")
    fill_repair_form(page, resident)
    submit(page)
    receipt = page.locator(".lobby-receipt")
    expect(receipt).to_contain_text(REFERENCE)
    reference = reference_in(receipt.inner_text())

    def text() -> dict[str, object] | None:
        return next(
            (
                message
                for message in lobby.outbox()
                if message["channel"] == "sms" and message["to"] == [f"+86{resident.phone}"]
            ),
            None,
        )

    sent = wait_until(text, timeout=10)
    assert sent, [message["channel"] for message in lobby.outbox()]
    assert len(str(sent["text"])) <= 70
    link = TEXT_LINK.search(str(sent["text"]))
    assert link, sent["text"]

    page.goto(link.group(0))
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("已收到")
    assert resident.phone not in page.url
