"""SES, locally: every e-mail moto's SES accepted, and the page that shows them (``/_local/outbox``).

The functions send through SES v2 as when deployed; moto's backend keeps the
messages, and :class:`Outbox` reads them back as ``{to, from, subject, text,
html, sent_at}``, the shape ``/_local/outbox.json`` serves.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from html import escape, unescape
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sesv2.responses import SESV2Response

from devstack.aws import utc_now_iso


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
        self.region = region
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


def outbox_page(messages: list[dict[str, Any]]) -> str:
    """Every message, newest first; each HTML body in a sandboxed frame so it cannot run anything."""
    articles = []
    for message in reversed(messages):
        subject = escape(message["subject"])
        html_frame = (
            f'<iframe sandbox="" referrerpolicy="no-referrer" title="HTML body: {subject}" '
            f'srcdoc="{escape(message["html"], quote=True)}"></iframe>'
            if message["html"]
            else ""
        )
        articles.append(
            f"<article><h2>{subject}</h2><dl>"
            f"<dt>Channel</dt><dd>{escape(message.get('channel', 'email'))}</dd>"
            f"<dt>From</dt><dd>{escape(message['from'])}</dd>"
            f"<dt>To</dt><dd>{escape(', '.join(message['to']))}</dd>"
            f"<dt>Sent</dt><dd><time>{escape(message['sent_at'])}</time></dd></dl>"
            + (
                f"{html_frame}<details><summary>Text part</summary><pre>{escape(message['text'])}</pre></details>"
                if message["html"]
                else f"<pre>{escape(message['text'])}</pre>"  # a text message, a robot's markdown
            )
            + "</article>"
        )
    count = len(messages)
    summary = f"{count} message{'s' if count != 1 else ''} sent since the stack started, newest first."
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Outbox · Lobby local stack</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
        "article{border-top:1px solid #ccc;padding:1rem 0}dl{display:grid;grid-template-columns:5rem 1fr;"
        "margin:0}dt{font-weight:600}iframe{width:100%;height:24rem;border:1px solid #ccc}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}</style></head><body>"
        f'<h1>Outbox</h1><p>{summary} <a href="/_local/outbox.json">JSON</a> · '
        '<a href="/_local/outbox">Refresh</a></p>' + "".join(articles) + "</body></html>"
    )
