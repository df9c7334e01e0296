"""The repair form as the site's browser tests fill it: the answers, and filling them in."""

from __future__ import annotations

from typing import Any

FILLED = {
    "category": "water",
    "size": "minor",
    "name": "王小明",
    "phone": "13800000000",
    "building": "3栋",
    "unit": "1502",
    "description": "厨房水管漏水，从昨晚开始。",
    "consent": "yes",
}


def fill_repair(page: Any, *, consent: bool = True) -> None:
    """Fill the repair form with ``FILLED``, the consent box ticked unless ``consent`` is false."""
    page.select_option("#f-category", FILLED["category"])
    page.check("#f-size")
    for name in ("name", "phone", "building", "unit", "description"):
        page.fill(f"#f-{name}", FILLED[name])
    if consent:
        page.check("#f-consent")
