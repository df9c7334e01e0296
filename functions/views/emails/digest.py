"""An office's morning list: overdue, due today, the rest, and the follow-ups due (``lobby.office_digest`` decides who gets one)."""

from __future__ import annotations

from datetime import date

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.office_digest import OfficeDigest
from lobby.outbox import DIGEST_ROLE
from lobby.policy import DIGEST_LIST_LIMIT, REWORK_WITHIN
from lobby.requests import ServiceRequest
from lobby.settings import Settings
from views.emails.bodies import Table, render
from views.messages import translate
from views.wording import describe_timedelta, duration_text, format_local

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


def digest_tables(catalog: Catalog, digest: OfficeDigest, lang: str) -> list[Table]:
    time_zone = catalog.property.time_zone

    def kind(request: ServiceRequest) -> str:
        return catalog.kinds[request.kind].name(lang) if request.kind in catalog.kinds else request.kind

    def row(request: ServiceRequest, late: str | None = None) -> list[str]:
        cells = [
            request.reference,
            kind(request),
            request.location,
            status_words(request.status, lang),
            _due_text(catalog, request, lang),
        ]
        return [*cells, late] if late is not None else cells

    columns = [
        translate(lang, f"digest.{key}")
        for key in ("c_reference", "c_kind", "c_location", "c_status", "c_due")
    ]
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
                columns,
                [row(r) for r in digest.due_today],
            )
        )
    if digest.other_open:
        shown = digest.other_open[:DIGEST_LIST_LIMIT]
        hidden = len(digest.other_open) - len(shown)
        tables.append(
            Table(
                translate(lang, "digest.t_other", n=len(digest.other_open)),
                columns,
                [row(r) for r in shown],
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
                        "c_resolved",
                        "c_follow_up_due",
                        "c_late",
                    )
                ],
                [
                    [
                        r.reference,
                        kind(r),
                        r.location,
                        catalog.offices[r.office].name(lang) if r.office in catalog.offices else r.office,
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


def digest_mail(catalog: Catalog, settings: Settings, digest: OfficeDigest) -> Mail:
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
        "intro": translate(lang, "digest.intro", now=format_local(digest.now, lang, prop.time_zone)),
        "tables": digest_tables(catalog, digest, lang),
        "footer": translate(lang, "digest.footer"),
    }
    text, html = render("digest", context)
    return Mail(
        role=DIGEST_ROLE, to=settings.office_email(digest.office), subject=subject, text=text, html=html
    )
