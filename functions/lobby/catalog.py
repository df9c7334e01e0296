"""The catalog: property, offices, request kinds, deadlines and prices.

One YAML file (``infra/catalog.yaml``) is the source. ``load_catalog`` validates
it into the frozen dataclasses below; the Lambda package carries a compiled JSON
copy of the same document so that no YAML parser is imported on a cold start.

Each model is declared once: its fields and their types, the constraints of a
field in ``field(metadata=_rules(...))``, and the rules that tie fields together
in its ``_check`` method. A small validator (``_Validator``) reads those
declarations, so the cold path needs neither pydantic nor a schema of its own.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import hashlib
import json
import os
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from lobby.fields import FIELD_TYPES

LANGUAGES = ("zh", "en")
Lang = Literal["zh", "en"]

_RULE = re.compile(r"(?:(?P<n>[1-9][0-9]*)(?P<unit>m|h|d|wd)|same-day|none)")

PACKAGED_JSON = Path(__file__).with_name("catalog.json")
SOURCE_YAML = Path(__file__).resolve().parents[2] / "infra" / "catalog.yaml"


class CatalogError(ValueError):
    """The catalog is invalid; the message names each offending key."""


def _rules(
    *,
    pattern: str | None = None,
    min_length: int | None = None,
    ge: float | None = None,
    le: float | None = None,
    check: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """A field's constraints, checked by the validator once the value has the field's type.

    ``pattern`` must match the whole text; ``min_length`` counts characters;
    ``ge``/``le`` bound a number; ``check`` raises ValueError with its own words.
    """
    given = {"pattern": pattern, "min_length": min_length, "ge": ge, "le": le, "check": check}
    return {name: rule for name, rule in given.items() if rule is not None}


class _Model:
    """What every catalog model shares: a place for the rules that tie its fields together."""

    def _check(self) -> None:
        """Raise ValueError when the fields, each valid alone, do not fit together."""


@dataclass(frozen=True, kw_only=True)
class Text(_Model):
    """A text in both languages."""

    zh: str = field(metadata=_rules(min_length=1))
    en: str = field(metadata=_rules(min_length=1))

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Rule(str):
    """A deadline rule: ``8h``, ``3d``, ``2wd``, ``30m``, ``same-day`` or ``none``."""

    @property
    def parts(self) -> tuple[str, int]:
        if self in ("same-day", "none"):
            return str(self), 0
        match = _RULE.fullmatch(self)
        assert match  # validated on load
        return match["unit"], int(match["n"])

    @property
    def is_none(self) -> bool:
        return self == "none"


def parse_rule(value: Any) -> Rule:
    if not isinstance(value, str) or not _RULE.fullmatch(value):
        raise ValueError(f"{_show(value)} is not a deadline rule (use 8h, 3d, 2wd, 30m, same-day or none)")
    return Rule(value)


@dataclass(frozen=True, kw_only=True)
class OfficeHours(_Model):
    open: time
    close: time

    def _check(self) -> None:
        if self.close <= self.open:
            raise ValueError("close must be later than open")


def _weekday_numbers(value: frozenset[int]) -> None:
    if not value or not value <= set(range(1, 8)):
        raise ValueError("working weekdays are numbers 1 (Monday) to 7 (Sunday)")


@dataclass(frozen=True, kw_only=True)
class YearArrangement(_Model):
    """One year's public holidays and make-up working days (调休上班), as the State Council publishes them."""

    year: int = field(metadata=_rules(ge=2000, le=2200))
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()

    def _check(self) -> None:
        both = self.holidays & self.make_up_working_days
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")
        strays = sorted(
            str(day) for day in self.holidays | self.make_up_working_days if day.year != self.year
        )
        if strays:
            raise ValueError(f"dates outside {self.year}: {strays}")


# The next year's arrangement is wanted from 1 October (the State Council usually publishes it in the
# autumn); a deployment is refused from 1 December while it is unknown, unless told to go on.
NEXT_YEAR_WARNING = (10, 1)
NEXT_YEAR_DEPLOY_REFUSAL = (12, 1)


