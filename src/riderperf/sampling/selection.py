"""Decides which riders of a lot are inspected: a fixed-size πps sample whose inclusion
probabilities rise with risk, with a purely random share so every rider can be drawn.

Design: randomized systematic πps (Goodman & Kish 1950; Hartley & Rao 1962). Each rider's
size is a mixture `(1 - a) · risk_i / Σ risk + a / N` of their risk and an equal share `a`
(the policy's random share); the inclusion probability is `π_i = n · size_i`, capped at 1
by the usual iteration (capped riders are taken with certainty, the rest of the sample is
spread over the others in proportion to their size). The frame is put in a random order,
then a systematic sample with a random start selects exactly `n` riders. Whatever the
order, every rider is selected with probability exactly π_i, and the random order makes the
design one of high entropy, for which the variance approximations of `estimates.py` hold.
A fixed seed and the same frame give the same sample.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy is imported by the functions that draw: the web server imports this module with
# the sampling service, and a worker must start without loading numpy.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Drawn:
    """One selected unit: its index in the frame, π, and its place in the systematic order."""

    index: int
    inclusion_probability: float
    draw_order: int


def inclusion_probabilities(risk: Sequence[float], n: int, random_share: float) -> list[float]:
    """π_i of a fixed-size sample of `n` from units of size `risk` mixed with an equal share.

    The probabilities add up to `n` (to rounding); with `n` at least the frame size every
    unit gets 1. Risks must be finite and not negative; all-zero risks give equal chances.
    """
    import numpy as np

    count = len(risk)
    if n < 0:
        raise ValueError(f"a sample size cannot be negative ({n})")
    if not 0.0 <= random_share <= 1.0:
        raise ValueError(f"the random share must be between 0 and 1, not {random_share}")
    if count == 0 or n == 0:
        return [0.0] * count
    if n >= count:
        return [1.0] * count
    values = np.asarray(risk, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("risk scores must be finite numbers of at least 0")
    total = values.sum()
    share = values / total if total > 0 else np.full(count, 1.0 / count)
    size = (1.0 - random_share) * share + random_share / count
    pi = np.zeros(count)
    certain = np.zeros(count, dtype=bool)
    while True:
        left = n - certain.sum()
        free = ~certain
        pi[free] = left * size[free] / size[free].sum()
        over = free & (pi >= 1.0 - _TOLERANCE)
        if not over.any():
            break
        certain |= over  # iterate: the cap moves sample to the others
        pi[certain] = 1.0
    return [float(p) for p in pi]


def systematic_pps(pi: Sequence[float], rng: np.random.Generator) -> list[Drawn]:
    """A randomized systematic sample: random order, then one random start and unit steps
    along the cumulated π. Selects round(Σπ) units, each with probability π_i."""
    import numpy as np

    values = np.asarray(pi, dtype=float)
    if values.size == 0:
        return []
    n = round(float(values.sum()))
    if abs(values.sum() - n) > 1e-6:
        raise ValueError(f"inclusion probabilities must add up to a whole number ({values.sum()})")
    order = rng.permutation(values.size)
    cumulated = np.concatenate([[0.0], np.cumsum(values[order])])
    cumulated *= n / cumulated[-1] if cumulated[-1] > 0 else 1.0
    start = float(rng.random())
    points = start + np.arange(n)
    # unit k of the order is taken when a point falls in [cumulated[k], cumulated[k+1]).
    slots = np.searchsorted(cumulated, points, side="right") - 1
    drawn: list[Drawn] = []
    for rank, slot in enumerate(slots.tolist()):
        slot = min(max(slot, 0), values.size - 1)
        index = int(order[slot])
        drawn.append(Drawn(index, float(values[index]), rank))
    return drawn


def draw_sample(
    risk: Sequence[float], n: int, *, random_share: float, seed: int, stream: str
) -> tuple[list[float], list[Drawn]]:
    """π for every unit and the drawn units, reproducible from (`seed`, `stream`).

    `stream` (a zone id, for instance) gives each lot its own random numbers from one seed,
    so adding a zone to a plan does not change the riders drawn in the others.
    """
    import numpy as np

    pi = inclusion_probabilities(risk, n, random_share)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream_key(stream)])))
    return pi, systematic_pps(pi, rng)


def stream_key(stream: str) -> int:
    """A stable 63-bit number for a text (Python's hash() changes between runs)."""
    digest = hashlib.sha256(stream.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def allocate_budget(sizes: Sequence[int], budget: int) -> list[int]:
    """Splits `budget` over lots in proportion to their standard sample sizes (largest
    remainders), never giving a lot more than its standard size."""
    total = sum(sizes)
    if budget >= total:
        return list(sizes)
    if budget <= 0 or total == 0:
        return [0] * len(sizes)
    quotas = [budget * s / total for s in sizes]
    given = [min(math.floor(q), s) for q, s in zip(quotas, sizes, strict=True)]
    rest = budget - sum(given)
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-(quotas[i] - given[i]), i))
    for i in by_remainder:
        if rest == 0:
            break
        if given[i] < sizes[i]:
            given[i] += 1
            rest -= 1
    return given
