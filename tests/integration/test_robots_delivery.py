"""An office's group robots get their own outbox items: posted to a local receiver that answers like
WeCom and DingTalk (signature, size, rate, errcode), retried and parked as any delivery, and never in
the way of an e-mail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.integration.conftest import REGION, Aws, LambdaContext, moto_account, post_json, repair_fields
from tests.robot_receiver import Receiver, robot_receiver

ROBOTS_PATH = "/lobby-test/robots"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with robot_receiver() as running:
        yield running


@pytest.fixture
def robots(monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> Iterator[Aws]:
    """The moto account, engineering with both robots (DingTalk signing), their URLs the receiver's."""
    monkeypatch.setenv("OFFICE_ROBOTS", json.dumps({"engineering": ["wecom", "dingtalk"]}))
    monkeypatch.setenv("ROBOTS_PARAMETER_PATH", ROBOTS_PATH)
    with moto_account(monkeypatch) as aws:
        from lobby import links

        links.secret_store.cache_clear()  # parameters cached by an earlier test name another receiver
        ssm = boto3.client("ssm", region_name=REGION)
        receiver.hooks.secrets["engineering"] = "SEC" + "0123456789abcdef" * 4
        parameters = {
            "engineering/wecom": receiver.url("wecom", "engineering"),
            "engineering/dingtalk": receiver.url("dingtalk", "engineering"),
            "engineering/dingtalk-secret": receiver.hooks.secrets["engineering"],
        }
        for name, value in parameters.items():
            ssm.put_parameter(Name=f"{ROBOTS_PATH}/{name}", Value=value, Type="SecureString")
        yield aws


def states(aws: Aws) -> dict[str, tuple[str, str | None]]:
    """Outbox state and last error by recipient role."""
    return {
        sort_key.rsplit("#", 1)[-1]: (item["state"], item.get("error"))
        for sort_key, item in aws.outbox().items()
    }


def file_repair() -> str:
    response = post_json("/api/requests/repair", repair_fields())
    assert response.status == 201
    return str(response.json()["reference"])


def test_a_new_request_is_posted_to_each_robot_of_its_office_beside_the_emails(
    robots: Aws, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = file_repair()
    robots.notify_batch()

    posted = receiver.hooks.messages()
    assert sorted(entry["channel"] for entry in posted) == ["dingtalk", "wecom"]
    for entry in posted:
        assert entry["to"] == ["engineering"]
        assert reference in entry["text"]
        assert f"https://lobby.example/desk/requests/{reference}" in entry["text"]
        for personal in ("13800138000", "resident@example.com", "王小明", "滴水"):
            assert personal not in entry["text"]
    assert len(robots.sent()) == 2  # the office's and the resident's e-mails, as without robots
    assert {role: state for role, (state, _) in states(robots).items()} == {
        "office": "sent",
        "resident": "sent",
        "wecom": "sent",
        "dingtalk": "sent",
    }
    logged = capsys.readouterr()
    assert "access_token" not in logged.out + logged.err and receiver.base not in logged.out + logged.err


def test_a_refused_post_waits_for_its_retry_and_is_sent_once_without_touching_the_emails(
    robots: Aws, receiver: Receiver
) -> None:
    file_repair()
    receiver.errcode = 93000  # WeCom: the webhook's key is invalid or the robot was removed
    robots.notify_batch()

    assert states(robots)["wecom"] == ("pending", "wecom-errcode-93000")
    assert states(robots)["dingtalk"] == ("pending", "dingtalk-errcode-93000")
    assert states(robots)["office"] == ("sent", None)
    assert len(robots.sent()) == 2

    receiver.errcode = None
    later = datetime.now(UTC) + timedelta(minutes=3)
    receiver.now = later
    assert robots.outbox_run(later)["sent"] == 2
    assert robots.outbox_run(later + timedelta(minutes=5))["sent"] == 0
    assert sorted(entry["channel"] for entry in receiver.hooks.messages()) == ["dingtalk", "wecom"]
    assert len(robots.sent()) == 2  # no e-mail went twice


def test_a_robot_that_keeps_failing_is_parked_after_a_day_and_the_emails_are_untouched(
    robots: Aws, receiver: Receiver
) -> None:
    file_repair()
    receiver.status = 502
    robots.notify_batch()
    moment = datetime.now(UTC)
    for hours in (1, 6, 12, 25):
        robots.outbox_run(moment + timedelta(hours=hours))

    assert states(robots)["wecom"] == ("parked", "wecom-http-502")
    assert states(robots)["dingtalk"] == ("parked", "dingtalk-http-502")
    assert states(robots)["office"] == ("sent", None) and states(robots)["resident"] == ("sent", None)
    assert len(robots.sent()) == 2


def test_a_robot_past_its_twenty_posts_a_minute_waits_for_the_next_minute(
    robots: Aws, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lobby import clock
    from lobby.catalog import load_catalog
    from lobby.robots import Robot, take_turn
    from lobby.service import open_store
    from lobby.settings import get_settings

    moment = datetime.now(UTC).replace(second=5, microsecond=0) + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: moment)
    store = open_store(load_catalog(), get_settings())
    for _ in range(20):  # twenty posts this minute, from any copy of the function
        take_turn(store, Robot("wecom", "engineering", "-"), moment)

    file_repair()
    receiver.now = moment
    robots.notify_batch()
    assert states(robots)["wecom"] == ("pending", "wecom-busy")
    assert states(robots)["dingtalk"] == ("sent", None)

    next_minute = moment + timedelta(minutes=1)
    receiver.now = next_minute
    assert robots.outbox_run(next_minute)["sent"] == 1
    assert states(robots)["wecom"][0] == "sent"
    assert [entry["channel"] for entry in receiver.hooks.messages()] == ["dingtalk", "wecom"]


def test_an_office_robot_without_a_webhook_parameter_waits_and_the_emails_go(
    robots: Aws, receiver: Receiver
) -> None:
    boto3.client("ssm", region_name=REGION).delete_parameter(Name=f"{ROBOTS_PATH}/engineering/wecom")
    file_repair()
    robots.notify_batch()

    assert states(robots)["wecom"] == ("pending", "wecom-no-webhook")
    assert states(robots)["dingtalk"] == ("sent", None)
    assert len(robots.sent()) == 2


def test_the_daily_digest_is_posted_to_the_offices_robots(robots: Aws, receiver: Receiver) -> None:
    from schedules.digest import lambda_handler

    reference = file_repair()
    robots.notify_batch()
    receiver.hooks.received.clear()
    morning = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # a Thursday, 08:30 in Shanghai
    report: dict[str, Any] = lambda_handler({"time": morning.isoformat()}, LambdaContext())
    assert "engineering" in report["queued"]
    receiver.now = morning
    robots.outbox_run(morning + timedelta(minutes=3))

    posted = receiver.hooks.messages()
    assert sorted(entry["channel"] for entry in posted) == ["dingtalk", "wecom"]
    assert all("工程" in entry["subject"] or "engineering" in entry["subject"] for entry in posted)
    assert all("https://lobby.example/desk/" in entry["text"] for entry in posted)
    assert reference  # the request the digest counts
