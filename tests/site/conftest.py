"""The handbook is built once per test session, strictly, into a temporary directory."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from site_handbook import mkdocs_build

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog

# The build hooks import one another with their directory on the path, as MkDocs loads them.
HOOKS = str(Path(__file__).resolve().parents[2] / "site" / "hooks")
if HOOKS not in sys.path:
    sys.path.insert(0, HOOKS)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site_build")
    result = mkdocs_build(site_dir)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site_dir


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(SOURCE_YAML)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site, served from this machine for the browser tests."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built_site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
