"""Lighthouse on the handbook: the home page and a form page, mobile profile, Debian's Chromium.

    .venv/bin/python bench/bench_lighthouse.py [--runs N] [--site-dir BUILT_SITE]

Installs npm `lighthouse` into bench/ when it is missing (the version pinned in
bench/package.json and bench/package-lock.json), builds the site strictly into a
temporary directory, serves it on 127.0.0.1, and runs Lighthouse on `/` and
`/repair/`. The server compresses text as CloudFront does for the deployed site
(gzip), so "bytes transferred" is what a resident's phone downloads. It prints each figure with its target and writes the figures and
each full report to bench/results/. The exit status is 1 when a target is missed.

Targets (issues 3 and 6): performance >= 95, accessibility 100, best practices
100, at most 300 KB transferred, no request to any host but the site's own.
Lighthouse's scores vary a little from run to run; with --runs N each page is
measured N times and the median performance score is reported.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run"
)
PAGES = {"home": "/", "form": "/repair/"}

TARGET_PERFORMANCE = 95
TARGET_ACCESSIBILITY = 100
TARGET_BEST_PRACTICES = 100
TARGET_KILOBYTES = 300
TARGET_THIRD_PARTY = 0


@dataclass
class Figures:
    page: str
    url: str
    performance: int
    accessibility: int
    best_practices: int
    kilobytes: float
    requests: int
    third_party_requests: int
    third_party_hosts: list[str]
    failed_audits: list[str]

    def misses(self) -> list[str]:
        checks = [
            (
                self.performance >= TARGET_PERFORMANCE,
                f"performance {self.performance} < {TARGET_PERFORMANCE}",
            ),
            (self.accessibility >= TARGET_ACCESSIBILITY, f"accessibility {self.accessibility}"),
            (self.best_practices >= TARGET_BEST_PRACTICES, f"best practices {self.best_practices}"),
            (self.kilobytes <= TARGET_KILOBYTES, f"{self.kilobytes:.0f} KB > {TARGET_KILOBYTES} KB"),
            (
                self.third_party_requests <= TARGET_THIRD_PARTY,
                f"{self.third_party_requests} third-party requests",
            ),
        ]
        return [message for passed, message in checks if not passed]


def ensure_lighthouse() -> None:
    """Install the pinned Lighthouse into bench/node_modules unless it is there."""
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install Lighthouse (apt-get install npm)")
    command = [npm, "ci"] if (BENCH / "package-lock.json").exists() else [npm, "install"]
    print(f"installing Lighthouse: {' '.join(command)} (in bench/)", flush=True)
    subprocess.run([*command, "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True, cwd=BENCH)


def build_site(site_dir: Path) -> None:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    environment.pop("LOBBY_CATALOG", None)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site_dir)]
    subprocess.run(command, check=True, cwd=REPO, env=environment)


# What CloudFront compresses (template.yaml: Compress: true) when the browser accepts it.
COMPRESSED_TYPES = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}


class _CompressingHandler(SimpleHTTPRequestHandler):
    """Static files as the deployed site serves them: text gzip-compressed, the rest as it is."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.is_file() and path.suffix in COMPRESSED_TYPES):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """The built site on a free loopback port, compressed as CloudFront compresses it."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_CompressingHandler, directory=str(site_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--form-factor=mobile",
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    environment = {**os.environ, "CHROME_PATH": str(CHROME)}
    subprocess.run(command, check=True, env=environment, timeout=300)
    return json.loads(report.read_text(encoding="utf-8"))


def figures_of(page: str, url: str, result: dict[str, Any]) -> Figures:
    categories = result["categories"]
    audits = result["audits"]
    requests = audits["network-requests"]["details"]["items"]
    own_host = urlsplit(url).netloc
    foreign = [item["url"] for item in requests if urlsplit(item["url"]).netloc not in (own_host, "")]
    failed = sorted(
        audit_id
        for category in categories.values()
        for ref in category["auditRefs"]
        if ref.get("weight", 0) > 0
        for audit_id in [ref["id"]]
        if audits[audit_id].get("score") is not None and audits[audit_id]["score"] < 1
    )
    return Figures(
        page=page,
        url=url,
        performance=round(categories["performance"]["score"] * 100),
        accessibility=round(categories["accessibility"]["score"] * 100),
        best_practices=round(categories["best-practices"]["score"] * 100),
        kilobytes=audits["total-byte-weight"]["numericValue"] / 1024,
        requests=len(requests),
        third_party_requests=len(foreign),
        third_party_hosts=sorted({urlsplit(address).netloc for address in foreign}),
        failed_audits=failed,
    )


def measure(base: str, runs: int, stamp: str) -> list[Figures]:
    measured = []
    for page, path in PAGES.items():
        url = base + path
        attempts = []
        for attempt in range(runs):
            report = RESULTS / f"lighthouse-{stamp}-{page}-{attempt + 1}.json"
            attempts.append(figures_of(page, url, run_lighthouse(url, report)))
        median = statistics.median_low([figures.performance for figures in attempts])
        measured.append(next(figures for figures in attempts if figures.performance == median))
    return measured


def print_figures(measured: list[Figures]) -> None:
    print(f"{'page':<6} {'metric':<22} {'value':>10}   target")
    for figures in measured:
        rows = [
            ("performance", f"{figures.performance}", f">= {TARGET_PERFORMANCE}"),
            ("accessibility", f"{figures.accessibility}", f"= {TARGET_ACCESSIBILITY}"),
            ("best practices", f"{figures.best_practices}", f"= {TARGET_BEST_PRACTICES}"),
            ("bytes transferred", f"{figures.kilobytes:.0f} KB", f"<= {TARGET_KILOBYTES} KB"),
            ("third-party requests", f"{figures.third_party_requests}", f"= {TARGET_THIRD_PARTY}"),
        ]
        for metric, value, target in rows:
            print(f"{figures.page:<6} {metric:<22} {value:>10}   {target}")
        if figures.failed_audits:
            print(f"{figures.page:<6} audits below 1: {', '.join(figures.failed_audits)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median performance is kept")
    parser.add_argument("--site-dir", type=Path, help="measure this built site instead of building one")
    args = parser.parse_args(argv)
    if not CHROME.exists():
        raise SystemExit(f"Chromium is needed at {CHROME} (apt-get install chromium, or set CHROME_PATH)")
    ensure_lighthouse()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(prefix="lobby-lighthouse-") as temporary:
        site_dir = args.site_dir or Path(temporary) / "site"
        if args.site_dir is None:
            build_site(site_dir)
        with serve(site_dir) as base:
            measured = measure(base, max(1, args.runs), stamp)
    print_figures(measured)
    summary = RESULTS / f"lighthouse-{stamp}.json"
    summary.write_text(
        json.dumps({"measured_at": stamp, "pages": [asdict(figures) for figures in measured]}, indent=2),
        encoding="utf-8",
    )
    print(f"results: {summary.relative_to(REPO)}")
    misses = [f"{figures.page}: {miss}" for figures in measured for miss in figures.misses()]
    for miss in misses:
        print(f"MISSED {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
