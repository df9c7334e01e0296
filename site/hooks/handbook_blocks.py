"""The handbook's fact blocks, rendered from the catalog at build time.

Emergency numbers, office hours, prices, each kind's deadlines, and the tables of the staff and
administrators' pages. Only the site build uses them, so they live with its hooks and never ship
in a Lambda package; the forms, which the API renders too, are ``views.forms``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from html import escape
from pathlib import Path

import material

from lobby.catalog import Catalog, Kind, Rule
from lobby.policy import SERVICE_LINE_HOURS
from lobby.sampling import sample_size
from views.forms import price_text
from views.messages import message, translate
from views.page import page_url
from views.wording import STATUSES, describe_period, describe_rule, describe_timedelta, status_text


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _html(lang: str, key: str, **html: str) -> str:
    """A sentence of the catalog, escaped, with placeholders filled by markup (escaped by the caller)."""
    return _e(message(lang, key)).format(**html)


def tel_href(number: str) -> str:
    """A ``tel:`` link for a number as people write it (``0755-2688 0000`` → ``tel:075526880000``)."""
    digits = "".join(char for char in number if char.isdigit() or char == "+")
    return f"tel:{digits}"


def render_emergency(catalog: Catalog, lang: str) -> str:
    """The emergency numbers, as links a phone can dial; shown before any form where it matters."""
    numbers = catalog.property.emergency_numbers
    services = [
        (numbers.medical, translate(lang, "handbook.emergency_medical")),
        (numbers.police, translate(lang, "handbook.emergency_police")),
        (numbers.fire, translate(lang, "handbook.emergency_fire")),
    ]
    items = "".join(
        f'<li><a class="lobby-emergency__number" href="{_e(tel_href(number))}">{_e(number)}</a> '
        f'<span class="lobby-emergency__service">{_e(service)}</span></li>\n'
        for number, service in services
    )
    office = catalog.property.phone_24h
    phone = f'<a class="lobby-emergency__number" href="{_e(tel_href(office))}">{_e(office)}</a>'
    return (
        f'<aside class="lobby-emergency" aria-label="{_e(translate(lang, "handbook.emergency_title"))}">'
        f'<p class="lobby-emergency__title">{_e(translate(lang, "handbook.emergency_title"))}</p>'
        f"<p>{_e(translate(lang, 'handbook.emergency_lead'))}</p>"
        f'<ul class="lobby-emergency__list">{items}</ul>'
        f'<p class="lobby-emergency__office">{_html(lang, "handbook.emergency_office", line_hours=_e(SERVICE_LINE_HOURS), phone=phone)}</p>'
        "</aside>"
    )


def render_emergency_strip(catalog: Catalog, lang: str) -> str:
    """The emergency numbers in a short strip: what the home page and the urgent kinds' pages open with.

    The same numbers as ``render_emergency`` as big tap targets, without its paragraphs (the
    emergencies page has those), so the form or the tiles below still start on a phone's first screen.
    """
    numbers = catalog.property.emergency_numbers
    services = [
        (numbers.medical, translate(lang, "handbook.emergency_medical")),
        (numbers.police, translate(lang, "handbook.emergency_police")),
        (numbers.fire, translate(lang, "handbook.emergency_fire")),
        (catalog.property.phone_24h, translate(lang, "handbook.line_office", line_hours=SERVICE_LINE_HOURS)),
    ]
    items = "".join(
        f'<li><a class="lobby-emergency__number" href="{_e(tel_href(number))}">{_e(number)}</a> '
        f'<span class="lobby-emergency__service">{_e(service)}</span></li>\n'
        for number, service in services
    )
    title = _e(translate(lang, "handbook.emergency_title"))
    return (
        f'<aside class="lobby-emergency lobby-emergency--strip" aria-label="{title}">'
        f'<p class="lobby-emergency__title">{title}</p>'
        f'<ul class="lobby-emergency__list">{items}</ul>'
        "</aside>"
    )


def render_emergency_line(catalog: Catalog, lang: str) -> str:
    """One line for the top of every page: the emergency numbers and the office's 24-hour line."""
    numbers = catalog.property.emergency_numbers
    services = [
        (translate(lang, "handbook.emergency_medical"), numbers.medical),
        (translate(lang, "handbook.emergency_police"), numbers.police),
        (translate(lang, "handbook.emergency_fire"), numbers.fire),
        (translate(lang, "handbook.line_office", line_hours=SERVICE_LINE_HOURS), catalog.property.phone_24h),
    ]
    items = " · ".join(
        f'<span>{_e(service)} <a href="{_e(tel_href(number))}">{_e(number)}</a></span>'
        for service, number in services
    )
    colon = translate(lang, "colon")
    return f'<p class="lobby-emergency-line"><strong>{_e(translate(lang, "handbook.line_title"))}</strong>{colon}{items}</p>'


