"""The director's alert: a resident answered the follow-up as not satisfied (seed 002)."""

from __future__ import annotations

from lobby import policy
from lobby.catalog import Catalog
from lobby.escalation import escalation_office
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails.office import office_mail, reopen_rows
from views.messages import translate
from views.wording import describe_timedelta


def director_alert(catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event) -> Mail:
    lang = catalog.property.staff_language
    director = escalation_office(catalog, request)
    within = describe_timedelta(policy.REWORK_WITHIN, lang)
    rows = [
        (
            translate(lang, "mail.director_heading", kind=catalog.kinds[request.kind].name(lang)),
            translate(
                lang, "mail.director_note", office=catalog.offices[request.office].name(lang), within=within
            ),
        ),
        *reopen_rows(catalog, request, event),
    ]
    return office_mail(
        catalog,
        settings,
        request,
        actions=[],
        heading_key="mail.director_heading",
        role="director",
        extra=rows,
        to=settings.office_email(director),
        flag=translate(lang, "mail.flag_unsatisfied"),
    )
