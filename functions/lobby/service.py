"""Wiring shared by every function: the store for the deployment, planned and addressed by the catalog.

Every function imports this module, and not every one keys contacts or queues messages (the
monthly report does neither): what only those need is imported when it is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lobby import links
from lobby.catalog import Catalog
from lobby.repeats import place_key
from lobby.scheduled_steps import next_action_at
from lobby.settings import Settings
from lobby.storage import Store

if TYPE_CHECKING:
    from lobby.outbox import Message
    from lobby.requests import Event, ServiceRequest


def open_store(catalog: Catalog, settings: Settings) -> Store:
    def contact_key(phone: str) -> str | None:
        """The ByContact key of a phone number; None when the keying secret cannot be read, so that
        a request is stored (without its contact entry) rather than lost while SSM is away."""
        from lobby.fields import phone_digits
        from lobby.limits import keyed

        try:
            secret = links.keying_secret(settings.signing_secret_parameter)  # cached for 5 minutes
        except Exception:
            return None
        return keyed(secret, "contact", phone_digits(phone))

    def addresser(request: ServiceRequest, event: Event) -> list[Message]:
        from lobby.notifications import messages_for

        return messages_for(catalog, settings.office_robots, request, event)

    return Store(
        settings.table_name,
        catalog.property.id,
        retention_days=catalog.property.retention_days,
        planner=lambda request: next_action_at(catalog, request),
        contact_keyer=contact_key,
        addresser=addresser,
        placer=lambda request: place_key(catalog, request),
    )
