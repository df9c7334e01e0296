"""The embedded AWS of the local stack: moto's server, the process environment, provisioning, the outbox.

Everything runs in this process. moto's server listens on a loopback port and
boto3 is pointed at it through ``AWS_ENDPOINT_URL``, so the functions talk to
"AWS" exactly as they do when deployed. Because the server shares this
process, the outbox can read what SES "sent" straight from moto's backend.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import re
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from html import unescape
from pathlib import Path
from typing import Any

import boto3
import yaml
from cfn import Tag, create_table
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer
from moto.ses.models import ses_backends
from moto.sesv2.responses import SESV2Response

REPO = Path(__file__).resolve().parents[1]
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
        )
    except KeyError as missing:
        raise StackError(f"{path}: missing key {missing}") from None


def check_office_emails(settings: LocalSettings, catalog_path: Path = CATALOG_YAML) -> None:
    """Every office of the catalog needs an address, or mail to it would fail at the worst moment."""
    offices = (yaml.safe_load(catalog_path.read_text(encoding="utf-8")) or {}).get("offices") or {}
    missing = sorted(set(offices) - set(settings.office_emails))
    if missing:
        raise StackError(f"environments file: office_emails has no address for {', '.join(missing)}")


class EmbeddedAws:
    """moto's server on a free loopback port, in a daemon thread of this process."""

    def __init__(self) -> None:
        # werkzeug logs every request at INFO; the stream poller alone makes four a second.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
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
        }
    )
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))


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
    table = dynamodb.describe_table(TableName=settings.table_name)["Table"]
    return str(table.get("LatestStreamArn", ""))


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------
# The outbox: what SES "sent".
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _SendDetails:
    sent_at: str
    text: str | None
    has_html: bool


class Outbox:
    """Every e-mail moto's SES accepted, as ``{channel, to, from, subject, text, html, sent_at}``.

    moto keeps a simple message's HTML body only (the text part is dropped) and
    no send time, so a thin wrapper around its SES v2 ``SendEmail`` notes both,
    keyed by message id. Messages moto stored some other way still appear: their
    time is when the outbox first saw them and their text is the HTML stripped.
    """

    def __init__(self, region: str) -> None:
        self._region = region
        self._details: dict[str, _SendDetails] = {}
        self._first_seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def install(self) -> Callable[[], None]:
        """Start noting sends; return the function that stops it."""
        original = SESV2Response.send_email
        outbox = self

        def send_email(response: SESV2Response) -> str:
            result: str = original(response)
            outbox._note(response.body, result)
            return result

        def uninstall() -> None:
            SESV2Response.send_email = original  # type: ignore[method-assign]

        SESV2Response.send_email = send_email  # type: ignore[method-assign,assignment]
        return uninstall

    def _note(self, request_body: Any, result: str) -> None:
        try:
            message_id = json.loads(result)["MessageId"]
            simple = json.loads(request_body).get("Content", {}).get("Simple") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # the message still shows, with the fallbacks described above
        body = simple.get("Body") or {}
        details = _SendDetails(
            sent_at=utc_now_iso(), text=(body.get("Text") or {}).get("Data"), has_html="Html" in body
        )
        with self._lock:
            self._details[message_id] = details

    def _backend_messages(self) -> list[Any]:
        return list(ses_backends[DEFAULT_ACCOUNT_ID][self._region].sent_messages)

    def messages(self) -> list[dict[str, Any]]:
        """Sent messages, oldest first."""
        found = []
        for message in self._backend_messages():
            with self._lock:
                details = self._details.get(message.id)
                first_seen = self._first_seen.setdefault(message.id, utc_now_iso())
            if hasattr(message, "raw_data"):
                entry = _raw_entry(message.source, message.raw_data)
            elif hasattr(message, "body"):
                entry = _simple_entry(message, details)
            else:
                continue  # templated sends carry no rendered body
            entry["sent_at"] = details.sent_at if details else first_seen
            found.append({"channel": "email", **entry})  # the outbox item's channel (lobby/outbox.py)
        return found


def _simple_entry(message: Any, details: _SendDetails | None) -> dict[str, Any]:
    body = str(message.body)
    has_html = details.has_html if details else bool(re.search(r"<[a-zA-Z][^>]*>", body))
    if has_html:
        html = body
        text = details.text if details and details.text is not None else _strip_tags(body)
    else:
        html, text = "", body
    return {
        "to": list(message.destinations.get("ToAddresses", [])),
        "from": message.source,
        "subject": message.subject,
        "text": text,
        "html": html,
    }


def _raw_entry(source: str, raw: str) -> dict[str, Any]:
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    return {
        "to": [address for _, address in getaddresses(parsed.get_all("To", []))],
        "from": str(parsed.get("From") or source),
        "subject": str(parsed.get("Subject", "")),
        "text": text_part.get_content() if isinstance(text_part, EmailMessage) else "",
        "html": html_part.get_content() if isinstance(html_part, EmailMessage) else "",
    }


def _strip_tags(html: str) -> str:
    without_blocks = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    return unescape(re.sub(r"<[^>]+>", "", without_blocks)).strip()
