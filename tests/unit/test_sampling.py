"""Follow-up sampling (seed 002): how many work orders a month are visited, and which ones.

The boundary table is written out by hand from the seed's bands and the rule documented in
``lobby.sampling`` (a shared boundary takes the larger sample; percentages round up).
"""

from __future__ import annotations

from collections import Counter

import pytest

from lobby.sampling import choose_sample, decide_sample, sample_size, sampling_seed

# work orders in the month → follow-up visits required
BOUNDARY_TABLE = [
    (0, 0),
    (1, 1),  # fewer than 5 work orders: every one
    (4, 4),
    (5, 5),
    (6, 5),
    (19, 5),  # 20张以下: a fixed 5
    (20, 6),  # 20 sits in two bands: 30 % (6) beats the fixed 5
    (21, 7),  # 6.3 rounds up
    (30, 9),
    (33, 10),  # 9.9 rounds up
    (34, 11),  # 10.2 rounds up
    (49, 15),  # 14.7 rounds up
    (50, 15),  # 50 sits in two bands: 30 % (15) beats 15 % (8)
    (51, 8),  # 7.65 rounds up: the seed's bands drop here
    (60, 9),
    (66, 10),  # 9.9 rounds up
    (67, 11),  # 10.05 rounds up
    (99, 15),  # 14.85 rounds up
    (100, 20),  # 100 sits in two bands: the fixed 20 beats 15 % (15)
    (101, 20),  # 100张以上: a fixed 20
    (1000, 20),
]


@pytest.mark.parametrize(("work_orders", "visits"), BOUNDARY_TABLE)
def test_sample_size_follows_the_seed_bands(work_orders: int, visits: int) -> None:
    assert sample_size(work_orders) == visits


def test_the_sample_is_never_more_than_the_work_orders_nor_less_than_five_of_them() -> None:
    for work_orders in range(0, 300):
        size = sample_size(work_orders)
        assert 0 <= size <= work_orders
        assert size >= min(5, work_orders)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        sample_size(-1)
    with pytest.raises(ValueError, match="negative"):
        choose_sample(["20261101-0001"], -1, "seed")


REFERENCES = [f"202611{day:02d}-{n:04d}" for day in range(1, 4) for n in range(1, 5)]  # 12 references


def test_the_same_inputs_give_the_same_sample_whatever_their_order() -> None:
    first = choose_sample(REFERENCES, 4, "seed-a")
    assert len(first) == 4
    assert first <= set(REFERENCES)
    assert choose_sample(list(reversed(REFERENCES)), 4, "seed-a") == first
    assert choose_sample([*REFERENCES, *REFERENCES], 4, "seed-a") == first  # duplicates count once


def test_a_larger_sample_extends_the_smaller_one() -> None:
    """The ranking is fixed per seed: asking for one more visit adds one request and drops none."""
    for n in range(len(REFERENCES)):
        assert choose_sample(REFERENCES, n, "seed-a") < choose_sample(REFERENCES, n + 1, "seed-a")


def test_asking_for_more_than_there_are_takes_them_all_and_zero_takes_none() -> None:
    assert choose_sample(REFERENCES[:3], 5, "seed-a") == set(REFERENCES[:3])
    assert choose_sample(REFERENCES, 0, "seed-a") == set()
    assert choose_sample([], 5, "seed-a") == set()


def test_different_seeds_choose_different_samples() -> None:
    samples = {frozenset(choose_sample(REFERENCES, 4, f"seed-{i}")) for i in range(50)}
    assert len(samples) > 40  # there are 495 possible samples of 4 out of 12


