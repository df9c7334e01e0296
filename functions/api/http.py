"""Reading requests and shaping responses: body limits, content types, JSON or HTML."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler.api_gateway import Response
from msgspec import Struct, field

from lobby import policy
from views.messages import translate

MAX_BODY_BYTES = 16 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The API's own HTML pages load nothing but the site's stylesheets and script (views.page). Material's
# stylesheet draws its icons (a checkbox's tick, a details marker) as data: SVG images, hence img-src data:.
HTML_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
}


class HttpProblem(Exception):
    """A client error with a localized message; nothing was stored."""

    def __init__(
        self, status: int, key: str, *, lang: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.lang = lang  # the resident's language when known (a form's lang field), else the browser's
        self.retry_after = retry_after


class Incoming(Struct):
    """A parsed request body and how the client wants its answer."""

    data: dict[str, Any] = field(default_factory=dict)
    wants_html: bool = False


def header(headers: dict[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value or ""
    return ""


def client_address(event: Any) -> str:
    """The address the request came from. Behind CloudFront that is the last X-Forwarded-For entry
    (CloudFront appends the viewer's own address to whatever the client sent); else the source."""
    forwarded = [part.strip() for part in header(event.headers, "x-forwarded-for").split(",") if part.strip()]
    if forwarded:
        return forwarded[-1]
    context = event.raw_event.get("requestContext") or {}
    return str(
        (context.get("http") or {}).get("sourceIp") or context.get("identity", {}).get("sourceIp") or ""
    )


def negotiate_lang(headers: dict[str, str] | None) -> str:
    accept = header(headers, "accept-language").lower()
    return "en" if accept.startswith("en") else "zh"


def prefers_html(headers: dict[str, str] | None) -> bool:
    content_type = header(headers, "content-type").split(";")[0].strip().lower()
    if content_type == FORM:
        return True
    if content_type == JSON:
        return False
    accept = header(headers, "accept").lower()
    return "text/html" in accept and JSON not in accept


def raw_body(event: Any) -> bytes:
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpProblem(400, "malformed") from None
    return body.encode("utf-8", errors="surrogatepass")


def read_body(event: Any) -> Incoming:
    """Parse a JSON or form-encoded body into one flat mapping, enforcing size and type."""
    headers = event.headers
    content_type = header(headers, "content-type").split(";")[0].strip().lower()
    body = raw_body(event)
    if len(body) > MAX_BODY_BYTES:
        raise HttpProblem(413, "too_large")
    if content_type not in (JSON, FORM):
        raise HttpProblem(415, "unsupported")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpProblem(400, "malformed") from None
    if content_type == JSON:
        return Incoming(data=_json_object(text), wants_html=False)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpProblem(400, "malformed") from None
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise HttpProblem(400, "repeated")
    return Incoming(data=dict(pairs), wants_html=True)


class _RepeatedKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise _RepeatedKey
    return dict(pairs)


def _json_object(text: str) -> dict[str, Any]:
    """A JSON object with each key once, numbers of sane size and text that is real Unicode."""
    try:
        # ValueError covers integers past Python's digit limit; RecursionError deep nesting.
        data = json.loads(text, object_pairs_hook=_unique_keys) if text.strip() else {}
    except _RepeatedKey:
        raise HttpProblem(400, "repeated") from None
    except (ValueError, RecursionError):
        raise HttpProblem(400, "malformed") from None
    if not isinstance(data, dict):
        raise HttpProblem(400, "not_object")
    try:  # "\ud800" escapes decode to lone surrogates, which no answer or table can hold
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise HttpProblem(400, "malformed") from None
    return data


def json_response(status: int, payload: dict[str, Any]) -> Response:
    return Response(
        status_code=status,
        content_type=JSON,
        body=json.dumps(payload, ensure_ascii=False),
        headers=dict(SECURITY_HEADERS),
    )


def html_response(status: int, html: str, *, images_from: str | None = None) -> Response:
    """An HTML page; ``images_from`` is one more origin its images may load from (the photo bucket's)."""
    headers = dict(HTML_HEADERS)
    if images_from:
        policy_text = headers["Content-Security-Policy"]
        headers["Content-Security-Policy"] = policy_text.replace(
            "img-src 'self'", f"img-src 'self' {images_from}"
        )
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=html, headers=headers)


def problem_message(key: str, lang: str) -> str:
    """Why a request was refused, in words (the message catalog's ``problem.<key>``)."""
    return translate(
        lang,
        f"problem.{key}",
        limit_kb=MAX_BODY_BYTES // 1024,
        line_hours=policy.SERVICE_LINE_HOURS,
        photo_mb=policy.PHOTO_MAX_MB,
        form_mb=policy.FORM_PHOTO_MAX_MB,
        photos_limit=policy.PHOTOS_PER_REQUEST,
    )
