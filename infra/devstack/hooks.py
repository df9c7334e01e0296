"""The offices' group robots, locally: a receiver that answers like WeCom's and DingTalk's webhooks.

``make dev`` stores ``http://127.0.0.1:<port>/_local/hooks/<platform>/<office>`` as each office's
webhook URL (and a fresh DingTalk secret) in the embedded SSM, so the notify function posts to this
receiver exactly as it would post to the platforms. The receiver checks what the platforms check and
answers as they do, a 200 with ``errcode``:

- the body is a markdown message of the platform's shape (else ``errcode`` 40008 / 300001);
- WeCom's markdown content is at most 4,096 bytes of UTF-8 (else 40058);
- DingTalk's ``timestamp`` is within an hour and ``sign`` is the base64 HMAC-SHA256 of
  ``timestamp + "\\n" + secret`` (else 310000, "sign not match");
- each robot takes 20 messages a minute (else WeCom's 45009, DingTalk's 130101).

What it took is listed in ``/_local/outbox`` and ``/_local/outbox.json`` with ``channel`` ``wecom`` or
``dingtalk``, ``to`` (the office) and the rendered body (``subject`` the title, ``text`` the markdown).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from devstack.aws import utc_now_iso

WECOM, DINGTALK = "wecom", "dingtalk"
PLATFORMS = (WECOM, DINGTALK)
WECOM_MARKDOWN_BYTES = 4096
PER_MINUTE = 20
SIGNATURE_WINDOW = timedelta(hours=1)
OK = {"errcode": 0, "errmsg": "ok"}
# The platforms' codes for what the receiver refuses.
BAD_MESSAGE = {WECOM: 40008, DINGTALK: 300001}
TOO_LONG = 40058
BAD_SIGNATURE = 310000
TOO_FAST = {WECOM: 45009, DINGTALK: 130101}


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Hooks:
    """Every robot's posts, as the platforms would have shown them in the office's group."""

    secrets: dict[str, str] = field(default_factory=dict)  # office → its DingTalk robot's secret
    per_minute: int = PER_MINUTE
    received: list[dict[str, Any]] = field(default_factory=list)
    _recent: dict[tuple[str, str], deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, base: str, platform: str, office: str) -> str:
        """The webhook URL an office's robot has locally (WeCom's carries its key, as the real one does)."""
        query = "?key=local" if platform == WECOM else "?access_token=local"
        return f"{base}/_local/hooks/{platform}/{office}{query}"

    def answer(self, platform: str, office: str, query: str, body: bytes, now: datetime) -> dict[str, Any]:
        """The platform's answer to one post (always with HTTP 200, as theirs), noting what it took."""
        try:
            message = json.loads(body)
            markdown = message["markdown"]
            text = str(markdown["content"] if platform == WECOM else markdown["text"])
            title = "" if platform == WECOM else str(markdown["title"])
            if message.get("msgtype") != "markdown":
                raise ValueError("not markdown")
        except (ValueError, KeyError, TypeError):
            return {"errcode": BAD_MESSAGE[platform], "errmsg": "invalid message"}
        if platform == WECOM and len(text.encode()) > WECOM_MARKDOWN_BYTES:
            return {"errcode": TOO_LONG, "errmsg": "markdown.content exceed max length 4096"}
        if platform == DINGTALK and not self._signed(office, parse_qs(query), now):
            return {"errcode": BAD_SIGNATURE, "errmsg": "sign not match"}
        with self._lock:
            recent = self._recent.setdefault((platform, office), deque())
            while recent and recent[0] <= now - timedelta(minutes=1):
                recent.popleft()
            if len(recent) >= self.per_minute:
                return {"errcode": TOO_FAST[platform], "errmsg": "send too fast"}
            recent.append(now)
            self.received.append(
                {
                    "channel": platform,
                    "to": [office],
                    "from": f"{platform} robot",
                    "subject": title or text.split("\n", 1)[0].strip("*# "),
                    "text": text,
                    "html": "",
                    "sent_at": utc_now_iso(),
                }
            )
        return OK

    def _signed(self, office: str, query: dict[str, list[str]], now: datetime) -> bool:
        secret = self.secrets.get(office)
        if secret is None:
            return True  # a robot without "加签" (keywords or an IP list protect it instead)
        timestamp, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
        try:
            sent = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
        except (ValueError, OverflowError, OSError):
            return False
        fresh = abs(now - sent) <= SIGNATURE_WINDOW
        return fresh and hmac.compare_digest(sign.encode(), dingtalk_sign(secret, timestamp).encode())

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self.received]
