"""Every field a person types into has a server-side limit (lobby.fields): staff names, notes and
reasons on the action pages, the rating's comments. Too much is refused with a clear message in the
page's language, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest

from lobby import links
from tests.integration.conftest import SIGNING_SECRET, Aws, post_form, post_json, repair_fields


def _submit(aws: Aws) -> str:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    aws.notify_batch()
    return str(reference)


def _link(reference: str, action: str) -> str:
    token = links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    return f"/api/{'rate' if action == 'rate' else 'actions'}/{token}"


def _events(aws: Aws, reference: str) -> list[str]:
    return sorted(
        item["SK"]["S"]
        for item in aws.items()
        if item["PK"]["S"].endswith(reference) and item["SK"]["S"].startswith("EVENT#")
    )


def _stored(aws: Aws, reference: str) -> dict[str, object]:
    return next(item for item in aws.requests() if item["reference"]["S"] == reference)


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("acknowledge", {"actor": "x" * 8000}, "您的姓名不能超过 80 个字"),
        ("acknowledge", {"actor": "李师傅\r\nBcc: someone@example.com"}, "您的姓名不能换行"),
        ("note", {"actor": "王主管", "note": "n" * 12000, "visibility": "public"}, "说明不能超过 1000 个字"),
        ("cancel", {"actor": "王主管", "note": "因" * 1001}, "说明不能超过 1000 个字"),
    ],
)
def test_staff_input_over_its_limit_is_refused_and_nothing_changes(
    aws: Aws, action: str, fields: dict[str, str], message: str
) -> None:
    reference = _submit(aws)
    before = (_stored(aws, reference), _events(aws, reference))
    path = _link(reference, action)
    response = post_form(path, fields)
    assert response.status == 422
    assert message in unescape(response.body)
    assert (_stored(aws, reference), _events(aws, reference)) == before
    # The link was not used up: the same action with sensible input goes through.
    assert post_form(path, {**fields, "actor": "王主管", "note": "说明"}).status == 200


def _resolved(aws: Aws) -> str:
    reference = _submit(aws)
    assert post_form(_link(reference, "acknowledge"), {"actor": "李师傅"}).status == 200
    assert post_form(_link(reference, "resolve"), {"actor": "李师傅", "note": "已更换阀芯"}).status == 200
    return reference


ANSWERS = {"quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes"}


def test_a_rating_comment_over_its_limit_is_refused_not_cut(aws: Aws) -> None:
    reference = _resolved(aws)
    path = _link(reference, "rate")
    response = post_form(path, {**ANSWERS, "comments": "好" * 1001})
    assert response.status == 422
    assert "意见或建议（选填）不能超过 1000 个字" in unescape(response.body)
    assert "rating" not in _stored(aws, reference)
    assert post_form(path, {**ANSWERS, "comments": "好" * 1000}).status == 200
    assert _stored(aws, reference)["rating"]["M"]["comments"]["S"] == "好" * 1000  # type: ignore[index]


def test_a_follow_up_recorded_by_staff_holds_the_name_to_one_line(aws: Aws) -> None:
    reference = _resolved(aws)
    response = post_form(_link(reference, "followup"), {**ANSWERS, "actor": "李师傅\nX"})
    assert response.status == 422
    assert "您的姓名不能换行" in unescape(response.body)
    assert "rating" not in _stored(aws, reference)
