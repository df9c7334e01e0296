"""The desk's frame and its sign-in pages: who is signed in, the desk's menu, the refusal page.

Every desk page is a standalone page in the handbook's look (``views.page.render_page``). Forms that
change something carry the session's CSRF token (``csrf_field``). Pure Python: every value is escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from views.messages import translate
from views.page import e, render_page

if TYPE_CHECKING:
    from desk.roster import Staff

CSRF_FIELD = "csrf"
QUEUE_PATH = "/desk/"
NEW_PATH = "/desk/new"
COMPANY_PATH = "/desk/company"
SIGN_IN_PATH = "/desk/sign-in"
SIGN_OUT_PATH = "/desk/sign-out"


def t(lang: str, key: str, **values: Any) -> str:
    """A sentence of the message catalog, escaped for HTML."""
    return e(translate(lang, key, count=None, **values))


def card_path(reference: str) -> str:
    return f"/desk/requests/{reference}"


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{e(csrf)}">'


def role_name(role: str, lang: str) -> str:
    return translate(lang, f"desk.role.{role}")


def _menu(lang: str, staff: Staff, csrf: str, here: str) -> str:
    links = [(QUEUE_PATH, t(lang, "desk.menu.queue")), (NEW_PATH, t(lang, "desk.menu.new"))]
    if staff.sees_all:
        links.append((COMPANY_PATH, t(lang, "desk.menu.company")))
    current = ' aria-current="page"'
    items = "".join(
        f'<li><a href="{path}"{current if path == here else ""}>{label}</a></li>' for path, label in links
    )
    other = "en" if lang == "zh" else "zh"
    switch = f'<a href="{e(here)}?lang={other}" lang="{other}" hreflang="{other}">{t(other, "desk.menu.language")}</a>'
    return (
        '<nav class="desk-menu" aria-label="' + t(lang, "desk.menu.label") + '">'
        f'<ul class="desk-menu__links">{items}</ul>'
        f'<div class="desk-menu__who"><span>{e(staff.name)} · {e(role_name(staff.role, lang))}</span> '
        f"{switch}"
        f'<form method="post" action="{SIGN_OUT_PATH}" class="desk-inline">{csrf_field(csrf)}'
        f'<button type="submit" class="desk-link-button">{t(lang, "desk.menu.sign_out")}</button></form></div>'
        "</nav>\n"
    )


def desk_page(lang: str, title: str, body: str, staff: Staff, csrf: str, here: str) -> str:
    """A desk page: the menu above, ``body`` (trusted markup) below."""
    return render_page(lang, title, f'<div class="desk">{_menu(lang, staff, csrf, here)}{body}</div>')


def problem_page(lang: str, key: str) -> str:
    """Why the desk refused: in the staff member's language, with the way on."""
    title = translate(lang, "desk.problem.title")
    body = (
        f'<div class="desk"><h1>{e(title)}</h1>'
        f'<p class="desk-problem">{t(lang, f"desk.problem.{key}")}</p>'
        f'<p><a href="{QUEUE_PATH}">{t(lang, "desk.problem.to_queue")}</a> · '
        f'<a href="{SIGN_IN_PATH}">{t(lang, "desk.problem.to_sign_in")}</a></p></div>'
    )
    return render_page(lang, title, body)


def sign_in_page(lang: str, error: str | None = None, value: str = "") -> str:
    title = translate(lang, "desk.sign_in.title")
    error_html = (
        f'<p class="lobby-error-message" id="f-email-error">{t(lang, f"desk.sign_in.{error}")}</p>'
        if error
        else ""
    )
    described = "f-email-hint" + (" f-email-error" if error else "")
    body = (
        f'<div class="desk desk--narrow"><h1>{e(title)}</h1>'
        f"<p>{t(lang, 'desk.sign_in.intro')}</p>"
        f'<form method="post" action="{SIGN_IN_PATH}?lang={lang}" class="lobby-form" novalidate>'
        f'<div class="lobby-field{" lobby-field--error" if error else ""}">'
        f'<label class="lobby-label" for="f-email">{t(lang, "desk.sign_in.email")}</label>'
        f'<div class="lobby-hint" id="f-email-hint">{t(lang, "desk.sign_in.email_hint")}</div>{error_html}'
        f'<input class="lobby-input" type="email" id="f-email" name="email" autocomplete="email" '
        f'spellcheck="false" maxlength="254" required aria-describedby="{described}" value="{e(value)}"></div>'
        f'<div class="lobby-actions"><button type="submit" class="lobby-button">{t(lang, "desk.sign_in.send")}'
        "</button></div></form></div>"
    )
    return render_page(lang, title, body)


def _short_page(lang: str, title_key: str, body: str) -> str:
    """A one-message page of the sign-in, narrow as a form."""
    title = translate(lang, title_key)
    return render_page(lang, title, f'<div class="desk desk--narrow"><h1>{e(title)}</h1>{body}</div>')


def link_sent_page(lang: str, lifetime: str) -> str:
    """The same answer whether or not the address is on the roster."""
    return _short_page(
        lang,
        "desk.sign_in.sent_title",
        f"<p>{t(lang, 'desk.sign_in.sent', lifetime=lifetime)}</p>"
        f"<p>{t(lang, 'desk.sign_in.sent_not_staff')}</p>"
        f'<p><a href="{SIGN_IN_PATH}">{t(lang, "desk.sign_in.again")}</a></p>',
    )


def confirm_sign_in_page(lang: str, token: str) -> str:
    """The link's page changes nothing (mail scanners open links): its button signs in."""
    return _short_page(
        lang,
        "desk.sign_in.confirm_title",
        f"<p>{t(lang, 'desk.sign_in.confirm')}</p>"
        f'<form method="post" action="{SIGN_IN_PATH}/{e(token)}?lang={lang}">'
        f'<div class="lobby-actions"><button type="submit" class="lobby-button">'
        f"{t(lang, 'desk.sign_in.confirm_button')}</button></div></form>",
    )


def signed_out_page(lang: str) -> str:
    return _short_page(
        lang,
        "desk.signed_out.title",
        f"<p>{t(lang, 'desk.signed_out.text')}</p>"
        f'<p><a href="{SIGN_IN_PATH}">{t(lang, "desk.problem.to_sign_in")}</a></p>',
    )
