"""lobby.js types no sentence: every text it shows comes from the message catalog, in every language.

The script asks for a text by its catalog key (``text("script.failed")``); the page hands it the
texts as JSON (``views.script``). These tests read the script's source: a sentence typed into it,
a key it asks for that the page does not carry, or a key missing in a language, fails here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import compile_messages
import pytest
from lobby_html import Element, parse
from site_handbook import LANGUAGES, REPO, load_page

from views import messages, page, script

LOBBY_JS = REPO / "site" / "docs" / "assets" / "javascripts" / "lobby.js"
LOCALE_DIR = REPO / "functions" / "views" / "locale"

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Two words side by side ("your request"), at the start or after white space, so a CSS selector
# such as "form.lobby-action-form input" is not one; or one capitalised word alone ("Sending…").
_WORDS = re.compile(r"(?:^|\s)[A-Za-z]+[’']?[a-z]*\s+[A-Za-z]+")
_CAPITALISED_WORD = re.compile(r"^[A-Z][a-z]+[.…!?:]*$")
# Words that are JavaScript, not text.
_DIRECTIVES = frozenset({"use strict"})


def string_literals(source: str) -> list[str]:
    """The string literals of a script, its comments left out (lobby.js has no template literals)."""
    found = []
    index = 0
    while index < len(source):
        char = source[index]
        if source.startswith("//", index):
            index = source.find("\n", index)
            index = len(source) if index == -1 else index
        elif source.startswith("/*", index):
            index = source.index("*/", index) + 2
        elif char in "\"'`":
            end = index + 1
            while source[end] != char:
                end += 2 if source[end] == "\\" else 1
            found.append(re.sub(r"\\(.)", r"\1", source[index + 1 : end]))  # escapes undone
            index = end + 1
        else:
            index += 1
    return found


def is_sentence(literal: str) -> bool:
    """Text a person would read, as opposed to a key, a selector, an attribute or a MIME type."""
    return literal not in _DIRECTIVES and bool(
        _CJK.search(literal) or _WORDS.search(literal) or _CAPITALISED_WORD.fullmatch(literal.strip())
    )


def keys_asked_for(source: str) -> set[str]:
    return set(re.findall(r"""\btext\(\s*["']([^"']+)["']""", source))


def test_the_sentence_check_sees_typed_words_and_lets_code_through() -> None:
    source = """
    // A comment may say "Sorry, it failed" and is not shown.
    var a = "抱歉，提交没有成功"; var b = 'Sorry, your request was not sent.'; var c = "Sending…";
    /* "Kind" in a block comment */ var d = "button[type=submit], .lobby-button";
    var e = "form.lobby-action-form input[name=actor]"; var f = "Content-Type"; var g = ":scope > legend";
    var h = "application/json"; "use strict"; var i = "script.failed"; var j = "BUTTON"; var k = 'it\\'s here';
    """
    literals = string_literals(source)
    assert "Sorry, it failed" not in literals and "Kind" not in literals
    assert [literal for literal in literals if is_sentence(literal)] == [
        "抱歉，提交没有成功",
        "Sorry, your request was not sent.",
        "Sending…",
        "it's here",
    ]


def test_lobby_js_types_no_sentence() -> None:
    typed = [
        literal for literal in string_literals(LOBBY_JS.read_text(encoding="utf-8")) if is_sentence(literal)
    ]
    assert typed == [], "lobby.js must take these from the message catalog (views/script.py)"


def test_lobby_js_asks_only_for_the_texts_the_page_carries() -> None:
    asked = keys_asked_for(LOBBY_JS.read_text(encoding="utf-8"))
    assert asked, "lobby.js shows no text from the catalog?"
    assert asked == set(script.SCRIPT_MESSAGES)


@pytest.mark.parametrize("lang", sorted(set(messages.languages()) | set(LANGUAGES)))
def test_every_text_of_the_script_is_in_every_language(lang: str) -> None:
    words = script.words(lang)
    assert set(words) == set(script.SCRIPT_MESSAGES)
    assert all(text.strip() for text in words.values())
    # Placeholders the code owns are filled; only those the script fills itself are left.
    left = {name for text in words.values() for name in re.findall(r"\{([a-z_]+)\}", text)}
    # (A chosen photo's file name and how many photos were chosen are the script's own.)
    assert left <= {"kind", "kind_lower", "phone", "reference", "name", "count"}


def test_a_language_without_one_of_the_script_texts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(LOCALE_DIR / "en", tmp_path / "en", ignore=shutil.ignore_patterns("*.mo"))
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    source = po.read_text(encoding="utf-8")
    entry = re.search(r'msgid "script\.sending"\nmsgstr "[^"]*"\n', source)
    assert entry is not None
    po.write_text(source.replace(entry[0], ""), encoding="utf-8")
    compile_messages.compile_all(tmp_path)
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    messages.reset()
    try:
        with pytest.raises(messages.MissingMessage, match=r"script\.sending"):
            script.words("en")
    finally:
        monkeypatch.undo()
        messages.reset()


def _carried(document: Element) -> dict[str, str]:
    tag = document.one("script", id=script.WORDS_ID)
    assert tag.get("type") == "application/json"
    return json.loads(tag.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_carries_the_script_texts_in_its_language(built_site: Path, lang: str) -> None:
    for slug in ("index", "repair", "status", "staff/index"):
        carried = _carried(load_page(built_site, lang, slug).one("head"))
        assert carried == script.words(lang), f"{lang}/{slug}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_api_pages_carry_the_same_texts_before_the_script(lang: str) -> None:
    html = page.render_page(lang, "Title", "<p>Body</p>")
    assert _carried(parse(html).one("head")) == script.words(lang)
    assert html.index(f'id="{script.WORDS_ID}"') < html.index(page.SCRIPT_PATH)


def test_no_text_can_close_the_element_early() -> None:
    tag = script.words_tag("en")
    assert tag.count("</script>") == 1 and tag.endswith("</script>")
    assert "<" not in tag.removeprefix("<script").removesuffix("</script>").split(">", 1)[1]
