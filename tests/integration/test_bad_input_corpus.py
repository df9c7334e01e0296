"""The bad-input corpus: what a careless client or an attacker sends to every route, one case each.

Every case asserts the status, that the answer speaks the resident's (or, behind a staff link, the
office's) language, and that nothing was stored or sent. One moto account serves the whole module:
a request is filed first (with its links), and after every case the table must hold exactly what it
held before and the notify function must have nothing new to send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from lobby import links
from tests.integration.conftest import (
    SIGNING_SECRET,
    Aws,
    HttpResponse,
    call_api,
    http_event,
    moto_account,
    repair_fields,
)
from views import receipt

CJK = re.compile(r"[\u4e00-\u9fff]")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

# The API's own words for refusals that are not about one field (api/http.py PROBLEMS).
PROBLEM = {
    "malformed": ("提交的内容无法解析。请返回表单重新提交。", "We could not read what you sent."),
    "not_object": (
        "JSON 内容必须是一个对象，每一栏一个键。",
        "The JSON body must be an object with one key per field.",
    ),
    "repeated": ("同一栏只能填写一次。", "Each field may be given only once."),
    "too_large": ("提交的内容太长了（上限 16 KB）。", "What you sent is too long (the limit is 16 KB)."),
    "unsupported": ("无法识别提交的格式。", "We cannot read that format."),
    "unknown_kind": ("没有这类诉求。", "There is no such kind of request."),
    "not_found": ("找不到这个地址。", "There is nothing at this address."),
    "method": ("这个地址不接受这种请求方式。", "This address does not accept that kind of request."),
}
# The staff and rating pages speak the office's language (Chinese here).
LINK_PROBLEM = {
    "invalid": "这个链接无效，可能被修改过。请使用邮件中的原始链接。",
    "expired": "这个链接已过期。",
}


@dataclass(frozen=True)
class Case:
    id: str
    send: Callable[[dict[str, str]], HttpResponse]  # given the filed request's reference and tokens
    status: int
    lang: str
    says: str | None = None  # text the answer must contain; None: the field messages are checked

    def param(self) -> Any:
        return pytest.param(self, id=self.id)


def _call(
    method: str,
    path: str,
    body: bytes | str | None = None,
    content_type: str | None = None,
    lang: str = "zh",
    base64_body: bool = False,
) -> HttpResponse:
    return call_api(
        http_event(
            method,
            path,
            body=body,
            content_type=content_type,
            headers={"Accept-Language": lang},
            base64_body=base64_body,
        )
    )


def _json(path: str, payload: Any, lang: str) -> Callable[[dict[str, str]], HttpResponse]:
    return lambda _: _call("POST", path, json.dumps(payload, ensure_ascii=False), JSON, lang)


def _form(path: str, fields: dict[str, str], lang: str) -> Callable[[dict[str, str]], HttpResponse]:
    return lambda _: _call("POST", path, urlencode(fields), FORM, lang)


def _raw(
    path: str, body: bytes, content_type: str | None, lang: str
) -> Callable[[dict[str, str]], HttpResponse]:
    return lambda _: _call("POST", path, body, content_type, lang, base64_body=True)


# One bad value per field of the repair form: (id, change, the field in error).
FIELD_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("phone with letters", {"phone": "12ab"}, "phone"),
    ("phone empty", {"phone": ""}, "phone"),
    ("phone as a number", {"phone": 13800138000}, "phone"),
    ("phone too short", {"phone": "12345"}, "phone"),
    ("second phone with letters", {"phone_alt": "call me"}, "phone_alt"),
    ("name blank", {"name": "   "}, "name"),
    ("name as a list", {"name": ["王", "小明"]}, "name"),
    ("name null", {"name": None}, "name"),
    ("size unknown", {"size": "huge"}, "size"),
    ("category unknown", {"category": "teleport"}, "category"),
    ("description too long", {"description": "x" * 2001}, "description"),
    ("description too short", {"description": "漏"}, "description"),
    ("description as an object", {"description": {"text": "漏水"}}, "description"),
    ("building with a header injection", {"building": "3栋\r\nBcc: victim@example.com"}, "building"),
    ("unit on two lines", {"unit": "15\n02"}, "unit"),
    ("e-mail without a domain", {"email": "not-an-address"}, "email"),
    ("e-mail with two at signs", {"email": "a@b@example.com"}, "email"),
    ("consent missing", {"consent": ""}, "consent"),
    ("consent refused", {"consent": "no"}, "consent"),
    ("a field the form does not have", {"surprise": "x"}, "surprise"),
]
FORM_FIELD_CASES = [case for case in FIELD_CASES if all(isinstance(v, str) for v in case[1].values())][:12]

# Every kind with nothing filed but consent: each required field is named.
KINDS = ["repair", "complaint", "consultation", "help", "coordination", "suggestion", "paid-service"]

BIG_INTEGER = b'{"phone_alt": ' + b"9" * 5001 + b"}"
BODY_CASES: list[tuple[str, bytes, str | None, str, int]] = [
    ("cut-off JSON", b'{"name": ', JSON, "malformed", 400),
    ("JSON with a trailing comma", b'{"name": "x",}', JSON, "malformed", 400),
    ("an array", b"[1, 2]", JSON, "not_object", 400),
    ("a string", b'"repair"', JSON, "not_object", 400),
    ("null", b"null", JSON, "not_object", 400),
    ("an integer past the digit limit", BIG_INTEGER, JSON, "malformed", 400),
    ("a key twice", b'{"name": "a", "name": "b"}', JSON, "repeated", 400),
    ("a lone surrogate escape", b'{"name": "\\ud800"}', JSON, "malformed", 400),
    ("bytes that are not UTF-8", b'{"name": "\xff\xfe"}', JSON, "malformed", 400),
    ("nesting past the recursion limit", b"[" * 5_000 + b"]" * 5_000, JSON, "malformed", 400),
    ("over 16 KB", b'{"description": "' + b"x" * 17_000 + b'"}', JSON, "too_large", 413),
    ("plain text", b"name=x", "text/plain", "unsupported", 415),
    ("XML", b"<name>x</name>", "application/xml", "unsupported", 415),
    ("no content type", b"{}", None, "unsupported", 415),
    ("a form field twice", b"name=a&name=b", FORM, "repeated", 400),
    ("a form with bytes that are not UTF-8", b"name=%ff%fe", FORM, "malformed", 400),
]


def _cases() -> Iterator[Case]:
    for lang in ("zh", "en"):
        for name, change, field in FIELD_CASES:
            payload = {**repair_fields(lang=lang), **change}
            yield Case(
                f"submit JSON {lang}: {name}", _json("/api/requests/repair", payload, lang), 422, lang, field
            )
        for name, change, field in FORM_FIELD_CASES:
            fields = {**repair_fields(lang=lang), **change}
            yield Case(
                f"submit form {lang}: {name}", _form("/api/requests/repair", fields, lang), 422, lang, field
            )
        for kind in KINDS:
            yield Case(
                f"submit JSON {lang}: an empty {kind}",
                _json(f"/api/requests/{kind}", {"consent": "yes", "lang": lang}, lang),
                422,
                lang,
                "name",
            )
        for path in ("/api/requests/repair", "/api/status"):
            for name, body, content_type, key, status in BODY_CASES:
                yield Case(
                    f"{path} {lang}: {name}",
                    _raw(path, body, content_type, lang),
                    status,
                    lang,
                    PROBLEM[key][lang == "en"],
                )
        for kind in ("teleport", "REPAIR", "repair ", "..", "%00"):
            yield Case(
                f"submit {lang}: unknown kind {kind!r}",
                _json(f"/api/requests/{kind}", repair_fields(lang=lang), lang),
                404,
                lang,
                PROBLEM["unknown_kind"][lang == "en"],
            )
        for path in ("/api", "/api/", "/api/nothing", "/api/requests", "/api/requests/repair/extra"):
            yield Case(
                f"GET {path} {lang}",
                lambda _, p=path, lg=lang: _call("GET", p, lang=lg),
                404,
                lang,
                PROBLEM["not_found"][lang == "en"],
            )
        lookups: list[tuple[str, Callable[[dict[str, str]], dict[str, Any]]]] = [
            ("a wrong phone", lambda t: {"reference": t["reference"], "contact": "13900000000"}),
            ("a wrong e-mail", lambda t: {"reference": t["reference"], "contact": "li@example.com"}),
            ("an unknown reference", lambda _: {"reference": "20200101-0001", "contact": "13800138000"}),
            ("a malformed reference", lambda _: {"reference": "../../etc/passwd", "contact": "13800138000"}),
            ("no contact", lambda t: {"reference": t["reference"], "contact": ""}),
            ("a reference as a number", lambda _: {"reference": 20261126, "contact": "13800138000"}),
            ("a contact as a list", lambda t: {"reference": t["reference"], "contact": ["13800138000"]}),
            ("nothing at all", lambda _: {}),
            ("an injected key condition", lambda _: {"reference": "x' OR '1'='1", "contact": "1"}),
            ("a contact over 120 characters", lambda t: {"reference": t["reference"], "contact": "1" * 500}),
        ]
        for name, body in lookups:
            yield Case(
                f"status {lang}: {name}",
                lambda t, b=body, lg=lang: _call("POST", "/api/status", json.dumps(b(t)), JSON, lg),
                404,
                lang,
                receipt.not_found(lang),
            )
    for method in ("TRACE", "PUT", "DELETE", "PATCH"):
        for path in (
            "/api/requests/repair",
            "/api/status",
            "/api/actions/x.y",
            "/api/rate/x.y",
            "/api/openapi.json",
        ):
            yield Case(
                f"{method} {path}",
                lambda _, m=method, p=path: _call(m, p, lang="en"),
                405,
                "en",
                PROBLEM["method"][1],
            )
    link_cases: list[tuple[str, Callable[[dict[str, str]], str], str]] = [
        ("garbage", lambda _: "garbage.token", "invalid"),
        ("no dot", lambda _: "nodot", "invalid"),
        ("three parts", lambda _: "a.b.c", "invalid"),
        (
            "tampered signature",
            lambda t: t["acknowledge"][:-2] + ("AA" if t["acknowledge"][-2:] != "AA" else "BB"),
            "invalid",
        ),
        ("tampered payload", lambda t: "x" + t["acknowledge"], "invalid"),
        ("signed with another secret", lambda t: t["other_secret"], "invalid"),
        ("expired", lambda t: t["expired"], "expired"),
        ("a rating link", lambda t: t["rate"], "invalid"),
        ("an unknown action", lambda t: t["unknown"], "invalid"),
        ("non-ASCII", lambda _: "令牌.签名", "invalid"),
    ]
    for name, token, problem in link_cases:
        status = 410 if problem == "expired" else 404
        yield Case(
            f"GET action link: {name}",
            lambda t, k=token: _call("GET", f"/api/actions/{k(t)}"),
            status,
            "zh",
            LINK_PROBLEM[problem],
        )
        yield Case(
            f"POST action link: {name}",
            lambda t, k=token: _call("POST", f"/api/actions/{k(t)}", "actor=Zhang&note=x", FORM),
            status,
            "zh",
            LINK_PROBLEM[problem],
        )
    rate_cases: list[tuple[str, Callable[[dict[str, str]], str], str]] = [
        ("garbage", lambda _: "garbage.token", "invalid"),
        ("a staff link", lambda t: t["acknowledge"], "invalid"),
        ("a follow-up link", lambda t: t["followup"], "invalid"),
        ("expired", lambda t: t["expired_rate"], "expired"),
        ("signed with another secret", lambda t: t["other_secret"], "invalid"),
    ]
    rating = "quality=1&effect=1&attitude=1&satisfied=no&comments=x"
    for name, token, problem in rate_cases:
        status = 410 if problem == "expired" else 404
        yield Case(
            f"GET rating link: {name}",
            lambda t, k=token: _call("GET", f"/api/rate/{k(t)}"),
            status,
            "zh",
            LINK_PROBLEM[problem],
        )
        yield Case(
            f"POST rating link: {name}",
            lambda t, k=token: _call("POST", f"/api/rate/{k(t)}", rating, FORM),
            status,
            "zh",
            LINK_PROBLEM[problem],
        )


CASES = list(_cases())


def test_the_corpus_covers_every_route_with_at_least_150_cases() -> None:
    assert len(CASES) >= 150, len(CASES)
    assert len({case.id for case in CASES}) == len(CASES)
    for route in ("/api/requests/", "/api/status", "action link", "rating link", "/api/openapi.json"):
        assert any(route in case.id for case in CASES), route


@pytest.fixture(scope="module")
def filed() -> Iterator[tuple[Aws, dict[str, str]]]:
    """One account for the module, with one request filed and its first e-mails sent."""
    with pytest.MonkeyPatch.context() as patch, moto_account(patch) as aws:
        links.secret_store.cache_clear()
        answer = call_api(
            http_event("POST", "/api/requests/repair", body=json.dumps(repair_fields()), content_type=JSON)
        )
        assert answer.status == 201, answer.body
        reference = answer.json()["reference"]
        aws.notify_batch()
        secret, now = SIGNING_SECRET.encode(), datetime.now(UTC)
        day = timedelta(days=1)
        tokens = {
            "reference": reference,
            "acknowledge": links.sign(secret, reference, "acknowledge", now, day),
            "rate": links.sign(secret, reference, "rate", now, day),
            "followup": links.sign(secret, reference, "followup", now, day),
            "unknown": links.sign(secret, reference, "delete-everything", now, day),
            "expired": links.sign(secret, reference, "acknowledge", now - 30 * day, day),
            "expired_rate": links.sign(secret, reference, "rate", now - 60 * day, day),
            "other_secret": links.sign(b"another-secret-" * 4, reference, "acknowledge", now, day),
        }
        yield aws, tokens
    links.secret_store.cache_clear()


def _in_language(text: str, lang: str) -> bool:
    return (
        bool(CJK.search(text)) if lang == "zh" else not CJK.search(text) and bool(re.search("[A-Za-z]", text))
    )


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_bad_input_is_refused_in_the_residents_language_and_changes_nothing(
    filed: tuple[Aws, dict[str, str]], case: Case
) -> None:
    aws, tokens = filed
    before = sorted(json.dumps(item, sort_keys=True) for item in aws.items())
    sent = len(aws.sent())

    answer = case.send(tokens)

    assert answer.status == case.status, (answer.status, answer.body[:300])
    assert answer.headers.get("Cache-Control") == "no-store"
    html = answer.headers.get("Content-Type", "").startswith("text/html")
    if html:  # the page is in the resident's language; its own words are checked below
        assert f'<html lang="{case.lang}' in answer.body, answer.body[:300]
    if case.status == 422 and html:
        errors = re.findall(r'class="lobby-error-message" id="f-([\w-]+)-error">(.*?)</p>', answer.body)
        messages = {field: re.sub(r"<[^>]+>", "", message) for field, message in errors}
    elif case.status == 422:
        body = answer.json()
        assert _in_language(body["message"], case.lang), body
        messages = {error["field"]: error["message"] for error in body["errors"]}
    else:
        text = re.sub(r"<[^>]+>", " ", answer.body) if html else answer.json()["message"]
        assert case.says and case.says in text, (case.says, text[:300])
        messages = {}
    if case.status == 422:
        if not (html and case.says == "surprise"):  # the form has no place for a field it lacks
            assert case.says in messages, messages
        assert messages and all(_in_language(message, case.lang) for message in messages.values()), messages
    assert sorted(json.dumps(item, sort_keys=True) for item in aws.items()) == before
    aws.notify_batch()
    assert len(aws.sent()) == sent