def _capitalised(text: str, lang: str) -> str:
    # Definitions read as sentences ("Within 8 hours"); a language without case is left as it is.
    return text[:1].upper() + text[1:]


def _follow_up_text(kind: Kind, lang: str) -> str:
    follow_up = kind.follow_up
    if follow_up.coverage == "none":
        return translate(lang, "handbook.follow_up.none")
    if follow_up.within.is_none:
        return translate(lang, "handbook.follow_up.any")
    within = _capitalised(describe_rule(follow_up.within, lang), lang)
    return _and_agreements(
        kind, lang, translate(lang, f"handbook.follow_up.{follow_up.coverage}", within=within)
    )


def _and_agreements(kind: Kind, lang: str, one_off: str, key: str = "handbook.follow_up.agreements") -> str:
    """A kind's follow-up text, and, when it books long-term agreements, how those are followed up (seed 002:
    halfway through the term and after its end, every agreement)."""
    if kind.follow_up.agreements is None:
        return one_off
    agreements = translate(lang, key, within=describe_rule(kind.follow_up.within, lang))
    return translate(lang, "handbook.follow_up.and_agreements", one_off=one_off, agreements=agreements)


def _resolve_html(catalog: Catalog, kind: Kind, lang: str) -> str:
    resolve = kind.deadlines.resolve
    if not isinstance(resolve, dict):
        return _e(_capitalised(describe_rule(resolve, lang, urgent=kind.urgent), lang))
    by = kind.field(kind.deadlines.resolve_by or "")
    labels = catalog.choices(by)
    colon = translate(lang, "colon")
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
    hours = catalog.property.office_hours
    return f"{_weekdays_text(catalog, lang)} {hours.open:%H:%M}–{hours.close:%H:%M}"


def office_service_hours_text(catalog: Catalog, office_id: str, lang: str) -> str:
    """An office's own service hours, e.g. "每天 08:00–18:00，节假日照常；24 小时值班电话 ..."."""
    hours = catalog.offices[office_id].hours
    if hours is None:  # the property's office hours and calendar
        return translate(
            lang,
            "handbook.hours_then_holidays",
            hours=office_hours_text(catalog, lang),
            holidays=translate(lang, "handbook.hours_holidays"),
        )
    days = translate(lang, "handbook.every_day") if len(hours.days) == 7 else _days_text(hours.days, lang)
    key = (
        "handbook.service_hours_open_on_holidays"
        if hours.public_holidays == "open"
        else "handbook.service_hours_closed_on_holidays"
    )
    text = translate(lang, key, days=days, open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}")
    if hours.duty_line:
        text += translate(
            lang, "handbook.service_hours_duty_line", line_hours=SERVICE_LINE_HOURS, phone=hours.duty_line
        )
    return text


def _weekdays_text(catalog: Catalog, lang: str) -> str:
    return _days_text(catalog.property.calendar.working_weekdays, lang)


def _days_text(weekdays: frozenset[int], lang: str) -> str:
    days = sorted(weekdays)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        first, last = (translate(lang, f"weekday.{day}") for day in (days[0], days[-1]))
        return translate(lang, "handbook.day_range", first=first, last=last)
    return translate(lang, "list_separator").join(translate(lang, f"weekday.{day}") for day in days)


