"""After every staff action the request's owner gets an e-mail: what was done and by whom, the request's
card, and signed links for each next step the new state allows, so the thread never lives only in a tab.

Typed names (an e-mailed link, nobody signed in) are recorded as unverified and their owner e-mail goes to
the office's mailbox; a signed-in owner (the desk) gets it at their roster address.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urlparse

import pytest

from lobby import links
from lobby.catalog import load_catalog
from lobby.lifecycle import apply, available_actions
from lobby.requests import RESIDENT, Actor
from lobby.service import open_store
from lobby.settings import get_settings
from tests.integration.conftest import (
    OFFICE_EMAILS,
    SIGNING_SECRET,
    Aws,
    SentMail,
    post_form,
    post_json,
    repair_fields,
)
from views.labels import action_label

ENGINEERING = OFFICE_EMAILS["engineering"]
STAFF = "李师傅"
SIGNED_IN = Actor.signed_in("王强", "wang.qiang@harbour-view.example")
CARD = "https://lobby.example/desk/requests/{reference}"
# The inputs each action needs besides the name.
INPUTS = {
    "wait": {"note": "等住户回复方便的时间。"},
    "resolve": {"note": "已更换阀芯，试水正常。"},
    "cancel": {"note": "住户已自行修好。"},
    "note": {"note": "已约好下午上门。", "visibility": "internal"},
    "retriage": {"size": "medium"},
    "reassign": {"office": "service-centre"},
}
# How each action is reached from a new repair: the steps before it.
BEFORE = {
    "acknowledge": [],
    "start": ["acknowledge"],
    "wait": ["acknowledge"],
    "resume": ["acknowledge", "wait"],
    "resolve": ["acknowledge", "start"],
    "retriage": ["acknowledge"],
    "note": ["acknowledge"],
    "cancel": ["acknowledge"],
}


def _submit(aws: Aws) -> str:
    reference = str(post_json("/api/requests/repair", repair_fields()).json()["reference"])
    aws.notify_batch()
    return reference


def _act(aws: Aws, reference: str, action: str, actor: str = STAFF) -> None:
    token = links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    answer = post_form(f"/api/actions/{token}", {"actor": actor, **INPUTS.get(action, {})})
    assert answer.status == 200, answer.body
    aws.notify_batch()


def _anchors(mail: SentMail) -> list[tuple[str, str]]:
    return [
        (unescape(text).strip(), unescape(href))
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', mail.html)
    ]


def _owner_mails(aws: Aws, to: str, label: str) -> list[SentMail]:
    heading = f"已完成“{label}”"
    return [mail for mail in aws.sent() if mail.to == [to] and heading in unescape(mail.html)]


def _assert_next_steps(mail: SentMail, reference: str) -> None:
    """The card, and a signed link for exactly the actions the request's state allows now."""
    catalog = load_catalog()
    request = open_store(catalog, get_settings()).get_request(reference)
    assert request is not None
    anchors = _anchors(mail)
    assert ("在服务台打开诉求卡片", CARD.format(reference=reference)) in anchors
    offered = {text: href for text, href in anchors if "/api/actions/" in href}
    expected = [action_label(action, "zh") for action in available_actions(request, catalog)]
    assert list(offered) == expected
    for action in available_actions(request, catalog):
        token = urlparse(offered[action_label(action, "zh")]).path.rsplit("/", 1)[-1]
        link = links.verify(SIGNING_SECRET.encode(), token, datetime.now(UTC))
        assert (link.reference, link.action) == (reference, action)


@pytest.mark.parametrize("action", list(BEFORE))
def test_the_owner_gets_the_card_and_the_next_steps_after_each_action(aws: Aws, action: str) -> None:
    reference = _submit(aws)
    for step in BEFORE[action]:
        _act(aws, reference, step)
    before = len(aws.sent())

    _act(aws, reference, action)

    label = action_label(action, "zh")
    [mail] = _owner_mails(aws, ENGINEERING, label)[-1:]
    assert mail in aws.sent()[before:]  # sent after this action, not an earlier one
    assert reference in mail.subject
    html = unescape(mail.html)
    assert f"{STAFF}（姓名未验证）" in html  # a typed name, recorded and shown as unverified
    _assert_next_steps(mail, reference)


