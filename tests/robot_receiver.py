"""A local HTTP receiver for the group robots' webhooks, for tests: the local stack's receiver
(``devstack.hooks``) behind a real socket, plus the failures a platform can show (an HTTP error, a slow
answer) on demand."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.hooks import Hooks


@dataclass
class Receiver:
    base: str
    hooks: Hooks
    status: int = 200  # answer this HTTP status instead (a platform's outage)
    delay: float = 0.0  # answer this many seconds late (a webhook that times out)
    errcode: int | None = None  # answer this errcode in a 200 (a platform refusing the message)
    now: datetime | None = None  # the receiver's clock; None is the real one
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, platform: str, office: str) -> str:
        return self.hooks.url(self.base, platform, office)


@contextmanager
def robot_receiver() -> Iterator[Receiver]:
    receiver = Receiver(base="", hooks=Hooks())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path, _, query = self.path.partition("?")
            receiver.requests.append({"path": path, "query": query, "body": body})
            if receiver.delay:
                time.sleep(receiver.delay)
            if receiver.status != 200:
                self._answer(receiver.status, b'{"message": "unavailable"}')
                return
            if receiver.errcode is not None:
                self._answer(200, b'{"errcode": %d, "errmsg": "refused"}' % receiver.errcode)
                return
            platform, _, office = path.removeprefix("/_local/hooks/").partition("/")
            now = receiver.now or datetime.now(UTC)
            answer = receiver.hooks.answer(platform, office, query, body, now)
            self._answer(200, json.dumps(answer).encode())

        def _answer(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
