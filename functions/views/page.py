"""The frame of the API's own HTML pages, and the HTML helpers the forms share.

A page the API answers with (a receipt, a form sent back with its errors, a confirmation behind a
signed link) looks like the handbook: the same stylesheet, the same script, a link home. The
script reads its words from the page (``views.script``), as it does on the handbook's pages.

Pure Python: no AWS, no HTTP. Every text that comes from a caller is escaped.
"""

from __future__ import annotations

from html import escape

from views import script
from views.messages import DEFAULT_LANGUAGE, language, translate

STYLESHEET_PATH = "/assets/stylesheets/lobby.css"
SCRIPT_PATH = "/assets/javascripts/lobby.js"


def e(value: object) -> str:
    """``value`` as HTML text or an attribute value."""
    return escape(str(value), quote=True)


def attrs(**attributes: str | bool | int | None) -> str:
    """HTML attributes; ``True`` renders a bare attribute, ``None``/``False`` leaves it out."""
    parts = []
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        html_name = name.rstrip("_").replace("_", "-")
        parts.append(html_name if value is True else f'{html_name}="{e(value)}"')
    return " ".join(parts)


def page_url(lang: str, page: str = "") -> str:
    """The absolute path of a handbook page: ``/repair/``, ``/en/repair/``, ``/``, ``/en/``.

    The default language lives at the root, every other one under its code.
    """
    lang = language(lang)
    prefix = "/" if lang == DEFAULT_LANGUAGE else f"/{lang}/"
    return f"{prefix}{page}/" if page else prefix


def render_page(lang: str, title: str, body_html: str) -> str:
    """A small standalone page in the handbook's look, for the API's no-JavaScript answers.

    ``body_html`` is trusted markup built by the caller (with its own values
    escaped); ``title`` is plain text.
    """
    lang = language(lang)
    home = page_url(lang)
    site = e(translate(lang, "page.site"))
    return (
        "<!doctype html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{e(title)} · {site}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}">\n'
        f"{script.words_tag(lang)}\n"
        f'<script src="{SCRIPT_PATH}" defer></script>\n'
        "</head>\n"
        '<body class="lobby-page">\n'
        f'<header class="lobby-page__header"><a class="lobby-page__home" href="{home}">'
        f"{site}</a></header>\n"
        f'<main class="lobby-page__main" id="main">\n{body_html}\n'
        f'<p class="lobby-page__back"><a href="{home}">{e(translate(lang, "page.home"))}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
