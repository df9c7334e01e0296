"""The request in the resident's hands: on the page their messages link to (``/api/s/<token>``) they add
information, cancel while it is not yet resolved, and rate once it is; each step is a plain form post
that carries the page's signed token, from the site's own pages only. Every bad input is answered in
the resident's language with a 4xx and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

from lobby import links
from lobby.policy import CANCEL_REASON_MAX_CHARS, RESIDENT_INFORMATION_MAX_CHARS, TEXT_LINK_LIFETIME
from tests import photo_files
from tests.integration.conftest import (
    OFFICE_EMAILS,
    SIGNING_SECRET,
    Aws,
    HttpResponse,
    call_api,
    http_event,
    post_form,
    repair_fields,
)
from tests.integration.photo_client import keys, multipart, photos, post_multipart, run_photo_function
from views.messages import translate

__all__ = ["photos"]  # the fixture

SITE = "https://lobby.example"
ENGINEERING = OFFICE_EMAILS["engineering"]
PAGE_LINK = re.compile(r'href="(?:https?://[^/"]+)?(/api/s/[A-Za-z0-9_-]{16})"')
RATE_FORM = re.compile(r'action="(/api/rate/[^"]+)"')
INFORMATION = "楼上好像也在漏水，晚上七点后家里有人。"
REASON = "水龙头我自己换好了，不用上门了。"


def _file(aws: Aws, **fields: str) -> tuple[str, str]:
    """A repair filed through the form: its reference and the page its receipt links to."""
    response = post_form("/api/requests/repair", repair_fields(**fields))
    assert response.status == 201, response.body
    [page] = PAGE_LINK.findall(response.body)
    reference = re.search(r'class="lobby-reference"><strong>(\d{8}-\d{4})<', response.body)
    assert reference is not None
    aws.notify_batch()
    return reference[1], page


def _token(page: str) -> str:
    return page.rsplit("/", 1)[-1]


def _post(path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> HttpResponse:
    return post_form(path, fields, headers={"origin": SITE} if headers is None else headers)


def _add(page: str, text: str, **extra: str) -> HttpResponse:
    return _post(
        "/api/resident/information", {"token": _token(page), "lang": "zh", "information": text, **extra}
    )


def _cancel(page: str, reason: str) -> HttpResponse:
    return _post("/api/resident/cancel", {"token": _token(page), "lang": "zh", "reason": reason})


def _staff(aws: Aws, reference: str, action: str, **inputs: str) -> None:
    token = links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    answer = post_form(f"/api/actions/{token}", {"actor": "李师傅", **inputs})
    assert answer.status == 200, answer.body
    aws.notify_batch()


def _resolve(aws: Aws, reference: str) -> None:
    _staff(aws, reference, "acknowledge")
    _staff(aws, reference, "resolve", note="已更换阀芯，试水正常。")


def _stored(aws: Aws, reference: str) -> dict[str, Any]:
    [request] = [item for item in aws.requests() if item["reference"]["S"] == reference]
    return request


def _events(aws: Aws, reference: str) -> list[dict[str, Any]]:
    return [
        item
        for item in aws.items()
        if item["SK"]["S"].startswith("EVENT#") and item["reference"]["S"] == reference
    ]


def _snapshot(aws: Aws) -> list[dict[str, Any]]:
    """Everything stored, to show that a refusal changed nothing."""
    return sorted(aws.items(), key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _timeline(html: str) -> str:
    return _text(html.split('<ol class="lobby-timeline">', 1)[1].split("</ol>", 1)[0])


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_offers_what_the_request_allows_and_posts_from_the_site_only(aws: Aws) -> None:
    reference, page = _file(aws)

    opened = call_api(http_event("GET", page))

    assert opened.status == 200
    html = opened.body
    assert reference in html and "已收到" in _text(html)
    assert 'action="/api/resident/information"' in html and 'action="/api/resident/cancel"' in html
    assert f'name="token" value="{_token(page)}"' in html
    assert f'maxlength="{RESIDENT_INFORMATION_MAX_CHARS}"' in html
    assert f'maxlength="{CANCEL_REASON_MAX_CHARS}"' in html
    assert not RATE_FORM.search(html)  # nothing to rate before it is resolved
    # The forms post with the site's origin (no-referrer would make a browser send "Origin: null").
    assert opened.headers["Referrer-Policy"] == "strict-origin"
    assert "<script>" not in html  # the steps work without JavaScript: plain forms


# --- add information -----------------------------------------------------------------------------------


def test_information_is_added_to_the_timeline_by_the_resident_and_the_office_is_told(aws: Aws) -> None:
    reference, page = _file(aws)
    mails_before = len(aws.sent())

    added = _add(page, INFORMATION)

    assert added.status == 200, added.body
    shown = _text(added.body)
    assert "已收到您的补充说明" in shown and INFORMATION in shown and "记录时间" in shown
    assert f'href="{page}"' in added.body  # the way back to the request
    [event] = [item for item in _events(aws, reference) if item["event"]["S"] == "info"]
    assert event["actor"]["S"] == "resident" and event["public"]["BOOL"] is True
    assert event["data"]["M"]["note"]["S"] == INFORMATION
    assert _stored(aws, reference)["status"]["S"] == "received"  # information changes no state
    assert f"住户补充说明：{INFORMATION}" in _timeline(call_api(http_event("GET", page)).body)

    aws.notify_batch()
    [told] = aws.sent()[mails_before:]  # the office (no owner yet); the resident gets no e-mail for it
    assert told.to == [ENGINEERING]
    assert reference in told.subject
    assert "报修：住户补充了说明" in unescape(told.html) and INFORMATION in unescape(told.html)


def test_the_owner_hears_of_the_information_at_their_office(aws: Aws) -> None:
    reference, page = _file(aws)
    _staff(aws, reference, "acknowledge")
    before = len(aws.sent())

    assert _add(page, INFORMATION).status == 200
    aws.notify_batch()

    [told] = aws.sent()[before:]
    assert told.to == [ENGINEERING] and "住户补充了说明" in unescape(told.html)
    assert "李师傅" in unescape(told.html)  # the owner's card, with the steps they can take next


def test_information_of_100_kb_is_refused_on_its_page_and_stores_nothing(aws: Aws) -> None:
    reference, page = _file(aws)
    before = _snapshot(aws)

    refused = _add(page, "漏" * (100 * 1024 // 3))

    assert refused.status == 413
    shown = _text(refused.body)
    assert f"您要补充的内容最多 {RESIDENT_INFORMATION_MAX_CHARS} 字" in shown and "没有保存" in shown
    assert 'action="/api/resident/information"' in refused.body  # the form again, on the request's page
    assert reference in refused.body
    assert _snapshot(aws) == before


def test_information_over_the_limit_comes_back_with_its_text_and_stores_nothing(aws: Aws) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)
    text = "漏" * (RESIDENT_INFORMATION_MAX_CHARS + 1)

    refused = _add(page, text)

    assert refused.status == 422
    assert f"您要补充的内容不能超过 {RESIDENT_INFORMATION_MAX_CHARS} 个字" in _text(refused.body)
    assert text in refused.body  # kept in the box to shorten
    assert 'href="#f-information"' in refused.body  # the error summary leads to the box
    assert _snapshot(aws) == before


def test_empty_information_is_asked_for_and_stores_nothing(aws: Aws) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)

    refused = _add(page, "  \n ")

    assert refused.status == 422 and "请填写您要补充的内容" in _text(refused.body)
    assert _snapshot(aws) == before


def test_information_is_shown_in_english_for_an_english_request(aws: Aws) -> None:
    _, page = _file(aws, lang="en")

    added = _post(
        "/api/resident/information",
        {"token": _token(page), "lang": "en", "information": "Also the tap in the bath."},
    )

    assert added.status == 200
    assert "Your information was added" in _text(added.body)
    assert "The resident added: Also the tap in the bath." in _timeline(
        call_api(http_event("GET", page)).body
    )


# --- tokens and origins --------------------------------------------------------------------------------


def _altered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_a_forged_or_foreign_token_is_refused_and_changes_nothing(aws: Aws) -> None:
    reference, page = _file(aws)
    staff_link = links.sign(
        SIGNING_SECRET.encode(), reference, "cancel", datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )
    before = _snapshot(aws)

    for token in (_altered(_token(page)), staff_link, "", "x" * 16):
        answer = _post("/api/resident/cancel", {"token": token, "lang": "zh", "reason": REASON})
        assert answer.status == 404, token
        assert "这个链接无效" in _text(answer.body) and "没有任何改动" in _text(answer.body)
    assert _snapshot(aws) == before


def test_an_expired_token_is_refused_and_changes_nothing(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)
    clock_at((datetime.now(UTC) + TEXT_LINK_LIFETIME + timedelta(days=2)).isoformat())

    answer = _add(page, INFORMATION)

    assert answer.status == 410 and "这个链接已过期" in _text(answer.body)
    assert _snapshot(aws) == before


def test_a_token_acts_on_its_own_request_only(aws: Aws) -> None:
    mine, _ = _file(aws, description="厨房水龙头一直滴水。")
    theirs, their_page = _file(aws, description="阳台地漏堵了。", phone="13900139000")
    mine_before = [item for item in _snapshot(aws) if mine in item["PK"]["S"]]

    # Their token with my reference beside it: the token decides, the extra field is ignored.
    answer = _add(their_page, INFORMATION, reference=mine)

    assert answer.status == 200 and theirs in answer.body and mine not in answer.body
    assert [item for item in _snapshot(aws) if mine in item["PK"]["S"]] == mine_before
    assert [item["event"]["S"] for item in _events(aws, theirs)].count("info") == 1


def test_a_post_from_another_site_or_from_nowhere_is_refused(aws: Aws) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)
    fields = {"token": _token(page), "lang": "zh", "reason": REASON}

    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {},
        {"referer": "https://evil.example/x"},
    ):
        answer = _post("/api/resident/cancel", fields, headers=headers)
        assert answer.status == 403, headers
        assert "不是从本站的诉求页面发出的" in _text(answer.body)
    same_site = _post("/api/resident/cancel", fields, headers={"referer": f"{SITE}/api/s/whatever"})
    assert same_site.status == 200  # a browser that sends only the Referer, from the site
    assert _snapshot(aws) != before


def test_a_refusal_logs_nothing_the_resident_typed(aws: Aws, caplog: Any) -> None:
    _, page = _file(aws)
    _add(page, INFORMATION)
    _cancel(page, REASON)
    assert INFORMATION not in caplog.text and REASON not in caplog.text


# --- cancel --------------------------------------------------------------------------------------------


def test_the_resident_cancels_with_a_reason_and_the_office_is_told(aws: Aws) -> None:
    reference, page = _file(aws)
    _staff(aws, reference, "acknowledge")
    before = len(aws.sent())

    cancelled = _cancel(page, REASON)

    assert cancelled.status == 200, cancelled.body
    shown = _text(cancelled.body)
    assert "您的诉求已取消" in shown and "取消时间" in shown and REASON in shown
    assert f'href="{page}"' in cancelled.body
    assert _stored(aws, reference)["status"]["S"] == "cancelled"
    [event] = [item for item in _events(aws, reference) if item["event"]["S"] == "cancel"]
    assert event["actor"]["S"] == "resident" and event["data"]["M"]["note"]["S"] == REASON
    again = call_api(http_event("GET", page)).body
    assert f"住户取消了诉求：{REASON}" in _timeline(again)
    assert "已取消" in _text(again) and 'action="/api/resident/cancel"' not in again

    aws.notify_batch()
    sent = aws.sent()[before:]
    [office] = [mail for mail in sent if mail.to == [ENGINEERING]]
    assert "报修：住户取消了诉求" in unescape(office.html) and REASON in unescape(office.html)
    [resident] = [mail for mail in sent if mail.to == ["resident@example.com"]]
    assert "您的诉求已取消" in unescape(resident.html)


def test_a_cancel_without_a_reason_is_asked_for_and_changes_nothing(aws: Aws) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)

    refused = _cancel(page, "")

    assert refused.status == 422 and "请填写取消原因" in _text(refused.body)
    assert '<details class="lobby-details lobby-cancel" open>' in refused.body
    assert _snapshot(aws) == before


def test_a_cancel_after_resolution_is_refused_and_changes_nothing(aws: Aws) -> None:
    reference, page = _file(aws)
    _resolve(aws, reference)
    before = _snapshot(aws)

    refused = _cancel(page, REASON)

    assert refused.status == 409
    assert "这份诉求已办结，不能再取消" in _text(refused.body) and "没有任何改动" in _text(refused.body)
    assert f'href="{page}"' in refused.body
    assert _snapshot(aws) == before
    assert 'action="/api/resident/cancel"' not in call_api(http_event("GET", page)).body


def test_a_second_cancel_is_refused_and_changes_nothing(aws: Aws) -> None:
    reference, page = _file(aws)
    assert _cancel(page, REASON).status == 200
    aws.notify_batch()
    before = _snapshot(aws)

    refused = _cancel(page, "再取消一次")

    assert refused.status == 409 and "这份诉求已经取消了" in _text(refused.body)
    assert _snapshot(aws) == before
    assert [item["event"]["S"] for item in _events(aws, reference)].count("cancel") == 1


def test_information_after_cancelling_is_refused(aws: Aws) -> None:
    _, page = _file(aws)
    assert _cancel(page, REASON).status == 200
    before = _snapshot(aws)

    refused = _add(page, INFORMATION)

    assert refused.status == 409 and "这份诉求已取消，不能再补充说明" in _text(refused.body)
    assert _snapshot(aws) == before


# --- rate ----------------------------------------------------------------------------------------------


def test_once_resolved_the_page_rates_in_one_tap_and_only_once(aws: Aws) -> None:
    reference, page = _file(aws)
    _resolve(aws, reference)
    first = RATE_FORM.findall(call_api(http_event("GET", page)).body)
    second = RATE_FORM.findall(call_api(http_event("GET", page)).body)  # the page opened twice
    assert len(first) == 1 and len(second) == 1

    rated = post_form(unescape(first[0]), {"satisfied": "yes"})

    assert rated.status == 200 and "感谢您的评价" in _text(rated.body)
    assert f"href='{page}'" in rated.body  # back to the request's page
    assert _stored(aws, reference)["status"]["S"] == "closed"
    before = _snapshot(aws)
    for again in (first[0], second[0]):
        refused = post_form(unescape(again), {"satisfied": "no"})
        assert refused.status in (409, 410) and "已经使用过" in _text(refused.body)
    assert _snapshot(aws) == before
    assert not RATE_FORM.search(call_api(http_event("GET", page)).body)


def test_a_rating_before_resolution_is_refused_and_changes_nothing(aws: Aws) -> None:
    reference, _ = _file(aws)
    _staff(aws, reference, "acknowledge")
    rating = links.sign(
        SIGNING_SECRET.encode(), reference, "rate", datetime.now(UTC), links.RESIDENT_LINK_LIFETIME
    )
    before = _snapshot(aws)

    refused = post_form(f"/api/rate/{rating}", {"satisfied": "yes"})

    assert refused.status == 409
    assert _snapshot(aws) == before
    assert _stored(aws, reference)["status"]["S"] == "acknowledged"


def test_a_body_that_is_no_form_gets_a_localized_refusal(aws: Aws) -> None:
    _, page = _file(aws)
    before = _snapshot(aws)
    event = http_event(
        "POST",
        "/api/resident/information",
        body=urlencode({"token": _token(page)}).encode() + b"&information=%FF%FE",
        content_type="application/x-www-form-urlencoded",
        headers={"origin": SITE, "accept-language": "en"},
    )
    answer = call_api(event)
    assert 400 <= answer.status < 500
    assert _snapshot(aws) == before


# --- photos --------------------------------------------------------------------------------------------


def test_photos_are_added_from_the_page_through_the_photo_routes(photos: Any, aws: Aws) -> None:
    reference, page = _file(aws)
    html = call_api(http_event("GET", page)).body
    [upload] = re.findall(r'action="(/api/photos/[^"]+)"\s+enctype="multipart/form-data"', html)
    assert translate("zh", "photo.taken", taken=0, left=5) in _text(html)

    sent = post_multipart(
        unescape(upload), multipart([("IMG_0001.JPG", "image/jpeg", photo_files.jpeg_with_gps())])
    )

    assert sent.status == 202, sent.body
    assert f'href="{page}"' in sent.body  # back to the request's page
    for key in keys(photos):
        run_photo_function(key, 0)
    again = call_api(http_event("GET", page))
    assert '<ul class="lobby-photos">' in again.body and f"thumbs/{reference}/1.jpg" in again.body
    assert translate("zh", "photo.taken", taken=1, left=4) in _text(again.body)
    # the thumbnails load from the bucket, which the page's policy allows and nothing else
    assert "img-src 'self' https://" in again.headers["Content-Security-Policy"]


def test_a_cancelled_request_takes_no_more_photos(photos: Any, aws: Aws) -> None:
    _, page = _file(aws)
    [upload] = re.findall(r'action="(/api/photos/[^"]+)"', call_api(http_event("GET", page)).body)
    assert _cancel(page, REASON).status == 200

    assert 'enctype="multipart/form-data"' not in call_api(http_event("GET", page)).body
    late = post_multipart(unescape(upload), multipart([("a.jpg", "image/jpeg", photo_files.jpeg_with_gps())]))
    assert late.status == 409 and keys(photos) == []
