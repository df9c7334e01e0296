"""The message catalog: complete in every language, used by the code, numbers left to the code.

The catalog is ``functions/views/locale/<lang>/LC_MESSAGES/messages.po``; these tests read the
``.po`` sources with Babel (as the build does) and the compiled ``.mo`` through ``views.messages``.
"""

from __future__ import annotations

import ast
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import compile_messages
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from lobby import policy
from views import messages
from views.wording import describe_rule, describe_timedelta, format_local, status_text

REPO = Path(__file__).resolve().parents[2]
LOCALE_DIR = REPO / "functions" / "views" / "locale"
# Where the code asks for messages: the functions, the site's hooks and its JavaScript.
CODE = [
    *sorted((REPO / "functions").rglob("*.py")),
    *sorted((REPO / "site" / "hooks").glob("*.py")),
    *sorted((REPO / "site" / "docs" / "assets" / "javascripts").glob("*.js")),
]
# Sentences allowed to show digits, and why. Any other digit in a sentence is a number some
# constant owns (a deadline, a lifetime, a limit) typed where a placeholder belongs.
EXAMPLES: dict[str, str] = {
    "monthly.footer": "the day of the month the report is sent: template.yaml's MonthlyFunction schedule",
    "invalid.bad_phone": "example phone numbers, showing the resident a format no constant owns",
    "invalid.bad_date": "an example date, showing the resident the format",
}
# Texts that are meant to be in another language's letters, and why.
FOREIGN_WORDS: dict[str, str] = {
    "costs.line.http_api": "the name of an AWS service, which has no Chinese name",
    "costs.unit.gb": "the symbol of a unit",
}
# A message key as the code names it: ``receipt.title``, ``invalid.too_long``.
KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
# ... and not a file's name (``costs.yaml``).
FILE_NAME = re.compile(r".*\.(?:yaml|yml|json|py|js|css|html|md|csv|po|mo|txt)")
# The functions that look a key up: views.messages' own, and lobby.validation's refusals.
LOOKUPS = frozenset({"translate", "message"})


def catalogs() -> dict[str, Catalog]:
    found = {}
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            found[po.parents[1].name] = read_po(source, locale=po.parents[1].name)
    return found


def keys(catalog: Catalog) -> dict[str, bool]:
    """Each key of a catalog, and whether it has plural forms."""
    return {
        message.id[0] if message.pluralizable else message.id: message.pluralizable
        for message in catalog
        if message.id
    }


def texts(catalog: Catalog) -> dict[str, list[str]]:
    """Each key's text(s): one, or one per plural form."""
    found = {}
    for message in catalog:
        if message.id:
            key = message.id[0] if message.pluralizable else message.id
            found[key] = list(message.string) if message.pluralizable else [message.string]
    return found


def test_the_catalog_has_zh_and_en_and_they_compile() -> None:
    assert set(catalogs()) >= {"zh", "en"}
    messages.reset()
    assert set(messages.languages()) >= {"zh", "en"}
    assert messages.languages()[0] == messages.DEFAULT_LANGUAGE


def test_every_language_has_every_key_with_a_text() -> None:
    found = {lang: keys(catalog) for lang, catalog in catalogs().items()}
    every = set().union(*found.values())
    for lang, language_keys in found.items():
        assert sorted(every - set(language_keys)) == [], f"missing in {lang}"
    for lang, catalog in catalogs().items():
        empty = sorted(key for key, strings in texts(catalog).items() if not all(strings))
        assert empty == [], f"untranslated in {lang}"
        assert not any(message.fuzzy for message in catalog if message.id), f"fuzzy entries in {lang}"
    plural = {key for key, is_plural in found["en"].items() if is_plural}
    for lang, language_keys in found.items():
        assert {key for key, is_plural in language_keys.items() if is_plural} == plural, lang


