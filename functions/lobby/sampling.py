"""Which work orders get a follow-up visit (回访) when a kind is sampled rather than covered in full.

Seed 002 sets the monthly sample by the month's work-order count:

    派工单 20 张以下 → a fixed 5;  20–50 → 30 %;  50–100 → 15 %;  100 张以上 → a fixed 20.

The seed's bands share their end points (20, 50 and 100 each belong to two bands), and
they are not monotonic (30 % of 50 is 15, 15 % of 51 is 8). Lobby settles the shared
points by one principle: a count that sits on a boundary gets the LARGER of the two
samples, because the seed's figure is a minimum of quality checking, not a quota.
That gives, exactly:

    0            → 0
    1 – 19       → 5, or every work order when there are fewer than 5
    20 – 50      → 30 %, rounded up      (20 → 6, 50 → 15)
    51 – 99      → 15 %, rounded up      (51 → 8, 99 → 15)
    100 and more → 20                    (100 → 20: 15 % of 100 would be only 15)

Percentages round UP: a fraction of a visit is a visit, so the share visited is never
below the seed's rate. The sample never exceeds the number of work orders.

The choice itself is fair and reproducible: each reference is ranked by
HMAC-SHA256(seed, reference) and the lowest ``n`` are chosen. For a given seed the
ranking is a fixed pseudo-random permutation, so the same inputs always give the same
sample, and over seeds every subset of size ``n`` (hence every reference, with chance
n/N) is equally likely. The seed is derived from a secret (``sampling_seed``), so
nobody doing the work can tell in advance which jobs will be visited.

Pure Python: no AWS.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from lobby.policy import (
    FIXED_LARGE,
    FIXED_SMALL,
    HIGH_BAND_PERCENT,
    LARGE_FROM,
    LOW_BAND_FROM,
    LOW_BAND_PERCENT,
    LOW_BAND_TO,
)


def _percent_rounded_up(count: int, percent: int) -> int:
    return -(-count * percent // 100)  # integer ceiling: no float rounding at the boundaries


def sample_size(work_orders: int) -> int:
    """How many of a month's ``work_orders`` of a sampled kind must be followed up (see the module doc)."""
    if work_orders < 0:
        raise ValueError("a work-order count cannot be negative")
    if work_orders < LOW_BAND_FROM:
        return min(FIXED_SMALL, work_orders)
    if work_orders <= LOW_BAND_TO:
        return _percent_rounded_up(work_orders, LOW_BAND_PERCENT)
    if work_orders < LARGE_FROM:
        return _percent_rounded_up(work_orders, HIGH_BAND_PERCENT)
    return FIXED_LARGE


def _rank(seed: str, reference: str) -> bytes:
    return hmac.new(seed.encode(), reference.encode(), hashlib.sha256).digest()


def choose_sample(references: Iterable[str], n: int, seed: str) -> set[str]:
    """The ``n`` references (all of them, if fewer) that rank lowest under ``seed``; order of input is irrelevant."""
    if n < 0:
        raise ValueError("a sample size cannot be negative")
    distinct = sorted(set(references))
    ranked = sorted(distinct, key=lambda reference: (_rank(seed, reference), reference))
    return set(ranked[:n])


def sampling_seed(secret: bytes, property_id: str, kind: str, month: str) -> str:
    """The seed of one kind's sample for one month: reproducible by whoever holds the secret, by nobody else."""
    message = f"follow-up-sample:{property_id}:{kind}:{month}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def decide_sample(references: Iterable[str], seed: str) -> dict[str, bool]:
    """Every reference of a month's population, chosen (True) or not (False), the sample sized by the seed's rule."""
    population = sorted(set(references))
    chosen = choose_sample(population, sample_size(len(population)), seed)
    return {reference: reference in chosen for reference in population}


def draw_spot_checks(rates: dict[str, int], reference: str, resolved_at: datetime) -> tuple[str, ...]:
    """The offices that spot-check this request's follow-up (抽查, seed 000 §5.5), drawn when it is resolved.

    Each office draws on its own with its percent: the request is checked when a hash of the office, the
    reference and the instant of resolution falls below that share. Decided at resolution, so a check is
    assigned while the follow-up is still due, never found overdue when drawn; nobody resolving a request
    can choose the instant to the microsecond, so nobody can steer it.
    """
    drawn = []
    for office, percent in sorted(rates.items()):
        message = f"spot-check:{office}:{reference}:{resolved_at.isoformat()}".encode()
        share = int.from_bytes(hashlib.sha256(message).digest()[:8], "big") % 10_000
        if share < percent * 100:
            drawn.append(office)
    return tuple(drawn)
