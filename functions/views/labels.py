"""Labels staff and residents read beside values: a staff action's name, a request's fields."""

from __future__ import annotations

from collections.abc import Iterator

from lobby.catalog import Catalog, FormField
from lobby.requests import ServiceRequest
from views.messages import translate
from views.page import e, tel_link


def action_label(action: str, lang: str) -> str:
    """A staff action as its button, page title and handbook row name it."""
    return translate(lang, f"action.{action}")


def _given(catalog: Catalog, request: ServiceRequest, lang: str) -> Iterator[tuple[FormField, str]]:
    """Every field the resident gave, with choices shown by their names."""
    for form_field in catalog.kinds[request.kind].fields:
        value = request.fields.get(form_field.id)
        if not value:
            continue
        if form_field.type == "choice":
            choice = catalog.choices(form_field).get(value)
            value = choice(lang) if choice else value
        yield form_field, value


def field_rows(catalog: Catalog, request: ServiceRequest, lang: str) -> list[tuple[str, str]]:
    """Every field the resident gave, labelled, with choices shown by their names."""
    return [(form_field.label(lang), value) for form_field, value in _given(catalog, request, lang)]


def field_cells(catalog: Catalog, request: ServiceRequest, lang: str) -> list[tuple[str, str]]:
    """``field_rows`` as HTML for a page: a phone number is a link that dials it, the rest is text."""
    return [
        (form_field.label(lang), tel_link(value) if form_field.type == "tel" else e(value))
        for form_field, value in _given(catalog, request, lang)
    ]
