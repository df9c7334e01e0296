"""Browser tests: Debian's Chromium, driven by Playwright, against the local stack (`make dev`).

Never run `playwright install`: the tests use /usr/bin/chromium (`make chromium`), launched once
for the whole run by the `browser` fixture in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.stack import Stack, running_stack


@pytest.fixture(scope="session")
def lobby() -> Iterator[Stack]:
    """The local stack with Lobby's own template, serving a freshly built site."""
    with running_stack() as stack:
        yield stack


# A phone's screen (CSS pixels): the resident's flows are tried on one.
PHONE = {"width": 390, "height": 844}


def _page(
    browser: Browser, stack: Stack, *, javascript: bool, viewport: dict[str, int] | None = None
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=stack.base_url,
        java_script_enabled=javascript,
        locale="zh-CN",
        **({"viewport": viewport} if viewport else {}),
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, lobby: Stack) -> Iterator[Page]:
    yield from _page(browser, lobby, javascript=True)


@pytest.fixture
def page_without_js(browser: Browser, lobby: Stack) -> Iterator[Page]:
    yield from _page(browser, lobby, javascript=False)


@pytest.fixture
def phone(browser: Browser, lobby: Stack) -> Iterator[Page]:
    yield from _page(browser, lobby, javascript=True, viewport=PHONE)


@pytest.fixture
def phone_without_js(browser: Browser, lobby: Stack) -> Iterator[Page]:
    yield from _page(browser, lobby, javascript=False, viewport=PHONE)


@pytest.fixture
def desk(browser: Browser, lobby: Stack) -> Iterator[Page]:
    """A second browser, for the office's desk beside the resident's."""
    yield from _page(browser, lobby, javascript=True, viewport=PHONE)
