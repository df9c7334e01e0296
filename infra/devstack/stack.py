"""``make dev``: Lobby on one machine, without Docker or an AWS account.

Starts an embedded AWS (moto's server, in this process), creates the table from
template.yaml, builds the handbook, and serves http://127.0.0.1:${PORT:-8000}:
the site at ``/``, the API at ``/api/``, local-only tools at ``/_local/``.
The table's stream is polled and handed to the notify function as Lambda would.
Ctrl-C stops everything. See infra/README.md, "The local stack".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from cfn import load_template

from devstack.aws import (
    DEFAULT_ENVIRONMENT,
    REPO,
    EmbeddedAws,
    LocalSettings,
    StackError,
    check_office_emails,
    configure_process,
    load_settings,
    provision,
    provision_robots,
)
from devstack.functions import describe_failure, template_functions
from devstack.hooks import Hooks
from devstack.photos import UploadPoller, bucket_subscriptions
from devstack.scheduler import ScheduleClock, schedules
from devstack.ses import Outbox
from devstack.stream import FailureDestination, StreamPoller, stream_subscriptions
from devstack.web import AsgiApp, Dispatcher, LocalTools, StaticSite, site_headers

log = logging.getLogger("lobby.local")
SITE_INPUTS = ("mkdocs.yml", "site", "infra/catalog.yaml", "functions/lobby", "functions/views")


class StopRequested(BaseException):
    """SIGINT or SIGTERM arrived before the server ran: shut down cleanly.

    A BaseException, like KeyboardInterrupt, so no ``except Exception`` on the
    way (the API import, say) can swallow it.
    """


class Shutdown:
    """The SIGINT/SIGTERM handler, for the whole life of the stack.

    Before the web server runs, a signal unwinds start-up (``StopRequested``);
    while it runs, it asks the server to exit gracefully, and a second signal
    makes it stop waiting for open connections.
    """

    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            if self.server is not None:
                self.server.force_exit = True
            return
        self.requested = True
        if self.server is None:
            raise StopRequested
        self.server.should_exit = True


# HttpResolverLocal runs each synchronous middleware in a worker thread that waits on the next one, so
# one request can hold several threads; the default pool (CPUs + 4) deadlocks at three concurrent requests.
API_THREADS = 256


class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling (:class:`Shutdown` owns the signals), and with a
    worker pool large enough for concurrent API requests."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def serve(self, sockets: Any = None) -> None:
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=API_THREADS, thread_name_prefix="api")
        )
        await super().serve(sockets)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devstack", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--site-dir", type=Path, default=REPO / "site_build")
    parser.add_argument("--no-build", action="store_true", help="serve --site-dir as it is")
    parser.add_argument("--template", type=Path, default=REPO / "template.yaml")
    parser.add_argument("--environment", type=Path, default=DEFAULT_ENVIRONMENT)
    parser.add_argument(
        "--no-schedule-clock", action="store_true", help="run schedules only through /_local/schedules/"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show exception messages (may hold personal data)"
    )
    return parser.parse_args(argv)


def listening_socket(port: int) -> socket.socket:
    """The stack's own socket on ``port``, bound before anything starts (the server listens on it).

    With ``SO_REUSEADDR``, as servers set it: the connections of a stack that crashed linger in
    TIME_WAIT for about a minute, and without it the port would look taken with nothing listening.
    A socket that does listen there still refuses the bind.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise StackError(f"port {port} is in use; try: make dev PORT={port + 1}") from None
    return sock


def site_is_fresh(site_dir: Path) -> bool:
    """Whether the built site is newer than everything it is built from."""
    index = site_dir / "index.html"
    if not index.is_file():
        return False
    built = index.stat().st_mtime
    for name in SITE_INPUTS:
        source = REPO / name
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        files = [path for path in files if "__pycache__" not in path.parts]
        if any(path.stat().st_mtime > built for path in files):
            return False
    return True


