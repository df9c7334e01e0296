"""The residents' front door: the home page's tiles, request pages that lead with their form, and a
navigation that shows residents their own pages only (the staff and administrators' handbooks are
reached from the footer).

The build tests read the built pages; the browser tests open them on a 390x844 phone screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from lobby_html import Element, before
from site_handbook import LANGUAGES, all_slugs, article, load_page

from lobby.catalog import SOURCE_YAML, load_catalog
from views import page as views_page

CATALOG = load_catalog(SOURCE_YAML)
KINDS = list(CATALOG.kinds)
HANDBOOKS = ("staff", "admin")
RESIDENT_SLUGS = [slug for slug in all_slugs() if not slug.startswith(tuple(f"{h}/" for h in HANDBOOKS))]
PHONE = {"width": 390, "height": 844}


def url_of(lang: str, slug: str) -> str:
    """The path a built page is served at: ``/repair/``, ``/en/staff/``, ``/``."""
    page = slug.removesuffix("index").rstrip("/")
    return views_page.page_url(lang, page)


def links(block: Element, lang: str, slug: str, cls: str | None = None) -> list[str]:
    """The paths a block's links lead to, resolved against the page's own address."""
    return [urljoin(url_of(lang, slug), node.get("href") or "") for node in block.find_all("a", cls=cls)]


def primary_nav(document: Element) -> Element:
    return document.one("nav", cls="md-nav--primary")


def handbook_of(path: str, lang: str) -> str:
    """Whose page a path is: "staff", "admin" or "residents"."""
    rest = path.removeprefix(views_page.page_url(lang))
    folder = rest.split("/", 1)[0]
    return folder if folder in HANDBOOKS else "residents"


# --- the home page -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_opens_with_the_emergency_strip_then_one_tile_per_kind(built_site: Path, lang: str) -> None:
    content = article(load_page(built_site, lang, "index"))
    heading = content.one("h1")
    blocks = [node for node in heading.parent.children if isinstance(node, Element)] if heading.parent else []
    after_heading = blocks[blocks.index(heading) + 1 :]
    assert "lobby-emergency" in after_heading[0].classes, (
        "the home page does not open with the emergency numbers"
    )
    assert after_heading[1].tag == "nav" and "lobby-tiles" in after_heading[1].classes
    strip = after_heading[0]
    numbers = CATALOG.property.emergency_numbers
    dialled = {link.text for link in strip.find_all("a") if (link.get("href") or "").startswith("tel:")}
    assert dialled == {numbers.medical, numbers.police, numbers.fire, CATALOG.property.phone_24h}

    tiles = [tile for tile in after_heading[1].find_all("a", cls="lobby-tile") if tile.has("data-kind")]
    assert [tile.get("data-kind") for tile in tiles] == KINDS
    for tile, kind in zip(tiles, CATALOG.kinds.values(), strict=True):
        assert tile.get("href") == views_page.page_url(lang, kind.page)
        assert tile.one(cls="lobby-tile__name").text == kind.name(lang)
        assert tile.one(cls="lobby-tile__summary").text == kind.summary(lang)
    status = after_heading[1].one("a", data_page="status")
    assert status.get("href") == views_page.page_url(lang, "status")
    # The old list of kinds and the banner above the header are not repeated on a page that has the strip.
    document = load_page(built_site, lang, "index")
    assert document.find(cls="lobby-kinds") is None
    assert document.find(cls="lobby-emergency-line") is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_without_the_strip_keep_the_emergency_line_in_the_banner(built_site: Path, lang: str) -> None:
    for slug in ("complaint", "status", "staff/index"):
        document = load_page(built_site, lang, slug)
        assert article(document).find(cls="lobby-emergency") is None
        banner = document.one("aside", cls="md-banner")
        assert CATALOG.property.phone_24h in banner.one(cls="lobby-emergency-line").text


# --- request pages lead with their form ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind_id", KINDS)
def test_a_request_page_puts_its_form_before_any_section(built_site: Path, kind_id: str, lang: str) -> None:
    kind = CATALOG.kinds[kind_id]
    content = article(load_page(built_site, lang, kind.page))
    form = content.one("form", cls="lobby-form")
    sections = content.find_all("h2")
    assert sections, f"{lang}/{kind.page} has no sections after its form"
    assert before(content, form, sections[0]), f"{lang}/{kind.page}: a section comes before the form"
    # What to write is folded above the form; the deadlines follow it.
    guidance = content.one("details")
    assert before(content, guidance, form) and not guidance.has("open")
    assert before(content, form, content.one(cls="lobby-deadlines"))


# --- each audience's navigation ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_residents_navigation_holds_no_staff_or_admin_page(built_site: Path, lang: str) -> None:
    for slug in RESIDENT_SLUGS:
        nav = primary_nav(load_page(built_site, lang, slug))
        targets = links(nav, lang, slug, cls="md-nav__link")
        assert targets, f"{lang}/{slug} has no navigation"
        assert {handbook_of(path, lang) for path in targets} == {"residents"}, f"{lang}/{slug}: {targets}"
        for kind in CATALOG.kinds.values():
            assert views_page.page_url(lang, kind.page) in targets, f"{lang}/{slug} misses {kind.page}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("handbook", HANDBOOKS)
def test_a_handbook_page_shows_its_own_handbook(built_site: Path, handbook: str, lang: str) -> None:
    slugs = [slug for slug in all_slugs() if slug.startswith(f"{handbook}/")]
    assert slugs
    for slug in slugs:
        nav = primary_nav(load_page(built_site, lang, slug))
        targets = set(links(nav, lang, slug, cls="md-nav__link"))
        assert {handbook_of(path, lang) for path in targets} == {handbook}, f"{lang}/{slug}: {targets}"
        assert {url_of(lang, other) for other in slugs} <= targets


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_links_the_staff_and_admin_handbooks_from_its_footer(built_site: Path, lang: str) -> None:
    for slug in all_slugs():
        document = load_page(built_site, lang, slug)
        footer = document.one("footer", cls="md-footer").one("nav", cls="lobby-handbooks")
        targets = links(footer, lang, slug)
        assert targets == [url_of(lang, f"{handbook}/index") for handbook in HANDBOOKS], f"{lang}/{slug}"
        assert footer.get("aria-label")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_previous_and_next_links_stay_within_the_audience(built_site: Path, lang: str) -> None:
    for slug in all_slugs():
        document = load_page(built_site, lang, slug)
        own = handbook_of(url_of(lang, slug), lang)
        for link in document.find_all("a", cls="md-footer__link"):
            target = urljoin(url_of(lang, slug), link.get("href") or "")
            assert handbook_of(target, lang) == own, f"{lang}/{slug} leads on to {target}"


# --- on a phone ----------------------------------------------------------------------------------


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_tile_is_on_the_first_screen_of_a_phone(phone: Any, site_url: str, lang: str) -> None:
    phone.goto(site_url + views_page.page_url(lang))
    tiles = phone.locator("a.lobby-tile")
    assert tiles.count() == len(KINDS) + 1
    for index in range(tiles.count()):
        box = tiles.nth(index).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], index
        # A thumb's target: at least 44 px each way.
        assert box["height"] >= 44 and box["width"] >= 44


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind_id", KINDS)
def test_one_tap_on_a_home_tile_shows_the_forms_first_field(
    phone: Any, site_url: str, kind_id: str, lang: str
) -> None:
    kind = CATALOG.kinds[kind_id]
    phone.goto(site_url + views_page.page_url(lang))
    phone.locator(f'a.lobby-tile[data-kind="{kind_id}"]').tap()
    phone.wait_for_url(site_url + views_page.page_url(lang, kind.page))
    first = phone.locator(f"form.lobby-form #f-{kind.fields[0].id}")
    box = first.bounding_box()
    assert box is not None, f"{kind_id}: the first field is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{lang}/{kind.page}: {box}"
    label = phone.locator(f'form.lobby-form [data-field="{kind.fields[0].id}"]').first.bounding_box()
    assert label is not None and label["y"] >= 0