@dataclass(frozen=True, kw_only=True)
class Calendar(_Model):
    """Working weekdays, the official holiday arrangement of each known year, and the administrator's additions.

    ``official`` is compiled in from the ``chinese-calendar`` package (never typed by hand, never imported
    by a function at run time). ``years`` holds an arrangement the administrator typed from the State
    Council's notice before the package knew the year; it takes the place of the package's for that year.
    ``holidays`` and ``make_up_working_days`` are single days on top of both: a typhoon day off, say. A
    year known to neither counts weekends only (see ``unknown_years``).
    """

    working_weekdays: frozenset[int] = field(metadata=_rules(check=_weekday_numbers))
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()
    years: tuple[YearArrangement, ...] = ()
    official: tuple[YearArrangement, ...] = ()

    def _check(self) -> None:
        both = self.holidays & self.make_up_working_days
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")
        typed = [arrangement.year for arrangement in self.years]
        twice = sorted({year for year in typed if typed.count(year) > 1})
        if twice:
            raise ValueError(f"years arranged twice: {twice}")

    @functools.cached_property
    def _arrangements(self) -> dict[int, YearArrangement]:
        by_year = {arrangement.year: arrangement for arrangement in self.official}
        by_year.update({arrangement.year: arrangement for arrangement in self.years})
        return by_year

    @builtins.property
    def known_years(self) -> frozenset[int]:
        """The years whose holiday arrangement is known (from the package or typed by the administrator)."""
        return frozenset(self._arrangements)

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_working_days:
            return True
        if day in self.holidays:
            return False
        arrangement = self._arrangements.get(day.year)
        if arrangement is not None:
            if day in arrangement.make_up_working_days:
                return True
            if day in arrangement.holidays:
                return False
        return day.isoweekday() in self.working_weekdays

    def unknown_years(self, today: date) -> list[int]:
        """The years the office is working in, or about to, whose arrangement nobody knows.

        This year always counts; next year counts from 1 October. Days of an unknown year are counted by
        their weekday alone (no holidays, no make-up days), so each year listed here must be reported.
        """
        wanted = [today.year]
        if (today.month, today.day) >= NEXT_YEAR_WARNING:
            wanted.append(today.year + 1)
        return [year for year in wanted if year not in self._arrangements]


@dataclass(frozen=True, kw_only=True)
class EmergencyNumbers(_Model):
    medical: str
    police: str
    fire: str


def _known_time_zone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {value!r}") from error


