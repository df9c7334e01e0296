"""What a resident (or an administrator on a phone) sees on a 390 px screen: the reference on one line,
the deploy page's parameter names broken only between their words, the rating e-mail's link a button, and
(down to 360 px) the header's whole title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from lobby.requests import Event
from tests.chinese_only import shown_text
from tests.rendered import CATALOG, event_mails, requests_in_every_state, sample_request, signer
from tests.site.test_site_api_pages import _with_policy
from views.pages import resident

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reference_stays_on_one_line(built_site: Path, site_url: str, phone: Any, lang: str) -> None:
    request = sample_request(CATALOG, lang, "paid-service")
    html = resident.receipt_page(CATALOG, request, lang, False, "/api/s/AAAAAAAAAAAAAAAA")
    (built_site / f"receipt-check-{lang}.html").write_text(_with_policy(html), encoding="utf-8")
    phone.goto(f"{site_url}/receipt-check-{lang}.html")
    lines = phone.evaluate(
        """() => { const range = document.createRange();
                   range.selectNodeContents(document.querySelector('.lobby-reference strong'));
                   return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size; }"""
    )
    assert lines == 1
    # However narrow the screen or large the text, the browser may not break it at its hyphen.
    assert (
        phone.evaluate("getComputedStyle(document.querySelector('.lobby-reference')).whiteSpace") == "nowrap"
    )
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_headers_title_is_shown_whole_on_a_narrow_phone(browser: Any, site_url: str, lang: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{site_url}/" if lang == "zh" else f"{site_url}/en/")
    title = page.query_selector(".md-header__title .md-header__topic .md-ellipsis")
    shown = title.evaluate(
        """(span) => ({ text: span.innerText, wide: span.scrollWidth - span.clientWidth,
                       tall: span.scrollHeight - span.clientHeight,
                       header: document.querySelector('.md-header').getBoundingClientRect().height })"""
    )
    context.close()
    assert shown["text"] == (
        "海景花园 · 物业服务台" if lang == "zh" else "Harbour View Gardens · Service Desk"
    )
    assert shown["wide"] <= 0 and shown["tall"] <= 0, shown  # nothing cut off with "…"
    assert shown["header"] == 48  # the header keeps its height: the title takes a second line inside it


def test_parameter_names_break_only_between_words(site_url: str, phone: Any) -> None:
    phone.goto(f"{site_url}/admin/deploy/")
    split = phone.evaluate(
        """() => [...document.querySelectorAll('.lobby-parameter-table code.lobby-name')].flatMap((code) =>
             [...code.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).filter((word) => {
               const range = document.createRange();
               range.selectNodeContents(word);
               return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
             }).map((word) => word.textContent))"""
    )
    names = phone.eval_on_selector_all(".lobby-parameter-table code.lobby-name", "codes => codes.length")
    assert names >= 10
    assert split == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_resolved_e_mail_links_to_the_rating_with_a_labelled_button(lang: str) -> None:
    resolved = requests_in_every_state(CATALOG, lang)[4]
    resolved = replace(resolved, fields={**resolved.fields, "notify_by": "email"})  # e-mail, not texts
    event = Event("resolve", resolved.resolved_at, "李师傅", True, {"note": "已更换水龙头"})
    [mail] = [mail for mail in event_mails(CATALOG, resolved, event) if mail.role == "resident"]
    rate = signer(resolved, "rate")
    assert f'href="{rate}"' in mail.html
    assert rate not in shown_text(mail.html)  # a button with words, never the raw address
    assert rate in mail.text  # the plain-text part still carries it
