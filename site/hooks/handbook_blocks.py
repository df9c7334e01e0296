"""The handbook's fact blocks, rendered from the catalog at build time.

Emergency numbers, office hours, prices, each kind's deadlines, and the tables of the staff and
administrators' pages. Only the site build uses them, so they live with its hooks and never ship
in a Lambda package; the forms, which the API renders too, are ``views.forms``.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from lobby.catalog import Catalog, Kind, Rule
from lobby.sampling import sample_size
from views.forms import price_text
from views.page import page_url
from views.wording import STATUSES, describe_period, describe_rule, describe_timedelta, status_text

_T: dict[str, dict[str, str]] = {
    "emergency_title": {"zh": "紧急情况请立即打电话", "en": "In an emergency, phone now"},
    "emergency_lead": {
        "zh": "发生火灾、有人受伤或突发疾病、有人正在违法犯罪时，请不要填写网上表格，直接拨打：",
        "en": "For a fire, an injury or sudden illness, or a crime happening now, "
        "do not use a web form. Phone:",
    },
    "emergency_medical": {"zh": "急救", "en": "Ambulance"},
    "emergency_police": {"zh": "报警", "en": "Police"},
    "emergency_fire": {"zh": "火警", "en": "Fire"},
    "emergency_office": {
        "zh": "燃气泄漏、水管爆裂、有人被困电梯，请拨打物业 24 小时值班电话：",
        "en": "For a gas leak, a burst pipe or someone stuck in a lift, phone the office's 24-hour line:",
    },
    "line_title": {"zh": "紧急情况", "en": "Emergency"},
    "line_office": {"zh": "物业 24 小时值班", "en": "Office, 24 hours"},
    "dl_acknowledge": {"zh": "与您联系", "en": "We contact you"},
    "dl_resolve": {"zh": "处理完毕", "en": "We finish"},
    "dl_follow_up": {"zh": "回访", "en": "Follow-up call"},
    "dl_office": {"zh": "负责部门", "en": "Handled by"},
    "follow_up_all": {
        "zh": "办结后 {within}，每一件都回访",
        "en": "{within} of completion, for every request",
    },
    "follow_up_sampled": {
        "zh": "办结后 {within}，按比例抽样回访",
        "en": "{within} of completion, for a sample of requests",
    },
    "follow_up_any": {"zh": "办结后回访", "en": "After completion"},
    "follow_up_none": {"zh": "不安排回访", "en": "No follow-up call"},
    "office_time_note": {
        "zh": "时限按承办部门的服务时间计算（见各部门）：“当天”和“工作日”到其下班时为止，"
        "“服务时间内”的小时只在其服务时间内计时；在服务时间以外收到的诉求，从其下一次开门时开始计算。"
        "标明“全天计时”的紧急事项每个小时都计时。",
        "en": "Deadlines count in the handling office's service hours (shown with each office): "
        "“same working day” and “working days” end at its closing time, and service hours run only while "
        "it serves; a request that arrives outside them counts from its next opening. "
        "Urgent matters, marked “around the clock”, count every hour.",
    },
    "hours_label": {"zh": "办公时间", "en": "Office hours"},
    "hours_holidays": {
        "zh": "法定节假日休息，调休上班日照常办公",
        "en": "closed on public holidays, open on the make-up working days",
    },
    "line_label": {"zh": "24 小时值班电话", "en": "24-hour line"},
    "service_hours_closed_on_holidays": {
        "zh": "{days} {open}–{close}，法定节假日休息，调休上班日照常",
        "en": "{days} {open}–{close}, closed on public holidays, open on the make-up working days",
    },
    "service_hours_open_on_holidays": {
        "zh": "{days} {open}–{close}，节假日照常",
        "en": "{days} {open}–{close}, public holidays included",
    },
    "service_hours_duty_line": {"zh": "；24 小时值班电话 {phone}", "en": "; 24-hour duty line {phone}"},
    "every_day": {"zh": "每天", "en": "Every day"},
    "price_service": {"zh": "服务项目", "en": "Service"},
    "price_price": {"zh": "价格", "en": "Price"},
    "price_caption": {
        "zh": "价格以人民币计，费用在收银处预交。",
        "en": "Prices are in yuan (CNY); you prepay at the cashier.",
    },
    # --- handbook tables over every kind ---
    "col_kind": {"zh": "事项", "en": "Request"},
    "deadline_caption": {
        "zh": "各类事项的办理时限（系统按此计时并提醒）",
        "en": "Deadlines of every kind of request (the system times and reminds by these)",
    },
    "follow_up_caption": {"zh": "回访时间与范围", "en": "When we follow up, and how many"},
    "col_follow_up_when": {"zh": "回访时间", "en": "When"},
    "col_follow_up_coverage": {"zh": "回访范围", "en": "Which requests"},
    "follow_up_within": {"zh": "办结后 {within}", "en": "{within} of completion"},
    "coverage_all": {"zh": "每一件", "en": "Every one"},
    "coverage_sampled": {"zh": "按月抽样（见抽样表）", "en": "A monthly sample (see the sampling table)"},
    "coverage_none": {"zh": "不回访", "en": "None"},
    "sampling_caption": {
        "zh": "每月抽样回访的数量（适用于：{kinds}）",
        "en": "How many are followed up each month (for: {kinds})",
    },
    "col_orders": {"zh": "当月工单数", "en": "Work orders in the month"},
    "col_sample": {"zh": "回访数量", "en": "Follow-ups"},
    "col_share": {"zh": "占比", "en": "Share"},
    "reminder_caption": {
        "zh": "时限提醒与逐级上报",
        "en": "Reminders and escalation",
    },
    "col_warn": {"zh": "提前提醒", "en": "Early warning"},
    "col_repeat": {"zh": "逾期后重复提醒", "en": "Repeated while overdue"},
    "col_director": {"zh": "上报上级", "en": "Escalated to the next level"},
    "col_quality": {"zh": "上报公司", "en": "Escalated to the company"},
    "warn_at": {"zh": "时限过去 {percent}% 时", "en": "When {percent}% of the time has passed"},
    "repeat_every": {"zh": "每 {period}", "en": "Every {period}"},
    "escalate_after": {"zh": "逾期 {period} 后：{office}", "en": "{period} overdue: {office}"},
    "reminder_note": {
        "zh": "提醒和上报对每个时限各发一次：先是与住户联系的时限，联系后是处理完毕的时限。"
        "提醒在办公时间内发送；{urgent}的提醒不分昼夜。",
        "en": "The ladder runs for each deadline in turn: first the time to contact the resident, "
        "then the time to finish. Reminders wait for office hours, except for {urgent}, "
        "whose reminders go out at any hour.",
    },
    "reminder_note_none_urgent": {
        "zh": "提醒和上报对每个时限各发一次：先是与住户联系的时限，联系后是处理完毕的时限。提醒在办公时间内发送。",
        "en": "The ladder runs for each deadline in turn: first the time to contact the resident, "
        "then the time to finish. Reminders wait for office hours.",
    },
    "col_office": {"zh": "部门", "en": "Office"},
    "col_reports_to": {"zh": "上报给", "en": "Escalates to"},
    "reports_to_none": {"zh": "（最高一级）", "en": "(the last step)"},
    "and": {"zh": "、", "en": ", "},
    # --- what each status means, for the handbook (names come from views.wording)
    "status_received": {
        "zh": "诉求已登记，等待负责部门与您联系。",
        "en": "Your request is registered and waiting for the office to contact you.",
    },
    "status_acknowledged": {
        "zh": "已有同事接手，他就是您这件事的负责人。",
        "en": "A colleague has taken it and owns it from now on.",
    },
    "status_in_progress": {"zh": "正在处理。", "en": "The work is under way."},
    "status_waiting": {
        "zh": "我们在等您答复或配合；您答复后继续处理，等待的时间不计入时限。",
        "en": "We need something from you; once you answer, work goes on, and the wait does not count "
        "against the deadline.",
    },
    "status_resolved": {
        "zh": "已处理完毕，请您评价；不满意可以说明，我们会重新处理。",
        "en": "Done. Please rate it; if you are not satisfied, say so and we take it up again.",
    },
    "status_closed": {"zh": "已办结归档。", "en": "Finished and filed."},
    "status_cancelled": {
        "zh": "已取消，原因会写在办理记录里。",
        "en": "Cancelled; the reason is in the history.",
    },
    "status_reopened": {
        "zh": "您反映问题仍未解决，已重新处理。",
        "en": "You told us the problem is still there, and we have taken it up again.",
    },
}

_WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _t(key: str, lang: str, **values: object) -> str:
    text = _T[key][_lang(lang)]
    return text.format(**values) if values else text


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def tel_href(number: str) -> str:
    """A ``tel:`` link for a number as people write it (``0755-2688 0000`` → ``tel:075526880000``)."""
    digits = "".join(char for char in number if char.isdigit() or char == "+")
    return f"tel:{digits}"


def render_emergency(catalog: Catalog, lang: str) -> str:
    """The emergency numbers, as links a phone can dial; shown before any form where it matters."""
    lang = _lang(lang)
    numbers = catalog.property.emergency_numbers
    services = [
        (numbers.medical, _t("emergency_medical", lang)),
        (numbers.police, _t("emergency_police", lang)),
        (numbers.fire, _t("emergency_fire", lang)),
    ]
    items = "".join(
        f'<li><a class="lobby-emergency__number" href="{_e(tel_href(number))}">{_e(number)}</a> '
        f'<span class="lobby-emergency__service">{_e(service)}</span></li>\n'
        for number, service in services
    )
    office = catalog.property.phone_24h
    return (
        f'<aside class="lobby-emergency" aria-label="{_e(_t("emergency_title", lang))}">'
        f'<p class="lobby-emergency__title">{_e(_t("emergency_title", lang))}</p>'
        f"<p>{_e(_t('emergency_lead', lang))}</p>"
        f'<ul class="lobby-emergency__list">{items}</ul>'
        f'<p class="lobby-emergency__office">{_e(_t("emergency_office", lang))}{"" if lang == "zh" else " "}'
        f'<a class="lobby-emergency__number" href="{_e(tel_href(office))}">{_e(office)}</a></p>'
        "</aside>"
    )


def render_emergency_line(catalog: Catalog, lang: str) -> str:
    """One line for the top of every page: the emergency numbers and the office's 24-hour line."""
    lang = _lang(lang)
    numbers = catalog.property.emergency_numbers
    services = [
        (_t("emergency_medical", lang), numbers.medical),
        (_t("emergency_police", lang), numbers.police),
        (_t("emergency_fire", lang), numbers.fire),
        (_t("line_office", lang), catalog.property.phone_24h),
    ]
    items = " · ".join(
        f'<span>{_e(service)} <a href="{_e(tel_href(number))}">{_e(number)}</a></span>'
        for service, number in services
    )
    colon = "：" if lang == "zh" else ": "
    return f'<p class="lobby-emergency-line"><strong>{_e(_t("line_title", lang))}</strong>{colon}{items}</p>'


