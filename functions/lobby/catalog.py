"""The catalog: property, offices, request kinds, deadlines and prices.

One YAML file (``infra/catalog.yaml``) is the source. The models below are msgspec Structs: msgspec
turns the document into them, checking every type and constraint declared here, and the rules that
tie fields together live in each model's ``__post_init__``. ``python -m lobby.catalog compile``
checks the source once, with the cross-references between sections, and writes the compiled JSON a
Lambda package carries; a cold start decodes that JSON straight into the models (no YAML parser,
no second pass).

When msgspec refuses a document, ``lobby.catalog_check`` names every offending key in an
administrator's words, so the catalog can be fixed in one pass.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import re
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct
from msgspec.structs import force_setattr, replace

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


class YearArrangement(_Model, frozen=True, kw_only=True):
    """One year's public holidays and make-up working days (调休上班), as the State Council publishes them."""

    year: Annotated[int, Meta(ge=2000, le=2200)]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        _not_both(self.holidays, self.make_up_working_days)
        strays = sorted(
            str(day) for day in self.holidays | self.make_up_working_days if day.year != self.year
        )
        if strays:
            raise ValueError(f"dates outside {self.year}: {strays}")


def _not_both(holidays: frozenset[date], make_up: frozenset[date]) -> None:
    both = holidays & make_up
    if both:
        raise ValueError(f"dates both holiday and make-up working day: {sorted(map(str, both))}")


# The next year's arrangement is wanted from 1 October (the State Council usually publishes it in the
# autumn); a deployment is refused from 1 December while it is unknown, unless told to go on.
NEXT_YEAR_WARNING = (10, 1)
NEXT_YEAR_DEPLOY_REFUSAL = (12, 1)


class Calendar(_Model, frozen=True, kw_only=True, dict=True):
    """Working weekdays, the official holiday arrangement of each known year, and the administrator's additions.

    ``official`` is compiled in from the ``chinese-calendar`` package (never typed by hand, never imported
    by a function at run time). ``years`` holds an arrangement the administrator typed from the State
    Council's notice before the package knew the year; it takes the place of the package's for that year.
    ``holidays`` and ``make_up_working_days`` are single days on top of both: a typhoon day off, say. A
    year known to neither counts weekends only (see ``unknown_years``).
    """

    working_weekdays: Annotated[frozenset[Weekday], Meta(min_length=1)]
    holidays: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()
    years: tuple[YearArrangement, ...] = ()
    official: tuple[YearArrangement, ...] = ()

    def __post_init__(self) -> None:
        _not_both(self.holidays, self.make_up_working_days)
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


class ServiceHours(_Model, frozen=True, kw_only=True):
    """When an office serves: its days, its hours, whether it closes for public holidays, its duty line.

    An office closed on public holidays keeps the property calendar (its holidays and make-up working
    days); one open on them works its ``days`` every week of the year. A 24-hour duty line takes
    urgent matters outside these hours.
    """

    days: Annotated[frozenset[Weekday], Meta(min_length=1)]
    open: Clock
    close: Clock
    public_holidays: Literal["closed", "open"] = "closed"
    duty_line: str | None = None

    def __post_init__(self) -> None:
        _as_hours(self)


class Office(_Model, frozen=True, kw_only=True):
    name: Text
    director: str | None = None
    # Without hours, the office keeps the property's office hours and calendar.
    hours: ServiceHours | None = None


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


class Catalog(_Model, frozen=True, kw_only=True, dict=True):
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
        calendar = replace(calendar, working_weekdays=hours.days)
    else:
        calendar = Calendar(working_weekdays=hours.days)
    return replace(prop, office_hours=OfficeHours(open=hours.open, close=hours.close), calendar=calendar)


def quote(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_catalog(document: Any) -> Catalog:
    """Check a catalog document (as read from YAML or JSON): every type, constraint and cross-reference."""
    from lobby.catalog_check import check

    return check(document)


def read_document(path: Path) -> dict[str, Any]:
    """A catalog source as plain values: the YAML an administrator edits (or the same as JSON)."""
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
