"""The frame of the API's own HTML pages, and the HTML helpers the forms and pages share.

A page the API answers with (a receipt, a form sent back with its errors, a staff action behind a
signed link, a rating, the desk) looks like a handbook page: Material's stylesheet (under the stable
name the site build writes, site/hooks/page_assets.py) and the site's own, Material's header and
palette, the content in Material's typeset column, mobile first. The script reads its words from the
page (``views.script``), as it does on the handbook's pages. Nothing is loaded from another host and
nothing is inline but the script's words (a JSON block, not code), so the API's
Content-Security-Policy (``api.http.HTML_HEADERS``) holds.

Every page takes the same frame: ``render_page(lang, title, body_html)``; a staff page passes
``home`` (where the header links) and ``topic`` (the header's second line).

Pure Python: no AWS, no HTTP. Every text that comes from a caller is escaped.
"""

from __future__ import annotations

import re
from html import escape

from lobby.catalog import Catalog, load_catalog
from views import script
from views.messages import DEFAULT_LANGUAGE, language, translate

# Written by the site build (site/hooks/page_assets.py): Material's main and palette sheets.
MATERIAL_STYLESHEET_PATH = "/assets/stylesheets/material.css"
STYLESHEET_PATH = "/assets/stylesheets/lobby.css"
STYLESHEETS = (MATERIAL_STYLESHEET_PATH, STYLESHEET_PATH)
SCRIPT_PATH = "/assets/javascripts/lobby.js"
ICON_PATH = "/assets/images/favicon.png"  # Material's, as the handbook's pages link it
# mkdocs.yml's theme.palette, as Material writes it on <body> (tests/site holds the two together).
PALETTE = {"scheme": "default", "primary": "indigo", "accent": "indigo"}
# Material's icon of the site's logo (mkdocs.yml theme.icon.logo: material/home-city-outline).
_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true"><path d="M10 2v2.26l2 '
    "1.33V4h10v15h-5v2h7V2zM7.5 5 0 10v11h15V10zM14 6v.93L15.61 8H16V6zm4 0v2h2V6zM7.5 7.5 13 11v8h-3v-6H5v6H2v-8zM18 "
    '10v2h2v-2zm0 4v2h2v-2z"/></svg>'
)
_DIALLED = re.compile(r"[^0-9+]")


def e(value: object) -> str:
    """``value`` as HTML text or an attribute value."""
    return escape(str(value), quote=True)


def attrs(**attributes: str | bool | int | None) -> str:
    """HTML attributes; ``True`` renders a bare attribute, ``None``/``False`` leaves it out."""
    parts = []
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        html_name = name.rstrip("_").replace("_", "-")
        parts.append(html_name if value is True else f'{html_name}="{e(value)}"')
    return " ".join(parts)


def page_url(lang: str, page: str = "") -> str:
    """The absolute path of a handbook page: ``/repair/``, ``/en/repair/``, ``/``, ``/en/``.

    The default language lives at the root, every other one under its code.
    """
    lang = language(lang)
    prefix = "/" if lang == DEFAULT_LANGUAGE else f"/{lang}/"
    return f"{prefix}{page}/" if page else prefix


def tel_link(number: str) -> str:
    """A phone number as a link a phone dials (``tel:``), shown as it was written."""
    dialled = _DIALLED.sub("", number)
    if len(dialled.lstrip("+")) < 3:
        return e(number)
    return f'<a class="lobby-tel" href="tel:{e(dialled)}">{e(number)}</a>'


def facts(rows: list[tuple[str, str]], css_class: str = "lobby-facts") -> str:
    """Label and value pairs as a definition list; each value is trusted markup (escape text first)."""
    items = "".join(f"<div><dt>{e(label)}</dt><dd>{value}</dd></div>" for label, value in rows)
    return f'<dl class="{e(css_class)}">{items}</dl>'


def site_name(lang: str, catalog: Catalog | None = None) -> str:
    """What residents call the service: their property's name (the catalog's ``property.name``), never
    the product's. The handbook's header and title say the same (site/hooks/lobby_markers.py)."""
    return translate(lang, "page.site", property=(catalog or load_catalog()).property.name(lang))


def render_page(
    lang: str, title: str, body_html: str, *, home: str | None = None, topic: str | None = None
) -> str:
    """A standalone page in the handbook's look.

    ``body_html`` is trusted markup built by the caller (with its own values escaped); ``title``
    and ``topic`` are plain text; ``home`` is where the header and the closing link lead (the
    handbook's home page in ``lang`` unless given).
    """
    lang = language(lang)
    home = home or page_url(lang)
    site = e(site_name(lang))
    sheets = "".join(f'<link rel="stylesheet" href="{href}">\n' for href in STYLESHEETS)
    palette = " ".join(f'data-md-color-{name}="{value}"' for name, value in PALETTE.items())
    topic_html = (
        f'<div class="md-header__topic"><span class="md-ellipsis">{e(topic)}</span></div>' if topic else ""
    )
    return (
        "<!doctype html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        '<meta name="format-detection" content="telephone=no">\n'
        f"<title>{e(title)} · {site}</title>\n"
        f'<link rel="icon" href="{ICON_PATH}">\n'
        f"{sheets}"
        f"{script.words_tag(lang)}\n"
        f'<script src="{SCRIPT_PATH}" defer></script>\n'
        "</head>\n"
        f'<body dir="ltr" {palette} class="lobby-page">\n'
        f'<a class="md-skip" href="#main">{e(translate(lang, "page.skip"))}</a>\n'
        '<header class="md-header md-header--shadow lobby-page__header">\n'
        f'<nav class="md-header__inner md-grid" aria-label="{site}">\n'
        f'<a class="md-header__button md-logo" href="{e(home)}" aria-label="{site}">{_LOGO}</a>\n'
        f'<div class="md-header__title"><div class="md-header__ellipsis lobby-page__topics">'
        f'<div class="md-header__topic"><a class="md-ellipsis lobby-page__home" href="{e(home)}">{site}</a></div>'
        f"{topic_html}</div></div>\n"
        "</nav>\n</header>\n"
        '<div class="md-container">\n<main class="md-main">\n<div class="md-main__inner md-grid">\n'
        '<div class="md-content lobby-page__content">\n'
        f'<article class="md-content__inner md-typeset lobby-page__main" id="main">\n{body_html}\n'
        f'<p class="lobby-page__back"><a href="{e(home)}">{e(translate(lang, "page.home"))}</a></p>\n'
        "</article>\n</div>\n</div>\n</main>\n</div>\n</body>\n</html>\n"
    )