@dataclass(frozen=True, kw_only=True)
class Property(_Model):
    id: str = field(metadata=_rules(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$"))
    name: Text
    time_zone: str = field(default="Asia/Shanghai", metadata=_rules(check=_known_time_zone))
    office_hours: OfficeHours
    calendar: Calendar
    staff_language: Lang = "zh"
    phone_24h: str
    emergency_numbers: EmergencyNumbers
    service_office: str
    quality_office: str
    retention_days: int = field(default=730, metadata=_rules(ge=1))


@dataclass(frozen=True, kw_only=True)
class ServiceHours(_Model):
    """When an office serves: its days, its hours, whether it closes for public holidays, its duty line.

    An office closed on public holidays keeps the property calendar (its holidays and make-up working
    days); one open on them works its ``days`` every week of the year. A 24-hour duty line takes
    urgent matters outside these hours.
    """

    days: frozenset[int] = field(metadata=_rules(check=_weekday_numbers))
    open: time
    close: time
    public_holidays: Literal["closed", "open"] = "closed"
    duty_line: str | None = None

    def _check(self) -> None:
        if self.close <= self.open:
            raise ValueError("close must be later than open")


@dataclass(frozen=True, kw_only=True)
class Office(_Model):
    name: Text
    director: str | None = None
    # Without hours, the office keeps the property's office hours and calendar.
    hours: ServiceHours | None = None


FieldType = Literal["text", "textarea", "tel", "email", "choice", "date"]


@dataclass(frozen=True, kw_only=True)
class FormField(_Model):
    id: str = field(metadata=_rules(pattern=r"^[a-z][a-z0-9_]{0,30}$"))
    type: FieldType
    label: Text
    hint: Text | None = None
    required: bool = False
    min_length: int | None = field(default=None, metadata=_rules(ge=0))
    max_length: int | None = field(default=None, metadata=_rules(ge=1))
    autocomplete: str | None = None
    choices: dict[str, Text] | None = None
    choices_from: Literal["prices"] | None = None

    def _check(self) -> None:
        is_choice = self.type == "choice"
        if is_choice and not (self.choices or self.choices_from):
            raise ValueError("a choice field needs choices or choices_from")
        if not is_choice and (self.choices or self.choices_from):
            raise ValueError(f"a {self.type} field takes no choices")
        field_type = FIELD_TYPES[self.type]
        if field_type.lengths and self.max_length is None:
            raise ValueError(f"a {self.type} field needs max_length")
        if self.max_length is not None and self.max_length > field_type.ceiling:
            raise ValueError(f"a {self.type} field takes at most {field_type.ceiling} characters")
        if self.min_length and self.max_length and self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")


@dataclass(frozen=True, kw_only=True)
class Deadlines(_Model):
    acknowledge: Rule
    resolve: Rule | dict[str, Rule]
    resolve_by: str | None = None

    def _check(self) -> None:
        if isinstance(self.resolve, dict) != (self.resolve_by is not None):
            raise ValueError("resolve is a table exactly when resolve_by names the field that selects it")


@dataclass(frozen=True, kw_only=True)
class FollowUp(_Model):
    within: Rule
    coverage: Literal["all", "sampled", "none"]


@dataclass(frozen=True, kw_only=True)
class Reminders(_Model):
    warn_at_percent: int = field(metadata=_rules(ge=1, le=99))
    repeat_every: Rule
    escalate_director_after: Rule
    escalate_quality_after: Rule


@dataclass(frozen=True, kw_only=True)
class Kind(_Model):
    id: str
    name: Text
    summary: Text
    staff_procedure: Text
    office: str
    page: str = field(metadata=_rules(pattern=r"^[a-z0-9-]+$"))
    emergency_first: bool = False
    urgent: bool = False
    fields: tuple[FormField, ...]
    deadlines: Deadlines
    follow_up: FollowUp
    reminders: Reminders

    def field(self, field_id: str) -> FormField:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def resolve_rule(self, values: dict[str, str]) -> Rule:
        """The resolve rule that applies to a request with these field values."""
        if isinstance(self.deadlines.resolve, dict):
            assert self.deadlines.resolve_by
            return self.deadlines.resolve[values[self.deadlines.resolve_by]]
        return self.deadlines.resolve


@dataclass(frozen=True, kw_only=True)
class Price(_Model):
    name: Text
    price: float = field(metadata=_rules(ge=0))
    unit: Text


@dataclass(frozen=True, kw_only=True)
class Catalog(_Model):
    version: str
    digest: str
    property: Property
    offices: dict[str, Office]
    kinds: dict[str, Kind]
    prices: dict[str, Price] = field(default_factory=dict)

    @builtins.property
    def catalog_version(self) -> str:
        """What a request record stores: the declared version and the content digest."""
        return f"{self.version}+{self.digest}"

    def choices(self, form_field: FormField) -> dict[str, Text]:
        if form_field.choices_from == "prices":
            return {key: price.name for key, price in self.prices.items()}
        return dict(form_field.choices or {})

    def kind_for_page(self, page: str) -> Kind | None:
        return next((kind for kind in self.kinds.values() if kind.page == page), None)

    @functools.cached_property
    def _office_clocks(self) -> dict[str, Property]:
        return {
            office_id: _office_clock(self.property, office.hours)
            for office_id, office in self.offices.items()
        }

    def office_clock(self, office_id: str) -> Property:
        """The property as an office's clock sees it: the office's hours and working days.

        Deadlines, quiet hours, reminders and digests of a request count in its handling office's
        clock; an unknown office (a request of a catalog since edited) keeps the property's.
        """
        return self._office_clocks.get(office_id, self.property)


def _office_clock(prop: Property, hours: ServiceHours | None) -> Property:
    if hours is None:
        return prop
    calendar = prop.calendar
    if hours.public_holidays == "closed":
        calendar = dataclasses.replace(calendar, working_weekdays=hours.days)
    else:
        calendar = Calendar(working_weekdays=hours.days)
    return dataclasses.replace(
        prop, office_hours=OfficeHours(open=hours.open, close=hours.close), calendar=calendar
    )


# The validator ---------------------------------------------------------------
#
# It walks a model's fields by their resolved type hints and turns the plain
# values of a YAML or JSON document into models. Every error is kept, with the
# dotted path of its key, so an administrator fixes the catalog in one pass.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{2}:\d{2}(?::\d{2})?")
_INVALID: Any = object()  # what a value that failed validation becomes; its errors are already kept
_ModelT = TypeVar("_ModelT", bound=_Model)


def _show(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(kind: type, described: str, *also: type) -> Callable[[Any], Any]:
    """A parser of a plain YAML/JSON value of ``kind``, or of ``also`` turned into ``kind``."""
    accepted = (kind, *also)

    def parse(value: Any) -> Any:
        # True is no number in a catalog, though Python counts it as one.
        if isinstance(value, accepted) and (kind is bool or not isinstance(value, bool)):
            return kind(value)
        raise ValueError(f"must be {described}, got {_show(value)}")

    return parse


def _iso_text(value: Any, pattern: re.Pattern[str], kind: type[date] | type[time]) -> Any:
    """A date or time the compiled JSON carries as ISO text, or None if ``value`` is no such text."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        return None
    try:
        return kind.fromisoformat(value)
    except ValueError:  # well formed but no such day or time: 2026-02-30, 25:00
        return None


def _day(value: Any) -> date:
    # YAML reads 2026-10-01 as a date; JSON carries the same day as text.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    day = _iso_text(value, _ISO_DATE, date)
    if day is None:
        raise ValueError(f"must be a date written YYYY-MM-DD, got {_show(value)}")
    return day


def _time_of_day(value: Any) -> time:
    if isinstance(value, time):
        return value
    moment = _iso_text(value, _CLOCK, time)
    if moment is None:
        # YAML 1.1 reads an unquoted 17:30 as the number 1050 (base 60).
        quote = " (put the time in quotes)" if isinstance(value, int) and not isinstance(value, bool) else ""
        raise ValueError(f'must be a time of day written "HH:MM", got {_show(value)}{quote}')
    return moment


_SCALARS: dict[Any, Callable[[Any], Any]] = {
    str: _plain(str, "text"),
    int: _plain(int, "a whole number"),
    float: _plain(float, "a number", int),
    bool: _plain(bool, "true or false"),
    date: _day,
    time: _time_of_day,
    Rule: parse_rule,
}


def _constrain(rules: dict[str, Any], value: Any) -> None:
    """Apply a field's ``_rules`` to a value of the field's type; an absent optional value has none."""
    if value is None:
        return
    pattern = rules.get("pattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise ValueError(f"{_show(value)} does not match the pattern {pattern}")
    min_length = rules.get("min_length")
    if min_length is not None and len(value) < min_length:
        raise ValueError(
            "must not be empty" if min_length == 1 else f"needs at least {min_length} characters"
        )
    if "ge" in rules and value < rules["ge"]:
        raise ValueError(f"must be at least {rules['ge']}, got {_show(value)}")
    if "le" in rules and value > rules["le"]:
        raise ValueError(f"must be at most {rules['le']}, got {_show(value)}")
    if "check" in rules:
        rules["check"](value)


@dataclass(frozen=True)
class _Slot:
    """A model field as the validator reads it."""

    name: str
    hint: Any
    required: bool
    rules: dict[str, Any]


_SLOTS: dict[type, tuple[_Slot, ...]] = {}


def _slots(model: type) -> tuple[_Slot, ...]:
    """A model's fields with their types resolved, worked out once per class on first use."""
    slots = _SLOTS.get(model)
    if slots is None:
        hints = get_type_hints(model)
        slots = tuple(
            _Slot(
                name=spec.name,
                hint=hints[spec.name],
                required=spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING,
                rules=dict(spec.metadata),
            )
            for spec in dataclasses.fields(model)
        )
        _SLOTS[model] = slots
    return slots


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, _Model)


def _takes_mapping(hint: Any) -> bool:
    return get_origin(hint) is dict or _is_model(hint)


class _Validator:
    """Turns plain values into models, keeping every error with the dotted path of its key."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> Any:
        self.errors.append(f"{path or '(top level)'}: {message}")
        return _INVALID

    def value(self, hint: Any, raw: Any, path: str) -> Any:
        origin = get_origin(hint)
        if origin is Union or origin is types.UnionType:
            return self.union(get_args(hint), raw, path)
        if raw is None:
            return self.fail(path, "needs a value")
        if origin is Literal:
            return self.literal(get_args(hint), raw, path)
        if origin is tuple or origin is frozenset:
            return self.collection(origin, get_args(hint)[0], raw, path)
        if origin is dict:
            return self.mapping(get_args(hint), raw, path)
        if _is_model(hint):
            return self.model(hint, raw, path)
        parse = _SCALARS.get(hint)
        if parse is None:
            raise TypeError(f"the catalog validator has no rule for {hint!r}")
        try:
            return parse(raw)
        except ValueError as error:
            return self.fail(path, str(error))

    def union(self, members: tuple[Any, ...], raw: Any, path: str) -> Any:
        if raw is None and type(None) in members:
            return None
        choices = [member for member in members if member is not type(None)]
        if len(choices) == 1:
            return self.value(choices[0], raw, path)
        attempts: list[tuple[Any, list[str]]] = []
        for choice in choices:
            trial = _Validator()
            result = trial.value(choice, raw, path)
            if not trial.errors:
                return result
            attempts.append((choice, trial.errors))
        # Report what went wrong with the alternative of the value's shape: a table's
        # errors for a mapping, a rule's error for a text.
        shaped = [errors for choice, errors in attempts if _takes_mapping(choice) == isinstance(raw, dict)]
        self.errors.extend(shaped[0] if shaped else attempts[0][1])
        return _INVALID

    def literal(self, allowed: tuple[Any, ...], raw: Any, path: str) -> Any:
        if any(type(raw) is type(option) and raw == option for option in allowed):
            return raw
        return self.fail(path, f"must be one of {', '.join(map(repr, allowed))}; got {_show(raw)}")

    def collection(self, kind: type, item_hint: Any, raw: Any, path: str) -> Any:
        if not isinstance(raw, list | tuple | set | frozenset):
            return self.fail(path, f"must be a list, got {_show(raw)}")
        items = [self.value(item_hint, item, _join(path, index)) for index, item in enumerate(raw)]
        if any(item is _INVALID for item in items):
            return _INVALID
        return kind(items)

    def mapping(self, hints: tuple[Any, Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, dict):
            return self.fail(path, f"must be a mapping, got {_show(raw)}")
        key_hint, value_hint = hints
        result = {}
        for key, item in raw.items():
            where = _join(path, key)
            result[self.value(key_hint, key, where)] = self.value(value_hint, item, where)
        if _INVALID in result or any(value is _INVALID for value in result.values()):
            return _INVALID
        return result

    def model(self, model: type, raw: Any, path: str) -> Any:
        if not isinstance(raw, dict):
            return self.fail(path, f"must be a mapping of keys to values, got {_show(raw)}")
        before = len(self.errors)
        slots = _slots(model)
        values = {}
        for slot in slots:
            where = _join(path, slot.name)
            if slot.name not in raw:
                if slot.required:
                    self.fail(where, "required")
                continue
            value = self.value(slot.hint, raw[slot.name], where)
            if value is not _INVALID and slot.rules:
                try:
                    _constrain(slot.rules, value)
                except ValueError as error:
                    value = self.fail(where, str(error))
            values[slot.name] = value
        known = [slot.name for slot in slots]
        for key in raw:
            if key not in known:
                self.fail(_join(path, key), f"unknown key (the keys here are {', '.join(known)})")
        if len(self.errors) > before:
            return _INVALID
        instance = model(**values)
        try:
            instance._check()
        except ValueError as error:
            return self.fail(path, str(error))
        return instance


def _invalid(lines: list[str]) -> CatalogError:
    return CatalogError("invalid catalog:\n  " + "\n  ".join(lines))


def _validate(model: type[_ModelT], document: dict[str, Any]) -> _ModelT:
    """``document`` as a ``model``, or a CatalogError naming every offending key."""
    validator = _Validator()
    result = validator.model(model, document, "")
    if validator.errors:
        raise _invalid(validator.errors)
    return result


def _expand(document: dict[str, Any]) -> dict[str, Any]:
    """Resolve shared field references and give every kind its id."""
    shared = document.get("fields") or {}
    if not isinstance(shared, dict):
        raise CatalogError("fields: must be a mapping of field id to definition")
    kinds = document.get("kinds")
    if not isinstance(kinds, dict) or not kinds:
        raise CatalogError("kinds: at least one request kind is required")
    expanded: dict[str, Any] = {}
    for kind_id, kind in kinds.items():
        if not isinstance(kind, dict):
            raise CatalogError(f"kinds.{kind_id}: must be a mapping")
        fields = []
        for index, item in enumerate(kind.get("fields") or []):
            if isinstance(item, str):
                if item not in shared:
                    raise CatalogError(f"kinds.{kind_id}.fields.{index}: no shared field named {item!r}")
                if not isinstance(shared[item], dict):
                    raise CatalogError(f"fields.{item}: must be a mapping of the field's settings")
                fields.append({"id": item, **shared[item]})
            else:
                fields.append(item)
        expanded[kind_id] = {**kind, "id": kind_id, "fields": fields}
    rest = {key: value for key, value in document.items() if key != "fields"}
    return {**rest, "kinds": expanded}


def _cross_check(catalog: Catalog) -> list[str]:
    errors = []
    offices = catalog.offices
    for office_id, office in offices.items():
        if office.director is not None and office.director not in offices:
            errors.append(f"offices.{office_id}.director: no office named {office.director!r}")
    for key in ("service_office", "quality_office"):
        if getattr(catalog.property, key) not in offices:
            errors.append(f"property.{key}: no office named {getattr(catalog.property, key)!r}")
    pages: dict[str, str] = {}
    for kind_id, kind in catalog.kinds.items():
        where = f"kinds.{kind_id}"
        if kind.office not in offices:
            errors.append(f"{where}.office: no office named {kind.office!r}")
        if kind.page in pages:
            errors.append(f"{where}.page: page {kind.page!r} already carries {pages[kind.page]}")
        pages[kind.page] = kind_id
        ids = [f.id for f in kind.fields]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            errors.append(f"{where}.fields: field {duplicate!r} appears twice")
        for required in ("name", "phone", "building", "unit"):
            if required not in ids:
                errors.append(f"{where}.fields: every kind needs the {required!r} field")
        for form_field in kind.fields:
            if form_field.choices_from == "prices" and not catalog.prices:
                errors.append(f"{where}.fields.{form_field.id}.choices_from: the catalog has no prices")
        deadlines = kind.deadlines
        if isinstance(deadlines.resolve, dict):
            by = deadlines.resolve_by
            if by not in ids:
                errors.append(f"{where}.deadlines.resolve_by: no field named {by!r}")
            else:
                selector = kind.field(by)
                choices = set(catalog.choices(selector))
                if not selector.required or choices != set(deadlines.resolve):
                    errors.append(
                        f"{where}.deadlines.resolve: needs one rule for each choice of the required "
                        f"field {by!r} ({', '.join(sorted(choices))})"
                    )
    return errors


def _digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def parse_catalog(document: Any) -> Catalog:
    """Validate a catalog document (as read from YAML or JSON)."""
    if not isinstance(document, dict):
        raise CatalogError("the catalog must be a mapping")
    document = {key: value for key, value in document.items() if key != "digest"}
    digest = _digest(document)
    catalog = _validate(Catalog, {**_expand(document), "digest": digest})
    problems = _cross_check(catalog)
    if problems:
        raise _invalid(problems)
    return catalog


def read_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    from lobby.official_calendar import with_official_calendar

    return with_official_calendar(yaml.safe_load(text))


def catalog_path() -> Path:
    """Where the catalog is read from: LOBBY_CATALOG, the packaged JSON, or the source YAML."""
    configured = os.environ.get("LOBBY_CATALOG")
    if configured:
        return Path(configured)
    return PACKAGED_JSON if PACKAGED_JSON.exists() else SOURCE_YAML


@cache
def load_catalog(path: Path | None = None) -> Catalog:
    return parse_catalog(read_document(path or catalog_path()))


def compile_catalog(source: Path, target: Path) -> Catalog:
    """Validate the YAML source and write the JSON copy a Lambda package carries."""
    document = read_document(source)
    catalog = parse_catalog(document)
    target.write_text(json.dumps(document, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
    return catalog


def calendar_notice(calendar: Calendar, today: date, *, deploying: bool = False) -> tuple[list[str], bool]:
    """What the catalog check says about years whose holiday arrangement is unknown, and whether to refuse.

    A check warns while this year, or from 1 October next year, is unknown; a deployment is refused while
    this year is unknown, or next year from 1 December (``ALLOW_UNKNOWN_YEAR=1`` goes on anyway, and says so).
    """
    unknown = calendar.unknown_years(today)
    lines = [
        f"warning: the calendar does not know the public holidays of {year}: its days count by weekday alone. "
        f"Upgrade chinese-calendar, or type the State Council's arrangement into property.calendar.years."
        for year in unknown
    ]
    december = (today.month, today.day) >= NEXT_YEAR_DEPLOY_REFUSAL
    refuse = deploying and (today.year in unknown or (december and today.year + 1 in unknown))
    if refuse and os.environ.get("ALLOW_UNKNOWN_YEAR") == "1":
        lines.append("ALLOW_UNKNOWN_YEAR=1: deploying with an unknown year, as told.")
        refuse = False
    elif refuse:
        lines.append(
            "refusing to deploy with an unknown year from 1 December (ALLOW_UNKNOWN_YEAR=1 goes on)."
        )
    return lines, refuse


def main(argv: list[str] | None = None, today: date | None = None) -> int:
    """``python -m lobby.catalog [check [PATH] | compile TARGET | deploy-check]``: validate (and compile) the catalog.

    Each also reports years whose holiday arrangement is unknown (``calendar_notice``); ``deploy-check``
    fails from 1 December while next year is unknown. ``today`` is the property's local date by default.
    """
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["compile"] and len(args) == 2:
            catalog = compile_catalog(SOURCE_YAML, Path(args[1]))
        else:
            source = Path(args[1]) if args[:1] == ["check"] and len(args) > 1 else SOURCE_YAML
            catalog = parse_catalog(read_document(source))
    except CatalogError as error:
        print(error, file=sys.stderr)
        return 1
    if today is None:
        from zoneinfo import ZoneInfo

        today = datetime.now(ZoneInfo(catalog.property.time_zone)).date()
    lines, refuse = calendar_notice(catalog.property.calendar, today, deploying=args[:1] == ["deploy-check"])
    for line in lines:
        print(line, file=sys.stderr)
    if refuse:
        return 1
    print(f"catalog {catalog.catalog_version}: {len(catalog.kinds)} kinds, {len(catalog.offices)} offices")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
