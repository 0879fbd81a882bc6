"""The scorecard API writes `ScorecardRead` with orjson straight from the stored row and the
card (`api.schemas.scorecards.scorecard_json`); it must answer exactly what building the
models from the same row and card answers."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from riderperf.api.schemas.scorecards import (
    ImprovementRead,
    KpiContribution,
    ScorecardRead,
    scorecard_json,
)

ROW = {
    "rider_id": "R0000001",
    "period": "2026-W02",
    "evaluation_id": "ev-1",
    "policy_version": "v1",
    "status": "ranked",
    "score": 812.5,
    "tier": "silver",
    "previous_tier": None,
    "explanation": "A score of 812.5 is in silver.",
}


def through_the_models(row: dict[str, Any]) -> dict[str, Any]:
    """The answer as the route built it before: the models, filled from the row and card."""
    data: dict[str, Any] = json.loads(row["card"]) if row["card"] else {}
    row = {k: v for k, v in row.items() if k != "card"}
    kpis = [
        KpiContribution(**{k: v for k, v in kpi.items() if k in KpiContribution.model_fields})
        for kpi in data.get("kpis", {}).values()
    ]
    summary = {k: row[k] for k in ScorecardRead.model_fields if k in row and k != "explanation"}
    model = ScorecardRead(
        **summary,
        policy_date=data.get("policy_date"),
        capacity_type=data.get("capacity_type"),
        city=data.get("city"),
        orders=data.get("orders"),
        explanation=row["explanation"],
        kpis=kpis,
        improvements=[ImprovementRead(**i) for i in data.get("improvements", [])],
    )
    return json.loads(model.model_dump_json())


def stored(card: dict[str, Any] | None) -> dict[str, Any]:
    """The row the route reads, with the card as JSON text (as a client would see it)."""
    text = None if card is None else orjson.dumps(card).decode()
    return ROW | {"card": text}


def written_for(row: dict[str, Any]) -> bytes:
    """What the route writes for the row and its card."""
    card = json.loads(row["card"]) if row["card"] else None
    return scorecard_json({k: v for k, v in row.items() if k != "card"}, card)


def test_a_full_card_is_written_as_the_models_write_it() -> None:
    card = {
        "rider_id": "R0000001",
        "policy_date": "2026-01-05",
        "capacity_type": "full_time",
        "city": "Lisbon",
        "orders": 32,
        "tier_reason": "kept out of the answer",
        "kpis": {
            "on_time_rate": {"name": "on_time_rate", "num": 30.0, "den": 32.0, "rate": 0.9375,
                             "peer_rate": 0.95, "shrunk": 0.94, "normalised": 0.8,
                             "weight": 1 / 7, "contribution": 114.29, "extra": "left out"},
            "complaint_rate": {"name": "complaint_rate", "rate": None},
        },
        "improvements": [{"kpi": "on_time_rate", "gain": 12.5, "current": 0.94,
                          "target": 0.97, "sentence": "Deliver 1 more order on time.",
                          "extra": 1}],
    }  # fmt: skip
    written = json.loads(written_for(stored(card)))
    assert written == through_the_models(stored(card))
    assert list(written) == list(ScorecardRead.model_fields)
    assert list(written["kpis"][1]) == list(KpiContribution.model_fields)


def test_a_card_without_kpis_or_improvements_has_empty_lists() -> None:
    empty: tuple[dict[str, Any] | None, ...] = ({}, None, {"kpis": {}, "improvements": []})
    for card in empty:
        written = json.loads(written_for(stored(card)))
        assert written == through_the_models(stored(card))
        assert written["kpis"] == [] and written["improvements"] == []


numbers = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False), st.integers(-5, 5))
kpi = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=8)},
    optional={name: numbers for name in KpiContribution.model_fields if name != "name"},
)
improvement = st.fixed_dictionaries(
    {"kpi": st.text(max_size=8), "gain": st.floats(allow_nan=False, allow_infinity=False),
     "sentence": st.text(max_size=20)},
    optional={"current": numbers, "target": numbers},
)  # fmt: skip
cards = st.fixed_dictionaries(
    {"kpis": st.dictionaries(st.text(min_size=1, max_size=8), kpi, max_size=4),
     "improvements": st.lists(improvement, max_size=3)},
    optional={"policy_date": st.none() | st.just("2026-01-05"), "city": st.none() | st.text(),
              "capacity_type": st.none() | st.just("part_time"),
              "orders": st.none() | st.integers(0, 500)},
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(cards, st.none() | st.floats(0, 1000))
def test_any_stored_card_is_written_as_the_models_write_it(
    card: dict[str, Any], score: float | None
) -> None:
    row = stored(card) | {"score": score}
    written = json.loads(written_for(row))
    expected = through_the_models(row)
    assert written == expected
    assert written_for(row) == orjson.dumps(expected)  # 3 and 3.0 are equal, not the same
