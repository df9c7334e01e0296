"""Long-term paid-service agreements (seeds 002 and 004): followed up halfway through the term and after its
end, every agreement; a one-off booking keeps the kind's follow-up within 7 days of completion."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from lobby.agreements import next_visit, plan_at_resolution, term_months, term_visits
from lobby.catalog import SOURCE_YAML, load_catalog
from lobby.lifecycle import apply
from lobby.months import add_months
from lobby.requests import ServiceRequest
from lobby.scheduled_steps import ladder, next_action_at

SH = ZoneInfo("Asia/Shanghai")
CATALOG = load_catalog(SOURCE_YAML)
KIND = CATALOG.kinds["paid-service"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def booking(agreement: str = "long-term-12", **changes: object) -> ServiceRequest:
    """A paid-service booking taken and in hand, as staff are about to resolve it."""
    request = ServiceRequest(
        reference="20261120-0003",
        kind="paid-service",
        office="service-centre",
        status="in_progress",
        lang="zh",
        fields={"service": "deep-clean", "agreement": agreement, "preferred_date": "2026-11-26"},
        received_at=at("2026-11-20 09:00"),
        acknowledge_due=at("2026-11-20 17:30"),
        resolve_due=None,
        catalog_version=CATALOG.catalog_version,
        owner="张敏",
        acknowledged_at=at("2026-11-20 10:00"),
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def resolved(request: ServiceRequest, moment: datetime) -> ServiceRequest:
    return apply(
        CATALOG, request, "resolve", {"actor": "张敏", "note": "协议已签订，首次服务完成"}, moment
    ).request


def local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(SH).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("answer", "months"),
    [("long-term-3", 3), ("long-term-6", 6), ("long-term-12", 12), ("one-off", None), ("", None)],
)
def test_the_answer_names_the_term(answer: str, months: int | None) -> None:
    assert term_months(KIND, {"agreement": answer}) == months
    assert term_months(CATALOG.kinds["repair"], {"agreement": answer}) is None  # no agreements there


def test_months_run_to_the_same_day_or_the_last_of_a_shorter_month() -> None:
    assert add_months(at("2026-11-26 00:00").date(), 12).isoformat() == "2027-11-26"
    assert add_months(at("2026-08-31 00:00").date(), 6).isoformat() == "2027-02-28"
    assert add_months(at("2027-11-30 00:00").date(), 3).isoformat() == "2028-02-29"  # a leap year


def test_a_twelve_month_agreement_is_followed_up_halfway_and_within_a_week_of_its_end() -> None:
    request = resolved(booking(), at("2026-11-26 10:00"))
    # 365 days: the halfway visit on day 182, the final one within 7 days after 26 November 2027.
    assert local(request.follow_up_due) == "2027-05-27 10:00"
    assert [local(due) for due in request.follow_ups_after] == ["2027-12-03 10:00"]
    assert request.follow_up_selected is True  # every agreement, whatever the monthly sample


def test_a_six_month_agreement_from_the_last_day_of_a_month() -> None:
    halfway, final = term_visits(CATALOG, KIND, 6, at("2026-08-31 11:00"))
    assert (local(halfway), local(final)) == (
        "2026-11-29 11:00",
        "2027-03-07 11:00",
    )  # 181 days; 90 to halfway


def test_visits_fall_in_the_service_centres_hours() -> None:
    # Resolved at 20:00, after the service centre closed: each visit is due by its closing time that day.
    halfway, final = term_visits(CATALOG, KIND, 3, at("2026-11-26 20:00"))
    assert (local(halfway), local(final)) == ("2027-01-12 17:30", "2027-03-06 17:30")


def test_a_one_off_booking_keeps_one_follow_up_by_the_sample() -> None:
    request = resolved(booking("one-off"), at("2026-11-26 10:00"))
    assert local(request.follow_up_due) == "2026-12-03 10:00"
    assert request.follow_ups_after == ()
    assert request.follow_up_selected is None  # the monthly sample decides
    assert next_visit(request) is None


def test_after_the_halfway_visit_the_final_one_is_due() -> None:
    request = resolved(booking(), at("2026-11-26 10:00"))
    later = next_visit(request)
    assert later is not None and later.status == "resolved"
    assert local(later.follow_up_due) == "2027-12-03 10:00" and later.follow_ups_after == ()
    assert next_visit(later) is None  # the last visit closes it


def test_a_rework_within_the_agreement_is_followed_up_and_keeps_the_final_visit() -> None:
    first = resolved(booking(), at("2026-11-26 10:00"))
    # The halfway visit finds the resident unhappy: reopened, reworked, resolved again.
    reopened = apply(
        CATALOG, first, "reopen", {"actor": "resident", "note": "保洁不到位"}, at("2027-05-27 10:00")
    )
    again = resolved(replace(reopened.request, status="in_progress"), at("2027-05-28 15:00"))
    assert local(again.follow_up_due) == "2027-06-04 15:00"  # the rework's own follow-up, within 7 days
    assert [local(due) for due in again.follow_ups_after] == ["2027-12-03 10:00"]  # the term is not restarted


def test_the_service_centre_is_reminded_the_day_before_each_visit_and_nothing_closes_it_meanwhile() -> None:
    request = resolved(booking(), at("2026-11-26 10:00"))
    assert local(next_action_at(CATALOG, request)) == "2027-05-26 10:00"  # a day ahead of the halfway visit
    steps = ladder(CATALOG, request, until=at("2027-05-27 10:00"))
    assert [(step.stage, local(step.deliver_at), step.recipient) for step in steps] == [
        ("followup", "2027-05-26 10:00", "service"),
        ("followup", "2027-05-27 10:00", "service"),
        ("followup", "2027-05-28 10:00", "service"),  # the next one while it is still owed
    ]
    assert not [
        step for step in ladder(CATALOG, request, until=at("2027-05-01 00:00")) if step.stage == "autoclose"
    ]
    final = next_visit(request)
    assert final is not None
    assert local(next_action_at(CATALOG, final, after=at("2027-05-27 11:00"))) == "2027-12-02 10:00"
    assert {step.key for step in ladder(CATALOG, final, until=at("2027-12-03 10:00"))}.isdisjoint(
        step.key for step in steps
    )


def test_a_plan_is_made_only_for_what_the_catalog_books_as_an_agreement() -> None:
    plan = plan_at_resolution(CATALOG, booking("long-term-3"), at("2026-11-26 10:00"))
    assert (local(plan.due), [local(due) for due in plan.later]) == (
        "2027-01-11 10:00",
        ["2027-03-05 10:00"],
    )  # 92 days
