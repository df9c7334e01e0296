"""The example deployment settings and the Makefile's build / deploy / publish targets."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import publish
import pytest
import yaml

from lobby.catalog import SOURCE_YAML, load_catalog

ADDRESS = re.compile(r"^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MAKE = shutil.which("make")


@pytest.fixture(scope="module")
def example(root: Path) -> dict[str, Any]:
    document = yaml.safe_load((root / "infra" / "environments" / "example.yaml").read_text(encoding="utf-8"))
    return document["parameters"]


def test_the_example_sets_only_parameters_the_template_has(
    example: dict[str, Any], template: dict[str, Any]
) -> None:
    parameters = template["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}

    assert set(example) <= set(parameters)
    assert required <= set(example)


def test_every_example_value_passes_the_template_constraints(
    example: dict[str, Any], template: dict[str, Any]
) -> None:
    for name, value in example.items():
        spec = template["Parameters"][name]
        text = str(value)
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], text), (name, text)
        if "AllowedValues" in spec:
            assert value in spec["AllowedValues"] or text in map(str, spec["AllowedValues"]), (name, value)
        if "MinValue" in spec:
            assert float(value) >= spec["MinValue"], (name, value)


def test_the_example_gives_every_office_of_the_catalog_an_address(example: dict[str, Any]) -> None:
    office_emails = json.loads(example["OfficeEmails"])

    assert set(office_emails) == set(load_catalog(SOURCE_YAML).offices)
    assert all(ADDRESS.match(address) for address in office_emails.values())


def test_the_example_sender_is_an_address(example: dict[str, Any]) -> None:
    assert ADDRESS.match(example["SenderEmail"])


# ------------------------------------------------------------------ Makefile
needs_make = pytest.mark.skipif(MAKE is None, reason="GNU make runs the targets")


def dry_run(root: Path, *args: str) -> list[str]:
    """The commands ``make -n`` would run (prerequisites assumed up to date)."""
    assert MAKE
    result = subprocess.run(
        [MAKE, "--no-print-directory", "-n", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


@needs_make
def test_publish_target_runs_the_publisher_with_arguments_it_accepts(root: Path) -> None:
    (command,) = dry_run(root, "-o", "site_build/index.html", "publish", "STACK=lobby-test")
    words = shlex.split(command)

    assert words[1] == "infra/publish.py"
    args = publish.parse_args(words[2:])
    assert args.stack_name == "lobby-test"
    assert args.site_dir == Path("site_build")


@needs_make
def test_deploy_target_builds_then_deploys_the_named_stack(root: Path) -> None:
    commands = dry_run(root, "-o", ".venv/bin/.installed", "deploy", "STACK=lobby-test")

    assert commands[-1] == "sam deploy --guided --stack-name lobby-test"
    assert "python -m lobby.catalog deploy-check" in commands[0]  # before anything is built
    assert any(command.startswith("sam build --template template.yaml") for command in commands)


@pytest.fixture
def make_copy(root: Path, tmp_path: Path) -> Path:
    """The files `make build` reads, in a scratch directory: the real functions/ stays untouched."""
    copy = tmp_path / "repo"
    files = (
        "Makefile",
        "template.yaml",
        "infra/catalog.yaml",
        "infra/precompile.py",
        "functions/lobby/catalog.py",
        "functions/lobby/catalog_base.py",
        "functions/lobby/work_calendar.py",
        "functions/lobby/official_calendar.py",
        "functions/lobby/fields.py",
        "functions/lobby/catalog_check.py",
    )
    for relative in files:
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, copy / relative)
    (copy / "functions" / "lobby" / "__init__.py").touch()
    (copy / ".venv").symlink_to(root / ".venv")
    return copy


def fake_sam(directory: Path, exit_code: int) -> Path:
    """A `sam` that records its arguments and the packaged catalog it finds, and builds one package."""
    directory.mkdir()
    script = directory / "sam"
    script.write_text(
        "#!/bin/sh\n"
        'echo "$@" > sam-args.txt\n'
        "cp functions/lobby/catalog.json sam-saw-catalog.json 2>/dev/null\n"
        "mkdir -p .aws-sam/build/ApiFunction/api && echo 'VALUE = 1' > .aws-sam/build/ApiFunction/api/__init__.py\n"
        f"exit {exit_code}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return directory


def run_build(make_copy: Path, sam_dir: Path) -> subprocess.CompletedProcess[str]:
    assert MAKE
    env = {**os.environ, "PATH": f"{sam_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [
            MAKE,
            "--no-print-directory",
            "-o",
            ".venv/bin/.installed",
            "build",
            "SAM_BUILD_FLAGS=--use-container",
            # This machine's Python stands in for the runtime's (test_precompile checks the real pair).
            f"RUNTIME=python{sys.version_info.major}.{sys.version_info.minor}",
            f"BUILD_PYTHON={sys.executable}",
        ],
        cwd=make_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(
    not (Path(__file__).parents[2] / ".venv" / "bin" / "python").exists(), reason="needs .venv"
)
@needs_make
def test_build_packages_the_compiled_catalog_and_leaves_no_copy_behind(
    make_copy: Path, tmp_path: Path
) -> None:
    result = run_build(make_copy, fake_sam(tmp_path / "bin", exit_code=0))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (make_copy / "sam-args.txt").read_text().split() == [
        "build",
        "--template",
        "template.yaml",
        "--use-container",
    ]
    packaged = json.loads((make_copy / "sam-saw-catalog.json").read_text(encoding="utf-8"))
    assert set(packaged["offices"]) == set(load_catalog(SOURCE_YAML).offices)
    official = {
        arrangement["year"]: arrangement for arrangement in packaged["property"]["calendar"]["official"]
    }
    assert "2026-02-17" in official[2026]["holidays"]  # the Spring Festival, from chinese-calendar
    assert "2026-02-28" in official[2026]["make_up_working_days"]
    assert not (make_copy / "functions" / "lobby" / "catalog.json").exists()
    assert list((make_copy / ".aws-sam" / "build" / "ApiFunction" / "api" / "__pycache__").glob("*.pyc"))


@pytest.mark.skipif(
    not (Path(__file__).parents[2] / ".venv" / "bin" / "python").exists(), reason="needs .venv"
)
@needs_make
def test_a_failed_sam_build_fails_make_and_still_cleans_up(make_copy: Path, tmp_path: Path) -> None:
    result = run_build(make_copy, fake_sam(tmp_path / "bin", exit_code=3))

    assert result.returncode != 0
    assert not (make_copy / "functions" / "lobby" / "catalog.json").exists()
