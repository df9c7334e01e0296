"""The office's notice that a limit refused its first submission (``lobby.limits``): which limit, the
kind of request that met it, the count and window it allows, and when. Nothing personal: the trip is
all the outbox item holds, since no address or client is ever kept."""

from __future__ import annotations

from datetime import datetime

from lobby import policy
from lobby.catalog import Catalog
from lobby.limits import Trip
from lobby.mail import Mail
from lobby.settings import Settings
from views.emails.bodies import render
from views.messages import translate
from views.wording import describe_timedelta, local_time


def limit_notice(catalog: Catalog, settings: Settings, role: str, trip: Trip, at: datetime) -> Mail:
    prop = catalog.property
    lang = prop.staff_language
    kind = catalog.kinds[trip.kind]
    window = describe_timedelta(trip.window, lang)
    limit = translate(lang, f"limit.{trip.which}", allowed=trip.limit, window=window)
    subject = translate(lang, "limit.subject", property=prop.name(lang), limit=limit)
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": translate(lang, "limit.heading"),
        "intro": translate(lang, f"limit.intro.{trip.which}", line_hours=policy.SERVICE_LINE_HOURS),
        "headline_heading": translate(lang, "limit.facts"),
        "headline": [
            (translate(lang, "limit.which"), limit),
            (translate(lang, "mail.kind"), kind.name(lang)),
            (translate(lang, "mail.office"), catalog.offices[kind.office].name(lang)),
            (translate(lang, "limit.at"), local_time(catalog, at, lang)),
        ],
        "tables": [],
        "notes_heading": "",
        "notes": [],
        "footer": translate(lang, "limit.footer"),
    }
    text, html = render("monthly", context)
    return Mail(role=role, to=settings.office_email(kind.office), subject=subject, text=text, html=html)
