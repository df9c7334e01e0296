"""Start the local stack (python -m devstack) as a subprocess for tests, and talk to it.

Shared by tests/e2e (the browser tests) and tests/integration/test_local_stack.py.
Import it as ``tests.e2e.stack`` (the repository root is on pytest's path).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROBE_TEMPLATE = FIXTURES / "probe_template.yaml"

START_TIMEOUT = 90.0  # seconds; imports and moto start take a few on a busy 2-core machine
STOP_TIMEOUT = 15.0


class StackFailed(RuntimeError):
    """The stack did not come up (or went down); the message ends with its console output."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_site(target: Path) -> Path:
    """``mkdocs build --strict`` into ``target``; raise with mkdocs's output when it fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
    return target


@cache
def built_site() -> Path:
    """One site build per test process, shared by every fixture that needs one."""
    target = Path(tempfile.mkdtemp(prefix="lobby-site-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    return build_site(target / "site")


def request(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    """An HTTP request that returns error statuses instead of raising, and never follows redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    prepared = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(prepared, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers.items()), error.read())


def wait_until(condition: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy; return that, or ``None`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


class Stack:
    """A running local stack: its base URL and helpers for the local tools."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.health: dict[str, Any] = {}

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, **kwargs: Any) -> Response:
        return request(self.url(path), **kwargs)

    def post_json(self, path: str, payload: Any | None = None) -> Response:
        data = b"" if payload is None else json.dumps(payload).encode()
        return request(self.url(path), method="POST", data=data, headers={"Content-Type": "application/json"})

    def outbox(self) -> list[dict[str, Any]]:
        answer = self.get("/_local/outbox.json")
        assert answer.status == 200, answer.text
        return list(answer.json())

    def wait_for_mail(
        self, matches: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first e-mail in the outbox that ``matches``; fails the test when none comes in time."""
        found = wait_until(lambda: next((mail for mail in self.outbox() if matches(mail)), None), timeout)
        assert found is not None, f"no matching e-mail within {timeout} s; outbox: {self.outbox()!r}"
        return dict(found)

    def console(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def interrupt(self, timeout: float = STOP_TIMEOUT) -> int:
        """Send SIGINT (Ctrl-C) and return the exit status; kill it if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return int(self.process.returncode)


def _wait_ready(stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise StackFailed(f"the stack exited with {stack.process.returncode}:\n{stack.console()}")
        with contextlib.suppress(OSError):
            answer = request(stack.url("/_local/health"), timeout=2)
            if answer.status == 200:
                stack.health = answer.json()
                return
        time.sleep(0.2)
    raise StackFailed(f"the stack did not answer /_local/health within {START_TIMEOUT} s:\n{stack.console()}")


@contextlib.contextmanager
def running_stack(
    port: int | None = None,
    site_dir: Path | None = None,
    template: Path | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Stack]:
    """Run the stack on ``port`` (a free one by default) serving an already built ``site_dir``."""
    port = port or free_port()
    site = site_dir or built_site()
    arguments = ["-m", "devstack", "--port", str(port), "--site-dir", str(site), "--no-build"]
    arguments += ["--no-schedule-clock", *(["--template", str(template)] if template else []), *extra_args]
    log_dir = Path(tempfile.mkdtemp(prefix="lobby-stack-"))
    log_path = log_dir / "console.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_MKDOCS_2_WARNING": "1"}
    # One browser files every test's requests, from one address: the limits must not refuse them.
    env.update({"LIMIT_SUBMISSIONS_PER_CLIENT": "100000", "LIMIT_RECEIPTS_PER_RECIPIENT": "100000"})
    with log_path.open("wb") as console:
        process = subprocess.Popen(
            [sys.executable, *arguments], cwd=REPO, env=env, stdout=console, stderr=subprocess.STDOUT
        )
    stack = Stack(process, port, log_path)
    try:
        _wait_ready(stack)
        yield stack
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            stack.interrupt()
        shutil.rmtree(log_dir, ignore_errors=True)
