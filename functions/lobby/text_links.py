"""Short signed links for text messages: ``{site}/api/s/<16 characters>``.

A text is one segment (70 Chinese characters, link included), so the signed links of e-mails
(``lobby.links``, a hundred characters) do not fit. A text link packs the request's reference (its
day and sequence number) and what it opens (the status page, or the rating) into six bytes, signs
them with a 48-bit HMAC under a key derived from the link-signing secret, and writes the twelve
bytes in URL-safe base64. Nothing personal is in it; a guess has one chance in 2^48 and each costs a
request through the API's throttle. It works for ``TEXT_LINK_LIFETIME`` after the request's day.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import date, datetime, timedelta

from lobby.links import LinkExpired, LinkInvalid
from lobby.policy import TEXT_LINK_LIFETIME
from lobby.references import REFERENCE, format_reference

STATUS = "status"
RATE = "rate"
_ACTIONS = (STATUS, RATE)
_EPOCH = date(2000, 1, 1)
_MAC_BYTES = 6
TOKEN_LENGTH = 16
PATH = "/api/s/"


def text_key(signing_secret: bytes) -> bytes:
    """The key of text links, derived from the signing secret (one secret to create and rotate)."""
    return hmac.new(signing_secret, b"lobby text links", hashlib.sha256).digest()


def _mac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()[:_MAC_BYTES]


def text_token(key: bytes, reference: str, action: str = STATUS) -> str:
    match = REFERENCE.fullmatch(reference)
    if match is None or action not in _ACTIONS:
        raise ValueError("a text link needs a reference and a known action")
    day = date(int(match["day"][:4]), int(match["day"][4:6]), int(match["day"][6:]))
    data = (
        (day - _EPOCH).days.to_bytes(2, "big")
        + int(match["n"]).to_bytes(3, "big")
        + _ACTIONS.index(action).to_bytes(1, "big")
    )
    return base64.urlsafe_b64encode(data + _mac(key, data)).decode()


def read_text_token(key: bytes, token: str, now: datetime) -> tuple[str, str]:
    """(reference, action) of a text link; ``LinkInvalid`` if altered, ``LinkExpired`` once too old."""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii")) if len(token) == TOKEN_LENGTH else b""
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    data, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if len(raw) != 12 or not hmac.compare_digest(mac, _mac(key, data)):
        raise LinkInvalid("bad text link")
    action = data[5]
    if action >= len(_ACTIONS):
        raise LinkInvalid("bad text link")
    day = _EPOCH + timedelta(days=int.from_bytes(data[:2], "big"))
    reference = format_reference(day, int.from_bytes(data[2:5], "big"))
    if now.date() > day + TEXT_LINK_LIFETIME:
        raise LinkExpired(reference)
    return reference, _ACTIONS[action]
