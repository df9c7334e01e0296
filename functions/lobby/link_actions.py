"""Acting on a request through a signed link: open it (changes nothing), confirm it (one time only)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from lobby import links
from lobby.agreements import next_visit
from lobby.catalog import Catalog
from lobby.fields import Invalid, clean_staff_input
from lobby.lifecycle import ALLOWED, Change, MissingInput, apply, clean_inputs
from lobby.policy import RATING_HIGHEST, RATING_LOWEST, RATING_SCALES
from lobby.requests import RESIDENT, Actor, Event, ServiceRequest, parse_iso, utc_iso
from lobby.storage import Store
from views.messages import translate

# The actions of the links staff get (the follow-up link is staff's too); "rate" is the resident's.
STAFF_LINKS = frozenset(ALLOWED) | {"followup"}
RESIDENT_LINKS = frozenset({"rate"})


class LinkUsed(ValueError):
    """This one-time link was already used."""


class RatingIncomplete(ValueError):
    """A follow-up question was left unanswered, or an answer was refused (``code``, ``n``: as MissingInput)."""

    def __init__(self, field: str, code: str = "required", n: int | None = None) -> None:
        super().__init__(f"{field} is required" if code == "required" else f"{field}: {code}")
        self.field = field
        self.code = code
        self.n = n


class LinkUnknown(ValueError):
    """The link is genuine but its request no longer exists."""


class Opened(Struct, frozen=True):
    link: links.Link
    request: ServiceRequest
    history: list[Event]


def open_link(
    store: Store, secret: bytes, token: str, now: datetime, accepts: Collection[str] | None = None
) -> Opened:
    """Check a link and load its request. Raises LinkInvalid, LinkExpired, LinkUsed or LinkUnknown.

    ``accepts`` names the actions this route takes (None: any): a genuine link of another action
    (a resident's rating link at the staff route, a link minted for no known action) is invalid here.
    """
    link = links.verify(secret, token, now)
    if accepts is not None and link.action not in accepts:
        raise links.LinkInvalid("not a link for this route")
    if store.link_used(link.reference, link.nonce):
        raise LinkUsed(link.reference)
    request = store.get_request(link.reference)
    if request is None:
        raise LinkUnknown(link.reference)
    return Opened(link=link, request=request, history=store.history(link.reference))


def confirm(
    store: Store, catalog: Catalog, secret: bytes, token: str, inputs: dict[str, str], now: datetime
) -> Change:
    """Perform the link's action once. Raises the link errors, IllegalTransition, MissingInput or StaleRequest."""
    opened = open_link(store, secret, token, now, STAFF_LINKS)
    change = apply(catalog, opened.request, opened.link.action, inputs, now)
    if change.event.type == "reopen":
        change = with_resolution(change, opened.history)
    store.save_change(opened.request, change.request, change.event, once=opened.link.nonce)
    return change


def with_resolution(change: Change, history: list[Event]) -> Change:
    """A reopening records what it reopens: the note of the latest resolution, for the office's e-mail."""
    resolution = next(
        (str(event.data.get("note", "")) for event in reversed(history) if event.type == "resolve"), ""
    )
    event = replace(change.event, data={**change.event.data, "resolution": resolution})
    return Change(request=change.request, event=event)


def parse_rating(inputs: dict[str, str]) -> dict[str, Any]:
    """The follow-up answers (seed 002): satisfied or not (the one answer needed), then, if given,
    quality, effect and attitude from 1 to 5 and comments."""
    satisfied = inputs.get("satisfied", "")
    if satisfied not in {"yes", "no"}:
        raise RatingIncomplete("satisfied")
    rating: dict[str, Any] = {"satisfied": satisfied == "yes"}
    for scale in RATING_SCALES:
        value = inputs.get(scale, "")
        if not value:
            continue
        if value not in {str(score) for score in range(RATING_LOWEST, RATING_HIGHEST + 1)}:
            raise RatingIncomplete(scale, "bad_choice")
        rating[scale] = int(value)
    comments = clean_staff_input("comments", inputs.get("comments", ""))
    if isinstance(comments, Invalid):
        raise RatingIncomplete("comments", comments.code, comments.n)
    comments = " ".join(comments.split())
    if comments:
        rating["comments"] = comments
    return rating


FOLLOW_UP_ACTIONS = {"rate": "rated", "followup": "followed_up"}


def rated_since_resolution(request: ServiceRequest) -> bool:
    """Whether the resident has rated the request's latest resolution: each resolution is rated once,
    whichever of its rating links (the e-mail's, the request page's) is used."""
    at = (request.rating or {}).get("at")
    return bool(at and request.resolved_at and parse_iso(str(at)) >= request.resolved_at)


def rate(
    store: Store,
    catalog: Catalog,
    secret: bytes,
    token: str,
    inputs: dict[str, str],
    now: datetime,
    accepts: Collection[str] = tuple(FOLLOW_UP_ACTIONS),
) -> Change:
    """Record the follow-up answers (回访): the resident's own rating (a ``rate`` link) or the answers staff
    gathered by phone or visit (a ``followup`` link, which names the staff member).

    Satisfied closes the request; unsatisfied (a failed follow-up) reopens it and alerts the director.
    """
    opened = open_link(store, secret, token, now, set(accepts) & FOLLOW_UP_ACTIONS.keys())
    action = opened.link.action
    if action == "rate" and rated_since_resolution(opened.request):
        raise LinkUsed(opened.request.reference)  # another of its rating links was used (a page opened twice)
    if action == "rate":
        actor = RESIDENT
    else:  # staff type their name on the follow-up page: recorded as unverified
        actor = Actor.typed(clean_inputs({"actor": inputs.get("actor", "")})["actor"])
    if not actor.name:
        raise MissingInput("actor")
    rating = parse_rating(inputs)
    request = replace(opened.request, rating={**rating, "at": now.isoformat(), "by": actor.name})
    verified = {"verified": actor.verified} if actor.verified is not None else {}
    if rating["satisfied"] and request.follow_ups_after and request.status == "resolved":
        # A long-term agreement with a visit still ahead stays resolved: staff's halfway visit makes the next
        # one due; the resident's own rating is recorded and the visits keep their dates.
        ahead = next_visit(request) if action == "followup" else None
        data: dict[str, Any] = {"satisfied": True, **verified}
        if ahead is not None and ahead.follow_up_due:
            data["next"] = utc_iso(ahead.follow_up_due)
        event_type = "followed_up_halfway" if ahead is not None else FOLLOW_UP_ACTIONS[action]
        event = Event(type=event_type, at=now, actor=actor.name, public=True, data=data)
        updated = ahead or request
        store.save_change(opened.request, updated, event, once=opened.link.nonce)
        return Change(request=updated, event=event)
    if rating["satisfied"]:
        change = apply(catalog, request, "close", {}, now, actor)
        event = replace(
            change.event, type=FOLLOW_UP_ACTIONS[action], public=True, data={"satisfied": True, **verified}
        )
    else:
        note = rating.get("comments") or translate(request.lang, "rating.unsatisfied_default")
        change = with_resolution(
            apply(catalog, request, "reopen", {"note": note}, now, actor), opened.history
        )
        event = replace(change.event, data={**change.event.data, "satisfied": False, "via": action})
    store.save_change(opened.request, change.request, event, once=opened.link.nonce)
    return Change(request=change.request, event=event)
