"""Every Chinese page and e-mail is wholly Chinese: no key, role or English sentence leaks into it.

``tests/chinese_only.py`` says what counts as a leak; ``tests/rendered.py`` renders every page the API
draws and every e-mail Lobby sends, for requests in every state with a history of every kind of step.
"""

from __future__ import annotations

import pytest

from tests.chinese_only import latin_words, shown_text
from tests.rendered import every_mail, every_page


def test_the_check_finds_english_and_keys_but_not_what_is_allowed() -> None:
    assert latin_words("resident: 已收到您的诉求") == ["resident"]
    assert latin_words("住户评价：quality: 2, effect: 2") == ["quality", "effect"]
    assert latin_words("维修规模调整为 medium") == ["medium"]
    allowed = (
        "编号 20261123-0007，请打开 https://lobby.example/api/actions/abc.DEF?x=1 或 /desk/requests/20261123-0007；"
        "邮箱 wang.li@example.com，电话 tel:+8613912345678；规则版本 2026.11.1+ab12cd34；A栋 3 单元；上限 16 KB"
    )
    assert latin_words(allowed) == []


def test_the_check_reads_what_a_page_shows_and_skips_what_it_does_not() -> None:
    page = (
        '<html><head><title>Status</title><script type="application/json">{"sending": "正在提交"}</script>'
        '<style>.lobby-page{color:red}</style></head><body class="lobby-page">'
        '<a href="/status/" aria-label="Back">返回</a><input name="actor" value="yes" placeholder="Name">'
        "<p>已办结</p></body></html>"
    )
    assert latin_words(page, html=True) == ["Status", "Back", "Name"]
    assert "sending" not in shown_text(page) and "lobby" not in shown_text(page)
    # A language switch names the other language in that language, and says so.
    switch = '<html lang="zh"><p>切换到 <a href="?lang=en" lang="en"><span>English</span> here</a>。Oops</p></html>'
    assert latin_words(switch, html=True) == ["Oops"]


PAGES = list(every_page("zh"))
MAILS = list(every_mail("zh"))


def test_every_state_and_step_is_rendered() -> None:
    names = " ".join(name for name, _ in PAGES)
    for expected in ("receipt repair", "status reopened", "confirm reassign", "done waiting", "rate staff"):
        assert expected in names
    mail_names = " ".join(name for name, *_ in MAILS)
    for expected in ("submitted", "reopen", "reassign", "reminder director", "digest", "monthly"):
        assert expected in mail_names


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[name for name, _ in PAGES])
def test_every_chinese_page_is_wholly_chinese(name: str, html: str) -> None:
    assert latin_words(html, html=True) == [], name


@pytest.mark.parametrize(("name", "subject", "text", "html"), MAILS, ids=[name for name, *_ in MAILS])
def test_every_chinese_e_mail_is_wholly_chinese(name: str, subject: str, text: str, html: str) -> None:
    assert latin_words(subject) == [], f"{name}: subject"
    assert latin_words(text) == [], f"{name}: text part"
    assert latin_words(html, html=True) == [], f"{name}: HTML part"
