"""infra/precompile.py: a built package ships bytecode that Lambda's read-only /var/task can use."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from precompile import main, precompile

REPO = Path(__file__).resolve().parents[2]
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def build_dir(tmp_path: Path) -> Path:
    """What ``sam build`` leaves: one directory per function, each holding handler packages."""
    package = tmp_path / "build" / "ProbeFunction"
    (package / "probe").mkdir(parents=True)
    (package / "probe" / "__init__.py").write_text("")
    (package / "probe" / "app.py").write_text("VALUE = 1\n")
    (tmp_path / "build" / "template.yaml").write_text("Resources: {}\n")
    return tmp_path / "build"


def run_read_only(package: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Import from the package as Lambda does: no bytecode can be written, -v tells what was read."""
    env = {**os.environ, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-v", "-c", code], env=env, capture_output=True, text=True, check=True, cwd=package
    )


def test_a_built_package_is_imported_from_its_hash_checked_bytecode(tmp_path: Path) -> None:
    build = build_dir(tmp_path)
    assert main([str(build), "--runtime", RUNTIME]) == 0
    package = build / "ProbeFunction"
    pyc = next((package / "probe" / "__pycache__").glob("app.*.pyc"))
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b11  # hash-based and checked: valid whatever timestamps the zip gives
    code = marshal.loads(pyc.read_bytes()[16:])
    assert code.co_filename == "/var/task/probe/app.py"  # tracebacks name the file where Lambda has it

    imported = run_read_only(package, "import probe.app; print(probe.app.VALUE)")
    assert imported.stdout.strip() == "1"
    assert f"matches {package / 'probe' / 'app.py'}" in imported.stderr


def test_a_source_changed_after_the_build_runs_as_changed_never_as_stale_bytecode(tmp_path: Path) -> None:
    build = build_dir(tmp_path)
    package = build / "ProbeFunction"
    assert precompile(package)
    (package / "probe" / "app.py").write_text("VALUE = 2\n")  # same size, as a timestamp check could miss
    imported = run_read_only(package, "import probe.app; print(probe.app.VALUE)")
    assert imported.stdout.strip() == "2"


def test_bytecode_for_another_python_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = build_dir(tmp_path)
    assert main([str(build), "--runtime", "python3.99"]) == 2
    assert "run this script with python3.99" in capsys.readouterr().err
    assert not list(build.rglob("*.pyc"))


def test_a_build_directory_without_packages_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty"), "--runtime", RUNTIME]) == 1
    assert "no function packages" in capsys.readouterr().err


def test_make_build_precompiles_with_the_templates_runtime() -> None:
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "build"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    template = (REPO / "template.yaml").read_text(encoding="utf-8")
    runtime = next(line.split(":")[1].strip() for line in template.splitlines() if "Runtime: python" in line)
    assert planned[-1] == f"{runtime} infra/precompile.py .aws-sam/build --runtime {runtime}"
    assert planned.index(planned[-1]) > next(
        i for i, line in enumerate(planned) if line.startswith("sam build")
    )
