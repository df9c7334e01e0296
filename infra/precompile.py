"""Compile a built Lambda package to bytecode, so that no cold start compiles it again.

Lambda's ``/var/task`` is read-only: a module without a usable ``.pyc`` is compiled on
every cold start, and the result is thrown away. Timestamp-checked ``.pyc`` files are no
better, because SAM zips its packages without timestamps and a timestamp ``.pyc`` then
never validates (aws/aws-lambda-builders#924). So ``make build`` runs this after
``sam build``, with the runtime's own Python (bytecode is version-specific), writing
hash-checked ``.pyc`` files: valid whatever the timestamps, and a source that does not
match its ``.pyc`` is still compiled, so stale bytecode never runs.

    python3.12 infra/precompile.py .aws-sam/build --runtime python3.12

Standard library only: ``make build`` may run it with a bare system interpreter.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import sys
from pathlib import Path

TASK_ROOT = "/var/task"  # where Lambda unpacks a function: tracebacks name the files there


class WrongInterpreter(RuntimeError):
    """Bytecode for one Python version is ignored by another: compiling it would only add bytes."""


def check_interpreter(runtime: str) -> None:
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if running != runtime:
        raise WrongInterpreter(
            f"this is {running}, the functions run on {runtime}: run this script with {runtime}"
        )


def package_roots(build_dir: Path) -> list[Path]:
    """The function packages under ``sam build``'s output (each holds a handler package)."""
    return sorted(path for path in build_dir.iterdir() if path.is_dir() and any(path.glob("*/__init__.py")))


def precompile(package: Path, task_root: str = TASK_ROOT) -> bool:
    """Write a hash-checked ``.pyc`` for every module of one package; False if any failed."""
    return bool(
        compileall.compile_dir(
            package,
            quiet=1,
            force=True,  # pip's timestamp .pyc files would never validate on Lambda
            stripdir=str(package),
            prependdir=task_root,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            workers=0,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir", type=Path, help="sam build's output, usually .aws-sam/build")
    parser.add_argument("--runtime", required=True, help="the functions' runtime, e.g. python3.12")
    args = parser.parse_args(argv)
    try:
        check_interpreter(args.runtime)
    except WrongInterpreter as error:
        print(f"precompile: {error}", file=sys.stderr)
        return 2
    packages = package_roots(args.build_dir)
    if not packages:
        print(f"precompile: no function packages under {args.build_dir}", file=sys.stderr)
        return 1
    failed = [package.name for package in packages if not precompile(package)]
    for package in packages:
        print(f"precompile: {package.name}: bytecode for {args.runtime} (hash-checked)")
    if failed:
        print(f"precompile: some modules did not compile in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