def render_deadlines(catalog: Catalog, kind_id: str, lang: str) -> str:
    """A kind's promises: when we contact you, when we finish, the follow-up call, who handles it."""
    kind = catalog.kinds[kind_id]
    rows = [
        (
            translate(lang, "handbook.dl_acknowledge"),
            _e(_capitalised(describe_rule(kind.deadlines.acknowledge, lang, urgent=kind.urgent), lang)),
        ),
        (translate(lang, "handbook.dl_resolve"), _resolve_html(catalog, kind, lang)),
        (translate(lang, "handbook.dl_follow_up"), _e(_follow_up_text(kind, lang))),
        (translate(lang, "handbook.dl_office"), _office_html(catalog, kind, lang)),
    ]
    items = "".join(f"<div><dt>{_e(term)}</dt>\n<dd>{value}</dd></div>\n" for term, value in rows)
    note = ""
    if any(rule == "same-day" or rule.endswith(("wd", "h", "m")) for rule in _kind_rules(kind)):
        note = f'<p class="lobby-deadlines__note">{_e(translate(lang, "handbook.office_time_note"))}</p>'
    return f'<div class="lobby-deadlines" data-kind="{_e(kind.id)}"><dl>{items}</dl>{note}</div>'


def render_office_hours(catalog: Catalog, lang: str) -> str:
    """Office hours and the 24-hour line."""
    phone = catalog.property.phone_24h
    hours = translate(
        lang,
        "handbook.hours_with_holidays",
        hours=office_hours_text(catalog, lang),
        holidays=translate(lang, "handbook.hours_holidays"),
    )
    return (
        '<dl class="lobby-office-hours">'
        f"<div><dt>{_e(translate(lang, 'handbook.hours_label'))}</dt><dd>{_e(hours)}</dd></div>"
        f"<div><dt>{_e(translate(lang, 'handbook.line_label', line_hours=SERVICE_LINE_HOURS))}</dt>"
        f'<dd><a href="{_e(tel_href(phone))}">{_e(phone)}</a></dd></div>'
        "</dl>"
    )


