"""The code is importable as installed packages (pyproject.toml, `pip install -e .`), not by path edits.

The Lambda packages live in functions/ (SAM packages that directory as it is), the local stack and
the deployment helpers in infra/; the Makefile's venv step installs both. A module that edits
``sys.path`` to find another would work in one place and fail in the next (a site build, a
benchmark, a clean clone), so only the tests' conftest files may point the path at the checkout.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEARCHED = ("functions", "infra", "site", "bench", "tests")
PATH_EDITS = {"insert", "append", "extend"}


def _is_sys_path(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "path" and ast.unparse(node.value) == "sys"


def path_edits(source: str) -> list[int]:
    """Lines of ``source`` that change ``sys.path`` (a call on it, or an assignment to it or a slice)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in PATH_EDITS and _is_sys_path(node.func.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                inner = target.value if isinstance(target, ast.Subscript) else target
                if _is_sys_path(inner):
                    lines.append(node.lineno)
    return sorted(lines)


def test_the_finder_sees_each_kind_of_path_edit() -> None:
    source = (
        "import sys\nsys.path.insert(0, 'a')\nsys.path[:0] = ['b']\nsys.path += ['c']\nsys.path.append('d')\n"
    )
    assert path_edits(source) == [2, 3, 4, 5]
    assert path_edits("import sys\nprint(sys.path[0])\npaths = list(sys.path)\n") == []


def test_no_module_edits_sys_path_outside_the_tests_conftest_files() -> None:
    found = {}
    for top in SEARCHED:
        for path in (REPO / top).rglob("*.py"):
            if "node_modules" in path.parts or (
                path.name == "conftest.py" and path.is_relative_to(REPO / "tests")
            ):
                continue
            lines = path_edits(path.read_text(encoding="utf-8"))
            if lines:
                found[str(path.relative_to(REPO))] = lines
    assert found == {}


def test_the_install_covers_every_module_of_infra() -> None:
    """pyproject.toml lists infra/'s top-level modules; a new one left out would import only in tests."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"": "infra"}
    assert sorted(setuptools["py-modules"]) == sorted(path.stem for path in (REPO / "infra").glob("*.py"))
    assert setuptools["packages"]["find"]["where"] == ["functions", "infra"]


def test_every_module_of_the_functions_imports() -> None:
    """A module that imports a renamed or missing one fails here, not at its first use on Lambda (mypy,
    told to ignore missing imports for the libraries without stubs, would not say)."""
    import importlib

    functions = REPO / "functions"
    failed = {}
    for path in sorted(functions.rglob("*.py")):
        parts = path.relative_to(functions).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        try:
            importlib.import_module(name)
        except Exception as error:
            failed[name] = f"{type(error).__name__}: {error}"
    assert failed == {}
