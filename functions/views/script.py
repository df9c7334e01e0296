"""The words of the site's script (site/docs/assets/javascripts/lobby.js), from the message catalog.

The script types no sentence of its own. Every page that loads it carries the words it may show,
in the page's language, as JSON in ``<script type="application/json" id="lobby-words">``: the
handbook's pages get it at build time (site/hooks/lobby_markers.py and the theme's main.html), the
API's own pages when they are rendered (``views.page.render_page``). The script looks a text up by
its catalog key and fills the placeholders only it knows (``{kind}``, ``{phone}``,
``{reference}``); placeholders the code owns are filled here, from the code's own constants.

To show a new text from the script: add its key here (and to every ``messages.po``), then call
``text("key")`` in lobby.js. The tests fail when the script asks for a key this list lacks, and
when lobby.js types a sentence itself.
"""

from __future__ import annotations

import json
from typing import Any

from lobby.policy import PHOTO_MAX_MB, PHOTOS_PER_REQUEST
from lobby.references import EXAMPLE
from views.messages import language, message

WORDS_ID = "lobby-words"

# Each key the script shows, and the placeholders filled before the page is served.
SCRIPT_MESSAGES: dict[str, dict[str, Any]] = {
    "form.error_prefix": {},
    "form.summary_title": {},
    "status_page.title": {},
    "page.kind": {},
    "page.status": {},
    "page.received": {},
    "page.contact_by": {},
    "page.due": {},
    "page.owner": {},
    "page.history": {},
    "status_page.not_found": {"example": EXAMPLE},
    "script.sending": {},
    "script.looking": {},
    "script.failed": {},
    "script.failed_urgent": {},
    "script.too_large": {},
    "script.status_failed": {},
    "check.change": {},
    "photo.heading": {},
    "photo.chosen": {},
    "photo.remove": {},
    "photo.too_many": {"photos_limit": PHOTOS_PER_REQUEST},
    "photo.too_big": {"photo_mb": PHOTO_MAX_MB},
    "photo.wrong_type": {},
    "photo.uploading": {},
    "photo.uploaded": {},
    "photo.upload_failed": {},
}


class _KeepUnknown(dict[str, Any]):
    """Placeholders the page fills later stay as they are: ``{kind}`` remains ``{kind}``."""

    def __missing__(self, name: str) -> str:
        return f"{{{name}}}"


def words(lang: str) -> dict[str, str]:
    """Every text the script may show, in ``lang``, by key (MissingMessage when one is missing)."""
    lang = language(lang)
    return {key: message(lang, key).format_map(_KeepUnknown(fixed)) for key, fixed in SCRIPT_MESSAGES.items()}


def words_tag(lang: str) -> str:
    """The ``<script type="application/json">`` element that hands the script its words."""
    # "<" is written as \u003c, so no text can close the element early.
    data = json.dumps(words(lang), ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f'<script type="application/json" id="{WORDS_ID}">{data}</script>'
