"""The handbook is built once per test session, strictly, into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_handbook import mkdocs_build

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site_build")
    result = mkdocs_build(site_dir)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site_dir


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(SOURCE_YAML)
