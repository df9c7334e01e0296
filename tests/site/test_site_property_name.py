"""The handbook's residents' pages are named after the property (the catalog's property.name), in the
page's language, and never say "Lobby"."""

from __future__ import annotations

from pathlib import Path

from lobby.catalog import Catalog
from tests.chinese_only import shown_text


def _residents_pages(built_site: Path) -> list[Path]:
    pages = sorted(built_site.glob("**/index.html"))
    return [
        page for page in pages if not {"staff", "admin", "search"} & set(page.relative_to(built_site).parts)
    ]


def test_residents_pages_carry_the_property_name_and_never_lobby(built_site: Path, catalog: Catalog) -> None:
    pages = _residents_pages(built_site)
    assert len(pages) >= 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lang = "en" if page.relative_to(built_site).parts[0] == "en" else "zh"
        title = html.split("<title>", 1)[1].split("</title>", 1)[0]
        assert catalog.property.name(lang) in title, page
        assert "lobby" not in shown_text(html).lower(), page
