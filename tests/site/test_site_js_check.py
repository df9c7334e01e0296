"""lobby.js: check your answers and the photo picker, in a real browser, with the API answered by the test.

What the script does with the API's answers: the check block (the API's own markup, the same the page
without JavaScript shows) with a change button per answer that goes back to the field, the send button,
the photos chosen on the form (checked for count, size and type before anything is uploaded), and
their upload straight to the bucket with presigned POSTs once the request is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

import pytest
from lobby_html import parse
from repair_form import FILLED, fill_repair

from api import routes
from lobby.catalog import Catalog
from lobby.policy import PHOTO_MAX_MB, PHOTOS_PER_REQUEST
from tests.rendered import sample_request
from views import messages
from views.pages import check, resident

TOKEN = "PHOTOTOKEN"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048  # the script judges by type and size; the bytes are the bucket's


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


class Api:
    """The request route (check, then the receipt), the presign route and the bucket, as the test says."""

    def __init__(self, catalog: Catalog, lang: str, site_url: str) -> None:
        request = sample_request(catalog, lang, "repair")
        self.check = {
            "step": "check",
            "check_html": check.check_html(
                catalog, catalog.kinds["repair"], lang, FILLED, FILLED, heading="h2"
            ),
        }
        self.receipt = {
            **routes.receipt_json(catalog, request, lang, False, None),
            "photos_url": f"/api/photos/{TOKEN}",
            "photos_html": resident.photos.receipt_block(lang, f"/api/photos/{TOKEN}"),
        }
        self.site_url = site_url
        self.posts: list[dict[str, Any]] = []
        self.presigned: list[dict[str, Any]] = []
        self.uploaded: list[dict[str, Any]] = []

    def requests(self, route: Any) -> None:
        sent = json.loads(route.request.post_data or "null")
        self.posts.append(sent)
        body = self.check if sent.get("step") == "check" else self.receipt
        route.fulfill(
            status=200 if body is self.check else 201, content_type="application/json", body=json.dumps(body)
        )

    def presign(self, route: Any) -> None:
        sent = json.loads(route.request.post_data or "null")
        self.presigned.append(sent)
        uploads = [
            {
                "slot": slot,
                "url": f"{self.site_url}/bucket",
                "fields": {"key": f"incoming/x/{slot}", "policy": "P"},
            }
            for slot, _ in enumerate(sent["files"], start=1)
        ]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"uploads": uploads}))

    def bucket(self, route: Any) -> None:
        request = route.request
        form = message_from_bytes(
            f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + request.post_data_buffer,
            policy=email_policy.HTTP,
        )
        parts = {part.get_param("name", header="content-disposition"): part for part in form.iter_parts()}
        self.uploaded.append({"names": list(parts), "size": len(parts["file"].get_payload(decode=True))})
        route.fulfill(status=204, body="")

    def install(self, page: Any) -> None:
        page.route("**/api/requests/repair", self.requests)
        page.route(f"**/api/photos/{TOKEN}/uploads", self.presign)
        page.route("**/bucket", self.bucket)


def photo(name: str, size: int = len(JPEG), mime: str = "image/jpeg") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": (JPEG * (size // len(JPEG) + 1))[:size]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_your_answers_shows_each_answer_and_change_returns_to_its_field(
    page: Any, site_url: str, catalog: Catalog, lang: str
) -> None:
    api = Api(catalog, lang, site_url)
    api.install(page)
    page.goto(f"{site_url}{'/en' if lang == 'en' else ''}/repair/")
    fill_repair(page)
    page.click(".lobby-form button[type=submit]")

    block = page.wait_for_selector(".lobby-check")
    assert page.evaluate("document.activeElement.classList.contains('lobby-check')")
    assert messages.translate(lang, "check.title") in block.inner_text()
    # Each answer under the catalog's label, as the page without JavaScript shows it.
    shown = parse(page.eval_on_selector(".lobby-check", "node => node.outerHTML")).one(cls="lobby-check")
    rendered = parse(check.check_html(catalog, catalog.kinds["repair"], lang, FILLED, FILLED, heading="h2"))
    assert shown.text.split() == rendered.one(cls="lobby-check").text.split()
    labels = [node.inner_text() for node in page.query_selector_all(".lobby-check__row dt")]
    assert catalog.kinds["repair"].fields[0].label(lang) == labels[0]
    assert FILLED["description"] in block.inner_text()
    assert api.posts == [{**api.posts[0], "step": "check"}]

    page.click('.lobby-check__change[data-field="description"]')
    assert page.query_selector(".lobby-check") is None
    assert page.evaluate("document.activeElement.id") == "f-description"
    page.fill("#f-description", "厨房水管漏水，越来越严重。")
    page.click(".lobby-form button[type=submit]")
    page.wait_for_selector(".lobby-check")
    page.click(".lobby-check__send")
    page.wait_for_selector(".lobby-receipt")

    assert [sent["step"] for sent in api.posts] == ["check", "check", "send"]
    assert api.posts[-1]["description"] == "厨房水管漏水，越来越严重。"
    assert "王小明" not in page.url and "13800000000" not in page.url


def test_photos_are_checked_when_chosen_and_uploaded_after_the_request_is_stored(
    page: Any, site_url: str, catalog: Catalog
) -> None:
    api = Api(catalog, "en", site_url)
    api.install(page)
    page.goto(f"{site_url}/en/repair/")
    assert page.is_visible(".lobby-photo-picker__choose")  # in the page's words, not the browser's
    assert not page.is_visible(".lobby-photo-picker__later")  # the no-JavaScript note gives way to the picker
    fill_repair(page)

    too_big = PHOTO_MAX_MB * 1024 * 1024 + 1
    page.set_input_files(
        "#f-photos",
        [photo("leak.jpg"), photo("notes.txt", mime="text/plain"), photo("huge.jpg", too_big)],
    )
    error = page.wait_for_selector("#f-photos-error")
    text = error.inner_text()
    assert "notes.txt was not added: only JPEG, PNG, WebP and HEIC images can be sent." in text
    assert f"huge.jpg was not added: it is larger than {PHOTO_MAX_MB} MB." in text
    more = [photo(f"more{n}.png", mime="image/png") for n in range(PHOTOS_PER_REQUEST)]
    page.set_input_files("#f-photos", more)
    error = page.wait_for_selector("#f-photos-error")
    assert (
        f"more{PHOTOS_PER_REQUEST - 1}.png was not added: a request can carry up to {PHOTOS_PER_REQUEST} photos."
        in error.inner_text()
    )
    names = [item.inner_text() for item in page.query_selector_all(".lobby-photo-list li")]
    assert len(names) == PHOTOS_PER_REQUEST and names[0].startswith("leak.jpg")
    # Removing one makes room again; a HEIC photo a browser gives no type is known by its name.
    page.click(".lobby-photo-list li:last-child .lobby-photo-list__remove")
    page.set_input_files("#f-photos", [photo("door.heic", mime="")])
    assert page.query_selector("#f-photos-error") is None
    assert api.presigned == [] and api.uploaded == []  # nothing leaves the browser before the request is sent

    page.click(".lobby-form button[type=submit]")
    row = page.wait_for_selector('.lobby-check__row[data-field="photos"]')
    assert f"Photos to send: {PHOTOS_PER_REQUEST}" in row.inner_text()
    page.click(".lobby-check__send")
    page.wait_for_selector(".lobby-receipt")
    page.wait_for_function(
        f"document.querySelectorAll('.lobby-photo-progress li').length === {PHOTOS_PER_REQUEST}"
    )
    page.wait_for_function(
        "!document.querySelector('.lobby-photo-progress').textContent.includes('Uploading')"
    )

    (asked,) = api.presigned
    assert asked["lang"] == "en"
    assert [file["type"] for file in asked["files"]] == ["image/jpeg"] + ["image/png"] * 3 + ["image/heic"]
    assert len(api.uploaded) == PHOTOS_PER_REQUEST
    assert all(upload["names"][-1] == "file" for upload in api.uploaded)  # S3 takes the file last
    assert "leak.jpg uploaded." in page.inner_text(".lobby-photo-progress")
    assert page.query_selector(".lobby-receipt-photos a.lobby-photos-add") is not None
