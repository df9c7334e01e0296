"""One resolver for the API: the routes, the error answers and the OpenAPI document.

Lambda (api/app.py) and the local stack (api/local.py) set up their resolvers through
:func:`configure` and give them routes through :func:`load_routes`, so both answer alike, failures
included.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Response, Router

from api.http import HttpProblem, html_response, json_response, negotiate_lang, prefers_html, problem_message
from api.shared import logger
from lobby.catalog import load_catalog
from lobby.storage import StoreUnavailable
from views.pages import resident as pages

RETRY_AFTER_SECONDS = 30
# The one log message of an unexpected failure; template.yaml's UnexpectedFailureMetric counts it.
UNEXPECTED_FAILURE = "unexpected failure"
FUNCTIONS = Path(__file__).resolve().parents[1]

# The route modules (each has a ``router``), by the start of the paths they serve. A resolver imports
# a module the first time a request's path needs it (:func:`load_routes`), so a cold start pays only
# for the routes it serves: a submission does not import the desk (bench/bench_coldstart.py).
# tests/unit/test_api_wiring.py checks that every route lies under its module's prefixes.
ROUTE_MODULES: dict[str, tuple[str, ...]] = {
    "/api/requests": ("api.routes",),
    "/api/status": ("api.routes",),
    "/api/actions": ("api.actions",),
    "/api/rate": ("api.actions",),
    "/api/resident": ("api.request_page",),
    "/api/photos": ("api.photos",),
    "/api/photo": ("api.photos",),
    "/api/spot-checks": ("api.spot_checks",),
    "/api/s": ("api.text_links",),
    "/desk": ("api.desk_signin", "api.desk_routes", "api.desk_new"),
}
# The routers each resolver has taken in so far.
_included: WeakKeyDictionary[ApiGatewayResolver, dict[str, Router]] = WeakKeyDictionary()


def route_prefix(path: str) -> str:
    """The key of ROUTE_MODULES a path falls under: /desk and all below it, or /api and one segment."""
    parts = path.strip("/").split("/")
    return "/desk" if parts[0] == "desk" else "/" + "/".join(parts[:2])


def load_routes(app: ApiGatewayResolver, path: str) -> None:
    """Give the resolver the routes that may serve ``path``, importing their modules once."""
    included = _included.setdefault(app, {})
    for name in ROUTE_MODULES.get(route_prefix(path), ()):
        if name not in included:
            router = importlib.import_module(name).router
            app.include_router(router)
            included[name] = router


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
    """Attach the error handlers and the OpenAPI document to a resolver; routes come with
    :func:`load_routes`, as requests need them."""

    def bind_router(resolver: ApiGatewayResolver, next_middleware: Any) -> Response:
        # One Router serves every resolver built in a process (Lambda's, the local one, tests');
        # point it at the resolver handling this request.
        for router in _included.get(resolver, {}).values():
            router.api_resolver = resolver
        return next_middleware(resolver)

    app.use([bind_router])

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi():  # no return annotation: Powertools would read it as a response model
        from api.openapi import openapi_document  # the document's models: no cold start needs them

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
