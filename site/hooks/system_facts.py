"""Facts the handbook reads from the system itself: the code's fixed rules, the SAM template.

A page never restates what the code or the template decides. It writes a
marker, and the build reads the value the code enforces: the rework promise,
a link's lifetime and the red-flag thresholds from ``lobby.policy``, the staff actions from
``lobby.lifecycle`` and ``lobby.notifications``, the parameters, schedules and
alarms from ``template.yaml``. When one of them changes, the handbook follows
at the next build; when one disappears, the build fails and says which.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

import cfn
import handbook_blocks

from lobby.catalog import Catalog
from views.wording import status_text

REPO = Path(__file__).resolve().parents[2]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


_T: dict[str, dict[str, str]] = {
    "col_action": {"zh": "操作", "en": "Action"},
    "col_what": {"zh": "作用", "en": "What it does"},
    "col_when": {"zh": "可用时的状态", "en": "Offered while the request is"},
    "col_parameter": {"zh": "参数", "en": "Parameter"},
    "col_default": {"zh": "默认值", "en": "Default"},
    "col_meaning": {"zh": "说明（取自 template.yaml）", "en": "Meaning (from template.yaml)"},
    "col_function": {"zh": "函数", "en": "Function"},
    "col_schedule_name": {"zh": "定时任务", "en": "Schedule"},
    "col_schedule": {"zh": "运行时间", "en": "Runs"},
    "col_alarm": {"zh": "告警", "en": "Alarm"},
    "required": {"zh": "（必填）", "en": "(required)"},
    "empty": {"zh": "（空）", "en": "(empty)"},
    "red_flag": {
        "zh": "{kind}：同一住户、同一类别，近 {months} 个月内出现 {count} 次或以上",
        "en": "{kind}: the same flat and the same category, {count} or more times within {months} months",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    text = _T[key][_lang(lang)]
    return text.format(**values) if values else text


# --- fixed rules of the code ---------------------------------------------------------------------


def limits() -> dict[str, timedelta]:
    """Fixed lengths of time the code enforces, by the name a page uses."""
    from lobby import policy

    return {
        "rework": policy.REWORK_WITHIN,
        "staff-link": policy.STAFF_LINK_LIFETIME,
        "rating-link": policy.RESIDENT_LINK_LIFETIME,
        "autoclose": policy.AUTOCLOSE_AFTER,
        "duplicate-window": timedelta(seconds=policy.DEDUPE_WINDOW_SECONDS),
        "secret-cache": timedelta(seconds=policy.SECRET_CACHE_SECONDS),
    }


def render_limit(_catalog: Catalog, key: str, lang: str) -> str:
    known = limits()
    if key not in known:
        raise ValueError(f"no limit {key!r} (known: {', '.join(known)})")
    return handbook_blocks.render_duration(known[key], lang)


def render_red_flags(catalog: Catalog, lang: str) -> str:
    """The repeat thresholds the monthly statistics flag, from ``lobby.stats``."""
    from lobby.policy import REPEAT_THRESHOLDS, WINDOW_MONTHS

    items = "".join(
        f'<li data-kind="{_e(kind)}">'
        f"{_e(_t('red_flag', lang, kind=catalog.kinds[kind].name(lang), count=count, months=WINDOW_MONTHS))}</li>"
        for kind, count in REPEAT_THRESHOLDS.items()
        if kind in catalog.kinds
    )
    return f'<ul class="lobby-red-flags">{items}</ul>'


# --- staff actions ---------------------------------------------------------------------------------

ACTION_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "acknowledge": {
        "zh": "您成为首问负责人；住户收到通知，进度页显示您的姓名。与住户联系的时限就此达成。",
        "en": "You become the first-contact owner; the resident is told and the status page shows your name. "
        "This meets the contact deadline.",
    },
    "start": {
        "zh": "告诉住户工作已经开始。",
        "en": "Tells the resident the work has started.",
    },
    "wait": {
        "zh": "需要住户答复或配合时使用，须写明在等什么；处理时限暂停计时。",
        "en": "Use it when you need something from the resident, and say what; the finishing clock stops.",
    },
    "resume": {
        "zh": "住户已答复，继续处理；处理时限顺延等待的时间。",
        "en": "The resident has answered; work goes on and the deadline moves by the time spent waiting.",
    },
    "resolve": {
        "zh": "写明做了什么；住户收到结果和评价链接，回访随之排期。",
        "en": "Say what was done; the resident gets the result and a rating link, and the follow-up is scheduled.",
    },
    "retriage": {
        "zh": "上门确认后调整维修规模；处理时限按新规模重新计算。",
        "en": "After seeing the job, change its size; the deadline is worked out again for the new size.",
    },
    "reassign": {
        "zh": "交给更合适的部门；该部门收到邮件，时限不变。",
        "en": "Passes it to the right office, which gets the e-mail; the deadline does not change.",
    },
    "note": {
        "zh": "记录情况；可选择仅内部可见，或同时告知住户。",
        "en": "Records something; choose staff only, or also tell the resident.",
    },
    "cancel": {
        "zh": "住户撤回或重复提交时使用，须写明原因；住户会收到通知。",
        "en": "When the resident withdraws it or sent it twice; give the reason, and the resident is told.",
    },
}


def render_staff_actions(_catalog: Catalog, lang: str) -> str:
    """The actions an office e-mail offers, with what each does and in which states."""
    from lobby.lifecycle import ALLOWED, STAFF_ACTIONS
    from views.labels import action_label

    lang = _lang(lang)
    separator = "、" if lang == "zh" else ", "
    rows = []
    for action in STAFF_ACTIONS:
        description = ACTION_DESCRIPTIONS.get(action, {}).get(lang, "")
        states = separator.join(status_text(status, lang) for status in sorted(ALLOWED[action]))
        rows.append(
            f'<tr data-action="{_e(action)}"><th scope="row">{_e(action_label(action, lang))}</th>'
            f'<td data-label="{_e(_t("col_what", lang))}">{_e(description)}</td>'
            f'<td data-label="{_e(_t("col_when", lang))}">{_e(states)}</td></tr>'
        )
    head = "".join(
        f'<th scope="col">{_e(_t(key, lang))}</th>' for key in ("col_action", "col_what", "col_when")
    )
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-action-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# --- the SAM template -------------------------------------------------------------------------------


def _template() -> dict[str, Any]:
    return cfn.load_template(REPO / "template.yaml")


def _code(text: object) -> str:
    return f"<code>{_e(text)}</code>"


def render_template_parameters(_catalog: Catalog, lang: str) -> str:
    """Every parameter `sam deploy --guided` asks for, with its default and the template's own description."""
    lang = _lang(lang)
    rows = []
    for name, spec in (_template().get("Parameters") or {}).items():
        if "Default" not in spec:
            default = _e(_t("required", lang))
        elif spec["Default"] == "":
            default = _e(_t("empty", lang))
        else:
            default = _code(spec["Default"])
        description = " ".join(str(spec.get("Description", "")).split())
        rows.append(
            f'<tr><th scope="row">{_code(name)}</th><td data-label="{_e(_t("col_default", lang))}">{default}</td>'
            f'<td data-label="{_e(_t("col_meaning", lang))}">{_e(description)}</td></tr>'
        )
    head = "".join(
        f'<th scope="col">{_e(_t(key, lang))}</th>' for key in ("col_parameter", "col_default", "col_meaning")
    )
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-parameter-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _resources_of(template: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, resource.get("Properties") or {})
        for name, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == kind
    ]


