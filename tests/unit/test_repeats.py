"""The matter of a request (place and item) and the window its repeats are looked for in (lobby.repeats)."""

from __future__ import annotations

from datetime import UTC, datetime

from lobby.catalog import load_catalog
from lobby.repeats import matter, place_key, window_start
from lobby.requests import ServiceRequest

RECEIVED = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def request(kind: str = "repair", **fields: str) -> ServiceRequest:
    return ServiceRequest(
        reference="20261110-0001",
        kind=kind,
        office="engineering",
        status="received",
        lang="zh",
        fields={"building": "3栋", "unit": "1502", "category": "water", **fields},
        received_at=RECEIVED,
        acknowledge_due=None,
        resolve_due=None,
        catalog_version="test",
    )


def test_a_flat_matter_is_its_flat_and_item_a_shared_place_its_building_whoever_reported_it() -> None:
    catalog = load_catalog()
    assert place_key(catalog, request()) == place_key(catalog, request(building="3 栋"))  # spaces
    assert place_key(catalog, request()) != place_key(catalog, request(unit="1503"))
    assert place_key(catalog, request()) != place_key(catalog, request(category="electricity"))
    lift = place_key(catalog, request(category="lift"))
    assert lift == place_key(catalog, request(category="lift", unit="0101"))
    assert lift != place_key(catalog, request(category="lift", building="4栋"))
    assert matter(request(category="lift"), frozenset({"lift"})) == ("3栋", "", "lift")


def test_only_kinds_that_count_repeats_and_name_a_place_are_indexed() -> None:
    catalog = load_catalog()
    assert place_key(catalog, request("consultation")) is None
    assert place_key(catalog, request(building="", unit="")) is None
    assert place_key(catalog, request("complaint")) != place_key(catalog, request())


def test_the_window_starts_on_the_first_of_the_month_two_before_in_local_time() -> None:
    catalog = load_catalog()
    assert window_start(catalog, RECEIVED) == datetime(2026, 8, 31, 16, 0, tzinfo=UTC)  # 1 Sept, Shanghai
    # 1 January 00:30 in Shanghai is still 31 December in UTC: the window is the local one.
    assert window_start(catalog, datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == datetime(
        2026, 10, 31, 16, 0, tzinfo=UTC
    )
