"""Whatever a resident types, the e-mails it causes carry it as text: no markup, no attribute, no
extra header, no extra recipient. Hypothesis writes hostile names, addresses and descriptions,
the API stores them, the notify function mails them (moto's SES keeps what was sent)."""

from __future__ import annotations

import os
from html import unescape
from html.parser import HTMLParser

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import OFFICE_EMAILS, Aws, post_json, repair_fields

EXAMPLES = int(os.environ.get("LOBBY_FUZZ_EXAMPLES", "50")) // 2

# Pieces of markup and header syntax that must reach the reader as the characters they are.
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><x-evil a="',
    "' onmouseover='alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
    "{{ 7*7 }}",
    "{% raw %}",
    "&amp;",
    "\u202e",
    "\u2028Bcc: victim@example.com",
    "Bcc: victim@example.com",
    "%0d%0aBcc: victim@example.com",
]
ONE_LINE_HOSTILE = [piece for piece in HOSTILE if "\n" not in piece]


def hostile(max_size: int, multiline: bool) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(
        [*HOSTILE, "\r\nBcc: victim@example.com\r\n", "\n\n"] if multiline else ONE_LINE_HOSTILE
    )
    words = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=6)
    return (
        st.lists(st.one_of(pieces, words), min_size=1, max_size=6)
        .map(lambda parts: " ".join(parts)[:max_size])
        .filter(lambda text: len(text.strip()) >= 5)
    )


class Markup(HTMLParser):
    """The elements and attributes of an e-mail's HTML, as a mail client would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "href":
                self.links.append(value or "")


def markup(html: str) -> Markup:
    parsed = Markup()
    parsed.feed(html)
    parsed.close()
    return parsed


@settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("LOBBY_FUZZ_RANDOM") != "1",
    deadline=None,
    # Strict fields (phones, invisible names) refuse many draws; those are skipped by the assume()
    # below, and hypothesis still fails the test if no draw at all reaches a mail.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@example(  # every piece at least once, whatever the draws
    name="<script>alert(1)</script> <img src=x onerror=alert(1)>",
    building="3\u2028Bcc: v@example.co",
    unit='"><x-evil a="',
    description="\r\n".join(HOSTILE),
)
@example(
    name="' onmouseover='alert(1)",
    building="{{ 7*7 }}",
    unit="\u202e1502",
    description="%0d%0aBcc: x\n\nBody",
)
@given(
    name=hostile(60, multiline=False),
    building=hostile(20, multiline=False),
    unit=hostile(20, multiline=False),
    description=hostile(2000, multiline=True),
)
def test_hostile_text_reaches_the_mail_as_text(
    aws: Aws, name: str, building: str, unit: str, description: str
) -> None:
    fields = repair_fields(name=name, building=building, unit=unit, description=description)
    response = post_json("/api/requests/repair", fields)
    assume(response.status == 201)  # refused input never reaches a mail; other tests cover refusals
    reference = response.json()["reference"]
    already = len(aws.sent())
    assert aws.notify_batch()["batchItemFailures"] == []
    mails = aws.sent()[already:]

    assert sorted(mail.to for mail in mails) == sorted(
        [[OFFICE_EMAILS["engineering"]], ["resident@example.com"]]
    )
    for mail in mails:
        assert not set(mail.subject) & {"\r", "\n", "\u2028", "\u2029"}, mail.subject  # one header line
        assert mail.subject.startswith(f"[{reference}]")
        parsed = markup(mail.html)
        assert not parsed.tags & {"script", "img", "x-evil"}, parsed.tags
        assert not any(attribute.startswith("on") for attribute in parsed.attributes), parsed.attributes
        assert all(link.startswith("https://lobby.example/") for link in parsed.links), parsed.links

    # The office reads what the resident wrote, as it was stored: as text, not as markup.
    [stored] = [item for item in aws.requests() if item["reference"]["S"] == reference]
    office = next(mail for mail in mails if mail.to == [OFFICE_EMAILS["engineering"]])
    shown = unescape(office.html)
    for field in ("name", "building", "unit", "description"):
        assert stored["fields"]["M"][field]["S"] in shown, field
