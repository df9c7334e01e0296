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
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from msgspec.structs import replace

from lobby.catalog_base import (
    CLOCK_PATTERN,
    LANGUAGES,
    PACKAGED_JSON,
    RULE_PATTERN,
    SOURCE_YAML,
    CatalogError,
    Clock,
    Lang,
    NonEmpty,
    OfficeHours,
    Rule,
    RuleText,
    Text,
    Weekday,
    _as_hours,
    _as_rules,
    _Model,
    parse_rule,
    quote,
)
from lobby.fields import FIELD_TYPES
from lobby.work_calendar import (
    NEXT_YEAR_DEPLOY_REFUSAL,
    NEXT_YEAR_WARNING,
    Calendar,
    YearArrangement,
    calendar_notice,
)

# Re-exported: the models' building blocks and the calendar live in their own modules.
__all__ = [
    "CLOCK_PATTERN",
    "LANGUAGES",
    "NEXT_YEAR_DEPLOY_REFUSAL",
    "NEXT_YEAR_WARNING",
    "PACKAGED_JSON",
    "RULE_PATTERN",
    "SOURCE_YAML",
    "Calendar",
    "Catalog",
    "CatalogError",
    "Clock",
    "Kind",
    "Lang",
    "NonEmpty",
    "OfficeHours",
    "Rule",
    "RuleText",
    "Text",
    "Weekday",
    "YearArrangement",
    "calendar_notice",
    "load_catalog",
    "parse_rule",
    "quote",
]


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
    # Who handles a request that reached the office through a channel, whatever its kind: a complaint
    # forwarded by a government body goes to the general manager's office (seed 000 §5.6.2.5).
    channel_offices: dict[str, str] = {}  # noqa: RUF012 - a msgspec default, copied per instance
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
    # Staff size the job: the promise follows this choice of the table until staff set one (the
    # resident's answer to resolve_by is an estimate then, shown to staff).
    starts_as: str | None = None
    # The arrival limit (到场时限): on site (work started) within this; None sets none.
    arrive: RuleText | None = None

    def __post_init__(self) -> None:
        if isinstance(self.resolve, dict) != (self.resolve_by is not None):
            raise ValueError("resolve is a table exactly when resolve_by names the field that selects it")
        if self.starts_as is not None and not (
            isinstance(self.resolve, dict) and self.starts_as in self.resolve
        ):
            raise ValueError("starts_as must name one of the resolve table's choices")
        _as_rules(self, "acknowledge", "resolve")
        if self.arrive is not None:
            _as_rules(self, "arrive")


class Agreements(_Model, frozen=True, kw_only=True):
    """Long-term agreements (seed 004 §4.2.3): the choice ``field`` whose answers in ``terms`` book one, each
    for that many months. Every agreement is followed up halfway through its term and again within the
    kind's ``within`` of its end (seed 002), whatever the kind's coverage."""

    field: str
    terms: Annotated[dict[str, Annotated[int, Meta(ge=1, le=120)]], Meta(min_length=1)]


class FollowUp(_Model, frozen=True, kw_only=True):
    within: RuleText
    coverage: Literal["all", "sampled", "none"]
    # The company's spot checks of the follow-ups (抽查, seed 000 §5.5): office → percent of the kind's
    # resolved requests it checks, drawn when each is resolved.
    spot_checks: dict[str, Annotated[int, Meta(ge=1, le=100)]] = {}  # noqa: RUF012 - a msgspec default
    agreements: Agreements | None = None

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
    # A request is urgent when one of these fields holds one of these choices (water, power, gas or a lift
    # out now): its clocks count every hour and its reminders ignore quiet hours.
    urgent_when: dict[str, frozenset[str]] = {}  # noqa: RUF012 - a msgspec default, copied per instance
    # The choice field naming the office a request is about (a complaint): it escalates above that office.
    about_field: str | None = None
    # Categories that are shared places (a lift, the common areas): the monthly report counts their repeats
    # by building and category, whoever reported them, not flat by flat.
    shared_categories: frozenset[str] = frozenset()
    fields: tuple[FormField, ...]
    deadlines: Deadlines
    follow_up: FollowUp
    reminders: Reminders

    def field(self, field_id: str) -> FormField:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def resolve_rule(self, values: dict[str, str], sized: bool = True) -> Rule:
        """The resolve rule that applies to a request with these field values; until staff size a job
        (``sized``), the size it ``starts_as``."""
        deadlines = self.deadlines
        if isinstance(deadlines.resolve, dict):
            assert deadlines.resolve_by
            choice = values.get(deadlines.resolve_by)
            if deadlines.starts_as and (not sized or choice not in deadlines.resolve):
                choice = deadlines.starts_as
            return deadlines.resolve[str(choice)]
        return deadlines.resolve

    def is_urgent(self, values: dict[str, str]) -> bool:
        """Whether a request with these field values is urgent: the kind is, or an answer makes it so."""
        return self.urgent or any(values.get(name) in wanted for name, wanted in self.urgent_when.items())


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
    prices: dict[str, Price] = {}  # noqa: RUF012 - a msgspec default, copied per instance

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
