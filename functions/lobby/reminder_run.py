"""One run of the reminder scheduler: read what is due from the Agenda index, record each step once."""

from __future__ import annotations

import hashlib
from datetime import datetime

from msgspec import Struct

from lobby.catalog import Catalog
from lobby.lifecycle import IllegalTransition, apply
from lobby.requests import LOBBY, Event, utc_iso
from lobby.scheduled_steps import Step, due_steps, new_promise, next_action_at, superseded
from lobby.storage import StaleRequest, Store


class RunReport(Struct):
    requests: int = 0  # requests the Agenda index returned as due
    recorded: int = 0  # steps recorded by this run (each queues its e-mail in the outbox with it)
    already: int = 0  # steps an earlier or overlapping run had recorded
    closed: int = 0  # resolved requests closed because nobody needs to follow them up
    items_read: int = 0  # items DynamoDB returned to the queries of this run


def step_event(step: Step, superseded_by_later: bool, new_time: datetime | None = None) -> Event:
    """The history event of a step. Its key is stable (time + hash of the step), so a rerun cannot add it twice.

    A missed promise is the resident's to see (``missed``, with the ``new`` time they are given); every
    other step is an internal ``reminder``.
    """
    data = {
        "stage": step.stage,
        "step": step.key,
        "due": utc_iso(step.due) if step.due else None,
        "superseded": superseded_by_later,
    }
    missed = step.stage == "missed"
    if missed:
        data["phase"] = step.key.split("@", 1)[0]
        data["new"] = utc_iso(new_time) if new_time else None
    return Event(
        type="missed" if missed else "reminder",
        at=step.deliver_at,
        actor=LOBBY.name,
        public=missed,
        data=data,
        id=hashlib.sha256(step.key.encode()).hexdigest()[:10],
    )


def run_reminders(store: Store, catalog: Catalog, now: datetime) -> RunReport:
    report = RunReport()
    start_read = store.items_read
    for item in store.agenda_due(now):
        request = Store.request_from_item(item)
        report.requests += 1
        steps = due_steps(catalog, request, now)
        overtaken = superseded(steps)
        for step in steps:
            if step.stage == "autoclose":
                report.closed += _autoclose(store, catalog, request, now)
                continue
            new_time = (
                new_promise(catalog, request, step.due) if step.stage == "missed" and step.due else None
            )
            if store.record_step(request, step_event(step, step.key in overtaken, new_time), now):
                report.recorded += 1
            else:
                report.already += 1
        if not any(step.stage == "autoclose" for step in steps):
            store.move_agenda(request, next_action_at(catalog, request, after=now))
    report.items_read = store.items_read - start_read
    return report


def _autoclose(store: Store, catalog: Catalog, request: object, now: datetime) -> int:
    from lobby.requests import ServiceRequest

    assert isinstance(request, ServiceRequest)
    try:
        change = apply(catalog, request, "close", {}, now, LOBBY)
        store.save_change(request, change.request, change.event)
    except (IllegalTransition, StaleRequest):
        return 0  # someone acted on it meanwhile; the next run sees the new state
    return 1
