"""What the desk's routes share: the desk's store and roster, the session cookie, the staff member's
language, the checks on a state-changing POST, and the refusal page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from api.http import header, html_response, negotiate_lang, read_body
from api.shared import now, store
from desk import sessions
from desk.roster import Roster, load_roster
from desk.sessions import SESSION_LIFETIME, DeskRefused, Session
from lobby import links
from lobby.catalog import load_catalog
from lobby.settings import get_settings
from lobby.storage.desk import DeskStore
from views.pages import desk_shell

LANG_COOKIE = "lobby-lang"
LANGS = ("zh", "en")


def desk_store() -> DeskStore:
    return DeskStore(store())


def roster() -> Roster:
    return load_roster(get_settings().staff_roster_parameter, frozenset(load_catalog().offices))


def secret() -> bytes:
    return links.signing_secret(get_settings().signing_secret_parameter)


def site_url() -> str:
    settings = get_settings()
    return settings.site_origin or settings.site_url


def secure() -> bool:
    """Cookies are Secure unless the site is plain HTTP: only the local stack is (a deployment is HTTPS,
    with or without a SiteUrl of its own)."""
    return not site_url().startswith("http://")


def session_cookie_name() -> str:
    # OWASP: the __Host- prefix pins the cookie to this host, Secure and Path=/ (HTTPS only).
    return "__Host-lobby-desk" if secure() else "lobby-desk"


def site_origin() -> str:
    return sessions.origin_of(site_url())


def request_cookies(event: Any) -> dict[str, str]:
    """The request's cookies: API Gateway's payload 2.0 lists them apart, the local resolver in a header."""
    parts = list(event.raw_event.get("cookies") or [])
    if header(event.headers, "cookie"):
        parts.append(header(event.headers, "cookie"))
    jar: dict[str, str] = {}
    for part in parts:
        parsed: SimpleCookie = SimpleCookie()
        try:
            parsed.load(part)
        except CookieError:
            continue
        jar.update({name: morsel.value for name, morsel in parsed.items()})
    return jar


def desk_lang(event: Any) -> str:
    """The staff member's language: a ``lang`` chosen on the page, then the remembered choice, then the browser's."""
    chosen = (event.query_string_parameters or {}).get("lang")
    if chosen in LANGS:
        return str(chosen)
    remembered = request_cookies(event).get(LANG_COOKIE)
    return remembered if remembered in LANGS else negotiate_lang(event.headers)


def with_lang_cookie(response: Response, event: Any) -> Response:
    chosen = (event.query_string_parameters or {}).get("lang")
    if chosen in LANGS:
        response.cookies.append(
            Cookie(
                LANG_COOKIE,
                str(chosen),
                path="/",
                secure=secure(),
                http_only=True,
                same_site=SameSite.LAX_MODE,
            )
        )
    return response


def session_cookie(session: Session) -> Cookie:
    return Cookie(
        session_cookie_name(),
        session.id,
        path="/",
        secure=secure(),
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )


def cleared_cookie() -> Cookie:
    return Cookie(
        session_cookie_name(),
        "",
        path="/",
        secure=secure(),
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=0,
    )


def current_session(event: Any, now: datetime) -> Session:
    """The signed-in staff member; raises DeskRefused (401) when not signed in."""
    cookie = request_cookies(event).get(session_cookie_name())
    return sessions.current(desk_store(), roster(), cookie, now)


def checked_post(event: Any, session: Session | None) -> dict[str, str]:
    """The form of a state-changing POST, after the origin check and (with a session) the CSRF token.
    Only text values are kept."""
    sessions.check_origin(
        site_origin(),
        header(event.headers, "origin"),
        header(event.headers, "referer"),
        header(event.headers, "sec-fetch-site"),
    )
    data = read_body(event).data
    if session is not None:
        sessions.check_csrf(session, data.get(sessions.CSRF_FIELD))
    return {key: value for key, value in data.items() if isinstance(value, str)}


def page(status: int, html: str, images_from: str | None = None) -> Response:
    """A desk page. Its referrer policy sends the site's origin and nothing more: with the API's
    ``no-referrer`` a browser posts the desk's forms with ``Origin: null``, which the origin check
    must refuse; the origin alone keeps a sign-in link's token out of any Referer."""
    response = html_response(status, html, images_from=images_from)
    response.headers["Referrer-Policy"] = "strict-origin"
    return response


def refusal(refused: DeskRefused, lang: str) -> Response:
    response: Response = page(refused.status, desk_shell.problem_page(lang, refused.key))
    if refused.status == 401:
        response.cookies.append(cleared_cookie())
    return response


def for_signed_in(event: Any, render: Callable[[Session, str], Response]) -> Response:
    """``render(session, lang)`` for the signed-in person, with their language choice remembered; a
    refusal (no session, another origin, a wrong CSRF token, another office's request) becomes its page."""
    lang = desk_lang(event)
    try:
        response = render(current_session(event, now()), lang)
    except DeskRefused as refused:
        return refusal(refused, lang)
    return with_lang_cookie(response, event)


def redirect(location: str, *cookies: Cookie) -> Response:
    response: Response = Response(
        status_code=303, headers={"Location": location, "Cache-Control": "no-store"}
    )
    response.cookies.extend(cookies)
    return response
