"""A resident on a phone (390x844) files a repair with a photo, with and without JavaScript.

From the home page one tap reaches the repair form, its first question on screen; they attach a phone's
JPEG that carries its GPS location, check their answers, send. The stored photo and its thumbnail carry
no metadata at all; the office's e-mail links to the photo and the desk card shows it; the resident
follows the link in their acknowledgement to their request's own page, where the photo is in the
timeline, adds information, and sees it there too. With JavaScript the photo is chosen on the form and goes straight to the bucket through a
presigned POST; without it, the receipt links to the page that uploads it as a multipart form.
"""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.lobby_pages import Resident, fill_repair_form, reference_in
from tests.e2e.photo_flow import (
    assert_no_metadata,
    desk_card_shows_the_photo,
    office_photo_link_opens_the_clean_photo,
    phone_jpeg,
    resident_link,
    stored_photo_and_thumbnail,
)
from tests.e2e.stack import Stack
from views.messages import translate

pytestmark = pytest.mark.e2e

LANG = "zh"


def open_repair_form_from_home(page: Page) -> None:
    """One tap on the home page's repair tile; the form's first question is on the first screen."""
    page.goto("/")
    tile = page.locator('a.lobby-tile[data-kind="repair"]')
    expect(tile).to_be_in_viewport()
    tile.click()
    page.wait_for_url("**/repair/")
    expect(page.locator("form.lobby-form [data-field]").first).to_be_in_viewport()


def check_the_answers(page: Page, resident: Resident) -> None:
    """The answers shown back under their labels, each with its change button; nothing sent yet."""
    block = page.locator(".lobby-check")
    expect(block).to_contain_text(translate(LANG, "check.title"))
    expect(block.locator('.lobby-check__row[data-field="description"]')).to_contain_text(resident.description)
    expect(block.locator('.lobby-check__row[data-field="phone"]')).to_contain_text(resident.phone)
    expect(block.locator(".lobby-check__change")).to_have_count(block.locator(".lobby-check__row").count())


def after_sending(page: Page, lobby: Stack, desk: Page, resident: Resident, reference: str) -> None:
    """Everything that follows the photo: stored clean, linked in the office e-mail and on the desk card,
    and on the resident's own page, reached from their acknowledgement."""
    photo, thumbnail = stored_photo_and_thumbnail(lobby, reference)
    assert_no_metadata(photo)
    assert_no_metadata(thumbnail)
    office_photo_link_opens_the_clean_photo(lobby, reference)
    desk_card_shows_the_photo(desk, lobby, reference)

    page.goto(resident_link(lobby, resident.email, reference))
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator(".lobby-timeline")).to_contain_text(translate(LANG, "event.photo_added"))
    information = f"楼下邻居说天花板也有水印（{secrets.token_hex(3)}）。"
    page.locator("#f-information").fill(information)
    page.get_by_role("button", name=translate(LANG, "request_page.information_send")).click()
    expect(page.locator(".lobby-receipt")).to_contain_text(translate(LANG, "request_page.information_done"))
    page.get_by_role("link", name=translate(LANG, "request_page.back")).first.click()
    expect(page.locator(".lobby-timeline")).to_contain_text(translate(LANG, "event.info", note=information))
    assert information not in page.url


def test_with_javascript_a_photo_goes_straight_to_the_bucket(phone: Page, desk: Page, lobby: Stack) -> None:
    page = phone
    resident = Resident(email=f"wang.{secrets.token_hex(4)}@example.com")
    open_repair_form_from_home(page)
    fill_repair_form(page, resident)
    page.locator("#f-photos").set_input_files(
        {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}
    )
    expect(page.locator(".lobby-photo-list li")).to_have_count(1)
    page.locator("form.lobby-form button[type=submit]").click()

    check_the_answers(page, resident)
    expect(page.locator('.lobby-check__row[data-field="photos"]')).to_contain_text("leak.jpg")
    assert page.url == lobby.url("/repair/")  # checked in place, by the page's script
    page.locator(".lobby-check__send").click()

    expect(page.locator(".lobby-receipt")).to_be_visible()
    expect(page.locator(".lobby-photo-progress")).to_contain_text(
        translate(LANG, "photo.uploaded", name="leak.jpg")
    )
    after_sending(page, lobby, desk, resident, reference_in(page.locator(".lobby-receipt").inner_text()))


def test_without_javascript_the_photo_is_uploaded_as_a_form(
    phone_without_js: Page, desk: Page, lobby: Stack
) -> None:
    page = phone_without_js
    resident = Resident(email=f"wang.{secrets.token_hex(4)}@example.com")
    open_repair_form_from_home(page)
    expect(page.locator("#f-photos")).to_be_hidden()  # the picker needs the script; the note says what to do
    expect(page.locator(".lobby-photo-picker__later")).to_be_visible()
    fill_repair_form(page, resident)
    page.locator("form.lobby-form button[type=submit]").click()

    page.wait_for_url("**/api/requests/repair")
    check_the_answers(page, resident)
    # Change goes back to the filled form at that answer; nothing personal travels in the URL.
    page.locator('.lobby-check__change[data-field="description"]').click()
    expect(page.locator("#f-description")).to_be_focused()
    expect(page.locator("#f-phone")).to_have_value(resident.phone)
    assert resident.phone not in page.url
    page.locator("form.lobby-form button[type=submit]").click()
    check_the_answers(page, resident)
    page.locator(".lobby-check__send").click()

    expect(page.locator(".lobby-receipt")).to_be_visible()
    reference = reference_in(page.locator(".lobby-receipt").inner_text())
    page.locator("a.lobby-photos-add").click()
    page.locator("#f-photo").set_input_files(
        {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}
    )
    page.locator("form.lobby-photos-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(translate(LANG, "photo.received_title"))
    expect(page.locator(".lobby-receipt")).to_contain_text(reference)

    after_sending(page, lobby, desk, resident, reference)
