"""Fixtures shared by every layer: a fake AWS environment and caches reset between tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The code under test is this checkout's, in this process and in those the tests start (the local
# stack, site builds), even when the virtual environment has another checkout installed
# (`pip install -e` from a sibling clone sharing the venv): its source roots come first.
REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = [str(REPO / "functions"), str(REPO / "infra")]
sys.path[:0] = [root for root in SOURCE_ROOTS if root not in sys.path]
os.environ["PYTHONPATH"] = os.pathsep.join([*SOURCE_ROOTS, *filter(None, [os.environ.get("PYTHONPATH")])])

# Fails the run if any log line carries a phone number, e-mail address or text a resident typed.
pytest_plugins = ["tests.pii_guard"]

# Before any boto3 client exists: no real credentials, no real endpoints.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_SERVICE_NAME": "lobby",
        "POWERTOOLS_METRICS_NAMESPACE": "lobby",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalog (the .mo files are generated, not committed), as make does."""
    import compile_messages  # infra/, one of the source roots above

    compile_messages.compile_all()


def reset_caches() -> None:
    """Forget clients, settings and the catalog so each test sees its own environment."""
    from lobby import catalog, mail, settings, storage

    settings.get_settings.cache_clear()
    storage.dynamodb_client.cache_clear()
    mail.ses_client.cache_clear()
    catalog.load_catalog.cache_clear()
    try:
        from api import shared
    except ImportError:  # pragma: no cover - the API package is optional for unit tests
        return
    shared.store.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    reset_caches()
    yield
    reset_caches()


CHROMIUM = "/usr/bin/chromium"
# Headless Chromium as root needs --no-sandbox; the rest keep it from reaching for the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Debian Chromium, driven by one Playwright, for every browser test in this worker.

    Playwright's sync API refuses to start inside a second one that is still open, so the site
    tests and the end-to-end tests must share this fixture rather than each opening their own.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
