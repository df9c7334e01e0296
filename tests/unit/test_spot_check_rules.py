"""A company spot check as work (lobby.spot_checks): drawn at resolution with its due time and its office's
e-mail, recorded once by the office that drew it, refused otherwise, and counted by office."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, Catalog, load_catalog
from lobby.lifecycle import MissingInput, apply
from lobby.notifications import messages_for
from lobby.requests import Actor, ServiceRequest
from lobby.spot_checks import SpotCheckRefused, month_figures, pending, record

RESOLVED = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def checked_catalog() -> Catalog:
    """The catalog with every complaint drawn by the quality department (100 %)."""
    from msgspec.structs import replace as changed

    catalog = load_catalog(SOURCE_YAML)
    complaint = catalog.kinds["complaint"]
    drawn = changed(complaint, follow_up=changed(complaint.follow_up, spot_checks={"quality": 100}))
    return changed(catalog, kinds={**catalog.kinds, "complaint": drawn})


def complaint(**changes: Any) -> ServiceRequest:
    received = RESOLVED - timedelta(hours=5)
    request = ServiceRequest(
        reference="20261124-0003",
        kind="complaint",
        office="service-centre",
        status="in_progress",
        lang="zh",
        fields={"category": "equipment", "building": "3栋", "unit": "1502", "phone": "13800138000"},
        received_at=received,
        acknowledge_due=received + timedelta(hours=2),
        resolve_due=received + timedelta(days=1),
        catalog_version="test",
        owner="李明",
    )
    return replace(request, **changes)


def resolved() -> tuple[Catalog, Any]:
    catalog = checked_catalog()
    return catalog, apply(catalog, complaint(), "resolve", {"actor": "李明", "note": "已修好"}, RESOLVED)


def test_a_drawn_check_is_due_with_the_follow_up_and_its_office_is_mailed_once() -> None:
    catalog, change = resolved()
    assert change.request.spot_checks == ("quality",)
    assert change.request.spot_check_due == change.request.follow_up_due is not None
    assert change.event.data["spot_checks"] == ["quality"]
    roles = [(m.role, m.recipient) for m in messages_for(catalog, {}, change.request, change.event)]
    assert ("spot-check-quality", "office") in roles

    reopened = apply(catalog, change.request, "reopen", {"actor": "住户", "note": "又坏了"}, RESOLVED)
    again = apply(
        catalog, reopened.request, "resolve", {"actor": "李明", "note": "再修"}, RESOLVED + timedelta(1)
    )
    assert again.request.spot_checks == ("quality",) and "spot_checks" not in again.event.data
    assert again.request.spot_check_due == change.request.spot_check_due  # the first draw stands
    roles = [m.role for m in messages_for(catalog, {}, again.request, again.event)]
    assert not [role for role in roles if role.startswith("spot-check-")]


def test_a_check_is_recorded_once_by_its_office_as_an_internal_step() -> None:
    _, change = resolved()
    request = change.request
    done = record(
        request,
        "quality",
        {"actor": "吴敏", "reached": "yes", "satisfied": "no", "note": " 灯 又坏了 "},
        RESOLVED,
    )
    result = done.request.spot_check_results["quality"]
    assert result["reached"] is True and result["satisfied"] is False and result["note"] == "灯 又坏了"
    assert result["by"] == "吴敏" and done.event.type == "spot_check" and not done.event.public
    assert done.event.data["verified"] is False  # a name typed behind a link
    assert pending(done.request) == () and pending(request) == ("quality",)

    with pytest.raises(SpotCheckRefused) as twice:
        record(done.request, "quality", {"actor": "吴敏", "reached": "no"}, RESOLVED)
    assert twice.value.code == "recorded" and twice.value.result["by"] == "吴敏"
    with pytest.raises(SpotCheckRefused) as other:
        record(request, "general-manager", {"actor": "郑华", "reached": "no"}, RESOLVED)
    assert other.value.code == "other_office"

    signed_in = record(
        request, "quality", {"reached": "no", "actor": "ignored"}, RESOLVED, Actor.signed_in("吴敏", "wu@x")
    )
    assert signed_in.event.actor == "吴敏" and signed_in.event.data["verified"] is True
    assert "satisfied" not in signed_in.request.spot_check_results["quality"]  # not reached: no opinion


@pytest.mark.parametrize(
    ("inputs", "field", "code"),
    [
        ({"actor": "吴敏"}, "reached", "required"),
        ({"actor": "吴敏", "reached": "perhaps"}, "reached", "required"),
        ({"actor": "吴敏", "reached": "yes"}, "satisfied", "required"),
        ({"reached": "no"}, "actor", "required"),
        ({"actor": "吴敏", "reached": "no", "note": "长" * 1001}, "note", "too_long"),
        ({"actor": "吴" * 81, "reached": "no"}, "actor", "too_long"),
    ],
)
def test_a_missing_or_refused_answer_names_its_field(inputs: dict[str, str], field: str, code: str) -> None:
    _, change = resolved()
    with pytest.raises(MissingInput) as missing:
        record(change.request, "quality", inputs, RESOLVED)
    assert (missing.value.field, missing.value.code) == (field, code)


def test_the_month_counts_drawn_recorded_reached_and_satisfied_by_office() -> None:
    result = {"reached": True, "satisfied": True}
    requests = [
        complaint(spot_checks=("quality", "general-manager"), spot_check_results={"quality": result}),
        complaint(spot_checks=("quality",), spot_check_results={"quality": {"reached": False}}),
        complaint(spot_checks=("quality",)),
        complaint(),
    ]
    figures = month_figures(requests)
    assert list(figures) == ["general-manager", "quality"]
    quality = figures["quality"]
    assert (quality.drawn, quality.recorded, quality.reached, quality.satisfied) == (3, 2, 1, 1)
    manager = figures["general-manager"]
    assert (manager.drawn, manager.recorded) == (1, 0)


def test_the_assignment_mail_carries_the_link_for_its_office_and_is_dropped_once_recorded() -> None:
    from lobby.settings import Settings
    from views.emails.events import write_event_mail

    settings = Settings(
        table_name="t",
        sender_email="desk@example.com",
        office_emails={office: f"{office}@example.com" for office in load_catalog(SOURCE_YAML).offices},
        site_url="https://lobby.example",
        signing_secret_parameter="/p",
    )
    catalog, change = resolved()
    signed: list[str] = []

    def signer(request: ServiceRequest, action: str) -> str:
        signed.append(action)
        return f"https://lobby.example/api/spot-checks/TOKEN-{action}"

    mail = write_event_mail(catalog, settings, change.request, change.event, "spot-check-quality", signer)
    assert mail is not None and mail.to == "quality@example.com"
    assert signed == ["spotcheck.quality"] and "TOKEN-spotcheck.quality" in mail.html
    assert "公司抽查回访" in mail.subject and "已修好" in mail.text
    done = record(change.request, "quality", {"actor": "吴敏", "reached": "no"}, RESOLVED).request
    assert write_event_mail(catalog, settings, done, change.event, "spot-check-quality", signer) is None
