"""Requests an attacker or a careless client sends, each answered with a clear, localized refusal
(never a bare 500), and each leaving the table and the mail as they were."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from lobby import links
from tests.integration.conftest import (
    SIGNING_SECRET,
    Aws,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)

MALFORMED_EN = "We could not read what you sent. Go back to the form and send it again."
MALFORMED_ZH = "提交的内容无法解析。请返回表单重新提交。"
INVALID_LINK_ZH = "这个链接无效，可能被修改过。请使用邮件中的原始链接。"


def _raw_json(path: str, text: str, lang: str = "en") -> Any:
    return call_api(
        http_event(
            "POST", path, body=text, content_type="application/json", headers={"Accept-Language": lang}
        )
    )


def _token(reference: str, action: str) -> str:
    return links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )


@pytest.mark.parametrize("path", ["/api/requests/repair", "/api/status"])
def test_an_integer_past_pythons_digit_limit_is_unreadable_not_a_crash(aws: Aws, path: str) -> None:
    body = json.dumps(repair_fields())[:-1] + ', "phone_alt": ' + "9" * 5001 + "}"
    answer = _raw_json(path, body)
    assert answer.status == 400, answer.body[:200]
    assert answer.json() == {"message": MALFORMED_EN}
    assert aws.items() == [] and aws.sent() == []


@pytest.mark.parametrize("path", ["/api/requests/repair", "/api/status"])
def test_a_key_given_twice_in_json_is_refused_as_a_repeated_form_field_is(aws: Aws, path: str) -> None:
    body = json.dumps(repair_fields())[:-1] + ', "phone": "13900000000"}'
    answer = _raw_json(path, body, "zh")
    assert answer.status == 400
    assert answer.json() == {"message": "同一栏只能填写一次。"}
    assert aws.items() == []


def test_a_key_given_twice_in_a_nested_object_is_refused_too(aws: Aws) -> None:
    answer = _raw_json("/api/requests/repair", '{"name": {"a": 1, "a": 2}}')
    assert answer.status == 400
    assert answer.json() == {"message": "Each field may be given only once."}


@pytest.mark.parametrize("escaped", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_a_lone_surrogate_escape_is_unreadable(aws: Aws, escaped: str) -> None:
    answer = _raw_json("/api/requests/repair", '{"name": "' + escaped + '", "x' + escaped + '": "1"}')
    assert answer.status == 400
    assert answer.json() == {"message": MALFORMED_EN}
    assert aws.items() == []


def test_without_a_lang_field_the_errors_come_in_the_browsers_language(aws: Aws) -> None:
    fields = repair_fields(phone="")
    del fields["lang"]
    answer = post_json("/api/requests/repair", fields, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert answer.status == 422
    assert answer.json()["errors"] == [{"field": "phone", "message": "Enter phone number"}]
    assert answer.json()["message"] == "There is a problem with 1 of your answers"
    chinese = post_json("/api/requests/repair", fields)
    assert chinese.json()["errors"] == [{"field": "phone", "message": "请填写联系电话"}]


def test_without_a_lang_field_the_request_is_kept_in_the_browsers_language(aws: Aws) -> None:
    fields = repair_fields()
    del fields["lang"]
    answer = post_json("/api/requests/repair", fields, headers={"Accept-Language": "en"})
    assert answer.status == 201
    assert answer.json()["status_url"].startswith("/en/status/")
    assert aws.requests()[0]["lang"]["S"] == "en"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_residents_rating_link_does_nothing_at_the_staff_route(aws: Aws, method: str) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = aws.items()
    token = _token(reference, "rate")
    body = {"actor": "Zhang", "quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes"}
    answer = (
        post_form(f"/api/actions/{token}", body)
        if method == "POST"
        else call_api(http_event("GET", f"/api/actions/{token}"))
    )
    assert answer.status == 404, answer.body[:300]
    assert INVALID_LINK_ZH in answer.body
    assert aws.items() == before


@pytest.mark.parametrize("route", ["actions", "rate"])
@pytest.mark.parametrize("action", ["delete", "", "rate ", "__proto__", "close\n"])
def test_a_genuine_link_minted_for_no_known_action_is_invalid(aws: Aws, route: str, action: str) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = aws.items()
    token = _token(reference, action)
    for answer in (
        call_api(http_event("GET", f"/api/{route}/{token}")),
        post_form(f"/api/{route}/{token}", {"actor": "Zhang", "note": "x"}),
    ):
        assert answer.status == 404, answer.body[:300]
        assert INVALID_LINK_ZH in answer.body
    assert aws.items() == before


def test_a_staff_follow_up_link_does_nothing_at_the_residents_route(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = aws.items()
    answers = {"quality": "1", "effect": "1", "attitude": "1", "satisfied": "no", "actor": "x"}
    answer = post_form(f"/api/rate/{_token(reference, 'followup')}", answers)
    assert answer.status == 404
    assert aws.items() == before


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/requests/repair", "POST"),
        ("/api/status", "POST"),
        ("/api/actions/some.token", "GET, POST"),
        ("/api/rate/some.token", "GET, POST"),
        ("/api/openapi.json", "GET"),
    ],
)
def test_a_method_a_route_does_not_take_is_405_with_allow(
    aws: Aws, method: str, path: str, allowed: str
) -> None:
    answer = call_api(http_event(method, path, headers={"Accept-Language": "en"}))
    assert answer.status == 405
    assert answer.headers["Allow"] == allowed
    assert answer.json() == {"message": "This address does not accept that kind of request."}


def test_an_unknown_path_is_still_404(aws: Aws) -> None:
    answer = call_api(http_event("TRACE", "/api/nothing-here"))
    assert answer.status == 404


@pytest.mark.parametrize("as_form", [False, True], ids=["json", "form"])
def test_a_filled_honeypot_is_answered_as_if_accepted_and_nothing_is_stored_or_sent(
    aws: Aws, as_form: bool
) -> None:
    fields = repair_fields(website="http://spam.example", lang="en")
    answer = (
        post_form("/api/requests/repair", fields) if as_form else post_json("/api/requests/repair", fields)
    )
    assert answer.status == 201, answer.body[:300]
    assert "empty" not in answer.body.lower() and "website" not in answer.body
    if not as_form:
        assert answer.json()["reference"][:8].isdigit()
    assert aws.items() == []
    aws.notify_batch()
    assert aws.sent() == []


def test_a_refusal_logs_field_names_never_what_was_sent(aws: Aws, caplog: pytest.LogCaptureFixture) -> None:
    """A JSON body posted as a form arrives as one long field name holding the phone and e-mail."""
    body = json.dumps({"phone": "13800138000", "email": "resident@example.com", "name": "王小明"})
    caplog.set_level(logging.INFO)
    answer = call_api(
        http_event(
            "POST", "/api/requests/repair", body=body, content_type="application/x-www-form-urlencoded"
        )
    )
    assert answer.status == 422
    [refusal] = [record for record in caplog.records if record.getMessage() == "submission refused"]
    logged = json.dumps(vars(refusal), default=str, ensure_ascii=False)
    for value in ("13800138000", "resident@example.com", "王小明", "example.com"):
        assert value not in logged, value
    required = ["building", "category", "consent", "description", "name", "phone", "unit"]
    assert refusal.fields_in_error == required
    assert refusal.unknown_fields == 1


def _dynamodb_calls(aws: Aws) -> list[str]:
    from lobby.storage import dynamodb_client

    calls: list[str] = []
    dynamodb_client().meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    return calls


def test_a_status_lookup_does_the_same_work_for_known_and_unknown_references(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    calls = _dynamodb_calls(aws)
    work = {}
    for name, ask in {
        "known, right contact": {"reference": reference, "contact": "13800138000"},
        "known, wrong contact": {"reference": reference, "contact": "13900000000"},
        "unknown": {"reference": "20200101-0001", "contact": "13800138000"},
        "malformed": {"reference": "../../etc", "contact": "13800138000"},
        "no contact": {"reference": reference, "contact": ""},
    }.items():
        calls.clear()
        answer = post_json("/api/status", ask)
        assert answer.status == (200 if name == "known, right contact" else 404)
        work[name] = list(calls)
    assert len({tuple(calls) for calls in work.values()}) == 1, work
    assert work["unknown"] == ["GetItem", "Query"]


def test_the_contact_index_is_keyed_by_an_hmac_under_a_secret_never_a_bare_hash(aws: Aws) -> None:
    """A bare SHA-256 of a phone number is reversed by hashing every number (there are only ~10^11)."""
    import hashlib
    import hmac

    post_json("/api/requests/repair", repair_fields(phone="138-0013-8000"))
    [request] = aws.requests()
    key = request["GSI4PK"]["S"].rsplit("#", 1)[-1]
    assert key != hashlib.sha256(b"13800138000").hexdigest()[:32]
    derived = hmac.new(SIGNING_SECRET.encode(), b"lobby keyed hashes", hashlib.sha256).digest()
    assert key == hmac.new(derived, b"contact\x0013800138000", hashlib.sha256).hexdigest()[:32]
    assert "13800138000" not in json.dumps(
        {name: value for name, value in request.items() if name != "fields"}
    )