def _capitalised(text: str, lang: str) -> str:
    # English definitions read as sentences ("Within 8 hours"); Chinese has no case.
    return text[:1].upper() + text[1:] if lang == "en" else text


def _follow_up_text(kind: Kind, lang: str) -> str:
    follow_up = kind.follow_up
    if follow_up.coverage == "none":
        return _t("follow_up_none", lang)
    if follow_up.within.is_none:
        return _t("follow_up_any", lang)
    within = _capitalised(describe_rule(follow_up.within, lang), lang)
    return _t(f"follow_up_{follow_up.coverage}", lang, within=within)


def _resolve_html(catalog: Catalog, kind: Kind, lang: str) -> str:
    resolve = kind.deadlines.resolve
    if not isinstance(resolve, dict):
        return _e(_capitalised(describe_rule(resolve, lang, urgent=kind.urgent), lang))
    by = kind.field(kind.deadlines.resolve_by or "")
    labels = catalog.choices(by)
    colon = "：" if lang == "zh" else ": "
    items = "".join(
        f"<li>{_e(labels[choice](lang))}{colon}{_e(describe_rule(rule, lang, urgent=kind.urgent))}</li>\n"
        for choice, rule in resolve.items()
    )
    return f"<ul>{items}</ul>"


def _office_html(catalog: Catalog, kind: Kind, lang: str) -> str:
    """The handling office and the hours its clock counts in."""
    name = catalog.offices[kind.office].name(lang)
    hours = office_service_hours_text(catalog, kind.office, lang)
    return f'{_e(name)}<br><small class="lobby-office-hours-note">{_e(hours)}</small>'


