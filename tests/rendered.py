"""Every page the API draws and every e-mail Lobby sends, rendered for sample requests in one language.

The views are plain Python, so this needs no AWS: requests in every state with a history of every kind
of step, then each page and each e-mail built from them as the routes and the sender build them.
Used by the tests that hold a language's pages and e-mails to that language (tests/unit/test_zh_only.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog
from lobby.lifecycle import STAFF_ACTIONS
from lobby.mail import Mail
from lobby.notifications import messages_for
from lobby.office_digest import OfficeDigest
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from lobby.spot_checks import SpotCheckRefused
from lobby.stats import MonthData, compute_statistics
from lobby.validation import SubmissionInvalid
from views.emails.digest import digest_mail
from views.emails.events import write_event_mail
from views.emails.monthly import monthly_mail
from views.labels import action_label
from views.messages import translate
from views.pages import resident, signed_links, spot_check

CATALOG = load_catalog(SOURCE_YAML)
SITE = "https://lobby.example"
SETTINGS = Settings(
    table_name="lobby-test",
    sender_email="desk@harbour-view.example",
    office_emails={office: f"{office}@harbour-view.example" for office in CATALOG.offices},
    site_url=SITE,
)
RECEIVED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
NOW = RECEIVED + timedelta(hours=30)
STAFF = "李师傅"
LINK_PROBLEMS = ("problem_invalid", "problem_expired", "problem_used", "problem_stale")


def signer(request: ServiceRequest, action: str) -> str:
    return f"{SITE}/api/{'rate' if action == 'rate' else 'actions'}/TOKEN-{action}"


def sample_request(catalog: Catalog, lang: str, kind: str = "repair", **changes: object) -> ServiceRequest:
    """A request of ``kind`` with every field its form asks for filled in, in ``lang``."""
    values = {"name": "王小明", "phone": "139 1234 5678", "phone_alt": "0755-2688 1234"}
    values |= {"email": "wang@example.com", "building": "3栋", "unit": "1201"}
    values |= {"description": "厨房水龙头一直滴水。", "preferred_date": "2026-11-30"}
    fields: dict[str, str] = {}
    for form_field in catalog.kinds[kind].fields:
        if form_field.type == "choice":
            fields[form_field.id] = next(iter(catalog.choices(form_field)))
        elif form_field.id in values:
            fields[form_field.id] = values[form_field.id]
        else:
            fields[form_field.id] = "楼下的灯坏了。"
    request = ServiceRequest(
        reference="20261123-0007",
        kind=kind,
        office=catalog.kinds[kind].office,
        status="received",
        lang=lang,
        fields=fields,
        received_at=RECEIVED,
        acknowledge_due=RECEIVED + timedelta(hours=4),
        resolve_due=RECEIVED + timedelta(days=1),
        catalog_version=catalog.catalog_version,
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def history(catalog: Catalog, request: ServiceRequest) -> list[Event]:
    """A step of every kind: the resident's, Lobby's reminders, staff's (typed and signed in)."""
    at = iter(RECEIVED + timedelta(minutes=10 * n) for n in range(100))
    other_office = next(office for office in catalog.offices if office != request.office)
    events = [
        Event("submitted", next(at), "resident", True, {"channel": "web"}),
        Event("acknowledge", next(at), STAFF, True, {"verified": False}),
        Event("reminder", next(at), "lobby", False, {"stage": "warn", "step": "resolve#warn"}),
        Event("missed", next(at), "lobby", True, {"stage": "missed", "phase": "resolve", "new": None}),
        Event("note", next(at), STAFF, False, {"note": "已约好下午上门。", "visibility": "internal"}),
        Event(
            "note",
            next(at),
            STAFF,
            True,
            {"note": "师傅下午到。", "visibility": "public", "verified": True},
        ),
        Event("retriage", next(at), STAFF, True, {"from": "minor", "to": "medium"}),
        Event("wait", next(at), STAFF, True, {"note": "请告诉我们方便的时间。"}),
        Event("resume", next(at), STAFF, True),
        Event("start", next(at), STAFF, True),
        Event("reassign", next(at), STAFF, False, {"from": request.office, "to": other_office}),
        Event("resolve", next(at), STAFF, True, {"note": "已更换阀芯。"}),
        Event(
            "reopen", next(at), "resident", True, {"note": "又开始滴水。", "satisfied": False, "via": "rate"}
        ),
        Event("resolve", next(at), STAFF, True, {"note": "已修好。", "spot_checks": ["quality"]}),
        Event(
            "spot_check", next(at), STAFF, False, {"office": "quality", "reached": True, "satisfied": False}
        ),
        Event(
            "spot_check",
            next(at),
            STAFF,
            False,
            {"office": "general-manager", "reached": False, "note": "无人接听。"},
        ),
        Event("followed_up", next(at), STAFF, True, {"satisfied": True}),
        Event("rated", next(at), "resident", True, {"satisfied": True}),
        Event("cancel", next(at), STAFF, True, {"note": "住户已自行修好。", "reason": "住户已自行修好。"}),
        Event("info", next(at), "resident", True, {"note": "楼上好像也在漏水。"}),  # the request's own page
        Event("cancel", next(at), "resident", True, {"note": "我自己修好了。", "reason": "我自己修好了。"}),
        Event("close", next(at), "lobby", True),
    ]
    return events


