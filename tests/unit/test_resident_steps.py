"""What a resident does on their own request's page, as plain Python: add information, cancel while it is
not yet resolved, rate each resolution once; what the page offers in each state; who hears of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from lobby import link_actions, resident_steps
from lobby.lifecycle import IllegalTransition, MissingInput
from lobby.notifications import event_notices
from lobby.policy import CANCEL_REASON_MAX_CHARS, RESIDENT_INFORMATION_MAX_CHARS
from lobby.requests import STATUSES, Event, ServiceRequest
from tests.rendered import CATALOG, NOW, SETTINGS, STAFF, sample_request, signer
from views.emails.events import write_event_mail
from views.pages import request_page
from views.wording import event_text


@dataclass
class FakeStore:
    """Records what a step would write; a real table is the integration tests' business."""

    events: list[Event] = field(default_factory=list)
    changes: list[tuple[ServiceRequest, ServiceRequest, Event]] = field(default_factory=list)

    def add_event(self, request: ServiceRequest, event: Event) -> None:
        self.events.append(event)

    def save_change(self, before: ServiceRequest, after: ServiceRequest, event: Event) -> None:
        self.changes.append((before, after, event))


def _request(status: str = "received", **changes: Any) -> ServiceRequest:
    return sample_request(CATALOG, "zh", status=status, **changes)


def test_information_is_the_resident_s_public_event_and_changes_no_state() -> None:
    store = FakeStore()

    event = resident_steps.add_information(store, _request(), "  楼上也在漏水。\r\n晚上在家。 ", NOW)  # type: ignore[arg-type]

    assert store.events == [event] and not store.changes
    assert (event.type, event.actor, event.public, event.at) == ("info", "resident", True, NOW)
    assert event.data == {"note": "楼上也在漏水。\n晚上在家。"}
    assert event_text(event, "zh") == "住户补充说明：楼上也在漏水。\n晚上在家。"
    assert event_text(event, "en") == "The resident added: 楼上也在漏水。\n晚上在家。"


@pytest.mark.parametrize(
    ("text", "code", "n"),
    [
        ("", "required", None),
        (" \n ", "required", None),
        ("漏" * (RESIDENT_INFORMATION_MAX_CHARS + 1), "too_long", RESIDENT_INFORMATION_MAX_CHARS),
    ],
)
def test_information_missing_or_too_long_is_refused_and_stores_nothing(
    text: str, code: str, n: int | None
) -> None:
    store = FakeStore()
    with pytest.raises(MissingInput) as refused:
        resident_steps.add_information(store, _request(), text, NOW)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.code, refused.value.n) == ("information", code, n)
    assert not store.events


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_information_after_the_end_is_refused(status: str) -> None:
    store = FakeStore()
    with pytest.raises(IllegalTransition):
        resident_steps.add_information(store, _request(status), "还有一处。", NOW)  # type: ignore[arg-type]
    assert not store.events


def test_the_resident_cancels_with_a_reason_recorded_as_theirs() -> None:
    store = FakeStore()

    change = resident_steps.cancel(
        store, CATALOG, _request("in_progress", owner=STAFF), "我自己修好了。", NOW
    )  # type: ignore[arg-type]

    [(before, after, event)] = store.changes
    assert before.status == "in_progress" and after.status == "cancelled" and after.closed_at == NOW
    assert (event.type, event.actor, event.public) == ("cancel", "resident", True)
    assert event.data["note"] == event.data["reason"] == "我自己修好了。"
    assert change.event == event
    assert event_text(event, "zh") == "住户取消了诉求：我自己修好了。"
    assert event_text(event, "en") == "Cancelled by the resident: 我自己修好了。"
    # a cancellation by staff keeps its own words
    assert event_text(replace(event, actor=STAFF), "zh") == "已取消：我自己修好了。"


@pytest.mark.parametrize("status", ["resolved", "closed", "cancelled"])
def test_cancelling_once_resolved_or_cancelled_is_refused(status: str) -> None:
    store = FakeStore()
    with pytest.raises(IllegalTransition) as refused:
        resident_steps.cancel(store, CATALOG, _request(status), "不用了。", NOW)  # type: ignore[arg-type]
    assert refused.value.status == status and not store.changes


