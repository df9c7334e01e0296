"""MkDocs hook: expand Lobby markers in handbook pages from the catalog.

A page never types a form, a deadline, a price or a phone number; it writes a
marker and the build puts in what the catalog (infra/catalog.yaml) says, in
the page's language (the i18n plugin's file suffix: ``repair.zh.md``,
``repair.en.md``)::

    <!-- lobby:form repair -->          the request form of a kind
    <!-- lobby:deadlines repair -->     that kind's deadlines, follow-up and office
    <!-- lobby:emergency -->            120 / 110 / 119 and the office's 24-hour line
    <!-- lobby:emergency-strip -->      the same numbers in a short strip (home, urgent kinds' pages)
    <!-- lobby:prices -->               the paid-service price list
    <!-- lobby:office-hours -->         office hours and the 24-hour line
    <!-- lobby:status -->               the status lookup form
    <!-- lobby:kinds -->                every request kind, linked to its page
    <!-- lobby:tiles -->                one tile per request kind, for the home page
    <!-- lobby:retention -->            how long records are kept (inline)

For the staff and administrators' pages::

    <!-- lobby:deadline-table -->       every kind's deadlines, follow-up and office in one table
    <!-- lobby:follow-ups -->           when each kind is followed up, and whether all or a sample
    <!-- lobby:sampling -->             the monthly sample sizes (lobby.sampling's own rule)
    <!-- lobby:reminders -->            every kind's reminder and escalation ladder
    <!-- lobby:staff-procedure repair --> what staff do with a kind, as the catalog words it
    <!-- lobby:offices -->              the offices and where each escalates
    <!-- lobby:limit rework -->         a fixed rule of the code (rework, link lifetimes …), inline
    <!-- lobby:figure typhoon-blue -->     a figure quoted from the seeds (site/data/figures.yaml), inline
    <!-- lobby:catalog-excerpt repair --> a section of the catalog as YAML
    <!-- lobby:costs -->                the monthly cost estimate (site/data/costs.yaml)
    <!-- lobby:cost-assumptions -->     the assumptions behind it
    <!-- lobby:statuses -->             what each status of a request means
    <!-- lobby:red-flags -->            the repeats the monthly statistics flag (lobby.stats)
    <!-- lobby:staff-actions -->        the actions an office e-mail offers (lobby.lifecycle)
    <!-- lobby:template-parameters -->  the SAM parameters, defaults and descriptions (template.yaml)
    <!-- lobby:schedules -->            the scheduled functions and when they run (template.yaml)
    <!-- lobby:alarms -->               the CloudWatch alarms and what each means (template.yaml)

Markers are HTML comments, and they are expanded after Markdown, so one shown
as an example inside a code block stays text. A marker that names an unknown
kind or an unknown block fails the build: an unexpanded one would be invisible.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

# MkDocs loads a hook with its directory on the path: the other hooks import as top-level modules.
import handbook_blocks
import handbook_data
import system_facts
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from lobby.catalog import (
    PACKAGED_JSON,
    SOURCE_YAML,
    Catalog,
    CatalogError,
    catalog_path,
    load_catalog,
    read_document,
)
from views import forms, messages, script
from views.page import site_name

# Anything that looks like a marker; each one must then parse as a known marker exactly.
_ANY_MARKER = re.compile(r"<!--\s*lobby:(?P<body>.*?)-->", re.DOTALL)
_MARKER = re.compile(r"(?P<name>[a-z-]+)(?:\s+(?P<argument>[a-z0-9-]+))?")

_BY_KIND: dict[str, Callable[[Catalog, str, str], str]] = {
    "form": forms.render_form,
    "deadlines": handbook_blocks.render_deadlines,
    "staff-procedure": handbook_blocks.render_staff_procedure,
}
_PLAIN: dict[str, Callable[[Catalog, str], str]] = {
    "emergency": handbook_blocks.render_emergency,
    "emergency-strip": handbook_blocks.render_emergency_strip,
    "prices": handbook_blocks.render_prices,
    "office-hours": handbook_blocks.render_office_hours,
    "status": lambda _catalog, lang: forms.render_status_form(lang),
    "kinds": handbook_blocks.render_kinds,
    "tiles": handbook_blocks.render_tiles,
    "retention": handbook_blocks.render_retention,
    "deadline-table": handbook_blocks.render_deadline_table,
    "follow-ups": handbook_blocks.render_follow_ups,
    "sampling": handbook_blocks.render_sampling_table,
    "reminders": handbook_blocks.render_reminders,
    "offices": handbook_blocks.render_offices,
    "costs": lambda _catalog, lang: handbook_data.render_costs(lang),
    "cost-assumptions": lambda _catalog, lang: handbook_data.render_cost_assumptions(lang),
    "statuses": handbook_blocks.render_statuses,
    "red-flags": system_facts.render_red_flags,
    "staff-actions": system_facts.render_staff_actions,
    "template-parameters": system_facts.render_template_parameters,
    "schedules": system_facts.render_schedules,
    "alarms": system_facts.render_alarms,
}


def render_catalog_excerpt(_catalog: Catalog, key: str, _lang: str) -> str:
    """One section of the catalog file as YAML: property, offices, fields, prices, or a kind."""
    document = read_document(_catalog_source())
    # The excerpt shows what the administrator types: the official holidays are compiled in, not typed.
    (document.get("property") or {}).get("calendar", {}).pop("official", None)
    sections = {name: document.get(name) for name in ("property", "offices", "fields", "prices")}
    sections.update({f"kinds.{kind}": {kind: value} for kind, value in (document.get("kinds") or {}).items()})
    section_key = key if key in sections else f"kinds.{key}"
    if sections.get(section_key) is None:
        raise ValueError(f"no catalog section {key!r} (known: {', '.join(sections)})")
    value = sections[section_key]
    body = value if section_key.startswith("kinds.") else {section_key: value}
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    return f'<pre class="lobby-catalog-excerpt"><code class="language-yaml">{escape(text)}</code></pre>'


_BY_KEY: dict[str, Callable[[Catalog, str, str], str]] = {
    "limit": system_facts.render_limit,
    "figure": lambda _catalog, key, lang: handbook_data.render_figure(key, lang),
    "catalog-excerpt": render_catalog_excerpt,
}
# Forms are left out of the search index: their labels would match every query about names or phones.
_NOT_SEARCHED = frozenset({"form", "status"})
LANGUAGES = ("zh", "en")


def _catalog_source() -> Path:
    # The site is built from the catalog the administrator edits, not from a
    # compiled JSON copy that may be older (LOBBY_CATALOG still wins).
    path = catalog_path()
    return SOURCE_YAML if path == PACKAGED_JSON else path


def _catalog() -> Catalog:
    return load_catalog(_catalog_source())


# After the i18n plugin's (-100), which resets the site's name for each language it builds.
@event_priority(-200)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # `mkdocs serve` rebuilds in the same process: read the catalog and the site's data afresh each time.
    load_catalog.cache_clear()
    handbook_data.load_figures.cache_clear()
    handbook_data.load_cost_model.cache_clear()
    # Every word of the site comes from the message catalog (views.messages), as the functions' do:
    # compile a language whose .po is newer than its .mo (as make does), and forget loaded ones.
    import compile_messages  # infra/'s build tool (Babel): the build needs it, the functions never do

    compile_messages.compile_all(messages.LOCALE_DIR)
    messages.reset()
    try:
        catalog = _catalog()
    except CatalogError as error:
        raise PluginError(str(error)) from error
    _name_the_site(config, catalog)
    # The emergency line in the header of every page, in each language.
    config.extra["lobby_announce"] = {
        lang: handbook_blocks.render_emergency_line(catalog, lang) for lang in LANGUAGES
    }
    # The words lobby.js shows, from the message catalog, in the head of every page (main.html).
    config.extra["lobby_words"] = {lang: script.words_tag(lang) for lang in LANGUAGES}
    # jieba (Chinese word segmentation for the search index) chats on stderr at DEBUG level.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    return config


def _name_the_site(config: MkDocsConfig, catalog: Catalog) -> None:
    """The site's name is the property's (the catalog's property.name), in the language being built."""
    lang = "en" if str(config.theme.get("language") or "zh").startswith("en") else "zh"
    config.site_name = site_name(lang, catalog)
    config.site_description = messages.translate(
        lang, "page.site_description", property=catalog.property.name(lang)
    )


def page_language(page: Page, config: MkDocsConfig) -> str:
    """The language of the page's source file (its suffix), as the i18n plugin recorded it."""
    locale = getattr(page.file, "locale", None) or config.theme.get("language") or "zh"
    return "en" if str(locale).startswith("en") else "zh"


def expand_marker(body: str, catalog: Catalog, lang: str) -> str:
    """The HTML for one marker's body (``form repair``); ValueError when it is not a known marker."""
    name = (body.split(None, 1) or [""])[0]
    html = _render_marker(body, catalog, lang)
    if name in _NOT_SEARCHED:
        # Material's search skips elements carrying data-search-exclude, and strips the attribute afterwards.
        return f'<div class="lobby-block" data-search-exclude="true">\n{html}\n</div>'
    return html


def _render_marker(body: str, catalog: Catalog, lang: str) -> str:
    match = _MARKER.fullmatch(body.strip())
    if not match:
        raise ValueError("it is not of the form <!-- lobby:NAME [KIND] -->")
    name, argument = match["name"], match["argument"]
    if name in _BY_KIND:
        if argument not in catalog.kinds:
            known = ", ".join(catalog.kinds)
            raise ValueError(f"{name!r} needs a request kind of the catalog ({known}), got {argument!r}")
        return _BY_KIND[name](catalog, argument, lang)
    if name in _PLAIN:
        if argument is not None:
            raise ValueError(f"{name!r} takes no argument, got {argument!r}")
        return _PLAIN[name](catalog, lang)
    if name in _BY_KEY:
        if argument is None:
            raise ValueError(f"{name!r} needs a name, as in <!-- lobby:{name} NAME -->")
        return _BY_KEY[name](catalog, argument, lang)
    raise ValueError(f"unknown marker {name!r} (known: {', '.join([*_BY_KIND, *_PLAIN, *_BY_KEY])})")


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files, **_: Any) -> str:
    catalog = _catalog()
    lang = page_language(page, config)

    def replace(match: re.Match[str]) -> str:
        try:
            return expand_marker(match["body"], catalog, lang)
        except ValueError as error:
            raise PluginError(f"{page.file.src_path}: marker {match[0]!r}: {error}") from error

    return _ANY_MARKER.sub(replace, html)
