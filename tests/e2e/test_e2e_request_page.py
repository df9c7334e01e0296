"""The request in the resident's hands, in a real browser without JavaScript: from the receipt's link the
resident adds information and sees it in the timeline, then cancels with a reason; the browser's own
Origin header passes the site's check, and the office hears of both."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.lobby_pages import Resident, office_mail_for, submit_json
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

INFORMATION = "楼上好像也在漏水，晚上七点后家里有人。"
REASON = "水龙头我自己换好了，不用上门了。"


def test_without_javascript_the_resident_adds_information_then_cancels(
    page_without_js: Page, lobby: Stack
) -> None:
    page = page_without_js
    receipt = submit_json(lobby, "repair", Resident().repair_fields())
    reference = receipt["reference"]
    page.goto(receipt["request_url"])
    main = page.locator("main")
    expect(main).to_contain_text(reference)

    page.locator("#f-information").fill(INFORMATION)
    page.get_by_role("button", name="提交补充说明").click()

    expect(page.locator(".lobby-receipt")).to_contain_text("已收到您的补充说明")
    page.get_by_role("link", name="返回我的诉求").first.click()
    expect(page.locator(".lobby-timeline")).to_contain_text(f"住户补充说明：{INFORMATION}")

    page.locator("summary", has_text="取消这份诉求").click()
    page.locator("#f-reason").fill(REASON)
    page.get_by_role("button", name="确认取消诉求").click()

    expect(page.locator(".lobby-receipt")).to_contain_text("您的诉求已取消")
    page.get_by_role("link", name="返回我的诉求").first.click()
    expect(page.locator(".lobby-status")).to_contain_text("已取消")
    expect(page.locator(".lobby-timeline")).to_contain_text(f"住户取消了诉求：{REASON}")
    assert INFORMATION not in page.url and REASON not in page.url
    cancelled = lobby.wait_for_mail(
        lambda mail: office_mail_for(reference)(mail) and "住户取消了诉求" in str(mail), timeout=10
    )
    assert REASON in str(cancelled)
