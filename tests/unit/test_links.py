"""Signed action links: a link works until it expires, and any change to it makes it worthless."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lobby.links import (
    RESIDENT_LINK_LIFETIME,
    SECRET_CACHE_SECONDS,
    STAFF_LINK_LIFETIME,
    Link,
    LinkExpired,
    LinkInvalid,
    sign,
    signing_secret,
    verify,
)

SECRET = b"k" * 32
OTHER_SECRET = b"j" * 32
REFERENCE = "20261123-0001"
SIGNED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
EXPIRES = SIGNED_AT + STAFF_LINK_LIFETIME
SECOND = timedelta(seconds=1)


def staff_link(action: str = "acknowledge", reference: str = REFERENCE, secret: bytes = SECRET) -> str:
    return sign(secret, reference, action, SIGNED_AT, STAFF_LINK_LIFETIME)


def payload_of(token: str) -> dict[str, Any]:
    """The JSON a token carries, read the way anyone holding the e-mail could read it."""
    encoded = token.partition(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def with_payload(token: str, **changes: Any) -> str:
    """The token with its payload edited and re-encoded, and the original signature kept."""
    payload = {**payload_of(token), **changes}
    encoded = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
    return f"{encoded.decode()}.{token.split('.')[1]}"


def flip_character(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# --- a genuine link ------------------------------------------------------------------------------------


def test_a_signed_link_verifies_to_its_reference_action_and_expiry() -> None:
    link = verify(SECRET, staff_link("resolve"), SIGNED_AT)
    assert isinstance(link, Link)
    assert (link.reference, link.action) == (REFERENCE, "resolve")
    assert link.expires == int(EXPIRES.timestamp())
    assert len(link.nonce) >= 16


def test_a_resident_link_lives_longer_than_a_staff_link() -> None:
    token = sign(SECRET, REFERENCE, "reopen", SIGNED_AT, RESIDENT_LINK_LIFETIME)
    assert verify(SECRET, token, EXPIRES + timedelta(days=1)).action == "reopen"
    assert RESIDENT_LINK_LIFETIME > STAFF_LINK_LIFETIME


def test_every_link_is_different_even_for_the_same_request_action_and_time() -> None:
    tokens = {staff_link() for _ in range(20)}
    nonces = {verify(SECRET, token, SIGNED_AT).nonce for token in tokens}
    assert len(tokens) == 20
    assert len(nonces) == 20


def test_a_link_carries_only_the_reference_the_action_the_expiry_and_a_nonce() -> None:
    # What is in a link is readable by anyone who sees the e-mail: it must hold no personal data.
    token = staff_link()
    payload = payload_of(token)
    assert set(payload) == {"r", "a", "e", "n"}
    assert (payload["r"], payload["a"], payload["e"]) == (REFERENCE, "acknowledge", int(EXPIRES.timestamp()))


def test_a_link_is_safe_to_put_in_a_url_as_it_is() -> None:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    for _ in range(20):
        assert set(staff_link()) <= allowed


# --- expiry --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checked_at", "still_valid"),
    [
        pytest.param(SIGNED_AT, True, id="valid when just signed"),
        pytest.param(EXPIRES - SECOND, True, id="valid one second before it expires"),
        pytest.param(EXPIRES, False, id="expired at the moment of expiry"),
        pytest.param(EXPIRES + SECOND, False, id="expired one second after"),
        pytest.param(EXPIRES + timedelta(days=365), False, id="expired a year after"),
    ],
)
def test_a_link_expires_at_its_expiry(checked_at: datetime, still_valid: bool) -> None:
    token = staff_link()
    if still_valid:
        assert verify(SECRET, token, checked_at).reference == REFERENCE
    else:
        with pytest.raises(LinkExpired):
            verify(SECRET, token, checked_at)


def test_an_expired_link_is_told_apart_from_a_forged_one() -> None:
    with pytest.raises(LinkExpired) as expired:
        verify(SECRET, staff_link(), EXPIRES)
    assert not isinstance(expired.value, LinkInvalid)


def test_an_expiry_is_checked_in_absolute_time_whatever_the_zone() -> None:
    shanghai_expiry = EXPIRES.astimezone(ZoneInfo("Asia/Shanghai"))
    with pytest.raises(LinkExpired):
        verify(SECRET, staff_link(), shanghai_expiry)
    assert verify(SECRET, staff_link(), shanghai_expiry - SECOND).reference == REFERENCE


# --- forgeries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"r": "20261123-0002"}, id="another request"),
        pytest.param({"a": "cancel"}, id="another action"),
        pytest.param({"e": int((EXPIRES + timedelta(days=365)).timestamp())}, id="a later expiry"),
        pytest.param({"n": "a-nonce-already-used"}, id="another nonce"),
        pytest.param({"phone": "13800138000"}, id="an extra key"),
    ],
)
def test_a_link_whose_payload_was_edited_is_refused(changes: dict[str, Any]) -> None:
    forged = with_payload(staff_link(), **changes)
    with pytest.raises(LinkInvalid):
        verify(SECRET, forged, SIGNED_AT)


def test_the_edit_helper_changes_nothing_by_itself() -> None:
    # Guards the test above: re-encoding an unchanged payload gives a link that still verifies.
    assert verify(SECRET, with_payload(staff_link()), SIGNED_AT).reference == REFERENCE


@pytest.mark.parametrize("position", [0, 10, 21, 30])
def test_a_link_whose_signature_was_edited_is_refused(position: int) -> None:
    payload, signature = staff_link().split(".")
    forged = f"{payload}.{flip_character(signature, position)}"
    with pytest.raises(LinkInvalid):
        verify(SECRET, forged, SIGNED_AT)


def test_a_link_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(LinkInvalid):
        verify(SECRET, staff_link(secret=OTHER_SECRET), SIGNED_AT)


def test_a_signature_cannot_be_moved_to_another_link() -> None:
    acknowledge, cancel = staff_link("acknowledge"), staff_link("cancel")
    spliced = f"{cancel.split('.')[0]}.{acknowledge.split('.')[1]}"
    with pytest.raises(LinkInvalid):
        verify(SECRET, spliced, SIGNED_AT)


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda token: token[:-1], id="the last character lost"),
        pytest.param(lambda token: token[:-10], id="the last ten characters lost"),
        pytest.param(lambda token: token.split(".")[0], id="the signature lost"),
        pytest.param(lambda token: token.split(".")[0] + ".", id="cut right after the dot"),
        pytest.param(lambda token: token[: len(token) // 3], id="cut inside the payload"),
        pytest.param(lambda token: "." + token.split(".")[1], id="the payload lost"),
    ],
)
def test_a_truncated_link_is_refused(cut: Any) -> None:
    with pytest.raises(LinkInvalid):
        verify(SECRET, cut(staff_link()), SIGNED_AT)


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param("", id="an empty string"),
        pytest.param(".", id="a lone dot"),
        pytest.param("not-a-link", id="a word"),
        pytest.param("abc.def", id="two short words"),
        pytest.param("!!!!.????", id="punctuation"),
        pytest.param("链接.签名", id="non-ASCII text"),
        pytest.param("a" * 5000, id="a very long string"),
        pytest.param("%2E%2E", id="URL-encoded dots"),
    ],
)
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(LinkInvalid):
        verify(SECRET, garbage, SIGNED_AT)


@pytest.mark.parametrize(
    "dotted",
    [
        pytest.param(lambda token: token + ".", id="a dot at the end"),
        pytest.param(lambda token: "." + token, id="a dot at the start"),
        pytest.param(lambda token: token + "." + token.split(".")[1], id="a second signature"),
        pytest.param(lambda token: token.replace(".", ".."), id="a doubled dot"),
    ],
)
def test_a_link_with_extra_dots_is_refused(dotted: Any) -> None:
    with pytest.raises(LinkInvalid):
        verify(SECRET, dotted(staff_link()), SIGNED_AT)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"[1, 2, 3]", id="a list"),
        pytest.param(b'{"r": "20261123-0001", "a": "acknowledge"}', id="no expiry or nonce"),
        pytest.param(b'{"r": "x", "a": "y", "e": "soon", "n": "z"}', id="an expiry that is not a number"),
        pytest.param(b'{"r": "x", "a": "y", "e": null, "n": "z"}', id="a null expiry"),
        pytest.param(b"\xff\xfe not json", id="not JSON at all"),
    ],
)
def test_a_correctly_signed_but_malformed_payload_is_refused(payload: bytes) -> None:
    # Only someone holding the secret could produce these; the check still must not crash.
    signature = hmac.new(SECRET, payload, hashlib.sha256).digest()
    encode = base64.urlsafe_b64encode
    token = f"{encode(payload).rstrip(b'=').decode()}.{encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(LinkInvalid):
        verify(SECRET, token, SIGNED_AT)


# --- the secret ----------------------------------------------------------------------------------------


class FakeSecretStore:
    """Stands in for Powertools' SSM provider: returns a fixed value and remembers how it was asked."""

    def __init__(self, value: str | None) -> None:
        self.value = value
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def get(self, name: str, **options: Any) -> str | None:
        self.calls.append((name, options))
        return self.value


