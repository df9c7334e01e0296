"""An ASGI front for the API's Lambda handler, so schemathesis reaches the code that is deployed.

Each HTTP request becomes the API Gateway HTTP API event (payload format 2.0) that the template's
``ANY /api/{proxy+}`` route would deliver to ``api.app.lambda_handler``, and the handler's answer
becomes the HTTP response. As on API Gateway: header names arrive lower-cased, repeated headers
and query values are joined with commas, and a body that is not JSON or text arrives
base64-encoded (so form posts do).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from devstack.web import lifespan

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

TEXT_TYPES = ("application/json", "text/")


class LambdaContext:
    function_name = "lobby-fuzz"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:123456789012:function:lobby-fuzz"
    aws_request_id = "fuzz-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _body(raw: bytes, content_type: str) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    if content_type.lower().startswith(TEXT_TYPES):
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(raw).decode(), True


def http_api_event(scope: dict[str, Any], raw_body: bytes) -> dict[str, Any]:
    headers = _joined(
        [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope["headers"]]
    )
    cookies = [part.strip() for part in headers.pop("cookie", "").split(";") if part.strip()]
    raw_query = scope.get("query_string", b"").decode("latin-1")
    query = _joined(parse_qsl(raw_query, keep_blank_values=True))
    body, encoded = _body(raw_body, headers.get("content-type", ""))
    path = scope["path"]
    return {
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "cookies": cookies or None,
        "headers": headers,
        "queryStringParameters": query or None,
        "pathParameters": {"proxy": path.removeprefix("/api/")},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "fuzz",
            "domainName": headers.get("host", "lobby.example"),
            "http": {
                "method": scope["method"],
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": "fuzz",
            "routeKey": "ANY /api/{proxy+}",
            "stage": "$default",
            "time": "22/Nov/2026:06:50:00 +0000",
            "timeEpoch": 1795330200000,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


class LambdaAsgi:
    """``await app(scope, receive, send)`` → ``handler(event, context)`` → the HTTP response."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.exchanges: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (event, result), for the tests

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        event = http_api_event(scope, raw)
        result = self.handler(event, LambdaContext())
        self.exchanges.append((event, result))
        body = result.get("body") or ""
        payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        headers = [
            (name.lower().encode("latin-1"), str(value).encode("latin-1"))
            for name, value in (result.get("headers") or {}).items()
        ]
        headers += [(b"set-cookie", cookie.encode("latin-1")) for cookie in result.get("cookies") or []]
        await send({"type": "http.response.start", "status": int(result["statusCode"]), "headers": headers})
        await send({"type": "http.response.body", "body": payload})
