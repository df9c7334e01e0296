"""lobby.js in a real browser (Debian's Chromium), with the API answered by the test.

The built site is served from a local HTTP server; requests to /api/ are
intercepted, so these tests check what the script does with each answer:
the receipt, the error summary (the same markup the API renders without
JavaScript), a failure message, the status lookup, and one request per press.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lobby_html import Element, parse
from repair_form import FILLED, fill_repair

from api import routes
from lobby.catalog import Catalog
from tests.rendered import sample_request
from views import forms
from views.pages import check, resident

COUNT_FETCHES = """
window.__lobbyFetches = 0;
const realFetch = window.fetch.bind(window);
window.fetch = (...args) => { window.__lobbyFetches += 1; return realFetch(...args); };
"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(COUNT_FETCHES)
    yield page
    context.close()


class FakeApi:
    """Answers one route with a fixed status and body, and remembers what it was sent. A request form's
    first post asks to check the answers (``step=check``): ``check`` answers it as the API would."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        fail: bool = False,
        check: dict[str, Any] | None = None,
    ) -> None:
        self.status, self.body, self.fail, self.check = status, body or {}, fail, check
        self.requests: list[dict[str, Any]] = []

    def __call__(self, route: Any) -> None:
        request = route.request
        self.requests.append(
            {
                "content_type": request.headers.get("content-type"),
                "json": json.loads(request.post_data or "null"),
            }
        )
        if self.fail:
            route.abort("connectionrefused")
        elif self.check is not None and self.requests[-1]["json"].get("step") == "check":
            route.fulfill(status=200, content_type="application/json", body=json.dumps(self.check))
        else:
            route.fulfill(status=self.status, content_type="application/json", body=json.dumps(self.body))


def check_answer(catalog: Catalog, kind: str, lang: str, answers: dict[str, str]) -> dict[str, Any]:
    """The API's answer to ``step=check`` for valid answers: the check block to show."""
    html = check.check_html(catalog, catalog.kinds[kind], lang, answers, answers, heading="h2")
    return {"step": "check", "answers": [], "check_html": html}


def active_element(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => ({id: document.activeElement.id, cls: document.activeElement.className || ''})"
    )


REQUEST_LINK = "/api/s/AAAAAAAAAAAAAAAA"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_receipt_is_the_same_with_and_without_javascript(
    page: Any, site_url: str, catalog: Catalog, lang: str
) -> None:
    request = sample_request(catalog, lang, "repair")
    checked = check_answer(catalog, "repair", lang, FILLED)
    api = FakeApi(201, routes.receipt_json(catalog, request, lang, False, REQUEST_LINK), check=checked)
    page.route("**/api/requests/repair", api)
    page.goto(f"{site_url}{'/en' if lang == 'en' else ''}/repair/")
    fill_repair(page)

    page.click(".lobby-form button[type=submit]")
    page.wait_for_selector(".lobby-check")
    assert not page.is_visible(".lobby-form")  # the form waits, hidden, while the answers are checked
    page.click(".lobby-check__send")
    receipt = page.wait_for_selector(".lobby-receipt")

    assert page.query_selector(".lobby-form") is None
    assert "lobby-receipt" in active_element(page)["cls"]
    in_browser = parse(page.eval_on_selector(".lobby-receipt", "node => node.outerHTML")).one(
        cls="lobby-receipt"
    )
    without_js = parse(resident.receipt_page(catalog, request, lang, False, REQUEST_LINK)).one(
        cls="lobby-receipt"
    )
    # The same markup; only the title's level follows where it stands (under the form page's own title).
    shown = [
        ("h1", *rest[1:]) if rest[0] == "h2" and "lobby-receipt__title" in rest[2] else rest
        for rest in _signature(in_browser)
    ]
    assert shown == _signature(without_js)
    text = receipt.inner_text()
    # What was sent is echoed, the next steps listed, the request's own link offered.
    assert request.fields["description"] in text and request.reference in text
    assert request.fields["phone"] not in text
    assert len(receipt.query_selector_all(".lobby-next-steps li")) == 4
    assert receipt.query_selector(".lobby-request-link a").get_attribute("href") == REQUEST_LINK
    checking, sent = api.requests
    assert checking["json"] == {**sent["json"], "step": "check"}
    assert sent["content_type"] == "application/json"
    assert sent["json"] == {
        "step": "send",
        "lang": lang,
        "category": "water",
        "size": "minor",
        "name": "王小明",
        "phone": "13800000000",
        "phone_alt": "",
        "email": "",
        "building": "3栋",
        "unit": "1502",
        "description": "厨房水管漏水，从昨晚开始。",
        "access": "",
        "consent": "yes",
        "website": "",
    }


