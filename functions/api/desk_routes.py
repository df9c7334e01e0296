"""The desk's queue, company view and request card (served by the API function under /desk/)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from api import desk_common as common
from api import photos
from api.shared import logger, now, store
from desk import card, queue
from desk.sessions import DeskRefused, Session
from lobby import spot_checks
from lobby.catalog import load_catalog
from lobby.lifecycle import ALLOWED, IllegalTransition, MissingInput, available_actions
from lobby.requests import ServiceRequest
from lobby.storage import StaleRequest
from lobby.validation import message
from views.labels import action_label
from views.messages import translate
from views.pages import desk_card, desk_queue, spot_check
from views.pages.desk_shell import card_path
from views.wording import status_text

router = Router()


def _filter() -> str:
    chosen = (router.current_event.query_string_parameters or {}).get("filter", "all")
    return chosen if chosen in queue.FILTERS else "all"


@router.get("/desk/", include_in_schema=False)
def show_queue():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        staff, chosen = session.staff, _filter()
        rows = queue.office_queue(store(), staff.office, staff, now(), chosen, load_catalog().offices)
        page = desk_queue.queue_page(load_catalog(), staff, session.stored.csrf, rows, lang, chosen)
        return common.page(200, page)

    return common.for_signed_in(router.current_event, render)


@router.post("/desk/", include_in_schema=False)
def search_queue():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        form = common.checked_post(router.current_event, session)
        term = " ".join(form.get("q", "").split())[: queue.SEARCH_MAX]  # never logged
        staff, catalog = session.staff, load_catalog()
        rows = queue.search(store(), catalog, staff, term, now()) if term else []
        page = desk_queue.queue_page(catalog, staff, session.stored.csrf, rows, lang, "all", term)
        return common.page(200, page)

    return common.for_signed_in(router.current_event, render)


@router.get("/desk/company", include_in_schema=False)
def show_company():  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        staff = session.staff
        if not staff.sees_all:
            raise DeskRefused(403, "not_company")
        catalog, chosen = load_catalog(), _filter()
        rows = queue.company_queue(store(), catalog, staff, now(), chosen)
        return common.page(
            200, desk_queue.company_page(catalog, staff, session.stored.csrf, rows, lang, chosen)
        )

    return common.for_signed_in(router.current_event, render)


def _card(
    session: Session,
    lang: str,
    reference: str,
    status: int = 200,
    spot_errors: dict[str, str] | None = None,
    **extra: object,
) -> Response:
    catalog = load_catalog()
    request = card.visible_request(store(), session.staff, reference)
    row = queue.row(request, now())
    actions = available_actions(request, catalog)
    gallery, images_from = photos.gallery(request, lang)
    values = extra.get("values") if spot_errors else None
    checks = spot_check.card_section(
        catalog,
        request,
        session.staff,
        session.stored.csrf,
        lang,
        spot_errors,
        values,  # type: ignore[arg-type]
    )
    page = desk_card.card_page(
        catalog,
        session.staff,
        session.stored.csrf,
        row,
        store().history(reference),
        actions,
        lang,
        photos=gallery,
        spot_checks=checks,
        **extra,  # type: ignore[arg-type]
    )
    return common.page(status, page, images_from)


@router.get("/desk/requests/<reference>", include_in_schema=False)
def show_card(reference: str):  # no return annotation: Powertools would read it as a response model
    done = (router.current_event.query_string_parameters or {}).get("done")
    shown = done if done in ALLOWED or done in ("registered", spot_checks.EVENT) else None
    return common.for_signed_in(
        router.current_event, lambda session, lang: _card(session, lang, reference, done=shown)
    )


@router.post("/desk/requests/<reference>", include_in_schema=False)
def act_on_card(reference: str):  # no return annotation: Powertools would read it as a response model
    def render(session: Session, lang: str) -> Response:
        form = common.checked_post(router.current_event, session)
        request = card.visible_request(store(), session.staff, reference)
        action = form.get("action", "")
        catalog = load_catalog()
        if action == spot_checks.EVENT:
            return _record_spot_check(session, lang, reference, request, form)
        try:
            change = card.act(store(), catalog, session.staff, request, action, form, now())
        except IllegalTransition as illegal:
            label = action_label(action, lang) if action in ALLOWED else "—"
            error = translate(
                lang, "link_page.problem_illegal", status=status_text(illegal.status, lang), action=label
            )
            return _card(session, lang, reference, 409, error=error)
        except StaleRequest:
            return _card(session, lang, reference, 409, error=translate(lang, "link_page.problem_stale"))
        except MissingInput as missing:
            label = (
                translate(lang, f"link_page.{missing.field}")
                if missing.field in ("note", "size", "office")
                else missing.field
            )
            if missing.code == "required":
                error = translate(lang, "link_page.required", label=label)
            else:
                error = message(missing.code, lang, label=label, n=missing.n)
            return _card(session, lang, reference, 422, error=error, values=form)
        logger.info("desk action", extra={"reference": reference, "action": change.event.type})
        return common.redirect(f"{card_path(reference)}?done={change.event.type}")

    return common.for_signed_in(router.current_event, render)


def _record_spot_check(
    session: Session, lang: str, reference: str, request: ServiceRequest, form: dict[str, str]
) -> Response:
    """The check of the person's own office, from the card: 403 another office's, 409 recorded already,
    422 an answer missing or too long; nothing stored then."""
    catalog = load_catalog()
    try:
        card.record_spot_check(store(), session.staff, request, form, now())
    except spot_checks.SpotCheckRefused as refused:
        key, values = spot_check.refusal_key(catalog, refused, session.staff.office, lang)
        status = 409 if refused.code == "recorded" else 403
        return _card(session, lang, reference, status, error=translate(lang, f"link_page.{key}", **values))
    except StaleRequest:
        return _card(session, lang, reference, 409, error=translate(lang, "link_page.problem_stale"))
    except MissingInput as missing:
        error = spot_check.refusal_text(missing, lang)
        return _card(
            session, lang, reference, 422, spot_errors={missing.field: error}, error=error, values=form
        )
    logger.info("desk spot check", extra={"reference": reference, "office": session.staff.office})
    return common.redirect(f"{card_path(reference)}?done={spot_checks.EVENT}")
