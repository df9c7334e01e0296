"""Sign-in without passwords, server-side sessions and the checks on every state-changing POST.

- A staff member asks for a link at ``/desk/sign-in``. When the address is on the roster, a pending
  sign-in (a random nonce) is stored with the outbox item that mails the link; the link is signed when
  the mail leaves (HMAC over the nonce, ``lobby.links``) and ends 15 minutes after it was asked for.
  The page answers alike whether or not the address is on the roster.
- The link's page changes nothing (mail scanners open links); its button POSTs, which takes the
  pending sign-in out of the table (a conditional delete: once) and opens a session.
- A session is a random id (256 bits) in a cookie; the table holds only its SHA-256, the person's
  address, a CSRF token and the end (12 hours after sign-in at most). Every request re-reads the
  session and the roster, so signing out, removing the item or taking a person off the roster ends it.
- Every POST that changes something must come from the site's own origin (``Origin``, else ``Referer``)
  and carry the session's CSRF token.

Plain Python: the store, the roster, the secret and ``now`` come in as arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from msgspec import Struct

from desk.roster import Roster, Staff
from lobby import links
from lobby.outbox import SIGNIN_MESSAGE, Message
from lobby.policy import SIGN_IN_LINK_LIFETIME
from lobby.storage.desk import DeskStore, PendingSignIn, StoredSession

SIGN_IN_ACTION = "signin"
# A desk session ends this long after sign-in, whatever happens: a shift, at most (OWASP's absolute
# timeout). Kept here rather than in lobby.policy: no sentence or handbook page states it.
SESSION_LIFETIME = timedelta(hours=12)
CSRF_FIELD = "csrf"
EMAIL_MAX = 254


class DeskRefused(Exception):
    """A desk request refused with a 4xx: ``key`` names the page's sentence (``desk.problem.<key>``)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


class Session(Struct, frozen=True):
    id: str  # the cookie's value, known only to the browser and this request
    stored: StoredSession
    staff: Staff


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def request_link(desk: DeskStore, roster: Roster, email: str, now: datetime, lang: str) -> bool:
    """Queue the sign-in mail when ``email`` is on the roster; True when it was (never shown to anyone)."""
    staff = roster.by_email(email[:EMAIL_MAX]) if isinstance(email, str) else None
    if staff is None:
        return False
    nonce = secrets.token_urlsafe(18)
    pending = PendingSignIn(nonce, staff.email, now, now + SIGN_IN_LINK_LIFETIME)
    message = Message(SIGNIN_MESSAGE, nonce, "staff", "staff", lang, at=now)
    desk.add_sign_in(pending, message, now)
    return True


def link_token(secret: bytes, pending: PendingSignIn, now: datetime) -> str | None:
    """The link's token, signed at sending time, ending with the pending sign-in; None once it has ended."""
    if now >= pending.expires:
        return None
    return links.sign(secret, pending.nonce, SIGN_IN_ACTION, now, pending.expires - now)


def _nonce(secret: bytes, token: str, now: datetime) -> str:
    try:
        link = links.verify(secret, token, now)
    except links.LinkExpired:
        raise DeskRefused(410, "link_expired") from None
    except links.LinkInvalid:
        raise DeskRefused(404, "link_invalid") from None
    if link.action != SIGN_IN_ACTION:
        raise DeskRefused(404, "link_invalid")
    return link.reference


def check_link(secret: bytes, desk: DeskStore, token: str, now: datetime) -> PendingSignIn:
    """The pending sign-in a link stands for, unused and current; raises DeskRefused. Changes nothing."""
    pending = desk.get_sign_in(_nonce(secret, token, now))
    if pending is None:
        raise DeskRefused(410, "link_used")
    if now >= pending.expires:
        raise DeskRefused(410, "link_expired")
    return pending


def sign_in(secret: bytes, desk: DeskStore, roster: Roster, token: str, now: datetime) -> Session:
    """Use the link (once) and open a session; raises DeskRefused."""
    pending = desk.take_sign_in(_nonce(secret, token, now))
    if pending is None:
        raise DeskRefused(410, "link_used")
    if now >= pending.expires:
        raise DeskRefused(410, "link_expired")
    staff = roster.by_email(pending.email)
    if staff is None:  # taken off the roster since asking
        raise DeskRefused(403, "not_on_roster")
    session_id = secrets.token_urlsafe(32)
    stored = StoredSession(
        session_hash=_hash(session_id),
        email=staff.email,
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        expires=now + SESSION_LIFETIME,
    )
    desk.add_session(stored)
    return Session(session_id, stored, staff)


def current(desk: DeskStore, roster: Roster, session_id: str | None, now: datetime) -> Session:
    """The session a cookie names; raises DeskRefused (401) when there is none, it ended or was revoked."""
    if not session_id:
        raise DeskRefused(401, "signed_out")
    stored = desk.get_session(_hash(session_id))
    if stored is None:
        raise DeskRefused(401, "session_ended")
    if now >= stored.expires:
        desk.remove_session(stored.session_hash)
        raise DeskRefused(401, "session_ended")
    staff = roster.by_email(stored.email)
    if staff is None:
        desk.remove_session(stored.session_hash)
        raise DeskRefused(401, "session_ended")
    return Session(session_id, stored, staff)


def sign_out(desk: DeskStore, session: Session) -> None:
    desk.remove_session(session.stored.session_hash)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def check_origin(site_origin: str, origin: str, referer: str, fetch_site: str = "") -> None:
    """A state-changing POST comes from the site itself (OWASP: verify the source origin with standard
    headers, and refuse a request that carries neither). A deployment without a SiteUrl of its own does
    not know its CloudFront address: there the browser's Fetch Metadata must say ``same-origin``."""
    source = origin if origin and origin != "null" else origin_of(referer)
    if not source:
        raise DeskRefused(403, "other_origin")
    if site_origin:
        if source.lower().rstrip("/") != site_origin:
            raise DeskRefused(403, "other_origin")
    elif fetch_site != "same-origin":
        raise DeskRefused(403, "other_origin")


def check_csrf(session: Session, token: object) -> None:
    """The synchronizer token of OWASP's CSRF cheat sheet: the session's own, compared in constant time."""
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), session.stored.csrf.encode()):
        raise DeskRefused(403, "csrf")
