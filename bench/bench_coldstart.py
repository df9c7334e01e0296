"""Cold-start proxy: import-and-init of each function's entry module, in a fresh interpreter.

For every function of template.yaml, a fresh Python process measures its own CPU time (so
interpreter start-up is left out of both sides, and other work on a busy machine barely counts).
The code is a copy of the package as ``make build`` ships it: sources, the compiled catalog and
hash-checked bytecode (infra/precompile.py), imported read-only as from Lambda's /var/task.

  cold path  import the handler module, then handle one first event, as Lambda's Init phase
             plus the first invoke would: an API submission; a stream batch with one new
             request (two e-mails, signed links); a scheduler tick on a working day, with one
             request in every list. Every AWS call is answered by a canned endpoint in the
             parent process (AWS_ENDPOINT_URL), so no network time counts, yet every client,
             model and template the first request needs is built.
  floor      ``import boto3``, create only the clients the function's IAM policy lets it use
             (DynamoDB policies → dynamodb, ssm:* → ssm, ses:SendEmail → sesv2), then make the
             very AWS calls the cold path made, with the same parameters, in plain boto3. Every
             first call costs botocore real work (endpoint rules, the operation's model, the
             signer, a connection): a floor without the calls would charge it to Lobby.

The two sides are interleaved: each round runs the cold path and its floor back to back (floor
first on every other round), so a change in the machine's load hits both alike, and yields one
ratio. The figure is the median of those ratios, printed with its spread (quartiles and a 95 %
interval of the median). Each function gets at least 15 rounds, then more until that interval
is within ±0.025 (so two runs agree within about 0.05), at most 81. Target: cold path ≤ 1.25 × floor. Also printed: the import alone against the floor's
import and clients (Lambda's Init phase, which is the issue's literal proxy), and wall times.

    python bench/bench_coldstart.py [--min-runs 15] [--max-runs 81] [--precision 0.025] [--check]
    python bench/bench_coldstart.py --importtime api.app        # where the import time goes
    python bench/bench_coldstart.py --code /tmp/copy/functions  # measure a patched copy
    python bench/bench_coldstart.py --function ApiFunction      # one function only

``--check`` exits 1 when a function misses the target; without it only errors fail ``make bench``.
"""

from __future__ import annotations

# Keep the module's top-level imports to the few the child mode needs: whatever this file
# imports before the clock starts is free for both sides and would hide real cost.
import json
import sys
import time

TARGET = 1.25
# Sampling: at least MIN_ROUNDS paired rounds per function, then more until the 95 % interval of
# the median ratio is within ±PRECISION (two runs then agree within about 0.05), at most MAX_ROUNDS.
MIN_ROUNDS = 15
MAX_ROUNDS = 81
PRECISION = 0.025
# Libraries a cold path should not need: each is named in the report when it was imported.
WATCHED_MODULES = ("pydantic", "yaml", "asyncio", "jinja2", "email.mime")
CHILD_FLAG = "--child"


def _clocks() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def child(argv: list[str]) -> int:
    """In a fresh interpreter: time one cold path (or floor) and print it as JSON."""
    spec = json.loads(argv[0])
    event = spec.get("event")
    started = _clocks()
    if spec["kind"] == "floor":
        import boto3

        clients = {service: boto3.client(service) for service in spec["clients"]}
        imported = _clocks()
        for call in spec.get("calls", []):
            _replay(clients, call)
    else:
        import importlib

        module_name, _, attribute = spec["handler"].rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        imported = _clocks()
        if event is not None:
            result = handler(event, _Context())
            _check_result(spec["expect"], result)
    finished = _clocks()
    print(
        "RESULT "
        + json.dumps(
            {
                "import": imported[0] - started[0],
                "total": finished[0] - started[0],
                "wall": finished[1] - started[1],
                "loaded": [name for name in WATCHED_MODULES if name in sys.modules],
            }
        )
    )
    return 0


def _replay(clients: dict, call: dict) -> None:
    """Make one recorded AWS call in plain boto3 (wire parameters are the client's, blobs aside)."""
    import base64

    from botocore import xform_name

    client = clients[call["service"]]
    params = call["params"]
    raw = params.get("Content", {}).get("Raw")
    if raw:  # SES's raw message travels base64-encoded; the client takes the bytes
        raw["Data"] = base64.b64decode(raw["Data"])
    getattr(client, xform_name(call["operation"]))(**params)


