"""The local stack's web front: one ASGI app for the site, the API and the local-only tools.

``/api/…`` and the staff desk ``/desk/…`` go to the API's ``HttpResolverLocal`` app (as CloudFront
sends them to API Gateway when deployed), ``/_local/…`` to the tools below (never deployed),
everything else to the built site, served the way the CDN serves it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cfn import Tag

from devstack.functions import describe_failure
from devstack.hooks import PLATFORMS, Hooks
from devstack.scheduler import Schedule, find_schedule, parse_time, run_schedule
from devstack.ses import Outbox, outbox_page
from devstack.stream import FailureDestination
from devstack.texts import TextOutbox
from lobby import clock

log = logging.getLogger("lobby.local")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TOOL_BODY = 64 * 1024
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".gz": "application/gzip",
}
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _TEXT_TYPES:
        return _TEXT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


async def respond(
    send: Send,
    status: int,
    body: bytes,
    media_type: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    head_only: bool = False,
) -> None:
    all_headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-cache"),
        (b"x-content-type-options", b"nosniff"),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": b"" if head_only else body})


async def respond_json(send: Send, status: int, data: Any) -> None:
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
    await respond(send, status, body, JSON_TYPE)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or ``None`` when it is larger than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# The template's photo bucket, as the site's Content-Security-Policy names it (its regional and global address).
_TEMPLATE_BUCKET_ORIGIN = re.compile(r"https://lobby-photos-\$\{StackUuid\}[^\s;]*")


def site_security_policy(template: dict[str, Any], bucket_origin: str) -> str | None:
    """The Content-Security-Policy CloudFront adds to the handbook's pages (template.yaml's
    ``SiteHeadersPolicy``), with the local bucket's origin wherever it names the stack's photo bucket;
    None for a template that serves no handbook through CloudFront (the local stack's own test templates)."""
    resource = template["Resources"].get("SiteHeadersPolicy")
    if resource is None:
        return None
    config = resource["Properties"]["ResponseHeadersPolicyConfig"]
    written = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = str(written.value[0] if isinstance(written, Tag) else written)
    directives = []
    for directive in _TEMPLATE_BUCKET_ORIGIN.sub(bucket_origin, text).split(";"):
        sources = list(dict.fromkeys(directive.split()))  # the two bucket addresses are one origin here
        if sources:
            directives.append(" ".join(sources))
    return "; ".join(directives)


def site_headers(template: dict[str, Any], bucket_origin: str) -> list[tuple[bytes, bytes]]:
    """The headers the handbook's pages get: the site's security policy, where the template has one."""
    policy = site_security_policy(template, bucket_origin)
    return [(b"content-security-policy", policy.encode())] if policy else []


class StaticSite:
    """The built site as the CDN serves it: directory URLs, right types, the 404 page, nothing outside;
    with the response headers CloudFront adds (``headers``: the site's Content-Security-Policy)."""

    def __init__(self, root: Path, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.root = root.resolve()
        self.headers = headers or []

    def _file_for(self, url_path: str) -> Path | str | None:
        """The file to serve, a redirect target (``str``), or ``None`` for not found."""
        segments = url_path.split("/")
        if (
            "\\" in url_path
            or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url_path)  # browsers drop tabs, newlines
            or any(part in (".", "..") for part in segments)
        ):
            return None
        candidate = self.root.joinpath(*[part for part in segments if part])
        if url_path.endswith("/"):
            candidate = candidate / "index.html"
        elif "." not in segments[-1]:
            # As the CDN's directory-index function: a name without a dot is a directory URL.
            # One leading slash only: "//host/x" in a Location header is another site.
            return quote("/" + url_path.lstrip("/") + "/", safe="/!$&'()*+,;=:@%")
        resolved = candidate.resolve()
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            return None
        return resolved

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await respond(send, 405, b"Method Not Allowed", "text/plain", headers=[(b"allow", b"GET, HEAD")])
            return
        head_only = method == "HEAD"
        found = self._file_for(scope["path"])
        if isinstance(found, str):
            query = scope.get("query_string", b"").decode("latin-1")
            location = found + (f"?{query}" if query else "")
            await respond(send, 301, b"", "text/plain", headers=[(b"location", location.encode())])
        elif found is None:
            page = self.root / "404.html"
            body = page.read_bytes() if page.is_file() else b"Not Found"
            await respond(send, 404, body, HTML_TYPE if page.is_file() else "text/plain", head_only=head_only)
        else:
            body = await asyncio.to_thread(found.read_bytes)
            await respond(send, 200, body, content_type(found), headers=self.headers, head_only=head_only)


class LocalTools:
    """``/_local/…``: the outbox, the failure destination, the schedules, the clock, a health check, and
    the offices' group robots (``/_local/hooks/<platform>/<office>``, :mod:`devstack.hooks`)."""

    def __init__(
        self,
        outbox: Outbox,
        failures: FailureDestination,
        found: list[Schedule],
        *,
        health: dict[str, str] | None = None,
        staff: list[dict[str, str]] | None = None,
        debug: bool = False,
        hooks: Hooks | None = None,
        texts: TextOutbox | None = None,
    ) -> None:
        self._staff = staff or []
        self._health_details = health or {}
        self._outbox = outbox
        self._hooks = hooks or Hooks()
        self._texts = texts or TextOutbox(outbox.region)
        self._failures = failures
        self._schedules = found
        self._debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        if method == "POST" and path.startswith("/_local/schedules/"):
            await self._run_schedule(path.removeprefix("/_local/schedules/"), receive, send)
            return
        if method == "POST" and path == "/_local/clock":
            await self._set_clock(receive, send)
            return
        if method == "POST" and path.startswith("/_local/hooks/"):
            await self._hook(path.removeprefix("/_local/hooks/"), scope, receive, send)
            return
        routes: dict[str, Callable[[Send], Awaitable[None]]] = {
            "/_local/health": self._health,
            "/_local/outbox": self._outbox_page,
            "/_local/outbox.json": self._outbox_json,
            "/_local/failures.json": self._failures_json,
            "/_local/schedules": self._schedule_list,
            "/_local/clock": self._clock,
            "/_local/staff.json": self._staff_json,
        }
        route = routes.get(path)
        if route is None:
            await respond_json(send, 404, {"message": f"no local tool at {path}"})
        elif method != "GET":
            await respond_json(send, 405, {"message": "use GET"})
        else:
            await route(send)

    async def _health(self, send: Send) -> None:
        await respond_json(send, 200, {"status": "ok", **self._health_details})

    def _messages(self) -> list[dict[str, Any]]:
        """Every message of every channel, oldest first."""
        found = self._outbox.messages() + self._hooks.messages() + self._texts.messages()
        return sorted(found, key=lambda message: str(message["sent_at"]))

    async def _staff_json(self, send: Send) -> None:
        """The local roster (environments/local.yaml's ``staff``): who can sign in at /desk/sign-in."""
        await respond_json(send, 200, self._staff)

    async def _outbox_json(self, send: Send) -> None:
        await respond_json(send, 200, await asyncio.to_thread(self._messages))

    async def _outbox_page(self, send: Send) -> None:
        messages = await asyncio.to_thread(self._messages)
        await respond(send, 200, outbox_page(messages).encode(), HTML_TYPE)

    async def _hook(self, where: str, scope: Scope, receive: Receive, send: Send) -> None:
        """A robot's webhook: answered as the platform answers (200 with ``errcode``)."""
        platform, _, office = where.partition("/")
        body = await read_body(receive, MAX_TOOL_BODY)
        if platform not in PLATFORMS or not office or "/" in office:
            await respond_json(send, 404, {"errcode": 404, "errmsg": f"no robot at {where}"})
            return
        query = scope.get("query_string", b"").decode("latin-1")
        answer = self._hooks.answer(platform, office, query, body or b"", clock.now())
        await respond_json(send, 200, answer)

    async def _failures_json(self, send: Send) -> None:
        await respond_json(send, 200, self._failures.records())

    async def _clock(self, send: Send) -> None:
        """The time the API, the schedules and notify see, and whether it was set by hand."""
        await respond_json(send, 200, {"time": _iso_z(clock.now()), "set": clock.is_set()})

    async def _set_clock(self, receive: Receive, send: Send) -> None:
        """``{"time": "2026-11-27T20:00:00+08:00"}`` moves the stack's clock there (it runs on from that
        moment); ``{"time": null}`` returns it to the real time."""
        body = await read_body(receive, MAX_TOOL_BODY)
        try:
            options = json.loads(body) if body else None
            if not isinstance(options, dict) or "time" not in options:
                raise ValueError("no time")
            moment = parse_time(options["time"]) if options["time"] is not None else None
            clock.set_time(moment)
        except (ValueError, TypeError, AttributeError):
            usage = (
                'send {"time": "<ISO-8601 instant with its offset>"}, or {"time": null} for the real clock'
            )
            await respond_json(send, 400, {"message": usage})
            return
        log.info("the local clock now reads %s", _iso_z(clock.now()))
        await self._clock(send)

    async def _schedule_list(self, send: Send) -> None:
        listing = [
            {
                "name": schedule.event_name,
                "function": schedule.function.logical_id,
                "expression": schedule.expression,
                "time_zone": schedule.time_zone,
                "enabled": schedule.enabled,
            }
            for schedule in self._schedules
        ]
        await respond_json(send, 200, listing)

    async def _run_schedule(self, name: str, receive: Receive, send: Send) -> None:
        schedule = find_schedule(self._schedules, name)
        body = await read_body(receive, MAX_TOOL_BODY)
        if schedule is None:
            known = [schedule.event_name for schedule in self._schedules]
            await respond_json(
                send, 404, {"message": f"no scheduled function named {name!r}", "known": known}
            )
            return
        try:
            options = json.loads(body) if body else {}
            at = parse_time(options["time"]) if options.get("time") else clock.now()
        except (ValueError, TypeError, AttributeError):
            await respond_json(send, 400, {"message": 'send nothing, or {"time": "<ISO-8601 instant>"}'})
            return
        try:
            result = await asyncio.to_thread(run_schedule, schedule, at)
        except Exception as error:  # the tool reports the failure; the stack keeps running
            log.warning("schedule %s failed:\n%s", schedule.event_name, describe_failure(error, self._debug))
            await respond_json(send, 500, {"message": f"{schedule.function.logical_id} raised an error"})
            return
        await respond_json(
            send,
            200,
            {
                "schedule": schedule.event_name,
                "function": schedule.function.logical_id,
                "time": _iso_z(at),
                "result": result,
            },
        )


def _iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Dispatcher:
    """The stack's single ASGI app."""

    def __init__(self, api: AsgiApp | None, tools: LocalTools, site: StaticSite) -> None:
        self._api = api
        self._tools = tools
        self._site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        status: list[int] = []

        async def noting_status(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        # /desk/ is the API's too: CloudFront sends /desk/* to the API as it sends /api/*.
        if path in ("/api", "/desk") or path.startswith(("/api/", "/desk/")):
            if self._api is None:
                await respond_json(noting_status, 503, {"message": "the API failed to load: see the console"})
            else:
                await self._api(scope, receive, noting_status)
        elif path.startswith("/_local/"):
            await self._tools(scope, receive, noting_status)
        else:
            await self._site(scope, receive, noting_status)
        # The path only: a query string is whatever the client put there.
        log.info("%s %s %s", scope["method"], path, status[0] if status else "-")


async def lifespan(receive: Receive, send: Send) -> None:
    """Answer an ASGI server's start-up and shut-down messages (nothing to set up or tear down)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
