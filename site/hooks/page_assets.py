"""MkDocs hook: Material's stylesheet under a stable name, for the pages the API draws.

The handbook's pages load Material's stylesheet under a name that carries its hash
(``assets/stylesheets/main.57a0d79d.min.css``), which changes with every Material release. The
API's own pages (receipts, staff actions, ratings, the desk; ``functions/views/page.py``) are not
built by MkDocs and cannot know that name, so after each build this hook writes the same rules,
Material's main sheet followed by its palette sheet as the handbook's pages load them, to
``assets/stylesheets/material.css`` (``views.page.MATERIAL_STYLESHEET_PATH``). ``make publish``
gives the unhashed name a short cache lifetime, like ``lobby.css``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

STABLE_NAME = "material.css"
# The sheets the theme links, in the order it links them.
SHEETS = ("main.*.min.css", "palette.*.min.css")
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")


def material_css(stylesheets: Path) -> str:
    """Material's sheets of a built site, joined; without their source-map comments (their maps are
    named after the hashed files, and one file cannot point at two maps)."""
    parts = []
    for pattern in SHEETS:
        found = sorted(stylesheets.glob(pattern))
        if len(found) != 1:
            raise PluginError(f"expected one {pattern} in {stylesheets}, found {len(found)}")
        parts.append(_SOURCE_MAP.sub("", found[0].read_text(encoding="utf-8")).rstrip() + "\n")
    return "".join(parts)


def on_post_build(config: MkDocsConfig, **_: Any) -> None:
    stylesheets = Path(config.site_dir) / "assets" / "stylesheets"
    (stylesheets / STABLE_NAME).write_text(material_css(stylesheets), encoding="utf-8")
