"""The API's route modules load as requests need them, and Powertools' packages load piecemeal.

Both keep the API function's cold start down (bench/bench_coldstart.py); these tests check that
neither changes what a request gets: every route is reachable by its path, and every name of the
two Powertools packages is the very object the whole package would give.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Router

from api import wiring
from api.lean_powertools import LEAN_PACKAGES, exports

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def route_rules(router: Router) -> set[str]:
    return {key[0] for key in router._routes}  # Powertools keeps no public list


def modules_with_a_router() -> set[str]:
    found = set()
    for path in (FUNCTIONS / "api").glob("*.py"):
        if "\nrouter = Router()" in path.read_text(encoding="utf-8"):
            found.add(f"api.{path.stem}")
    return found


def test_every_module_with_routes_is_in_the_table() -> None:
    listed = {name for names in wiring.ROUTE_MODULES.values() for name in names}
    assert listed == modules_with_a_router()


@pytest.mark.parametrize("module", sorted(modules_with_a_router()))
def test_every_route_lies_under_a_prefix_of_its_module(module: str) -> None:
    for rule in route_rules(importlib.import_module(module).router):
        prefix = wiring.route_prefix(rule)
        assert module in wiring.ROUTE_MODULES.get(prefix, ()), f"{rule} is not under {module}'s prefixes"


def test_a_path_loads_only_its_own_routes() -> None:
    app = wiring.configure(APIGatewayHttpResolver())
    wiring.load_routes(app, "/api/requests/repair")
    rules = {route.rule.pattern for route in app._static_routes + app._dynamic_routes}
    assert any("requests" in rule for rule in rules)
    assert not any("desk" in rule for rule in rules)
    wiring.load_routes(app, "/desk/requests/20261126-0001")
    wiring.load_routes(app, "/desk/requests/20261126-0002")  # a second time adds nothing
    after = [(route.rule.pattern, route.method) for route in app._static_routes + app._dynamic_routes]
    assert any("desk" in rule for rule, _ in after)
    assert len(after) == len(set(after))


def test_a_path_outside_every_prefix_loads_nothing() -> None:
    app = wiring.configure(APIGatewayHttpResolver())
    before = len(app._static_routes + app._dynamic_routes)
    wiring.load_routes(app, "/api/nothing-here")
    wiring.load_routes(app, "/")
    assert len(app._static_routes + app._dynamic_routes) == before


@pytest.mark.parametrize("package", LEAN_PACKAGES)
def test_each_name_a_lean_package_gives_is_the_whole_packages_own(package: str) -> None:
    whole = importlib.import_module(package)  # the whole package (the test process imported it)
    init = Path(whole.__file__ or "")
    names = exports(init, package)
    assert set(whole.__all__) <= set(names)
    for name, (module, original) in names.items():
        assert getattr(importlib.import_module(module), original) is getattr(whole, name)


def run_fresh(script: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS), "POWERTOOLS_DEV": "false"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=FUNCTIONS, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_the_api_entry_leaves_the_unused_resolvers_and_event_classes_out() -> None:
    loaded = run_fresh(
        "import json, sys\n"
        "import api.app\n"
        "print(json.dumps({'asyncio': 'asyncio' in sys.modules,\n"
        "    'appsync': any('appsync' in name for name in sys.modules),\n"
        "    's3_event': 'aws_lambda_powertools.utilities.data_classes.s3_event' in sys.modules,\n"
        "    'desk': 'api.desk_routes' in sys.modules}))\n"
    )
    assert loaded == {"asyncio": False, "appsync": False, "s3_event": False, "desk": False}


def test_a_lean_package_still_gives_everything_when_asked() -> None:
    asked = {
        "aws_lambda_powertools.event_handler": ["AppSyncResolver", "HttpResolverLocal", "Response"],
        "aws_lambda_powertools.utilities.data_classes": ["S3Event", "event_source"],
    }
    found = run_fresh(
        "import importlib, json\n"
        "import api.app\n"
        f"asked = {asked!r}\n"
        "given = {package: [(lambda o: f'{o.__module__}.{o.__qualname__}')(getattr(importlib.import_module(package), name))\n"
        "    for name in names] for package, names in asked.items()}\n"
        "print(json.dumps({'given': given,\n"
        "    'all': {package: len(importlib.import_module(package).__all__) for package in asked}}))\n"
    )
    whole = {package: importlib.import_module(package) for package in asked}
    assert found["given"] == {
        package: [
            f"{getattr(whole[package], name).__module__}.{getattr(whole[package], name).__qualname__}"
            for name in names
        ]
        for package, names in asked.items()
    }
    assert found["all"] == {package: len(module.__all__) for package, module in whole.items()}
