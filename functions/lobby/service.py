"""Wiring shared by every function: the store for the deployment, planned and addressed by the catalog."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.outbox import messages_for
from lobby.schedule import next_action_at
from lobby.settings import Settings
from lobby.storage import Store


def open_store(catalog: Catalog, settings: Settings) -> Store:
    return Store(
        settings.table_name,
        catalog.property.id,
        retention_days=catalog.property.retention_days,
        planner=lambda request: next_action_at(catalog, request),
        addresser=lambda request, event: messages_for(catalog, request, event),
    )
