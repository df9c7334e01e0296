"""What a Chinese page or e-mail shows that is not Chinese: Latin words outside the tokens allowed there.

A Chinese reader sees Chinese everywhere, except where a value is what it is: a reference, a URL, an
e-mail address, a phone number, a date's digits, the catalog's version, a single letter (building A).
``latin_words(html_or_text)`` returns every other run of two or more Latin letters, so a leaked key
("quality: 2"), a role ("resident: …") or an English sentence fails the test that calls it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# The catalog settings an administrator is told to edit, named as they are typed in the file.
SETTING_NAMES = re.compile(r"\bproperty\.calendar\.years\b")
# Values that are what they are in any language, removed before looking for words.
ALLOWED = [
    re.compile(r"https?://[^\s<>\"']+"),  # links
    re.compile(r"\b(?:tel|mailto):[^\s<>\"']+"),
    re.compile(r"[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),  # e-mail addresses
    re.compile(r"/api/[^\s<>\"']*|/desk/[^\s<>\"']*"),  # the API's own paths
    re.compile(r"\b\d{4}\.\d+\.\d+\+[0-9a-f]+\b"),  # the catalog version a request was judged by
    re.compile(r"TOKEN[-\w]*"),  # the stand-in for a signed token in the tests' links
    SETTING_NAMES,
]
# Words that are names, not English: units and formats a Chinese text writes in Latin letters.
# (The image formats a photo may be in: their names, as the phone and the file say them.)
ALLOWED_WORDS = frozenset({"KB", "MB", "CSV", "JPEG", "PNG", "WebP", "HEIC"})

WORD = re.compile(r"[A-Za-z]{2,}")
# Attributes a reader sees or hears; the others (class, id, name, value …) are for the machine.
SHOWN_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "placeholder"})


class _Shown(HTMLParser):
    """The text of a Chinese HTML document a reader sees or hears: text outside scripts and styles, and
    the attributes that are shown. An element marked as written in another language (a language switch's
    "English", ``lang="en"``) is that language's, not a leak."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._foreign: list[list[object]] = []  # [tag, depth] of the element in another language

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._foreign:
            if tag == self._foreign[-1][0]:
                self._foreign[-1][1] = int(str(self._foreign[-1][1])) + 1
            return
        lang = dict(attrs).get("lang")
        if tag != "html" and lang and not lang.startswith("zh"):
            self._foreign.append([tag, 1])
            return
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES]

    def handle_endtag(self, tag: str) -> None:
        if self._foreign:
            if tag == self._foreign[-1][0]:
                self._foreign[-1][1] = int(str(self._foreign[-1][1])) - 1
                if self._foreign[-1][1] == 0:
                    self._foreign.pop()
            return
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._foreign:
            self.parts.append(data)


def shown_text(html: str) -> str:
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def latin_words(text: str, *, html: bool = False) -> list[str]:
    """The Latin words in ``text`` (an HTML document when ``html``) outside the allowed tokens."""
    if html:
        text = shown_text(text)
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return [word for word in WORD.findall(text) if word not in ALLOWED_WORDS]
