"""Decides the one or two changes that would raise a rider's score the most, in plain words.

The gain of a KPI is what reaching its target would add: `1000 × weight × (1 − normalised)`.
The two largest gains of at least one point are kept (registry order breaks ties). The
sentence names the rider's own value and the target; when the rider's own value already
meets the target and only the small number of orders holds the KPI back (shrinkage toward
the peers), the sentence says that keeping it up over more orders is what counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from riderperf.metrics.registry import Kpi
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


def improvements(
    kpis: Mapping[str, KpiScore], rules: ScoringRules, most: int = MOST
) -> list[Improvement]:
    # Gains first, sentences only for the ones kept: an evaluation runs this for every rider.
    found: list[tuple[float, int, str, KpiScore]] = []
    for order, (name, score) in enumerate(kpis.items()):
        if score.weight <= 0 or math.isnan(score.normalised):
            continue
        gain = SCORE_POINTS * score.weight * (1.0 - score.normalised)
        if gain >= MINIMUM_GAIN:
            found.append((-gain, order, name, score))
    found.sort(key=lambda item: (item[0], item[1]))
    kept = []
    for negative_gain, _, name, score in found[:most]:
        gain = -negative_gain
        rule = rules.rules[name]
        current = score.shrunk if math.isnan(score.rate) else score.rate
        sentence = _sentence(rule.kpi, current, rule.target, gain, score.den)
        kept.append(Improvement(name, round(gain, 2), current, rule.target, sentence))
    return kept


def _sentence(kpi: Kpi, current: float, target: float, gain: float, volume: float) -> str:
    points = f"about {max(1, round(gain))} point{'s' if round(gain) != 1 else ''}"
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
