"""The staff roster: who may sign in to the desk, in which office, with which role.

The roster is a deployment setting, never part of the public catalog: a JSON list
``[{"name", "email", "office", "role"}]`` in an SSM parameter (``STAFF_ROSTER_PARAMETER``; the local
stack writes ``infra/environments/local.yaml``'s ``staff`` there). It is read through Powertools
Parameters with the signing secret's cache time, so a person taken off the roster loses the desk
within minutes, whatever session they hold.
"""

from __future__ import annotations

import json
from typing import Any

from msgspec import Struct

from lobby.policy import SECRET_CACHE_SECONDS

# The roles of the seeds' offices: a clerk of the service centre (registers and tracks requests),
# an engineer, other department staff, the office director, the company quality department and the
# general manager's office.
ROLES = ("clerk", "engineer", "staff", "director", "quality", "general-manager")
# Roles that see and act on every office's requests (the company view).
SEES_ALL = frozenset({"director", "quality", "general-manager"})
FIELDS = ("name", "email", "office", "role")
NAME_MAX = 40
EMAIL_MAX = 254


class RosterInvalid(ValueError):
    """The roster setting cannot be read: the message says which entry and why (no address in it)."""


class Staff(Struct, frozen=True):
    name: str
    email: str
    office: str
    role: str

    @property
    def sees_all(self) -> bool:
        return self.role in SEES_ALL

    def may_see(self, office: str, receiver_email: str | None = None) -> bool:
        """Their own office's requests, those they received themselves (first contact), or all."""
        return self.sees_all or office == self.office or (receiver_email or "").lower() == self.email

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "office": self.office, "role": self.role}


class Roster(Struct, frozen=True):
    staff: tuple[Staff, ...]

    def by_email(self, email: str) -> Staff | None:
        wanted = email.strip().lower()
        return next((person for person in self.staff if person.email == wanted), None)


def parse_roster(value: Any, offices: set[str] | frozenset[str]) -> Roster:
    """A roster from its JSON text (or already decoded list); every entry checked against the offices."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as error:
            raise RosterInvalid(f"the staff roster is not valid JSON ({error.msg})") from None
    if not isinstance(value, list):
        raise RosterInvalid('the staff roster must be a JSON list of {"name","email","office","role"}')
    people: list[Staff] = []
    for number, entry in enumerate(value, start=1):
        people.append(_entry(number, entry, offices))
    emails = [person.email for person in people]
    if len(set(emails)) != len(emails):
        raise RosterInvalid("the staff roster names an e-mail address twice")
    names = [(person.office, person.name) for person in people]
    if len(set(names)) != len(names):
        raise RosterInvalid("the staff roster has two people of one office with the same name")
    return Roster(tuple(people))


def _entry(number: int, entry: Any, offices: set[str] | frozenset[str]) -> Staff:
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        raise RosterInvalid(f"roster entry {number} must have exactly the keys {', '.join(FIELDS)}")
    if not all(isinstance(entry[key], str) and entry[key].strip() for key in FIELDS):
        raise RosterInvalid(f"roster entry {number}: every value must be non-empty text")
    name, email = " ".join(entry["name"].split()), entry["email"].strip().lower()
    if len(name) > NAME_MAX or len(email) > EMAIL_MAX or "@" not in email:
        raise RosterInvalid(f"roster entry {number}: the name or the e-mail address is not usable")
    if entry["office"] not in offices:
        raise RosterInvalid(f"roster entry {number}: office {entry['office']!r} is not in the catalog")
    if entry["role"] not in ROLES:
        raise RosterInvalid(f"roster entry {number}: role {entry['role']!r} is not one of {', '.join(ROLES)}")
    return Staff(name=name, email=email, office=entry["office"], role=entry["role"])


def load_roster(parameter_name: str, offices: set[str] | frozenset[str]) -> Roster:
    """The deployment's roster, from SSM (cached as the signing secret is)."""
    from lobby.links import secret_store

    text = secret_store().get(parameter_name, max_age=SECRET_CACHE_SECONDS)
    return parse_roster(str(text or "[]"), offices)
