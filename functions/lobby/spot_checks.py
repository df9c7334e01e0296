"""The company's spot checks of follow-ups (抽查, seed 000 §5.5) as work: drawn, assigned, recorded once.

When a request is resolved, each office of its kind's ``follow_up.spot_checks`` draws it at its rate
(``lobby.sampling.draw_spot_checks``, in ``lobby.lifecycle``). A drawn check is the checking office's to
do: the resolve event names the offices it drew (``SPOT_CHECKS``), and each is e-mailed the request with
a signed link to record the result (``lobby.notifications``; ``views.emails.spot_check``), or records it
from the desk card. It is due when the office's own follow-up is (``ServiceRequest.spot_check_due``,
fixed at the draw): the company calls the resident while the service is fresh, at the same time the
office's visit is owed, and finds out whether both happened.

A result says whether the checker reached the resident, and if so whether the resident is satisfied,
with an optional note; it is stored on the request once per office and recorded in the history (an
internal step the resident does not see). Plain Python: no AWS, no HTTP.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from lobby.lifecycle import Change, MissingInput, clean_inputs
from lobby.requests import Actor, Event, ServiceRequest

EVENT = "spot_check"  # the history step of a recorded check
SPOT_CHECKS = "spot_checks"  # the resolve event's list of the offices it drew
LINK_PREFIX = "spotcheck."  # a check's signed link: "spotcheck.<office>"
ROLE = "spot-check-"  # the role of a check's e-mail to the office that drew it: "spot-check-<office>"
ANSWERS = ("yes", "no")


class SpotCheckRefused(ValueError):
    """``other_office``: the request was not drawn for this office's check; ``recorded``: this office's
    check was already recorded (``result`` says when and by whom)."""

    def __init__(self, code: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.result = result or {}


def link_action(office: str) -> str:
    return f"{LINK_PREFIX}{office}"


def link_actions(offices: Collection[str]) -> frozenset[str]:
    """The signed links a spot-check page takes: one per office that may check."""
    return frozenset(link_action(office) for office in offices)


def office_of(action: str) -> str:
    return action.removeprefix(LINK_PREFIX)


def newly_drawn(event: Event) -> tuple[str, ...]:
    """The offices a resolve event drew for spot checks (none when an earlier resolution drew them)."""
    if event.type != "resolve":
        return ()
    return tuple(str(office) for office in event.data.get(SPOT_CHECKS, ()))


def pending(request: ServiceRequest) -> tuple[str, ...]:
    """The drawn offices whose check is not recorded yet."""
    return tuple(office for office in request.spot_checks if office not in request.spot_check_results)


def _answer(inputs: dict[str, str], name: str) -> bool:
    value = inputs.get(name, "")
    if value not in ANSWERS:
        raise MissingInput(name)
    return value == "yes"


def record(
    request: ServiceRequest, office: str, inputs: dict[str, str], now: datetime, actor: Actor | None = None
) -> Change:
    """Record ``office``'s check of ``request``; raises SpotCheckRefused or MissingInput (nothing changes).

    ``actor`` is the signed-in person at the desk; without one, the name typed on the link's page is
    recorded as unverified.
    """
    if office not in request.spot_checks:
        raise SpotCheckRefused("other_office")
    if office in request.spot_check_results:
        raise SpotCheckRefused("recorded", request.spot_check_results[office])
    cleaned = clean_inputs({**inputs, "actor": actor.name} if actor else inputs)  # the notes' limits
    who = replace(actor, name=cleaned["actor"]) if actor else Actor.typed(cleaned.get("actor", ""))
    if not who.name.strip():
        raise MissingInput("actor")
    result: dict[str, Any] = {"reached": _answer(cleaned, "reached")}
    if result["reached"]:  # a resident not reached has said nothing about the service
        result["satisfied"] = _answer(cleaned, "satisfied")
    note = " ".join(cleaned.get("note", "").split())
    if note:
        result["note"] = note
    data: dict[str, Any] = {"office": office, **result}
    if who.verified is not None:
        data["verified"] = who.verified
    result |= {"at": now.isoformat(), "by": who.name}
    results = {**request.spot_check_results, office: result}
    event = Event(type=EVENT, at=now, actor=who.name, public=False, data=data)
    return Change(request=replace(request, spot_check_results=results), event=event)


class SpotCheckFigures(Struct):
    """One office's spot checks of a month's requests: drawn, recorded, and what the residents said."""

    drawn: int = 0
    recorded: int = 0
    reached: int = 0
    satisfied: int = 0


def month_figures(requests: list[ServiceRequest]) -> dict[str, SpotCheckFigures]:
    """The spot checks of the month's requests, by checking office (sorted)."""
    by_office: dict[str, SpotCheckFigures] = {}
    for request in requests:
        for office in request.spot_checks:
            figures = by_office.setdefault(office, SpotCheckFigures())
            figures.drawn += 1
            result = request.spot_check_results.get(office)
            if result is not None:
                figures.recorded += 1
                figures.reached += bool(result.get("reached"))
                figures.satisfied += bool(result.get("satisfied"))
    return dict(sorted(by_office.items()))
