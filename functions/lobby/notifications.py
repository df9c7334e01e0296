"""Which e-mails an event causes, and what they say. Templates escape every value a resident typed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lobby import texts
from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from lobby.wording import describe_rule

TEMPLATES = Path(__file__).with_name("templates")

_L: dict[str, dict[str, str]] = {
    "office_heading": {"zh": "新{kind}：请当天联系住户", "en": "New {kind}: contact the resident today"},
    "office_heading_urgent": {"zh": "紧急{kind}：请立即处理", "en": "Urgent {kind}: act now"},
    "subject_due": {"zh": "请于 {due} 前处理", "en": "due {due}"},
    "subject_tracked": {"zh": "跟进至完成", "en": "followed to completion"},
    "kind": {"zh": "类别", "en": "Kind"},
    "office": {"zh": "负责部门", "en": "Office"},
    "received": {"zh": "收到时间", "en": "Received"},
    "acknowledge_by": {"zh": "首次联系期限", "en": "Contact the resident by"},
    "resolve_by": {"zh": "办结期限", "en": "Done by"},
    "resolve_rule": {"zh": "办理时限", "en": "Time limit"},
    "language": {"zh": "住户语言", "en": "Resident's language"},
    "catalog": {"zh": "适用规则版本", "en": "Catalog version"},
    "fields": {"zh": "住户填写的内容", "en": "What the resident wrote"},
    "procedure": {"zh": "处理要求", "en": "What the procedure requires"},
    "actions": {"zh": "处理操作", "en": "Actions"},
    "office_footer": {
        "zh": "本邮件由 Lobby 自动发出。住户个人信息仅用于处理本请求，请勿转发给无关人员。",
        "en": "Sent by Lobby. The resident's personal data is for handling this request only; do not forward it.",
    },
    "resident_footer": {
        "zh": "如有紧急情况，请拨打 24 小时服务电话 {phone}；火警 {fire}，急救 {medical}，报警 {police}。",
        "en": "In an emergency call our 24-hour line {phone}; fire {fire}, ambulance {medical}, police {police}.",
    },
    "steps": {"zh": "接下来会怎样", "en": "What happens next"},
    "reference": {"zh": "您的编号", "en": "Your reference"},
    "lang_zh": {"zh": "中文", "en": "Chinese"},
    "lang_en": {"zh": "英文", "en": "English"},
}


def _l(key: str, lang: str, **values: Any) -> str:
    return _L[key]["en" if lang == "en" else "zh"].format(**values)


@cache
def _environments() -> tuple[Any, Any]:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    loader = FileSystemLoader(str(TEMPLATES))
    html = Environment(loader=loader, autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    text = Environment(loader=loader, autoescape=False, undefined=StrictUndefined)  # noqa: S701 - plain text
    return html, text


def render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    html_env, text_env = _environments()
    return (
        text_env.get_template(f"{name}.txt.j2").render(context),
        html_env.get_template(f"{name}.html.j2").render(context),
    )


def field_rows(catalog: Catalog, request: ServiceRequest, lang: str) -> list[tuple[str, str]]:
    """Every field the resident gave, labelled, with choices shown by their names."""
    kind = catalog.kinds[request.kind]
    rows = []
    for form_field in kind.fields:
        value = request.fields.get(form_field.id)
        if not value:
            continue
        if form_field.type == "choice":
            choice = catalog.choices(form_field).get(value)
            value = choice(lang) if choice else value
        rows.append((form_field.label(lang), value))
    return rows


def office_submitted(
    catalog: Catalog, settings: Settings, request: ServiceRequest, actions: list[tuple[str, str]]
) -> Mail:
    lang = catalog.property.staff_language
    kind = catalog.kinds[request.kind]
    kind_name = kind.name(lang)
    due = request.current_due
    due_text = texts.local_time(catalog, due, lang)
    when = _l("subject_due", lang, due=due_text) if due else _l("subject_tracked", lang)
    subject = f"[{request.reference}] {kind_name} · {request.location} · {when}"
    summary = [
        (_l("kind", lang), kind_name),
        (_l("office", lang), catalog.offices[request.office].name(lang)),
        (_l("received", lang), texts.local_time(catalog, request.received_at, lang)),
    ]
    if request.acknowledge_due:
        summary.append((_l("acknowledge_by", lang), texts.local_time(catalog, request.acknowledge_due, lang)))
    rule = kind.resolve_rule(request.fields)
    summary.append((_l("resolve_rule", lang), describe_rule(rule, lang)))
    if request.resolve_due:
        summary.append((_l("resolve_by", lang), texts.local_time(catalog, request.resolve_due, lang)))
    summary.append((_l("language", lang), _l(f"lang_{request.lang}", lang)))
    summary.append((_l("catalog", lang), request.catalog_version))
    heading_key = "office_heading_urgent" if kind.urgent else "office_heading"
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": catalog.property.name(lang),
        "heading": _l(heading_key, lang, kind=kind_name),
        "reference": request.reference,
        "summary": summary,
        "fields_heading": _l("fields", lang),
        "fields": field_rows(catalog, request, lang),
        "procedure_heading": _l("procedure", lang),
        "procedure": kind.staff_procedure(lang),
        "actions_heading": _l("actions", lang),
        "actions": actions,
        "footer": _l("office_footer", lang),
    }
    text, html = render("office_submitted", context)
    return Mail(role="office", to=settings.office_email(request.office), subject=subject, text=text, html=html)


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
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": catalog.property.name(lang),
        "heading": heading,
        "reference_label": _l("reference", lang),
        "reference": request.reference,
        "paragraphs": paragraphs,
        "steps_heading": _l("steps", lang),
        "steps": steps,
        "link": link,
        "link_label": link_label,
        "footer": _l(
            "resident_footer",
            lang,
            phone=catalog.property.phone_24h,
            fire=numbers.fire,
            medical=numbers.medical,
            police=numbers.police,
        ),
    }
    text, html = render("resident_message", context)
    assert request.contact_email
    return Mail(role=role, to=request.contact_email, subject=subject, text=text, html=html)


def resident_submitted(catalog: Catalog, settings: Settings, request: ServiceRequest) -> Mail:
    lang = request.lang
    status_link = f"{settings.site_url}{texts.status_path(lang, request.reference)}"
    return resident_mail(
        catalog,
        settings,
        request,
        heading=texts.received_title(catalog, request, lang),
        paragraphs=[texts.promise(catalog, request, lang), texts.text("keep_reference", lang)],
        steps=texts.next_steps(catalog, request, lang)[1:],
        link=status_link,
        link_label=texts.text("check_status", lang),
    )


def mails_for(catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event) -> list[Mail]:
    """The e-mails one history event causes, at most one per recipient role."""
    if event.type == "submitted":
        mails = [office_submitted(catalog, settings, request, actions=[])]
        if request.contact_email:
            mails.append(resident_submitted(catalog, settings, request))
        return mails
    return []