class _Context:
    function_name = "lobby-bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:123456789012:function:lobby-bench"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _check_result(expect: str, result: object) -> None:
    """A cold path that failed half-way would look fast: refuse to time it."""
    if expect == "http-2xx":
        status = result.get("statusCode") if isinstance(result, dict) else None
        if not isinstance(status, int) or not 200 <= status < 300:
            raise SystemExit(f"the first request failed: {result!r}"[:2000])
    elif expect == "no-batch-failures":
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if failures:
            raise SystemExit(f"the first batch reported failures: {result!r}"[:2000])


if __name__ == "__main__" and sys.argv[1:2] == [CHILD_FLAG]:
    raise SystemExit(child(sys.argv[2:]))


# ---------------------------------------------------------------------------------------------
# Parent: everything below runs only in the driver process.
# ---------------------------------------------------------------------------------------------

import argparse  # noqa: E402 - the driver's imports stay out of the child's clock
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from pathlib import Path  # noqa: E402
from statistics import median, quantiles  # noqa: E402
from typing import Any  # noqa: E402

import lambda_events as le  # noqa: E402


@dataclass
class ColdPath:
    name: str  # logical id in template.yaml
    handler: str  # module.attribute
    clients: list[str]  # what the floor creates
    event: dict[str, Any] | None  # the first event, or None to time the import alone
    expect: str


class ChildFailed(RuntimeError):
    """A cold path could not run (the module is missing, or its first event failed)."""


