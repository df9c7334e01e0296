"""Sentences residents read on receipts, status pages and in e-mails, in zh and en.

Polite, specific, and always with the next step and its date (the seeds' service-language rules).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lobby.catalog import Catalog
from lobby.requests import Event, ServiceRequest
from lobby.wording import format_local

_T: dict[str, dict[str, str]] = {
    "received_title": {"zh": "我们已收到您的{kind}", "en": "We have received your {kind_lower}"},
    "reference_is": {"zh": "您的编号", "en": "Your reference"},
    "promise_resolve": {
        "zh": "{office}会在 {due} 前处理完毕。",
        "en": "{office} will have it done by {due}.",
    },
    "promise_contact": {
        "zh": "{office}会在 {due} 前与您联系，并告诉您具体的处理时间。",
        "en": "{office} will contact you by {due} and tell you when it will be done.",
    },
    "promise_tracked": {
        "zh": "{office}会全程跟进，直到问题解决。",
        "en": "{office} will follow it through until it is done.",
    },
    "owner_rule": {
        "zh": "第一位接待您的同事会负责到底：他会告诉您处理时间，跟进进度，并把结果反馈给您。",
        "en": "The first colleague who takes your request owns it: they give you a time, "
        "follow it up and tell you the result.",
    },
    "keep_reference": {
        "zh": "请保存编号。查询进度时，输入编号和您留下的电话或邮箱即可。",
        "en": "Keep this reference. To check progress, enter it with the phone number or email you gave.",
    },
    "email_updates": {
        "zh": "每一步进展我们都会发邮件到 {email}。",
        "en": "We will email {email} at every step.",
    },
    "no_email": {
        "zh": "您没有留下邮箱，我们会通过电话与您联系。",
        "en": "You did not give an email address, so we will phone you.",
    },
    "follow_up": {
        "zh": "处理完毕后，我们会请您为这次服务评分，并可能回访。",
        "en": "When it is done, we will ask you to rate the service, and we may call to follow up.",
    },
    "check_status": {"zh": "查询办理进度", "en": "Check the progress of your request"},
    "duplicate": {
        "zh": "这份请求刚才已经提交过，我们没有重复登记。",
        "en": "You sent this request a moment ago; we have not registered it twice.",
    },
    "event_submitted": {"zh": "已收到您的请求（网上提交）", "en": "We received your request (online)"},
    "event_other": {"zh": "办理进度已更新", "en": "Progress updated"},
    "event_acknowledge": {
        "zh": "{actor}已受理，负责跟进到底",
        "en": "{actor} has taken your request and owns it",
    },
    "event_start": {"zh": "开始处理", "en": "Work has started"},
    "event_wait": {"zh": "等待您的回复：{note}", "en": "Waiting for you: {note}"},
    "event_resume": {"zh": "继续处理", "en": "Work has resumed"},
    "event_resolve": {"zh": "已处理完毕：{note}", "en": "Done: {note}"},
    "event_close": {"zh": "已办结", "en": "Closed"},
    "event_cancel": {"zh": "已取消：{note}", "en": "Cancelled: {note}"},
    "event_reopen": {
        "zh": "已重新打开，将在 24 小时内安排回访和返修：{note}",
        "en": "Reopened; a visit and rework within 24 hours: {note}",
    },
    "event_retriage": {"zh": "维修规模调整为{to}", "en": "The job was re-sized as {to}"},
    "event_note": {"zh": "{note}", "en": "{note}"},
    "event_rated": {"zh": "您已评价，感谢您的反馈", "en": "You rated the service. Thank you"},
    "event_followed_up": {"zh": "已完成回访，请求办结", "en": "Followed up with you; the request is closed"},
    "event_reminder": {"zh": "系统提醒：{stage}", "en": "Reminder sent: {stage}"},
    "unsatisfied_default": {"zh": "住户表示问题仍未解决", "en": "The resident says the problem remains"},
    "not_found": {
        "zh": "没有找到与该编号和联系方式相符的请求。请核对编号（例如 20261122-0007）和您提交时留下的电话或邮箱。",
        "en": "We found no request with that reference and contact. Check the reference "
        "(like 20261122-0007) and the phone number or email you gave when you sent it.",
    },
}


def text(key: str, lang: str, **values: Any) -> str:
    return _T[key]["en" if lang == "en" else "zh"].format(**values)


def local_time(catalog: Catalog, moment: datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    return format_local(moment, lang, catalog.property.time_zone)


def promise(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    """What the office promises: a resolve time, else a first-contact time, else follow-through."""
    office = catalog.offices[request.office].name(lang)
    if request.resolve_due:
        return text(
            "promise_resolve", lang, office=office, due=local_time(catalog, request.resolve_due, lang)
        )
    if request.acknowledge_due:
        return text(
            "promise_contact", lang, office=office, due=local_time(catalog, request.acknowledge_due, lang)
        )
    return text("promise_tracked", lang, office=office)


def next_steps(catalog: Catalog, request: ServiceRequest, lang: str) -> list[str]:
    steps = [promise(catalog, request, lang), text("owner_rule", lang)]
    email = request.contact_email
    steps.append(text("email_updates", lang, email=email) if email else text("no_email", lang))
    steps.append(text("follow_up", lang))
    return steps


def received_title(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    name = catalog.kinds[request.kind].name(lang)
    return text("received_title", lang, kind=name, kind_lower=name[:1].lower() + name[1:])


def event_text(event: Event, lang: str, catalog: Catalog | None = None) -> str:
    key = f"event_{event.type}"
    if key not in _T:
        return text("event_other", lang)
    values = {
        "actor": event.actor,
        "note": event.data.get("note", ""),
        "to": event.data.get("to", ""),
        "stage": event.data.get("stage", ""),
    }
    if event.type == "retriage" and catalog is not None:
        values["to"] = _size_name(catalog, str(values["to"]), lang)
    return text(key, lang, **values).rstrip("：: ")


def _size_name(catalog: Catalog, size: str, lang: str) -> str:
    for kind in catalog.kinds.values():
        if isinstance(kind.deadlines.resolve, dict) and kind.deadlines.resolve_by:
            choice = catalog.choices(kind.field(kind.deadlines.resolve_by)).get(size)
            if choice:
                return choice(lang)
    return size


def status_path(lang: str, reference: str | None = None) -> str:
    path = "/en/status/" if lang == "en" else "/status/"
    return f"{path}?ref={reference}" if reference else path
