"""The same repair three times (seed 002), flagged when the third arrives: by place and item, whoever
reported it. The office's e-mail and the desk card name the earlier requests."""

from __future__ import annotations

from html import unescape

import pytest

from tests.integration.conftest import OFFICE_EMAILS, Aws, post_json, repair_fields
from tests.integration.desk_client import install_roster, signed_in

FLAG = "红色警示"


def file(**overrides: str) -> str:
    response = post_json("/api/requests/repair", repair_fields(**overrides))
    assert response.status == 201, response.body
    return str(response.json()["reference"])


def office_mail(aws: Aws, reference: str) -> tuple[str, str]:
    """(subject, text) of the engineering office's e-mail about ``reference``."""
    aws.notify_batch()
    [mail] = [
        mail for mail in aws.sent() if mail.to == [OFFICE_EMAILS["engineering"]] and reference in mail.subject
    ]
    return mail.subject, unescape(mail.html)


def test_a_lift_repaired_a_third_time_for_three_residents_is_flagged_with_the_earlier_references(
    aws: Aws,
) -> None:
    lift = {"category": "lift", "building": "5栋", "email": ""}
    first = file(**lift, unit="301", name="甲", phone="13800000001", description="电梯门关不上。")
    second = file(**lift, unit="1202", name="乙", phone="13800000002", description="电梯按钮没反应。")
    other_item = file(category="water", building="5栋", unit="301", name="甲", phone="13800000001", email="")
    other_building = file(**{**lift, "building": "6栋"}, unit="101", phone="13800000004")
    third = file(**lift, unit="802", name="丙", phone="13800000003", description="电梯运行时有异响。")

    for quiet in (first, second, other_item, other_building):
        subject, html = office_mail(aws, quiet)
        assert FLAG not in html and "同一事项重复" not in subject
    subject, html = office_mail(aws, third)
    assert subject.startswith(f"[{third}] 同一事项重复 · 报修")
    assert f"{FLAG}：本月及前 2 个月内，同一位置的同一项目此前已有 2 次诉求：{first}、{second}" in html
    assert other_item not in html and other_building not in html


def test_the_same_flats_third_leak_is_flagged_and_the_desk_card_says_so(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_roster(monkeypatch)
    earlier = [file(description=f"厨房水管第{n}次漏水了。") for n in ("一", "二")]
    elsewhere = file(unit="1503", description="隔壁家的水管漏水了。")  # the same item, another flat
    third = file(description="厨房水管又漏水了，第三次。")

    assert FLAG not in office_mail(aws, elsewhere)[1]
    assert "、".join(earlier) in office_mail(aws, third)[1]

    engineer = signed_in(aws, "王强")
    card = engineer.get(f"/desk/requests/{third}").text
    assert FLAG in card and "、".join(earlier) in card
    assert FLAG not in engineer.get(f"/desk/requests/{earlier[1]}").text


def test_a_cancelled_repair_is_no_repeat(aws: Aws) -> None:
    from lobby.catalog import load_catalog
    from lobby.lifecycle import apply
    from lobby.service import open_store
    from lobby.settings import get_settings

    first = file(description="楼道灯不亮。", category="common-area", unit="101", phone="13800000011")
    store = open_store(load_catalog(), get_settings())
    request = store.get_request(first)
    assert request is not None
    change = apply(
        load_catalog(), request, "cancel", {"actor": "张", "note": "重复报修"}, request.received_at
    )
    store.save_change(request, change.request, change.event)
    file(description="楼道灯坏了。", category="common-area", unit="202", phone="13800000012")
    third = file(description="楼道灯还是不亮。", category="common-area", unit="303", phone="13800000013")
    assert FLAG not in office_mail(aws, third)[1]
