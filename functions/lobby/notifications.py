"""Which e-mails a history event causes, and for whom; ``views.emails`` writes each one.

``mails_for`` is the one entry point the senders call: at most one e-mail per recipient role.
"""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.outbox import owner_hears
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails import director_alert, office, owner, photos, reminder, resident
from views.emails.office import Signer

__all__ = ["Signer", "mails_for"]


def mails_for(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None = None
) -> list[Mail]:
    """The e-mails one history event causes, at most one per recipient role."""
    mails: list[Mail] = []
    actions = office.office_actions(catalog, request, signer)
    if event.type == "reminder":
        mail = reminder.reminder(catalog, settings, request, event, signer)
        return [mail] if mail else []
    if event.type == "photo_added":
        return [photos.photos_added(catalog, settings, request, event, signer)]
    if event.type == "submitted":
        mails.append(office.new_request(catalog, settings, request, actions))
        if request.contact_email:
            mails.append(resident.received(catalog, settings, request, signer))
        return mails
    if owner_hears(request, event):
        mails.append(owner.next_steps(catalog, settings, request, event, actions))
    if event.type == "reassign":
        return [office.again(catalog, settings, request, actions, event), *mails]
    if event.type == "reopen":
        mails.append(office.again(catalog, settings, request, actions, event))
        if event.data.get("via") in ("rate", "followup"):
            mails.append(director_alert.director_alert(catalog, settings, request, event))
    if request.contact_email:
        update = resident.update(catalog, settings, request, event, signer)
        if update:
            mails.append(update)
    return mails
