"""The handbook's content: navigation, the numbers on its pages, its tables, its diagrams.

Every deadline a page states must be the catalog's; every table that repeats a rule of the
system (sampling, reminders, staff actions, template parameters) must say what the code and
the template say.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import handbook_blocks
import handbook_data
import pytest
import system_facts
import yaml
from lobby_html import Element, parse
from site_handbook import DOCS, LANGUAGES, REPO, all_slugs, article, load_page, page_path

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog
from views.wording import STATUSES, describe_period, describe_rule, describe_timedelta, status_text

CATALOG = load_catalog(SOURCE_YAML)
AUDIENCES = {"住户指南": "Residents", "员工手册": "Staff", "系统管理": "Administrators"}


# --- navigation ------------------------------------------------------------------------------------


def _mkdocs_config() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml names Python objects (!!python/name:…); the navigation does not need them.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def _nav_entries(items: list, trail: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    entries = []
    for item in items:
        ((title, value),) = item.items()
        if isinstance(value, list):
            entries += _nav_entries(value, (*trail, title))
        else:
            entries.append(((*trail, title), value))
    return entries


def test_navigation_lists_every_page_once_under_its_audience() -> None:
    config = _mkdocs_config()
    entries = _nav_entries(config["nav"])
    files = [file for _, file in entries]
    assert len(files) == len(set(files)), "a page is in the navigation twice"
    assert {file.removesuffix(".md") for file in files} == set(all_slugs())
    top = [next(iter(item)) for item in config["nav"]]
    assert top[0] == "首页" and set(AUDIENCES) <= set(top)
    sections = {trail[0]: [] for trail, _ in entries}
    for trail, file in entries:
        sections[trail[0]].append(file)
    assert all(not file.startswith(("staff/", "admin/")) for file in sections["住户指南"])
    assert all(file.startswith("staff/") for file in sections["员工手册"])
    assert all(file.startswith("admin/") for file in sections["系统管理"])
    kinds = {f"{kind.page}.md" for kind in CATALOG.kinds.values()}
    assert kinds <= set(sections["住户指南"])


def test_every_navigation_title_has_its_english_title() -> None:
    config = _mkdocs_config()
    (i18n,) = [
        plugin["i18n"] for plugin in config["plugins"] if isinstance(plugin, dict) and "i18n" in plugin
    ]
    english = next(language for language in i18n["languages"] if language["locale"] == "en")
    translations = english["nav_translations"]
    titles = {title for trail, _ in _nav_entries(config["nav"]) for title in trail}
    assert titles <= set(translations), sorted(titles - set(translations))
    assert {translations[zh] for zh in AUDIENCES} == set(AUDIENCES.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_audience_sees_its_own_section_in_the_built_navigation(built_site: Path, lang: str) -> None:
    names = list(AUDIENCES.values() if lang == "en" else AUDIENCES.keys())
    # The residents' guide is unwrapped (its pages are the top of the residents' navigation); each
    # handbook shows its own section's name.
    for slug, shown in (("index", []), ("staff/index", [names[1]]), ("admin/index", [names[2]])):
        nav = load_page(built_site, lang, slug).one("nav", cls="md-nav--primary")
        labels = {node.text for node in nav.find_all(cls="md-nav__link")}
        assert [name for name in names if name in labels] == shown, (slug, labels)
    nav = load_page(built_site, lang, "index").one("nav", cls="md-nav--primary")
    labels = {node.text for node in nav.find_all(cls="md-nav__link")}
    assert ("Send a request" if lang == "en" else "提交诉求") in labels, labels


# --- deadlines on pages are the catalog's -------------------------------------------------------------

_DURATION_ZH = re.compile(r"(\d+)\s*(分钟|小时|个工作日|天)")
_DURATION_EN = re.compile(r"(\d+)\s+(minute|hour|working day|day)s?\b", re.IGNORECASE)
_UNITS = {
    "分钟": "m",
    "小时": "h",
    "个工作日": "wd",
    "天": "d",
    "minute": "m",
    "hour": "h",
    "working day": "wd",
    "day": "d",
}


def durations(text: str, lang: str) -> set[str]:
    """Every length of time a text states, as rules: "8 小时内" → {"8h"}, "within 3 working days" → {"3wd"}."""
    pattern = _DURATION_EN if lang == "en" else _DURATION_ZH
    return {f"{int(count)}{_UNITS[unit.lower()]}" for count, unit in pattern.findall(text)}


def allowed_durations(catalog: Catalog, kind_id: str, lang: str, *, reminders: bool = False) -> set[str]:
    """What a sentence about a kind may state: its deadlines, its follow-up and the code's fixed rules;
    in the reminder table, its reminder ladder too."""
    kind = catalog.kinds[kind_id]
    resolve = kind.deadlines.resolve
    rules = [kind.deadlines.acknowledge, *(resolve.values() if isinstance(resolve, dict) else [resolve])]
    rules += [kind.follow_up.within]
    ladder = kind.reminders
    if reminders:
        rules += [ladder.repeat_every, ladder.escalate_director_after, ladder.escalate_quality_after]
    allowed = {rule for rule in rules if rule not in ("same-day", "none")}
    for delta in system_facts.limits().values():
        allowed |= durations(describe_timedelta(delta, lang), lang)
    return allowed


def kind_names(catalog: Catalog, lang: str) -> dict[str, str]:
    return {kind.name(lang).lower(): kind_id for kind_id, kind in catalog.kinds.items()}


def _blocks(content: Element) -> list[Element]:
    """The smallest units a statement lives in: table rows, list items, paragraphs, definitions."""
    blocks = []
    for node in content.iter():
        if node.tag in {"tr", "p", "dd", "li"} and not any(
            inner is not node and inner.tag in {"tr", "li", "p"} for inner in node.iter()
        ):
            blocks.append(node)
    return blocks


def wrong_deadlines(content: Element, catalog: Catalog, lang: str) -> list[str]:
    """Statements that name exactly one kind and a length of time the catalog does not give that kind."""
    names = kind_names(catalog, lang)
    problems = []
    for block in _blocks(content):
        text = block.text
        lowered = text.lower()
        mentioned = {kind_id for name, kind_id in names.items() if name in lowered}
        stated = durations(text, lang)
        if len(mentioned) != 1 or not stated:
            continue
        (kind_id,) = mentioned
        in_ladder = any("lobby-reminder-table" in node.classes for node in block.ancestors())
        extra = stated - allowed_durations(catalog, kind_id, lang, reminders=in_ladder)
        if extra:
            problems.append(f"{kind_id}: {sorted(extra)} in {text[:120]!r}")
    return problems


@pytest.mark.parametrize(
    ("html", "lang", "flagged"),
    [
        ("<article><p>报修：小修 5 小时内完成。</p></article>", "zh", True),
        ("<article><p>报修：小修 8 小时内完成。</p></article>", "zh", False),
        ("<article><ul><li>Complaint: we call you within 4 days.</li></ul></article>", "en", True),
        (
            "<article><table><tr><th>Question</th><td>within 2 working days</td></tr></table></article>",
            "en",
            False,
        ),
        ("<article><table><tr><th>Question</th><td>within 2 days</td></tr></table></article>", "en", True),
    ],
)
def test_the_deadline_check_catches_a_wrong_deadline(html: str, lang: str, flagged: bool) -> None:
    assert bool(wrong_deadlines(parse(html), CATALOG, lang)) == flagged


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_states_a_deadline_the_catalog_does_not_give(built_site: Path, lang: str) -> None:
    problems = []
    for slug in all_slugs():
        content = article(load_page(built_site, lang, slug))
        problems += [f"{slug}: {problem}" for problem in wrong_deadlines(content, CATALOG, lang)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_deadline_table_is_the_catalog(built_site: Path, lang: str) -> None:
    table = article(load_page(built_site, lang, "after-you-submit")).one("table", cls="lobby-deadline-table")
    rows = {row.get("data-kind"): row for row in table.find_all("tr") if row.get("data-kind")}
    assert list(rows) == list(CATALOG.kinds)
    for kind_id, row in rows.items():
        kind = CATALOG.kinds[kind_id]
        cells = row.find_all("td")
        assert row.one("th").text == kind.name(lang)
        # Each clock says what it counts: the office's service hours, or every hour when urgent.
        acknowledge = describe_rule(kind.deadlines.acknowledge, lang, urgent=kind.urgent)
        assert cells[0].text.lower() == acknowledge.lower()
        resolve = kind.deadlines.resolve
        for rule in resolve.values() if isinstance(resolve, dict) else [resolve]:
            assert describe_rule(rule, lang, urgent=kind.urgent).lower() in cells[1].text.lower()
        assert cells[3].text.startswith(CATALOG.offices[kind.office].name(lang))
        assert handbook_blocks.office_service_hours_text(CATALOG, kind.office, lang) in cells[3].text
    every_hour = {"zh": "全天计时", "en": "around the clock"}[lang]
    service_hours = {"zh": "服务时间内 8 小时", "en": "within 8 service hours"}[lang]
    assert every_hour in rows["help"].text and service_hours in rows["repair"].text
    assert {"zh": "每天 08:00–18:00，节假日照常", "en": "Every day 08:00–18:00, public holidays included"}[
        lang
    ] in rows["repair"].text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_follow_up_table_is_the_catalog(built_site: Path, lang: str) -> None:
    table = article(load_page(built_site, lang, "staff/follow-up")).one("table", cls="lobby-follow-up-table")
    rows = {row.get("data-kind"): row.find_all("td") for row in table.find_all("tr") if row.get("data-kind")}
    coverage_words = {
        "zh": {"all": "每一件", "sampled": "抽样", "none": "不回访"},
        "en": {"all": "Every one", "sampled": "sample", "none": "None"},
    }
    for kind_id, kind in CATALOG.kinds.items():
        when, coverage = rows[kind_id]
        assert coverage_words[lang][kind.follow_up.coverage] in coverage.text
        if kind.follow_up.coverage != "none" and not kind.follow_up.within.is_none:
            assert describe_rule(kind.follow_up.within, lang).lower() in when.text.lower()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reminder_ladder_is_the_catalog(built_site: Path, lang: str) -> None:
    table = article(load_page(built_site, lang, "staff/intake")).one("table", cls="lobby-reminder-table")
    rows = {row.get("data-kind"): row.find_all("td") for row in table.find_all("tr") if row.get("data-kind")}
    assert list(rows) == list(CATALOG.kinds)
    for kind_id, kind in CATALOG.kinds.items():
        warn, repeat, director, quality = (cell.text for cell in rows[kind_id])
        ladder = kind.reminders
        assert f"{ladder.warn_at_percent}%" in warn
        assert describe_period(ladder.repeat_every, lang) in repeat
        assert describe_period(ladder.escalate_director_after, lang) in director
        assert CATALOG.offices[CATALOG.offices[kind.office].director or ""].name(lang) in director
        assert describe_period(ladder.escalate_quality_after, lang) in quality
        assert CATALOG.offices[CATALOG.property.quality_office].name(lang) in quality


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sampling_table_is_the_schedulers_rule(built_site: Path, lang: str) -> None:
    from lobby.sampling import sample_size

    table = article(load_page(built_site, lang, "staff/follow-up")).one("table", cls="lobby-sampling-table")
    rows = [
        [row.one("th").text, *(cell.text for cell in row.find_all("td"))] for row in table.find_all("tr")[1:]
    ]
    assert len(rows) >= 8
    shown = {int(row[0]): int(row[1]) for row in rows}
    assert shown == {orders: sample_size(orders) for orders in shown}
    # The table shows each band of the seed's rule: the fixed minimum, both percentages, the fixed maximum.
    assert {19, 20, 50, 51, 99, 100} <= set(shown)
    sampled = [kind.name(lang) for kind in CATALOG.kinds.values() if kind.follow_up.coverage == "sampled"]
    assert all(name in table.one("caption").text for name in sampled)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_kind_shows_its_staff_procedure_from_the_catalog(built_site: Path, lang: str) -> None:
    content = article(load_page(built_site, lang, "staff/kinds"))
    shown = {node.get("data-kind"): node.text for node in content.find_all(cls="lobby-procedure")}
    assert shown == {
        kind_id: " ".join(kind.staff_procedure(lang).split()) for kind_id, kind in CATALOG.kinds.items()
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_code_limits_are_the_codes(built_site: Path, lang: str) -> None:
    from lobby.policy import REWORK_WITHIN, STAFF_LINK_LIFETIME

    faq = article(load_page(built_site, lang, "faq")).text
    assert describe_timedelta(REWORK_WITHIN, lang) in faq
    actions = article(load_page(built_site, lang, "staff/email-actions")).text
    assert describe_timedelta(STAFF_LINK_LIFETIME, lang) in actions


@pytest.mark.parametrize("lang", LANGUAGES)
def test_red_flags_are_the_monthly_statistics_thresholds(built_site: Path, lang: str) -> None:
    from lobby.policy import REPEAT_THRESHOLDS

    flags = article(load_page(built_site, lang, "staff/statistics")).one("ul", cls="lobby-red-flags")
    shown = {item.get("data-kind"): item.text for item in flags.find_all("li")}
    assert set(shown) == set(REPEAT_THRESHOLDS)
    for kind_id, count in REPEAT_THRESHOLDS.items():
        assert f"{count} " in shown[kind_id] and CATALOG.kinds[kind_id].name(lang) in shown[kind_id]


# --- fact blocks ---------------------------------------------------------------------------------


def test_emergency_block_dials_every_number(catalog: Catalog) -> None:
    block = parse(handbook_blocks.render_emergency(catalog, "zh")).one("aside", cls="lobby-emergency")
    links = {link.get("href") for link in block.find_all("a")}
    numbers = catalog.property.emergency_numbers
    assert links == {
        f"tel:{numbers.medical}",
        f"tel:{numbers.police}",
        f"tel:{numbers.fire}",
        handbook_blocks.tel_href(catalog.property.phone_24h),
    }
    assert handbook_blocks.tel_href("0755-2688 0000") == "tel:075526880000"


def test_deadlines_follow_the_kind(catalog: Catalog) -> None:
    repair = parse(handbook_blocks.render_deadlines(catalog, "repair", "en")).one(cls="lobby-deadlines")
    sizes = [item.text for item in repair.find_all("li")]
    assert sizes == [
        "Minor (a blown bulb, a dripping tap): within 8 service hours",
        "Medium (a pipe or a lock to replace): within 3 days",
        "Major (structure or large equipment): followed through to completion, no fixed clock",
    ]
    assert "Engineering and Maintenance" in repair.text
    consultation = parse(handbook_blocks.render_deadlines(catalog, "consultation", "zh")).text
    assert "2 个工作日内" in consultation and "当天（下班前）" in consultation
    suggestion = parse(handbook_blocks.render_deadlines(catalog, "suggestion", "zh")).text
    assert "不安排回访" in suggestion


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "zh",
            ["办结后 7 天内，按比例抽样回访", "签长期服务协议的，在协议中期和协议结束后 7 天内各回访一次"],
        ),
        (
            "en",
            [
                "for a sample of requests",
                "under a long-term agreement, halfway through its term and within 7 days",
            ],
        ),
    ],
)
def test_the_paid_service_page_says_agreements_are_followed_up_halfway_and_after_the_end(
    catalog: Catalog, lang: str, words: list[str]
) -> None:
    deadlines = parse(handbook_blocks.render_deadlines(catalog, "paid-service", lang)).one(
        cls="lobby-deadlines"
    )
    follow_ups = parse(handbook_blocks.render_follow_ups(catalog, lang)).one("tr", data_kind="paid-service")
    assert all(word in deadlines.text for word in words)
    assert words[1] in follow_ups.text
    assert {"zh": "长期服务协议全部回访", "en": "every long-term agreement"}[lang] in follow_ups.text
    repair = parse(handbook_blocks.render_deadlines(catalog, "repair", lang)).text
    assert words[1] not in repair  # only a kind that books agreements says so


# --- what the handbook says about the system ------------------------------------------------------


def test_every_staff_action_and_status_is_explained() -> None:
    from lobby.lifecycle import STAFF_ACTIONS

    for lang in LANGUAGES:
        table = parse(system_facts.render_staff_actions(CATALOG, lang)).one("table")
        rows = {
            row.get("data-action"): row.find_all("td")
            for row in table.find_all("tr")
            if row.get("data-action")
        }
        assert list(rows) == list(STAFF_ACTIONS)
        # What each action does, and the states it is offered in, in the page's language.
        assert all(cells[0].text and cells[1].text for cells in rows.values()), lang
    html = handbook_blocks.render_statuses(CATALOG, "en")
    for status in STATUSES:
        assert status_text(status, "en") in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_deployment_page_lists_every_template_parameter(built_site: Path, lang: str) -> None:
    import cfn

    template = cfn.load_template(REPO / "template.yaml")
    table = article(load_page(built_site, lang, "admin/deploy")).one("table", cls="lobby-parameter-table")
    shown = {row.one("th").text for row in table.find_all("tr")[1:]}
    assert shown == set(template["Parameters"])
    alarms = article(load_page(built_site, lang, "admin/operations")).one("table", cls="lobby-alarm-table")
    expected = {
        name for name, item in template["Resources"].items() if item["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert {row.one("th").text for row in alarms.find_all("tr")[1:]} == expected


def test_every_figure_is_quoted_and_every_quote_has_a_figure() -> None:
    figures = handbook_data.load_figures()
    used = set()
    for path in DOCS.rglob("*.md"):
        used |= set(re.findall(r"<!--\s*lobby:figure\s+([a-z0-9-]+)\s*-->", path.read_text(encoding="utf-8")))
    assert used <= set(figures)
    assert set(figures) <= used, f"figures no page quotes: {sorted(set(figures) - used)}"


def test_a_figure_without_both_languages_and_a_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "figures.yaml"
    bad.write_text("figures:\n  typhoon-1: {zh: 一号, en: No. 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="typhoon-1"):
        handbook_data.load_figures.__wrapped__(bad)


def test_the_cost_estimate_adds_up_and_grows_with_volume() -> None:
    model = handbook_data.load_cost_model()
    alarms = handbook_data.count_alarms()
    assert alarms >= 3
    volumes = [int(volume) for volume in model["volumes"]]
    idle, *estimates = (handbook_data.estimate(model, volume, alarms) for volume in (0, *volumes))
    small, large = estimates[0], estimates[-1]
    assert [line.key for line in small] == [line.key for line in large] == [line.key for line in idle]
    for low, high in zip(small, large, strict=True):
        assert high.dollars >= low.dollars
    # Each request adds its measured share; the fixed month (alarms, scheduled runs) does not grow.
    by_key = {
        line.key: (none.dollars, low.dollars, line.dollars)
        for none, low, line in zip(idle, small, large, strict=True)
    }
    none, low, high = by_key["ses"]
    assert low > none
    assert high - none == pytest.approx(volumes[-1] / volumes[0] * (low - none))
    assert (
        by_key["alarms"][0]
        == by_key["alarms"][2]
        == pytest.approx(alarms * model["prices"]["cloudwatch_alarm_per_month"])
    )
    assert by_key["lambda_requests"][0] > 0  # the schedules run with no request at all
    # The total is the bill the target is about, texts aside; the texts follow it, then the total with them.
    html = handbook_data.render_costs("en")
    table = parse(html)
    rows = [row.get("data-line") for row in table.find_all("tr") if row.has("data-line")]
    assert rows[-3:] == ["total", "sms", "total-with-texts"]
    assert rows[:-3] == [line.key for line in small if line.key != "sms"]
    texts_aside = [sum(line.dollars for line in lines if line.key != "sms") for lines in estimates]
    with_texts = [sum(line.dollars for line in lines) for lines in estimates]
    for key, expected in (("total", texts_aside), ("total-with-texts", with_texts)):
        totals = table.find(data_line=key).find_all("strong")
        assert [node.text for node in totals] == [f"${dollars:,.2f}" for dollars in expected]
    assert by_key["sms"][1] > 0 and texts_aside[0] < with_texts[0]


# --- diagrams ---------------------------------------------------------------------------------------

DIAGRAM_PAGES = ("after-you-submit", "staff/complaints")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lifecycle_and_complaint_flow_are_diagrams_in_both_languages(built_site: Path, lang: str) -> None:
    for slug in DIAGRAM_PAGES:
        html = page_path(built_site, lang, slug).read_text(encoding="utf-8")
        document = parse(html)
        diagram = article(document).one("pre", cls="mermaid")
        assert "flowchart" in diagram.text and "accTitle" in diagram.text
        # Diagram text is in the page's language.
        has_chinese = bool(re.search(r"[\u4e00-\u9fff]", diagram.text))
        assert has_chinese == (lang == "zh"), slug
        scripts = [node.get("src") or "" for node in document.find_all("script")]
        assert any(src.endswith("assets/javascripts/vendor/mermaid.tiny.js") for src in scripts)


def test_pages_without_a_diagram_do_not_load_mermaid(built_site: Path) -> None:
    for lang in LANGUAGES:
        for slug in all_slugs():
            html = page_path(built_site, lang, slug).read_text(encoding="utf-8")
            has_diagram = 'class="mermaid"' in html
            assert ("mermaid.tiny.js" in html) == has_diagram, f"{lang}/{slug}"
    assert (built_site / "assets/javascripts/vendor/mermaid.tiny.js").is_file()
    assert (built_site / "assets/javascripts/vendor/mermaid.LICENSE.txt").is_file()


# --- search -----------------------------------------------------------------------------------------


def test_search_finds_the_staff_procedures_by_their_chinese_names(built_site: Path) -> None:
    import json

    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    pages: dict[str, set[str]] = {}
    for doc in index["docs"]:
        tokens = {token for token in separator.split(re.sub(r"<[^>]+>", " ", doc["text"])) if token}
        pages.setdefault(doc["location"].split("#")[0], set()).update(tokens)
    for word, page in (("回访", "staff/follow-up/"), ("投诉", "staff/complaints/"), ("报修", "staff/kinds/")):
        assert word in pages.get(page, set()), f"{word!r} is not a search term of {page}"


def test_each_build_reads_the_message_catalog_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build compiles a changed .po and reads it, also the next build of the same process (mkdocs serve)."""
    import lobby_markers

    from views import messages

    for lang in ("zh", "en"):
        shutil.copytree(messages.LOCALE_DIR / lang, tmp_path / lang, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    config = SimpleNamespace(extra={}, theme={"language": "zh"})
    try:
        lobby_markers.on_config(config)  # type: ignore[arg-type]
        assert (tmp_path / "en" / "LC_MESSAGES" / "messages.mo").is_file()
        title = messages.message("en", "handbook.emergency_title")
        assert title in handbook_blocks.render_emergency(CATALOG, "en")

        po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
        po.write_text(po.read_text(encoding="utf-8").replace(f'"{title}"', '"Phone now"'), encoding="utf-8")
        later = po.stat().st_mtime + 10
        os.utime(po, (later, later))
        lobby_markers.on_config(config)  # type: ignore[arg-type]
        block = parse(handbook_blocks.render_emergency(CATALOG, "en")).one("aside", cls="lobby-emergency")
        assert block.one("p", cls="lobby-emergency__title").text == "Phone now"
        assert title not in block.get("aria-label", "")
    finally:
        monkeypatch.undo()
        messages.reset()


def test_every_block_has_its_words_in_every_language() -> None:
    """Every marker of every kind renders in every language of the message catalog (none is missing a key)."""
    import typing

    import lobby_markers

    from lobby.catalog import FollowUp
    from views import messages

    coverages = typing.get_args(typing.get_type_hints(FollowUp)["coverage"])
    for lang in messages.languages():
        for name in lobby_markers._PLAIN:
            assert lobby_markers.expand_marker(name, CATALOG, lang), (lang, name)
        for name in lobby_markers._BY_KIND:
            for kind in CATALOG.kinds:
                assert lobby_markers.expand_marker(f"{name} {kind}", CATALOG, lang), (lang, name, kind)
        # Words the catalog at hand may not show: every weekday, every follow-up coverage.
        for day in range(1, 8):
            assert messages.message(lang, f"weekday.{day}")
        for coverage in coverages:
            assert messages.message(lang, f"handbook.coverage.{coverage}")
            if coverage != "none":
                assert messages.message(lang, f"handbook.follow_up.{coverage}")
