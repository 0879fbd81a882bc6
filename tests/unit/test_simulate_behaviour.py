"""The planted behaviours and truth of a simulated city are visible in its data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest

from riderperf.common import canonical as schema
from riderperf.simulate import SimulationParams, simulate_city

START = date(2026, 1, 5)
PARAMS = SimulationParams()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A week of a 500-rider city, one view per table plus truth and per-order minutes."""
    out = tmp_path_factory.mktemp("city")
    simulate_city(riders=500, days=7, seed=11, start=START, out=out, fmt="parquet")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in schema.TABLES:
        con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM '{out}/{table.name}.parquet'")
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{out}/truth/orders.csv')")
    con.execute(f"CREATE VIEW archetypes AS SELECT * FROM read_csv('{out}/truth/riders.csv')")
    speed = " ".join(f"WHEN '{v}' THEN {s}" for v, (_, s, _) in PARAMS.vehicle_table.items())
    slow = " ".join(f"WHEN '{w}' THEN {row[1]}" for w, row in PARAMS.weather_table.items())
    con.execute(
        f"""CREATE VIEW o AS SELECT orders.*, a.archetype, t.event, t.cause, r.vehicle,
            epoch(accepted_at - created_at) / 60 AS dispatch_min,
            epoch(picked_up_at - merchant_ready_at) / 60 AS after_ready_min,
            epoch(delivered_at - arrived_customer_at) / 60 AS door_min,
            epoch(arrived_customer_at - picked_up_at) / 60 AS travel_min,
            (distance_km / CASE r.vehicle {speed} END * 60 + 2)
                * CASE weather {slow} END AS expected_travel_min
        FROM orders LEFT JOIN truth t USING (order_id)
        LEFT JOIN riders r USING (rider_id) LEFT JOIN archetypes a USING (rider_id)"""
    )
    yield con
    con.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_truth_lists_exactly_the_late_and_cancelled_orders(db: duckdb.DuckDBPyConnection) -> None:
    expected = """SELECT order_id, CASE WHEN status = 'cancelled' THEN 'cancelled' ELSE 'late' END
        FROM orders WHERE status = 'cancelled' OR delivered_at > promised_at"""
    assert (
        one(db, f"SELECT count(*) FROM (({expected}) EXCEPT (SELECT order_id, event FROM truth))")
        == 0
    )
    assert (
        one(db, f"SELECT count(*) FROM ((SELECT order_id, event FROM truth) EXCEPT ({expected}))")
        == 0
    )
    assert one(db, "SELECT count(*) - count(DISTINCT order_id) FROM truth") == 0
    assert one(db, "SELECT count(*) FROM truth WHERE event = 'late'") > 100


def test_every_rider_has_one_archetype_and_most_are_ordinary_or_reliable(
    db: duckdb.DuckDBPyConnection,
) -> None:
    assert one(db, "SELECT count(*) FROM riders") == one(
        db, "SELECT count(DISTINCT rider_id) FROM archetypes JOIN riders USING (rider_id)"
    )
    plain = one(db, "SELECT avg((archetype IN ('ordinary', 'reliable'))::int) FROM archetypes")
    assert plain > 0.7
    assert one(db, "SELECT count(DISTINCT archetype) FROM archetypes") == len(schema.ARCHETYPES)


def test_chronically_late_riders_cause_far_more_lateness_than_reliable_ones(
    db: duckdb.DuckDBPyConnection,
) -> None:
    share = dict(
        db.execute(
            """SELECT archetype, avg((cause = 'rider' AND event = 'late')::int)
            FROM o WHERE status = 'delivered' GROUP BY archetype"""
        ).fetchall()
    )
    assert share["chronically_late"] > 5 * share["reliable"]
    assert share["chronically_late"] > 3 * share["ordinary"]


def test_each_late_cause_shows_in_the_timeline(db: duckdb.DuckDBPyConnection) -> None:
    late = "FROM o WHERE event = 'late' AND cause"
    merchant = f"SELECT count(*) {late} = 'merchant' AND NOT (merchant_ready_at > arrived_store_at"
    assert one(db, merchant + " AND after_ready_min BETWEEN 0 AND 3)") == 0
    assert one(db, f"SELECT count(*) {late} = 'platform' AND dispatch_min <= 3") == 0
    assert one(db, f"SELECT median(dispatch_min) {late} = 'platform'") > 8
    assert one(db, f"SELECT count(*) {late} = 'customer' AND door_min <= 3") == 0
    assert one(db, f"SELECT count(*) {late} = 'force_majeure' AND weather = 'clear'") == 0
    assert one(db, f"SELECT count(*) {late} = 'rider' AND travel_min <= expected_travel_min") == 0
    assert one(db, "SELECT count(DISTINCT cause) FROM o WHERE event = 'late'") >= 5