@pytest.mark.parametrize(
    ("reason", "code"), [("", "required"), ("理" * (CANCEL_REASON_MAX_CHARS + 1), "too_long")]
)
def test_a_cancel_needs_a_reason_within_its_limit(reason: str, code: str) -> None:
    store = FakeStore()
    with pytest.raises(MissingInput) as refused:
        resident_steps.cancel(store, CATALOG, _request(), reason, NOW)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.code) == ("reason", code) and not store.changes


@pytest.mark.parametrize("status", STATUSES)
def test_the_page_offers_exactly_the_steps_the_state_allows(status: str) -> None:
    request = _request(status)
    lead, below = request_page.actions(
        request, "TOKEN", "zh", rate_url="/api/rate/T", photos_form="<form>p</form>"
    )

    assert ('action="/api/rate/T"' in lead) == (status == "resolved")
    assert (request_page.INFORMATION_PATH in below) == (status in resident_steps.INFORMATION_STATES)
    assert (request_page.CANCEL_PATH in below) == (status not in ("resolved", "closed", "cancelled"))
    assert ("<form>p</form>" in below) == request.is_open
    for form in below.split("<form")[1:]:
        if "/api/resident/" in form:  # the token first, so a body over the limit still names its request
            assert form.index('name="token" value="TOKEN"') < form.index("<textarea")


def test_each_resolution_is_rated_once() -> None:
    resolved = _request("resolved", resolved_at=NOW)
    assert not link_actions.rated_since_resolution(resolved)
    rated = replace(
        resolved, status="closed", rating={"satisfied": True, "at": (NOW + timedelta(hours=1)).isoformat()}
    )
    assert link_actions.rated_since_resolution(rated)
    # rated "not satisfied", reworked and resolved again: the new resolution may be rated
    again = replace(rated, status="resolved", resolved_at=NOW + timedelta(days=1))
    assert not link_actions.rated_since_resolution(again)


@pytest.mark.parametrize(
    ("changes", "to"),
    [
        ({}, "engineering@harbour-view.example"),  # nobody owns it yet: the office's mailbox
        ({"owner": STAFF, "owner_verified": False}, "engineering@harbour-view.example"),  # a typed name
        (
            {"owner": "王强", "owner_verified": True, "owner_email": "wang@harbour-view.example"},
            "wang@harbour-view.example",
        ),
    ],
)
def test_the_owner_or_the_office_hears_of_information_but_not_the_resident(
    changes: dict[str, Any], to: str
) -> None:
    request = _request("acknowledged" if changes else "received", **changes)
    event = Event("info", NOW, "resident", True, {"note": "楼上也在漏水。"})

    notices = event_notices(CATALOG, request, event)

    assert [(notice.role, notice.recipient) for notice in notices] == [("owner", "owner")]
    mail = write_event_mail(CATALOG, SETTINGS, request, event, "owner", signer)
    assert mail is not None
    assert mail.to == to
    assert "报修：住户补充了说明" in mail.html and "楼上也在漏水。" in mail.html


def test_a_resident_s_cancel_is_headed_as_theirs_for_the_owner_and_confirmed_to_the_resident() -> None:
    request = _request("cancelled", owner=STAFF, closed_at=NOW)
    event = Event("cancel", NOW, "resident", True, {"note": "我自己修好了。", "reason": "我自己修好了。"})

    roles = [notice.role for notice in event_notices(CATALOG, request, event)]

    assert roles == ["owner", "resident"]
    owner_mail = write_event_mail(CATALOG, SETTINGS, request, event, "owner", signer)
    assert owner_mail is not None and "报修：住户取消了诉求" in owner_mail.html
    resident_mail = write_event_mail(CATALOG, SETTINGS, request, event, "resident", signer)
    assert resident_mail is not None and "您的诉求已取消" in resident_mail.html
