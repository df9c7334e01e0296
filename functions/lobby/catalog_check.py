"""Checking the catalog when it is built: what an administrator wrote, as the models and their
cross-references need it, with every problem named at its key.

``lobby.catalog.parse_catalog`` (``python -m lobby.catalog check`` and ``compile``, the site build, a
local run from the YAML source) comes here; a Lambda cold start decodes the compiled JSON and never does.

msgspec checks the document against the models and stops at the first problem, worded for
programmers. On that error path, the walk below follows the models' own declarations
(``msgspec.structs.fields``), lets msgspec check each value, and words what it refused from msgspec's
description of the type (``msgspec.inspect``), so the catalog can be fixed in one pass.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Struct

from lobby.catalog import CLOCK_PATTERN, RULE_PATTERN, Catalog, CatalogError, Kind, quote


def _digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _invalid(lines: list[str]) -> CatalogError:
    return CatalogError("invalid catalog:\n  " + "\n  ".join(lines))


def check(document: Any) -> Catalog:
    """Check a catalog document (as read from YAML or JSON): every type, constraint and cross-reference."""
    if not isinstance(document, dict):
        raise CatalogError("the catalog must be a mapping")
    document = {key: value for key, value in document.items() if key != "digest"}
    prepared = {**_expand(document), "digest": _digest(document)}
    try:
        catalog = msgspec.convert(prepared, Catalog)
    except msgspec.ValidationError as error:
        raise _invalid(explain(Catalog, prepared) or [str(error)]) from None
    problems = _cross_check(catalog)
    if problems:
        raise _invalid(problems)
    return catalog


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


def _office_references(catalog: Catalog) -> list[str]:
    """Every office a director or a channel names exists."""
    offices, errors = catalog.offices, []
    for office_id, office in offices.items():
        if office.director is not None and office.director not in offices:
            errors.append(f"offices.{office_id}.director: no office named {office.director!r}")
    for channel, office_id in catalog.property.channel_offices.items():
        if office_id not in offices:
            errors.append(f"property.channel_offices.{channel}: no office named {office_id!r}")
    return errors


def _kind_rules(catalog: Catalog, kind: Kind, where: str, ids: list[str]) -> list[str]:
    """A kind's spot checks, the field naming whom it is about, its shared places and urgent answers."""
    errors: list[str] = []
    offices = catalog.offices
    for office_id in kind.follow_up.spot_checks:
        if office_id not in offices:
            errors.append(f"{where}.follow_up.spot_checks.{office_id}: no office named {office_id!r}")
    if kind.about_field is not None and (
        kind.about_field not in ids or not set(catalog.choices(kind.field(kind.about_field))) <= set(offices)
    ):
        errors.append(f"{where}.about_field: not a choice field of the kind whose choices are offices")
    if kind.shared_categories and (
        "category" not in ids or not kind.shared_categories <= set(catalog.choices(kind.field("category")))
    ):
        errors.append(f"{where}.shared_categories: not choices of the kind's category field")
    for name, wanted in kind.urgent_when.items():
        if name not in ids or not wanted <= set(catalog.choices(kind.field(name))):
            errors.append(f"{where}.urgent_when.{name}: not a choice field of the kind with these choices")
    agreements = kind.follow_up.agreements
    if agreements is not None and (
        agreements.field not in ids
        or not set(agreements.terms) <= set(catalog.choices(kind.field(agreements.field)))
    ):
        errors.append(
            f"{where}.follow_up.agreements.terms: not choices of the kind's {agreements.field!r} field"
        )
    return errors


def _cross_check(catalog: Catalog) -> list[str]:
    errors = []
    try:
        ZoneInfo(catalog.property.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"property.time_zone: unknown time zone {catalog.property.time_zone!r}")
    offices = catalog.offices
    errors.extend(_office_references(catalog))
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
                if not (selector.required or deadlines.starts_as) or choices != set(deadlines.resolve):
                    errors.append(
                        f"{where}.deadlines.resolve: needs one rule for each choice of the required "
                        f"field {by!r} ({', '.join(sorted(choices))})"
                    )
        errors.extend(_kind_rules(catalog, kind, where, ids))
    return errors


def explain(model: type[Struct], document: Any) -> list[str]:
    """Every problem of ``document`` as a ``model``, one line each, led by the dotted path of its key."""
    errors: list[str] = []
    _walk(model, document, "", errors)
    return errors


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _reason(error: msgspec.ValidationError) -> str:
    return re.sub(r" - at `\$[^`]*`$", "", str(error))


