"""Deployment settings: the only module that reads the environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache

from msgspec import Struct, field
from msgspec.structs import force_setattr


class Settings(Struct, frozen=True, kw_only=True):
    table_name: str
    sender_email: str
    office_emails: dict[str, str]
    site_url: str = ""
    # Whoever keeps the deployment (the alarm address): told every day while a year's holidays are unknown.
    # Empty: the service office's director is told instead.
    administrator_email: str = ""
    # The API's own knowledge of the site's address (the SiteUrl parameter, or "" on the CloudFront
    # domain, which the API cannot reference); the desk's origin check falls back to site_url.
    site_origin: str = ""
    signing_secret_parameter: str = "/lobby/signing-secret"  # noqa: S105 - a parameter name, not a secret
    staff_roster_parameter: str = "/lobby/staff-roster"  # the desk's roster (desk.roster), JSON in SSM
    # Submissions one client may make in ten minutes, receipts one e-mail address may get in a day.
    submissions_per_client: int = 10
    receipts_per_recipient: int = 10
    # The offices' group robots (lobby.robots): which office has which (not a secret: it decides which
    # messages are queued), and the SSM path under which their webhook URLs and secrets are kept.
    office_robots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    robots_parameter_path: str = "/lobby/robots"
    # The private bucket of the requests' photos (lobby/photos.py); empty where photos are not taken.
    photo_bucket: str = ""

    def __post_init__(self) -> None:
        # Frozen: the normalised values are set the way msgspec lets a frozen struct's own code set them.
        force_setattr(self, "office_emails", _office_emails(self.office_emails))
        force_setattr(self, "site_url", self.site_url.rstrip("/"))
        force_setattr(self, "office_robots", _office_robots(self.office_robots))
        force_setattr(self, "robots_parameter_path", self.robots_parameter_path.rstrip("/"))
        problems = []
        if not self.table_name:
            problems.append("TABLE_NAME is empty: it names the DynamoDB table")
        if self.submissions_per_client < 1 or self.receipts_per_recipient < 1:
            problems.append(
                "LIMIT_SUBMISSIONS_PER_CLIENT and LIMIT_RECEIPTS_PER_RECIPIENT must be at least 1"
            )
        if len(self.sender_email) < 3:
            problems.append("SENDER_EMAIL is not an e-mail address (it is shorter than 3 characters)")
        if problems:
            raise ValueError("invalid settings: " + "; ".join(problems))

    def office_email(self, office_id: str) -> str:
        try:
            return self.office_emails[office_id]
        except KeyError:
            raise LookupError(f"OFFICE_EMAILS has no address for office {office_id!r}") from None


def _office_emails(value: object) -> dict[str, str]:
    """OFFICE_EMAILS as a mapping of office id to address; the environment gives it as JSON."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"invalid settings: OFFICE_EMAILS is not valid JSON ({error})") from None
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(address, str) for key, address in value.items()
    ):
        raise ValueError(
            'invalid settings: OFFICE_EMAILS must map office ids to addresses: {"office": "a@b"}'
        )
    return value


def _office_robots(value: object) -> dict[str, tuple[str, ...]]:
    """OFFICE_ROBOTS as a mapping of office id to its robots' platforms; the environment gives JSON."""
    from lobby.robots import PLATFORMS

    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except json.JSONDecodeError as error:
            raise ValueError(f"invalid settings: OFFICE_ROBOTS is not valid JSON ({error})") from None
    if not isinstance(value, dict) or not all(
        isinstance(office, str)
        and isinstance(platforms, list | tuple)
        and all(platform in PLATFORMS for platform in platforms)
        for office, platforms in value.items()
    ):
        raise ValueError(
            f"invalid settings: OFFICE_ROBOTS must map office ids to lists of {', '.join(PLATFORMS)}: "
            '{"engineering": ["wecom"]}'
        )
    return {office: tuple(dict.fromkeys(platforms)) for office, platforms in value.items()}


@cache
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", ""),
        sender_email=env.get("SENDER_EMAIL", ""),
        office_emails=_office_emails(env.get("OFFICE_EMAILS", "{}")),
        site_url=env.get("SITE_URL", ""),
        administrator_email=env.get("ADMINISTRATOR_EMAIL", ""),
        site_origin=env.get("SITE_ORIGIN", ""),
        signing_secret_parameter=env.get("SIGNING_SECRET_PARAMETER", "/lobby/signing-secret"),
        staff_roster_parameter=env.get("STAFF_ROSTER_PARAMETER", "/lobby/staff-roster"),
        submissions_per_client=_count(env, "LIMIT_SUBMISSIONS_PER_CLIENT", 10),
        receipts_per_recipient=_count(env, "LIMIT_RECEIPTS_PER_RECIPIENT", 10),
        office_robots=_office_robots(env.get("OFFICE_ROBOTS", "{}")),
        robots_parameter_path=env.get("ROBOTS_PARAMETER_PATH", "/lobby/robots"),
        photo_bucket=env.get("PHOTO_BUCKET", ""),
    )


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name) or default)
    except ValueError:
        raise ValueError(f"invalid settings: {name} is not a whole number") from None
