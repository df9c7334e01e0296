"""A reminder from the ladder (due soon, due, overdue, escalated) or a follow-up due, for whoever it goes to."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.escalation import escalation_office
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails.office import Signer, office_actions, office_mail
from views.messages import translate
from views.wording import agreement_visit, local_time


def reminder(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None
) -> Mail | None:
    data = event.data
    if data.get("superseded"):
        return None  # a later reminder of the same moment says it all
    lang = catalog.property.staff_language
    stage = str(data.get("stage", ""))
    prop = catalog.property
    director = escalation_office(catalog, request)
    recipients = {
        "director": settings.office_email(director),
        "quality": settings.office_email(prop.quality_office),
        "followup": settings.office_email(prop.service_office),
    }
    to = recipients.get(stage, settings.office_email(request.office))
    flag = translate(lang, f"mail.stage.{stage}")
    heading = translate(
        lang, "mail.reminder_heading", stage=flag, kind=catalog.kinds[request.kind].name(lang)
    )
    if stage == "followup":
        rows = [
            (translate(lang, "mail.followup_due"), local_time(catalog, request.follow_up_due, lang)),
            (translate(lang, "mail.reminder_deadline"), translate(lang, "mail.followup_hint")),
        ]
        visit = agreement_visit(catalog, request, lang)
        if visit:  # a long-term agreement: halfway through its term, or after its end
            rows.insert(1, (translate(lang, "mail.followup_visit"), visit))
        actions = [(translate(lang, "mail.record_followup"), signer(request, "followup"))] if signer else []
    else:
        step = str(data.get("step", ""))
        phase = next((name for name in ("ack", "arrive") if step.startswith(f"{name}@")), "resolve")
        rows = [
            (translate(lang, "mail.reminder_deadline"), translate(lang, f"mail.reminder_deadline.{phase}"))
        ]
        actions = office_actions(catalog, request, signer)
    return office_mail(
        catalog,
        settings,
        request,
        actions,
        role=f"reminder-{stage}",
        extra=rows,
        to=to,
        flag=flag,
        heading=heading,
    )
