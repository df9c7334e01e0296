"""Reminder run: items read per run against items due, for tables of 1,000 / 10,000 / 100,000 requests.

Most requests are closed (no Agenda entry: the index is sparse); a fixed number are open
and overdue. A run must read what is due, not what is stored.
Target: items read <= items due + one page (100), whatever the table's size.

Usage: python bench/bench_reminders.py [--sizes 1000,10000,100000] [--due 40]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

from msgspec.structs import replace

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

PAGE = 100


def build_table(size: int, due: int):  # type: ignore[no-untyped-def]
    import boto3
    import cfn

    from lobby.catalog import load_catalog
    from lobby.requests import ServiceRequest
    from lobby.scheduled_steps import next_action_at
    from lobby.storage import Store

    table = f"bench-{size}"
    client = boto3.client("dynamodb")
    cfn.create_table(client, cfn.load_template(), "RequestsTable", table)
    catalog = load_catalog()
    store = Store(table, catalog.property.id, client=client, planner=lambda r: next_action_at(catalog, r))
    received = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
    template = ServiceRequest(
        reference="20261102-0001",
        kind="complaint",
        office="service-centre",
        status="closed",
        lang="zh",
        fields={
            "name": "Bench",
            "phone": "13800000000",
            "building": "1",
            "unit": "101",
            "description": "bench",
        },
        received_at=received,
        acknowledge_due=received + timedelta(hours=7, minutes=30),
        resolve_due=None,
        catalog_version=catalog.catalog_version,
        closed_at=received + timedelta(days=1),
    )
    items = []
    for n in range(size):
        status = "received" if n < due else "closed"
        request = replace(
            template,
            reference=f"20261102-{n + 1:06d}",
            status=status,
            closed_at=None if status == "received" else template.closed_at,
        )
        items.append({"PutRequest": {"Item": store.request_item(request)}})
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: items[start : start + 25]})
    return store, catalog


def measure(size: int, due: int) -> tuple[int, int, float]:
    from lobby.reminder_run import run_reminders

    store, catalog = build_table(size, due)
    started = time.perf_counter()
    report = run_reminders(store, catalog, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    return report.requests, report.items_read, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=40)
    args = parser.parse_args()

    from moto import mock_aws

    failed = False
    print(f"reminder run: items read vs items due (target: read <= due + {PAGE})")
    with mock_aws():
        for size in (int(text) for text in args.sizes.split(",")):
            due, read, seconds = measure(size, args.due)
            ok = read <= due + PAGE
            failed |= not ok
            print(
                f"  table {size:>7,} requests: due {due:>4}, read {read:>4}, run {seconds * 1000:7.1f} ms  "
                f"{'OK' if ok else 'OVER TARGET'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
