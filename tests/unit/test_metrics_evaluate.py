"""The scoring use case end to end on a small warehouse: scorecards, export rows, JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date

import pytest

from riderperf.common.periods import parse_period
from riderperf.metrics.daily import build_daily_facts
from riderperf.metrics.evaluate import evaluate_scores, scorecards_frame
from riderperf.metrics.improve import improvements
from riderperf.metrics.registry import KPIS
from riderperf.metrics.rules import ScoringRules
from riderperf.metrics.scorecard import Scorecard
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.warehouse.connection import Warehouse, connect
from tests.unit.test_metrics_rows import Activity, Rows

WEEK = parse_period("2026-W45")


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    rows = Rows()
    rows.rider("BUSY")
    rows.document("BUSY", "id", date(2030, 1, 1))
    rows.activity(
        "BUSY",
        Activity(WEEK.start, delivered=60, late={"rider": 3}, ratings={5: 8, 2: 2}, declined=5),
    )
    rows.rider("CROWD", capacity_type="crowdsourced")
    rows.activity("CROWD", Activity(WEEK.start, delivered=30, ratings={4: 3}, expired=30))
    rows.rider("QUIET")  # worked the week before only
    rows.activity("QUIET", Activity(date(2026, 10, 27), delivered=40))
    rows.rider("GONE")  # no data at all, no previous tier
    w = connect(None)
    rows.write(w)
    build_daily_facts(w, date(2026, 10, 26), WEEK.end, "test-1")
    yield w
    w.close()


def evaluate(w: Warehouse, previous: dict[str, str]) -> dict[str, Scorecard]:
    params = load_policy(default_policy_folder()).at(WEEK.start)
    cards = evaluate_scores(w, WEEK, params, "test-1", previous, WEEK.end)
    return {c.rider_id: c for c in cards}


def test_riders_with_data_or_a_previous_tier_get_a_scorecard(warehouse: Warehouse) -> None:
    cards = evaluate(warehouse, {"QUIET": "silver"})
    assert sorted(cards) == ["BUSY", "CROWD", "QUIET"]
    quiet = cards["QUIET"]
    assert (quiet.status, quiet.tier, quiet.orders) == ("insufficient_data", "silver", 0)


def test_a_scorecard_explains_itself_and_is_json_ready(warehouse: Warehouse) -> None:
    busy = evaluate(warehouse, {})["BUSY"]
    data = busy.as_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["period"] == "2026-W45"
    assert data["policy_version"] == "test-1"
    assert data["policy_date"] == "2026-11-02"
    assert set(data["kpis"]) == {k.name for k in KPIS if k.available}
    on_time = data["kpis"]["on_time_rate"]
    assert (on_time["num"], on_time["den"], on_time["rate"]) == (57, 60, 0.95)
    assert round(sum(k["contribution"] for k in data["kpis"].values()), 2) == data["score"]
    assert 1 <= len(data["improvements"]) <= 2
    assert data["improvements"][0]["sentence"].endswith("points.")


def test_every_card_names_the_improvements_of_its_own_kpis(warehouse: Warehouse) -> None:
    """The evaluation picks improvements for all riders at once; one rider's KPIs alone
    give the same ones."""
    rules = ScoringRules.from_params(load_policy(default_policy_folder()).at(WEEK.start))
    cards = evaluate(warehouse, {"QUIET": "silver"})
    assert any(card.improvements for card in cards.values())
    for card in cards.values():
        assert card.improvements == improvements(card.kpis, rules)


def test_crowdsourced_riders_are_not_scored_on_declined_or_expired_offers(
    warehouse: Warehouse,
) -> None:
    crowd = evaluate(warehouse, {})["CROWD"]
    acceptance = crowd.kpis["acceptance_rate"]
    assert acceptance.rate == 0.5
    assert (acceptance.weight, acceptance.contribution) == (0.0, 0.0)
    assert "acceptance_rate" not in [i.kpi for i in crowd.improvements]


def test_export_has_one_row_per_rider_with_each_kpis_value_and_counts(
    warehouse: Warehouse,
) -> None:
    params = load_policy(default_policy_folder()).at(WEEK.start)
    cards = evaluate_scores(warehouse, WEEK, params, "test-1", {}, WEEK.end)
    frame = scorecards_frame(cards)
    assert frame["rider_id"].tolist() == ["BUSY", "CROWD"]
    for column in ("score", "tier", "status", "on_time_rate", "on_time_rate_num"):
        assert column in frame.columns
    assert frame.loc[0, "on_time_rate_den"] == 60
    assert frame.loc[0, "score"] == cards[0].score


def test_scorecard_as_dict_is_json_ready_and_equals_the_deep_conversion() -> None:
    import dataclasses
    import json
    import math

    from riderperf.metrics.scorecard import Improvement, KpiScore, Scorecard

    kpi = KpiScore("on_time_rate", 9, 10, 0.9, math.nan, 0.95, 0.5, 0.3, 150.0)
    card = Scorecard(
        "R1",
        "2026-W02",
        "default",
        "2026-01-05",
        "full_time",
        "Dubai",
        "ranked",
        math.nan,
        None,
        None,
        "no score",
        10,
        {"on_time_rate": kpi},
        [Improvement("on_time_rate", 10.0, 0.9, 0.95, "Ride faster.")],
    )

    def clean(v: object) -> object:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return None if isinstance(v, float) and math.isnan(v) else v

    assert card.as_dict() == clean(dataclasses.asdict(card))
    assert json.loads(json.dumps(card.as_dict()))["kpis"]["on_time_rate"]["peer_rate"] is None


def test_the_card_table_gives_back_every_card_as_scored(warehouse: Warehouse) -> None:
    """Scoring writes the card table column by column; a card read from its row (or from
    the table after a trip through Parquet, as the app database stores it) is the card
    built from the same numbers, NaN included."""
    from riderperf.metrics.card_table import CardRows, from_parquet, to_parquet
    from riderperf.metrics.evaluate import rider_window, score_window

    params = load_policy(default_policy_folder()).at(WEEK.start)
    previous = {"QUIET": "silver"}
    window = rider_window(warehouse, WEEK, "test-1", previous)
    table = score_window(window, params, WEEK, "test-1", previous, WEEK.end)
    cards = evaluate(warehouse, previous)
    assert any(
        math.isnan(c.score) or math.isnan(k.rate) for c in cards.values() for k in c.kpis.values()
    )
    assert any(c.improvements for c in cards.values())
    for rows in (CardRows(table), CardRows(from_parquet(to_parquet(table)))):
        assert rows.riders == sorted(cards)
        for rider, i in rows.index.items():
            assert json.dumps(rows.card_dict(i)) == json.dumps(cards[rider].as_dict())
            assert rows.card(i).as_dict() == cards[rider].as_dict()
            shrunk = cards[rider].kpis["on_time_rate"].shrunk
            found = rows.kpi_number(i, "on_time_rate", "shrunk")
            assert found == shrunk or (math.isnan(found) and math.isnan(shrunk))
            assert math.isnan(rows.kpi_number(i, "no_such_kpi", "shrunk"))


def test_cards_stored_as_json_convert_to_the_same_table(warehouse: Warehouse) -> None:
    """What migration 0014 does with the cards an older release stored as JSON: the table
    built from them reads back the same cards, improvement sentences included."""
    from riderperf.metrics.card_table import CardRows, table_from_cards

    cards = evaluate(warehouse, {"QUIET": "silver"})
    stored = [json.loads(json.dumps(c.as_dict())) for c in reversed(list(cards.values()))]
    rows = CardRows(table_from_cards(stored))
    assert [rows.card(i).as_dict() for i in range(len(rows))] == [
        cards[r].as_dict() for r in sorted(cards)
    ]