def _kind_rules(kind: Kind) -> list[Rule]:
    resolve = kind.deadlines.resolve
    rules = list(resolve.values()) if isinstance(resolve, dict) else [resolve]
    return [kind.deadlines.acknowledge, *rules]


def office_hours_text(catalog: Catalog, lang: str) -> str:
    """Working days and hours, e.g. "周一至周五 08:30–17:30"."""
    lang = _lang(lang)
    hours = catalog.property.office_hours
    return f"{_weekdays_text(catalog, lang)} {hours.open:%H:%M}–{hours.close:%H:%M}"


def office_service_hours_text(catalog: Catalog, office_id: str, lang: str) -> str:
    """An office's own service hours, e.g. "每天 08:00–18:00，节假日照常；24 小时值班电话 ..."."""
    lang = _lang(lang)
    hours = catalog.offices[office_id].hours
    if hours is None:  # the property's office hours and calendar
        separator = "，" if lang == "zh" else ", "
        return f"{office_hours_text(catalog, lang)}{separator}{_t('hours_holidays', lang)}"
    days = _t("every_day", lang) if len(hours.days) == 7 else _days_text(hours.days, lang)
    key = (
        "service_hours_open_on_holidays"
        if hours.public_holidays == "open"
        else "service_hours_closed_on_holidays"
    )
    text = _t(key, lang, days=days, open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}")
    if hours.duty_line:
        text += _t("service_hours_duty_line", lang, phone=hours.duty_line)
    return text


