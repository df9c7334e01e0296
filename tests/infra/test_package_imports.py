"""The Lambda package holds what the functions import: functions/requirements.txt, plus boto3.

A library missing from the package fails only on Lambda, with an ImportError at the first
cold start: pydantic, say, if a resolver were built with ``enable_validation=True`` again.
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
FIRST_PARTY = {"lobby", "api", "desk", "notify", "schedules", "views"}
# What the python3.12 Lambda runtime provides: boto3 and the libraries it requires.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
# Imported only off Lambda: the catalog's YAML source is read by tests, the site build and
# `make build`; a package carries the compiled JSON instead (lobby/catalog.py, read_document), with
# the official holiday arrangements chinese-calendar gives when it is built (lobby/official_calendar.py).
OFF_LAMBDA = {"yaml", "chinese_calendar"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def packaged() -> set[str]:
    names = set()
    for line in (FUNCTIONS / "requirements.txt").read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.add(normalized(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]))
    return names | {normalized(name) for name in RUNTIME_PROVIDED}


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
        for module in imports_at_run_time(path) - FIRST_PARTY - OFF_LAMBDA - set(sys.stdlib_module_names):
            if not distributions(module) & packaged():
                missing.setdefault(module, []).append(str(path.relative_to(FUNCTIONS)))
    assert missing == {}, f"imported but neither packaged nor provided by Lambda: {missing}"


def handlers(template: dict[str, Any]) -> list[str]:
    return sorted(
        body["Properties"]["Handler"]
        for body in template["Resources"].values()
        if body["Type"] == "AWS::Serverless::Function"
    )


def test_each_handler_loads_only_packaged_libraries(template: dict[str, Any]) -> None:
    """Import each entry module as Lambda's Init does, and see what came with it."""
    modules = [handler.rpartition(".")[0] for handler in handlers(template)]
    assert len(modules) == 5
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
    loaded = set(json.loads(done.stdout)) - FIRST_PARTY - set(sys.stdlib_module_names)
    unpackaged = {
        module for module in loaded if distributions(module) and not distributions(module) & packaged()
    }
    assert unpackaged == set()
    assert "pydantic" not in loaded and "jinja2" not in loaded


@pytest.mark.parametrize("module", ["pydantic", "jinja2"])
def test_the_check_knows_an_unpackaged_library_when_it_sees_one(module: str) -> None:
    assert distributions(module)
    assert not distributions(module) & packaged()
