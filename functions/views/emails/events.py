"""The e-mail of one outbox item about a history event, written for its role (``lobby.notifications``
decided who hears of the event; this only picks the writer)."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from lobby.spot_checks import ROLE as SPOT_CHECK_ROLE
from views.emails import director_alert, office, owner, photos, reminder, resident, spot_check
from views.emails.office import Signer

__all__ = ["Signer", "write_event_mail"]


def write_event_mail(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    event: Event,
    role: str,
    signer: Signer | None = None,
) -> Mail | None:
    """The e-mail for ``role`` about ``event``; None when the event gives that role nothing to read."""
    if role == "resident":
        if event.type == "submitted":
            return resident.received(catalog, settings, request, signer)
        return resident.update(catalog, settings, request, event, signer)
    if role == "director":
        return director_alert.director_alert(catalog, settings, request, event)
    if role.startswith("reminder-"):
        return reminder.reminder(catalog, settings, request, event, signer)
    if role.startswith(SPOT_CHECK_ROLE):
        return spot_check.assignment(
            catalog, settings, request, event, role.removeprefix(SPOT_CHECK_ROLE), signer
        )
    actions = office.office_actions(catalog, request, signer)
    if role == "office":
        return office.new_request(catalog, settings, request, actions)
    if role == photos.ROLE:
        return photos.photos_added(catalog, settings, request, event, signer)
    if role == owner.OWNER_ROLE:
        return owner.next_steps(catalog, settings, request, event, actions)
    return office.again(catalog, settings, request, actions, event)  # office-reopen, office-<id>
