"""The office's e-mail about a reopened request says why: the resident's reason, their answers and the
resolution they did not accept, as the director's alert does."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from lobby import links
from tests.integration.conftest import OFFICE_EMAILS, SIGNING_SECRET, Aws, post_form, post_json, repair_fields

RESOLUTION = "已更换阀芯，试水正常。"
REASON = "换完第二天又开始滴水。"


def _sign(reference: str, action: str) -> str:
    lifetime = links.RESIDENT_LINK_LIFETIME if action == "rate" else links.STAFF_LINK_LIFETIME
    return links.sign(SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), lifetime)


def _resolved(aws: Aws) -> str:
    reference = str(post_json("/api/requests/repair", repair_fields()).json()["reference"])
    for action, inputs in (("acknowledge", {}), ("resolve", {"note": RESOLUTION})):
        answer = post_form(f"/api/actions/{_sign(reference, action)}", {"actor": "李师傅", **inputs})
        assert answer.status == 200, answer.body
    aws.notify_batch()
    return reference


def test_the_reopen_e_mail_carries_the_reason_the_answers_and_the_previous_resolution(aws: Aws) -> None:
    reference = _resolved(aws)
    before = len(aws.sent())
    answers = {"satisfied": "no", "quality": "2", "effect": "1", "comments": REASON}
    assert post_form(f"/api/rate/{_sign(reference, 'rate')}", answers).status == 200
    aws.notify_batch()

    sent = aws.sent()[before:]  # what the reopening caused
    reopened = [mail for mail in sent if mail.to == [OFFICE_EMAILS["engineering"]]]
    assert len(reopened) == 1 and reference in reopened[0].subject
    director = [mail for mail in sent if mail.to == [OFFICE_EMAILS["management"]]]
    assert len(director) == 1 and reference in director[0].subject
    for mail in (reopened[0], director[0]):
        html = unescape(mail.html)
        assert "住户说明的原因" in html and REASON in html
        assert "上次的处理结果" in html and RESOLUTION in html
        assert "不满意；评分（满分 5）：质量 2、效果 1" in html
        assert "quality" not in html and "effect" not in html


def test_a_failed_follow_up_recorded_by_staff_tells_the_office_what_it_reopens(aws: Aws) -> None:
    reference = str(post_json("/api/requests/repair", repair_fields()).json()["reference"])
    for action, inputs in (("acknowledge", {}), ("resolve", {"note": RESOLUTION})):
        post_form(f"/api/actions/{_sign(reference, action)}", {"actor": "李师傅", **inputs})
    aws.notify_batch()
    before = len(aws.sent())
    # Staff record a failed follow-up call: the reason is their note of what the resident said.
    answer = post_form(f"/api/actions/{_sign(reference, 'followup')}", {"actor": "赵客服", "satisfied": "no"})
    assert answer.status == 200, answer.body
    aws.notify_batch()
    [mail] = [mail for mail in aws.sent()[before:] if mail.to == [OFFICE_EMAILS["engineering"]]]
    html = unescape(mail.html)
    assert RESOLUTION in html  # the resolution it reopens
    assert "住户说明的原因" in html
