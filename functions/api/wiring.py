"""One resolver for the API: the routes, the error answers and the OpenAPI document.

Lambda (api/app.py) and the local stack (api/local.py) attach the same routes through
:func:`configure`, so both answer alike, failures included.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from api import (
    actions,
    desk_new,
    desk_routes,
    desk_signin,
    photos,
    request_page,
    routes,
    spot_checks,
    text_links,
)
from api.http import HttpProblem, html_response, json_response, negotiate_lang, prefers_html, problem_message
from api.openapi import openapi_document
from api.shared import logger
from lobby.catalog import load_catalog
from lobby.storage import StoreUnavailable
from views.pages import resident as pages

RETRY_AFTER_SECONDS = 30
# The one log message of an unexpected failure; template.yaml's UnexpectedFailureMetric counts it.
UNEXPECTED_FAILURE = "unexpected failure"
FUNCTIONS = Path(__file__).resolve().parents[1]


def problem_response(problem: HttpProblem, event: Any) -> Response:
    lang = problem.lang or negotiate_lang(event.headers)
    message = problem_message(problem.key, lang)
    if prefers_html(event.headers):
        response = html_response(problem.status, pages.problem_page(lang, message))
    else:
        response = json_response(problem.status, {"message": message})
    if problem.retry_after is not None:
        response.headers["Retry-After"] = str(problem.retry_after)
    return response


def try_again(key: str, event: Any) -> Response:
    """503 with Retry-After, in the resident's language: nothing was stored or changed."""
    return problem_response(HttpProblem(503, key, retry_after=RETRY_AFTER_SECONDS), event)


def route_name(path: str) -> str:
    """The route a path belongs to, without its parameters (tokens and references stay out of logs)."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:2]) if parts[:1] in (["api"], ["desk"]) else "(outside /api)"


def failure_site(error: BaseException) -> str:
    """The last line of our own code the error passed through, as file:line: enough to find it, and
    no values."""
    site = "?"
    traceback = error.__traceback__
    while traceback is not None:
        path = Path(traceback.tb_frame.f_code.co_filename)
        if path.is_relative_to(FUNCTIONS):
            site = f"{path.relative_to(FUNCTIONS)}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return site


def _error_name(error: Exception) -> str:
    """The error's class, or AWS's error code for a failed AWS call (ResourceNotFoundException)."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else type(error).__name__


def allowed_methods(app: ApiGatewayResolver, path: str) -> list[str]:
    """The methods some route accepts at ``path``."""
    routes_ = app._static_routes + app._dynamic_routes  # Powertools keeps no public list
    return sorted({route.method for route in routes_ if re.match(route.rule, path)})


def configure(app: ApiGatewayResolver) -> ApiGatewayResolver:
    """Attach the routes, error handlers and the OpenAPI document to a resolver."""
    app.include_router(routes.router)
    app.include_router(actions.router)
    app.include_router(desk_signin.router)
    app.include_router(desk_routes.router)
    app.include_router(desk_new.router)
    app.include_router(text_links.router)
    app.include_router(photos.router)
    app.include_router(spot_checks.router)
    app.include_router(request_page.router)

    def bind_router(resolver: ApiGatewayResolver, next_middleware: Any) -> Response:
        # One Router serves every resolver built in a process (Lambda's, the local one, tests');
        # point it at the resolver handling this request.
        routes.router.api_resolver = resolver
        actions.router.api_resolver = resolver
        desk_signin.router.api_resolver = resolver
        desk_routes.router.api_resolver = resolver
        desk_new.router.api_resolver = resolver
        text_links.router.api_resolver = resolver
        photos.router.api_resolver = resolver
        spot_checks.router.api_resolver = resolver
        request_page.router.api_resolver = resolver
        return next_middleware(resolver)

    app.use([bind_router])

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi():  # no return annotation: Powertools would read it as a response model
        return json_response(200, openapi_document(load_catalog()))

    @app.exception_handler(HttpProblem)
    def handle_problem(problem: HttpProblem) -> Response:
        return problem_response(problem, app.current_event)

    @app.exception_handler(StoreUnavailable)
    def handle_unavailable(_: StoreUnavailable) -> Response:
        logger.warning("table unavailable; nothing stored")
        return try_again("busy", app.current_event)

    @app.exception_handler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        # No bare 500: the resident is told to try again; the log names the error's type and
        # where it was raised, never its message (which may quote what was sent).
        event = app.current_event
        logger.error(
            UNEXPECTED_FAILURE,
            extra={
                "error": _error_name(error),
                "at": failure_site(error),
                "method": event.http_method,
                "route": route_name(event.path),
            },
        )
        return try_again("unavailable", event)

    @app.not_found
    def handle_not_found(_: Exception) -> Response:
        event = app.current_event
        allowed = allowed_methods(app, event.path)
        if allowed and event.http_method.upper() not in allowed:
            response = problem_response(HttpProblem(405, "method_not_allowed"), event)
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return problem_response(HttpProblem(404, "not_found"), event)

    return app