def _weekdays_text(catalog: Catalog, lang: str) -> str:
    return _days_text(catalog.property.calendar.working_weekdays, lang)


def _days_text(weekdays: frozenset[int], lang: str) -> str:
    days = sorted(weekdays)
    names = _WEEKDAYS[lang]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        joiner = "至" if lang == "zh" else " to "
        return f"{names[days[0] - 1]}{joiner}{names[days[-1] - 1]}"
    return ("、" if lang == "zh" else ", ").join(names[day - 1] for day in days)


def render_deadlines(catalog: Catalog, kind_id: str, lang: str) -> str:
    """A kind's promises: when we contact you, when we finish, the follow-up call, who handles it."""
    lang = _lang(lang)
    kind = catalog.kinds[kind_id]
    rows = [
        (
            _t("dl_acknowledge", lang),
            _e(_capitalised(describe_rule(kind.deadlines.acknowledge, lang, urgent=kind.urgent), lang)),
        ),
        (_t("dl_resolve", lang), _resolve_html(catalog, kind, lang)),
        (_t("dl_follow_up", lang), _e(_follow_up_text(kind, lang))),
        (_t("dl_office", lang), _office_html(catalog, kind, lang)),
    ]
    items = "".join(f"<div><dt>{_e(term)}</dt>\n<dd>{value}</dd></div>\n" for term, value in rows)
    note = ""
    if any(rule == "same-day" or rule.endswith(("wd", "h", "m")) for rule in _kind_rules(kind)):
        note = f'<p class="lobby-deadlines__note">{_e(_t("office_time_note", lang))}</p>'
    return f'<div class="lobby-deadlines" data-kind="{_e(kind.id)}"><dl>{items}</dl>{note}</div>'


def render_office_hours(catalog: Catalog, lang: str) -> str:
    """Office hours and the 24-hour line."""
    lang = _lang(lang)
    phone = catalog.property.phone_24h
    opening, closing = ("（", "）") if lang == "zh" else (" (", ")")
    hours = f"{office_hours_text(catalog, lang)}{opening}{_t('hours_holidays', lang)}{closing}"
    return (
        '<dl class="lobby-office-hours">'
        f"<div><dt>{_e(_t('hours_label', lang))}</dt><dd>{_e(hours)}</dd></div>"
        f"<div><dt>{_e(_t('line_label', lang))}</dt>"
        f'<dd><a href="{_e(tel_href(phone))}">{_e(phone)}</a></dd></div>'
        "</dl>"
    )


