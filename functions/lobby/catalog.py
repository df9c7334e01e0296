"""The catalog: property, offices, request kinds, deadlines and prices.

One YAML file (``infra/catalog.yaml``) is the source. ``load_catalog`` validates
it into the models below; the Lambda package carries a compiled JSON copy of the
same document so that no YAML parser is imported on a cold start.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

LANGUAGES = ("zh", "en")
Lang = Literal["zh", "en"]

_RULE = re.compile(r"^(?:(?P<n>[1-9][0-9]*)(?P<unit>m|h|d|wd)|same-day|none)$")

PACKAGED_JSON = Path(__file__).with_name("catalog.json")
SOURCE_YAML = Path(__file__).resolve().parents[2] / "infra" / "catalog.yaml"


class CatalogError(ValueError):
    """The catalog is invalid; the message names each offending key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Rule(str):
    """A deadline rule: ``8h``, ``3d``, ``2wd``, ``30m``, ``same-day`` or ``none``."""

    @property
    def parts(self) -> tuple[str, int]:
        if self in ("same-day", "none"):
            return str(self), 0
        match = _RULE.match(self)
        assert match  # validated on load
        return match["unit"], int(match["n"])

    @property
    def is_none(self) -> bool:
        return self == "none"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            parse_rule, serialization=core_schema.to_string_ser_schema()
        )


def parse_rule(value: Any) -> Rule:
    if not isinstance(value, str) or not _RULE.match(value):
        raise ValueError(f"{value!r} is not a deadline rule (use 8h, 3d, 2wd, 30m, same-day or none)")
    return Rule(value)


class OfficeHours(_Strict):
    open: time
    close: time

    @model_validator(mode="after")
    def _ordered(self) -> OfficeHours:
        if self.close <= self.open:
            raise ValueError("close must be later than open")
        return self


class Calendar(_Strict):
    working_weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()

    @field_validator("working_weekdays")
    @classmethod
    def _weekdays(cls, value: frozenset[int]) -> frozenset[int]:
        if not value or not value <= set(range(1, 8)):
            raise ValueError("working weekdays are numbers 1 (Monday) to 7 (Sunday)")
        return value

    @model_validator(mode="after")
    def _disjoint(self) -> Calendar:
        both = self.holidays & self.make_up_working_days
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")
        return self

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_working_days:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() in self.working_weekdays


class EmergencyNumbers(_Strict):
    medical: str
    police: str
    fire: str


class Property(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: Text
    time_zone: str = "Asia/Shanghai"
    office_hours: OfficeHours
    calendar: Calendar
    staff_language: Lang = "zh"
    phone_24h: str
    emergency_numbers: EmergencyNumbers
    service_office: str
    quality_office: str
    retention_days: int = Field(default=730, ge=1)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class Office(_Strict):
    name: Text
    director: str | None = None


FieldType = Literal["text", "textarea", "tel", "email", "choice", "date"]


class FormField(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")
    type: FieldType
    label: Text
    hint: Text | None = None
    required: bool = False
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    autocomplete: str | None = None
    choices: dict[str, Text] | None = None
    choices_from: Literal["prices"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        is_choice = self.type == "choice"
        if is_choice and not (self.choices or self.choices_from):
            raise ValueError("a choice field needs choices or choices_from")
        if not is_choice and (self.choices or self.choices_from):
            raise ValueError(f"a {self.type} field takes no choices")
        if self.type in ("text", "textarea", "tel", "email") and self.max_length is None:
            raise ValueError(f"a {self.type} field needs max_length")
        if self.min_length and self.max_length and self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        return self


class Deadlines(_Strict):
    acknowledge: Rule
    resolve: Rule | dict[str, Rule]
    resolve_by: str | None = None

    @model_validator(mode="after")
    def _by(self) -> Deadlines:
        if isinstance(self.resolve, dict) != (self.resolve_by is not None):
            raise ValueError("resolve is a table exactly when resolve_by names the field that selects it")
        return self


class FollowUp(_Strict):
    within: Rule
    coverage: Literal["all", "sampled", "none"]


class Reminders(_Strict):
    warn_at_percent: int = Field(ge=1, le=99)
    repeat_every: Rule
    escalate_director_after: Rule
    escalate_quality_after: Rule


class Kind(_Strict):
    id: str
    name: Text
    summary: Text
    staff_procedure: Text
    office: str
    page: str = Field(pattern=r"^[a-z0-9-]+$")
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


class Price(_Strict):
    name: Text
    price: float = Field(ge=0)
    unit: Text


class Catalog(_Strict):
    version: str
    digest: str
    property: Property
    offices: dict[str, Office]
    kinds: dict[str, Kind]
    prices: dict[str, Price] = {}

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
    try:
        catalog = Catalog.model_validate({**_expand(document), "digest": digest})
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"] if not str(part).startswith("function-"))
            lines.append(f"{where}: {problem['msg']}")
        raise CatalogError("invalid catalog:\n  " + "\n  ".join(lines)) from None
    problems = _cross_check(catalog)
    if problems:
        raise CatalogError("invalid catalog:\n  " + "\n  ".join(problems))
    return catalog


def read_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


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


def main(argv: list[str] | None = None) -> int:
    """``python -m lobby.catalog [check|compile TARGET]``: validate (and compile) the catalog."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["compile"] and len(args) == 2:
            catalog = compile_catalog(SOURCE_YAML, Path(args[1]))
        else:
            catalog = parse_catalog(read_document(Path(args[1]) if len(args) > 1 else SOURCE_YAML))
    except CatalogError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"catalog {catalog.catalog_version}: {len(catalog.kinds)} kinds, {len(catalog.offices)} offices")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
