"""Pages behind signed links: staff confirm an action; residents rate the result."""

from __future__ import annotations

from html import escape

from lobby.catalog import Catalog
from lobby.fields import STAFF_INPUTS
from lobby.lifecycle import NEEDS
from lobby.notifications import action_label, field_rows
from lobby.requests import Event, ServiceRequest
from views import receipt
from views.messages import translate
from views.page import render_page
from views.wording import event_text, local_time, status_text

_S: dict[str, dict[str, str]] = {
    "confirm_title": {"zh": "确认操作：{action}", "en": "Confirm: {action}"},
    "confirm_intro": {
        "zh": "打开这个链接不会改变任何内容。确认后才会执行，且每个链接只能使用一次。",
        "en": "Opening this link changed nothing. The action happens only when you confirm, and each link works once.",
    },
    "actor": {"zh": "您的姓名", "en": "Your name"},
    "actor_hint": {"zh": "记录为本次操作的执行人。", "en": "Recorded as the person who took this action."},
    "note": {"zh": "说明", "en": "Note"},
    "note_public": {
        "zh": "住户会在进度页面和邮件中看到这段说明。",
        "en": "The resident sees this note on the status page and by email.",
    },
    "note_private": {
        "zh": "仅内部可见，除非下面选择告知住户。",
        "en": "Internal, unless you choose to tell the resident below.",
    },
    "size": {"zh": "新的维修规模", "en": "New size"},
    "office": {"zh": "转派给", "en": "Pass to"},
    "visibility": {"zh": "谁能看到这条备注", "en": "Who sees this note"},
    "internal": {"zh": "仅内部", "en": "Staff only"},
    "public": {"zh": "同时告知住户", "en": "Also tell the resident"},
    "summary": {"zh": "请求概况", "en": "The request"},
    "history": {"zh": "办理记录", "en": "History"},
    "reference": {"zh": "编号", "en": "Reference"},
    "status": {"zh": "状态", "en": "Status"},
    "due": {"zh": "当前期限", "en": "Current deadline"},
    "owner": {"zh": "负责人", "en": "Owner"},
    "location": {"zh": "位置", "en": "Location"},
    "done_title": {"zh": "已完成：{action}", "en": "Done: {action}"},
    "next": {"zh": "下一步可以", "en": "What you can do next"},
    "required": {"zh": "请填写{label}", "en": "Enter {label}"},
    "problem_invalid": {
        "zh": "这个链接无效，可能被修改过。请使用邮件中的原始链接。",
        "en": "This link is not valid; it may have been altered. Use the link exactly as it came in the email.",
    },
    "problem_expired": {
        "zh": "这个链接已过期。请打开该请求最新的提醒邮件，或联系客户服务中心。",
        "en": "This link has expired. Open the latest email about this request, or contact the service centre.",
    },
    "problem_used": {
        "zh": "这个链接已经使用过，操作不会重复执行。",
        "en": "This link was already used; the action will not be taken twice.",
    },
    "problem_illegal": {
        "zh": "该请求当前状态为“{status}”，不能执行“{action}”。",
        "en": "The request is now “{status}”, so “{action}” cannot be done.",
    },
    "problem_stale": {
        "zh": "有人刚刚更新了这个请求。请重新打开链接查看最新情况。",
        "en": "Someone has just changed this request. Open the link again to see where it stands.",
    },
    "problem_title": {"zh": "无法执行", "en": "This cannot be done"},
    "rate_title": {"zh": "为服务评分", "en": "Rate the service"},
    "rate_intro": {"zh": "请告诉我们这次服务做得怎样。", "en": "Tell us how we did."},
    "quality": {"zh": "维修或服务的质量", "en": "Quality of the work"},
    "effect": {"zh": "解决问题的效果", "en": "How well it solved the problem"},
    "attitude": {"zh": "工作人员的态度", "en": "Staff attitude"},
    "scale_hint": {"zh": "1 = 很差，5 = 很好", "en": "1 = very poor, 5 = very good"},
    "satisfied": {"zh": "您对处理结果满意吗？", "en": "Are you satisfied with the result?"},
    "yes": {"zh": "满意", "en": "Satisfied"},
    "no": {"zh": "不满意，问题仍然存在", "en": "Not satisfied: the problem remains"},
    "comments": {"zh": "意见或建议（选填）", "en": "Comments or suggestions (optional)"},
    "send": {"zh": "提交评价", "en": "Send my rating"},
    "answer_all": {"zh": "请回答每一个问题", "en": "Answer every question"},
    "thanks": {"zh": "感谢您的评价", "en": "Thank you for your rating"},
    "thanks_closed": {"zh": "您的请求已办结。", "en": "Your request is now closed."},
    "thanks_reopened": {
        "zh": "我们已重新打开您的请求，并通知了管理处主任。我们会在 24 小时内（{due} 前）回访并返修。",
        "en": "We have reopened your request and told the office director. We will come back within 24 hours "
        "(by {due}) and rework it.",
    },
}