def literals(path: Path) -> tuple[set[str], set[str]]:
    """String constants in a file, and the leading constant parts of its f-strings (key prefixes)."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".js":
        return set(re.findall(r"""["'`]([A-Za-z0-9_.\-]+)["'`]""", source)), set(
            re.findall(r"`([A-Za-z0-9_.\-]+\.)\$\{", source)
        )
    whole, prefixes = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            whole.add(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                prefixes.add(first.value)
    return whole, prefixes


def test_every_key_is_used_by_the_code() -> None:
    whole: set[str] = set()
    prefixes: set[str] = set()
    for path in CODE:
        found, leading = literals(path)
        whole |= found
        prefixes |= {prefix for prefix in leading if prefix.endswith(".")}
    unused = [
        key
        for key in keys(catalogs()["en"])
        if key not in whole and not any(key.startswith(prefix) for prefix in prefixes)
    ]
    assert unused == []


def named_keys(path: Path) -> set[str]:
    """The message keys a file names: strings given to a lookup, and strings in a namespace of the catalog."""
    namespaces = {key.split(".")[0] for key in keys(catalogs()["en"])}
    whole, _ = literals(path)
    named = {
        text
        for text in whole
        if KEY.fullmatch(text) and not FILE_NAME.fullmatch(text) and text.split(".")[0] in namespaces
    }
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in LOOKUPS
            ):
                named |= {
                    argument.value
                    for argument in node.args
                    if isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str)
                    and KEY.fullmatch(argument.value)
                }
    return named


def test_every_key_the_code_names_is_in_every_language() -> None:
    found = {lang: keys(catalog) for lang, catalog in catalogs().items()}
    for path in CODE:
        for lang, language_keys in found.items():
            missing = sorted(named_keys(path) - set(language_keys))
            assert missing == [], f"{path.relative_to(REPO)} names keys missing in {lang}"


