"""Powertools' API Gateway resolver without the rest of the packages it lives in.

Two of Powertools' package ``__init__`` modules import everything beside them: ``event_handler``
imports every resolver Powertools ships (AppSync's brings asyncio), and
``utilities.data_classes`` the data classes of some forty event sources. The API function uses
one resolver and the event classes it needs, yet paid about 30 ms of each cold start for the rest
(``bench/bench_coldstart.py``).

:func:`register` (called by ``api/__init__.py``, so before any route module imports Powertools)
puts these packages in ``sys.modules`` without running their ``__init__``:

- a submodule imports as usual (``event_handler.api_gateway``);
- a name the ``__init__`` imports from one of its modules (``from .alb_event import ALBEvent``)
  is read from that module alone, the first time someone asks the package for it;
- anything else (``__all__``, a name the ``__init__`` makes itself) runs the ``__init__`` after
  all, so other code always sees the whole package.

The ``__init__`` modules of these two packages only import; none registers or configures anything
that would be skipped.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

LEAN_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def register(packages: tuple[str, ...] = LEAN_PACKAGES) -> None:
    """Make each package importable piecemeal (once; a package already imported stays as it is)."""
    for name in packages:
        if name not in sys.modules:
            _register(name)


def _register(name: str) -> None:
    spec = importlib.util.find_spec(name)  # imports the parent packages
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return  # not a plain package (any more): it is imported the usual way
    if spec.origin is None or not spec.origin.endswith(".py"):
        return  # no source to read its names from (a sourceless build): imported the usual way
    loader, init = spec.loader, Path(spec.origin)
    folder = init.parent
    package = importlib.util.module_from_spec(spec)
    exported = exports(init, name)

    def lookup(attribute: str) -> object:
        # What the __init__ imports first: a function may share its module's name (event_source).
        if attribute in exported:
            module, original = exported[attribute]
            value = getattr(importlib.import_module(module), original)
        elif any(path.is_file() for path in (folder / f"{attribute}.py", folder / attribute / "__init__.py")):
            raise AttributeError(attribute)  # a submodule: "from package import submodule" loads it
        else:
            delattr(package, "__getattr__")
            loader.exec_module(package)
            value = getattr(package, attribute)
        setattr(package, attribute, value)
        return value

    setattr(package, "__getattr__", lookup)  # noqa: B010 - the module's own __getattr__ (PEP 562)
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, package)


def exports(init: Path, package: str) -> dict[str, tuple[str, str]]:
    """The names a package's ``__init__`` imports from other modules: name → (module, its name there)."""
    found = {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.util.resolve_name("." * node.level + node.module, package)
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = (module, alias.name)
    return found