def s(key: str, lang: str, **values: str) -> str:
    return _S[key]["en" if lang == "en" else "zh"].format(**values)


def _summary(catalog: Catalog, request: ServiceRequest, lang: str) -> str:
    rows = [
        (s("reference", lang), request.reference),
        (s("status", lang), status_text(request.status, lang)),
        (s("location", lang), request.location),
        (s("due", lang), local_time(catalog, request.current_due, lang) or "—"),
        (s("owner", lang), request.owner or "—"),
        *field_rows(catalog, request, lang),
    ]
    body = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<h2>{escape(s('summary', lang))}</h2><table class='lobby-status'>{body}</table>"


def _history(catalog: Catalog, history: list[Event], lang: str) -> str:
    items = "".join(
        f"<li><time>{escape(local_time(catalog, event.at, lang))}</time> "
        f"{escape(event.actor)}: {escape(event_text(event, lang, catalog))}"
        f"{'' if event.public else ' 🔒'}</li>"
        for event in history
    )
    return f"<h2>{escape(s('history', lang))}</h2><ol class='lobby-timeline'>{items}</ol>"


def _text_input(
    name: str, label: str, hint: str, error: str | None, value: str = "", autocomplete: str = ""
) -> str:
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    err = f'<p class="lobby-error-message" id="f-{name}-error">{escape(error)}</p>' if error else ""
    described = f"f-{name}-hint" + (f" f-{name}-error" if error else "")
    return (
        f'<div class="lobby-field"><label for="f-{name}">{escape(label)}</label>'
        f'<p class="lobby-hint" id="f-{name}-hint">{escape(hint)}</p>{err}'
        f'<input id="f-{name}" name="{name}" type="text" maxlength="{STAFF_INPUTS["actor"].max_length}" required value="{escape(value)}"'
        f' aria-describedby="{described}"{auto}></div>'
    )


