"""Every sentence a person reads lives in the message catalog: none in the code outside ``views``.

A string literal in ``functions/`` (outside ``functions/views/``) or in the handbook's build hooks
(``site/hooks/``) with Chinese in it, or with an English sentence in it, fails, unless it is a
docstring or a message for developers: an exception's message, a log line, an assertion's explanation.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = REPO / "functions"
VIEWS = FUNCTIONS / "views"
HOOKS = REPO / "site" / "hooks"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# Four or more words in a row: a sentence, not a key, an identifier, a format or an HTML attribute.
SENTENCE = re.compile(r"[A-Za-z][a-z']+(?:,? [A-Za-z][a-z']*){3,}")
LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}
# Modules whose words are being moved into the catalog by work in progress elsewhere. Remove an
# entry once its module holds no sentence; the test then keeps it so.
PENDING: set[str] = set()
# Modules that speak to developers and administrators only, in English.
FOR_DEVELOPERS = {
    "api/openapi.py": "the OpenAPI document describes the API to whoever integrates with it",
    "lobby/catalog.py": "its checks answer whoever edits infra/catalog.yaml, at build time",
    "lobby/catalog_check.py": "it explains a refused infra/catalog.yaml to whoever edits it, at build time",
    "lobby/work_calendar.py": "its notice of an unknown year answers whoever checks or deploys, at build time",
    "lobby/fields.py": "its JSON Schema descriptions speak to API integrators; its character tables are data",
    "lobby/settings.py": "its errors answer whoever deploys, before the first request",
}


def developer_text(tree: ast.AST) -> set[int]:
    """Ids of the string nodes that are docstrings, exception messages, log lines or assertion messages."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
        quiet: list[ast.AST] = []
        if isinstance(node, ast.Raise) and node.exc is not None:
            quiet.append(node.exc)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            quiet.append(node.msg)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOG_CALLS
        ):
            quiet.append(node)
        for part in quiet:
            ids |= {id(inner) for inner in ast.walk(part)}
    return ids


def sentences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    quiet = developer_text(tree)
    found = []
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) and id(node) not in quiet else None
        if isinstance(text, str) and (CJK.search(text) or SENTENCE.search(text)):
            found.append(f"{node.lineno}: {text[:70]!r}")
    return found


def modules() -> list[Path]:
    return sorted(path for path in FUNCTIONS.rglob("*.py") if VIEWS not in path.parents)


def test_no_sentence_outside_the_views_and_the_catalog() -> None:
    found = {}
    for path in modules():
        name = str(path.relative_to(FUNCTIONS))
        if name not in PENDING | set(FOR_DEVELOPERS) and (lines := sentences(path)):
            found[name] = lines
    assert found == {}


def test_no_sentence_in_the_handbook_hooks() -> None:
    found = {path.name: lines for path in sorted(HOOKS.glob("*.py")) if (lines := sentences(path))}
    assert found == {}


def test_the_check_finds_a_sentence_and_leaves_developer_text(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        '"""A docstring says what the module does, in words."""\n'
        'TITLE = "我们已收到您的请求"\n'
        'LINE = "We will email you at every step."\n'
        'KEY = "receipt.title"\n'
        'STYLE = "font-size:22px;margin:0 0 8px;"\n'
        'raise ValueError("a rule is not a length of time here")\n'
        'logger.info("the digest was queued for every office")\n',
        encoding="utf-8",
    )
    assert [line.split(":")[0] for line in sentences(module)] == ["2", "3"]


def test_the_exceptions_name_modules_that_exist() -> None:
    assert {str(path.relative_to(FUNCTIONS)) for path in modules()} >= PENDING | set(FOR_DEVELOPERS)