def test_every_reference_is_equally_likely_to_be_chosen_over_seeds() -> None:
    """12 references, 4 visits, 6,000 seeds: each is chosen about 6000 × 4/12 = 2,000 times.

    The seeds are fixed, so the counts are too; ±10 % is over five standard deviations (36.5) of a
    fair draw, so only a biased ranking fails this.
    """
    seeds = 6000
    chosen = Counter(
        reference for i in range(seeds) for reference in choose_sample(REFERENCES, 4, f"2026-11/{i}")
    )
    expected = seeds * 4 / len(REFERENCES)
    assert set(chosen) == set(REFERENCES)
    for reference in REFERENCES:
        assert 0.9 * expected <= chosen[reference] <= 1.1 * expected, (reference, chosen[reference])


def test_the_first_reference_is_not_favoured_by_the_sort_order() -> None:
    """The lowest and highest references (first and last in any sort) are chosen as often as the rest."""
    firsts = sum(REFERENCES[0] in choose_sample(REFERENCES, 1, f"s{i}") for i in range(3600))
    lasts = sum(REFERENCES[-1] in choose_sample(REFERENCES, 1, f"s{i}") for i in range(3600))
    assert 240 <= firsts <= 360  # expected 300
    assert 240 <= lasts <= 360


def test_the_seed_depends_on_the_secret_the_kind_and_the_month() -> None:
    seed = sampling_seed(b"secret-one", "harbour-view", "repair", "2026-11")
    assert seed == sampling_seed(b"secret-one", "harbour-view", "repair", "2026-11")
    assert len(seed) == 64
    others = {
        sampling_seed(b"secret-two", "harbour-view", "repair", "2026-11"),
        sampling_seed(b"secret-one", "harbour-view", "paid-service", "2026-11"),
        sampling_seed(b"secret-one", "harbour-view", "repair", "2026-12"),
        sampling_seed(b"secret-one", "other-estate", "repair", "2026-11"),
    }
    assert seed not in others
    assert len(others) == 4


def test_deciding_a_month_marks_every_work_order_chosen_or_not() -> None:
    population = [f"202611{day:02d}-0001" for day in range(1, 26)]  # 25 work orders → 30 % → 8
    decisions = decide_sample(population, "seed-a")
    assert set(decisions) == set(population)
    assert sum(decisions.values()) == 8
    assert {ref for ref, chosen in decisions.items() if chosen} == choose_sample(population, 8, "seed-a")


# the company's spot checks (抽查), drawn at resolution ----------------------------------------------------
def test_spot_checks_are_drawn_at_each_offices_rate_and_reproducibly() -> None:
    from datetime import UTC, datetime, timedelta

    from lobby.sampling import draw_spot_checks

    rates = {"quality": 10, "general-manager": 3}
    start = datetime(2026, 11, 2, 1, tzinfo=UTC)
    draws = [
        draw_spot_checks(rates, f"20261102-{n:04d}", start + timedelta(minutes=n)) for n in range(1, 4001)
    ]
    quality = sum("quality" in drawn for drawn in draws) / len(draws)
    general = sum("general-manager" in drawn for drawn in draws) / len(draws)
    assert 0.085 < quality < 0.115 and 0.02 < general < 0.04  # 10 % and 3 %, within sampling noise
    assert draw_spot_checks(rates, "20261102-0001", start) == draw_spot_checks(rates, "20261102-0001", start)
    assert draw_spot_checks({"quality": 100}, "20261102-0001", start) == ("quality",)
    assert draw_spot_checks({}, "20261102-0001", start) == ()


def test_the_seeds_rates_are_in_the_catalog() -> None:
    from lobby.catalog import SOURCE_YAML, load_catalog

    kinds = load_catalog(SOURCE_YAML).kinds
    assert kinds["complaint"].follow_up.spot_checks == {
        "quality": 10,
        "general-manager": 3,
    }  # 000 §5.5.1, §5.5.3
    assert kinds["help"].follow_up.spot_checks == {"quality": 1, "general-manager": 3}  # 000 §5.5.2
    assert all(
        kind.follow_up.spot_checks.get("general-manager") == 3
        for kind in kinds.values()
        if kind.follow_up.coverage != "none"
    )