def render_prices(catalog: Catalog, lang: str) -> str:
    """The paid-service price list."""
    rows = "".join(
        f"<tr><td>{_e(price.name(lang))}</td><td>{_e(price_text(catalog, key, lang))}</td></tr>"
        for key, price in catalog.prices.items()
    )
    return (
        '<table class="lobby-prices">'
        f"<caption>{_e(translate(lang, 'handbook.price_caption'))}</caption>"
        f'<thead><tr><th scope="col">{_e(translate(lang, "handbook.price_service"))}</th>'
        f'<th scope="col">{_e(translate(lang, "handbook.price_price"))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def render_kinds(catalog: Catalog, lang: str) -> str:
    """Every request kind with a link to its page and its one-line summary."""
    separator = translate(lang, "colon")
    items = "".join(
        f'<li><a href="{_e(page_url(lang, kind.page))}">{_e(kind.name(lang))}</a>'
        f"{separator}{_e(kind.summary(lang))}</li>\n"
        for kind in catalog.kinds.values()
    )
    return f'<ul class="lobby-kinds">{items}</ul>'


# Each tile's picture, from Material's own icon set; a kind added to the catalog later gets the last one.
TILE_ICONS = {
    "repair": "material/wrench-outline",
    "complaint": "material/message-alert-outline",
    "consultation": "material/comment-question-outline",
    "help": "material/hand-heart-outline",
    "coordination": "material/account-group-outline",
    "suggestion": "material/lightbulb-on-outline",
    "paid-service": "material/room-service-outline",
}
DEFAULT_TILE_ICON = "material/file-document-edit-outline"
_ICONS = Path(material.__file__).parent / "templates" / ".icons"


@cache
def icon_svg(name: str) -> str:
    """One of Material's icons as inline SVG, hidden from screen readers (the tile's words say it all)."""
    svg = (_ICONS / f"{name}.svg").read_text(encoding="utf-8").strip()
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


STATUS_TILE_ICON = "material/clipboard-search-outline"


def _tile(href: str, icon: str, name: str, summary: str, attributes: str) -> str:
    return (
        f'<li><a class="lobby-tile" href="{_e(href)}" {attributes}>'
        f'<span class="lobby-tile__icon">{icon_svg(icon)}</span>'
        f'<span class="lobby-tile__name">{_e(name)}</span>'
        f'<span class="lobby-tile__summary">{_e(summary)}</span></a></li>\n'
    )


def render_tiles(catalog: Catalog, lang: str) -> str:
    """One tile per request kind of the catalog, each a link to that kind's page, where its form starts;
    then one to look a request up."""
    tiles = [
        _tile(
            page_url(lang, kind.page),
            TILE_ICONS.get(kind.id, DEFAULT_TILE_ICON),
            kind.name(lang),
            kind.summary(lang),
            f'data-kind="{_e(kind.id)}"',
        )
        for kind in catalog.kinds.values()
    ]
    tiles.append(
        _tile(
            page_url(lang, "status"),
            STATUS_TILE_ICON,
            translate(lang, "handbook.tile_status"),
            translate(lang, "handbook.tile_status_summary"),
            'data-page="status"',
        )
    )
    label = _e(translate(lang, "handbook.tiles_label"))
    return (
        f'<nav class="lobby-tiles" aria-label="{label}"><ul class="lobby-tiles__list">\n'
        f"{''.join(tiles)}</ul></nav>"
    )


def render_retention(catalog: Catalog, lang: str) -> str:
    """How long request records are kept after closing, e.g. "2 年（730 天）"."""
    days = catalog.property.retention_days
    years, rest = divmod(days, 365)
    if years and not rest:
        text = translate(lang, "handbook.retention.years", count=years, days=days)
    else:
        text = translate(lang, "handbook.retention.days", count=days)
    return f'<span class="lobby-retention">{_e(text)}</span>'


# --- handbook tables over the whole catalog ------------------------------------------------------


def _kind_link(kind: Kind, lang: str) -> str:
    return f'<a href="{_e(page_url(lang, kind.page))}">{_e(kind.name(lang))}</a>'


def table(
    css_class: str,
    caption: str,
    headers: list[str],
    rows: list[tuple[str | None, list[str]]],
    attribute: str = "data-kind",
) -> str:
    """A table whose first cell is each row's header; ``rows`` are (``attribute``'s value, trusted cell HTML).

    A row whose value is None has no attribute; an empty caption, no caption element.
    """
    head = "".join(f'<th scope="col">{_e(header)}</th>' for header in headers)
    # data-label repeats the column header in each cell, for the stacked layout on narrow screens.
    body = "".join(
        ("<tr>" if value is None else f'<tr {attribute}="{_e(value)}">')
        + f'<th scope="row">{cells[0]}</th>'
        + "".join(
            f'<td data-label="{_e(header)}">{cell}</td>'
            for header, cell in zip(headers[1:], cells[1:], strict=True)
        )
        + "</tr>"
        for value, cells in rows
    )
    captioned = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f'<div class="lobby-table-wrap"><table class="{css_class}">{captioned}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def render_deadline_table(catalog: Catalog, lang: str) -> str:
    """Every kind's promises in one table: contact, finish, follow-up, office."""
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
        translate(lang, key)
        for key in (
            "handbook.col_kind",
            "handbook.dl_acknowledge",
            "handbook.dl_resolve",
            "handbook.dl_follow_up",
            "handbook.dl_office",
        )
    ]
    html = table("lobby-deadline-table", translate(lang, "handbook.deadline_caption"), headers, rows)
    return f'{html}<p class="lobby-deadlines__note">{_e(translate(lang, "handbook.office_time_note"))}</p>'


def _coverage_text(kind: Kind, lang: str) -> str:
    return translate(lang, f"handbook.coverage.{kind.follow_up.coverage}")


def render_follow_ups(catalog: Catalog, lang: str) -> str:
    """When each kind is followed up after completion, and whether every request or a sample."""
    rows = []
    for kind in catalog.kinds.values():
        within = kind.follow_up.within
        if kind.follow_up.coverage == "none":
            when = "—"
        elif within.is_none:
            when = translate(lang, "handbook.follow_up.any")
        else:
            when = translate(lang, "handbook.follow_up.within", within=describe_rule(within, lang))
            when = _and_agreements(kind, lang, when)
        coverage = _and_agreements(kind, lang, _coverage_text(kind, lang), "handbook.coverage.agreements")
        rows.append((kind.id, [_kind_link(kind, lang), _e(_capitalised(when, lang)), _e(coverage)]))
    headers = [
        translate(lang, key)
        for key in ("handbook.col_kind", "handbook.col_follow_up_when", "handbook.col_follow_up_coverage")
    ]
    return table("lobby-follow-up-table", translate(lang, "handbook.follow_up_caption"), headers, rows)


