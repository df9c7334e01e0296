"""cfn-lint finds nothing in template.yaml, informational findings included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def cfn_lint() -> str:
    beside_python = Path(sys.executable).with_name("cfn-lint")
    found = str(beside_python) if beside_python.exists() else shutil.which("cfn-lint")
    assert found, "cfn-lint is not installed (it is in requirements.lock)"
    return found


def run_cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cfn_lint(), "--include-checks", "I", "--", str(path)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_template_has_no_cfn_lint_findings(root: Path) -> None:
    result = run_cfn_lint(root / "template.yaml")

    assert result.returncode == 0, f"cfn-lint found problems:\n{result.stdout}{result.stderr}"


def test_cfn_lint_reports_a_broken_template(root: Path, tmp_path: Path) -> None:
    """The check above can fail: an invalid value in a copy of the template is reported."""
    broken = tmp_path / "template.yaml"
    text = (root / "template.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("HttpVersion: http2and3", "HttpVersion: http9"), encoding="utf-8")

    result = run_cfn_lint(broken)

    assert result.returncode != 0
    assert "http9" in result.stdout
