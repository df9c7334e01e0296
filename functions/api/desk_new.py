"""The desk's registration of requests received by phone, in person, by letter or from a government body."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api import desk_common as common
from api.shared import logger, now, store
from desk import register
from desk.sessions import DeskRefused, Session
from lobby.catalog import load_catalog
from lobby.validation import SubmissionInvalid
from views.pages import desk_new
from views.pages.desk_shell import card_path

router = Router()


def _kind_id() -> str | None:
    kind = (router.current_event.query_string_parameters or {}).get("kind")
    return kind if kind in load_catalog().kinds else None


def _form(session: Session, lang: str, kind_id: str, status: int = 200, **extra: object) -> Response:
    catalog, moment = load_catalog(), now()
    page = desk_new.form_page(
        catalog,
        session.staff,
        session.stored.csrf,
        kind_id,
        lang,
        register.local_input(catalog, moment),
        register.local_input(catalog, moment - register.RECEIVED_WITHIN),
        **extra,  # type: ignore[arg-type]
    )
    return common.page(status, page)


@router.get("/desk/new", include_in_schema=False)
def show_registration():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        kind_id = _kind_id()
        if kind_id is None:
            return common.page(
                200, desk_new.kinds_page(load_catalog(), session.staff, session.stored.csrf, lang)
            )
        return _form(session, lang, kind_id)

    return common.for_signed_in(router.current_event, render)


@router.post("/desk/new", include_in_schema=False)
def register_request():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        form = common.checked_post(router.current_event, session)
        catalog = load_catalog()
        kind_id = form.get("kind")
        if kind_id not in catalog.kinds:
            raise DeskRefused(404, "unknown_kind")
        try:
            done = register.register(
                store(), catalog, catalog.kinds[kind_id], form, session.staff, now(), lang
            )
        except SubmissionInvalid as invalid:
            fields = sorted(invalid.errors)[:20]
            logger.info("registration refused", extra={"kind": kind_id, "fields_in_error": fields})
            return _form(session, lang, kind_id, 422, values=form, errors=invalid.errors)
        request = done.request
        logger.info(
            "request registered",
            extra={
                "reference": request.reference,
                "kind": kind_id,
                "channel": request.channel,
                "duplicate": not done.created,
            },
        )
        return common.redirect(f"{card_path(request.reference)}?done=registered")

    return common.for_signed_in(router.current_event, render)
