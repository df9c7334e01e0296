"""The fuzz tests run the API against moto, in the account the integration tests use."""

from tests.integration.conftest import aws  # noqa: F401 - re-exported fixture
