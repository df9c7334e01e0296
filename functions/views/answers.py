"""A request's answers as the resident gave them, in words: each field's label and what was sent.

The receipt echoes them (the problem, the access time, the paid service's date and price). A choice
shows its label, a paid service its price as the form showed it; an empty answer is left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from lobby.catalog import Catalog, Kind
from views.forms import price_text

# How to reach the resident: the check before sending shows them; the receipt, which may stay open on
# a shared screen, echoes only what the request is about.
CONTACT_TYPES = frozenset({"tel", "email"})
CONTACT_FIELDS = frozenset({"name"})


def answer_rows(
    catalog: Catalog, kind: Kind, values: Mapping[str, object], lang: str, *, contact: bool = True
) -> list[tuple[str, str]]:
    """(label, answer) of each field of ``kind`` that has an answer, in the form's order; without the
    contact details when ``contact`` is false."""
    return [(label, value) for _, label, value in answer_items(catalog, kind, values, lang, contact=contact)]


def answer_items(
    catalog: Catalog, kind: Kind, values: Mapping[str, object], lang: str, *, contact: bool = True
) -> list[tuple[str, str, str]]:
    """(field id, label, answer) of each answered field, in the form's order: the rows of "check your
    answers", each with the field its "change" leads back to."""
    rows = []
    for form_field in kind.fields:
        value = str(values.get(form_field.id) or "").strip()
        is_contact = form_field.type in CONTACT_TYPES or form_field.id in CONTACT_FIELDS
        if not value or (is_contact and not contact):
            continue
        if form_field.type == "choice":
            label = catalog.choices(form_field).get(value)
            text = label(lang) if label else value
            if form_field.choices_from == "prices" and value in catalog.prices:
                text = f"{text} — {price_text(catalog, value, lang)}"
            value = text
        rows.append((form_field.id, form_field.label(lang), value))
    return rows
