"""Fault tests run the handlers against moto, in the account the integration tests use."""

from tests.integration.conftest import aws  # noqa: F401 - re-exported fixture
