"""MkDocs hook: each of the handbook's audiences sees its own navigation.

mkdocs.yml's navigation has three audiences: the residents (the home page and 住户指南), the
office's staff (员工手册, ``staff/``) and the administrators (系统管理, ``admin/``). A resident
never needs the staff's procedures or the deploy page, and a 40-link sidebar buries the
request forms, so each page shows the navigation of its own audience only:

- a residents' page: the home page and the pages of the residents' guide;
- a page under ``staff/`` or ``admin/``: that handbook's section.

The "previous" and "next" links at the foot of a page stay within its audience, and the footer
of every page links to the staff and administrators' handbooks (site/overrides/partials/
copyright.html), which is how a colleague finds them.

The search covers every handbook, so that a colleague finds a procedure from any page; but a
resident searching 投诉 or "follow-up" should meet the residents' page first, not the staff's
procedure that uses the same words more often. The staff and administrators' pages therefore
count for less in the search's ranking (``search.boost`` in the page's meta, which Material's
search plugin reads): they are still found, after the residents' page on the same subject.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page

from views.messages import translate

RESIDENTS = "residents"
# How much a staff or administrators' page counts in the search's ranking, against 1 for a residents' page.
HANDBOOK_SEARCH_BOOST = 0.2
# The folders of the handbooks that are not the residents', in the order the footer lists them.
HANDBOOKS = ("staff", "admin")


def audience_of(src_uri: str) -> str:
    """Whose page a source file is: ``staff/intake.zh.md`` → "staff", ``repair.en.md`` → "residents"."""
    folder = src_uri.split("/", 1)[0] if "/" in src_uri else ""
    return folder if folder in HANDBOOKS else RESIDENTS


def _first_page(item: Page | Section | Link) -> Page | None:
    if isinstance(item, Page):
        return item
    if isinstance(item, Section):
        for child in item.children:
            page = _first_page(child)
            if page is not None:
                return page
    return None


def _audience_of_item(item: Page | Section | Link) -> str:
    page = _first_page(item)
    return audience_of(page.file.src_uri) if page is not None else RESIDENTS


def _language(config: MkDocsConfig) -> str:
    # The i18n plugin sets the theme's language to the language being built.
    return "en" if str(config.theme.get("language") or "zh").startswith("en") else "zh"


def navigation_items(nav: Navigation, audience: str) -> list[Page | Section | Link]:
    """The top of the navigation an audience's page shows.

    The residents' guide is unwrapped: on a phone, Material's menu opens one level at a time, and a
    resident should find the request pages one tap in, not behind a "住户指南" level. The staff
    and administrators' handbooks keep their section, whose name says whose pages these are.
    """
    items: list[Page | Section | Link] = []
    for item in nav.items:
        if _audience_of_item(item) != audience:
            continue
        if audience == RESIDENTS and isinstance(item, Section):
            items.extend(item.children)
        else:
            items.append(item)
    return items


def on_page_markdown(markdown: str, page: Page, **_: Any) -> str:
    """Rank a staff or administrators' page below the residents' pages in the search (read by Material's
    search plugin when it indexes the rendered page); a page's own ``search.boost`` is kept."""
    if audience_of(page.file.src_uri) != RESIDENTS:
        search = page.meta.setdefault("search", {})
        search.setdefault("boost", HANDBOOK_SEARCH_BOOST)
    return markdown


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation, **_: Any
) -> dict[str, Any]:
    audience = audience_of(page.file.src_uri)
    own = Navigation(navigation_items(nav, audience), nav.pages)
    own.homepage = nav.homepage
    context["nav"] = own
    for neighbour in ("previous_page", "next_page"):
        other = getattr(page, neighbour)
        if other is not None and audience_of(other.file.src_uri) != audience:
            setattr(page, neighbour, None)
    handbooks = []
    for folder in HANDBOOKS:
        for item in nav.items:
            first = _first_page(item)
            if isinstance(item, Section) and first is not None and audience_of(first.file.src_uri) == folder:
                handbooks.append({"title": item.title, "url": first.url, "audience": folder})
    lang = _language(config)
    label = translate(lang, "handbook.footer_audiences")
    context["lobby_handbooks"] = {
        "label": label,
        "lead": label + translate(lang, "colon"),
        "links": handbooks,
    }
    return context
