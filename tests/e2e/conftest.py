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


def _page(browser: Browser, stack: Stack, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(base_url=stack.base_url, java_script_enabled=javascript, locale="zh-CN")
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