def test_after_cancelling_the_owner_is_told_nothing_is_left_to_do(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge")
    _act(aws, reference, "cancel")
    [mail] = _owner_mails(aws, ENGINEERING, action_label("cancel", "zh"))
    assert "这份诉求没有待办的下一步了" in unescape(mail.html)
    assert not [href for _, href in _anchors(mail) if "/api/actions/" in href]
    assert ("在服务台打开诉求卡片", CARD.format(reference=reference)) in _anchors(mail)


def test_a_recorded_follow_up_reaches_the_owner(aws: Aws) -> None:
    reference = _submit(aws)
    for step in ("acknowledge", "resolve"):
        _act(aws, reference, step)
    token = links.sign(
        SIGNING_SECRET.encode(), reference, "followup", datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    answer = post_form(f"/api/actions/{token}", {"actor": "赵客服", "satisfied": "yes", "quality": "5"})
    assert answer.status == 200, answer.body
    aws.notify_batch()
    [mail] = _owner_mails(aws, ENGINEERING, action_label("followup", "zh"))
    assert "赵客服（姓名未验证）" in unescape(mail.html)
    _assert_next_steps(mail, reference)


def _act_signed_in(aws: Aws, reference: str, action: str, inputs: dict[str, str]) -> None:
    """An action as the desk takes it: the signed-in person through the lifecycle's actor."""
    catalog = load_catalog()
    store = open_store(catalog, get_settings())
    request = store.get_request(reference)
    assert request is not None
    change = apply(catalog, request, action, inputs, datetime.now(UTC), SIGNED_IN)
    store.save_change(request, change.request, change.event)
    aws.notify_batch()


def test_a_signed_in_owner_gets_their_next_steps_at_their_own_address(aws: Aws) -> None:
    reference = _submit(aws)
    _act_signed_in(aws, reference, "acknowledge", {})
    [mail] = _owner_mails(aws, SIGNED_IN.email or "", action_label("acknowledge", "zh"))
    html = unescape(mail.html)
    assert "王强" in html and "姓名未验证" not in html
    _assert_next_steps(mail, reference)
    assert not _owner_mails(aws, ENGINEERING, action_label("acknowledge", "zh"))

    # Passed to another office, the owner keeps the thread; the new office gets the request itself.
    _act_signed_in(aws, reference, "reassign", INPUTS["reassign"])
    [mail] = _owner_mails(aws, SIGNED_IN.email or "", action_label("reassign", "zh"))
    _assert_next_steps(mail, reference)
    assert [m for m in aws.sent() if m.to == [OFFICE_EMAILS["service-centre"]] and reference in m.subject]


def test_a_signed_in_owner_hears_that_the_resident_reopened_their_request(aws: Aws) -> None:
    reference = _submit(aws)
    _act_signed_in(aws, reference, "acknowledge", {})
    _act_signed_in(aws, reference, "resolve", INPUTS["resolve"])
    catalog = load_catalog()
    store = open_store(catalog, get_settings())
    request = store.get_request(reference)
    assert request is not None
    change = apply(catalog, request, "reopen", {"note": "还在漏水"}, datetime.now(UTC), RESIDENT)
    store.save_change(request, change.request, change.event)
    aws.notify_batch()
    [mail] = _owner_mails(aws, SIGNED_IN.email or "", action_label("reopen", "zh"))
    assert "重新打开" in mail.subject + unescape(mail.html)
    _assert_next_steps(mail, reference)


def test_a_typed_reassignment_leaves_the_new_office_one_mail(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge")
    _act(aws, reference, "reassign")
    to_new_office = [m for m in aws.sent() if m.to == [OFFICE_EMAILS["service-centre"]]]
    assert len(to_new_office) == 1 and reference in to_new_office[0].subject
    assert not _owner_mails(aws, ENGINEERING, action_label("reassign", "zh"))


def test_the_typed_name_is_stored_as_unverified(aws: Aws) -> None:
    reference = _submit(aws)
    _act(aws, reference, "acknowledge")
    [stored] = [item for item in aws.requests() if item["reference"]["S"] == reference]
    assert stored["owner"]["S"] == STAFF and stored["owner_verified"]["BOOL"] is False
    assert "owner_email" not in stored
    events = [
        item
        for item in aws.items()
        if item["PK"]["S"].endswith(reference) and item.get("event", {}).get("S") == "acknowledge"
    ]
    assert [event["data"]["M"]["verified"]["BOOL"] for event in events] == [False]