def with_stored_secret(monkeypatch: pytest.MonkeyPatch, value: str | None) -> FakeSecretStore:
    from lobby import links

    fake = FakeSecretStore(value)
    monkeypatch.setattr(links, "secret_store", lambda: fake)
    return fake


def test_the_secret_is_read_decrypted_and_cached_from_parameter_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = with_stored_secret(monkeypatch, "s" * 32)
    assert signing_secret("/lobby/test/link-secret") == b"s" * 32
    assert fake.calls == [("/lobby/test/link-secret", {"decrypt": True, "max_age": SECRET_CACHE_SECONDS})]


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="no secret"),
        pytest.param("", id="an empty secret"),
        pytest.param("s" * 31, id="a secret one character short"),
        pytest.param("change-me", id="a placeholder"),
    ],
)
def test_a_secret_shorter_than_32_characters_is_refused(
    monkeypatch: pytest.MonkeyPatch, stored: str | None
) -> None:
    with_stored_secret(monkeypatch, stored)
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        signing_secret("/lobby/test/link-secret")


def test_a_secret_from_parameter_store_signs_links_that_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    with_stored_secret(monkeypatch, "a-long-random-secret-from-ssm-0123456789")
    secret = signing_secret("/lobby/test/link-secret")
    assert verify(secret, staff_link(secret=secret), SIGNED_AT).reference == REFERENCE
