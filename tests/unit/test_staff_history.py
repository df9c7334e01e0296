"""A request's history as staff read it: after the name of whoever took each step.

The resident's wording speaks to the resident ("we received your request", "the resident
added: …"); put after an actor's name on the desk card or a signed link's page it would read
"Resident The resident added" or "王五 已收到您的诉求". Staff get their own wording where a step needs it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lobby.requests import LOBBY, RESIDENT, Event
from views.pages.signed_links import history_list
from views.wording import actor_text, event_text

LOCALE = Path(__file__).resolve().parents[2] / "functions" / "views" / "locale"
AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
STAFF = "王五"
ADDRESSED_TO_THE_RESIDENT = {"zh": re.compile("您"), "en": re.compile(r"\b(you|your)\b", re.IGNORECASE)}


def event_types() -> list[str]:
    text = (LOCALE / "en" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'^msgid "event\.([a-z_]+)"$', text, re.MULTILINE)) - {"other"})


def event(kind: str, actor: str, **data: str) -> Event:
    return Event(type=kind, at=AT, actor=actor, public=True, data={"note": "楼上也在漏水", **data})


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("actor", [RESIDENT.name, STAFF, LOBBY.name])
@pytest.mark.parametrize("kind", event_types())
def test_no_staff_line_speaks_to_the_resident_or_names_its_actor_twice(
    kind: str, actor: str, lang: str
) -> None:
    step = event(kind, actor, channel="phone")
    line = event_text(step, lang, for_staff=True)
    assert not ADDRESSED_TO_THE_RESIDENT[lang].search(line), line
    who = actor_text(step, lang)
    assert not line.lower().startswith((who.lower(), "the resident", "住户")), f"{who} {line}"


def test_staff_read_who_added_information_once() -> None:
    step = event("info", RESIDENT.name)
    assert (
        f"{actor_text(step, 'zh')} {event_text(step, 'zh', for_staff=True)}" == "住户 补充说明：楼上也在漏水"
    )
    assert (
        f"{actor_text(step, 'en')} {event_text(step, 'en', for_staff=True)}" == "Resident added: 楼上也在漏水"
    )
    # The resident's own page keeps saying whose note it is.
    assert event_text(step, "zh") == "住户补充说明：楼上也在漏水"


def test_the_history_on_a_signed_links_page_uses_the_staff_wording() -> None:
    from lobby.catalog import load_catalog

    steps = [event("submitted", RESIDENT.name, channel="web"), event("info", RESIDENT.name)]
    html = history_list(load_catalog(), steps, "zh")
    assert "住户</span> 在网上提交了诉求" in html
    assert "住户</span> 补充说明：楼上也在漏水" in html
    assert "您" not in html


@pytest.mark.parametrize(
    ("channel", "zh", "en"),
    [
        ("web", "已收到您的诉求（网上提交）", "We received your request (online)"),
        ("phone", "已收到您的诉求（电话登记）", "We received your request (by phone)"),
        ("in_person", "已收到您的诉求（前台登记）", "We received your request (at the front desk)"),
        ("letter", "已收到您的诉求（信函登记）", "We received your request (by letter)"),
        (
            "government",
            "已收到政府部门转来的您的诉求",
            "We received your request, forwarded by a government body",
        ),
    ],
)
def test_the_resident_reads_how_their_request_came(channel: str, zh: str, en: str) -> None:
    actor = RESIDENT.name if channel == "web" else STAFF
    step = event("submitted", actor, channel=channel)
    assert (event_text(step, "zh"), event_text(step, "en")) == (zh, en)


def test_staff_read_how_a_registered_request_came() -> None:
    step = event("submitted", STAFF, channel="phone")
    assert event_text(step, "zh", for_staff=True) == "登记了诉求（来源：电话）"
    assert event_text(step, "en", for_staff=True) == "registered the request (how it came: Phone)"