def _signature(node: Element) -> list[tuple[str, ...]]:
    """The markup that matters to a reader: elements, ids, classes, error wiring and text.

    White space between elements is left out: the browser builds none, the server writes newlines.
    """
    wiring = ("aria-describedby", "aria-invalid", "role", "href")
    shape = [
        (
            element.tag,
            element.get("id") or "",
            " ".join(sorted(element.classes)),
            *(element.get(n) or "" for n in wiring),
        )
        for element in node.iter()
    ]
    return [*shape, ("text", "".join(node.text.split()))]


def test_refused_answers_are_shown_like_the_api_renders_them(
    page: Any, site_url: str, catalog: Catalog
) -> None:
    errors = {"phone": "Enter a phone number, like 138 0013 8000", "consent": "Tick the box to agree"}
    api = FakeApi(
        422,
        {
            "message": "There are 2 problems",
            "errors": [{"field": field, "message": message} for field, message in errors.items()],
        },
    )
    page.route("**/api/requests/repair", api)
    page.goto(f"{site_url}/en/repair/")
    fill_repair(page, consent=False)
    page.fill("#f-phone", "12")

    page.click(".lobby-form button[type=submit]")
    page.wait_for_selector(".lobby-error-summary")

    assert "lobby-error-summary" in active_element(page)["cls"]
    assert page.input_value("#f-phone") == "12"
    assert page.input_value("#f-name") == "王小明"
    assert page.is_enabled(".lobby-form button[type=submit]")
    # Same markup as the no-JavaScript page: the summary and each field with its message.
    in_browser = parse(page.eval_on_selector(".lobby-form", "form => form.outerHTML"))
    rendered = parse(forms.render_form(catalog, "repair", "en", errors=errors))
    assert _signature(in_browser.one(cls="lobby-error-summary")) == _signature(
        rendered.one(cls="lobby-error-summary")
    )
    for field_id in ("phone", "consent", "name"):
        assert _signature(in_browser.one(data_field=field_id)) == _signature(
            rendered.one(data_field=field_id)
        )
    # A link in the summary takes the resident to the field.
    page.click('.lobby-error-summary a[href="#f-phone"]')
    assert active_element(page)["id"] == "f-phone"

    # Correcting and sending again clears the old messages.
    api.status, api.body = (
        422,
        {"message": "1 problem", "errors": [{"field": "consent", "message": "Tick it"}]},
    )
    page.click(".lobby-form button[type=submit]")
    page.wait_for_selector("#f-consent-error >> text=Tick it")
    assert page.query_selector("#f-phone-error") is None
    assert page.get_attribute("#f-phone", "aria-invalid") is None
    assert len(page.query_selector_all(".lobby-error-summary")) == 1


@pytest.mark.parametrize(("fail", "status"), [(True, 0), (False, 500)])
def test_a_failure_keeps_the_data_and_says_what_to_do(
    page: Any, site_url: str, fail: bool, status: int
) -> None:
    page.route("**/api/requests/repair", FakeApi(status, {"message": "boom"}, fail=fail))
    page.goto(f"{site_url}/en/repair/")
    fill_repair(page)

    page.click(".lobby-form button[type=submit]")
    alert = page.wait_for_selector(".lobby-form-alert")

    text = alert.inner_text()
    assert "Sorry, your request was not sent" in text
    assert "0755-2688 0000" in text  # the 24-hour line, from the catalog through the form
    assert page.input_value("#f-description") == "厨房水管漏水，从昨晚开始。"
    assert page.is_checked("#f-consent")
    assert page.is_enabled(".lobby-form button[type=submit]")
    assert "lobby-form-alert" in active_element(page)["cls"]


