"""What every route of the API shares: the logger, the store and the clock."""

from datetime import datetime
from functools import cache

from aws_lambda_powertools import Logger

from lobby import clock
from lobby.catalog import load_catalog
from lobby.service import open_store
from lobby.settings import get_settings
from lobby.storage import Store

logger = Logger(service="lobby")


@cache
def store() -> Store:
    return open_store(load_catalog(), get_settings())


def now() -> datetime:
    return clock.now()
