"""The office's e-mail about one request: what was asked, by when, the procedure, the action links.

The same e-mail, with another heading, tells an office a request was passed to it or reopened;
reminders and the director's alert are built on it too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lobby import policy
from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views.emails.bodies import render
from views.labels import action_label, field_rows
from views.messages import translate
from views.pages.desk_shell import card_path
from views.wording import (
    describe_rule,
    describe_timedelta,
    local_time,
    owner_text,
    rating_text,
    repeat_text,
)

Signer = Callable[[ServiceRequest, str], str]


def office_actions(catalog: Catalog, request: ServiceRequest, signer: Signer | None) -> list[tuple[str, str]]:
    """The actions the request offers now, as (label, signed link); none without a signer."""
    from lobby.lifecycle import available_actions

    if signer is None:
        return []
    lang = catalog.property.staff_language
    return [
        (action_label(action, lang), signer(request, action))
        for action in available_actions(request, catalog)
    ]


def office_mail(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    actions: list[tuple[str, str]],
    heading_key: str | None = None,
    role: str = "office",
    extra: list[tuple[str, str]] | None = None,
    to: str | None = None,
    flag: str | None = None,
    heading: str | None = None,
    due: datetime | None = None,
) -> Mail:
    """The office e-mail; ``due`` is the deadline its subject names when it is not the request's own
    (a spot check's)."""
    lang = catalog.property.staff_language
    kind = catalog.kinds[request.kind]
    kind_name = kind.name(lang)
    due = due or request.current_due
    due_text = local_time(catalog, due, lang)
    when = (
        translate(lang, "mail.subject_due", due=due_text) if due else translate(lang, "mail.subject_tracked")
    )
    flagged = f"{flag} · " if flag else ""
    subject = f"[{request.reference}] {flagged}{kind_name} · {request.location} · {when}"
    summary = [
        (translate(lang, "mail.kind"), kind_name),
        (translate(lang, "mail.office"), catalog.offices[request.office].name(lang)),
        (translate(lang, "mail.received"), local_time(catalog, request.received_at, lang)),
    ]
    if request.acknowledge_due:
        summary.append(
            (translate(lang, "mail.acknowledge_by"), local_time(catalog, request.acknowledge_due, lang))
        )
    rule = kind.resolve_rule(request.fields, request.sized)
    summary.append((translate(lang, "mail.resolve_rule"), describe_rule(rule, lang)))
    if request.arrive_due:
        summary.append((translate(lang, "mail.arrive_by"), local_time(catalog, request.arrive_due, lang)))
    if request.resolve_due:
        summary.append((translate(lang, "mail.resolve_by"), local_time(catalog, request.resolve_due, lang)))
    if request.owner:
        summary.append((translate(lang, "mail.owner"), owner_text(request, lang)))
    summary.append((translate(lang, "mail.language"), translate(lang, f"mail.lang.{request.lang}")))
    summary.append((translate(lang, "mail.catalog"), request.catalog_version))
    summary.extend(extra or [])
    urgent = kind.is_urgent(request.fields)
    heading_key = heading_key or ("mail.office_heading_urgent" if urgent else "mail.office_heading")
    within = describe_timedelta(policy.REWORK_WITHIN, lang)
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": catalog.property.name(lang),
        "heading": heading or translate(lang, heading_key, kind=kind_name, within=within),
        "alert": repeat_text(request, lang),  # the red flag of a matter that came again
        "reference": request.reference,
        "summary": summary,
        "fields_heading": translate(lang, "mail.fields"),
        "fields": field_rows(catalog, request, lang),
        "procedure_heading": translate(lang, "mail.procedure"),
        "procedure": kind.staff_procedure(lang),
        "card": (translate(lang, "mail.card"), f"{settings.site_url}{card_path(request.reference)}"),
        "actions_heading": translate(lang, "mail.actions"),
        "actions": actions,
        "footer": translate(lang, "mail.office_footer"),
    }
    text, html = render("office_submitted", context)
    recipient = to or settings.office_email(request.office)
    return Mail(role=role, to=recipient, subject=subject, text=text, html=html)


def new_request(
    catalog: Catalog, settings: Settings, request: ServiceRequest, actions: list[tuple[str, str]]
) -> Mail:
    """A new request for its office (flagged in the subject when its matter came again)."""
    flag = translate(catalog.property.staff_language, "mail.flag_repeat") if request.repeats else None
    return office_mail(catalog, settings, request, actions, flag=flag)


# An event that sends the office the request again: (heading, flag in the subject, recipient role).
_AGAIN = {
    "reassign": ("mail.office_heading_reassigned", "mail.flag_reassigned", "office-{office}"),
    "reopen": ("mail.office_heading_reopen", "status.reopened", "office-reopen"),
}


def reopen_rows(catalog: Catalog, request: ServiceRequest, event: Event) -> list[tuple[str, str]]:
    """Why a request was reopened: the resident's reason, their answers, and the resolution they refused."""
    lang = catalog.property.staff_language
    rows = [(translate(lang, "mail.reopen_reason"), str(event.data.get("note", "")))]
    if event.data.get("via") in ("rate", "followup") and request.rating:
        rows.append((translate(lang, "mail.rating"), rating_text(request.rating, lang)))
    resolution = str(event.data.get("resolution", ""))
    rows.append(
        (translate(lang, "mail.previous_resolution"), resolution or translate(lang, "mail.no_resolution"))
    )
    return rows


def again(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    actions: list[tuple[str, str]],
    event: Event,
) -> Mail:
    """The request once more, for the office that holds it now: passed to it, or reopened for rework
    (with the resident's reason and the resolution they refused)."""
    heading_key, flag_key, role = _AGAIN[event.type]
    flag = translate(catalog.property.staff_language, flag_key)
    return office_mail(
        catalog,
        settings,
        request,
        actions,
        heading_key=heading_key,
        role=role.format(office=request.office),
        flag=flag,
        extra=reopen_rows(catalog, request, event) if event.type == "reopen" else None,
    )
