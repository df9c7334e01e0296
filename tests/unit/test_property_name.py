"""Residents know their property, not the product: every page, e-mail and text a resident sees names
the property (the catalog's ``property.name``) and never says "Lobby"; the status page and the e-mail
use one word for a reopened request."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from lobby.requests import Event
from tests.chinese_only import shown_text
from tests.rendered import CATALOG, NOW, every_mail, every_page, requests_in_every_state
from views.messages import translate
from views.pages import resident
from views.texts import text_body

LANGS = ("zh", "en")
# Staff pages and e-mails are in the staff language whatever the resident's; the sample site is
# https://lobby.example (a test address, not a word a resident reads).
NAMES = tuple(CATALOG.property.name(lang) for lang in LANGS)


def shown(html: str) -> str:
    return shown_text(html).replace("lobby.example", "")


PAGES = [(lang, name, html) for lang in LANGS for name, html in every_page(lang)]
MAILS = [
    (lang, name, subject, text, html) for lang in LANGS for name, subject, text, html in every_mail(lang)
]


@pytest.mark.parametrize(("lang", "name", "html"), PAGES, ids=[f"{lang} {name}" for lang, name, _ in PAGES])
def test_every_page_is_titled_with_the_property_and_never_lobby(lang: str, name: str, html: str) -> None:
    assert "lobby" not in shown(html).lower(), name
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert any(property_name in title for property_name in NAMES), name


@pytest.mark.parametrize(
    ("lang", "name", "subject", "text", "html"), MAILS, ids=[f"{lang} {name}" for lang, name, *_ in MAILS]
)
def test_no_e_mail_says_lobby(lang: str, name: str, subject: str, text: str, html: str) -> None:
    for part in (subject, text.replace("lobby.example", ""), shown(html)):
        assert "lobby" not in part.lower(), name
    assert any(property_name in shown(html) for property_name in NAMES), name


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_is_signed_with_the_property_name(lang: str) -> None:
    request = replace(requests_in_every_state(CATALOG, lang)[0], lang=lang)
    for event_type in ("submitted", "acknowledge", "wait", "resolve", "cancel", "reopen", "note"):
        body = text_body(
            CATALOG, request, Event(event_type, NOW, "lobby", True, {}), "https://x.example/api/s/A"
        )
        assert body.startswith(("【海景花园】", "Harbour View Gardens: ")), body
        assert "lobby" not in body.lower().replace("x.example", "")


def test_the_status_page_and_the_e_mail_say_reopened_in_the_same_words() -> None:
    reopened = requests_in_every_state(CATALOG, "zh")[-1]
    page = shown_text(resident.status_page(CATALOG, reopened, [], "zh"))
    assert "已重新打开" in page and "已重新处理" not in page
    mails = [
        shown(html) for lang, name, _, _, html in MAILS if lang == "zh" and name.startswith("reopen reopened")
    ]
    assert mails and all("已重新打开" in mail and "已重新处理" not in mail for mail in mails)
    assert translate("zh", "status.reopened") == "已重新打开"