def refusal_codes() -> set[str]:
    """Every code a value or a submission is refused with (the catalog's ``invalid.<code>``)."""
    codes = {"required", "summary"}
    for module in ("lobby/fields.py", "lobby/validation.py", "lobby/lifecycle.py", "lobby/link_actions.py"):
        for node in ast.walk(ast.parse((REPO / "functions" / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"Invalid", "message"}:
                arguments = node.args[:1]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "MissingInput",
                "RatingIncomplete",
            }:
                arguments = node.args[1:2]
            elif isinstance(node, ast.keyword) and node.arg in {"blank_code", "code"}:
                arguments = [node.value]
            else:
                continue
            codes |= {
                argument.value
                for argument in arguments
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            }
    return codes


def test_every_refusal_has_its_sentence_in_every_language() -> None:
    codes = refusal_codes()
    assert {"bad_phone", "required_choice", "too_long", "consent", "unknown_field"} <= codes
    for lang, catalog in catalogs().items():
        missing = sorted(code for code in codes if f"invalid.{code}" not in keys(catalog))
        assert missing == [], f"refusals without a sentence in {lang}"


def has_chinese(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text) is not None


def test_no_text_is_left_in_another_language() -> None:
    found = {lang: texts(catalog) for lang, catalog in catalogs().items()}
    for key, strings in found["zh"].items():
        # Letters outside the placeholders, and not a single Chinese character: English left in.
        words = [re.sub(r"\{[^}]*\}", "", text) for text in strings]
        if any(re.search("[A-Za-z]", word) and not has_chinese(word) for word in words):
            assert key in FOREIGN_WORDS, f"zh {key}: {strings} is not Chinese"
    for lang, language_texts in found.items():
        if lang != "zh":
            chinese = sorted(
                key
                for key, strings in language_texts.items()
                if any(map(has_chinese, strings)) and key not in FOREIGN_WORDS
            )
            assert chinese == [], f"Chinese left in {lang}"


def typed_numbers(text: str) -> list[str]:
    """The numbers a sentence types (its placeholders' names and digits of a name, S3 or arm64, aside)."""
    return re.findall(r"(?<![A-Za-z0-9])\d+", re.sub(r"\{[^}]*\}", "", text))


def policy_numbers() -> set[str]:
    """Every number lobby.policy owns, as a sentence would type it (a length of time in any unit).

    One is left out: it is every count's first value, and a sentence may say "1st" of a day the
    deployment (not the policy) decides; the digit rule below still asks such a sentence to be listed.
    """
    numbers: set[str] = set()
    for name, value in vars(policy).items():
        if not name.isupper():
            continue
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            if isinstance(item, timedelta) or (name.endswith("_SECONDS") and isinstance(item, int)):
                seconds = int(item.total_seconds()) if isinstance(item, timedelta) else item
                numbers |= {str(seconds // size) for size in (86400, 3600, 60, 1) if seconds % size == 0}
            elif isinstance(item, int):
                numbers.add(str(item))
    return numbers - {"1"}


def test_the_number_check_sees_a_typed_number() -> None:
    assert typed_numbers("将在 24 小时内安排返修：{note}") == ["24"]
    assert typed_numbers("within {within}: {note}") == []
    assert typed_numbers("S3 网站存储与读取、Lambda 计算（arm64）") == []
    assert typed_numbers("物业 24 小时值班，24-hour line") == ["24", "24"]
    assert {"24", "14", "30", "100"} <= policy_numbers()


def test_no_sentence_types_a_number_a_constant_owns() -> None:
    owned = policy_numbers()
    for lang, catalog in catalogs().items():
        for key, strings in texts(catalog).items():
            for text in strings:
                numbers = typed_numbers(text)
                assert not set(numbers) & owned, f"{lang} {key}: {text!r} types {numbers}"
                if key not in EXAMPLES:
                    assert numbers == [], f"{lang} {key}: {text!r} types a number; use a placeholder"


def test_a_missing_key_is_an_error_not_a_key_shown_to_a_resident() -> None:
    with pytest.raises(messages.MissingMessage, match=r"no message 'status\.lost'"):
        messages.translate("en", "status.lost")
    with pytest.raises(messages.MissingMessage):
        messages.translate("zh", "period.lost", count=2)


def test_placeholders_are_filled_and_plurals_follow_the_language() -> None:
    assert messages.translate("en", "within.h", count=1) == "within 1 hour"
    assert messages.translate("en", "within.h", count=8) == "within 8 hours"
    assert messages.translate("zh", "within.h", count=8) == "8 小时内"
    assert describe_timedelta(policy.REWORK_WITHIN, "zh") == "24 小时"
    # A language without a catalog reads in the default language.
    assert messages.translate("xx", "status.received") == messages.translate("zh", "status.received")


def write_language(locale_dir: Path, lang: str, source: str, change: dict[str, str | list[str]]) -> None:
    """A new language's catalog: a copy of ``source`` with some texts changed."""
    with (locale_dir / source / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    catalog.locale = lang
    for message in catalog:
        if message.id:
            key = message.id[0] if message.pluralizable else message.id
            if key in change:
                message.string = tuple(change[key]) if message.pluralizable else change[key]
    target = locale_dir / lang / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog)


def test_a_new_language_needs_no_code_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for lang in ("zh", "en"):
        shutil.copytree(LOCALE_DIR / lang, tmp_path / lang, ignore=shutil.ignore_patterns("*.mo"))
    write_language(
        tmp_path,
        "fr",
        "en",
        {
            "status.received": "Reçue",
            "within.h": ["sous {count} heure", "sous {count} heures"],
            "moment": "{day} {month_name} {year} à {clock}",
            "month.short.11": "nov.",
        },
    )
    compiled = compile_messages.compile_all(tmp_path)
    assert [path.parents[1].name for path in compiled] == ["en", "fr", "zh"]

    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    messages.reset()
    try:
        assert set(messages.languages()) == {"zh", "en", "fr"}
        assert status_text("received", "fr") == "Reçue"
        # French plural forms (one for 0 and 1) come from the language, not from the code.
        assert describe_rule("1h", "fr") == "sous 1 heure"
        assert describe_rule("8h", "fr") == "sous 8 heures"
        moment = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
        assert format_local(moment, "fr", "Asia/Shanghai") == "22 nov. 2026 à 17:30"
        # Keys the new language did not change read as their source; the others are untouched.
        assert status_text("closed", "fr") == "Closed"
        assert status_text("received", "zh") == "已收到"
    finally:
        monkeypatch.undo()
        messages.reset()
    assert "fr" not in messages.languages()
