"""The catalog: property, offices, request kinds, deadlines and prices.

One YAML file (``infra/catalog.yaml``) is the source. The models below are msgspec Structs: msgspec
turns the document into them, checking every type and constraint declared here, and the rules that
tie fields together live in each model's ``__post_init__``. ``python -m lobby.catalog compile``
checks the source once, with the cross-references between sections, and writes the compiled JSON a
Lambda package carries; a cold start decodes that JSON straight into the models (no YAML parser,
no second pass).

When msgspec refuses a document, ``lobby.catalog_errors`` names every offending key in an
administrator's words, so the catalog can be fixed in one pass.
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
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta, Struct
from msgspec.structs import force_setattr

from lobby.fields import FIELD_TYPES

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


NonEmpty = Annotated[str, Meta(min_length=1)]
Weekday = Annotated[int, Meta(ge=1, le=7)]
if TYPE_CHECKING:
    RuleText = Rule
else:  # msgspec checks the text; the model's __post_init__ makes it a Rule
    RuleText = Annotated[str, Meta(pattern=RULE_PATTERN)]


class _Model(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What every catalog model shares: frozen, no key it does not declare (each is also keyword-only)."""


def _as_rules(model: _Model, *names: str) -> None:
    for name in names:
        value = getattr(model, name)
        rules = {key: Rule(rule) for key, rule in value.items()} if isinstance(value, dict) else Rule(value)
        force_setattr(model, name, rules)


class Text(_Model, frozen=True, kw_only=True):
    """A text in both languages."""

    zh: NonEmpty
    en: NonEmpty

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class OfficeHours(_Model, frozen=True, kw_only=True):
    open: time
    close: time

    def __post_init__(self) -> None:
        if self.close <= self.open:
            raise ValueError("close must be later than open")


class Calendar(_Model, frozen=True, kw_only=True):
    working_weekdays: Annotated[frozenset[Weekday], Meta(min_length=1)]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        both = self.holidays & self.make_up_working_days
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_working_days:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() in self.working_weekdays


class EmergencyNumbers(_Model, frozen=True, kw_only=True):
    medical: str
    police: str
    fire: str


class Property(_Model, frozen=True, kw_only=True):
    id: Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")]
    name: Text
    time_zone: str = "Asia/Shanghai"  # checked against the time-zone database at build time
    office_hours: OfficeHours
    calendar: Calendar
    staff_language: Lang = "zh"
    phone_24h: str
    emergency_numbers: EmergencyNumbers
    service_office: str
    quality_office: str
    retention_days: Annotated[int, Meta(ge=1)] = 730


class Office(_Model, frozen=True, kw_only=True):
    name: Text
    director: str | None = None


FieldType = Literal["text", "textarea", "tel", "email", "choice", "date"]


class FormField(_Model, frozen=True, kw_only=True):
    id: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
    type: FieldType
    label: Text
    hint: Text | None = None
    required: bool = False
    min_length: Annotated[int, Meta(ge=0)] | None = None
    max_length: Annotated[int, Meta(ge=1)] | None = None
    autocomplete: str | None = None
    choices: dict[str, Text] | None = None
    choices_from: Literal["prices"] | None = None

    def __post_init__(self) -> None:
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


class Deadlines(_Model, frozen=True, kw_only=True):
    acknowledge: RuleText
    resolve: RuleText | dict[str, RuleText]
    resolve_by: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.resolve, dict) != (self.resolve_by is not None):
            raise ValueError("resolve is a table exactly when resolve_by names the field that selects it")
        _as_rules(self, "acknowledge", "resolve")


class FollowUp(_Model, frozen=True, kw_only=True):
    within: RuleText
    coverage: Literal["all", "sampled", "none"]

    def __post_init__(self) -> None:
        _as_rules(self, "within")


class Reminders(_Model, frozen=True, kw_only=True):
    warn_at_percent: Annotated[int, Meta(ge=1, le=99)]
    repeat_every: RuleText
    escalate_director_after: RuleText
    escalate_quality_after: RuleText

    def __post_init__(self) -> None:
        _as_rules(self, "repeat_every", "escalate_director_after", "escalate_quality_after")


class Kind(_Model, frozen=True, kw_only=True):
    id: str
    name: Text
    summary: Text
    staff_procedure: Text
    office: str
    page: Annotated[str, Meta(pattern=r"^[a-z0-9-]+$")]
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


class Price(_Model, frozen=True, kw_only=True):
    name: Text
    price: Annotated[float, Meta(ge=0)]
    unit: Text


class Catalog(_Model, frozen=True, kw_only=True):
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


def quote(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _invalid(lines: list[str]) -> CatalogError:
    return CatalogError("invalid catalog:\n  " + "\n  ".join(lines))


def _clock(value: Any) -> Any:
    """An office hour as YAML gives it ("08:30") as a time; anything else as it is, to be refused."""
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}(?::\d{2})?", value):
        try:
            return time.fromisoformat(value)
        except ValueError:  # 25:00
            return value
    return value


def _expand(document: dict[str, Any]) -> dict[str, Any]:
    """Resolve shared field references, give every kind its id, read office hours as times."""
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
    prop = rest.get("property")
    if isinstance(prop, dict) and isinstance(prop.get("office_hours"), dict):
        hours = {key: _clock(value) for key, value in prop["office_hours"].items()}
        rest["property"] = {**prop, "office_hours": hours}
    return {**rest, "kinds": expanded}


def _cross_check(catalog: Catalog) -> list[str]:
    errors = []
    try:
        ZoneInfo(catalog.property.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"property.time_zone: unknown time zone {catalog.property.time_zone!r}")
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
    """Check a catalog document (as read from YAML or JSON): every type, constraint and cross-reference."""
    if not isinstance(document, dict):
        raise CatalogError("the catalog must be a mapping")
    document = {key: value for key, value in document.items() if key != "digest"}
    prepared = {**_expand(document), "digest": _digest(document)}
    try:
        catalog = msgspec.convert(prepared, Catalog)
    except msgspec.ValidationError as error:
        from lobby.catalog_errors import explain

        raise _invalid(explain(Catalog, prepared) or [str(error)]) from None
    problems = _cross_check(catalog)
    if problems:
        raise _invalid(problems)
    return catalog


def read_document(path: Path) -> dict[str, Any]:
    """A catalog source as plain values: the YAML an administrator edits (or the same as JSON)."""
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
    """The catalog: a compiled JSON (``compile``'s output) is decoded as it is, checked when it was
    compiled; a source is checked in full."""
    path = path or catalog_path()
    if path.suffix == ".json":
        return msgspec.json.decode(path.read_bytes(), type=Catalog)
    return parse_catalog(read_document(path))


def compile_catalog(source: Path, target: Path) -> Catalog:
    """Check the source and write the compiled JSON a Lambda package carries: the models as they are."""
    catalog = parse_catalog(read_document(source))
    target.write_bytes(msgspec.json.encode(catalog, enc_hook=str))
    return catalog


def main(argv: list[str] | None = None) -> int:
    """``python -m lobby.catalog [check [SOURCE] | compile TARGET]``: check (and compile) the catalog."""
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