def render_prices(catalog: Catalog, lang: str) -> str:
    """The paid-service price list."""
    lang = _lang(lang)
    rows = "".join(
        f"<tr><td>{_e(price.name(lang))}</td><td>{_e(price_text(catalog, key, lang))}</td></tr>"
        for key, price in catalog.prices.items()
    )
    return (
        '<table class="lobby-prices">'
        f"<caption>{_e(_t('price_caption', lang))}</caption>"
        f'<thead><tr><th scope="col">{_e(_t("price_service", lang))}</th>'
        f'<th scope="col">{_e(_t("price_price", lang))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def render_kinds(catalog: Catalog, lang: str) -> str:
    """Every request kind with a link to its page and its one-line summary."""
    lang = _lang(lang)
    separator = "：" if lang == "zh" else ": "
    items = "".join(
        f'<li><a href="{_e(page_url(lang, kind.page))}">{_e(kind.name(lang))}</a>'
        f"{separator}{_e(kind.summary(lang))}</li>\n"
        for kind in catalog.kinds.values()
    )
    return f'<ul class="lobby-kinds">{items}</ul>'


def render_retention(catalog: Catalog, lang: str) -> str:
    """How long request records are kept after closing, e.g. "2 年（730 天）"."""
    days = catalog.property.retention_days
    years, rest = divmod(days, 365)
    if _lang(lang) == "zh":
        text = f"{years} 年（{days} 天）" if years and not rest else f"{days} 天"
    elif years and not rest:
        text = f"{years} year{'s' if years > 1 else ''} ({days} days)"
    else:
        text = f"{days} days"
    return f'<span class="lobby-retention">{_e(text)}</span>'


# --- handbook tables over the whole catalog ------------------------------------------------------


def _kind_link(kind: Kind, lang: str) -> str:
    return f'<a href="{_e(page_url(lang, kind.page))}">{_e(kind.name(lang))}</a>'


def _table(css_class: str, caption: str, headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A table whose first cell is each row's header; ``rows`` are (data-kind, trusted cell HTML)."""
    head = "".join(f'<th scope="col">{_e(header)}</th>' for header in headers)
    # data-label repeats the column header in each cell, for the stacked layout on narrow screens.
    body = "".join(
        f'<tr data-kind="{_e(kind_id)}"><th scope="row">{cells[0]}</th>'
        + "".join(
            f'<td data-label="{_e(header)}">{cell}</td>'
            for header, cell in zip(headers[1:], cells[1:], strict=True)
        )
        + "</tr>"
        for kind_id, cells in rows
    )
    return (
        f'<div class="lobby-table-wrap"><table class="{css_class}"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def render_deadline_table(catalog: Catalog, lang: str) -> str:
    """Every kind's promises in one table: contact, finish, follow-up, office."""
    lang = _lang(lang)
    rows = [
        (
            kind.id,
            [
                _kind_link(kind, lang),
                _e(_capitalised(describe_rule(kind.deadlines.acknowledge, lang, urgent=kind.urgent), lang)),
                _resolve_html(catalog, kind, lang),
                _e(_follow_up_text(kind, lang)),
                _office_html(catalog, kind, lang),
            ],
        )
        for kind in catalog.kinds.values()
    ]
    headers = [
        _t(key, lang) for key in ("col_kind", "dl_acknowledge", "dl_resolve", "dl_follow_up", "dl_office")
    ]
    table = _table("lobby-deadline-table", _t("deadline_caption", lang), headers, rows)
    return f'{table}<p class="lobby-deadlines__note">{_e(_t("office_time_note", lang))}</p>'


def _coverage_text(kind: Kind, lang: str) -> str:
    return _t(f"coverage_{kind.follow_up.coverage}", lang)


def render_follow_ups(catalog: Catalog, lang: str) -> str:
    """When each kind is followed up after completion, and whether every request or a sample."""
    lang = _lang(lang)
    rows = []
    for kind in catalog.kinds.values():
        within = kind.follow_up.within
        if kind.follow_up.coverage == "none":
            when = "—"
        elif within.is_none:
            when = _t("follow_up_any", lang)
        else:
            when = _t("follow_up_within", lang, within=describe_rule(within, lang))
        rows.append(
            (kind.id, [_kind_link(kind, lang), _e(_capitalised(when, lang)), _e(_coverage_text(kind, lang))])
        )
    headers = [_t(key, lang) for key in ("col_kind", "col_follow_up_when", "col_follow_up_coverage")]
    return _table("lobby-follow-up-table", _t("follow_up_caption", lang), headers, rows)


# Work-order counts that show each band of the sampling rule (seed 002) and its edges.
SAMPLING_EXAMPLES = (3, 10, 19, 20, 40, 50, 51, 80, 99, 100, 250)


def render_sampling_table(catalog: Catalog, lang: str) -> str:
    """How many sampled requests are followed up in a month, computed by the scheduler's own rule."""
    lang = _lang(lang)
    sampled = [kind.name(lang) for kind in catalog.kinds.values() if kind.follow_up.coverage == "sampled"]
    rows = []
    for orders in SAMPLING_EXAMPLES:
        size = sample_size(orders)
        share = f"{round(100 * min(size, orders) / orders)}%"
        rows.append(("", [_e(orders), _e(size), _e(share)]))
    headers = [_t(key, lang) for key in ("col_orders", "col_sample", "col_share")]
    caption = _t("sampling_caption", lang, kinds=_t("and", lang).join(sampled))
    return _table("lobby-sampling-table", caption, headers, rows)


def _escalation_text(catalog: Catalog, rule: Rule, office_id: str | None, lang: str) -> str:
    office = catalog.offices[office_id].name(lang) if office_id in catalog.offices else ""
    return _t("escalate_after", lang, period=describe_period(rule, lang), office=office)


def render_reminders(catalog: Catalog, lang: str) -> str:
    """The reminder ladder of every kind: early warning, repeats, the director, the company."""
    lang = _lang(lang)
    quality = catalog.property.quality_office
    rows = []
    for kind in catalog.kinds.values():
        ladder = kind.reminders
        director = catalog.offices[kind.office].director
        rows.append(
            (
                kind.id,
                [
                    _kind_link(kind, lang),
                    _e(_t("warn_at", lang, percent=ladder.warn_at_percent)),
                    _e(_t("repeat_every", lang, period=describe_period(ladder.repeat_every, lang))),
                    _e(_escalation_text(catalog, ladder.escalate_director_after, director, lang)),
                    _e(_escalation_text(catalog, ladder.escalate_quality_after, quality, lang)),
                ],
            )
        )
    headers = [_t(key, lang) for key in ("col_kind", "col_warn", "col_repeat", "col_director", "col_quality")]
    urgent = [kind.name(lang) for kind in catalog.kinds.values() if kind.urgent]
    note = (
        _t("reminder_note", lang, urgent=_t("and", lang).join(urgent))
        if urgent
        else _t("reminder_note_none_urgent", lang)
    )
    table = _table("lobby-reminder-table", _t("reminder_caption", lang), headers, rows)
    return f'{table}<p class="lobby-deadlines__note">{_e(note)}</p>'


def render_staff_procedure(catalog: Catalog, kind_id: str, lang: str) -> str:
    """What staff do with a request of this kind, as the catalog words it."""
    kind = catalog.kinds[kind_id]
    return f'<p class="lobby-procedure" data-kind="{_e(kind.id)}">{_e(kind.staff_procedure(_lang(lang)))}</p>'


def render_offices(catalog: Catalog, lang: str) -> str:
    """The offices and where each one escalates."""
    lang = _lang(lang)
    rows = []
    for office_id, office in catalog.offices.items():
        above = (
            catalog.offices[office.director].name(lang) if office.director else _t("reports_to_none", lang)
        )
        rows.append((office_id, [_e(office.name(lang)), _e(above)]))
    headers = [_t("col_office", lang), _t("col_reports_to", lang)]
    return _table("lobby-office-table", "", headers, rows).replace("<caption></caption>", "")


def render_duration(delta: timedelta, lang: str) -> str:
    """A length of time the code enforces (a rework promise, a link's lifetime), inline."""
    return f'<span class="lobby-duration">{_e(describe_timedelta(delta, _lang(lang)))}</span>'


def render_statuses(_catalog: Catalog, lang: str) -> str:
    """Every status a resident can see, with what it means for them."""
    lang = _lang(lang)
    items = "".join(
        f'<div data-status="{_e(status)}"><dt>{_e(status_text(status, lang))}</dt>'
        f"<dd>{_e(_t(f'status_{status}', lang))}</dd></div>"
        for status in STATUSES
    )
    return f'<dl class="lobby-statuses">{items}</dl>'
