"""Who a request escalates to: the handling office's director, and never the person complained about.

A complaint names the office it is about (the kind's ``about_field``). Escalating it to that office would
ask the person complained about to judge their own case, so the escalation climbs one more level: a
complaint about the office director goes to the general manager's office (seed 002: complaints against
managers go to the company). Plain Python over the catalog.
"""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.requests import ServiceRequest


def escalation_office(catalog: Catalog, request: ServiceRequest) -> str:
    """The office told when ``request`` is escalated: its office's director, above whoever it is about."""
    kind = catalog.kinds.get(request.kind)
    about = request.fields.get(kind.about_field) if kind is not None and kind.about_field else None
    office = request.office
    director = catalog.offices[office].director or office if office in catalog.offices else office
    seen = {office}
    while about and director == about and director not in seen and director in catalog.offices:
        seen.add(director)
        director = catalog.offices[director].director or director
    return director
