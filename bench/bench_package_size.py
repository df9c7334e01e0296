"""Lambda package size, per function: what ``sam build`` would zip, against Lambda's limits.

A package is the function's CodeUri (functions/, without bytecode caches, with the compiled
catalog that ``make build`` adds) plus the pinned runtime dependencies of its requirements.txt,
installed with ``pip install --target`` for the template's runtime and architecture
(python3.12, arm64), as SAM's builder does, then compiled to bytecode as ``make build`` does
(infra/precompile.py; this machine's Python stands in for the runtime's, whose bytecode is
about the same size). boto3 is not packaged: the runtime provides it.
Offline, or with ``--installed``, the dependencies are measured from this venv's installed
distributions (their RECORD files) instead.

Limits: 50 MB zipped (direct upload), 250 MB unzipped (code and layers together).

    python bench/bench_package_size.py [--installed] [--check]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import lambda_events as le
from precompile import precompile

ZIPPED_LIMIT = 50 * 1024 * 1024
UNZIPPED_LIMIT = 250 * 1024 * 1024


@dataclass(frozen=True)
class Function:
    name: str
    code_dir: Path
    runtime: str
    architecture: str


@dataclass(frozen=True)
class Size:
    files: int
    unzipped: int
    zipped: int


def template_functions() -> list[Function]:
    import cfn

    template = cfn.load_template()
    defaults = (template.get("Globals") or {}).get("Function") or {}
    found = []
    for name, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = {**defaults, **(resource.get("Properties") or {})}
        code_uri = properties.get("CodeUri")
        if not isinstance(code_uri, str):
            continue
        runtime = str(properties.get("Runtime", "python3.12"))
        architecture = str((properties.get("Architectures") or ["x86_64"])[0])
        found.append(Function(name, (le.REPO / code_uri).resolve(), runtime, architecture))
    return found


def pip_install(requirements: Path, target: Path, function: Function) -> None:
    """Install the pinned dependencies for Lambda's platform, not this machine's."""
    version = function.runtime.removeprefix("python")
    platform = "manylinux2014_aarch64" if function.architecture == "arm64" else "manylinux2014_x86_64"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(target),
        "--platform",
        platform,
        "--implementation",
        "cp",
        "--python-version",
        version,
        "--only-binary=:all:",
        "-r",
        str(requirements),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "pip failed")


def requirement_names(requirements: Path) -> list[str]:
    names = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.append(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
    return names


def with_dependencies(names: list[str]) -> list[metadata.Distribution]:
    """The named distributions and everything they require (extras aside), as installed here."""
    from packaging.requirements import Requirement

    found: dict[str, metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        found[key] = distribution = metadata.distribution(name)
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return list(found.values())


def copy_installed(requirements: Path, target: Path) -> None:
    """The same distributions, as installed in this venv (read through their RECORD files)."""
    for distribution in with_dependencies(requirement_names(requirements)):
        for file in distribution.files or []:
            if file.suffix in (".pyc", ".pyo") or "__pycache__" in file.parts or ".." in file.parts:
                continue
            source = Path(str(file.locate()))
            if source.is_file():
                destination = target / file
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


def measure(root: Path) -> Size:
    files = [path for path in sorted(root.rglob("*")) if path.is_file()]
    unzipped = sum(path.stat().st_size for path in files)
    with tempfile.TemporaryDirectory(prefix="lobby-zip-") as tmp:
        archive = Path(tmp) / "package.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for path in files:
                zipped.write(path, path.relative_to(root).as_posix())
        return Size(len(files), unzipped, archive.stat().st_size)


def build_package(function: Function, target: Path, installed: bool) -> str:
    """Lay out the package in ``target``; return how its dependencies were obtained."""
    le.copy_code(function.code_dir, target)
    requirements = function.code_dir / "requirements.txt"
    if not requirements.is_file():
        return "no requirements.txt"
    if not installed:
        try:
            pip_install(requirements, target, function)
            return f"pip install --target for {function.runtime} {function.architecture}"
        except RuntimeError as error:
            print(f"package size: pip could not install for Lambda ({error}); measuring this venv instead")
    copy_installed(requirements, target)
    return "this venv's installed distributions (RECORD)"


def largest(root: Path, count: int = 4) -> str:
    """The biggest top-level entries of a package (unzipped), e.g. ``aws_lambda_powertools 5.6 MB``."""
    totals = {}
    for entry in root.iterdir():
        if entry.name.endswith(".dist-info"):
            continue
        files = [entry] if entry.is_file() else [path for path in entry.rglob("*") if path.is_file()]
        totals[entry.name] = sum(path.stat().st_size for path in files)
    ranked = sorted(totals.items(), key=lambda pair: pair[1], reverse=True)[:count]
    return ", ".join(f"{name} {megabytes(size)}" for name, size in ranked)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lambda package size per function.")
    parser.add_argument("--installed", action="store_true", help="measure this venv's distributions, no pip")
    parser.add_argument("--check", action="store_true", help="exit 1 when a package is over a limit")
    args = parser.parse_args(argv)

    os.environ.setdefault("PIP_NO_INPUT", "1")
    sizes: dict[tuple[Path, str, str], tuple[Size, str, Size, str]] = {}
    within = True
    for function in template_functions():
        key = (function.code_dir, function.runtime, function.architecture)
        if key not in sizes:  # functions sharing a CodeUri share one package
            with tempfile.TemporaryDirectory(prefix="lobby-package-") as tmp:
                root = Path(tmp) / "package"
                code_only = Path(tmp) / "code"
                le.copy_code(function.code_dir, code_only)
                how = build_package(function, root, args.installed)
                precompile(root)
                sizes[key] = (measure(root), how, measure(code_only), largest(root))
        size, how, code, biggest = sizes[key]
        fits = size.zipped <= ZIPPED_LIMIT and size.unzipped <= UNZIPPED_LIMIT
        within &= fits
        print(
            f"package {function.name:<18} {megabytes(size.zipped)} zipped (limit 50 MB), "
            f"{megabytes(size.unzipped)} unzipped (limit 250 MB), {size.files} files — "
            f"{'within' if fits else 'OVER'} the limits; Lobby's own code {megabytes(code.zipped)} zipped "
            f"[{how}; largest unzipped: {biggest}]"
        )
    return 0 if within or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
