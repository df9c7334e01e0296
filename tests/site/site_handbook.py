"""Where the built handbook's pages are, and how to build it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lobby_html import Element, parse

from lobby.catalog import Catalog

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "site" / "docs"
LANGUAGES = ("zh", "en")


def mkdocs_build(site_dir: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` from the repository root, as ``make site`` runs it."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        command += ["--config-file", str(config)]
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    environment.pop("LOBBY_CATALOG", None)
    return subprocess.run(
        command, check=False, cwd=REPO, capture_output=True, text=True, env=environment, timeout=300
    )


def handbook_slugs(catalog: Catalog) -> list[str]:
    """Every page the handbook must have in both languages: home, one per request kind, status, privacy."""
    return ["index", *(kind.page for kind in catalog.kinds.values()), "status", "privacy"]


def all_slugs() -> list[str]:
    """Every page of the handbook, from its sources: ``repair``, ``staff/index``, ``admin/costs`` …"""
    return sorted({path.relative_to(DOCS).as_posix().rsplit(".", 2)[0] for path in DOCS.rglob("*.md")})


def page_path(site_dir: Path, lang: str, slug: str) -> Path:
    """Where a page lands: ``index`` is the home page, ``staff/index`` a section's; English lives under ``en/``."""
    base = site_dir / "en" if lang == "en" else site_dir
    if slug == "index" or slug.endswith("/index"):
        return base / slug.removesuffix("index") / "index.html"
    return base / slug / "index.html"


def load_page(site_dir: Path, lang: str, slug: str) -> Element:
    return parse(page_path(site_dir, lang, slug).read_text(encoding="utf-8"))


def article(document: Element) -> Element:
    """The page's own content, without the header, navigation and footer."""
    found = document.find("article")
    assert found is not None, "no <article> in the page"
    return found
