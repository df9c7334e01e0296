"""Long-term paid-service agreements (seeds 002 and 004): followed up halfway through the term and after its end.

A one-off job is followed up once, within the kind's ``follow_up.within`` of its completion, if the rule or the
sample asks for it. A resident who signs a long-term agreement (the kind's ``follow_up.agreements``: the answers
that book one, each with its term in months) is followed up twice, every agreement whatever the sample: halfway
through the term, and within ``within`` after the term ends. The term counts from the booking's first
resolution (the agreement signed, the service file opened, the service begun: seed 004 §4.2.4). A rework after
an unhappy follow-up is followed up as any finished job is, and the visits still ahead keep their dates.

The follow-up owed next is the request's ``follow_up_due``; the ones after it wait in ``follow_ups_after``.
Plain Python over the catalog and a request: no AWS.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from msgspec import Struct
from msgspec.structs import replace

from lobby.catalog import Catalog, Kind, Rule
from lobby.deadlines import deadline_for
from lobby.months import add_months
from lobby.requests import ServiceRequest


class FollowUpPlan(Struct, frozen=True):
    """The follow-ups a request is owed once resolved."""

    due: datetime | None  # the one owed next
    later: tuple[datetime, ...]  # the ones after it
    selected: bool | None  # True: every agreement is followed up; otherwise as the sample decides


def term_months(kind: Kind, fields: dict[str, str]) -> int | None:
    """The months of the long-term agreement these answers book, or None for a one-off job."""
    agreements = kind.follow_up.agreements
    if agreements is None:
        return None
    return agreements.terms.get(fields.get(agreements.field, ""))


def term_visits(catalog: Catalog, kind: Kind, months: int, start: datetime) -> tuple[datetime, datetime]:
    """(halfway, final) for a term of ``months`` begun at ``start``: the middle day of the term, and within the
    kind's ``within`` of its last; each in the service centre's hours, as a day-count deadline is."""
    service = catalog.office_clock(catalog.property.service_office)
    first = start.astimezone(ZoneInfo(catalog.property.time_zone)).date()
    days = (add_months(first, months) - first).days
    halfway = deadline_for(Rule(f"{days // 2}d"), start, service)
    end = deadline_for(Rule(f"{days}d"), start, service)
    assert halfway is not None and end is not None
    return halfway, deadline_for(kind.follow_up.within, end, service) or end


def plan_at_resolution(catalog: Catalog, request: ServiceRequest, now: datetime) -> FollowUpPlan:
    """What a request resolved at ``now`` is owed: one follow-up within the kind's rule; for an agreement
    resolved the first time, the halfway and final visits of its term."""
    kind = catalog.kinds[request.kind]
    service = catalog.office_clock(catalog.property.service_office)
    after = deadline_for(kind.follow_up.within, now, service)
    months = term_months(kind, request.fields)
    if months is None:
        return FollowUpPlan(after, request.follow_ups_after, request.follow_up_selected)
    if request.reopen_count:  # a rework within the agreement: its own follow-up, then the visits ahead
        return FollowUpPlan(after, request.follow_ups_after, True)
    halfway, final = term_visits(catalog, kind, months, now)
    return FollowUpPlan(halfway, (final,), True)


def next_visit(request: ServiceRequest) -> ServiceRequest | None:
    """After a satisfied follow-up: the request with its next visit due (it stays resolved), or None when no
    visit is ahead and it may close."""
    if not request.follow_ups_after:
        return None
    due, *later = request.follow_ups_after
    return replace(request, follow_up_due=due, follow_ups_after=tuple(later))
