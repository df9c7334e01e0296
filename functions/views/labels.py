"""Labels staff and residents read beside values: a staff action's name, a request's fields."""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.requests import ServiceRequest
from views.messages import translate


def action_label(action: str, lang: str) -> str:
    """A staff action as its button, page title and handbook row name it."""
    return translate(lang, f"action.{action}")


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
