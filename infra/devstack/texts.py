"""SNS text messages, locally: every text moto's SNS accepted, for ``/_local/outbox``.

The notify function publishes to a phone number as when deployed; moto keeps each text in
``sns_backends[account][region].sms_messages`` (message id → number, text) without a time, so the
time is when this outbox first saw it (it is read on every page load).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from devstack.aws import utc_now_iso


class TextOutbox:
    def __init__(self, region: str) -> None:
        self._region = region
        self._first_seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def messages(self) -> list[dict[str, Any]]:
        """Texts sent, oldest first, shaped as the e-mails of ``/_local/outbox.json``."""
        sent = list(sns_backends[DEFAULT_ACCOUNT_ID][self._region].sms_messages.items())
        found = []
        for message_id, (number, text) in sent:
            with self._lock:
                seen = self._first_seen.setdefault(message_id, utc_now_iso())
            subject = text if len(text) <= 40 else text[:39] + "…"
            found.append(
                {
                    "channel": "sms",
                    "to": [number],
                    "from": "SNS",
                    "subject": subject,
                    "text": text,
                    "html": "",
                    "sent_at": seen,
                }
            )
        return found
