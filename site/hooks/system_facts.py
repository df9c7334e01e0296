"""Facts the handbook reads from the system itself: the code's fixed rules, the SAM template.

A page never restates what the code or the template decides. It writes a
marker, and the build reads the value the code enforces: the rework promise,
a link's lifetime and the red-flag thresholds from ``lobby.policy``, the staff actions from
``lobby.lifecycle`` and ``lobby.notifications``, the parameters, schedules and
alarms from ``template.yaml``. When one of them changes, the handbook follows
at the next build; when one disappears, the build fails and says which.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

import cfn
import handbook_blocks

from lobby.catalog import Catalog
from views.messages import translate
from views.wording import status_text

REPO = Path(__file__).resolve().parents[2]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


# --- fixed rules of the code ---------------------------------------------------------------------


def limits() -> dict[str, timedelta]:
    """Fixed lengths of time the code enforces, by the name a page uses."""
    from desk.register import RECEIVED_WITHIN
    from desk.sessions import SESSION_LIFETIME
    from lobby import policy

    return {
        "sign-in-link": policy.SIGN_IN_LINK_LIFETIME,
        "desk-session": SESSION_LIFETIME,
        "registration-window": RECEIVED_WITHIN,
        "rework": policy.REWORK_WITHIN,
        "staff-link": policy.STAFF_LINK_LIFETIME,
        "rating-link": policy.RESIDENT_LINK_LIFETIME,
        "spot-check-link": policy.SPOT_CHECK_LINK_LIFETIME,
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
        f"{_e(translate(lang, 'facts.red_flag', kind=catalog.kinds[kind].name(lang), times=count, months=WINDOW_MONTHS))}</li>"
        for kind, count in REPEAT_THRESHOLDS.items()
        if kind in catalog.kinds
    )
    return f'<ul class="lobby-red-flags">{items}</ul>'


# --- staff actions ---------------------------------------------------------------------------------


def _table(
    css_class: str,
    lang: str,
    columns: tuple[str, ...],
    rows: list[tuple[str | None, list[str]]],
    attribute: str = "data-kind",
) -> str:
    """A table of facts headed by ``columns``, message keys (see handbook_blocks.table)."""
    headers = [translate(lang, key) for key in columns]
    return handbook_blocks.table(css_class, "", headers, rows, attribute)


def render_staff_actions(_catalog: Catalog, lang: str) -> str:
    """The actions an office e-mail offers, with what each does and in which states."""
    from lobby.lifecycle import ALLOWED, STAFF_ACTIONS
    from views.labels import action_label

    separator = translate(lang, "list_separator")
    rows = [
        (
            action,
            [
                _e(action_label(action, lang)),
                _e(translate(lang, f"facts.action.{action}")),
                _e(separator.join(status_text(status, lang) for status in sorted(ALLOWED[action]))),
            ],
        )
        for action in STAFF_ACTIONS
    ]
    columns = ("facts.col_action", "facts.col_what", "facts.col_when")
    return _table("lobby-action-table", lang, columns, rows, attribute="data-action")


# --- the SAM template -------------------------------------------------------------------------------


def _template() -> dict[str, Any]:
    return cfn.load_template(REPO / "template.yaml")


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[^A-Za-z0-9]+")


def _code(text: object) -> str:
    return f"<code>{_e(text)}</code>"


def _name(text: str) -> str:
    """A parameter's name as code that breaks only between its words (``Signing<wbr>Secret…``), never
    inside one: a phone's narrow table column otherwise splits it anywhere."""
    return '<code class="lobby-name">' + "<wbr>".join(_e(word) for word in _WORDS.findall(text)) + "</code>"


def _words(text: object) -> str:
    """A description from the template, its line breaks and runs of spaces folded."""
    return _e(" ".join(str(text).split()))


def render_template_parameters(_catalog: Catalog, lang: str) -> str:
    """Every parameter `sam deploy --guided` asks for, with its default and the template's own description."""
    rows = []
    for name, spec in (_template().get("Parameters") or {}).items():
        if "Default" not in spec:
            default = _e(translate(lang, "facts.required"))
        elif spec["Default"] == "":
            default = _e(translate(lang, "facts.empty"))
        else:
            default = _code(spec["Default"])
        rows.append((None, [_name(name), default, _words(spec.get("Description", ""))]))
    columns = ("facts.col_parameter", "facts.col_default", "facts.col_meaning")
    return _table("lobby-parameter-table", lang, columns, rows)


def _resources_of(template: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, resource.get("Properties") or {})
        for name, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == kind
    ]


def render_schedules(_catalog: Catalog, lang: str) -> str:
    """The scheduled functions: when each runs (in the property's time zone) and what it is for."""
    rows = [
        (
            None,
            [
                _code(event_name),
                _code(name),
                _code(event.get("Properties", {}).get("ScheduleExpression", "")),
                _words(properties.get("Description", "")),
            ],
        )
        for name, properties in _resources_of(_template(), "AWS::Serverless::Function")
        for event_name, event in (properties.get("Events") or {}).items()
        if event.get("Type") == "ScheduleV2"
    ]
    columns = ("facts.col_schedule_name", "facts.col_function", "facts.col_schedule", "facts.col_meaning")
    return _table("lobby-schedule-table", lang, columns, rows)


def render_alarms(_catalog: Catalog, lang: str) -> str:
    """Every CloudWatch alarm of the template and what it means."""
    rows = [
        (None, [_code(name), _words(properties.get("AlarmDescription", ""))])
        for name, properties in _resources_of(_template(), "AWS::CloudWatch::Alarm")
    ]
    return _table("lobby-alarm-table", lang, ("facts.col_alarm", "facts.col_meaning"), rows)
