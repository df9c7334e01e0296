"""The same routes under Powertools' ASGI resolver, for the local stack (never deployed)."""

from __future__ import annotations

import base64
from collections.abc import Callable, MutableMapping
from typing import Any

from aws_lambda_powertools.event_handler import HttpResolverLocal

from api.http import FORM, HTML_HEADERS, SECURITY_HEADERS, header, negotiate_lang, problem_message
from api.wiring import configure, load_routes


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# API Gateway hands a multipart body (photos sent by a form without JavaScript, api/photos.py) to the
# function base64-encoded; Powertools' local resolver knows text only, so the front marks it for the event.
BINARY_TYPES = frozenset({"multipart/form-data"})
_BASE64_MARKER = "x-lobby-local-base64"


class LocalApi(HttpResolverLocal):
    """Powertools' resolver reads the body, headers and query as UTF-8 and drops the connection when
    they are not; API Gateway answers such requests. Here they get the API's own 400, localized. A
    multipart body reaches the function base64-encoded, as API Gateway sends it."""

    def _to_proxy_event(self, event: dict[str, Any]) -> Any:
        if (event.get("headers") or {}).pop(_BASE64_MARKER, None) is not None:
            event["isBase64Encoded"] = True
        return super()._to_proxy_event(event)

    async def __call__(  # type: ignore[override]
        self, scope: MutableMapping[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        load_routes(self, scope.get("path") or "")
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = b""
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-type":
                content_type = value
        headers = [
            (name, value)
            for name, value in scope.get("headers", [])
            if name.lower() != _BASE64_MARKER.encode()
        ]
        binary = content_type.split(b";")[0].strip().lower().decode("latin-1") in BINARY_TYPES
        if binary:
            body = base64.b64encode(body)
            headers.append((_BASE64_MARKER.encode(), b"1"))
        scope = {**scope, "headers": headers}
        raw = [
            body,
            scope.get("query_string", b""),
            *(part for pair in scope.get("headers", []) for part in pair),
        ]
        if any(_utf8(part) is None for part in raw):
            await self._refuse(scope, send)
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await super().__call__(scope, replay, send)

    @staticmethod
    async def _refuse(scope: MutableMapping[str, Any], send: Callable[..., Any]) -> None:
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])
        }
        message = problem_message("malformed", negotiate_lang(headers))
        if header(headers, "content-type").split(";")[0].strip().lower() == FORM:
            from views.pages.resident import problem_page

            payload, media, extra = (
                problem_page(negotiate_lang(headers), message),
                "text/html; charset=utf-8",
                HTML_HEADERS,
            )
        else:
            import json

            payload, media, extra = (
                json.dumps({"message": message}, ensure_ascii=False),
                "application/json",
                SECURITY_HEADERS,
            )
        body = payload.encode("utf-8")
        response_headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
        response_headers += [(name.lower().encode(), value.encode()) for name, value in extra.items()]
        await send({"type": "http.response.start", "status": 400, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})


def create_local_app() -> HttpResolverLocal:
    resolver = configure(LocalApi())
    assert isinstance(resolver, HttpResolverLocal)
    return resolver
