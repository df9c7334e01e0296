"""The desk's sign-in e-mail: one button, the time the link ends, and what to do if it was not asked for."""

from __future__ import annotations

from datetime import datetime

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.policy import SIGN_IN_LINK_LIFETIME
from views.emails.bodies import render
from views.messages import translate
from views.wording import describe_timedelta, local_time


def sign_in_mail(catalog: Catalog, lang: str, to: str, link: str, expires: datetime) -> Mail:
    heading = translate(lang, "desk.mail.heading")
    context = {
        "lang": lang,
        "subject": heading,
        "property_name": catalog.property.name(lang),
        "heading": heading,
        "reference_label": translate(lang, "desk.mail.valid_until"),
        "reference": local_time(catalog, expires, lang),
        "paragraphs": [
            translate(lang, "desk.mail.once", lifetime=describe_timedelta(SIGN_IN_LINK_LIFETIME, lang)),
            translate(lang, "desk.mail.not_you"),
        ],
        "steps_heading": "",
        "steps": [],
        "link": link,
        "link_label": translate(lang, "desk.mail.button"),
        "footer": translate(lang, "desk.mail.footer"),
    }
    text, html = render("resident_message", context)
    return Mail(role="staff", to=to, subject=heading, text=text, html=html)
