"""Every box a person types into on the API's pages says its limit, and it is the limit the server holds
(``lobby.fields.STAFF_INPUTS`` for what staff type; the catalog's for the residents' fields)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from lobby.fields import STAFF_INPUTS
from tests.rendered import every_page

TYPED = frozenset({"text", "email", "tel", "search", "url", None})


class _Boxes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "textarea" or (tag == "input" and found.get("type") in TYPED):
            self.boxes.append(found)


PAGES = list(every_page("zh"))


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[name for name, _ in PAGES])
def test_every_text_box_has_the_servers_limit(name: str, html: str) -> None:
    parser = _Boxes()
    parser.feed(html)
    for box in parser.boxes:
        if box.get("name") in ("website",):  # the honeypot: for bots, never typed into by people
            continue
        assert box.get("maxlength"), f"{name}: {box.get('name')} has no limit"
        spec = STAFF_INPUTS.get(str(box.get("name")))
        if spec is not None:
            assert int(str(box["maxlength"])) == spec.max_length, f"{name}: {box.get('name')}"


def test_the_staff_pages_are_among_those_checked() -> None:
    names = {name.split(" ")[0] for name, _ in PAGES}
    assert {"confirm", "rate", "desk"} <= names
