"""The API's own pages in the handbook's look: Material's stylesheet at a stable address, the same
palette as the handbook, and, in a real browser at a phone's width and a desktop's, styled controls,
numbers that dial, and nothing the API's Content-Security-Policy blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_handbook import load_page

from api.http import HTML_HEADERS
from tests.rendered import CATALOG, history, requests_in_every_state
from views import page as views_page
from views.pages import signed_links

STYLESHEETS = Path("assets/stylesheets")


def test_the_build_writes_materials_stylesheet_under_a_stable_name(built_site: Path) -> None:
    home = load_page(built_site, "zh", "index")
    linked = [link.get("href") or "" for link in home.find_all("link", rel="stylesheet")]
    hashed = [href for href in linked if re.search(r"/(main|palette)\.[0-9a-f]{8}\.min\.css$", href)]
    assert len(hashed) == 2, linked  # main, then palette, as the theme links them
    stable = (built_site / STYLESHEETS / "material.css").read_text(encoding="utf-8")
    for href in hashed:
        rules = (built_site / STYLESHEETS / Path(href).name).read_text(encoding="utf-8")
        assert rules.split("/*# sourceMappingURL")[0].strip() in stable
    assert "sourceMappingURL" not in stable
    for path in (*views_page.STYLESHEETS, views_page.SCRIPT_PATH, views_page.ICON_PATH):
        assert (built_site / path.lstrip("/")).is_file(), path


def test_api_pages_carry_the_handbooks_palette(built_site: Path) -> None:
    body = load_page(built_site, "zh", "index").one("body")
    handbook = {name: body.get(f"data-md-color-{name}") for name in views_page.PALETTE}
    assert handbook == views_page.PALETTE


def _with_policy(html: str) -> str:
    """The page as the API serves it: its Content-Security-Policy as a meta element (the static server
    sends no headers); frame-ancestors is a header-only directive and is left out."""
    policy = "; ".join(
        part for part in HTML_HEADERS["Content-Security-Policy"].split("; ") if "frame-ancestors" not in part
    )
    return html.replace(
        "<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{policy}">', 1
    )


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_action_page_is_styled_like_the_handbook(
    built_site: Path, site_url: str, browser_page: Any, width: int
) -> None:
    request = requests_in_every_state(CATALOG, "zh")[1]
    html = signed_links.confirm_page(CATALOG, request, history(CATALOG, request), "resolve", "TOKEN")
    (built_site / "api-page-check.html").write_text(_with_policy(html), encoding="utf-8")
    problems: list[str] = []
    browser_page.on("console", lambda message: problems.append(message.text))
    browser_page.on("requestfailed", lambda request: problems.append(request.url))
    browser_page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto(f"{site_url}/api-page-check.html")
    style = browser_page.evaluate(
        """() => {
          const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
          return {
            header: css(".md-header", "backgroundColor"),
            input: css("#f-actor", "borderTopWidth"),
            button: css(".lobby-action-form button", "backgroundColor"),
            buttonHeight: document.querySelector(".lobby-action-form button").getBoundingClientRect().height,
            inputWidth: document.querySelector("#f-actor").getBoundingClientRect().width,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            dials: [...document.querySelectorAll("a.lobby-tel")].map((link) => link.getAttribute("href")),
          };
        }"""
    )
    assert problems == []
    assert style["dials"] == ["tel:13912345678", "tel:075526881234"]  # both of the resident's numbers
    browser_page.goto(f"{site_url}/")
    handbook_header = browser_page.evaluate(
        'getComputedStyle(document.querySelector(".md-header")).backgroundColor'
    )
    assert style["header"] == handbook_header  # Material's indigo, as the handbook's header
    assert style["input"] == "2px"  # the handbook forms' inputs, not the browser's
    assert style["button"] == "rgb(0, 112, 60)"  # the handbook forms' green button
    assert style["buttonHeight"] >= 44  # big enough for a thumb (WCAG 2.5.5)
    assert style["overflow"] <= 0  # nothing wider than the screen
    assert width - 64 <= style["inputWidth"] if width < 600 else style["inputWidth"] > 300
