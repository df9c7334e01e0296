"""An office's morning list: overdue, due today, the rest, and the follow-ups due (``lobby.office_digest`` decides who gets one)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.office_digest import OfficeDigest
from lobby.outbox import DIGEST_ROLE
from lobby.policy import DIGEST_LIST_LIMIT, REWORK_WITHIN
from lobby.requests import ServiceRequest
from lobby.settings import Settings
from views.channels import sent_summary
from views.emails.bodies import Link, Table, render
from views.messages import translate
from views.pages.desk_shell import QUEUE_PATH, card_path
from views.wording import describe_timedelta, duration_text, format_local, owner_text

# The statuses an open request (or one awaiting its follow-up) is in, as the digest lists them.
_STAFF_STATUSES = frozenset({"received", "acknowledged", "in_progress", "waiting", "reopened", "resolved"})


def day_text(day: date, lang: str) -> str:
    month_name = translate(lang, f"month.short.{day.month}")
    return translate(lang, "day", year=day.year, month=day.month, month_name=month_name, day=day.day)


def status_words(status: str, lang: str) -> str:
    """A status as the digest names it to staff: what it asks of them."""
    return translate(lang, f"digest.status.{status}") if status in _STAFF_STATUSES else status


def _due_text(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    if request.status == "waiting":
        return translate(lang, "digest.paused")
    if request.current_due is None:
        return translate(lang, "digest.no_deadline")
    return format_local(request.current_due, lang, catalog.property.time_zone)


def _left_text(request: ServiceRequest, now: datetime, lang: str) -> str:
    """How long is left before the request's current deadline, or why no clock runs."""
    if request.status == "waiting" or request.current_due is None:
        return "—"
    return translate(lang, "digest.left", left=duration_text(request.current_due - now, lang))


def digest_tables(catalog: Catalog, digest: OfficeDigest, lang: str, site_url: str) -> list[Table]:
    """The digest's tables; each request's reference links to its card on the desk."""
    time_zone = catalog.property.time_zone

    def kind(request: ServiceRequest) -> str:
        return catalog.kinds[request.kind].name(lang) if request.kind in catalog.kinds else request.kind

    def card(request: ServiceRequest) -> Link:
        return Link(request.reference, f"{site_url}{card_path(request.reference)}")

    def owner(request: ServiceRequest) -> str:
        return owner_text(request, lang) or translate(lang, "digest.no_owner")

    def row(request: ServiceRequest, time_cell: str) -> list[str | Link]:
        return [
            card(request),
            kind(request),
            request.location,
            owner(request),
            status_words(request.status, lang),
            _due_text(catalog, request, lang),
            time_cell,
        ]

    columns = [
        translate(lang, f"digest.{key}")
        for key in ("c_reference", "c_kind", "c_location", "c_owner", "c_status", "c_due")
    ]
    left = [*columns, translate(lang, "digest.c_left")]
    tables = []
    if digest.overdue:
        tables.append(
            Table(
                translate(lang, "digest.t_overdue", n=len(digest.overdue)),
                [*columns, translate(lang, "digest.c_late")],
                [
                    row(r, duration_text(digest.now - r.current_due, lang) if r.current_due else "")
                    for r in digest.overdue
                ],
            )
        )
    if digest.due_today:
        tables.append(
            Table(
                translate(lang, "digest.t_due_today", n=len(digest.due_today)),
                left,
                [row(r, _left_text(r, digest.now, lang)) for r in digest.due_today],
            )
        )
    if digest.other_open:
        shown = digest.other_open[:DIGEST_LIST_LIMIT]
        hidden = len(digest.other_open) - len(shown)
        tables.append(
            Table(
                translate(lang, "digest.t_other", n=len(digest.other_open)),
                left,
                [row(r, _left_text(r, digest.now, lang)) for r in shown],
                note=translate(lang, "digest.more", n=hidden) if hidden else "",
            )
        )
    if digest.follow_ups:
        tables.append(
            Table(
                translate(lang, "digest.t_follow_ups", n=len(digest.follow_ups)),
                [
                    translate(lang, f"digest.{key}")
                    for key in (
                        "c_reference",
                        "c_kind",
                        "c_location",
                        "c_office",
                        "c_owner",
                        "c_resolved",
                        "c_follow_up_due",
                        "c_late",
                    )
                ],
                [
                    [
                        card(r),
                        kind(r),
                        r.location,
                        catalog.offices[r.office].name(lang) if r.office in catalog.offices else r.office,
                        owner(r),
                        format_local(r.resolved_at, lang, time_zone) if r.resolved_at else "",
                        format_local(r.follow_up_due, lang, time_zone) if r.follow_up_due else "",
                        duration_text(digest.now - r.follow_up_due, lang)
                        if r.follow_up_due and r.follow_up_due < digest.now
                        else translate(lang, "digest.not_late"),
                    ]
                    for r in digest.follow_ups
                ],
                note=translate(lang, "digest.follow_up_hint", within=describe_timedelta(REWORK_WITHIN, lang)),
            )
        )
    return tables


def digest_mail(
    catalog: Catalog, settings: Settings, digest: OfficeDigest, sent: Mapping[str, int] | None = None
) -> Mail:
    """The office's morning e-mail; ``sent`` counts yesterday's messages by channel (lobby.channel_counts)."""
    prop = catalog.property
    lang = prop.staff_language
    office_name = catalog.offices[digest.office].name(lang)
    day = day_text(digest.day, lang)
    subject = translate(
        lang,
        "digest.subject",
        office=office_name,
        day=day,
        overdue=len(digest.overdue),
        due_today=len(digest.due_today),
        open=digest.open_count,
    )
    if digest.follow_ups:
        subject += translate(lang, "digest.subject_follow_ups", n=len(digest.follow_ups))
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": translate(lang, "digest.heading", office=office_name, day=day),
        "intro": translate(lang, "digest.intro", now=format_local(digest.now, lang, prop.time_zone))
        + (f" {translate(lang, 'digest.sent_yesterday', summary=sent_summary(sent, lang))}" if sent else ""),
        "queue": (translate(lang, "digest.queue"), f"{settings.site_url}{QUEUE_PATH}"),
        "tables": digest_tables(catalog, digest, lang, settings.site_url),
        "footer": translate(lang, "digest.footer"),
    }
    text, html = render("digest", context)
    return Mail(
        role=DIGEST_ROLE, to=settings.office_email(digest.office), subject=subject, text=text, html=html
    )
