"""`make dev` runs a receiver for the offices' group robots: a new repair reaches the engineering
office's WeCom and DingTalk groups (infra/environments/local.yaml), and /_local/outbox shows both."""

from __future__ import annotations

import pytest

from tests.e2e.lobby_pages import Resident, submit_json
from tests.e2e.stack import Stack, wait_until

pytestmark = pytest.mark.e2e


def test_a_new_repair_is_posted_to_the_offices_robots_and_listed_in_the_outbox(lobby: Stack) -> None:
    resident = Resident()
    reference = submit_json(lobby, "repair", resident.repair_fields())["reference"]

    def posted() -> list[dict[str, object]] | None:
        found = [
            m for m in lobby.outbox() if m["channel"] in ("wecom", "dingtalk") and reference in m["text"]
        ]
        return found if len(found) == 2 else None

    found = wait_until(posted, timeout=10)
    assert found, [message["channel"] for message in lobby.outbox()]
    assert sorted(message["channel"] for message in found) == ["dingtalk", "wecom"]
    for message in found:
        assert message["to"] == ["engineering"]
        assert reference in message["subject"]
        assert lobby.url(f"/desk/requests/{reference}") in message["text"]
        assert resident.phone not in message["text"] and resident.name not in message["text"]
    page = lobby.get("/_local/outbox").text
    assert "<dd>dingtalk</dd>" in page and "<dd>wecom</dd>" in page


def test_the_local_dingtalk_robot_refuses_a_post_without_a_valid_signature(lobby: Stack) -> None:
    message = {"msgtype": "markdown", "markdown": {"title": "t", "text": "forged"}}
    answer = lobby.post_json("/_local/hooks/dingtalk/engineering?timestamp=1&sign=bad", message)

    assert answer.status == 200
    assert answer.json()["errcode"] == 310000
    assert not any(entry["text"] == "forged" for entry in lobby.outbox())
