"""Which e-mails an event causes, and what they say. ``mailbody`` escapes every value a resident typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lobby.catalog import Catalog
from lobby.mail import Mail
from lobby.mailbody import render
from lobby.requests import Event, ServiceRequest
from lobby.settings import Settings
from views import receipt
from views.messages import translate
from views.wording import describe_rule, local_time

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
    "office_heading_reopen": {
        "zh": "{kind}已重新打开：24 小时内安排回访和返修",
        "en": "{kind} reopened: visit and rework within 24 hours",
    },
    "office_heading_reassigned": {
        "zh": "转派给您的{kind}：请当天联系住户",
        "en": "{kind} passed to you: contact the resident today",
    },
    "director_heading": {"zh": "住户对处理结果不满意：{kind}", "en": "A resident is not satisfied: {kind}"},
    "director_note": {
        "zh": "住户在回访评价中表示不满意，请求已重新打开。请督促{office}在 24 小时内回访并返修。",
        "en": "The resident answered the follow-up as not satisfied and the request is reopened. "
        "Make sure {office} visits and reworks it within 24 hours.",
    },
    "rating": {"zh": "住户评价", "en": "Resident's rating"},
    "flag_unsatisfied": {"zh": "住户不满意", "en": "Resident not satisfied"},
    "stage_warn": {"zh": "即将到期", "en": "Due soon"},
    "stage_due": {"zh": "已到期", "en": "Due now"},
    "stage_repeat": {"zh": "仍未完成，已超时", "en": "Still overdue"},
    "stage_director": {"zh": "已超时，升级至主任", "en": "Overdue: escalated to the director"},
    "stage_quality": {"zh": "已超时，升级至公司品质部", "en": "Overdue: escalated to the quality department"},
    "stage_followup": {"zh": "回访到期", "en": "Follow-up due"},
    "reminder_heading": {"zh": "{stage}：{kind}", "en": "{stage}: {kind}"},
    "reminder_deadline_ack": {
        "zh": "到期的是：首次联系住户",
        "en": "What is due: first contact with the resident",
    },
    "reminder_deadline_resolve": {"zh": "到期的是：办结", "en": "What is due: the work itself"},
    "reminder_deadline": {"zh": "提醒事项", "en": "Reminder"},
    "followup_due": {"zh": "回访期限", "en": "Follow up by"},
    "followup_hint": {
        "zh": "请以电话、上门或网上方式回访住户，记录质量、效果、态度评分和满意度。",
        "en": "Call, visit or write to the resident and record their ratings of quality, effect and attitude, "
        "and whether they are satisfied.",
    },
    "record_followup": {"zh": "记录回访结果", "en": "Record the follow-up"},
    "flag_reopened": {"zh": "已重新打开", "en": "Reopened"},
    "flag_reassigned": {"zh": "转派", "en": "Passed to you"},
    "acked_heading": {"zh": "您的请求已有专人负责", "en": "Your request has an owner"},
    "acked_text": {
        "zh": "{owner}（{office}）已受理您的请求，会跟进到底并把结果告诉您。",
        "en": "{owner} ({office}) has taken your request and will see it through and tell you the result.",
    },
    "note_heading": {"zh": "关于您请求的最新消息", "en": "News about your request"},
    "wait_heading": {"zh": "我们需要您的回复", "en": "We need something from you"},
    "wait_text": {
        "zh": "在收到您的回复之前，处理时限暂停计算。请拨打 {phone} 或回复工作人员。",
        "en": "The time limit is paused until you reply. Call {phone} or answer the colleague who contacted you.",
    },
    "resolved_heading": {"zh": "您的请求已处理完毕", "en": "Your request is done"},
    "resolved_text": {
        "zh": "请花一分钟为这次服务评分。如果问题仍然存在，请在评价中选择“不满意”，我们会在 24 小时内回访返修。",
        "en": "Please take a minute to rate the service. If the problem remains, answer “not satisfied” "
        "and we will come back and rework it within 24 hours.",
    },
    "rate": {"zh": "为服务评分", "en": "Rate the service"},
    "cancelled_heading": {"zh": "您的请求已取消", "en": "Your request was cancelled"},
    "reopened_heading": {"zh": "您的请求已重新打开", "en": "Your request is reopened"},
    "reopened_text": {
        "zh": "我们会在 {due} 前安排回访和返修。",
        "en": "We will visit and rework it by {due}.",
    },
    "retriaged_heading": {"zh": "处理时限已更新", "en": "Your deadline has changed"},
    "reference": {"zh": "您的编号", "en": "Your reference"},
    "lang_zh": {"zh": "中文", "en": "Chinese"},
    "lang_en": {"zh": "英文", "en": "English"},
}


def _l(key: str, lang: str, **values: Any) -> str:
    return _L[key]["en" if lang == "en" else "zh"].format(**values)


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


ACTION_LABELS: dict[str, dict[str, str]] = {
    "acknowledge": {"zh": "受理（我来负责）", "en": "Take it (I own it)"},
    "start": {"zh": "开始处理", "en": "Start work"},
    "wait": {"zh": "等待住户回复", "en": "Wait for the resident"},
    "resume": {"zh": "继续处理", "en": "Resume"},
    "resolve": {"zh": "已处理完毕", "en": "Mark done"},
    "retriage": {"zh": "调整维修规模", "en": "Re-size the job"},
    "reassign": {"zh": "转派其他部门", "en": "Pass to another office"},
    "note": {"zh": "添加备注", "en": "Add a note"},
    "cancel": {"zh": "取消请求", "en": "Cancel"},
    "followup": {"zh": "记录回访结果", "en": "Record the follow-up"},
}

Signer = Callable[[ServiceRequest, str], str]


def action_label(action: str, lang: str) -> str:
    return ACTION_LABELS[action]["en" if lang == "en" else "zh"]


def office_actions(catalog: Catalog, request: ServiceRequest, signer: Signer | None) -> list[tuple[str, str]]:
    from lobby.lifecycle import available_actions

    if signer is None:
        return []
    lang = catalog.property.staff_language
    return [
        (action_label(action, lang), signer(request, action))
        for action in available_actions(request, catalog)
    ]


def office_submitted(
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
) -> Mail:
    lang = catalog.property.staff_language
    kind = catalog.kinds[request.kind]
    kind_name = kind.name(lang)
    due = request.current_due
    due_text = local_time(catalog, due, lang)
    when = _l("subject_due", lang, due=due_text) if due else _l("subject_tracked", lang)
    flagged = f"{flag} · " if flag else ""
    subject = f"[{request.reference}] {flagged}{kind_name} · {request.location} · {when}"
    summary = [
        (_l("kind", lang), kind_name),
        (_l("office", lang), catalog.offices[request.office].name(lang)),
        (_l("received", lang), local_time(catalog, request.received_at, lang)),
    ]
    if request.acknowledge_due:
        summary.append((_l("acknowledge_by", lang), local_time(catalog, request.acknowledge_due, lang)))
    rule = kind.resolve_rule(request.fields)
    summary.append((_l("resolve_rule", lang), describe_rule(rule, lang)))
    if request.resolve_due:
        summary.append((_l("resolve_by", lang), local_time(catalog, request.resolve_due, lang)))
    summary.append((_l("language", lang), _l(f"lang_{request.lang}", lang)))
    summary.append((_l("catalog", lang), request.catalog_version))
    summary.extend(extra or [])
    heading_key = heading_key or ("office_heading_urgent" if kind.urgent else "office_heading")
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": catalog.property.name(lang),
        "heading": heading or _l(heading_key, lang, kind=kind_name),
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
    recipient = to or settings.office_email(request.office)
    return Mail(role=role, to=recipient, subject=subject, text=text, html=html)


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
    status_link = f"{settings.site_url}{receipt.status_path(lang, request.reference)}"
    return resident_mail(
        catalog,
        settings,
        request,
        heading=receipt.received_title(catalog, request, lang),
        paragraphs=[receipt.promise(catalog, request, lang), translate(lang, "receipt.keep_reference")],
        steps=receipt.next_steps(catalog, request, lang)[1:],
        link=status_link,
        link_label=translate(lang, "status_page.link"),
    )


def _simple(
    catalog: Catalog,
    settings: Settings,
    request: ServiceRequest,
    heading: str,
    *paragraphs: str,
    link: str | None = None,
    link_label: str = "",
) -> Mail:
    lang = request.lang
    status_link = f"{settings.site_url}{receipt.status_path(lang, request.reference)}"
    return resident_mail(
        catalog,
        settings,
        request,
        heading=heading,
        paragraphs=[p for p in paragraphs if p],
        steps=[],
        link=link or status_link,
        link_label=link_label or translate(lang, "status_page.link"),
    )


def _resident_update(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None
) -> Mail | None:
    lang = request.lang
    note = str(event.data.get("note", ""))
    office = catalog.offices[request.office].name(lang)
    match event.type:
        case "acknowledge":
            return _simple(
                catalog,
                settings,
                request,
                _l("acked_heading", lang),
                _l("acked_text", lang, owner=event.actor, office=office),
                receipt.promise(catalog, request, lang),
            )
        case "note" if event.public:
            return _simple(catalog, settings, request, _l("note_heading", lang), note)
        case "wait":
            return _simple(
                catalog,
                settings,
                request,
                _l("wait_heading", lang),
                note,
                _l("wait_text", lang, phone=catalog.property.phone_24h),
            )
        case "resolve":
            rate_link = signer(request, "rate") if signer else None
            return _simple(
                catalog,
                settings,
                request,
                _l("resolved_heading", lang),
                note,
                _l("resolved_text", lang),
                link=rate_link,
                link_label=_l("rate", lang),
            )
        case "cancel":
            return _simple(catalog, settings, request, _l("cancelled_heading", lang), note)
        case "reopen":
            due = local_time(catalog, request.resolve_due, lang)
            return _simple(
                catalog, settings, request, _l("reopened_heading", lang), _l("reopened_text", lang, due=due)
            )
        case "retriage":
            return _simple(
                catalog,
                settings,
                request,
                _l("retriaged_heading", lang),
                receipt.promise(catalog, request, lang),
            )
    return None


def _director_alert(catalog: Catalog, settings: Settings, request: ServiceRequest) -> Mail:
    """Seed 002: an unsatisfied follow-up goes to the office director."""
    lang = catalog.property.staff_language
    director = catalog.offices[request.office].director or request.office
    rating = request.rating or {}
    scores = ", ".join(f"{key}: {rating[key]}" for key in ("quality", "effect", "attitude") if key in rating)
    rows = [
        (
            _l("director_heading", lang, kind=catalog.kinds[request.kind].name(lang)),
            _l("director_note", lang, office=catalog.offices[request.office].name(lang)),
        ),
        (_l("rating", lang), f"{scores}. {rating.get('comments', '')}".strip(" .")),
    ]
    return office_submitted(
        catalog,
        settings,
        request,
        actions=[],
        heading_key="director_heading",
        role="director",
        extra=rows,
        to=settings.office_email(director),
        flag=_l("flag_unsatisfied", lang),
    )


def _reminder(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None
) -> Mail | None:
    data = event.data
    if data.get("superseded"):
        return None  # a later reminder of the same moment says it all
    lang = catalog.property.staff_language
    stage = str(data.get("stage", ""))
    prop = catalog.property
    director = catalog.offices[request.office].director or request.office
    recipients = {
        "director": settings.office_email(director),
        "quality": settings.office_email(prop.quality_office),
        "followup": settings.office_email(prop.service_office),
    }
    to = recipients.get(stage, settings.office_email(request.office))
    flag = _l(f"stage_{stage}", lang)
    heading = _l("reminder_heading", lang, stage=flag, kind=catalog.kinds[request.kind].name(lang))
    if stage == "followup":
        rows = [
            (_l("followup_due", lang), local_time(catalog, request.follow_up_due, lang)),
            (_l("reminder_deadline", lang), _l("followup_hint", lang)),
        ]
        actions = [(_l("record_followup", lang), signer(request, "followup"))] if signer else []
    else:
        phase = "ack" if str(data.get("step", "")).startswith("ack") else "resolve"
        rows = [(_l("reminder_deadline", lang), _l(f"reminder_deadline_{phase}", lang))]
        actions = office_actions(catalog, request, signer)
    return office_submitted(
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


def mails_for(
    catalog: Catalog, settings: Settings, request: ServiceRequest, event: Event, signer: Signer | None = None
) -> list[Mail]:
    """The e-mails one history event causes, at most one per recipient role."""
    mails: list[Mail] = []
    actions = office_actions(catalog, request, signer)
    if event.type == "reminder":
        reminder = _reminder(catalog, settings, request, event, signer)
        return [reminder] if reminder else []
    if event.type == "submitted":
        mails.append(office_submitted(catalog, settings, request, actions))
        if request.contact_email:
            mails.append(resident_submitted(catalog, settings, request))
        return mails
    if event.type == "reassign":
        return [
            office_submitted(
                catalog,
                settings,
                request,
                actions,
                heading_key="office_heading_reassigned",
                role=f"office-{request.office}",
                flag=_l("flag_reassigned", catalog.property.staff_language),
            )
        ]
    if event.type == "reopen":
        mails.append(
            office_submitted(
                catalog,
                settings,
                request,
                actions,
                heading_key="office_heading_reopen",
                role="office-reopen",
                flag=_l("flag_reopened", catalog.property.staff_language),
            )
        )
        if event.data.get("via") in ("rate", "followup"):
            mails.append(_director_alert(catalog, settings, request))
    if request.contact_email:
        update = _resident_update(catalog, settings, request, event, signer)
        if update:
            mails.append(update)
    return mails