SPOT_CHECK = {"reached": True, "satisfied": True, "note": "住户满意。", "at": NOW.isoformat(), "by": "郑华"}
RATING = {
    "satisfied": False,
    "quality": 2,
    "effect": 2,
    "attitude": 4,
    "comments": "还是漏水。",
    "by": "resident",
}


def requests_in_every_state(catalog: Catalog, lang: str) -> list[ServiceRequest]:
    base = sample_request(catalog, lang)
    owned = replace(base, owner=STAFF, acknowledged_at=RECEIVED + timedelta(minutes=20))
    return [
        replace(base, repeats=("20261101-0003", "20261105-0002")),  # its matter came a third time
        replace(owned, status="acknowledged"),
        replace(owned, status="in_progress"),
        replace(owned, status="waiting", paused_at=NOW),
        replace(
            owned,
            status="resolved",
            resolved_at=NOW,
            follow_up_due=NOW + timedelta(days=3),
            spot_checks=("quality", "general-manager"),
            spot_check_due=NOW + timedelta(days=3),
            spot_check_results={"general-manager": SPOT_CHECK},
        ),
        replace(owned, status="closed", closed_at=NOW, rating={**RATING, "satisfied": True}),
        replace(owned, status="cancelled", closed_at=NOW),
        replace(owned, status="reopened", reopen_count=1, rating={**RATING, "at": NOW.isoformat()}),
    ]


