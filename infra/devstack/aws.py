"""The embedded AWS: moto's server, the functions' environment, the table, sender and secret.

Everything runs in this process. moto's server listens on a loopback port and
boto3 is pointed at it through ``AWS_ENDPOINT_URL``, so the functions talk to
"AWS" exactly as they do when deployed. Because the server shares this
process, :mod:`devstack.ses` can read what SES "sent" straight from moto's backend.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import yaml
from cfn import Tag, create_table
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from devstack.hooks import Hooks

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO / "functions"
CATALOG_YAML = REPO / "infra" / "catalog.yaml"
DEFAULT_ENVIRONMENT = REPO / "infra" / "environments" / "local.yaml"
TABLE_RESOURCE = "RequestsTable"
FAKE_CREDENTIAL = "local-stack"  # moto accepts any credentials; these are obviously not real ones

log = logging.getLogger("lobby.local")


class StackError(RuntimeError):
    """The local stack cannot start; the message says what to fix."""


@dataclass(frozen=True)
class LocalSettings:
    """What ``infra/environments/local.yaml`` configures."""

    region: str
    table_name: str
    sender_email: str
    signing_secret_parameter: str
    site_url: str
    office_emails: dict[str, str]
    robots_parameter_path: str = "/lobby/local/robots"
    office_robots: dict[str, list[str]] = field(default_factory=dict)
    staff: tuple[dict[str, str], ...] = ()
    staff_roster_parameter: str = "/lobby/local/staff-roster"
    photo_bucket: str = "lobby-photos-local"  # the residents' photos (template.yaml PhotoBucket)


def load_settings(path: Path, port: int, template: dict[str, Any]) -> LocalSettings:
    """Read the environment file; the sender falls back to the template's ``SenderEmail`` default."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sender = document.get("sender_email") or (
        template.get("Parameters", {}).get("SenderEmail", {}).get("Default")
    )
    if not sender:
        raise StackError(f"{path}: no sender_email, and template.yaml's SenderEmail has no default")
    try:
        return LocalSettings(
            region=str(document.get("region", "us-east-1")),
            table_name=str(document["table_name"]),
            sender_email=str(sender),
            signing_secret_parameter=str(document["signing_secret_parameter"]),
            site_url=str(document.get("site_url", "http://127.0.0.1:{port}")).format(port=port),
            office_emails={str(k): str(v) for k, v in (document.get("office_emails") or {}).items()},
            robots_parameter_path=str(document.get("robots_parameter_path", "/lobby/local/robots")),
            office_robots={
                str(office): [str(platform) for platform in platforms]
                for office, platforms in (document.get("office_robots") or {}).items()
            },
            staff=tuple(
                {key: str(person[key]) for key in ("name", "email", "office", "role")}
                for person in document.get("staff") or []
            ),
            staff_roster_parameter=str(document.get("staff_roster_parameter", "/lobby/local/staff-roster")),
        )
    except KeyError as missing:
        raise StackError(f"{path}: missing key {missing}") from None


def check_office_emails(settings: LocalSettings, catalog_path: Path = CATALOG_YAML) -> None:
    """Every office of the catalog needs an address, or mail to it would fail at the worst moment."""
    offices = (yaml.safe_load(catalog_path.read_text(encoding="utf-8")) or {}).get("offices") or {}
    missing = sorted(set(offices) - set(settings.office_emails))
    if missing:
        raise StackError(f"environments file: office_emails has no address for {', '.join(missing)}")


_TRANSACTION = threading.local()


class _TableCopiedOncePerTransaction:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend.

    To roll back a cancelled ``TransactWriteItems``, moto deep-copies the whole table once per item
    of the transaction, before writing anything: the same copy, made again for every item. A request
    and the messages it queues are four or five items, and the copies grow with the table, so a few
    dozen concurrent submissions stalled the local stack. Inside a transaction, a table is copied
    once; everything else is the real ``copy``.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        copies = getattr(_TRANSACTION, "copies", None)
        if copies is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = (value, copy.deepcopy(value, memo))
        return copies[id(value)][1]


def copy_each_table_once_per_transaction() -> None:
    """Make moto's ``TransactWriteItems`` copy each table once (see above); idempotent."""
    import moto.dynamodb.models as backend

    if isinstance(backend.copy, _TableCopiedOncePerTransaction):
        return
    original = backend.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _TRANSACTION.copies = {}
        try:
            original(self, transact_items)
        finally:
            _TRANSACTION.copies = None

    backend.copy = _TableCopiedOncePerTransaction()  # type: ignore[assignment]
    backend.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class EmbeddedAws:
    """moto's server on a free loopback port, in a daemon thread of this process."""

    def __init__(self) -> None:
        # werkzeug logs every request at INFO; the stream poller alone makes four a second.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        copy_each_table_once_per_transaction()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        if self.endpoint:
            self._server.stop()
            self.endpoint = ""