# Work-order counts that show each band of the sampling rule (seed 002) and its edges.
SAMPLING_EXAMPLES = (3, 10, 19, 20, 40, 50, 51, 80, 99, 100, 250)


def render_sampling_table(catalog: Catalog, lang: str) -> str:
    """How many sampled requests are followed up in a month, computed by the scheduler's own rule."""
    sampled = [kind.name(lang) for kind in catalog.kinds.values() if kind.follow_up.coverage == "sampled"]
    rows = []
    for orders in SAMPLING_EXAMPLES:
        size = sample_size(orders)
        share = f"{round(100 * min(size, orders) / orders)}%"
        rows.append(("", [_e(orders), _e(size), _e(share)]))
    headers = [
        translate(lang, key) for key in ("handbook.col_orders", "handbook.col_sample", "handbook.col_share")
    ]
    caption = translate(
        lang, "handbook.sampling_caption", kinds=translate(lang, "list_separator").join(sampled)
    )
    return table("lobby-sampling-table", caption, headers, rows)


def _escalation_text(catalog: Catalog, rule: Rule, office_id: str | None, lang: str) -> str:
    office = catalog.offices[office_id].name(lang) if office_id in catalog.offices else ""
    return translate(lang, "handbook.escalate_after", period=describe_period(rule, lang), office=office)


def render_reminders(catalog: Catalog, lang: str) -> str:
    """The reminder ladder of every kind: early warning, repeats, the director, the company."""
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
                    _e(translate(lang, "handbook.warn_at", percent=ladder.warn_at_percent)),
                    _e(
                        translate(
                            lang, "handbook.repeat_every", period=describe_period(ladder.repeat_every, lang)
                        )
                    ),
                    _e(_escalation_text(catalog, ladder.escalate_director_after, director, lang)),
                    _e(_escalation_text(catalog, ladder.escalate_quality_after, quality, lang)),
                ],
            )
        )
    headers = [
        translate(lang, key)
        for key in (
            "handbook.col_kind",
            "handbook.col_warn",
            "handbook.col_repeat",
            "handbook.col_director",
            "handbook.col_quality",
        )
    ]
    urgent = [kind.name(lang) for kind in catalog.kinds.values() if kind.urgent]
    note = (
        translate(lang, "handbook.reminder_note", urgent=translate(lang, "list_separator").join(urgent))
        if urgent
        else translate(lang, "handbook.reminder_note_none_urgent")
    )
    html = table("lobby-reminder-table", translate(lang, "handbook.reminder_caption"), headers, rows)
    return f'{html}<p class="lobby-deadlines__note">{_e(note)}</p>'


def render_staff_procedure(catalog: Catalog, kind_id: str, lang: str) -> str:
    """What staff do with a request of this kind, as the catalog words it."""
    kind = catalog.kinds[kind_id]
    return f'<p class="lobby-procedure" data-kind="{_e(kind.id)}">{_e(kind.staff_procedure(lang))}</p>'


def render_offices(catalog: Catalog, lang: str) -> str:
    """The offices and where each one escalates."""
    rows = []
    for office_id, office in catalog.offices.items():
        above = (
            catalog.offices[office.director].name(lang)
            if office.director
            else translate(lang, "handbook.reports_to_none")
        )
        rows.append((office_id, [_e(office.name(lang)), _e(above)]))
    headers = [translate(lang, "handbook.col_office"), translate(lang, "handbook.col_reports_to")]
    return table("lobby-office-table", "", headers, rows)


def render_duration(delta: timedelta, lang: str) -> str:
    """A length of time the code enforces (a rework promise, a link's lifetime), inline."""
    return f'<span class="lobby-duration">{_e(describe_timedelta(delta, lang))}</span>'


def render_statuses(_catalog: Catalog, lang: str) -> str:
    """Every status a resident can see, with what it means for them."""
    items = "".join(
        f'<div data-status="{_e(status)}"><dt>{_e(status_text(status, lang))}</dt>'
        f"<dd>{_e(translate(lang, f'handbook.status.{status}'))}</dd></div>"
        for status in STATUSES
    )
    return f'<dl class="lobby-statuses">{items}</dl>'
