"""Decides the one or two changes that would raise a rider's score the most, in plain words.

The gain of a KPI is what reaching its target would add: `1000 × weight × (1 − normalised)`,
at most the most points one KPI can cost (`scoring.most_points_one_kpi_costs`, see score.py).
The two largest gains of at least one point are kept (registry order breaks ties). The
sentence names the rider's own value and the target; when the rider's own value already
meets the target and only the small number of orders holds the KPI back (shrinkage toward
the peers), the sentence says that keeping it up over more orders is what counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from riderperf.metrics.registry import KPI_BY_NAME, Kpi
from riderperf.metrics.rules import ScoringRules
from riderperf.metrics.score import SCORE_POINTS
from riderperf.metrics.scorecard import Improvement, KpiScore

MOST = 2
MINIMUM_GAIN = 1.0  # points; less is not worth a rider's attention


def format_value(kpi: Kpi, value: float, unit: bool = True) -> str:
    """A KPI value as a rider reads it: 86%, 0.4%, 4.35 stars, 1.2 per 100 orders."""
    if kpi.unit == "share":
        percent = 100 * value
        digits = 0 if abs(percent - round(percent)) < 0.05 else 1
        return f"{percent:.{digits}f}%"
    number = f"{value:.2f}" if kpi.unit == "stars" else f"{value:.1f}"
    return f"{number} {kpi.unit}" if unit else number


def top_gains(
    weight: npt.NDArray[np.float64],
    normalised: npt.NDArray[np.float64],
    most: int = MOST,
    cap: float | None = None,
) -> tuple[list[list[int]], list[list[float]]]:
    """For every row (a rider) of `weight` and `normalised` (riders × KPIs in registry
    order): the columns of the `most` largest gains of at least MINIMUM_GAIN, largest
    first, the earlier KPI first on a tie, and their gains. A row with fewer such KPIs
    has -1 in the columns left over; `cap` bounds each gain. One numpy pass for every rider
    of an evaluation."""
    with np.errstate(invalid="ignore"):
        gain = SCORE_POINTS * weight * (1.0 - normalised)
        if cap is not None:
            gain = np.minimum(gain, cap)
        kept = (weight > 0) & ~np.isnan(normalised) & (gain >= MINIMUM_GAIN)
    order = np.argsort(np.where(kept, -gain, np.inf), axis=1, kind="stable")[:, :most]
    found = np.take_along_axis(kept, order, axis=1)
    columns = np.where(found, order, -1)
    return columns.tolist(), np.take_along_axis(gain, order, axis=1).tolist()


def improvement(score: KpiScore, gain: float, rules: ScoringRules) -> Improvement:
    """The change of one KPI with its `gain` (from `top_gains`), in plain words."""
    current = score.shrunk if math.isnan(score.rate) else score.rate
    target, shown = float(rules.rules[score.name].target), round(gain, 2)
    words = sentence(score.name, current, target, shown, score.den)
    return Improvement(score.name, shown, current, target, words)


def sentence(name: str, current: float, target: float, gain: float, volume: float) -> str:
    """The plain words of an improvement of KPI `name` (see the module's docstring)."""
    return _sentence(KPI_BY_NAME[name], current, target, gain, volume)


def improvements(
    kpis: Mapping[str, KpiScore], rules: ScoringRules, most: int = MOST
) -> list[Improvement]:
    """The `most` changes that would raise one rider's score the most."""
    scores = list(kpis.values())
    columns, gains = top_gains(
        np.array([[k.weight for k in scores]], dtype=float),
        np.array([[k.normalised for k in scores]], dtype=float),
        most,
        rules.most_points_one_kpi_costs,
    )
    return [
        improvement(scores[j], gain, rules)
        for j, gain in zip(columns[0], gains[0], strict=True)
        if j >= 0
    ]


def _sentence(kpi: Kpi, current: float, target: float, gain: float, volume: float) -> str:
    # Half up, from the gain as shown (0.01 points): a gain shown as 4.5 is "about 5".
    whole = max(1, math.floor(gain + 0.5))
    points = f"about {whole} point{'s' if whole != 1 else ''}"
    goal = format_value(kpi, target)
    meets = current >= target if kpi.direction == "higher" else current <= target
    if meets:
        bound = "or better" if kpi.direction == "higher" else "or lower"
        return (
            f"Keep your {kpi.label} at {goal} {bound} to gain {points} as your record grows: "
            f"with {int(volume)} {kpi.grain}{'s' if int(volume) != 1 else ''} so far, it still "
            "counts partly as your peers' average."
        )
    verb = "Raise" if kpi.direction == "higher" else "Lower"
    now = format_value(kpi, current, unit=False)
    return f"{verb} your {kpi.label} from {now} to {goal} to gain {points}."
