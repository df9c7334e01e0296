"""The office's e-mail when a resident's photos have been checked: the request as usual, with a link per
photo. A link opens the photo through the API (``/api/photo/<token>``), which answers with a presigned
GET of a few minutes, so what sits in a mailbox never opens the photo by itself."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails.office import Signer, office_actions, office_mail
from views.messages import translate

ROLE = "office-photos"


def photo_links(
    catalog: Catalog, request: ServiceRequest, slots: list[int], signer: Signer | None
) -> list[tuple[str, str]]:
    lang = catalog.property.staff_language
    if signer is None:
        return []
    return [(translate(lang, "photo.alt", slot=slot), signer(request, f"photo.{slot}")) for slot in slots]


def photos_added(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None
) -> Mail:
    lang = catalog.property.staff_language
    slots = [int(slot) for slot in event.data.get("slots", [])]
    links = photo_links(catalog, request, slots, signer)
    heading = translate(lang, "mail.photos_heading", count=len(slots))
    return office_mail(
        catalog,
        settings,
        request,
        [*links, *office_actions(catalog, request, signer)],
        role=ROLE,
        heading=heading,
        flag=translate(lang, "photo.heading"),
    )
