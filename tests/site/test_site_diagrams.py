"""The diagrams in a real browser (Debian's Chromium): drawn, and drawn without any other host.

Material fetches Mermaid from a public CDN unless a global ``mermaid`` exists; the pages with a
diagram load the vendored copy first. Here every request a diagram page makes is recorded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

DIAGRAM_PAGES = ("/after-you-submit/", "/en/after-you-submit/", "/staff/complaints/", "/en/staff/complaints/")
PLAIN_PAGES = ("/", "/repair/", "/en/staff/follow-up/")


def _visit(browser: Any, url: str) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    requested: list[str] = []
    failures: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failures.append(response.url))
    page.goto(url, wait_until="networkidle")
    return page, requested, failures


@pytest.mark.parametrize("path", DIAGRAM_PAGES)
def test_diagram_pages_draw_their_diagram_from_this_host_only(site_url: str, browser: Any, path: str) -> None:
    page, requested, failures = _visit(browser, site_url + path)
    try:
        # Material replaces the <pre class="mermaid"> with the drawing once Mermaid has run.
        page.wait_for_selector("div.mermaid", timeout=20_000)
        assert page.locator("pre.mermaid").count() == 0
        box = page.locator("div.mermaid").first.bounding_box()
        assert box is not None and box["height"] > 150
    finally:
        page.close()
    host = urlsplit(site_url).netloc
    assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {host}
    assert any(url.endswith("/assets/javascripts/vendor/mermaid.tiny.js") for url in requested)
    assert not failures, failures


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_other_pages_request_nothing_elsewhere_and_nothing_missing(
    site_url: str, browser: Any, path: str
) -> None:
    page, requested, failures = _visit(browser, site_url + path)
    page.close()
    host = urlsplit(site_url).netloc
    assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {host}
    assert not any("mermaid" in url for url in requested)
    # Nothing the page asks for is missing (a 404 would also cost Lighthouse's best-practices score).
    assert not failures, failures
