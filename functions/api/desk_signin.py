"""The desk's sign-in: ask for a link, open it, use it once, sign out."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api import desk_common as common
from api.shared import logger, now
from desk import sessions
from desk.sessions import DeskRefused, Session
from lobby.fields import EMAIL_PATTERN
from lobby.policy import SIGN_IN_LINK_LIFETIME
from views.pages import desk_shell as pages
from views.wording import describe_timedelta

router = Router()


@router.get("/desk", include_in_schema=False)
def desk_root():  # no return annotation: Powertools would read it as a response model
    return common.redirect(pages.QUEUE_PATH)


@router.get("/desk/sign-in", include_in_schema=False)
def show_sign_in():  # no return annotation: Powertools would read it as a response model
    event = router.current_event
    lang = common.desk_lang(event)
    return common.with_lang_cookie(common.page(200, pages.sign_in_page(lang)), event)


@router.post("/desk/sign-in", include_in_schema=False)
def ask_for_link():  # no return annotation: Powertools would read it as a response model
    import re

    event = router.current_event
    lang = common.desk_lang(event)
    try:
        form = common.checked_post(event, None)
    except DeskRefused as refused:
        return common.refusal(refused, lang)
    email = " ".join(form.get("email", "").split())
    if not email or len(email) > sessions.EMAIL_MAX or not re.match(EMAIL_PATTERN, email):
        error = "required" if not email else "bad_email"
        return common.page(422, pages.sign_in_page(lang, error, email[: sessions.EMAIL_MAX]))
    # The same answer, and no word in the log, whether or not the address is on the roster.
    sessions.request_link(common.desk_store(), common.roster(), email, now(), lang)
    lifetime = describe_timedelta(SIGN_IN_LINK_LIFETIME, lang)
    return common.page(200, pages.link_sent_page(lang, lifetime))


@router.get("/desk/sign-in/<token>", include_in_schema=False)
def show_link(token: str):  # no return annotation: Powertools would read it as a response model
    lang = common.desk_lang(router.current_event)
    try:
        sessions.check_link(common.secret(), common.desk_store(), token, now())
    except DeskRefused as refused:
        return common.refusal(refused, lang)
    return common.page(200, pages.confirm_sign_in_page(lang, token))


@router.post("/desk/sign-in/<token>", include_in_schema=False)
def use_link(token: str):  # no return annotation: Powertools would read it as a response model
    event = router.current_event
    lang = common.desk_lang(event)
    try:
        common.checked_post(event, None)
        session = sessions.sign_in(common.secret(), common.desk_store(), common.roster(), token, now())
    except DeskRefused as refused:
        return common.refusal(refused, lang)
    logger.info("desk sign-in", extra={"office": session.staff.office, "role": session.staff.role})
    return common.redirect(pages.QUEUE_PATH, common.session_cookie(session))


@router.post("/desk/sign-out", include_in_schema=False)
def sign_out():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        common.checked_post(router.current_event, session)
        sessions.sign_out(common.desk_store(), session)
        response = common.page(200, pages.signed_out_page(lang))
        response.cookies.append(common.cleared_cookie())
        return response

    return common.for_signed_in(router.current_event, render)