def build_site(site_dir: Path) -> None:
    if not (REPO / "mkdocs.yml").is_file():
        raise StackError("mkdocs.yml not found: there is no site to build yet (or pass --no-build)")
    if site_is_fresh(site_dir):
        log.info("site: %s is up to date", site_dir)
        return
    log.info("site: building into %s …", site_dir)
    # Build beside the target and swap, so an interrupted build never looks like a fresh site.
    staging = site_dir.with_name(site_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(staging)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # a notice about MkDocs's future, every build
    try:
        if subprocess.run(command, cwd=REPO, env=env, check=False).returncode != 0:
            raise StackError("the site build failed (mkdocs build --strict): see the messages above")
        shutil.rmtree(site_dir, ignore_errors=True)
        staging.rename(site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_api() -> AsgiApp | None:
    """The API's ASGI app; imported only now, after the environment points at moto."""
    try:
        from api.local import create_local_app

        app: AsgiApp = create_local_app()
        return app
    except Exception as error:  # the stack still serves the site and the tools
        log.error("the API failed to load, /api/ answers 503:\n%s", describe_failure(error, debug=True))
        return None


def print_banner(port: int, aws_endpoint: str, schedule_count: int, settings: LocalSettings) -> None:
    base = f"http://127.0.0.1:{port}"
    print(
        f"\nLobby local stack\n"
        f"  handbook     {base}/   (English: {base}/en/)\n"
        f"  API          {base}/api/openapi.json\n"
        f"  outbox       {base}/_local/outbox\n"
        f"  failures     {base}/_local/failures.json\n"
        f"  schedules    POST {base}/_local/schedules/<name>   ({schedule_count} defined)\n"
        f"  embedded AWS {aws_endpoint}   (table {settings.table_name}, {settings.region})\n"
        f"Press Ctrl-C to stop.\n",
        flush=True,
    )


def run(args: argparse.Namespace, shutdown: Shutdown) -> None:
    """Start everything, serve until a signal, stop everything (also on failure)."""
    template_path = args.template.resolve()
    if not template_path.is_file():
        raise StackError(f"{template_path} not found")
    template = load_template(template_path)
    settings = load_settings(args.environment, args.port, template)
    check_office_emails(settings)

    listener = listening_socket(args.port)
    aws = EmbeddedAws()
    clock: ScheduleClock | None = None
    pollers: list[StreamPoller | UploadPoller] = []
    try:
        endpoint = aws.start()
        configure_process(settings, endpoint, template)
        stream_arn = provision(settings, template)
        outbox = Outbox(settings.region)
        outbox.install()
        hooks = Hooks()
        provision_robots(settings, hooks)
        if not args.no_build:
            build_site(args.site_dir)
        elif not (args.site_dir / "index.html").is_file():
            raise StackError(f"no site in {args.site_dir}: run without --no-build")

        functions = template_functions(template, template_path.parent, settings.region)
        failures = FailureDestination()
        for subscription in stream_subscriptions(functions):
            pollers.append(
                StreamPoller(subscription, stream_arn, settings.region, failures, debug=args.debug)
            )
        for bucket_subscription in bucket_subscriptions(functions):
            pollers.append(
                UploadPoller(bucket_subscription, settings.photo_bucket, settings.region, debug=args.debug)
            )
        found = schedules(functions)
        if not args.no_schedule_clock:
            clock = ScheduleClock(found, debug=args.debug)

        health = {"aws_endpoint": endpoint, "region": settings.region, "table": settings.table_name}
        tools = LocalTools(
            outbox,
            failures,
            found,
            health=health,
            staff=list(settings.staff),
            debug=args.debug,
            hooks=hooks,
        )
        # The browser posts photos to the embedded AWS's bucket (path-style: its origin is the endpoint's).
        site = StaticSite(args.site_dir, headers=site_headers(template, endpoint))
        app = Dispatcher(load_api(), tools, site)
        for poller in pollers:
            poller.start()
        if clock:
            clock.start()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=args.port,
            access_log=False,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=3,
        )
        print_banner(args.port, endpoint, len(found), settings)
        server = _Server(config)
        shutdown.server = server  # from now on a signal asks the server to exit
        server.run(sockets=[listener])
    finally:
        listener.close()
        if clock:
            clock.stop()
        for poller in pollers:
            poller.stop()
        aws.stop()


def main(argv: list[str] | None = None) -> int:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    args = parse_args(argv)
    shutdown = Shutdown()
    previous: dict[int, Any] = {sig: signal.signal(sig, shutdown) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run(args, shutdown)
    except StopRequested:
        pass
    except StackError as error:
        print(f"local stack: {error}", file=sys.stderr)
        return 1
    finally:
        for sig, original in previous.items():
            signal.signal(sig, original)
    print("Stopped.", flush=True)
    return 0
