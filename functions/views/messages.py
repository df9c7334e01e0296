"""The message catalog: every sentence a resident or staff member reads, by key, per language.

The catalog is one gettext ``.po`` file per language, ``views/locale/<lang>/LC_MESSAGES/messages.po``,
compiled to ``messages.mo`` at build time (``infra/compile_messages.py``, Babel); here the standard
library's ``gettext`` reads the ``.mo``, so a cold start pays for one small file per language used.
The handbook's build hooks (``site/hooks/``) read the same catalog through this module: the
package is installed (``pip install -e .``), so MkDocs imports ``views.messages`` like any library.

A message id is a key (``status.received``, ``receipt.title``), not an English sentence: the
English text is a translation like any other. A sentence names its values as placeholders
(``{office}``, ``{due}``) and never types a number the code owns: the caller fills it from
``lobby.policy`` or the catalog (``translate("zh", "event.reopen", within=..., note=...)``).
A message that depends on a count has a plural form (``msgid_plural`` ``<key>.plural``) and is
looked up with ``count=``; each language's ``Plural-Forms`` header picks the form.

To add a string: add the key with its text to every ``messages.po`` (the tests fail when a
language lacks a key, when no code uses a key, when two languages disagree on placeholders,
and when a sentence types a number that ``lobby.policy`` owns), and call
``translate(lang, key, **placeholders)`` where it is shown.

To add a language: copy ``locale/en`` to ``locale/<code>`` (a code Babel knows, such as ``fr``),
set ``Language:`` in the header and translate every ``msgstr``. No code changes: the language is
offered as soon as its catalog is compiled (tests/unit/test_messages.py shows it with a throwaway
language). A language without a catalog is read in ``DEFAULT_LANGUAGE``.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
DEFAULT_LANGUAGE = "zh"
PLURAL_SUFFIX = ".plural"


class MissingMessage(KeyError):
    """A key the language's catalog does not hold (the catalog tests keep this from shipping)."""


@cache
def languages() -> tuple[str, ...]:
    """The languages with a compiled catalog, the default first."""
    found = sorted(path.parents[1].name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return tuple(sorted(found, key=lambda lang: lang != DEFAULT_LANGUAGE))


def language(lang: str | None) -> str:
    """``lang`` when it has a catalog, else the default language."""
    return lang if lang and lang in languages() else DEFAULT_LANGUAGE


@cache
def _catalog(lang: str) -> gettext.GNUTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is missing: compile the message catalog (python infra/compile_messages.py)"
        ) from None


def message(lang: str, key: str, count: int | None = None) -> str:
    """The raw text of ``key`` in ``lang`` (placeholders unfilled); ``count`` picks a plural form."""
    catalog = _catalog(language(lang))
    if count is None:
        text = catalog.gettext(key)
        missing = text == key
    else:
        text = catalog.ngettext(key, key + PLURAL_SUFFIX, count)
        missing = text in (key, key + PLURAL_SUFFIX)
    if missing:
        raise MissingMessage(f"no message {key!r} in language {language(lang)!r}")
    return text


def translate(lang: str, key: str, *, count: int | None = None, **placeholders: Any) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled (``count`` fills ``{count}`` too)."""
    text = message(lang, key, count)
    if count is not None:
        placeholders.setdefault("count", count)
    return text.format(**placeholders)


def reset() -> None:
    """Forget the loaded catalogs (after a catalog is compiled again, or LOCALE_DIR changes)."""
    languages.cache_clear()
    _catalog.cache_clear()
