"""Published scorecards: score, tier, every KPI's contribution and the explanation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel, Field


class KpiContribution(BaseModel):
    name: str
    num: float | None = None
    den: float | None = None
    rate: float | None = Field(None, description="The rider's own value; null without data.")
    peer_rate: float | None = None
    shrunk: float | None = Field(None, description="The value the score uses.")
    normalised: float | None = None
    weight: float | None = None
    contribution: float | None = Field(None, description="Score points this KPI earns.")


class ImprovementRead(BaseModel):
    kpi: str
    gain: float
    current: float | None = None
    target: float | None = None
    sentence: str


class ScorecardSummary(BaseModel):
    rider_id: str
    period: str
    evaluation_id: str
    policy_version: str
    status: str
    score: float | None = None
    tier: str | None = None
    previous_tier: str | None = None


class ScorecardRead(ScorecardSummary):
    policy_date: str | None = None
    capacity_type: str | None = None
    city: str | None = None
    orders: int | None = None
    explanation: str | None = Field(None, description="Why this tier, in plain words.")
    kpis: list[KpiContribution]
    improvements: list[ImprovementRead]


class ScorecardPage(BaseModel):
    period: str
    evaluation_id: str | None = None
    items: list[ScorecardSummary]
    total: int
    limit: int
    offset: int


def _fields(model: type[BaseModel]) -> tuple[tuple[str, type | None], ...]:
    """Each field of `model` with the number type pydantic turns its value into (float or
    int: a stored 30 of a float field is answered 30.0), None for the others."""
    kinds = []
    for name, field in model.model_fields.items():
        shown = str(field.annotation)
        kinds.append((name, float if "float" in shown else int if "int" in shown else None))
    return tuple(kinds)


_SUMMARY_FIELDS = tuple(ScorecardSummary.model_fields)
_CARD_FIELDS = tuple(
    (name, kind)
    for name, kind in _fields(ScorecardRead)
    if name in ("policy_date", "capacity_type", "city", "orders")
)
_KPI_FIELDS = _fields(KpiContribution)
_IMPROVEMENT_FIELDS = _fields(ImprovementRead)


def _as(kind: type | None, value: Any) -> Any:
    if kind is float and type(value) is int:
        return float(value)
    if kind is int and type(value) is float and value.is_integer():
        return int(value)
    return value


def _pick(data: Mapping[str, Any], fields: tuple[tuple[str, type | None], ...]) -> dict[str, Any]:
    return {name: _as(kind, data.get(name)) for name, kind in fields}


def scorecard_json(row: Mapping[Any, Any], card: Mapping[str, Any] | None) -> bytes:
    """The JSON of `ScorecardRead` for a stored scorecard, written by orjson straight from
    the row (`evaluation.published.CARD_COLUMNS`) and the card (`Scorecard.as_dict()`'s
    form, `evaluation.cards`): the keys of the models in their order, missing ones null,
    unknown ones left out, numbers of the models' types. Building the models and dumping
    them took a fifth of a scorecard read's time; tests/unit/test_scorecard_json.py holds
    this to what the models write."""
    card = card or {}
    answer = {name: row[name] for name in _SUMMARY_FIELDS}
    answer |= _pick(card, _CARD_FIELDS)
    answer["explanation"] = row["explanation"]
    answer["kpis"] = [_pick(kpi, _KPI_FIELDS) for kpi in (card.get("kpis") or {}).values()]
    answer["improvements"] = [_pick(i, _IMPROVEMENT_FIELDS) for i in card.get("improvements") or []]
    return orjson.dumps(answer)
