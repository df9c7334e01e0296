"""The administrator's daily warning while the calendar does not know a year's public holidays."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.office_digest import CALENDAR_ROLE
from lobby.settings import Settings
from views.emails.bodies import render
from views.messages import translate


def administrator_address(catalog: Catalog, settings: Settings) -> str:
    """The administrator's address, or, without one, the service office's director's."""
    if settings.administrator_email:
        return settings.administrator_email
    service = catalog.property.service_office
    return settings.office_email(catalog.offices[service].director or service)


def calendar_mail(catalog: Catalog, settings: Settings, at: datetime) -> Mail | None:
    """The warning as of ``at``; None once every year the office works in is known again."""
    prop = catalog.property
    day = at.astimezone(ZoneInfo(prop.time_zone)).date()
    unknown = prop.calendar.unknown_years(day)
    if not unknown:
        return None
    lang = prop.staff_language
    years = translate(lang, "calendar.years", years=translate(lang, "list.separator").join(map(str, unknown)))
    subject = translate(lang, "calendar.subject", property=prop.name(lang), years=years)
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": translate(lang, "calendar.heading", years=years),
        "intro": translate(lang, "calendar.intro", years=years),
        "tables": [],
        "footer": translate(lang, "calendar.footer"),
    }
    text, html = render("digest", context)
    return Mail(
        role=CALENDAR_ROLE, to=administrator_address(catalog, settings), subject=subject, text=text, html=html
    )