def test_a_second_press_while_sending_sends_nothing(page: Any, site_url: str) -> None:
    held: list[Any] = []
    # A bound builtin cannot be a Playwright handler (it tags handlers with an attribute).
    page.route("**/api/requests/repair", lambda route: held.append(route))  # noqa: PLW0108
    page.goto(f"{site_url}/repair/")
    fill_repair(page)

    fetches = page.evaluate(
        """() => {
            const form = document.querySelector('.lobby-form');
            form.requestSubmit();
            form.requestSubmit();
            return window.__lobbyFetches;
        }"""
    )

    assert fetches == 1
    assert page.is_disabled(".lobby-form button[type=submit]")
    for _ in range(500):  # let Playwright hand over the intercepted request (at most ten seconds)
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    held[0].fulfill(status=500, content_type="application/json", body="{}")
    page.wait_for_selector(".lobby-form-alert")
    assert page.evaluate("() => window.__lobbyFetches") == 1
    assert len(held) == 1


def test_status_lookup_shows_status_deadline_owner_and_timeline(page: Any, site_url: str) -> None:
    api = FakeApi(
        200,
        {
            "reference": "20261122-0007",
            "kind": "repair",
            "kind_name": "Repair",
            "status": "in_progress",
            "status_text": "In progress",
            "received_at": "2026-11-22T01:30:00Z",
            "received_text": "22 Nov 2026, 09:30",
            "due_at": "2026-11-22T09:30:00Z",
            "due_text": "22 Nov 2026, 17:30",
            "owner": "Engineering and Maintenance",
            "history": [
                {"at": "2026-11-22T01:30:00Z", "at_text": "22 Nov 2026, 09:30", "text": "We received it"},
                {
                    "at": "2026-11-22T02:00:00Z",
                    "at_text": "22 Nov 2026, 10:00",
                    "text": "An engineer is on the way",
                },
            ],
        },
    )
    page.route("**/api/status", api)
    page.goto(f"{site_url}/en/status/?ref=20261122-0007")
    assert page.input_value("#f-reference") == "20261122-0007"
    page.fill("#f-contact", "13800000000")

    page.click(".lobby-status-form button[type=submit]")
    result = page.wait_for_selector(".lobby-status-result")

    text = result.inner_text()
    for expected in (
        "Request 20261122-0007",
        "Received",
        "22 Nov 2026, 09:30",
        "Repair",
        "In progress",
        "22 Nov 2026, 17:30",
        "Engineering and",
    ):
        assert expected in text
    # The same rows as the status page without JavaScript, the "received" one included.
    labels = [label.inner_text() for label in result.query_selector_all("dt")]
    assert labels == ["Kind", "Status", "Received", "Promised by", "Owner"]
    items = [item.inner_text() for item in result.query_selector_all(".lobby-timeline li")]
    assert items == ["22 Nov 2026, 09:30 We received it", "22 Nov 2026, 10:00 An engineer is on the way"]
    assert "lobby-status-result" in active_element(page)["cls"]
    assert api.requests[0]["json"] == {"lang": "en", "reference": "20261122-0007", "contact": "13800000000"}
    assert "13800000000" not in page.url


def test_status_not_found_is_told_in_the_page_language(page: Any, site_url: str) -> None:
    page.route("**/api/status", FakeApi(404, {"message": "没有找到这份诉求"}))
    page.goto(f"{site_url}/status/")
    page.fill("#f-reference", "20261122-9999")
    page.fill("#f-contact", "13800000000")

    page.click(".lobby-status-form button[type=submit]")
    summary = page.wait_for_selector(".lobby-error-summary")

    assert "请修改以下内容" in summary.inner_text()
    assert "没有找到这份诉求" in summary.inner_text()
    assert page.query_selector(".lobby-status-result") is None


