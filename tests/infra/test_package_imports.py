"""The Lambda package holds what the functions import: functions/requirements.txt, plus boto3.

A library missing from the package fails only on Lambda, with an ImportError at the first
cold start: pydantic, say, if a resolver were built with ``enable_validation=True`` again.

The photo function alone also has a layer of image libraries (layers/images/requirements.txt):
only the ``photos`` package may import them, and no other function's handler loads them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
IMAGES_LAYER = Path(__file__).resolve().parents[2] / "layers" / "images" / "requirements.txt"
FIRST_PARTY = {"lobby", "api", "desk", "notify", "schedules", "views", "photos"}
PHOTO_HANDLER = "photos.app"
# What the python3.12 Lambda runtime provides: boto3 and the libraries it requires.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
# Imported only off Lambda: the catalog's YAML source is read by tests, the site build and
# `make build`; a package carries the compiled JSON instead (lobby/catalog.py, read_document), with
# the official holiday arrangements chinese-calendar gives when it is built (lobby/official_calendar.py).
OFF_LAMBDA = {"yaml", "chinese_calendar"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.add(normalized(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]))
    return names


def packaged() -> set[str]:
    return requirements(FUNCTIONS / "requirements.txt") | {normalized(name) for name in RUNTIME_PROVIDED}


def layered() -> set[str]:
    """What the photo function's layer adds to its package."""
    return requirements(IMAGES_LAYER)


def distributions(module: str) -> set[str]:
    """The installed distributions that provide a top-level module (none for the standard library)."""
    return {normalized(name) for name in packages_distributions().get(module, [])}


def imports_at_run_time(path: Path) -> set[str]:
    """Top-level modules a file imports, leaving out those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_library_the_code_imports_is_in_the_package() -> None:
    missing = {}
    for path in FUNCTIONS.rglob("*.py"):
        available = packaged() | (layered() if path.is_relative_to(FUNCTIONS / "photos") else set())
        for module in imports_at_run_time(path) - FIRST_PARTY - OFF_LAMBDA - set(sys.stdlib_module_names):
            if not distributions(module) & available:
                missing.setdefault(module, []).append(str(path.relative_to(FUNCTIONS)))
    assert missing == {}, f"imported but neither packaged nor provided by Lambda: {missing}"


def handlers(template: dict[str, Any]) -> list[str]:
    return sorted(
        body["Properties"]["Handler"]
        for body in template["Resources"].values()
        if body["Type"] == "AWS::Serverless::Function"
    )


def loaded_by(modules: list[str]) -> set[str]:
    """The top-level libraries importing these entry modules loads, as Lambda's Init would."""
    script = (
        "import importlib, json, sys\n"
        "before = set(sys.modules)\n"  # what the interpreter's own start-up loaded is no handler's
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=FUNCTIONS, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout)) - FIRST_PARTY - set(sys.stdlib_module_names)


def unpackaged(loaded: set[str], available: set[str]) -> set[str]:
    return {module for module in loaded if distributions(module) and not distributions(module) & available}


def test_each_handler_loads_only_packaged_libraries(template: dict[str, Any]) -> None:
    """Import each entry module as Lambda's Init does, and see what came with it."""
    modules = [handler.rpartition(".")[0] for handler in handlers(template)]
    assert len(modules) == 6 and PHOTO_HANDLER in modules
    others = loaded_by([module for module in modules if module != PHOTO_HANDLER])
    assert unpackaged(others, packaged()) == set()
    assert "pydantic" not in others and "jinja2" not in others
    # The image libraries stay out of every other function's package and cold start.
    assert not any(distributions(module) & layered() for module in others)
    photo = loaded_by([PHOTO_HANDLER])
    assert unpackaged(photo, packaged() | layered()) == set()
    assert {"PIL"} <= photo


def test_the_layer_pins_what_the_tests_run_with() -> None:
    lock = (FUNCTIONS.parent / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pinned = [line.split("#", 1)[0].strip() for line in IMAGES_LAYER.read_text(encoding="utf-8").splitlines()]
    assert {"pillow", "pillow-heif"} == layered()
    assert all(line in lock for line in pinned if line)
    assert not layered() & requirements(FUNCTIONS / "requirements.txt")


@pytest.mark.parametrize("module", ["pydantic", "jinja2"])
def test_the_check_knows_an_unpackaged_library_when_it_sees_one(module: str) -> None:
    assert distributions(module)
    assert not distributions(module) & packaged()
