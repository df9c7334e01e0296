"""What every catalog model is built on: the base model, deadline rules, texts in both languages, hours.

Split from ``lobby.catalog`` (which re-exports every name here) to keep each module small.
"""

from __future__ import annotations

import builtins
import re
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import Meta, Struct
from msgspec.structs import force_setattr

LANGUAGES = ("zh", "en")
Lang = Literal["zh", "en"]

RULE_PATTERN = r"^(?:[1-9][0-9]*(?:m|h|d|wd)|same-day|none)$"
_RULE = re.compile(r"(?P<n>[1-9][0-9]*)(?P<unit>m|h|d|wd)")

PACKAGED_JSON = Path(__file__).with_name("catalog.json")
SOURCE_YAML = Path(__file__).resolve().parents[2] / "infra" / "catalog.yaml"


class CatalogError(ValueError):
    """The catalog is invalid; the message names each offending key."""


class Rule(str):
    """A deadline rule: ``8h``, ``3d``, ``2wd``, ``30m``, ``same-day`` or ``none``."""

    @builtins.property
    def parts(self) -> tuple[str, int]:
        if self in ("same-day", "none"):
            return str(self), 0
        match = _RULE.fullmatch(self)
        assert match  # validated on load
        return match["unit"], int(match["n"])

    @builtins.property
    def is_none(self) -> bool:
        return self == "none"


def parse_rule(value: Any) -> Rule:
    if not isinstance(value, str) or not re.fullmatch(RULE_PATTERN, value):
        raise ValueError(f"{quote(value)} is not a deadline rule (use 8h, 3d, 2wd, 30m, same-day or none)")
    return Rule(value)


CLOCK_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"
NonEmpty = Annotated[str, Meta(min_length=1)]
Weekday = Annotated[int, Meta(ge=1, le=7)]
if TYPE_CHECKING:
    RuleText = Rule
    Clock = time
else:  # msgspec checks the text; the model's __post_init__ makes it a Rule or a time of day
    RuleText = Annotated[str, Meta(pattern=RULE_PATTERN)]
    Clock = Annotated[str, Meta(pattern=CLOCK_PATTERN)]  # "08:30", as YAML and JSON both carry it


class _Model(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What every catalog model shares: frozen, no key it does not declare (each is also keyword-only)."""


def _as_rules(model: _Model, *names: str) -> None:
    for name in names:
        value = getattr(model, name)
        rules = {key: Rule(rule) for key, rule in value.items()} if isinstance(value, dict) else Rule(value)
        force_setattr(model, name, rules)


def _as_hours(model: Any) -> None:
    """Read ``open`` and ``close`` as times of day, and check that the one comes before the other."""
    for name in ("open", "close"):
        if isinstance(value := getattr(model, name), str):
            force_setattr(model, name, time.fromisoformat(value))
    if model.close <= model.open:
        raise ValueError("close must be later than open")


class Text(_Model, frozen=True, kw_only=True):
    """A text in both languages."""

    zh: NonEmpty
    en: NonEmpty

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class OfficeHours(_Model, frozen=True, kw_only=True):
    open: Clock
    close: Clock

    def __post_init__(self) -> None:
        _as_hours(self)


def quote(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