def test_cancellations_name_the_party_really_at_fault(db: duckdb.DuckDBPyConnection) -> None:
    pairs = set(
        db.execute(
            "SELECT cancel_initiator, cancel_reason, cause FROM o WHERE status = 'cancelled'"
        ).fetchall()
    )
    assert ("merchant", "rider_no_show", "rider") in pairs
    assert ("platform", "no_rider_available", "platform") in pairs
    assert ("rider", "customer_unreachable", "customer") in pairs
    assert ("customer", "customer_waited_too_long", "platform") in pairs
    assert ("customer", "customer_waited_too_long", "merchant") in pairs
    assert one(db, "SELECT count(*) FROM o WHERE status = 'cancelled' AND event IS NULL") == 0
    never_accepted = "FROM o WHERE status = 'cancelled' AND accepted_at IS NULL"
    assert one(db, f"SELECT count(*) {never_accepted} AND rider_id IS NOT NULL") == 0
    assert one(db, f"SELECT count(*) {never_accepted}") > 0


def test_accepted_offer_goes_to_the_orders_rider(db: duckdb.DuckDBPyConnection) -> None:
    accepted = db.execute(
        """SELECT count(*), count(DISTINCT f.order_id),
            sum((f.rider_id <> o.rider_id OR o.rider_id IS NULL)::int),
            sum((f.responded_at <> o.accepted_at)::int)
        FROM offers f JOIN orders o USING (order_id) WHERE f.response = 'accepted'"""
    ).fetchone()
    with_rider = one(db, "SELECT count(*) FROM orders WHERE rider_id IS NOT NULL")
    assert accepted == (with_rider, with_rider, 0, 0)
    declined = one(db, "SELECT avg((response <> 'accepted')::int) FROM offers")
    assert 0.1 < declined < 0.6


def test_newcomers_join_during_the_period_and_ride_only_after_joining(
    db: duckdb.DuckDBPyConnection,
) -> None:
    newcomers = f"FROM riders WHERE joined_on > DATE '{START}'"
    assert one(db, f"SELECT count(*) {newcomers}") > 0
    early = f"""SELECT count(*) FROM orders JOIN riders r USING (rider_id)
        WHERE r.joined_on > DATE '{START}' AND created_at::DATE < r.joined_on"""
    assert one(db, early) == 0
    assert one(db, f"SELECT count(*) FROM orders WHERE rider_id IN (SELECT rider_id {newcomers})")


def test_orders_peak_at_lunch_and_dinner_local_time(db: duckdb.DuckDBPyConnection) -> None:
    offset = PARAMS.utc_offset_hours
    by_hour = dict(
        db.execute(
            f"""SELECT hour(created_at + INTERVAL {offset} HOUR), count(*) FROM orders
            GROUP BY ALL"""
        ).fetchall()
    )
    assert by_hour[12] > 2 * by_hour[15] and by_hour[19] > 2 * by_hour[15]
    assert min(by_hour) >= PARAMS.first_shift_hour


def test_promises_follow_distance_within_bounds(db: duckdb.DuckDBPyConnection) -> None:
    low, high = one(
        db,
        "SELECT [min(m), max(m)] FROM (SELECT epoch(promised_at - created_at) / 60 m FROM orders)",
    )
    assert low >= 25 and high <= 55
    assert one(db, "SELECT corr(distance_km, epoch(promised_at - created_at)) FROM orders") > 0.8


def test_late_deliveries_get_fewer_stars_and_more_late_complaints(
    db: duckdb.DuckDBPyConnection,
) -> None:
    stars = dict(
        db.execute(
            """SELECT coalesce(o.event = 'late', false), avg(stars)
            FROM ratings JOIN o USING (order_id) WHERE source = 'customer' GROUP BY 1"""
        ).fetchall()
    )
    assert stars[False] - stars[True] > 0.5
    complaints = dict(
        db.execute(
            """SELECT coalesce(o.event = 'late', false), avg((c.order_id IS NOT NULL)::int) FROM o
            LEFT JOIN (SELECT DISTINCT order_id FROM complaints WHERE category = 'late') c
            USING (order_id) WHERE o.status = 'delivered' GROUP BY 1"""
        ).fetchall()
    )
    assert complaints[True] > 10 * complaints[False] > 0