def confirm_page(
    catalog: Catalog,
    request: ServiceRequest,
    history: list[Event],
    action: str,
    token: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    lang = catalog.property.staff_language
    errors, values = errors or {}, values or {}
    label = action_label(action, lang)
    parts = [
        _text_input(
            "actor",
            s("actor", lang),
            s("actor_hint", lang),
            errors.get("actor"),
            values.get("actor", ""),
            "name",
        )
    ]
    needs = NEEDS.get(action, ())
    if action == "note":
        parts.append(
            _radios(
                "visibility",
                s("visibility", lang),
                [("internal", s("internal", lang)), ("public", s("public", lang))],
                "internal",
            )
        )
    if "note" in needs:
        hint = s("note_private" if action == "note" else "note_public", lang)
        err = errors.get("note")
        err_html = f'<p class="lobby-error-message" id="f-note-error">{escape(err)}</p>' if err else ""
        parts.append(
            f'<div class="lobby-field"><label for="f-note">{escape(s("note", lang))}</label>'
            f'<p class="lobby-hint" id="f-note-hint">{escape(hint)}</p>{err_html}'
            f'<textarea id="f-note" name="note" rows="4" maxlength="{STAFF_INPUTS["note"].max_length}" required '
            f'aria-describedby="f-note-hint">{escape(values.get("note", ""))}</textarea></div>'
        )
    if action == "retriage":
        kind = catalog.kinds[request.kind]
        assert kind.deadlines.resolve_by
        choices = catalog.choices(kind.field(kind.deadlines.resolve_by))
        parts.append(
            _radios(
                "size",
                s("size", lang),
                [(k, v(lang)) for k, v in choices.items()],
                request.fields.get(kind.deadlines.resolve_by, ""),
            )
        )
    if action == "reassign":
        options = [(k, o.name(lang)) for k, o in catalog.offices.items() if k != request.office]
        parts.append(_radios("office", s("office", lang), options, ""))
    form = (
        f'<form class="lobby-form lobby-action-form" method="post" action="/api/actions/{escape(token)}">'
        f"{''.join(parts)}<button type='submit' class='md-button md-button--primary'>{escape(label)}</button></form>"
    )
    body = (
        f"<h1>{escape(s('confirm_title', lang, action=label))}</h1><p>{escape(s('confirm_intro', lang))}</p>"
        f"{form}{_summary(catalog, request, lang)}{_history(catalog, history, lang)}"
    )
    return render_page(lang, s("confirm_title", lang, action=label), body)


def _radios(name: str, legend: str, options: list[tuple[str, str]], checked: str) -> str:
    items = "".join(
        f'<div class="lobby-radio"><input type="radio" id="f-{name}-{escape(value)}" name="{name}" '
        f'value="{escape(value)}"{" checked" if value == checked else ""} required>'
        f'<label for="f-{name}-{escape(value)}">{escape(text)}</label></div>'
        for value, text in options
    )
    return f'<fieldset class="lobby-field" id="f-{name}"><legend>{escape(legend)}</legend>{items}</fieldset>'


def done_page(
    catalog: Catalog, request: ServiceRequest, action: str, next_links: list[tuple[str, str]]
) -> str:
    lang = catalog.property.staff_language
    label = action_label(action, lang)
    links = "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>' for text, url in next_links)
    next_html = f"<h2>{escape(s('next', lang))}</h2><ul>{links}</ul>" if links else ""
    body = (
        f"<div class='lobby-receipt' role='status'><h1>{escape(s('done_title', lang, action=label))}</h1>"
        f"<p>{escape(request.reference)} · {escape(status_text(request.status, lang))}</p></div>"
        f"{next_html}{_summary(catalog, request, lang)}"
    )
    return render_page(lang, s("done_title", lang, action=label), body)


def problem_page(lang: str, key: str, **values: str) -> str:
    body = f"<h1>{escape(s('problem_title', lang))}</h1><p>{escape(s(key, lang, **values))}</p>"
    return render_page(lang, s("problem_title", lang), body)


def rate_page(
    catalog: Catalog, request: ServiceRequest, token: str, error: bool | str = False, staff: bool = False
) -> str:
    """The follow-up questions: for the resident (their language), or for staff recording a call or visit.

    ``error`` is True when a question was left unanswered, or the message for a refused answer."""
    lang = catalog.property.staff_language if staff else request.lang
    action = f"/api/actions/{escape(token)}" if staff else f"/api/rate/{escape(token)}"
    actor = _text_input("actor", s("actor", lang), s("actor_hint", lang), None, "", "name") if staff else ""
    scales = "".join(
        f'<fieldset class="lobby-field" id="f-{scale}"><legend>{escape(s(scale, lang))}</legend>'
        f'<p class="lobby-hint">{escape(s("scale_hint", lang))}</p>'
        + "".join(
            f'<span class="lobby-radio lobby-radio--inline"><input type="radio" id="f-{scale}-{n}" name="{scale}" '
            f'value="{n}" required><label for="f-{scale}-{n}">{n}</label></span>'
            for n in range(1, 6)
        )
        + "</fieldset>"
        for scale in ("quality", "effect", "attitude")
    )
    satisfied = _radios(
        "satisfied", s("satisfied", lang), [("yes", s("yes", lang)), ("no", s("no", lang))], ""
    )
    comments = (
        f'<div class="lobby-field"><label for="f-comments">{escape(s("comments", lang))}</label>'
        f'<textarea id="f-comments" name="comments" rows="4" '
        f'maxlength="{STAFF_INPUTS["comments"].max_length}"></textarea></div>'
    )
    summary = (
        f'<div class="lobby-error-summary" role="alert"><p>{escape(error if isinstance(error, str) else s("answer_all", lang))}</p></div>'
        if error
        else ""
    )
    body = (
        f"<h1>{escape(s('rate_title', lang))}</h1><p>{escape(request.reference)} · "
        f"{escape(catalog.kinds[request.kind].name(lang))}</p><p>{escape(s('rate_intro', lang))}</p>{summary}"
        f'<form class="lobby-form lobby-rate-form" method="post" action="{action}">'
        f"{actor}{scales}{satisfied}{comments}<button type='submit' class='md-button md-button--primary'>"
        f"{escape(s('send', lang))}</button></form>"
    )
    return render_page(lang, s("rate_title", lang), body)


def rated_page(catalog: Catalog, request: ServiceRequest) -> str:
    lang = request.lang
    if request.status == "reopened":
        detail = s("thanks_reopened", lang, due=local_time(catalog, request.resolve_due, lang))
    else:
        detail = s("thanks_closed", lang)
    link = receipt.status_path(lang, request.reference)
    body = (
        f"<div class='lobby-receipt' role='status'><h1>{escape(s('thanks', lang))}</h1><p>{escape(detail)}</p></div>"
        f"<p><a href='{escape(link)}'>{escape(translate(lang, 'status_page.link'))}</a></p>"
    )
    return render_page(lang, s("thanks", lang), body)
