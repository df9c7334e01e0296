"""Submit → stored → stream → e-mails, through the API and notify handlers against moto."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import (
    OFFICE_EMAILS,
    Aws,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)

REFERENCE = re.compile(r"^\d{8}-\d{4}$")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock_at() -> Iterator[Callable[[str], datetime]]:
    """Move the clock the API reads (as ``POST /_local/clock`` does); back to the real time afterwards."""
    from lobby import clock

    def move(text: str) -> datetime:
        return clock.set_time(datetime.fromisoformat(text))

    yield move
    clock.set_time(None)


def test_a_json_repair_is_stored_with_its_promised_deadline(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    before = clock_at("2026-11-25T09:00:00+08:00").replace(microsecond=0)  # a Wednesday morning
    response = post_json("/api/requests/repair", repair_fields())

    assert response.status == 201, response.body
    receipt = response.json()
    assert REFERENCE.match(receipt["reference"])
    assert receipt["kind"] == "repair"
    assert receipt["status"] == "received"
    received = datetime.fromisoformat(receipt["received_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(receipt["due_at"].replace("Z", "+00:00"))
    assert before <= received < before + timedelta(minutes=1)
    # A minor repair: 8 hours (seed 000 §5.4.2) of engineering's service hours, all of them today.
    assert due - received == timedelta(hours=8)
    assert receipt["status_url"] == f"/status/?ref={receipt['reference']}"
    assert receipt["due_text"]

    [stored] = aws.requests()
    assert stored["reference"]["S"] == receipt["reference"]
    assert stored["office"]["S"] == "engineering"
    assert stored["fields"]["M"]["phone"]["S"] == "13800138000"
    assert stored["catalog_version"]["S"].startswith("2026.11.1+")
    assert stored["GSI1PK"]["S"] == "P#harbour-view#OFFICE#engineering"
    events = [item for item in aws.items() if item["SK"]["S"].startswith("EVENT#")]
    assert [event["event"]["S"] for event in events] == ["submitted"]


def test_the_reference_carries_the_local_date_and_a_daily_sequence(aws: Aws) -> None:
    first = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    second = post_json(
        "/api/requests/complaint", {**_complaint(), "description": "楼道灯坏了三天没人修。"}
    ).json()["reference"]
    shanghai_today = (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y%m%d")
    assert first == f"{shanghai_today}-0001"
    assert second == f"{shanghai_today}-0002"


def test_the_office_and_the_resident_are_emailed_once(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]

    result = aws.notify_batch()

    assert result["batchItemFailures"] == []
    # Only the two outbox items (the office's and the resident's) pass the template's filter.
    assert result["delivered"] == 2
    sent = aws.sent()
    office = next(mail for mail in sent if mail.to == [OFFICE_EMAILS["engineering"]])
    assert reference in office.subject
    assert "报修" in office.subject and "3栋 1502" in office.subject and "前处理" in office.subject
    body = unescape(office.html)
    for shown in ("13800138000", "王小明", "厨房水龙头一直滴水，关不紧。", "小修", "8 小时", "报修维修单"):
        assert shown in body
    resident = next(mail for mail in sent if mail.to == ["resident@example.com"])
    assert reference in resident.subject
    assert "https://lobby.example/api/s/" in resident.html  # their own request, by a signed link
    assert len(sent) == 2

    # A redelivered batch (Lambda retries) sends nothing again: the outbox items are marked sent.
    aws._shard_iterators.clear()
    assert aws.notify_batch()["batchItemFailures"] == []
    assert len(aws.sent()) == 2


def test_an_english_request_gets_an_english_resident_email(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields(lang="en")).json()["reference"]
    aws.notify_batch()
    resident = next(mail for mail in aws.sent() if mail.to == ["resident@example.com"])
    assert resident.subject == f"[{reference}] We have received your repair"
    assert "What happens next" in resident.html
    assert "https://lobby.example/api/s/" in resident.html


def test_no_email_given_means_only_the_office_is_emailed(aws: Aws) -> None:
    post_json("/api/requests/repair", repair_fields(email=""))
    aws.notify_batch()
    assert [mail.to for mail in aws.sent()] == [[OFFICE_EMAILS["engineering"]]]


def test_submitting_twice_stores_one_request(aws: Aws) -> None:
    first = post_json("/api/requests/repair", repair_fields())
    again = post_json("/api/requests/repair", repair_fields())

    assert first.status == 201
    assert again.status == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["duplicate"] is True
    assert len(aws.requests()) == 1


def test_a_different_request_from_the_same_resident_is_a_new_one(aws: Aws) -> None:
    post_json("/api/requests/repair", repair_fields())
    post_json("/api/requests/repair", repair_fields(description="卫生间的灯不亮了，开关没有反应。"))
    assert len(aws.requests()) == 2


def _complaint() -> dict[str, str]:
    fields = repair_fields(category="service")
    del fields["size"]
    return fields


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", {"phone": "请输入有效的电话号码", "name": "请填写您的姓名", "category": "请选择报修类别"}),
        (
            "en",
            {
                "phone": "Enter a phone number",
                "name": "Enter your name",
                "category": "Select what needs repair",
            },
        ),
    ],
)
def test_invalid_fields_get_a_localized_message_each_and_store_nothing(
    aws: Aws, lang: str, expected: dict[str, str]
) -> None:
    response = post_json(
        "/api/requests/repair", repair_fields(lang=lang, phone="12ab", name="  ", category="")
    )

    assert response.status == 422
    payload = response.json()
    errors = {error["field"]: error["message"] for error in payload["errors"]}
    assert set(errors) == {"phone", "name", "category"}
    for field, start in expected.items():
        assert errors[field].startswith(start)
    assert ("3 处" in payload["message"]) if lang == "zh" else ("3 of your answers" in payload["message"])
    assert aws.items() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surprise": "x"}, "surprise"),
        ({"consent": ""}, "consent"),
        ({"category": "teleport"}, "category"),
        ({"description": "x" * 2001}, "description"),
        ({"building": "3栋\r\nBcc: victim@example.com"}, "building"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": 13800138000}, "phone"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_each_kind_of_bad_field_is_refused_by_name(aws: Aws, change: dict[str, object], field: str) -> None:
    response = post_json("/api/requests/repair", {**repair_fields(), **change})
    assert response.status == 422, response.body
    assert field in {error["field"] for error in response.json()["errors"]}
    assert aws.items() == []


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (http_event("POST", "/api/requests/teleport", body="{}", content_type="application/json"), 404),
        (http_event("POST", "/api/requests/repair", body="{not json", content_type="application/json"), 400),
        (http_event("POST", "/api/requests/repair", body="[1, 2]", content_type="application/json"), 400),
        (http_event("POST", "/api/requests/repair", body="hello", content_type="text/plain"), 415),
        (http_event("POST", "/api/requests/repair", body="hello"), 415),
        (
            http_event(
                "POST",
                "/api/requests/repair",
                body=json.dumps({"description": "x" * 20_000}),
                content_type="application/json",
            ),
            413,
        ),
        (
            http_event(
                "POST",
                "/api/requests/repair",
                body=b"\xff\xfe\x00",
                content_type="application/json",
                base64_body=True,
            ),
            400,
        ),
        (http_event("GET", "/api/nothing-here"), 404),
    ],
)
def test_unusable_requests_get_a_4xx_and_store_nothing(
    aws: Aws, event: dict[str, object], status: int
) -> None:
    response = call_api(event)
    assert response.status == status, response.body
    assert response.json()["message"]
    assert aws.items() == []


def test_the_problem_message_follows_the_browser_language(aws: Aws) -> None:
    event = http_event(
        "POST",
        "/api/requests/repair",
        body="hello",
        content_type="text/plain",
        headers={"Accept-Language": "en-GB"},
    )
    assert call_api(event).json()["message"].startswith("We cannot read that format")


def test_a_form_post_gets_an_html_receipt(aws: Aws) -> None:
    response = post_form("/api/requests/repair", repair_fields())

    assert response.status == 201
    assert response.headers["Content-Type"].startswith("text/html")
    [stored] = aws.requests()
    reference = stored["reference"]["S"]
    page = unescape(response.body)
    assert '<html lang="zh' in response.body
    assert reference in page
    assert "我们已收到您的报修" in page
    assert "/api/s/" in page


def test_a_form_post_with_errors_shows_the_form_again_with_its_values(aws: Aws) -> None:
    fields = repair_fields(phone="12", description="<script>alert(1)</script> 漏水")
    response = post_form("/api/requests/repair", fields)

    assert response.status == 422
    assert 'class="lobby-error-summary"' in response.body
    assert 'href="#f-phone"' in response.body
    assert 'id="f-phone-error"' in response.body
    assert "<script>alert(1)</script>" not in response.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 漏水" in response.body
    assert aws.items() == []


def test_a_form_post_in_english_gets_english_errors(aws: Aws) -> None:
    response = post_form("/api/requests/repair", repair_fields(lang="en", phone=""))
    assert response.status == 422
    assert '<html lang="en' in response.body
    assert "Enter phone number" in unescape(response.body)


def test_a_paid_service_booking_offers_the_catalog_prices(aws: Aws) -> None:
    fields = {
        **repair_fields(),
        "service": "drain-clear",
        "agreement": "one-off",
        "preferred_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
        "description": "",
    }
    del fields["category"], fields["size"]
    response = post_json("/api/requests/paid-service", fields)
    assert response.status == 201, response.body
    assert aws.requests()[0]["office"]["S"] == "service-centre"

    past = {**fields, "preferred_date": "2020-01-01"}
    refused = post_json("/api/requests/paid-service", past)
    assert refused.status == 422
    assert refused.json()["errors"][0]["field"] == "preferred_date"


def test_the_openapi_document_describes_every_kind(aws: Aws) -> None:
    response = call_api(http_event("GET", "/api/openapi.json"))
    assert response.status == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    from lobby.catalog import load_catalog

    for kind_id, kind in load_catalog().kinds.items():
        assert f"/api/requests/{kind_id}" in document["paths"]  # one path per kind, with its own body
        schema = schemas[f"{kind_id}Request"]
        assert set(schema["properties"]) == {f.id for f in kind.fields} | {
            "consent",
            "website",
            "lang",
            "step",
        }
        assert schema["additionalProperties"] is False


def test_a_minor_repair_filed_on_friday_evening_is_promised_in_engineerings_hours(
    aws: Aws, clock_at: Callable[[str], datetime]
) -> None:
    clock_at("2026-11-27T20:00:00+08:00")  # Friday 20:00: engineering has closed (08:00-18:00)
    receipt = post_json("/api/requests/repair", repair_fields()).json()
    received = datetime.fromisoformat(receipt["received_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(receipt["due_at"].replace("Z", "+00:00"))
    assert received.astimezone(SHANGHAI).strftime("%a %H:%M") == "Fri 20:00"
    # Eight service hours from Saturday's opening, not Saturday 04:00; contact by then at the latest.
    assert due.astimezone(SHANGHAI).strftime("%a %Y-%m-%d %H:%M") == "Sat 2026-11-28 16:00"
    [stored] = aws.requests()
    acknowledge_due = datetime.fromisoformat(stored["acknowledge_due"]["S"].replace("Z", "+00:00"))
    assert acknowledge_due <= due