def every_page(lang: str) -> Iterator[tuple[str, str]]:
    """(name, HTML) of every page the API draws in ``lang``; staff pages in the staff language."""
    catalog = CATALOG
    requests = requests_in_every_state(catalog, lang)
    for kind in catalog.kinds:
        request = sample_request(catalog, lang, kind)
        yield f"receipt {kind}", resident.receipt_page(catalog, request, lang, duplicate=True)
        invalid = SubmissionInvalid(
            lang, {field.id: translate(lang, "form.optional") for field in catalog.kinds[kind].fields}
        )
        yield f"form errors {kind}", resident.form_errors_page(catalog, catalog.kinds[kind], invalid, {})
    for request in requests:
        steps = history(catalog, request)
        yield f"status {request.status}", resident.status_page(catalog, request, steps, lang)
        yield f"request page {request.status}", request_page_html(catalog, request, steps, lang)
        if catalog.property.staff_language != lang:
            continue
        for action in STAFF_ACTIONS:
            errors = {
                "actor": translate(lang, "link_page.required", label=translate(lang, "link_page.actor"))
            }
            yield (
                f"confirm {action} {request.status}",
                signed_links.confirm_page(catalog, request, steps, action, "TOKEN", errors=errors),
            )
        next_links = [
            (action_label(action, lang), f"/api/actions/TOKEN-{action}") for action in STAFF_ACTIONS
        ]
        yield f"done {request.status}", signed_links.done_page(catalog, request, "acknowledge", next_links)
    yield "status not found", resident.status_not_found_page(lang)
    for key in ("problem.busy", "problem.unavailable", "problem.limit_client", "problem.limit_recipient"):
        yield key, resident.problem_page(lang, translate(lang, key, line_hours=24))
    resolved = requests[4]
    yield "rate", signed_links.rate_page(catalog, resolved, "TOKEN", error=True)
    yield (
        "rate staff",
        signed_links.rate_page(catalog, resolved, "TOKEN", staff=True, values={"quality": "3"}),
    )
    if catalog.property.staff_language == lang:
        yield "spot check", spot_check.form_page(catalog, resolved, "quality", "TOKEN", {"reached": "请选择"})
        yield "spot check done", spot_check.done_page(catalog, resolved, "general-manager")
        for refusal in (SpotCheckRefused("recorded", SPOT_CHECK), SpotCheckRefused("other_office")):
            key, values = spot_check.refusal_key(catalog, refusal, "quality", lang)
            yield f"spot check {refusal.code}", signed_links.problem_page(lang, key, **values)
    yield "rated closed", signed_links.rated_page(catalog, requests[5])
    yield "rated reopened", signed_links.rated_page(catalog, requests[7], "/api/s/TOKEN")
    for key in LINK_PROBLEMS:
        yield key, signed_links.problem_page(lang, key)
    yield from request_page_answers(catalog, requests, lang)
    if catalog.property.staff_language == lang:
        yield from desk_pages(catalog, lang, requests)
    yield (
        "problem_illegal",
        signed_links.problem_page(lang, "problem_illegal", status="已办结", action="受理"),
    )


def request_page_html(catalog: Catalog, request: ServiceRequest, steps: list[Event], lang: str) -> str:
    """The request's own page with every step it offers, each box showing an error."""
    from views.pages import photos, request_page

    errors = {
        name: translate(
            lang, "request_page.too_large", label=translate(lang, f"request_page.{name}_label"), limit=10
        )
        for name in ("information", "reason")
    }
    lead, below = request_page.actions(
        request,
        "TOKEN",
        lang,
        rate_url="/api/rate/TOKEN",
        photos_form=photos.add_photos_form(lang, "TOKEN", 2),
        errors=errors,
        values={"information": "楼上好像也在漏水。"},
    )
    return resident.status_page(catalog, request, steps, lang, lead=lead, actions=below)


REQUEST_PAGE_REFUSALS = (
    "other_origin",
    "invalid",
    "expired",
    "information_closed",
    "cancel_too_late",
    "already_cancelled",
    "stale",
)


def request_page_answers(
    catalog: Catalog, requests: list[ServiceRequest], lang: str
) -> Iterator[tuple[str, str]]:
    """The pages after a step on the request's own page: done, or refused (changing nothing)."""
    from views.pages import request_page

    info = Event("info", NOW, "resident", True, {"note": "楼上好像也在漏水。"})
    cancel = Event("cancel", NOW, "resident", True, {"note": "我自己修好了。"})
    yield "information added", request_page.done_page(catalog, requests[0], info, "TOKEN")
    yield "cancelled", request_page.done_page(catalog, requests[6], cancel, "TOKEN")
    status = translate(lang, "status.resolved")
    for key in REQUEST_PAGE_REFUSALS:
        message = translate(lang, f"request_page.{key}", status=status)
        yield f"request page {key}", request_page.refused_page(lang, message, "TOKEN")


def event_mails(catalog: Catalog, request: ServiceRequest, event: Event) -> Iterator[Mail]:
    """The e-mails one event causes, as the sender writes them."""
    for message in messages_for(catalog, {}, request, event):
        if message.channel == "email":
            mail = write_event_mail(catalog, SETTINGS, request, event, message.role, signer)
            if mail is not None:
                yield mail


