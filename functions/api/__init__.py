"""The API function: resident and desk routes behind API Gateway's HTTP API."""

from api.lean_powertools import register

register()  # before any route module imports Powertools' resolver (see api/lean_powertools.py)
