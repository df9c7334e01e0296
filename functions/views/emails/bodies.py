"""The e-mails' bodies, in plain text and in HTML, from the context their builders assemble.

Written as Python, like the forms in ``views.forms``: every value passes ``_e`` once, where it
enters the HTML, so nothing a resident typed can add markup. (Jinja templates said the same
for about 20 ms of every mailing function's cold start: importing and compiling them.)

Each body is ``render(name, context)`` → ``(text, html)``; the names are the shapes the e-mails
of ``views.emails`` take. A context is a dict of plain values; a report table is a ``Table``
(or any object with ``title``, ``columns``, ``rows``, ``empty`` and ``note``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from msgspec import Struct

Context = dict[str, Any]


class Link(Struct, frozen=True):
    """A table cell that links somewhere (a request's card): its text, and its URL in the text part."""

    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.text} <{self.url}>"


def _cell_html(cell: object) -> str:
    if isinstance(cell, Link):
        return f'<a href="{_e(cell.url)}" style="color:#1d70b8;">{_e(cell.text)}</a>'
    return _e(cell)


class Table(Struct, frozen=True):
    """A table of the digest or the monthly report: its title, columns, rows, and what to say when empty."""

    title: str
    columns: list[str]
    rows: Sequence[Sequence[str | Link]]  # a cell is text, or a Link (a request's card)
    empty: str = ""
    note: str = ""


