"""The built handbook: every page in both languages, forms from the catalog, nothing from elsewhere."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from lobby_html import Element, before, parse
from site_handbook import (
    DOCS,
    LANGUAGES,
    REPO,
    all_slugs,
    article,
    handbook_slugs,
    load_page,
    mkdocs_build,
    page_path,
)

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog
from views import page as views_page

CATALOG = load_catalog(SOURCE_YAML)
KINDS = sorted(CATALOG.kinds)


def test_strict_build_writes_both_home_pages_and_the_stylesheet(built_site: Path) -> None:
    assert load_page(built_site, "zh", "index").one("html").get("lang") == "zh"
    assert load_page(built_site, "en", "index").one("html").get("lang") == "en"
    # The API's own pages link these absolute paths (views.page.render_page).
    assert (built_site / views_page.STYLESHEET_PATH.lstrip("/")).is_file()
    assert (built_site / views_page.SCRIPT_PATH.lstrip("/")).is_file()


def test_every_page_is_written_in_both_languages(catalog: Catalog) -> None:
    sources = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    for slug in handbook_slugs(catalog):
        for lang in LANGUAGES:
            assert f"{slug}.{lang}.md" in sources, f"{slug}.{lang}.md is missing"
    unpaired = {name for name in sources if name.replace(".zh.", ".en.") not in sources} | {
        name for name in sources if name.replace(".en.", ".zh.") not in sources
    }
    assert not unpaired, f"pages without their translation: {sorted(unpaired)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_is_built_in_its_language(built_site: Path, catalog: Catalog, lang: str) -> None:
    assert set(handbook_slugs(catalog)) <= set(all_slugs())
    for slug in all_slugs():
        document = load_page(built_site, lang, slug)
        assert document.one("html").get("lang") == lang, slug
        assert article(document).find("h1") is not None, f"{lang}/{slug} has no heading"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_marker_is_left_unexpanded(built_site: Path, lang: str) -> None:
    for slug in all_slugs():
        html = page_path(built_site, lang, slug).read_text(encoding="utf-8")
        assert "lobby:" not in html, f"{lang}/{slug} still carries a marker"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind_id", KINDS)
def test_each_kind_has_its_form_on_its_page(built_site: Path, kind_id: str, lang: str) -> None:
    kind = CATALOG.kinds[kind_id]
    form = article(load_page(built_site, lang, kind.page)).one("form", cls="lobby-form")
    assert form.get("data-kind") == kind_id
    assert form.get("action") == f"/api/requests/{kind_id}"
    assert form.get("method") == "post"
    assert form.has("novalidate")
    assert form.one("input", name="lang").get("value") == lang
    assert form.one("button", type="submit").text


def _controls(form: Element, field_id: str) -> list[Element]:
    return [
        node
        for node in form.iter()
        if node.tag in {"input", "select", "textarea"} and node.get("name") == field_id
    ]


def _caption(form: Element, field_id: str) -> str:
    """The label (or the legend of the radios' fieldset) a person reads for a field."""
    wrapper = form.one(cls="lobby-field", data_field=field_id)
    caption = wrapper.find("legend") or wrapper.one("label", for_=f"f-{field_id}")
    return caption.text


EXPECTED_TYPES = {"text": "text", "tel": "tel", "email": "email", "date": "date"}
OPTIONAL = {"zh": "（选填）", "en": "(optional)"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind_id", KINDS)
def test_form_fields_match_the_catalog(built_site: Path, kind_id: str, lang: str) -> None:
    kind = CATALOG.kinds[kind_id]
    form = article(load_page(built_site, lang, kind.page)).one("form", cls="lobby-form")
    for form_field in kind.fields:
        controls = _controls(form, form_field.id)
        assert controls, f"{kind_id}.{form_field.id} is not on the form"
        first = form.by_id(f"f-{form_field.id}")
        assert first is not None and first.get("name") == form_field.id
        caption = _caption(form, form_field.id)
        assert caption.startswith(form_field.label(lang))
        assert caption.endswith(OPTIONAL[lang]) != form_field.required, f"{kind_id}.{form_field.id} marking"
        if form_field.hint:
            hint = form.by_id(f"f-{form_field.id}-hint")
            assert hint is not None and form_field.hint(lang) in hint.text
        for control in controls:
            assert control.has("required") == form_field.required, f"{kind_id}.{form_field.id} required"
        if form_field.type == "choice":
            choices = set(CATALOG.choices(form_field))
            if first.tag == "select":
                offered = {option.get("value") for option in first.find_all("option")} - {""}
            else:
                assert all(control.get("type") == "radio" for control in controls)
                offered = {control.get("value") for control in controls}
            assert offered == choices
            continue
        (control,) = controls
        if form_field.type == "textarea":
            assert control.tag == "textarea"
        else:
            assert control.tag == "input"
            assert control.get("type") == EXPECTED_TYPES[form_field.type]
        expected_max = str(form_field.max_length) if form_field.max_length else None
        expected_min = str(form_field.min_length) if form_field.min_length else None
        assert control.get("maxlength") == expected_max, f"{kind_id}.{form_field.id} maxlength"
        assert control.get("minlength") == expected_min, f"{kind_id}.{form_field.id} minlength"
        if form_field.autocomplete:
            assert control.get("autocomplete") == form_field.autocomplete
        if form_field.type == "tel":
            assert control.get("inputmode") == "tel"
            assert control.get("autocomplete") == "tel"
        if form_field.type == "email":
            assert control.get("inputmode") == "email"
            assert control.get("autocomplete") == "email"

    consent = form.one("input", name="consent")
    assert (consent.get("type"), consent.get("value")) == ("checkbox", "yes")
    privacy = form.one("label", for_="f-consent").one("a")
    assert privacy.get("href") == views_page.page_url(lang, "privacy")
    honeypot = form.one("input", name="website")
    assert honeypot.get("tabindex") == "-1" and honeypot.get("autocomplete") == "off"
    assert "lobby-honeypot" in (honeypot.parent.classes if honeypot.parent else set())
    # Without JavaScript the form asks for the check-your-answers page first; nothing is stored by it.
    step = form.one("input", name="step")
    assert (step.get("type"), step.get("value")) == ("hidden", "check")
    # Nothing else is posted: the API rejects unknown fields. (A control without a name, like the photo
    # picker that the script uploads from once the request is stored, is never posted.)
    controls = [node for node in form.iter() if node.tag in {"input", "select", "textarea"}]
    posted = {node.get("name") for node in controls if node.get("name") is not None}
    assert posted == {f.id for f in kind.fields} | {"consent", "website", "lang", "step"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_emergency_numbers_come_before_the_form(built_site: Path, catalog: Catalog, lang: str) -> None:
    emergency_first = {kind.page for kind in catalog.kinds.values() if kind.emergency_first}
    assert {"repair", "help"} <= emergency_first
    numbers = catalog.property.emergency_numbers
    expected = {numbers.medical, numbers.police, numbers.fire, catalog.property.phone_24h}
    for page in sorted(emergency_first):
        content = article(load_page(built_site, lang, page))
        block = content.one(cls="lobby-emergency")
        form = content.one("form", cls="lobby-form")
        assert before(content, block, form), f"{lang}/{page}: the emergency numbers come after the form"
        links = {link.text: link.get("href") for link in block.find_all("a")}
        assert set(links) == expected
        for number, href in links.items():
            assert href == "tel:" + re.sub(r"[^0-9+]", "", number)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_page_lists_every_kind_and_the_emergency_numbers(
    built_site: Path, catalog: Catalog, lang: str
) -> None:
    content = article(load_page(built_site, lang, "index"))
    tiles = content.one(cls="lobby-tiles")
    links = {link.get("href") for link in tiles.find_all("a") if link.has("data-kind")}
    assert links == {views_page.page_url(lang, kind.page) for kind in catalog.kinds.values()}
    assert before(content, content.one(cls="lobby-emergency"), tiles)
    assert catalog.property.phone_24h in content.one(cls="lobby-office-hours").text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_deadlines_and_prices_come_from_the_catalog(built_site: Path, lang: str) -> None:
    repair = article(load_page(built_site, lang, "repair")).one(cls="lobby-deadlines").text
    # A minor repair: eight hours of engineering's service hours, which the page states.
    assert "服务时间内 8 小时" in repair if lang == "zh" else "within 8 service hours" in repair.lower()
    assert ("每天 08:00–18:00" if lang == "zh" else "every day 08:00–18:00") in repair.lower()
    prices = article(load_page(built_site, lang, "paid-service")).one("table", cls="lobby-prices")
    rows = [row.text for row in prices.find_all("tr")[1:]]
    assert len(rows) == len(CATALOG.prices)
    for row, price in zip(rows, CATALOG.prices.values(), strict=True):
        assert price.name(lang) in row and f"{price.price:g}" in row
    status = article(load_page(built_site, lang, "status")).one("form", cls="lobby-status-form")
    assert (status.get("action"), status.get("method")) == ("/api/status", "post")
    privacy = article(load_page(built_site, lang, "privacy")).one(cls="lobby-retention")
    assert str(CATALOG.property.retention_days) in privacy.text


# Administrators' pages document commands, AWS prices and template defaults, none of them the
# catalog's; they may type digits. Every other page may not.
PAGES_WITH_DIGITS = "admin/"


def test_page_markdown_types_no_numbers() -> None:
    """Deadlines, phone numbers, prices and periods come from the catalog (or the code, or the seeds'
    figures in site/data/figures.yaml) through markers; residents' and staff pages type none."""
    marker = re.compile(r"<!--\s*lobby:.*?-->", re.DOTALL)
    chinese_number = re.compile(
        r"(?<!下)[一二两三四五六七八九十百]+\s*(?:个)?(?:小时|天|日|周|月|年|个工作日|元)"
    )
    checked = [
        path
        for path in DOCS.rglob("*.md")
        if not path.relative_to(DOCS).as_posix().startswith(PAGES_WITH_DIGITS)
    ]
    assert len(checked) > 40
    for path in sorted(checked):
        text = marker.sub("", path.read_text(encoding="utf-8"))
        text = re.sub(r"^\s*\d+\.\s", "", text, flags=re.MULTILINE)  # numbered steps are fine
        assert not re.search(r"[0-9０-９]", text), f"{path.name} types a digit"
        assert not chinese_number.search(text), f"{path.name} types a period or amount"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switch_links_each_page_to_its_translation(built_site: Path, lang: str) -> None:
    other = "en" if lang == "zh" else "zh"
    for slug in all_slugs():
        path = page_path(built_site, lang, slug)
        switch = {
            link.get("hreflang"): link.get("href")
            for link in parse(path.read_text(encoding="utf-8")).find_all("a", cls="md-select__link")
        }
        assert set(switch) == {"zh", "en"}, f"{lang}/{slug}: no language switch"
        href = switch[other] or ""
        target = (built_site / href.lstrip("/") if href.startswith("/") else path.parent / href).resolve()
        target = target / "index.html" if target.is_dir() else target
        assert target == page_path(built_site, other, slug).resolve(), f"{lang}/{slug} → {href}"


# --- nothing is loaded from another host ----------------------------------------------------------

# A URL with a host, or a protocol-relative one; "\\//" is an escaped slash in a script's regex, not a URL.
ABSOLUTE_URL = re.compile(r"(?:https?:)?(?<!\\)//[a-z0-9][a-z0-9.-]*\.[a-z]{2,}", re.IGNORECASE)
EXAMPLE_HOST = re.compile(r"//(?:[a-z0-9-]+\.)*example\.(?:com|org|net)$", re.IGNORECASE)
XML_NAMESPACE = re.compile(r"""\sxmlns(?::\w+)?=(["'])[^"']*\1""")
# Material's and lunr's own scripts name a few hosts. Each one is inert on this site, for the reason given;
# any other host in a script fails the test.
VENDOR_HOSTS = {
    "unpkg.com": "ResizeObserver polyfill (site/overrides/main.html defines a local stand-in) and "
    "mermaid (pages with a diagram load the copy in assets/javascripts/vendor/ first)",
    "api.github.com": "repository facts, only with repo_url, which mkdocs.yml does not set",
    "clipboardjs.com": "licence comment",
    "lunrjs.com": "licence comment",
    "tartarus.org": "licence comment of the Porter stemmer",
    "bit.ly": "text of a console warning about invalid search queries",
}
# Mermaid names these only in licence comments, error messages and XML namespaces; a browser test
# (test_site_diagrams.py) shows that the diagram pages request nothing from any other host.
MERMAID = "assets/javascripts/vendor/mermaid.tiny.js"
MERMAID_HOSTS = {
    "www.w3.org",
    "chevrotain.io",
    "github.com",
    "lodash.com",
    "openjsf.org",
    "underscorejs.org",
    "langium.org",
    "en.wikipedia.org",
}
# Scripts that only lunr's other languages load; the search index's languages are zh and en.
UNUSED_LUNR = re.compile(r"lunr/(?:min/lunr\.(?!zh|multi|stemmer)[a-z]+\.min\.js|wordcut\.js|tinyseg\.js)$")


def _built_files(site_dir: Path, *suffixes: str) -> list[Path]:
    return sorted(path for path in site_dir.rglob("*") if path.suffix in suffixes)


def test_html_names_no_other_host(built_site: Path) -> None:
    for path in _built_files(built_site, ".html"):
        html = XML_NAMESPACE.sub("", path.read_text(encoding="utf-8"))
        # The reserved example domains (RFC 2606) appear as examples in the administrators' pages.
        found = [url for url in ABSOLUTE_URL.findall(html) if not EXAMPLE_HOST.search(url)]
        found += re.findall(r"@import", html)
        assert not found, f"{path.relative_to(built_site)}: {found}"


def test_css_loads_nothing_from_another_host(built_site: Path) -> None:
    for path in _built_files(built_site, ".css"):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert "@import" not in css, path.name
        for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert target.startswith("data:") or not ABSOLUTE_URL.match(target), f"{path.name}: {target}"
    ours = (built_site / "assets/stylesheets/lobby.css").read_text(encoding="utf-8")
    assert not ABSOLUTE_URL.search(ours) and "url(" not in ours


def test_scripts_load_nothing_from_another_host(built_site: Path) -> None:
    search = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    assert set(search["config"]["lang"]) <= {"zh", "en"}
    assert "repo_url" not in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for path in _built_files(built_site, ".js"):
        relative = path.relative_to(built_site).as_posix()
        if UNUSED_LUNR.search(relative):
            continue
        hosts = {
            re.sub(r"^(?:https?:)?//", "", url).lower() for url in ABSOLUTE_URL.findall(path.read_text())
        }
        allowed = VENDOR_HOSTS.keys() | (MERMAID_HOSTS if relative == MERMAID else set())
        unexplained = {host for host in hosts if host not in allowed}
        assert not unexplained, f"{relative} names {sorted(unexplained)}"
    ours = (built_site / "assets/javascripts/lobby.js").read_text(encoding="utf-8")
    assert not ABSOLUTE_URL.search(ours)
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "window.ResizeObserver = function" in home
    assert 'class="mermaid' not in home


def test_theme_loads_no_web_fonts(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    assert "navigation.instant" not in home


# --- search ---------------------------------------------------------------------------------------


def test_search_index_holds_chinese_words_as_separate_terms(built_site: Path) -> None:
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    tokens_by_page: dict[str, set[str]] = {}
    chinese_tokens: list[str] = []
    for doc in index["docs"]:
        text = re.sub(r"<[^>]+>", " ", doc["text"])
        tokens = {token for token in separator.split(text) if token}
        page = doc["location"].split("#")[0]
        tokens_by_page.setdefault(page, set()).update(tokens)
        chinese_tokens += [token for token in tokens if re.fullmatch(r"[\u4e00-\u9fff]+", token)]
    for word, page in (("报修", "repair/"), ("投诉", "complaint/"), ("回访", "complaint/")):
        assert word in tokens_by_page.get(page, set()), f"{word!r} is not a search term of {page}"
    # Chinese is split into words, not kept as whole phrases between punctuation marks.
    long_runs = [token for token in chinese_tokens if len(token) > 6]
    assert len(long_runs) <= len(chinese_tokens) // 50, long_runs[:10]


# --- the hook refuses what it does not know -------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "complaint"),
    [
        ("<!-- lobby:form plumbing -->", "needs a request kind"),
        ("<!-- lobby:forms repair -->", "unknown marker"),
        ("<!-- lobby:emergency now -->", "takes no argument"),
        ("<!-- lobby:figure typhoon-9 -->", "no figure 'typhoon-9'"),
        ("<!-- lobby:limit forever -->", "no limit 'forever'"),
        ("<!-- lobby:figure -->", "needs a name"),
        ("<!-- lobby:catalog-excerpt plumbing -->", "no catalog section"),
    ],
)
def test_build_fails_on_a_marker_it_does_not_know(tmp_path: Path, marker: str, complaint: str) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("assets"))
    (docs / "assets").symlink_to(DOCS / "assets", target_is_directory=True)
    with (docs / "repair.en.md").open("a", encoding="utf-8") as page:
        page.write(f"\n{marker}\n")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    replacements = {
        "docs_dir: site/docs": f"docs_dir: {docs}",
        "custom_dir: site/overrides": f"custom_dir: {REPO / 'site/overrides'}",
        "- site/hooks/lobby_markers.py": f"- {REPO / 'site/hooks/lobby_markers.py'}",
        "- site/hooks/audiences.py": f"- {REPO / 'site/hooks/audiences.py'}",
        "- site/hooks/page_assets.py": f"- {REPO / 'site/hooks/page_assets.py'}",
        "- infra/catalog.yaml": f"- {REPO / 'infra/catalog.yaml'}",
        "- functions/lobby": f"- {REPO / 'functions/lobby'}",
    }
    for old, new in replacements.items():
        assert old in config, f"mkdocs.yml no longer has {old!r}"
        config = config.replace(old, new)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")

    result = mkdocs_build(tmp_path / "site", config=tmp_path / "mkdocs.yml")

    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr
    assert "repair.en.md" in result.stdout + result.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_catalog_page_shows_the_calendar_the_administrator_types(built_site: Path, lang: str) -> None:
    page = (built_site / ("" if lang == "zh" else "en") / "admin" / "catalog" / "index.html").read_text(
        encoding="utf-8"
    )
    [excerpt] = re.findall(r'<pre class="lobby-catalog-excerpt">.*?</pre>', page, re.S)[:1]
    assert "make_up_working_days:" in excerpt and "years:" in excerpt
    # The official arrangements are compiled in from chinese-calendar, never shown as if typed.
    assert "official:" not in excerpt and "2026-02-17" not in page
