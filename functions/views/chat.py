"""The markdown card an office's group robot posts (``lobby.robots`` delivers it).

A card says what the office must act on and nothing about the resident: the reference, the kind, the
place, the deadline and a link to the request's card on the desk (``{site_url}/desk/requests/{ref}``).
Never a phone number, an e-mail address, a name or the resident's words: a group chat is read by
everyone in it and kept by the platform. The daily digest's card gives the office's counts and a
link to the desk's queue.
"""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.office_digest import OfficeDigest
from lobby.requests import Event, ServiceRequest
from lobby.robots import fit_markdown, plain
from views.emails.digest import _due_text, day_text
from views.messages import translate
from views.pages.desk_shell import QUEUE_PATH, card_path


def card_url(site_url: str, reference: str) -> str:
    return f"{site_url}{card_path(reference)}"


def queue_url(site_url: str) -> str:
    return f"{site_url}{QUEUE_PATH}"


def event_heading(catalog: Catalog, request: ServiceRequest, event: Event) -> str:
    """What happened, in the staff's language: new (urgent), reopened, or the reminder's stage."""
    lang = catalog.property.staff_language
    kind = catalog.kinds[request.kind]
    kind_name = kind.name(lang)
    if event.type == "submitted":
        key = "mail.office_heading_urgent" if kind.is_urgent(request.fields) else "mail.office_heading"
        return translate(lang, key, kind=kind_name, within="")
    if event.type == "reminder":
        stage = translate(lang, f"mail.stage.{event.data.get('stage', '')}")
        return translate(lang, "mail.reminder_heading", stage=stage, kind=kind_name)
    flag = translate(lang, "status.reopened" if event.type == "reopen" else "mail.flag_reassigned")
    return translate(lang, "mail.reminder_heading", stage=flag, kind=kind_name)


def event_card(
    catalog: Catalog, site_url: str, request: ServiceRequest, event: Event, limit: int
) -> tuple[str, str]:
    """(title, markdown) of the card about one event of one request, at most ``limit`` bytes."""
    lang = catalog.property.staff_language
    title = f"【{request.reference}】{plain(event_heading(catalog, request, event))}"
    rows = [
        (translate(lang, "digest.c_reference"), request.reference),
        (translate(lang, "digest.c_kind"), catalog.kinds[request.kind].name(lang)),
        (translate(lang, "digest.c_location"), request.location),
        (translate(lang, "digest.c_due"), _due_text(catalog, request, lang)),
    ]
    body = f"**{title}**\n" + "\n".join(f"> {label}：{plain(value)}" for label, value in rows)
    link = f"[{translate(lang, 'chat.open_card')}]({card_url(site_url, request.reference)})"
    return title, fit_markdown(body, link, limit)


def digest_card(catalog: Catalog, site_url: str, digest: OfficeDigest, limit: int) -> tuple[str, str]:
    """(title, markdown) of the office's morning card: its counts, then each overdue request's line."""
    lang = catalog.property.staff_language
    title = plain(
        translate(
            lang,
            "digest.subject",
            office=catalog.offices[digest.office].name(lang),
            day=day_text(digest.day, lang),
            overdue=len(digest.overdue),
            due_today=len(digest.due_today),
            open=digest.open_count,
        )
    )
    lines = [f"**{title}**"]
    if digest.follow_ups:
        lines.append(plain(translate(lang, "digest.t_follow_ups", n=len(digest.follow_ups))))
    if digest.overdue:
        lines.append(plain(translate(lang, "digest.t_overdue", n=len(digest.overdue))))
        for request in digest.overdue:
            kind = catalog.kinds[request.kind].name(lang)
            lines.append(f"> [{request.reference}]({card_url(site_url, request.reference)}) {plain(kind)}")
    link = f"[{translate(lang, 'chat.open_queue')}]({queue_url(site_url)})"
    return title, fit_markdown("\n".join(lines), link, limit)