def _rate(db: duckdb.DuckDBPyConnection, sql: str, archetype: str) -> tuple[float, float]:
    """(archetype's rate, everyone else's) of a per-order 0/1 expression."""
    rows = dict(
        db.execute(
            f"SELECT archetype = '{archetype}', avg(({sql})::int) FROM o "
            f"WHERE status = 'delivered' GROUP BY 1"
        ).fetchall()
    )
    return rows[True], rows[False]


def test_rude_riders_draw_rude_complaints(db: duckdb.DuckDBPyConnection) -> None:
    rude = "order_id IN (SELECT order_id FROM complaints WHERE category = 'rude')"
    mine, others = _rate(db, rude, "rude")
    assert mine > 5 * others


def test_reckless_riders_have_more_road_incidents(db: duckdb.DuckDBPyConnection) -> None:
    road = """order_id IN (SELECT order_id FROM incidents
        WHERE kind IN ('speeding', 'traffic_violation', 'accident'))"""
    mine, others = _rate(db, road, "reckless")
    assert mine > 5 * others


def test_gear_neglecting_riders_miss_gear_and_let_documents_expire(
    db: duckdb.DuckDBPyConnection,
) -> None:
    per_rider = dict(
        db.execute(
            """SELECT a.archetype = 'gear_neglecting',
                count(i.incident_id) / count(DISTINCT a.rider_id)
            FROM archetypes a LEFT JOIN incidents i ON i.rider_id = a.rider_id
                AND i.kind IN ('helmet_missing', 'equipment_missing')
            GROUP BY 1"""
        ).fetchall()
    )
    assert per_rider[True] > 3 * per_rider[False]
    expired = dict(
        db.execute(
            f"""SELECT a.archetype = 'gear_neglecting',
                avg((d.expires_on < DATE '{START}' + 7)::int)
            FROM documents d JOIN archetypes a USING (rider_id) GROUP BY 1"""
        ).fetchall()
    )
    assert expired[True] > 3 * expired[False]


def test_fraud_rings_fake_fast_deliveries_for_shared_customers(
    db: duckdb.DuckDBPyConnection,
) -> None:
    implausible = "(arrived_customer_at IS NULL OR distance_km / (travel_min / 60) > 60)"
    mine, others = _rate(db, implausible, "fraud_ring")
    assert mine > 0.1 and others < 0.005
    shared = one(
        db,
        """SELECT count(*) FROM (SELECT customer_id FROM o WHERE archetype = 'fraud_ring'
        GROUP BY customer_id HAVING count(DISTINCT rider_id) >= 2 AND count(*) >= 5)""",
    )
    assert shared > 0
    flagged = """order_id IN (SELECT order_id FROM complaints WHERE category = 'fraud'
        UNION SELECT order_id FROM incidents WHERE kind = 'fraud_signal')"""
    mine, others = _rate(db, flagged, "fraud_ring")
    assert mine > 10 * others


def test_city_has_zones_fleets_weather_and_several_vehicles(
    db: duckdb.DuckDBPyConnection,
) -> None:
    assert one(db, "SELECT count(DISTINCT fleet_id) FROM riders") > 1
    assert one(db, "SELECT count(DISTINCT zone_id) FROM orders") == len(PARAMS.zone_weights)
    assert one(db, "SELECT count(DISTINCT vehicle) FROM riders") == len(schema.VEHICLES)
    assert one(db, "SELECT count(DISTINCT language) FROM riders") == len(PARAMS.language_mix)
    near, far = one(
        db,
        """SELECT [avg(distance_km) FILTER (zone_id = 'Z01'),
            avg(distance_km) FILTER (zone_id = 'Z08')] FROM orders""",
    )
    assert far > 1.5 * near
    local_day = f"(created_at + INTERVAL {PARAMS.utc_offset_hours} HOUR)::DATE"
    assert (
        one(
            db,
            f"SELECT max(n) FROM (SELECT count(DISTINCT weather) n FROM orders "
            f"GROUP BY {local_day})",
        )
        == 1
    )
