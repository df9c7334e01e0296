"""The desk's queue and the company view: open requests by their next deadline, overdue first and marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lobby.catalog import Catalog
from views.messages import translate
from views.page import e
from views.pages.desk_shell import COMPANY_PATH, QUEUE_PATH, card_path, csrf_field, desk_page, t
from views.wording import duration_text, local_time, status_text

if TYPE_CHECKING:
    from desk.queue import Row
    from desk.roster import Staff

FILTERS = ("all", "mine", "unassigned", "overdue", "waiting")
FLAT_EXAMPLE = "3栋 1502"  # how a flat is typed in the search box


def time_left(row: Row, lang: str) -> str:
    if row.time_left is None:
        return translate(lang, "desk.queue.no_clock")
    if row.overdue:
        return translate(lang, "desk.queue.overdue_by", time=duration_text(-row.time_left, lang))
    return translate(lang, "desk.queue.left", time=duration_text(row.time_left, lang))


def _row_html(catalog: Catalog, row: Row, lang: str, show_office: bool) -> str:
    request = row.request
    kind = catalog.kinds[request.kind].name(lang)
    office = f" · {e(catalog.offices[request.office].name(lang))}" if show_office else ""
    badge = (
        f'<strong class="desk-badge desk-badge--overdue">{t(lang, "desk.queue.overdue")}</strong> '
        if row.overdue
        else ""
    )
    due = local_time(catalog, row.due, lang) if row.due else ""
    facts = [
        (translate(lang, "desk.queue.location"), request.location or "—"),
        (translate(lang, "desk.queue.owner"), request.owner or translate(lang, "desk.queue.nobody")),
        (translate(lang, "desk.queue.state"), status_text(request.status, lang)),
    ]
    facts_html = "".join(f"<div><dt>{e(label)}</dt><dd>{e(value)}</dd></div>" for label, value in facts)
    due_html = f' <span class="desk-row__due">({e(due)})</span>' if due else ""
    classes = "desk-row desk-row--overdue" if row.overdue else "desk-row"
    return (
        f'<li class="{classes}">'
        f'<div class="desk-row__head">{badge}<a class="desk-row__ref" href="{card_path(request.reference)}">'
        f"{e(request.reference)}</a> <span>{e(kind)}{office}</span></div>"
        f'<dl class="desk-row__facts">{facts_html}</dl>'
        f'<p class="desk-row__left">{e(time_left(row, lang))}{due_html}</p>'
        "</li>"
    )


def rows_html(catalog: Catalog, rows: list[Row], lang: str, show_office: bool = False) -> str:
    if not rows:
        return f'<p class="desk-empty">{t(lang, "desk.queue.empty")}</p>'
    items = "".join(_row_html(catalog, row, lang, show_office) for row in rows)
    return f'<ol class="desk-queue">{items}</ol>'


def _filters(lang: str, chosen: str, path: str) -> str:
    items = []
    for name in FILTERS:
        label = t(lang, f"desk.filter.{name}")
        href = path if name == "all" else f"{path}?filter={name}"
        current = ' aria-current="true"' if name == chosen else ""
        items.append(f'<li><a class="desk-filter" href="{href}"{current}>{label}</a></li>')
    return f'<nav aria-label="{t(lang, "desk.filter.label")}"><ul class="desk-filters">{"".join(items)}</ul></nav>'


def _search(lang: str, csrf: str, term: str, path: str) -> str:
    # A POST, so that what is searched for (a phone's digits, a flat) never sits in a URL or a log.
    return (
        f'<form class="desk-search" method="post" action="{path}" role="search">{csrf_field(csrf)}'
        f'<label class="lobby-label" for="f-q">{t(lang, "desk.search.label")}</label>'
        f'<div class="lobby-hint" id="f-q-hint">{t(lang, "desk.search.hint", flat=FLAT_EXAMPLE)}</div>'
        f'<div class="desk-search__row"><input class="lobby-input" type="search" id="f-q" name="q" '
        f'maxlength="40" autocomplete="off" aria-describedby="f-q-hint" value="{e(term)}">'
        f'<button type="submit" class="lobby-button">{t(lang, "desk.search.button")}</button></div></form>'
    )


def queue_page(
    catalog: Catalog,
    staff: Staff,
    csrf: str,
    rows: list[Row],
    lang: str,
    chosen: str = "all",
    term: str | None = None,
) -> str:
    office = catalog.offices[staff.office].name(lang)
    title = translate(lang, "desk.queue.title", office=office)
    heading = (
        translate(lang, "desk.search.results", n=len(rows))
        if term is not None
        else translate(lang, "desk.queue.count", n=len(rows))
    )
    body = (
        f"<h1>{e(title)}</h1>{_search(lang, csrf, term or '', QUEUE_PATH)}"
        f"{_filters(lang, chosen, QUEUE_PATH)}<h2>{e(heading)}</h2>"
        f"{rows_html(catalog, rows, lang, show_office=staff.sees_all and term is not None)}"
    )
    return desk_page(lang, title, body, staff, csrf, QUEUE_PATH)


def company_page(catalog: Catalog, staff: Staff, csrf: str, rows: list[Row], lang: str, chosen: str) -> str:
    title = translate(lang, "desk.company.title")
    overdue = sum(1 for row in rows if row.overdue)
    body = (
        f"<h1>{e(title)}</h1><p>{t(lang, 'desk.company.intro')}</p>"
        f"{_filters(lang, chosen, COMPANY_PATH)}"
        f"<h2>{t(lang, 'desk.company.overdue', n=overdue)}</h2>"
        f"{rows_html(catalog, rows, lang, show_office=True)}"
    )
    return desk_page(lang, title, body, staff, csrf, COMPANY_PATH)
