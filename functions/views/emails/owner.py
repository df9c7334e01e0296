"""The owner's e-mail after each staff action: what was done and by whom, the request's card, and signed
links for every next step the new state allows, so the thread never lives only in a browser tab.

It goes to the owner's own address when they took the request signed in to the desk (their roster
address), else to the office's mailbox, where a typed name cannot be reached (``lobby.notifications.owner_hears``
decides when it is sent at all).
"""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import RESIDENT, Event, ServiceRequest
from lobby.settings import Settings
from views.emails.office import office_mail
from views.labels import action_label
from views.messages import translate
from views.wording import actor_text, event_text, status_text

OWNER_ROLE = "owner"
# The history's name of a staff step → the action it records, for its label.
_ACTION_OF = {"followed_up": "followup"}
# What the resident did on their request's page (lobby.resident_steps): headed as theirs, not as a staff action.
_RESIDENT_STEPS = ("info", "cancel")


def next_steps(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    event: Event,
    actions: list[tuple[str, str]],
) -> Mail:
    lang = catalog.property.staff_language
    kind = catalog.kinds[request.kind].name(lang)
    if event.actor == RESIDENT.name and event.type in _RESIDENT_STEPS:
        heading = translate(lang, f"mail.resident_step.{event.type}", kind=kind)
    else:
        label = action_label(_ACTION_OF.get(event.type, event.type), lang)
        heading = translate(lang, "mail.owner_heading", action=label, kind=kind)
    rows = [
        (translate(lang, "mail.done_by"), actor_text(event, lang)),
        (translate(lang, "mail.step"), event_text(event, lang, catalog)),
    ]
    if not actions:
        rows.append((translate(lang, "mail.actions"), translate(lang, "mail.no_next_step")))
    return office_mail(
        catalog,
        settings,
        request,
        actions,
        role=OWNER_ROLE,
        extra=rows,
        to=request.owner_email or settings.office_email(request.office),
        flag=status_text(request.status, lang),
        heading=heading,
    )