_WORDS = {
    "StrType": "text",
    "IntType": "a whole number",
    "FloatType": "a number",
    "BoolType": "true or false",
}


def _say(kind: Any, raw: Any) -> str:
    """What is wrong with ``raw`` as a value of ``kind`` (a type msgspec refused it as)."""
    from msgspec import inspect

    info: Any = inspect.type_info(kind)
    name, got = type(info).__name__, quote(raw)
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if name == "StrType" and info.pattern == RULE_PATTERN:
        return f"{got} is not a deadline rule (use 8h, 3d, 2wd, 30m, same-day or none)"
    if name == "StrType" and info.pattern == CLOCK_PATTERN:  # YAML 1.1 reads 17:30 unquoted as 1050
        return f'must be a time of day written "HH:MM", got {got}{" (put the time in quotes)" * number}'
    fits = {"StrType": isinstance(raw, str), "BoolType": isinstance(raw, bool), "FloatType": number}
    fits["IntType"] = number and isinstance(raw, int)
    if not fits.get(name, True):
        return f"must be {_WORDS[name]}, got {got}"
    if name == "StrType":
        return "must not be empty" if not raw else f"{got} does not match the pattern {info.pattern}"
    if name in ("IntType", "FloatType"):
        shown = quote(float(raw) if name == "FloatType" else raw)
        if info.ge is not None and raw < info.ge:
            return f"must be at least {info.ge}, got {shown}"
        return f"must be at most {info.le}, got {shown}"
    if name == "DateType":
        return f"must be a date written YYYY-MM-DD, got {got}"
    if name == "LiteralType":  # in the order declared, not inspect's sorted one
        return f"must be one of {', '.join(map(repr, get_args(kind)))}; got {got}"
    return f"must be {kind}, got {got}"


def _unwrap(kind: Any) -> tuple[Any, tuple[Any, ...]]:
    """A type's origin and arguments, through Annotated."""
    origin = get_origin(kind)
    if origin is Annotated:
        return _unwrap(get_args(kind)[0])
    return origin, get_args(kind)


def _walk(kind: Any, raw: Any, path: str, errors: list[str]) -> None:
    """Add to ``errors`` every problem of ``raw`` as a ``kind``, each at its dotted key."""
    origin, args = _unwrap(kind)
    if origin in (Union, types.UnionType):
        if raw is None and type(None) in args:
            return
        # Check the alternative of the value's shape: a table for a mapping, else the first.
        choices = [arg for arg in args if arg is not type(None)]
        shaped = [arg for arg in choices if (_unwrap(arg)[0] is dict) == isinstance(raw, dict)]
        _walk((shaped or choices)[0], raw, path, errors)
        return
    before = len(errors)
    try:
        msgspec.convert(raw, kind)
        return
    except msgspec.ValidationError as error:
        refused = _reason(error)
    if raw is None:
        errors.append(f"{path}: needs a value")
    elif isinstance(kind, type) and issubclass(kind, Struct):
        _walk_model(kind, raw, path, errors)
    elif origin is dict:
        if not isinstance(raw, dict):
            errors.append(f"{path}: must be a mapping, got {quote(raw)}")
        else:
            for key, value in raw.items():
                _walk(args[0], key, _join(path, key), errors)
                _walk(args[1], value, _join(path, key), errors)
    elif origin in (tuple, frozenset):
        if not isinstance(raw, list | tuple | set | frozenset):
            errors.append(f"{path}: must be a list, got {quote(raw)}")
        else:
            for index, item in enumerate(raw):
                _walk(args[0], item, _join(path, index), errors)
    elif origin in (None, Literal):
        errors.append(f"{path}: {_say(kind, raw)}")
    if len(errors) == before:  # each part fits; the whole does not (an empty list, say)
        errors.append(f"{path or '(top level)'}: {refused}")


def _walk_model(model: type[Struct], raw: Any, path: str, errors: list[str]) -> None:
    if not isinstance(raw, dict):
        errors.append(f"{path or '(top level)'}: must be a mapping of keys to values, got {quote(raw)}")
        return
    declared = msgspec.structs.fields(model)
    for spec in declared:
        if spec.encode_name in raw:
            _walk(spec.type, raw[spec.encode_name], _join(path, spec.name), errors)
        elif spec.required:
            errors.append(f"{_join(path, spec.name)}: required")
    known = [spec.encode_name for spec in declared]
    for key in raw:
        if key not in known:
            errors.append(f"{_join(path, key)}: unknown key (the keys here are {', '.join(known)})")
