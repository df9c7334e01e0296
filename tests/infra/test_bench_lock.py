"""bench/package-lock.json agrees with bench/package.json, so `npm ci` installs on a fresh machine.

`npm ci` refuses to install when the lock no longer matches what package.json and the packages'
own dependencies ask for. A dependency asked for by a tag (`"third-party-web": "latest"`) goes
stale by itself: the registry moves the tag, the lock keeps the old version, and the next fresh
`npm ci` stops with "Missing: … from lock file". Each such dependency must be pinned by an
override to exactly the version the lock holds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

# One comparator of an npm semver range: 1.2.3, ^1.2, ~1, >=1.2.3-beta.1, 1.x, *, …
COMPARATOR = re.compile(
    r"^(\^|~|[<>]=?|=)?v?(\d+|[xX*])(\.(\d+|[xX*]))?(\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
# Specs that name a source, not a registry version (aliases, files, git, URLs).
SOURCE = re.compile(r"^(npm:|file:|link:|git\+|git:|github:|https?:)|/")


def is_tag(spec: str) -> bool:
    """True when a dependency spec is a dist-tag (`latest`, `next`, …) rather than a version range."""
    if SOURCE.search(spec):
        return False
    for alternative in spec.split("||"):
        words = alternative.split()
        if words and len(words) == 3 and words[1] == "-":  # hyphen range: 1.2.3 - 2.3.4
            words = [words[0], words[2]]
        if not all(COMPARATOR.match(word) for word in words):
            return True
    return False


def test_is_tag_tells_tags_from_ranges() -> None:
    assert is_tag("latest") and is_tag("next") and is_tag("canary")
    for spec in ("12.8.2", "^0.27.0", "~1.2", ">=14 <18", "1.x || ^2.0.0-rc.1", "*", "", "1.0.0 - 2.0.0"):
        assert not is_tag(spec), spec
    assert not is_tag("npm:other@^1.0.0")


@pytest.fixture(scope="module")
def bench_packages(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    package = json.loads((root / "bench" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((root / "bench" / "package-lock.json").read_text(encoding="utf-8"))
    return package, lock


def dependency_edges(lock: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Every (dependent path, dependency name, spec, optional) edge of the locked tree."""
    edges = []
    for path, node in lock["packages"].items():
        optional_peers = {
            name for name, meta in node.get("peerDependenciesMeta", {}).items() if meta.get("optional")
        }
        for field, optional in (
            ("dependencies", False),
            ("optionalDependencies", True),
            ("peerDependencies", False),
        ):
            for name, spec in node.get(field, {}).items():
                edges.append((path, name, spec, optional or name in optional_peers))
    return edges


def resolve(lock: dict[str, Any], dependent: str, name: str) -> dict[str, Any] | None:
    """The locked package Node.js would load for `name` from `dependent` (walking up node_modules)."""
    base = dependent
    while True:
        candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
        if candidate in lock["packages"]:
            return dict(lock["packages"][candidate])
        if not base:
            return None
        base = base.rpartition("/node_modules/")[0] if "/node_modules/" in base else ""


def test_lock_holds_exactly_the_direct_dependencies(
    bench_packages: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    package, lock = bench_packages
    assert lock["lockfileVersion"] >= 2
    assert lock["name"] == package["name"]
    locked_root = lock["packages"][""]
    for field in ("dependencies", "devDependencies", "optionalDependencies"):
        assert locked_root.get(field, {}) == package.get(field, {}), field


def test_no_dependency_is_left_to_a_moving_tag(bench_packages: tuple[dict[str, Any], dict[str, Any]]) -> None:
    package, lock = bench_packages
    overrides = package.get("overrides", {})
    unpinned = sorted(
        f"{path or 'package.json'} asks for {name}@{spec}"
        for path, name, spec, _ in dependency_edges(lock)
        if is_tag(spec) and name not in overrides
    )
    assert not unpinned, "pin these in bench/package.json's overrides: " + "; ".join(unpinned)


def test_every_override_is_the_version_the_lock_installs(
    bench_packages: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    package, lock = bench_packages
    for name, version in package.get("overrides", {}).items():
        assert isinstance(version, str) and not is_tag(version), (
            f"{name}: pin an exact version, not {version!r}"
        )
        locked = {
            path: node["version"]
            for path, node in lock["packages"].items()
            if path.endswith(f"node_modules/{name}")
        }
        assert locked, f"override {name} names a package the lock does not hold"
        assert set(locked.values()) == {version}, f"{name}: override {version}, lock {locked}"


def test_every_dependency_resolves_to_a_locked_package(
    bench_packages: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, lock = bench_packages
    missing = sorted(
        f"{path or 'package.json'} → {name}@{spec}"
        for path, name, spec, optional in dependency_edges(lock)
        if not optional and resolve(lock, path, name) is None
    )
    assert not missing, "the lock lacks: " + "; ".join(missing)
