"""Who handles a request and who hears of it when it escalates: the catalog's rules, not the code's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from msgspec.structs import replace

from lobby.catalog import SOURCE_YAML, CatalogError, load_catalog, parse_catalog, read_document
from lobby.escalation import escalation_office
from lobby.intake import office_for
from lobby.requests import ServiceRequest

CATALOG = load_catalog(SOURCE_YAML)


def complaint(about: str | None = None, office: str = "service-centre") -> ServiceRequest:
    return ServiceRequest(
        reference="20261125-0001",
        kind="complaint",
        office=office,
        status="received",
        lang="zh",
        fields={"category": "attitude", **({"about": about} if about else {})},
        received_at=datetime(2026, 11, 25, 2, tzinfo=UTC),
        acknowledge_due=None,
        resolve_due=None,
        catalog_version=CATALOG.catalog_version,
    )


@pytest.mark.parametrize("kind", ["complaint", "repair", "suggestion"])
def test_a_request_forwarded_by_a_government_body_goes_to_the_general_managers_office(kind: str) -> None:
    assert office_for(CATALOG, CATALOG.kinds[kind], "government") == "general-manager"  # 000 §5.6.2.5


@pytest.mark.parametrize("channel", ["web", "phone", "in_person", "letter"])
def test_other_channels_keep_the_kinds_office(channel: str) -> None:
    assert office_for(CATALOG, CATALOG.kinds["complaint"], channel) == "service-centre"
    assert office_for(CATALOG, CATALOG.kinds["repair"], channel) == "engineering"


def test_the_channel_rule_names_an_office_of_the_catalog() -> None:
    document = read_document(SOURCE_YAML)
    document["property"]["channel_offices"] = {"government": "mayor"}
    with pytest.raises(CatalogError, match=r"property\.channel_offices\.government: no office named 'mayor'"):
        parse_catalog(document)


def test_a_complaint_escalates_to_the_director_unless_it_is_about_the_director() -> None:
    assert escalation_office(CATALOG, complaint()) == "management"
    assert escalation_office(CATALOG, complaint("engineering")) == "management"
    assert escalation_office(CATALOG, complaint("management")) == "general-manager"  # above the director
    # Passed to the director's own office, it still goes above it.
    assert escalation_office(CATALOG, complaint("management", office="management")) == "general-manager"
    repair = replace(complaint(), kind="repair", office="engineering", fields={"size": "minor"})
    assert escalation_office(CATALOG, repair) == "management"


def test_the_about_field_must_offer_offices() -> None:
    document = read_document(SOURCE_YAML)
    document["kinds"]["complaint"]["fields"][1]["choices"]["mayor"] = {"zh": "市长", "en": "The mayor"}
    with pytest.raises(CatalogError, match=r"kinds\.complaint\.about_field"):
        parse_catalog(document)