# Material's search worker protocol (material/templates/assets/javascripts/workers/search.*.js):
# SETUP (0) with the index → READY (1); QUERY (2) with the text → RESULT (3) with groups of items.
SEARCH = """
async ([worker, queries]) => {
  const index = await (await fetch("/search/search_index.json")).json();
  index.options = { suggest: false };
  const search = new Worker(worker);
  const reply = () => new Promise(resolve => search.addEventListener("message", e => resolve(e.data), { once: true }));
  search.postMessage({ type: 0, data: index });
  await reply();
  const found = {};
  for (const query of queries) {
    search.postMessage({ type: 2, data: query });
    const { data } = await reply();
    found[query] = data.items.map(group => group[0].location);
  }
  search.terminate();
  return found;
}
"""


def test_search_finds_chinese_and_english_words(page: Any, site_url: str, built_site: Path) -> None:
    (worker,) = built_site.glob("assets/javascripts/workers/search.*.min.js")
    page.goto(f"{site_url}/")
    found = page.evaluate(
        SEARCH, [f"/{worker.relative_to(built_site).as_posix()}", ["报修", "投诉", "回访", "repair"]]
    )

    assert found["报修"][0] == "repair/"
    assert found["投诉"][0] == "complaint/"
    assert "complaint/" in [location.split("#")[0] for location in found["回访"]]
    assert found["repair"][0] == "en/repair/"


# A resident's words and the residents' page they should lead to, before the staff's procedure on the same
# subject, which uses the same words more often (site/hooks/audiences.py ranks the handbooks' pages lower).
RESIDENTS_FIRST = {
    "纠纷": ("coordination/", "staff/disputes/"),
    "有偿服务": ("paid-service/", None),
    "咨询": ("consultation/", "staff/questions/"),
    "dispute": ("en/coordination/", "en/staff/disputes/"),
    "follow-up": ("en/after-you-submit/", "en/staff/follow-up/"),
    "question": ("en/consultation/", "en/staff/questions/"),
}


def test_search_puts_the_residents_page_before_the_staffs_and_still_finds_the_staffs(
    page: Any, site_url: str, built_site: Path
) -> None:
    (worker,) = built_site.glob("assets/javascripts/workers/search.*.min.js")
    page.goto(f"{site_url}/")
    found = page.evaluate(SEARCH, [f"/{worker.relative_to(built_site).as_posix()}", list(RESIDENTS_FIRST)])

    for query, (residents, staff) in RESIDENTS_FIRST.items():
        pages = [location.split("#")[0] for location in found[query]]
        assert pages[0] == residents, (query, pages)
        if staff is not None:
            assert staff in pages, (query, pages)


def test_pages_load_nothing_from_another_host(page: Any, site_url: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in ("/", "/repair/", "/en/help/", "/en/status/"):
        page.goto(f"{site_url}{path}")
        page.wait_for_load_state("networkidle")
    assert hosts == {site_url.split("/")[2]}


def test_status_lookup_shows_when_the_office_will_first_call_while_it_is_ahead(
    page: Any, site_url: str
) -> None:
    answer = {
        "reference": "20261127-0001",
        "kind": "repair",
        "kind_name": "Repair",
        "status": "received",
        "status_text": "Received",
        "received_text": "27 Nov 2026, 20:00",
        "contact_by_text": "28 Nov 2026, 15:00",
        "due_text": "28 Nov 2026, 16:00",
        "owner": "Engineering and Maintenance",
        "history": [],
    }
    page.route("**/api/status", FakeApi(200, answer))
    page.goto(f"{site_url}/en/status/?ref=20261127-0001")
    page.fill("#f-contact", "13800000000")
    page.click(".lobby-status-form button[type=submit]")
    result = page.wait_for_selector(".lobby-status-result")
    rows = [row.inner_text().split("\n") for row in result.query_selector_all("dl > div")]
    assert rows[3:5] == [["Contact by", "28 Nov 2026, 15:00"], ["Promised by", "28 Nov 2026, 16:00"]]