def with_parameter_defaults(template: dict[str, Any], value: Any) -> Any:
    """``value`` as deployed with default parameters: ``!Ref <Parameter>`` becomes its ``Default``.

    Any other intrinsic (``!GetAtt``, a ``!Ref`` to a resource …) is kept as written.
    """
    if isinstance(value, Tag) and value.name == "Ref" and isinstance(value.value, str):
        parameter = (template.get("Parameters") or {}).get(value.value) or {}
        if "Default" in parameter:
            return parameter["Default"]
    return value


def template_environment(template: dict[str, Any]) -> dict[str, str]:
    """``Globals.Function.Environment`` with literal values or parameter defaults.

    The rest (the table name, the sender …) is set from the local settings.
    """
    variables = (
        template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}) or {}
    )
    resolved = {name: with_parameter_defaults(template, value) for name, value in variables.items()}
    literal = (str, int, float, bool)
    return {
        name: (str(value).lower() if isinstance(value, bool) else str(value))
        for name, value in resolved.items()
        if isinstance(value, literal)
    }


def configure_process(settings: LocalSettings, endpoint: str, template: dict[str, Any]) -> None:
    """Point boto3 at moto and give the functions their Lambda environment.

    Must run before any boto3 client exists: the functions create theirs lazily
    and cache them, so they pick these values up on first use.
    """
    env = os.environ
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "POWERTOOLS_DEV"):
        env.pop(name, None)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
            "AWS_DEFAULT_REGION": settings.region,
            "AWS_REGION": settings.region,
            # botocore sends DynamoDB (Streams) calls to account-based endpoints moto does not route.
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )
    env.update(template_environment(template))
    env.setdefault("POWERTOOLS_SERVICE_NAME", "lobby")
    env.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    # The source catalog, not a possibly stale compiled copy from an earlier `make build`.
    env.setdefault("LOBBY_CATALOG", str(CATALOG_YAML))
    env.update(
        {
            "TABLE_NAME": settings.table_name,
            "SENDER_EMAIL": settings.sender_email,
            "OFFICE_EMAILS": json.dumps(settings.office_emails),
            "SITE_URL": settings.site_url,
            "SIGNING_SECRET_PARAMETER": settings.signing_secret_parameter,
            "OFFICE_ROBOTS": json.dumps(settings.office_robots),
            "ROBOTS_PARAMETER_PATH": settings.robots_parameter_path,
            "STAFF_ROSTER_PARAMETER": settings.staff_roster_parameter,
            "PHOTO_BUCKET": settings.photo_bucket,
        }
    )


def provision(settings: LocalSettings, template: dict[str, Any]) -> str:
    """Create the table (from the template), the SES sender and the signing secret; return the stream ARN."""
    dynamodb = boto3.client("dynamodb")
    create_table(dynamodb, template, TABLE_RESOURCE, settings.table_name)
    boto3.client("sesv2").create_email_identity(EmailIdentity=settings.sender_email)
    boto3.client("ssm").put_parameter(
        Name=settings.signing_secret_parameter,
        Value=secrets.token_urlsafe(32),
        Type="SecureString",
        Overwrite=True,
    )
    boto3.client("ssm").put_parameter(
        Name=settings.staff_roster_parameter,
        Value=json.dumps(list(settings.staff), ensure_ascii=False),
        Type="String",
        Overwrite=True,
    )
    location = {} if settings.region == "us-east-1" else {"LocationConstraint": settings.region}
    boto3.client("s3").create_bucket(Bucket=settings.photo_bucket, CreateBucketConfiguration=location)
    table = dynamodb.describe_table(TableName=settings.table_name)["Table"]
    return str(table.get("LatestStreamArn", ""))


def provision_robots(settings: LocalSettings, hooks: Hooks) -> None:
    """Each office robot's webhook, the local receiver's URL, and a fresh DingTalk secret, in SSM as a
    deployment keeps the real ones (``lobby.robots``); the receiver learns the secrets to check them."""
    from devstack.hooks import DINGTALK

    ssm = boto3.client("ssm")
    for office, platforms in settings.office_robots.items():
        for platform in platforms:
            name = f"{settings.robots_parameter_path}/{office}/{platform}"
            url = hooks.url(settings.site_url, platform, office)
            ssm.put_parameter(Name=name, Value=url, Type="SecureString", Overwrite=True)
            if platform == DINGTALK:
                secret = "SEC" + secrets.token_hex(32)
                hooks.secrets[office] = secret
                ssm.put_parameter(Name=f"{name}-secret", Value=secret, Type="SecureString", Overwrite=True)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
