"""Submit path: warm, in-process time per request through the API handler, against moto.

Compared with a minimal handler that makes the same DynamoDB calls with plain boto3 on the same
moto: a consistent read of the duplicate guard, the day's counter (UpdateItem ADD), and one
transaction putting the request, its first event and the guard, each with the same attributes
and index keys Lobby writes. Everything Lobby adds on top (Powertools routing, validation
against the catalog, deadline arithmetic, the receipt) is what the ratio shows.

Both handlers take the same bodies (each one distinct, so no duplicate short-cut), in
alternating rounds; the figure is the ratio of the median per-request CPU times.
Target: ≤ 1.5×.

    python bench/bench_submit.py [--rounds 30] [--per-round 10] [--check]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from tempfile import TemporaryDirectory
from typing import Any

import lambda_events as le

TARGET = 1.5
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def minimal_handler(client: Any, table: str) -> Handler:
    """What a bare function would do for the same submission: parse, check, three calls, answer."""

    def handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        body = json.loads(event["body"])
        if not isinstance(body, dict) or body.get("consent") != "yes" or body.get("website"):
            return {"statusCode": 422, "body": "{}"}
        fields = {key: str(value) for key, value in body.items() if key not in ("consent", "website", "lang")}
        now = datetime.now(UTC)
        received = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        fingerprint = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        guard_key = {"PK": {"S": f"P#bench#DEDUPE#{fingerprint}"}, "SK": {"S": "DEDUPE"}}
        if client.get_item(TableName=table, Key=guard_key, ConsistentRead=True).get("Item"):
            return {"statusCode": 200, "body": "{}"}
        day = (now + timedelta(hours=8)).strftime("%Y%m%d")
        counter = client.update_item(
            TableName=table,
            Key={"PK": {"S": f"P#bench#SEQ#{day}"}, "SK": {"S": "SEQ"}},
            UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(int(now.timestamp()))}},
            ReturnValues="UPDATED_NEW",
        )
        reference = f"{day}-{int(counter['Attributes']['n']['N']):04d}"
        pk = {"S": f"P#bench#R#{reference}"}
        due = (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
        request = {
            "PK": pk,
            "SK": {"S": "REQUEST"},
            "type": {"S": "request"},
            "reference": {"S": reference},
            "kind": {"S": "repair"},
            "office": {"S": "engineering"},
            "status": {"S": "received"},
            "lang": {"S": body.get("lang", "zh")},
            "fields": {"M": {key: {"S": value} for key, value in fields.items()}},
            "received_at": {"S": received},
            "resolve_due": {"S": due},
            "catalog_version": {"S": "bench"},
            "reopen_count": {"N": "0"},
            "version": {"N": "0"},
            "GSI1PK": {"S": "P#bench#OFFICE#engineering"},
            "GSI1SK": {"S": f"{due}#{reference}"},
            "GSI2PK": {"S": "P#bench#AGENDA"},
            "GSI2SK": {"S": f"{due}#{reference}"},
            "GSI3PK": {"S": f"P#bench#UNIT#{fields.get('building')}#{fields.get('unit')}"},
            "GSI3SK": {"S": f"repair#{received}"},
            "GSI4PK": {"S": f"P#bench#CONTACT#{hashlib.sha256(fields['phone'].encode()).hexdigest()[:32]}"},
            "GSI4SK": {"S": received},
            "GSI5PK": {"S": f"P#bench#MONTH#{day[:4]}-{day[4:6]}"},
            "GSI5SK": {"S": f"{received}#{reference}"},
        }
        history = {
            "PK": pk,
            "SK": {"S": f"EVENT#{now.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#000000"},
            "type": {"S": "event"},
            "reference": {"S": reference},
            "event": {"S": "submitted"},
            "at": {"S": received},
            "actor": {"S": "resident"},
            "public": {"BOOL": True},
            "data": {"M": {"channel": {"S": "web"}}},
        }
        guard = {
            **guard_key,
            "reference": {"S": reference},
            "expires_at": {"N": str(int(now.timestamp()) + 600)},
        }
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": request,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {"Put": {"TableName": table, "Item": history}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": guard,
                        "ConditionExpression": "attribute_not_exists(PK) OR expires_at < :now",
                        "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
                    }
                },
            ]
        )
        answer = {"reference": reference, "kind": "repair", "status": "received", "received_at": received}
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(answer),
        }

    return handle


def bodies(tag: str) -> Iterator[dict[str, Any]]:
    """Distinct submissions (the description varies), so every one is stored."""
    number = 0
    while True:
        number += 1
        fields = {**le.SAMPLE_REPAIR, "description": f"Tap {tag}-{number} drips and will not close."}
        yield le.submit_event(fields)


def time_block(handler: Handler, events: Iterator[dict[str, Any]], count: int) -> tuple[float, float]:
    """Per-request (CPU, wall) seconds over ``count`` requests; every answer must be a 201."""
    context = le.LambdaContext()
    prepared = [next(events) for _ in range(count)]
    cpu, wall = time.process_time(), time.perf_counter()
    for event in prepared:
        status = handler(event, context)["statusCode"]
        if status != 201:
            raise SystemExit(f"a submission was answered {status}: the benchmark would time the wrong path")
    return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count


def calls_made(handler: Handler, event: dict[str, Any], clients: list[Any]) -> list[str]:
    """The DynamoDB operations one request makes, in order."""
    seen: list[str] = []

    def note(model: Any, **_: Any) -> None:
        seen.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.dynamodb", note, unique_id="bench-submit-calls")
    try:
        handler(event, le.LambdaContext())
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="bench-submit-calls")
    return seen


def same_calls(lobby: Handler, bare: Handler, bare_client: Any) -> None:
    """Refuse to compare handlers that do not make the same calls."""
    from lobby.storage import dynamodb_client

    lobby_calls = calls_made(lobby, next(bodies("check-lobby")), [dynamodb_client()])
    bare_calls = calls_made(bare, next(bodies("check-bare")), [bare_client])
    if lobby_calls != bare_calls:
        raise SystemExit(f"the handlers differ: Lobby calls {lobby_calls}, the bare one {bare_calls}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Warm submit path: Lobby's handler against a bare one.")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)

    # Powertools logs every request to stdout (CloudWatch on Lambda): keep paying for it, unseen.
    with (
        TemporaryDirectory(prefix="lobby-bench-") as tmp,
        le.moto_table(le.compiled_catalog(Path(tmp))) as table,
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stdout(devnull),
    ):
        from api.app import lambda_handler as lobby_handler

        bare_handler = minimal_handler(table.client, le.TABLE)
        lobby_events, bare_events = bodies("lobby"), bodies("bare")
        time_block(lobby_handler, lobby_events, 5)  # warm: first-request work is the cold-start bench's
        time_block(bare_handler, bare_events, 5)
        same_calls(lobby_handler, bare_handler, table.client)
        lobby_cpu, bare_cpu, lobby_wall, bare_wall = [], [], [], []
        for _ in range(args.rounds):
            table.empty()
            cpu, wall = time_block(lobby_handler, lobby_events, args.per_round)
            lobby_cpu.append(cpu)
            lobby_wall.append(wall)
            table.empty()
            cpu, wall = time_block(bare_handler, bare_events, args.per_round)
            bare_cpu.append(cpu)
            bare_wall.append(wall)

    lobby, bare = median(lobby_cpu) * 1000, median(bare_cpu) * 1000
    ratio = lobby / bare
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(
        f"submit path: {lobby:.2f} ms CPU per request through api.app.lambda_handler; bare boto3 handler "
        f"{bare:.2f} ms (same moto, same calls), so Lobby adds {lobby - bare:.2f} ms: "
        f"{ratio:.2f}× — target ≤ {TARGET}× — {verdict}   "
        f"[wall {median(lobby_wall) * 1000:.2f} / {median(bare_wall) * 1000:.2f} ms; "
        f"{args.rounds} rounds × {args.per_round} requests each]"
    )
    return 0 if ratio <= TARGET or not args.check else 1


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    raise SystemExit(main())
