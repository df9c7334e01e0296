"""The same routes under Powertools' ASGI resolver, for the local stack (never deployed)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import HttpResolverLocal

from api.routes import configure


def create_local_app() -> HttpResolverLocal:
    resolver = configure(HttpResolverLocal())
    assert isinstance(resolver, HttpResolverLocal)
    return resolver
