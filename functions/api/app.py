"""Lambda entry point of the API function: wiring only."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.shared import logger
from api.wiring import configure, load_routes

app = configure(APIGatewayHttpResolver())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    load_routes(app, event.get("rawPath") or "")
    return app.resolve(event, context)