def every_mail(lang: str) -> Iterator[tuple[str, str, str, str]]:
    """(name, subject, text, HTML) of every e-mail, for a resident writing in ``lang`` (staff in theirs)."""
    catalog = CATALOG
    for request in requests_in_every_state(catalog, lang):
        for event in history(catalog, request):
            for mail in event_mails(catalog, request, event):
                yield f"{event.type} {request.status} {mail.role}", mail.subject, mail.text, mail.html
        for stage in ("warn", "due", "repeat", "director", "quality", "followup"):
            event = Event("reminder", NOW, "lobby", False, {"stage": stage, "step": f"resolve#{stage}"})
            for mail in event_mails(catalog, request, event):
                yield f"reminder {stage} {request.status}", mail.subject, mail.text, mail.html
    if catalog.property.staff_language != lang:
        return
    requests = requests_in_every_state(catalog, lang)
    open_ones = [request for request in requests if request.is_open]
    digest = OfficeDigest(
        office=requests[0].office,
        day=NOW.date(),
        now=NOW,
        overdue=open_ones[:2],
        due_today=open_ones[2:3],
        other_open=open_ones[3:],
        follow_ups=[requests[4]],
    )
    mail = digest_mail(catalog, SETTINGS, digest)
    yield "digest", mail.subject, mail.text, mail.html
    month = MonthData(month="2026-11", now=NOW, window=requests, histories={}, open_requests=open_ones)
    mail, _ = monthly_mail(catalog, SETTINGS, compute_statistics(catalog, month))
    yield "monthly", mail.subject, mail.text, mail.html
    yield from desk_mails(catalog, lang)


def desk_pages(catalog: Catalog, lang: str, requests: list[ServiceRequest]) -> Iterator[tuple[str, str]]:
    """The desk's pages: signing in and out, the queue, the company view, a card, the registration form."""
    from desk.queue import row
    from desk.roster import Staff
    from views.pages import desk_card, desk_new, desk_queue, desk_shell

    staff = Staff(name="王强", email="wang.qiang@harbour-view.example", office="engineering", role="engineer")
    director = Staff(name="陈主任", email="chen@harbour-view.example", office="management", role="director")
    yield "desk sign in", desk_shell.sign_in_page(lang)
    yield "desk link sent", desk_shell.link_sent_page(lang, "15 分钟")
    yield "desk confirm sign in", desk_shell.confirm_sign_in_page(lang, "TOKEN")
    yield "desk signed out", desk_shell.signed_out_page(lang)
    rows = [row(request, NOW) for request in requests if request.is_open]
    yield "desk queue", desk_queue.queue_page(catalog, staff, "CSRF", rows, lang)
    yield "desk company", desk_queue.company_page(catalog, director, "CSRF", rows, lang, "all")
    for request in requests:
        actions = [action for action in STAFF_ACTIONS if request.is_open]
        page = desk_card.card_page(
            catalog, staff, "CSRF", row(request, NOW), history(catalog, request), actions, lang
        )
        yield f"desk card {request.status}", page
    checker = Staff(name="吴敏", email="wu.min@harbour-view.example", office="quality", role="quality")
    resolved = requests[4]
    section = spot_check.card_section(catalog, resolved, checker, "CSRF", lang, {"reached": "请选择"})
    yield (
        "desk card spot check",
        desk_card.card_page(
            catalog,
            checker,
            "CSRF",
            row(resolved, NOW),
            history(catalog, resolved),
            [],
            lang,
            spot_checks=section,
        ),
    )
    yield "desk new", desk_new.kinds_page(catalog, staff, "CSRF", lang)
    for kind in catalog.kinds:
        yield (
            f"desk new {kind}",
            desk_new.form_page(catalog, staff, "CSRF", kind, lang, "2026-11-23T10:00", "2026-11-16T10:00"),
        )


def desk_mails(catalog: Catalog, lang: str) -> Iterator[tuple[str, str, str, str]]:
    """The desk's sign-in e-mail and the administrator's calendar warning."""
    from views.emails.calendar import calendar_mail
    from views.emails.signin import sign_in_mail

    mail = sign_in_mail(catalog, lang, "wang.qiang@harbour-view.example", f"{SITE}/desk/sign-in/TOKEN", NOW)
    yield "desk sign-in", mail.subject, mail.text, mail.html
    warning = calendar_mail(catalog, SETTINGS, datetime(2040, 1, 2, 2, 0, tzinfo=UTC))
    if warning is not None:
        yield "calendar", warning.subject, warning.text, warning.html