_H1 = '<h1 style="font-size:22px;margin:0 0 8px;">'
_H2 = '<h2 style="font-size:18px;margin:24px 0 8px;">'
_ROW_TH = (
    '<tr><th style="text-align:left;vertical-align:top;padding:6px 12px 6px 0;'
    'border-bottom:1px solid #e5e5e5;width:{width};">'
)
_TABLE = '<table style="border-collapse:collapse;width:100%;font-size:{size}px;">'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(c: Context, body: str) -> str:
    """The frame every HTML e-mail shares: the property's name above, the footer below."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(c["lang"])}">\n'
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{_e(c['subject'])}</title></head>\n"
        '<body style="margin:0;padding:0;background:#f3f2f1;'
        "font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#0b0c0c;\">\n"
        '<div style="max-width:640px;margin:0 auto;background:#ffffff;padding:24px;">\n'
        f'<p style="margin:0 0 16px;font-size:14px;color:#505a5f;">{_e(c["property_name"])}</p>\n'
        f"{body}\n"
        '<hr style="border:0;border-top:1px solid #b1b4b6;margin:24px 0 12px;">\n'
        f'<p style="font-size:13px;color:#505a5f;margin:0;">{_e(c["footer"])}</p>\n'
        "</div>\n</body>\n</html>"
    )


def _pairs_html(pairs: Iterable[tuple[object, object]], width: str, cell_style: str = "") -> str:
    """Label/value rows, one line each."""
    return "".join(
        f"{_ROW_TH.format(width=width)}{_e(label)}</th>"
        f'<td style="padding:6px 0;border-bottom:1px solid #e5e5e5;{cell_style}">{_e(value)}</td></tr>\n'
        for label, value in pairs
    )


def _table_html(table: Any) -> str:
    """A report table of the digest and the monthly report, or its text for an empty one."""
    parts = [f"\n{_H2}{_e(table.title)}</h2>\n"]
    if table.rows:
        head = "".join(
            '<th scope="col" style="text-align:left;vertical-align:bottom;padding:6px 8px 6px 0;'
            f'border-bottom:2px solid #b1b4b6;">{_e(column)}</th>'
            for column in table.columns
        )
        rows = "".join(
            "<tr>"
            + "".join(
                '<td style="vertical-align:top;padding:6px 8px 6px 0;border-bottom:1px solid #e5e5e5;">'
                f"{_cell_html(cell)}</td>"
                for cell in row
            )
            + "</tr>\n"
            for row in table.rows
        )
        parts.append(f"{_TABLE.format(size=14)}\n<tr>{head}</tr>\n{rows}</table>\n")
    else:
        parts.append(f'<p style="font-size:15px;margin:0;">{_e(table.empty)}</p>\n')
    if table.note:
        parts.append(
            f'<p style="font-size:13px;line-height:1.6;color:#505a5f;margin:8px 0 0;">{_e(table.note)}</p>\n'
        )
    return "".join(parts) + "\n"


def _table_text(table: Any) -> str:
    text = f"{table.title}\n"
    if table.rows:
        text += " | ".join(map(str, table.columns)) + "\n"
        text += "".join("- " + " | ".join(map(str, row)) + "\n" for row in table.rows)
    else:
        text += f"{table.empty}\n"
    if table.note:
        text += f"({table.note})\n"
    return text


def _report_intro_html(c: Context) -> str:
    return f'\n{_H1}{_e(c["heading"])}</h1>\n<p style="font-size:15px;line-height:1.6;margin:0 0 16px;">{_e(c["intro"])}</p>\n'


# --- the e-mails -------------------------------------------------------------------------------------------


def office_submitted(c: Context) -> tuple[str, str]:
    """A request for the office: what was asked, by when, the procedure, and the action links."""
    card_label, card_url = c["card"]
    alert = c.get("alert")
    text = (
        f"{c['heading']}\n{c['reference']}\n{card_label}: {card_url}\n\n"
        + (f"{alert}\n\n" if alert else "")
        + "".join(f"{label}: {value}\n" for label, value in c["summary"])
        + f"\n{c['fields_heading']}\n"
        + "".join(f"- {label}: {value}\n" for label, value in c["fields"])
        + f"\n{c['procedure_heading']}\n{c['procedure']}\n"
    )
    if c["actions"]:
        text += f"\n{c['actions_heading']}\n" + "".join(f"- {label}: {url}\n" for label, url in c["actions"])
    text += f"\n--\n{c['footer']}"

    body = (
        f"\n{_H1}{_e(c['heading'])}</h1>\n"
        f'<p style="font-size:18px;margin:0 0 8px;"><strong>{_e(c["reference"])}</strong></p>\n'
        f'<p style="font-size:15px;margin:0 0 16px;"><a href="{_e(card_url)}" style="color:#1d70b8;">'
        f"{_e(card_label)}</a></p>\n"
        + (
            '<p style="font-size:15px;line-height:1.6;margin:0 0 16px;padding:8px 12px;'
            f'border-left:5px solid #d4351c;background:#fbeae8;"><strong>{_e(alert)}</strong></p>\n'
            if alert
            else ""
        )
        + f"{_TABLE.format(size=15)}\n{_pairs_html(c['summary'], '35%', 'white-space:pre-wrap;')}\n</table>\n"
        f"{_H2}{_e(c['fields_heading'])}</h2>\n"
        f"{_TABLE.format(size=15)}\n{_pairs_html(c['fields'], '35%', 'white-space:pre-wrap;')}\n</table>\n"
        f"{_H2}{_e(c['procedure_heading'])}</h2>\n"
        f'<p style="font-size:15px;line-height:1.6;">{_e(c["procedure"])}</p>\n'
    )
    if c["actions"]:
        buttons = "".join(
            f'<a href="{_e(url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;'
            f'background:#00703c;color:#ffffff;text-decoration:none;border-radius:3px;">{_e(label)}</a>'
            for label, url in c["actions"]
        )
        body += f"\n{_H2}{_e(c['actions_heading'])}</h2>\n<p>{buttons}</p>\n"
    return text, _page(c, body + "\n")


def resident_message(c: Context) -> tuple[str, str]:
    """A message to the resident: what happened, what comes next, and a link when there is one."""
    text = f"{c['heading']}\n\n{c['reference_label']}: {c['reference']}\n\n"
    text += "".join(f"{paragraph}\n\n" for paragraph in c["paragraphs"])
    if c["steps"]:
        text += f"{c['steps_heading']}\n" + "".join(f"- {step}\n" for step in c["steps"]) + "\n"
    if c["link"]:
        text += f"{c['link_label']}: {c['link']}\n"
    text += f"\n--\n{c['footer']}"

    body = (
        f"\n{_H1}{_e(c['heading'])}</h1>\n"
        f'<p style="margin:0 0 4px;font-size:15px;">{_e(c["reference_label"])}</p>\n'
        f'<p style="font-size:22px;margin:0 0 16px;"><strong>{_e(c["reference"])}</strong></p>\n'
        + "".join(
            f'<p style="font-size:16px;line-height:1.6;">{_e(paragraph)}</p>\n'
            for paragraph in c["paragraphs"]
        )
        + "\n"
    )
    if c["steps"]:
        items = "".join(f"<li>{_e(step)}</li>" for step in c["steps"])
        body += (
            f"{_H2}{_e(c['steps_heading'])}</h2>\n"
            f'<ul style="font-size:16px;line-height:1.6;padding-left:20px;">{items}</ul>'
        )
    body += "\n"
    # A labelled button, never the raw address: a long signed link runs off a phone's screen.
    if c["link"]:
        link = _e(c["link"])
        body += (
            f'<p><a href="{link}" style="display:inline-block;padding:10px 16px;background:#1d70b8;'
            f'color:#ffffff;text-decoration:none;border-radius:3px;">{_e(c["link_label"])}</a></p>\n'
        )
    return text, _page(c, body + "\n")


def digest(c: Context) -> tuple[str, str]:
    """An office's morning list: overdue, due today, follow-ups; a link to the desk's queue above them
    when the context has one (``queue``: label and URL; the calendar warning, in this shape, has none)."""
    text = f"{c['heading']}\n\n{c['intro']}\n"
    queue = ""
    if c.get("queue"):
        queue_label, queue_url = c["queue"]
        text += f"{queue_label}: {queue_url}\n"
        queue = (
            f'<p><a href="{_e(queue_url)}" style="display:inline-block;padding:8px 14px;background:#1d70b8;'
            f'color:#ffffff;text-decoration:none;border-radius:3px;">{_e(queue_label)}</a></p>\n'
        )
    text += "\n" + "".join(f"{_table_text(table)}\n" for table in c["tables"])
    text += f"--\n{c['footer']}"
    body = _report_intro_html(c) + queue + "".join(_table_html(table) for table in c["tables"]) + "\n"
    return text, _page(c, body)


def monthly(c: Context) -> tuple[str, str]:
    """The director's monthly report: the headline figures, the tables, the notes."""
    text = f"{c['heading']}\n\n{c['intro']}\n\n{c['headline_heading']}\n"
    text += "".join(f"- {label}: {value}\n" for label, value in c["headline"]) + "\n"
    text += "".join(f"{_table_text(table)}\n" for table in c["tables"])
    if c["notes"]:
        text += f"{c['notes_heading']}\n" + "".join(f"{note}\n" for note in c["notes"])
    text += f"\n--\n{c['footer']}"

    body = (
        _report_intro_html(c)
        + f"{_H2}{_e(c['headline_heading'])}</h2>\n"
        + f"{_TABLE.format(size=15)}\n{_pairs_html(c['headline'], '45%')}\n</table>\n"
        + "".join(_table_html(table) for table in c["tables"])
        + "\n"
    )
    if c["notes"]:
        body += f"\n{_H2}{_e(c['notes_heading'])}</h2>\n" + "".join(
            f'<p style="font-size:14px;line-height:1.6;color:#505a5f;">{_e(note)}</p>\n'
            for note in c["notes"]
        )
    return text, _page(c, body + "\n")


BODIES: dict[str, Callable[[Context], tuple[str, str]]] = {
    "office_submitted": office_submitted,
    "resident_message": resident_message,
    "digest": digest,
    "monthly": monthly,
}


def render(name: str, context: Context) -> tuple[str, str]:
    """The text and HTML bodies of the e-mail ``name``; a missing context key raises KeyError."""
    return BODIES[name](context)
