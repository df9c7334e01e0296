"""A company spot check assigned to the office that drew it (seed 000 §5.5): the request as the office
e-mail shows it, what to check and by when, and the signed link to record the result."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from lobby.spot_checks import EVENT, ROLE, link_action
from views.emails.office import Signer, office_mail
from views.labels import action_label
from views.messages import translate
from views.wording import local_time


def assignment(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    event: Event,
    office: str,
    signer: Signer | None,
) -> Mail | None:
    """The check for ``office``; None when it was recorded before the e-mail left."""
    if office not in request.spot_checks or office in request.spot_check_results:
        return None
    lang = catalog.property.staff_language
    rows = [
        (translate(lang, "mail.spot_check_office"), catalog.offices[office].name(lang)),
        (translate(lang, "mail.spot_check_task"), translate(lang, "mail.spot_check_text")),
        (translate(lang, "mail.spot_check_due"), local_time(catalog, request.spot_check_due, lang)),
        (translate(lang, "mail.spot_check_resolved_at"), local_time(catalog, request.resolved_at, lang)),
        (translate(lang, "mail.spot_check_resolution"), str(event.data.get("note", ""))),
    ]
    action = link_action(office)
    actions = [(action_label(EVENT, lang), signer(request, action))] if signer else []
    return office_mail(
        catalog,
        settings,
        request,
        actions,
        heading_key="mail.spot_check_heading",
        role=f"{ROLE}{office}",
        extra=rows,
        to=settings.office_email(office),
        flag=translate(lang, "mail.flag_spot_check"),
        due=request.spot_check_due,
    )
