"""Staff sign in to the desk with a link from the outbox; sessions, cookies, CSRF and origins."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from lobby import clock
from tests.integration.conftest import Aws
from tests.integration.desk_client import (
    EMAIL,
    ROSTER,
    Browser,
    install_roster,
    sign_in_link,
    signed_in,
)


@pytest.fixture
def desk(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    install_roster(monkeypatch)
    return aws


def _signin_items(aws: Aws) -> list[dict[str, object]]:
    return [item for item in aws.items() if "#SIGNIN#" in item["PK"]["S"] and item["SK"]["S"] == "SIGNIN"]


def _sessions(aws: Aws) -> list[dict[str, object]]:
    return [item for item in aws.items() if item["SK"]["S"] == "SESSION"]


def test_a_link_from_the_outbox_signs_in_once_with_a_safe_cookie(desk: Aws) -> None:
    browser = Browser()
    asked = browser.post("/desk/sign-in", {"email": "Li.Ming@harbour-view.example"})
    assert asked.status == 200 and "请查收邮件" in asked.text
    link = sign_in_link(desk, EMAIL["李明"])
    [mail] = [mail for mail in desk.sent() if mail.to == [EMAIL["李明"]]]
    assert mail.subject == "登录服务台" and "有效期至" in mail.html

    # Opening the link (a mail scanner does) changes nothing: twice, still one pending sign-in.
    assert browser.get(link).status == 200
    page = browser.get(link)
    assert page.status == 200 and "确认登录" in page.text
    # The origin only, never the link's path: and a browser sends Origin (not "null") with its forms.
    assert page.headers["Referrer-Policy"] == "strict-origin"
    assert len(_signin_items(desk)) == 1 and _sessions(desk) == []

    signed = browser.post(link, {})
    assert signed.status == 303 and signed.headers["Location"] == "/desk/"
    [cookie] = signed.cookies
    name, _, value = cookie.partition(";")[0].partition("=")
    attributes = [part.strip() for part in cookie.split(";")[1:]]
    assert name == "__Host-lobby-desk" and len(value) >= 43
    assert {"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} <= set(attributes)
    [max_age] = [int(part.split("=")[1]) for part in attributes if part.startswith("Max-Age=")]
    assert 0 < max_age <= 12 * 3600
    [session] = _sessions(desk)
    assert value not in str(session)  # the table holds a hash of the id, never the id
    assert _signin_items(desk) == []

    queue = browser.get("/desk/")
    assert queue.status == 200 and "李明" in queue.text and "客户服务中心待办队列" in queue.text

    # The same link again: refused, in words, and no second session.
    again = Browser().post(link, {})
    assert again.status == 410 and "已经用过" in again.text and not again.cookies
    assert len(_sessions(desk)) == 1


def test_an_unknown_address_gets_the_same_page_and_nothing_is_sent_or_stored(desk: Aws) -> None:
    known = Browser().post("/desk/sign-in", {"email": EMAIL["王强"]})
    before = len(desk.items())
    unknown = Browser().post("/desk/sign-in", {"email": "stranger@harbour-view.example"})
    assert unknown.status == known.status == 200
    assert unknown.body == known.body
    assert len(desk.items()) == before
    desk.notify_batch()
    assert [mail.to for mail in desk.sent()] == [[EMAIL["王强"]]]


def test_a_malformed_address_is_refused_with_the_form_again(desk: Aws) -> None:
    answer = Browser(lang="en").post("/desk/sign-in", {"email": "not an address"})
    assert answer.status == 422 and "Enter an e-mail address in the correct format" in answer.text
    assert _signin_items(desk) == []


def test_an_expired_link_is_refused_and_opens_nothing(desk: Aws) -> None:
    browser = Browser()
    browser.post("/desk/sign-in", {"email": EMAIL["李明"]})
    link = sign_in_link(desk, EMAIL["李明"])
    clock.set_time(datetime.now(UTC) + timedelta(minutes=16))
    try:
        shown = browser.get(link)
        used = browser.post(link, {})
    finally:
        clock.set_time(None)
    assert shown.status == used.status == 410
    assert "已过期" in used.text and not used.cookies and _sessions(desk) == []


def test_a_tampered_link_is_refused(desk: Aws) -> None:
    browser = Browser(lang="en")
    browser.post("/desk/sign-in", {"email": EMAIL["李明"]})
    link = sign_in_link(desk, EMAIL["李明"])
    payload, signature = link.rsplit("/", 1)[1].split(".")
    forged = f"/desk/sign-in/{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    answer = browser.post(forged, {})
    assert answer.status == 404 and "not valid" in answer.text
    assert _sessions(desk) == [] and len(_signin_items(desk)) == 1


def test_a_session_ends_with_sign_out_and_cannot_be_replayed(desk: Aws) -> None:
    browser = signed_in(desk, "王强")
    stolen = dict(browser.jar)
    page = browser.get("/desk/")
    out = browser.post("/desk/sign-out", {"csrf": browser.csrf(page)})
    assert out.status == 200 and "已退出登录" in out.text
    assert any("Max-Age=0" in cookie for cookie in out.cookies)
    assert _sessions(desk) == []
    replay = Browser(jar=stolen).get("/desk/")
    assert replay.status == 401 and "登录已结束" in replay.text


def test_an_expired_session_is_refused(desk: Aws) -> None:
    browser = signed_in(desk, "王强")
    clock.set_time(datetime.now(UTC) + timedelta(hours=12, minutes=1))
    try:
        answer = browser.get("/desk/")
    finally:
        clock.set_time(None)
    assert answer.status == 401 and "登录已结束" in answer.text


def test_taking_someone_off_the_roster_revokes_their_session(
    desk: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = signed_in(desk, "王强")
    assert browser.get("/desk/").status == 200
    install_roster(monkeypatch, [person for person in ROSTER if person["name"] != "王强"])
    answer = browser.get("/desk/")
    assert answer.status == 401 and _sessions(desk) == []


def test_no_session_no_desk(desk: Aws) -> None:
    answer = Browser(lang="en").get("/desk/")
    assert answer.status == 401 and "Sign in to the desk first" in answer.text


def test_a_post_without_the_csrf_token_or_from_another_origin_changes_nothing(desk: Aws) -> None:
    browser = signed_in(desk, "王强")
    token = browser.csrf(browser.get("/desk/"))
    missing = browser.post("/desk/sign-out", {})
    wrong = browser.post("/desk/sign-out", {"csrf": token[:-1] + ("x" if token[-1] != "x" else "y")})
    other = browser.post("/desk/sign-out", {"csrf": token}, headers={"origin": "https://evil.example"})
    browser.origin = None
    no_origin = browser.post("/desk/sign-out", {"csrf": token})
    for answer in (missing, wrong, other, no_origin):
        assert answer.status == 403
    assert "安全令牌" in missing.text and "不是从服务台页面发出" in other.text
    assert len(_sessions(desk)) == 1  # still signed in: nothing changed
    browser.origin = "https://lobby.example"
    assert browser.get("/desk/").status == 200


def test_a_sign_in_request_from_another_origin_sends_nothing(desk: Aws) -> None:
    answer = Browser().post(
        "/desk/sign-in", {"email": EMAIL["李明"]}, headers={"origin": "https://evil.example"}
    )
    assert answer.status == 403 and _signin_items(desk) == []


def test_the_desk_speaks_the_staff_members_language(desk: Aws) -> None:
    browser = signed_in(desk, "王强", lang="en")
    assert "Engineering and Maintenance: queue" in browser.get("/desk/").text
    chosen = browser.get("/desk/", {"lang": "zh"})
    assert "工程维修部待办队列" in chosen.text
    assert re.search(r"lobby-lang=zh", " ".join(chosen.cookies))
    assert "工程维修部待办队列" in browser.get("/desk/").text  # the choice is remembered
