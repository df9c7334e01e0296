"""The e-mail bodies: every value shown as text in both parts, never as markup in the HTML part."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest

from views.emails.bodies import BODIES, Link, render

HOSTILE = "<img src=x onerror=alert(1)> \"quoted\" & 'single' </td></table><a href='https://evil.example'>"


class Elements(HTMLParser):
    """The elements and the text of an HTML body, as a mail client would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text += data


def table(**overrides: Any) -> SimpleNamespace:
    values = {
        "title": HOSTILE,
        "columns": [HOSTILE, "b"],
        "rows": [[HOSTILE, "1"]],
        "empty": "",
        "note": HOSTILE,
    }
    return SimpleNamespace(**{**values, **overrides})


def contexts() -> dict[str, dict[str, Any]]:
    shared = {
        "lang": "en",
        "subject": HOSTILE,
        "property_name": HOSTILE,
        "footer": HOSTILE,
        "heading": HOSTILE,
    }
    return {
        "office_submitted": {
            **shared,
            "reference": "20261122-0001",
            "card": (HOSTILE, "https://lobby.example/desk/requests/20261122-0001"),
            "summary": [(HOSTILE, HOSTILE)],
            "fields_heading": HOSTILE,
            "fields": [("Description", HOSTILE)],
            "procedure_heading": HOSTILE,
            "procedure": HOSTILE,
            "actions_heading": HOSTILE,
            "actions": [("Take it", "https://lobby.example/api/actions/token?a=1&b=2")],
        },
        "resident_message": {
            **shared,
            "reference_label": HOSTILE,
            "reference": "20261122-0001",
            "paragraphs": [HOSTILE],
            "steps_heading": HOSTILE,
            "steps": [HOSTILE],
            "link": "https://lobby.example/status/?r=1&x=2",
            "link_label": HOSTILE,
        },
        "digest": {
            **shared,
            "intro": HOSTILE,
            "queue": (HOSTILE, "https://lobby.example/desk/"),
            "tables": [
                table(rows=[[Link(HOSTILE, "https://lobby.example/desk/requests/20261122-0001"), HOSTILE]]),
                table(rows=[], empty=HOSTILE, note=""),
            ],
        },
        "monthly": {
            **shared,
            "intro": HOSTILE,
            "headline_heading": HOSTILE,
            "headline": [(HOSTILE, HOSTILE)],
            "tables": [table()],
            "notes_heading": HOSTILE,
            "notes": [HOSTILE],
        },
    }


@pytest.mark.parametrize("name", sorted(BODIES))
def test_hostile_values_are_text_in_both_parts(name: str) -> None:
    text, html = render(name, contexts()[name])
    parsed = Elements(html)
    assert "img" not in parsed.tags and "script" not in parsed.tags
    assert all(href.startswith("https://lobby.example/") for href in parsed.hrefs)
    assert HOSTILE in parsed.text  # shown, as the resident typed it
    assert HOSTILE in text
    assert "<img" not in html


def test_links_keep_their_query_and_are_the_only_links() -> None:
    _, html = render("office_submitted", contexts()["office_submitted"])
    assert Elements(html).hrefs == [
        "https://lobby.example/desk/requests/20261122-0001",  # the request's card
        "https://lobby.example/api/actions/token?a=1&b=2",
    ]
    _, html = render("resident_message", contexts()["resident_message"])
    assert Elements(html).hrefs == ["https://lobby.example/status/?r=1&x=2"]


def test_optional_parts_are_left_out_when_empty() -> None:
    office = {**contexts()["office_submitted"], "actions": []}
    text, html = render("office_submitted", office)
    assert Elements(html).hrefs == ["https://lobby.example/desk/requests/20261122-0001"]
    assert "Take it" not in text
    resident = {**contexts()["resident_message"], "link": None, "steps": []}
    text, html = render("resident_message", resident)
    assert Elements(html).hrefs == [] and "<ul" not in html and "- " not in text.split("--")[0]


def test_an_empty_report_table_says_so_instead_of_showing_a_header() -> None:
    context = {**contexts()["digest"], "tables": [table(rows=[], empty="Nothing overdue.", note="")]}
    text, html = render("digest", context)
    assert "Nothing overdue." in Elements(html).text and "<th" not in html
    assert re.search(r"^Nothing overdue\.$", text, re.MULTILINE)


def test_a_missing_value_raises_rather_than_rendering_empty() -> None:
    context = dict(contexts()["resident_message"])
    del context["footer"]
    with pytest.raises(KeyError, match="footer"):
        render("resident_message", context)
