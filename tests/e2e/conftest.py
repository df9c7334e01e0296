"""Browser tests: Debian's Chromium, driven by Playwright, against the local stack (`make dev`).

Never run `playwright install`: the tests use /usr/bin/chromium (`make chromium`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.stack import Stack, running_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def lobby() -> Iterator[Stack]:
    """The local stack with Lobby's own template, serving a freshly built site."""
    with running_stack() as stack:
        yield stack


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
