"""What a resident is told about their request: the receipt, the office's promise, the next steps.

Polite, specific, and always with the next step and its date (the seeds' service-language rules).
The same sentences make the page after a form is sent, the API's answer and the first e-mail.
"""

from __future__ import annotations

from lobby.agreements import term_months
from lobby.catalog import Catalog
from lobby.references import EXAMPLE
from lobby.requests import ServiceRequest
from views.messages import translate
from views.wording import local_time


def promise(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """What the office promises: until it first contacts the resident, when it will (never later than the
    done-by) and the done-by; then the resolve time, else a first-contact time, else follow-through."""
    office = catalog.offices[request.office].name(lang)
    if request.resolve_due:
        due = local_time(catalog, request.resolve_due, lang)
        contact = contact_by(catalog, request, lang)
        if contact:
            return translate(lang, "receipt.promise_both", office=office, contact=contact, due=due)
        return translate(lang, "receipt.promise_resolve", office=office, due=due)
    if request.acknowledge_due:
        due = local_time(catalog, request.acknowledge_due, lang)
        return translate(lang, "receipt.promise_contact", office=office, due=due)
    return translate(lang, "receipt.promise_tracked", office=office)


def contact_by(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """When the office will first contact the resident, while that is still ahead and a done-by is promised
    too (the done-by alone otherwise): the promise states both."""
    if request.status != "received" or not (request.acknowledge_due and request.resolve_due):
        return ""
    return local_time(catalog, request.acknowledge_due, lang)


def next_steps(catalog: Catalog, request: ServiceRequest, lang: str) -> list[str]:
    steps = [promise(catalog, request, lang), translate(lang, "receipt.owner_rule")]
    email = request.contact_email
    steps.append(
        translate(lang, "receipt.email_updates", email=email)
        if email
        else translate(lang, "receipt.no_email")
    )
    agreement = term_months(catalog.kinds[request.kind], request.fields) is not None
    steps.append(translate(lang, "receipt.follow_up_agreement" if agreement else "receipt.follow_up"))
    return steps


def received_title(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    name = catalog.kinds[request.kind].name(lang)
    return translate(lang, "receipt.title", kind=name, kind_lower=name[:1].lower() + name[1:])


def not_found(lang: str) -> str:
    """The answer to a status lookup that matched nothing: what to check."""
    return translate(lang, "status_page.not_found", example=EXAMPLE)


def status_path(lang: str, reference: str | None = None) -> str:
    path = "/en/status/" if lang == "en" else "/status/"
    return f"{path}?ref={reference}" if reference else path
