"""Reference numbers: the property's local date plus a daily sequence, e.g. ``20261122-0007``.

The seeds number their registers by date and sequence (001: 040214001 is the first
record of 2004-02-14). The sequence comes from an atomic counter in the table, so
references stay unique under concurrent submissions.
"""

from __future__ import annotations

import re
from datetime import date

REFERENCE = re.compile(r"(?P<day>[0-9]{8})-(?P<n>[0-9]{4,6})")


def format_reference(day: date, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{day:%Y%m%d}-{sequence:04d}"


def is_reference(text: str) -> bool:
    return bool(REFERENCE.fullmatch(text))


def counter_day(reference: str) -> str:
    match = REFERENCE.fullmatch(reference)
    if not match:
        raise ValueError(f"not a reference: {reference!r}")
    return match["day"]


# The reference pages show as an example of what to type.
EXAMPLE = format_reference(date(2026, 11, 22), 7)
