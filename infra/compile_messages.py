"""Compile the message catalog: every ``functions/views/locale/<lang>/LC_MESSAGES/messages.po``
to the ``messages.mo`` beside it, with Babel.

Run by ``make dev``, ``make test``, ``make site`` and ``make build``, and by the tests' conftest,
so a clean clone needs no step of its own. The ``.mo`` files are generated, never committed
(.gitignore); the functions read them with the standard library's ``gettext``, so Babel is a
build tool only and never ships in a Lambda package.

A ``.mo`` is rewritten only when its ``.po`` is newer, and through a temporary file renamed into
place, so two test workers compiling at once never leave a half-written catalog behind.

    python infra/compile_messages.py [LOCALE_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "functions" / "views" / "locale"
DOMAIN = "messages"


def compile_language(po: Path) -> Path:
    """``<lang>/LC_MESSAGES/messages.po`` → ``messages.mo`` beside it (when stale); the .mo path."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        return mo
    lang = po.parents[1].name
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    fd, temporary = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as target:
            # Fuzzy entries are compiled too: an entry is either in the catalog or missing, and
            # the catalog tests say which.
            write_mo(target, catalog, use_fuzzy=True)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep Lambda's user from reading it
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return mo


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every language's catalog under ``locale_dir``, compiled; the .mo paths, by language."""
    return [compile_language(po) for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[0]) if argv else LOCALE_DIR
    compiled = compile_all(locale_dir)
    if not compiled:
        print(f"no {DOMAIN}.po under {locale_dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