def render_schedules(_catalog: Catalog, lang: str) -> str:
    """The scheduled functions: when each runs (in the property's time zone) and what it is for."""
    lang = _lang(lang)
    rows = []
    for name, properties in _resources_of(_template(), "AWS::Serverless::Function"):
        for event_name, event in (properties.get("Events") or {}).items():
            if event.get("Type") != "ScheduleV2":
                continue
            expression = event.get("Properties", {}).get("ScheduleExpression", "")
            description = " ".join(str(properties.get("Description", "")).split())
            rows.append(
                f'<tr><th scope="row">{_code(event_name)}</th>'
                f'<td data-label="{_e(_t("col_function", lang))}">{_code(name)}</td>'
                f'<td data-label="{_e(_t("col_schedule", lang))}">{_code(expression)}</td>'
                f'<td data-label="{_e(_t("col_meaning", lang))}">{_e(description)}</td></tr>'
            )
    head = "".join(
        f'<th scope="col">{_e(_t(key, lang))}</th>'
        for key in ("col_schedule_name", "col_function", "col_schedule", "col_meaning")
    )
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-schedule-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_alarms(_catalog: Catalog, lang: str) -> str:
    """Every CloudWatch alarm of the template and what it means."""
    lang = _lang(lang)
    rows = "".join(
        f'<tr><th scope="row">{_code(name)}</th><td data-label="{_e(_t("col_meaning", lang))}">'
        f"{_e(' '.join(str(p.get('AlarmDescription', '')).split()))}</td></tr>"
        for name, p in _resources_of(_template(), "AWS::CloudWatch::Alarm")
    )
    head = "".join(f'<th scope="col">{_e(_t(key, lang))}</th>' for key in ("col_alarm", "col_meaning"))
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-alarm-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
