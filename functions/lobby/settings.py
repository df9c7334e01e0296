"""Deployment settings: the only module that reads the environment."""

from __future__ import annotations

import json
import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=1)
    sender_email: str = Field(min_length=3)
    office_emails: dict[str, str]
    site_url: str = ""
    signing_secret_parameter: str = "/lobby/signing-secret"  # noqa: S105 - a parameter name, not a secret

    @field_validator("office_emails", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("site_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def office_email(self, office_id: str) -> str:
        try:
            return self.office_emails[office_id]
        except KeyError:
            raise LookupError(f"OFFICE_EMAILS has no address for office {office_id!r}") from None


@cache
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", ""),
        sender_email=env.get("SENDER_EMAIL", ""),
        office_emails=env.get("OFFICE_EMAILS", "{}"),
        site_url=env.get("SITE_URL", ""),
        signing_secret_parameter=env.get("SIGNING_SECRET_PARAMETER", "/lobby/signing-secret"),
    )
