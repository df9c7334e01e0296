"""The resident's e-mails: the receipt, and a message at each step they should hear about."""

from __future__ import annotations

from lobby import policy
from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest, parse_iso
from lobby.settings import Settings
from views import receipt
from views.emails.bodies import render
from views.emails.office import Signer
from views.messages import translate
from views.wording import describe_timedelta, local_time, status_text


def resident_mail(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    *,
    heading: str,
    paragraphs: list[str],
    steps: list[str],
    link: str | None,
    link_label: str,
    role: str = "resident",
) -> Mail:
    lang = request.lang
    numbers = catalog.property.emergency_numbers
    subject = f"[{request.reference}] {heading}"
    if request.receiver:  # registered at the desk: the receiver owns it from first contact (首问负责制)
        paragraphs = [*paragraphs, translate(lang, "mail.receiver", receiver=request.receiver)]
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": catalog.property.name(lang),
        "heading": heading,
        "reference_label": translate(lang, "mail.reference"),
        "reference": request.reference,
        "paragraphs": paragraphs,
        "steps_heading": translate(lang, "mail.steps"),
        "steps": steps,
        "link": link,
        "link_label": link_label,
        "footer": translate(
            lang,
            "mail.resident_footer",
            line_hours=policy.SERVICE_LINE_HOURS,
            phone=catalog.property.phone_24h,
            fire=numbers.fire,
            medical=numbers.medical,
            police=numbers.police,
        ),
    }
    text, html = render("resident_message", context)
    assert request.contact_email
    return Mail(role=role, to=request.contact_email, subject=subject, text=text, html=html)


def received(
    catalog: Catalog, settings: Settings, request: ServiceRequest, signer: Signer | None = None
) -> Mail:
    """The receipt: what the office promises, the reference to keep, what happens next."""
    lang = request.lang
    return _simple(
        catalog,
        settings,
        request,
        signer,
        receipt.received_title(catalog, request, lang),
        receipt.promise(catalog, request, lang),
        translate(lang, "receipt.keep_reference"),
        steps=receipt.next_steps(catalog, request, lang)[1:],
    )


def _simple(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    signer: Signer | None,
    heading: str,
    *paragraphs: str,
    steps: list[str] | None = None,
    link: str | None = None,
    link_label: str = "",
) -> Mail:
    lang = request.lang
    # Every message links to the request's own page (a signed link, nothing personal in it); without a
    # signer (a preview) to the status form.
    own_page = signer(request, "request") if signer else None
    status_link = own_page or f"{settings.site_url}{receipt.status_path(lang, request.reference)}"
    status_label = translate(lang, "receipt.request_link" if own_page else "status_page.link")
    return resident_mail(
        catalog,
        settings,
        request,
        heading=heading,
        paragraphs=[p for p in paragraphs if p],
        steps=steps or [],
        link=link or status_link,
        link_label=link_label or status_label,
    )


def update(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None
) -> Mail | None:
    """The resident's message about ``event``, or None when the event is not theirs to hear about."""
    lang = request.lang
    note = str(event.data.get("note", ""))
    office = catalog.offices[request.office].name(lang)
    match event.type:
        case "acknowledge":
            return _simple(
                catalog,
                settings,
                request,
                signer,
                translate(lang, "mail.acked_heading"),
                translate(lang, "mail.acked_text", owner=event.actor, office=office),
                receipt.promise(catalog, request, lang),
            )
        case "note" if event.public:
            return _simple(catalog, settings, request, signer, translate(lang, "mail.note_heading"), note)
        case "wait":
            return _simple(
                catalog,
                settings,
                request,
                signer,
                translate(lang, "mail.wait_heading"),
                note,
                translate(lang, "mail.wait_text", phone=catalog.property.phone_24h),
            )
        case "resolve":
            rate_link = signer(request, "rate") if signer else None
            within = describe_timedelta(policy.REWORK_WITHIN, lang)
            return _simple(
                catalog,
                settings,
                request,
                signer,
                translate(lang, "mail.resolved_heading"),
                note,
                translate(lang, "mail.resolved_text", within=within),
                link=rate_link,
                link_label=translate(lang, "mail.rate"),
            )
        case "cancel":
            return _simple(
                catalog, settings, request, signer, translate(lang, "mail.cancelled_heading"), note
            )
        case "reopen":
            due = local_time(catalog, request.resolve_due, lang)
            return _simple(
                catalog,
                settings,
                request,
                signer,
                translate(lang, "mail.reopened_heading"),
                translate(lang, "mail.reopened_text", due=due),
            )
        case "missed":
            return missed(catalog, settings, request, event, signer)
        case "retriage":
            return _simple(
                catalog,
                settings,
                request,
                signer,
                translate(lang, "mail.retriaged_heading"),
                receipt.promise(catalog, request, lang),
            )
    return None


def missed(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None = None
) -> Mail:
    """A promise missed (seed 000 §5.2.3): an apology, how it stands now, and the new time."""
    lang = request.lang
    phase = event.data.get("phase") if event.data.get("phase") in ("ack", "arrive") else "resolve"
    due, new = (parse_iso(str(event.data[key])) if event.data.get(key) else None for key in ("due", "new"))
    return _simple(
        catalog,
        settings,
        request,
        signer,
        translate(lang, f"mail.missed_heading.{phase}"),
        translate(lang, f"mail.missed_text.{phase}", due=local_time(catalog, due, lang)),
        translate(lang, "mail.missed_progress", status=status_text(request.status, lang)),
        translate(lang, "mail.missed_new", new=local_time(catalog, new, lang)) if new else "",
        translate(lang, "mail.missed_call", phone=catalog.property.phone_24h),
    )
