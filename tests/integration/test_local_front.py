"""The local stack's front door, in process: the site's redirects stay on the site, and the API
answers requests that are not UTF-8 instead of dropping the connection."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from pathlib import Path
from typing import Any

import pytest

from devstack.web import StaticSite
from tests.integration.conftest import Aws


def asgi_call(
    app: Any,
    method: str,
    raw_path: bytes,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    query: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    """One request through an ASGI app, as uvicorn hands it over (path percent-decoded)."""
    from urllib.parse import unquote_to_bytes

    scope = {
        "type": "http",
        "method": method,
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path,
        "query_string": query,
        "headers": headers or [],
    }
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # A thread of its own: the session's browser keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(message for message in sent if message["type"] == "http.response.start")
    found = {name.decode().lower(): value.decode("latin-1") for name, value in start["headers"]}
    return (
        start["status"],
        found,
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
    )


@pytest.fixture
def site(tmp_path: Path) -> StaticSite:
    (tmp_path / "repair").mkdir()
    (tmp_path / "repair" / "index.html").write_text("<h1>repair</h1>")
    (tmp_path / "404.html").write_text("<h1>404</h1>")
    return StaticSite(tmp_path)


@pytest.mark.parametrize(
    ("raw_path", "location"),
    [
        (b"/repair", "/repair/"),
        (b"//evil.example/x", "/evil.example/x/"),
        (b"///evil.example/x", "/evil.example/x/"),
        (b"/%2F%2Fevil.example/x", "/evil.example/x/"),
        (b"/%2F/evil.example/x", "/evil.example/x/"),
    ],
)
def test_a_directory_redirect_never_leaves_the_site(site: StaticSite, raw_path: bytes, location: str) -> None:
    status, headers, _ = asgi_call(site, "GET", raw_path)
    assert status == 301
    assert headers["location"] == location


@pytest.mark.parametrize("raw_path", [b"/%09/evil.example/x", b"/%0A/evil.example/x", b"/%5Cevil.example/x"])
def test_a_path_a_browser_would_read_as_another_host_is_not_found(site: StaticSite, raw_path: bytes) -> None:
    status, headers, _ = asgi_call(site, "GET", raw_path)
    assert status == 404
    assert "location" not in headers


@pytest.fixture
def local_api(aws: Aws) -> Any:
    from api.local import create_local_app

    return create_local_app()


JSON_TYPE = [(b"content-type", b"application/json")]


@pytest.mark.parametrize(
    ("body", "headers", "query"),
    [
        pytest.param(b'{"name": "\xff\xfe"}', JSON_TYPE, b"", id="body not UTF-8"),
        pytest.param(b'{"name": "\xed\xa0\x80"}', JSON_TYPE, b"", id="body with an encoded surrogate"),
        pytest.param(b"{}", [*JSON_TYPE, (b"accept-language", b"en\xff")], b"", id="header not UTF-8"),
        pytest.param(b"{}", JSON_TYPE, b"lang=\xff", id="query not UTF-8"),
    ],
)
def test_the_local_api_answers_what_is_not_utf8_with_a_400(
    aws: Aws, local_api: Any, body: bytes, headers: list[tuple[bytes, bytes]], query: bytes
) -> None:
    status, found, answer = asgi_call(local_api, "POST", b"/api/requests/repair", body, headers, query)
    assert status == 400
    assert json.loads(answer)["message"] in (
        "提交的内容无法解析。请返回表单重新提交。",
        "We could not read what you sent. Go back to the form and send it again.",
    )
    assert found["cache-control"] == "no-store"
    assert aws.items() == []


def test_the_local_api_answers_a_lone_surrogate_escape_with_a_400(aws: Aws, local_api: Any) -> None:
    body = b'{"name": "\\ud800", "\\udc00": "x"}'
    status, _, answer = asgi_call(
        local_api, "POST", b"/api/requests/repair", body, [*JSON_TYPE, (b"accept-language", b"en")]
    )
    assert status == 400
    assert json.loads(answer) == {
        "message": "We could not read what you sent. Go back to the form and send it again."
    }


def test_the_local_api_answers_trace_with_405(aws: Aws, local_api: Any) -> None:
    status, headers, _ = asgi_call(local_api, "TRACE", b"/api/status")
    assert status == 405
    assert headers["allow"] == "POST"


def test_the_site_may_post_photos_to_the_photo_bucket_and_nowhere_else(tmp_path: Path) -> None:
    """CloudFront's header on the handbook's pages (template.yaml's SiteHeadersPolicy), and the local
    front's, where the bucket is the embedded AWS's."""
    from cfn import Tag, load_template

    from devstack.web import site_headers, site_security_policy

    template = load_template()
    behaviour = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    assert behaviour["ResponseHeadersPolicyId"] == Tag("Ref", "SiteHeadersPolicy")
    deployed = site_security_policy(template, "https://BUCKET")
    assert deployed is not None
    bucket_name = template["Resources"]["PhotoBucket"]["Properties"]["BucketName"].value[0]
    assert bucket_name == "lobby-photos-${StackUuid}"
    directives = dict(part.split(" ", 1) for part in deployed.split("; "))
    assert directives["connect-src"] == "'self' https://BUCKET"
    assert directives["form-action"] == "'self'"

    (tmp_path / "index.html").write_text("<h1>home</h1>")
    site = StaticSite(tmp_path, headers=site_headers(template, "http://127.0.0.1:4566"))
    status, headers, _ = asgi_call(site, "GET", b"/")
    assert status == 200
    assert "connect-src 'self' http://127.0.0.1:4566;" in headers["content-security-policy"]
