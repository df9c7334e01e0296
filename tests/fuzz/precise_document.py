"""The API's OpenAPI document, made as precise as the API's own validation (lobby.validation).

The served document (functions/api/openapi.py) has one path per kind, required fields with
``minLength: 1``, and the validator's own phone and e-mail patterns; in JSON, optional fields and
the honeypot accept null, as the API does.

The API also normalises text before checking it (NFC, control and format characters dropped,
ends trimmed). JSON Schema cannot say that, so fields carry custom formats whose generators
produce only text that normalisation leaves unchanged; they stand in for what the document can
only describe. A negative case whose one fault is such a format is text the API accepts once
cleaned, so the precise run does not count it as invalid (test_schemathesis.py).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import schemathesis
from hypothesis import strategies as st

from lobby.fields import PHONE_PATTERN, clean_text
from lobby.validation import NOTIFY_FIELD

TEXT = "lobby-text"
TEL = "lobby-tel"
EMAIL = "lobby-email"
DATE = "lobby-date"


def _unchanged_by_the_api(value: str) -> bool:
    """True when lobby.validation would store ``value`` as it is (already NFC, trimmed, visible)."""
    return clean_text(value, multiline=False) == value


def register_formats(today: date) -> None:
    """Generators for the custom formats (schemathesis keeps them in a global registry)."""
    visible = st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    schemathesis.openapi.format(TEXT, st.text(visible, min_size=1, max_size=24).filter(_unchanged_by_the_api))
    # Mainland mobiles and landlines, international numbers after a + (lobby.fields: PHONE_PATTERN).
    schemathesis.openapi.format(
        TEL, st.from_regex(PHONE_PATTERN, fullmatch=True).filter(_unchanged_by_the_api)
    )
    schemathesis.openapi.format(
        EMAIL,
        st.from_regex(
            r"[a-z0-9._%+-]{1,20}@[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?(?:\.[a-z]{2,6}){1,2}", fullmatch=True
        ),
    )
    # From tomorrow to within a year (past_date, far_date), in the property's own calendar.
    schemathesis.openapi.format(
        DATE,
        st.integers(min_value=1, max_value=365).map(lambda days: (today + timedelta(days=days)).isoformat()),
    )


FORMATS = {"text": TEXT, "textarea": TEXT, "tel": TEL, "email": EMAIL, "date": DATE}


def precise_document(served: dict[str, Any], catalog: Any) -> dict[str, Any]:
    """The served document with generator formats on its text fields: the paths, bodies, lengths and
    patterns are the served document's own (functions/api/openapi.py)."""
    document = copy.deepcopy(served)
    schemas = document["components"]["schemas"]
    for kind_id, kind in catalog.kinds.items():
        for body in (schemas[f"{kind_id}Request"], schemas[f"{kind_id}JsonRequest"]):
            for form_field in kind.fields:
                field = body["properties"][form_field.id]
                if "enum" not in field:
                    field["format"] = FORMATS[form_field.type]
            # How the resident hears from us is the one rule across fields (lobby.validation: "email"
            # needs an e-mail, "text" a number that takes texts). JSON Schema says it only with
            # if/then, whose negation schemathesis gets wrong, so this run leaves the field out; the
            # first run fuzzes it against the served document, and tests/unit/test_validation.py
            # holds the rule.
            body["properties"].pop(NOTIFY_FIELD, None)
            if NOTIFY_FIELD in body.get("required", []):
                body["required"].remove(NOTIFY_FIELD)
    return document