class CannedAws:
    """Answers the few AWS calls Lobby's cold paths make, from memory, on a loopback port.

    DynamoDB: GetItem and BatchGetItem by sort key from the sample items, Query with the sample
    request, counters' ADD with 1, other writes with {}. SSM: the signing secret, and no parameters
    under a path. SESv2: SendEmail. Anything else gets a 400 and is named when the cold path fails.
    """

    def __init__(self, request_item: dict[str, Any], *others: dict[str, Any]) -> None:
        self.request_item = request_item
        self.items = {
            item["SK"]["S"]: item for item in (request_item, *others)
        }  # GetItem answers by sort key
        self.calls: list[dict[str, Any]] = []  # service, operation and parameters, in order
        self.unanswered: list[str] = []  # calls it has no answer for: a cold path that made one fails
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = canned.answer(self.headers.get("X-Amz-Target", ""), self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, target: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        params = json.loads(body or b"{}")
        operation = target.rpartition(".")[2] if target else path
        if target.startswith("DynamoDB_"):
            self.calls.append({"service": "dynamodb", "operation": operation, "params": params})
        elif target.startswith("AmazonSSM."):
            self.calls.append({"service": "ssm", "operation": operation, "params": params})
        elif path.startswith("/v2/email/outbound-emails"):
            self.calls.append({"service": "sesv2", "operation": "SendEmail", "params": params})
        if target.startswith("DynamoDB_"):
            return 200, self._dynamodb(operation, params)
        if target.startswith("AmazonSSM.") and (answer := self._ssm(operation, params)) is not None:
            return 200, answer
        if path.startswith("/v2/email/outbound-emails"):
            return 200, {"MessageId": f"bench-{len(self.calls)}"}
        self.unanswered.append(f"{target or 'POST'} {path}")
        return 400, {"__type": "UnknownOperationException", "message": f"canned AWS has no {operation}"}

    @staticmethod
    def _ssm(operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The signing secret is the one parameter; a folder of parameters (robots, rosters) is empty."""
        secret = {"Type": "SecureString", "Value": le.SIGNING_SECRET, "Version": 1}
        if operation == "GetParameter":
            return {"Parameter": {"Name": params.get("Name"), **secret}}
        if operation == "GetParameters":
            return {"Parameters": [{"Name": name, **secret} for name in params.get("Names", [])]}
        if operation == "GetParametersByPath":
            return {"Parameters": []}
        return None

    def _dynamodb(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation == "GetItem":
            wanted = params.get("Key", {}).get("SK", {}).get("S")
            return {"Item": self.items[wanted]} if wanted in self.items else {}
        if operation == "BatchGetItem":
            found = {
                table: [self.items[key["SK"]["S"]] for key in asked["Keys"] if key["SK"]["S"] in self.items]
                for table, asked in params.get("RequestItems", {}).items()
            }
            return {"Responses": found, "UnprocessedKeys": {}}
        if operation == "UpdateItem" and "ADD n" in params.get("UpdateExpression", ""):
            return {"Attributes": {"n": {"N": "1"}}}
        if operation == "Query":  # every list holds the one sample request: scheduled runs have work
            return {"Items": [self.request_item], "Count": 1, "ScannedCount": 1}
        return {}

    @contextmanager
    def running(self) -> Iterator[CannedAws]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def policy_clients(template: dict[str, Any], properties: dict[str, Any]) -> list[str]:
    """The AWS clients a function's policies let it use: the floor creates exactly these."""
    policies = []
    for policy in properties.get("Policies") or []:
        name = getattr(policy, "value", None) if getattr(policy, "name", None) == "Ref" else None
        attached = template["Resources"].get(str(name)) if name else None
        # A managed policy of the template stands for its document.
        policies.append(attached["Properties"]["PolicyDocument"] if attached else policy)
    text = json.dumps(policies, default=str)
    clients = []
    if "DynamoDB" in text or "dynamodb:" in text:
        clients.append("dynamodb")
    if "ssm:" in text:
        clients.append("ssm")
    if "ses:SendEmail" in text or "ses:SendRawEmail" in text:
        clients.append("sesv2")
    return clients


def cold_paths(event_item: dict[str, Any]) -> list[ColdPath]:
    """One cold path per function of template.yaml, with the first event its trigger would send."""
    from datetime import UTC, datetime, timedelta

    import cfn

    from devstack.functions import template_functions
    from devstack.scheduler import scheduler_event, schedules
    from lobby.catalog import load_catalog
    from lobby.deadlines import next_office_open

    template = cfn.load_template()
    functions = template_functions(template, le.REPO, le.REGION)
    found = {schedule.function.logical_id: schedule for schedule in schedules(functions)}
    paths = []
    for logical_id, function in functions.items():
        if not function.code_dir.resolve().is_relative_to(le.FUNCTIONS):
            continue  # not Lobby's Python code
        properties = template["Resources"][logical_id]["Properties"]
        kinds = {event.get("Type") for event in function.events.values()}
        event: dict[str, Any] | None = None
        expect = ""
        if "HttpApi" in kinds or "Api" in kinds:
            event, expect = le.submit_event(), "http-2xx"
        elif "DynamoDB" in kinds:
            event, expect = le.stream_event([event_item]), "no-batch-failures"
        elif logical_id in found:
            # A working day and office hours: a run on a day off may skip its work (the digest does).
            at = next_office_open(datetime.now(UTC) + timedelta(days=1), load_catalog().property)
            event = scheduler_event(found[logical_id], at)
        paths.append(
            ColdPath(logical_id, function.handler, policy_clients(template, properties), event, expect)
        )
    return paths


def run_child(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, __file__, CHILD_FLAG, json.dumps(spec)]
    code = env["PYTHONPATH"]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        logged = "".join(f"\n    logged: {line}" for line in logged_problems(done.stdout))
        raise ChildFailed(f"{spec.get('handler', 'the floor')}: {last}{logged}")
    return dict(json.loads(lines[-1].removeprefix("RESULT ")))


def logged_problems(stdout: str) -> list[str]:
    """The warnings and errors a failed cold path logged (Powertools' JSON lines): why it answered 5xx.

    The sample request is invented (lambda_events.SAMPLE_REPAIR), so nothing personal is printed.
    """
    found = []
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in ("WARNING", "ERROR", "CRITICAL"):
            exception = str(record.get("exception") or "").strip().splitlines()[-1:]
            details = [f"{key} {record[key]}" for key in ("error", "at", "route") if key in record]
            found.append("; ".join([str(record.get("message")), *details, *exception]))
    return found


def shipped_package(code: Path, target: Path) -> Path:
    """The code as ``make build`` ships it: sources, the compiled catalog, hash-checked bytecode."""
    from precompile import precompile

    le.copy_code(code, target)
    if not precompile(target, task_root=str(target)):
        raise ChildFailed(f"{code}: some modules do not compile")
    return target


def child_environment(package: Path, endpoint: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(le.function_environment(package / "lobby" / "catalog.json"))
    # As on Lambda: the package is the import root, and read-only (no bytecode written at run time).
    env.update({"AWS_ENDPOINT_URL": endpoint, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"})
    return env


@dataclass
class Sides:
    """One function's paired samples: each round times the cold path and its floor back to back."""

    path: ColdPath
    app_spec: dict[str, Any]
    floor_spec: dict[str, Any]
    loaded: list[str]  # the watched libraries the cold path imported
    samples: dict[str, list[float]] = field(
        default_factory=lambda: {
            key: [] for key in ("import", "app", "app wall", "floor import", "floor", "floor wall")
        }
    )
    ratios: list[float] = field(default_factory=list)  # cold path / floor, one per round

    def run_round(self, env: dict[str, str], floor_first: bool) -> None:
        if floor_first:
            floor, app = run_child(self.floor_spec, env), run_child(self.app_spec, env)
        else:
            app, floor = run_child(self.app_spec, env), run_child(self.floor_spec, env)
        for key, value in (
            ("import", app["import"]),
            ("app", app["total"]),
            ("app wall", app["wall"]),
            ("floor import", floor["import"]),
            ("floor", floor["total"]),
            ("floor wall", floor["wall"]),
        ):
            self.samples[key].append(value)
        self.ratios.append(app["total"] / floor["total"])

    def spread(self) -> Spread:
        return Spread.of(self.ratios)


@dataclass(frozen=True)
class Spread:
    """The median of the per-round ratios, their quartiles, and a 95 % confidence interval of the median."""

    rounds: int
    median: float
    q1: float
    q3: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        ordered = sorted(values)
        n = len(ordered)
        q1, _, q3 = quantiles(ordered, n=4, method="inclusive") if n > 1 else (ordered[0],) * 3
        # Distribution-free interval: the order statistics k and n+1-k bracket the median with
        # about 95 % confidence (normal approximation of the binomial), whatever the noise's shape.
        k = max(1, int((n - 1.96 * n**0.5) / 2))
        return cls(n, median(ordered), q1, q3, ordered[k - 1], ordered[n - k])

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def prepare(path: ColdPath, env: dict[str, str], aws: CannedAws) -> Sides:
    """Run the cold path once untimed (recording its AWS calls for the floor, warming the file cache)."""
    app_spec = {"kind": "app", "handler": path.handler, "event": path.event, "expect": path.expect}
    aws.calls.clear()
    aws.unanswered.clear()
    try:
        loaded = run_child(app_spec, env)["loaded"]
    except ChildFailed as failure:
        if aws.unanswered:
            raise ChildFailed(
                f"{failure}\n    canned AWS could not answer: {', '.join(aws.unanswered)}"
            ) from None
        raise
    floor_spec = {"kind": "floor", "clients": path.clients, "calls": list(aws.calls)}
    run_child(floor_spec, env)
    return Sides(path, app_spec, floor_spec, loaded)


def measure_all(
    sides: list[Sides], env: dict[str, str], min_rounds: int, max_rounds: int, precision: float
) -> None:
    """Interleave both sides of every function, round after round, until each median is pinned down.

    A round times every function still sampling: cold path then floor, or floor then cold path
    on alternate rounds, so that a drift of the machine's load hits both sides alike. A function
    stops once it has ``min_rounds`` and the 95 % interval of its median ratio is at most
    ``precision`` either side, or at ``max_rounds``.
    """
    sampling = list(sides)
    for round_number in range(max_rounds):
        for side in sampling:
            side.run_round(env, floor_first=round_number % 2 == 1)
        if round_number + 1 >= min_rounds:
            sampling = [side for side in sampling if side.spread().half_width > precision]
        if (round_number + 1) % 5 == 0:
            widths = ", ".join(f"{side.path.name} ±{side.spread().half_width:.3f}" for side in sides)
            print(
                f"cold start: {round_number + 1} rounds; 95 % intervals {widths}", file=sys.stderr, flush=True
            )
        if not sampling:
            return


def report(side: Sides, precision: float) -> bool:
    path, samples, loaded, spread = side.path, side.samples, side.loaded, side.spread()
    app, floor, imported, floor_init, app_wall, floor_wall = (
        median(samples[key]) * 1000
        for key in ("app", "floor", "import", "floor import", "app wall", "floor wall")
    )
    verdict = "meets" if spread.median <= TARGET else "MISSES"
    first = (
        "import only" if path.event is None else f"import {imported:.0f} + first event {app - imported:.0f}"
    )
    clients = ", ".join(path.clients) or "no clients"
    settled = "" if spread.half_width <= precision else f" (NOT settled to ±{precision})"
    print(
        f"cold start {path.name:<18} {spread.median:.2f}× — target ≤ {TARGET}× — {verdict}; spread of "
        f"{spread.rounds} paired rounds: quartiles {spread.q1:.2f}–{spread.q3:.2f}×, 95 % interval of the "
        f"median {spread.low:.2f}–{spread.high:.2f}×{settled}"
    )
    print(
        f"           {'':<18} {app:.0f} ms CPU ({first}); floor {floor:.0f} ms (boto3 + {clients} + the same "
        f"AWS calls); init alone {imported:.0f} ms against the floor's boto3 + clients {floor_init:.0f} ms: "
        f"{imported / floor_init:.2f}×   [wall {app_wall:.0f} / {floor_wall:.0f} ms]; "
        f"of {', '.join(WATCHED_MODULES)} it imports {', '.join(loaded) or 'none'}"
    )
    return spread.median <= TARGET


def importtime(module: str, code: Path) -> int:
    """Print the 25 slowest imports (cumulative) of one module, as ``python -X importtime`` sees them."""
    command = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(own), name.rstrip()))
    for total_us, own_us, imported in sorted(rows, reverse=True)[:25]:
        print(f"{total_us / 1000:8.1f} ms {own_us / 1000:7.1f} ms own  {imported}")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold-start proxy of each Lobby function.")
    parser.add_argument("--min-runs", type=int, default=MIN_ROUNDS, help="paired rounds at least")
    parser.add_argument("--max-runs", type=int, default=MAX_ROUNDS, help="paired rounds at most")
    parser.add_argument("--runs", type=int, help="exactly this many paired rounds (sets both bounds)")
    parser.add_argument(
        "--precision",
        type=float,
        default=PRECISION,
        help="stop sampling a function once the 95%% interval of its median ratio is within ± this",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a function misses the target")
    parser.add_argument(
        "--function", action="append", metavar="LOGICAL_ID", help="measure only this function (repeatable)"
    )
    parser.add_argument("--importtime", metavar="MODULE", help="show where MODULE's import time goes")
    parser.add_argument(
        "--code",
        type=Path,
        default=le.FUNCTIONS,
        help="the functions' code root (default functions/); point it at a patched copy to try a fix",
    )
    args = parser.parse_args(argv)
    if args.importtime:
        with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
            return importtime(args.importtime, shipped_package(args.code.resolve(), Path(tmp) / "task"))
    min_rounds, max_rounds = (
        (args.runs, args.runs) if args.runs else (args.min_runs, max(args.min_runs, args.max_runs))
    )

    request_item, event_item = le.stored_sample()
    outbox_item = le.queued_sample(event_item)  # the sender's stream brings it the office's e-mail
    all_met, broken = True, False
    with (
        tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp,
        CannedAws(request_item, event_item).running() as aws,
    ):
        env = child_environment(shipped_package(args.code.resolve(), Path(tmp) / "task"), aws.url)
        print(
            "cold start: CPU time of fresh interpreters (CPU rather than wall time: other work on the machine "
            f"barely moves it), Python {sys.version.split()[0]}; each package as make build ships it (compiled "
            "catalog, hash-checked bytecode, read-only). Cold path and floor alternate, one pair per round; "
            f"the figure is the median of the rounds' ratios, sampled for {min_rounds} to {max_rounds} rounds "
            f"until its 95 % interval is within ±{args.precision}"
        )
        if args.code.resolve() != le.FUNCTIONS:
            print(f"cold start: code from {args.code.resolve()}")
        sides = []
        for path in cold_paths(outbox_item):
            if args.function and path.name not in args.function:
                continue
            try:
                sides.append(prepare(path, env, aws))
            except ChildFailed as failure:
                print(f"cold start {path.name:<18} FAILED: {failure}")
                broken = True
        try:
            measure_all(sides, env, min_rounds, max_rounds, args.precision)
        except ChildFailed as failure:
            print(f"cold start: FAILED while sampling: {failure}")
            return 1
        for side in sides:
            all_met &= report(side, args.precision)
    if broken:
        return 1
    return 0 if all_met or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
