"""Why the catalog was refused, in an administrator's words: every problem at once, each at its key.

msgspec stops at the first problem of a document and words it for programmers. On the error path
only (``lobby.catalog.parse_catalog``), the walk below follows the models' own declarations
(``msgspec.structs.fields``), lets msgspec check each value, and words what it refused from
msgspec's description of the type (``msgspec.inspect``).
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from msgspec import Struct

from lobby.catalog import RULE_PATTERN, quote


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
    if name == "TimeType":  # YAML 1.1 reads an unquoted 17:30 as the number 1050 (base 60)
        return f'must be a time of day written "HH:MM", got {got}{" (put the time in quotes)" * number}'
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
