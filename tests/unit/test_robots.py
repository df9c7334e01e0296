"""The offices' group robots: the card (what it says, never who asked), its size, DingTalk's signature,
the per-robot rate, and every answer a platform can give, against a local HTTP receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.office_digest import office_digest
from lobby.requests import Event, ServiceRequest
from lobby.robots import (
    DINGTALK,
    MARKDOWN_BYTES,
    WECOM,
    ChatPost,
    Robot,
    RobotBusy,
    RobotFailed,
    RobotMissing,
    cut_utf8,
    dingtalk_signature,
    find_robot,
    fit_markdown,
    post,
    signed_url,
    take_turn,
)
from tests.robot_receiver import Receiver, robot_receiver
from views.chat import digest_card, event_card

CATALOG = load_catalog(SOURCE_YAML)
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
SITE = "https://lobby.example"
REQUEST = ServiceRequest(
    reference="20261123-0001",
    kind="repair",
    office="engineering",
    status="received",
    lang="zh",
    fields={
        "category": "water",
        "size": "minor",
        "name": "李华",
        "phone": "13800138000",
        "email": "li@example.com",
        "building": "3栋",
        "unit": "1502",
        "description": "厨房水龙头一直滴水。",
    },
    received_at=NOW - timedelta(hours=1),
    acknowledge_due=NOW + timedelta(hours=3),
    resolve_due=None,
    catalog_version=CATALOG.catalog_version,
)
SUBMITTED = Event("submitted", NOW - timedelta(hours=1), "resident", True, {"channel": "web"})


# the card -----------------------------------------------------------------------------------------------
def test_the_card_gives_reference_kind_place_deadline_and_the_desk_link_never_the_resident() -> None:
    title, markdown = event_card(CATALOG, SITE, REQUEST, SUBMITTED, MARKDOWN_BYTES)

    assert "报修" in title
    assert "20261123-0001" in markdown
    assert "3栋 1502" in markdown
    assert "11月23日" in markdown or "2026" in markdown  # the acknowledge deadline, local time
    assert markdown.endswith(f"({SITE}/desk/requests/20261123-0001)")
    for personal in ("13800138000", "li@example.com", "李华", "滴水"):
        assert personal not in markdown and personal not in title


def test_the_card_names_the_reminders_stage_and_a_reopened_request() -> None:
    overdue = Event("reminder", NOW, "lobby", False, {"stage": "repeat", "step": "resolve#repeat"})
    escalated = Event("reminder", NOW, "lobby", False, {"stage": "director", "step": "resolve#director"})
    reopened = Event("reopen", NOW, "resident", True, {"via": "rate"})

    assert "已超时" in event_card(CATALOG, SITE, REQUEST, overdue, MARKDOWN_BYTES)[0]
    assert "升级至主任" in event_card(CATALOG, SITE, REQUEST, escalated, MARKDOWN_BYTES)[0]
    assert "已重新打开" in event_card(CATALOG, SITE, REQUEST, reopened, MARKDOWN_BYTES)[0]


def test_typed_markup_in_the_place_cannot_add_a_link_or_a_line() -> None:
    hostile = replace(REQUEST, fields={**REQUEST.fields, "unit": "1502\n[点我](https://evil.example) **急**"})
    _, markdown = event_card(CATALOG, SITE, hostile, SUBMITTED, MARKDOWN_BYTES)

    assert "](https://evil.example)" not in markdown
    assert "**急**" not in markdown
    assert markdown.count("\n> ") == 4  # four rows, one line each


def test_the_digest_card_counts_and_links_the_overdue_requests_and_the_queue() -> None:
    late = replace(REQUEST, acknowledge_due=NOW - timedelta(hours=1))
    digest = office_digest(
        "engineering", [late, replace(REQUEST, reference="20261123-0002")], [], NOW, "Asia/Shanghai"
    )
    title, markdown = digest_card(CATALOG, SITE, digest, MARKDOWN_BYTES)

    assert "逾期 1 项" in title and "未结共 2 项" in title
    assert f"[20261123-0001]({SITE}/desk/requests/20261123-0001)" in markdown
    assert markdown.endswith(f"({SITE}/desk/)")


def test_a_card_over_the_limit_is_cut_on_a_character_and_keeps_its_link() -> None:
    body = "**标题**\n" + "水" * 3000  # 9,000 bytes of UTF-8
    link = f"[打开]({SITE}/desk/requests/20261123-0001)"
    fitted = fit_markdown(body, link)

    assert len(fitted.encode()) <= MARKDOWN_BYTES
    assert len(fitted.encode()) > MARKDOWN_BYTES - 4  # cut as late as the characters allow
    assert fitted.endswith(f"…\n\n{link}")
    assert fit_markdown("short", link) == f"short\n\n{link}"
    assert cut_utf8("水水", 4) == "水"  # never half a character


def test_a_long_digest_card_stays_within_the_limit() -> None:
    many = [
        replace(REQUEST, reference=f"20261123-{n:04d}", acknowledge_due=NOW - timedelta(hours=1))
        for n in range(1, 400)
    ]
    _, markdown = digest_card(
        CATALOG, SITE, office_digest("engineering", many, [], NOW, "Asia/Shanghai"), MARKDOWN_BYTES
    )

    assert len(markdown.encode()) <= MARKDOWN_BYTES
    assert markdown.endswith(f"({SITE}/desk/)")


# the signature ------------------------------------------------------------------------------------------
def test_dingtalk_signature_is_the_documented_hmac() -> None:
    # printf '%s' "1700000000000\nSECtest" | openssl dgst -sha256 -hmac "SECtest" -binary | base64
    assert dingtalk_signature("SECtest", 1700000000000) == "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="


def test_a_signed_robots_url_carries_the_timestamp_and_the_url_encoded_sign() -> None:
    robot = Robot(DINGTALK, "engineering", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECtest")
    moment = datetime.fromtimestamp(1700000000, UTC)
    url = signed_url(robot, moment)
    query = parse_qs(urlsplit(url).query)

    assert query["access_token"] == ["t"]
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == ["aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="]
    assert "%2B" in url or "%3D" in url  # the base64 is URL-encoded in the query
    assert signed_url(replace(robot, secret=None), moment) == robot.url
    assert signed_url(replace(robot, platform=WECOM), moment) == robot.url


# the rate -----------------------------------------------------------------------------------------------
class Counters:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def take(self, counter: str, limit: int, expires_at: int) -> bool:
        if self.counts.get(counter, 0) >= limit:
            return False
        self.counts[counter] = self.counts.get(counter, 0) + 1
        return True


def test_a_robot_posts_twenty_a_minute_then_the_rest_wait_for_the_next_minute() -> None:
    counters = Counters()
    robot = Robot(WECOM, "engineering", "https://example.invalid/hook")
    for _ in range(20):
        take_turn(counters, robot, NOW)
    with pytest.raises(RobotBusy) as busy:
        take_turn(counters, robot, NOW + timedelta(seconds=59))
    assert busy.value.code == "wecom-busy"
    take_turn(counters, Robot(DINGTALK, "engineering", "https://example.invalid/other"), NOW)  # its own
    take_turn(counters, robot, NOW + timedelta(minutes=1))


# the post -----------------------------------------------------------------------------------------------
@pytest.fixture
def receiver() -> object:
    with robot_receiver() as running:
        yield running


def chat(receiver: Receiver, platform: str, secret: str | None = None) -> ChatPost:
    robot = Robot(platform, "engineering", receiver.url(platform, "engineering"), secret)
    return ChatPost(robot, "新报修", "**新报修**\n> 编号：20261123-0001", NOW)


def test_wecom_takes_a_markdown_message(receiver: Receiver) -> None:
    receiver.now = NOW
    post(chat(receiver, WECOM), NOW)

    sent = json.loads(receiver.requests[0]["body"])
    assert sent == {"msgtype": "markdown", "markdown": {"content": "**新报修**\n> 编号：20261123-0001"}}
    assert [entry["channel"] for entry in receiver.hooks.messages()] == ["wecom"]


def test_dingtalk_takes_a_signed_message_and_refuses_a_wrong_secret(receiver: Receiver) -> None:
    receiver.hooks.secrets["engineering"] = "SECright"
    receiver.now = NOW
    post(chat(receiver, DINGTALK, "SECright"), NOW)
    assert json.loads(receiver.requests[0]["body"])["markdown"]["title"] == "新报修"

    with pytest.raises(RobotFailed) as wrong:
        post(chat(receiver, DINGTALK, "SECwrong"), NOW)
    assert wrong.value.code == "dingtalk-errcode-310000"
    with pytest.raises(RobotFailed) as stale:  # a signature more than an hour old
        post(chat(receiver, DINGTALK, "SECright"), NOW - timedelta(hours=2))
    assert stale.value.code == "dingtalk-errcode-310000"
    assert len(receiver.hooks.messages()) == 1


def test_an_errcode_in_a_200_an_http_error_a_timeout_and_no_host_are_failures(receiver: Receiver) -> None:
    receiver.errcode = 45009
    with pytest.raises(RobotFailed) as refused:
        post(chat(receiver, WECOM), NOW)
    assert refused.value.code == "wecom-errcode-45009"

    receiver.errcode, receiver.status = None, 502
    with pytest.raises(RobotFailed) as outage:
        post(chat(receiver, DINGTALK), NOW)
    assert outage.value.code == "dingtalk-http-502"

    receiver.status, receiver.delay = 200, 1.0
    with pytest.raises(RobotFailed) as slow:
        post(chat(receiver, WECOM), NOW, timeout=0.2)
    assert slow.value.code == "wecom-timeout"

    nowhere = ChatPost(Robot(WECOM, "engineering", "http://127.0.0.1:9/hook?key=k"), "t", "m", NOW)
    with pytest.raises(RobotFailed) as unreachable:
        post(nowhere, NOW)
    assert unreachable.value.code == "wecom-unreachable"
    assert receiver.hooks.messages() == []


def test_the_receiver_refuses_what_the_platforms_refuse(receiver: Receiver) -> None:
    receiver.now = NOW
    too_long = ChatPost(
        Robot(WECOM, "engineering", receiver.url(WECOM, "engineering")), "t", "水" * 1400, NOW
    )
    with pytest.raises(RobotFailed) as long_card:
        post(too_long, NOW)
    assert long_card.value.code == "wecom-errcode-40058"

    receiver.hooks.per_minute = 2
    post(chat(receiver, WECOM), NOW)
    post(chat(receiver, WECOM), NOW)
    with pytest.raises(RobotFailed) as fast:
        post(chat(receiver, WECOM), NOW)
    assert fast.value.code == "wecom-errcode-45009"


def test_neither_a_failure_nor_a_robot_shows_its_webhook_or_secret(receiver: Receiver) -> None:
    receiver.status = 500
    message = chat(receiver, DINGTALK, "SECsecret")
    with pytest.raises(RobotFailed) as failure:
        post(message, NOW)

    shown = f"{failure.value} {failure.value!r} {message.robot!r} {message!r}"
    assert "127.0.0.1" not in shown and "access_token" not in shown and "SECsecret" not in shown
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_a_robot_is_found_by_office_and_platform_in_the_parameters() -> None:
    parameters = {
        "engineering/wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "engineering/dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "engineering/dingtalk-secret": "SECs",
    }
    assert find_robot(parameters, "engineering", DINGTALK).secret == "SECs"
    assert find_robot(parameters, "engineering", WECOM).secret is None
    with pytest.raises(RobotMissing) as missing:
        find_robot(parameters, "security", WECOM)
    assert missing.value.code == "wecom-no-webhook"
