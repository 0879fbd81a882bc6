"""Reading through the API on an evaluated city: riders, scorecards, judgments, decisions,
notices, policies, KPI aggregates and the dispatch feed, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from riderperf.decisions.orm import Decision
from riderperf.storage.db import make_engine, unit_of_work
from tests.integration import test_api_support as support
from tests.integration.test_api_support import PERIOD, VERSION, City

# The shared fixtures, module-scoped: one prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client


def test_riders_are_searched_and_paged_with_personal_data_masked_by_role(
    client: TestClient, api_city: City
) -> None:
    page = client.get("/api/v1/riders?limit=5&offset=5", headers=api_city.headers("reviewer"))
    assert page.status_code == 200
    body = page.json()
    assert body["limit"] == 5 and body["offset"] == 5 and len(body["items"]) == 5
    assert body["total"] >= 160
    assert all(r["display_name"].startswith("M. S.") for r in body["items"])
    assert all(r["phone"].startswith("+55 ••• •••") for r in body["items"])
    full = client.get(f"/api/v1/riders/{api_city.rider_a}", headers=api_city.headers("admin"))
    assert full.json()["phone"].startswith("+55 11 98765")
    own = client.get(f"/api/v1/riders/{api_city.rider_a}", headers=api_city.headers("rider"))
    assert own.json() == full.json()
    found = client.get(
        f"/api/v1/riders?q={api_city.rider_a.lower()}", headers=api_city.headers("admin")
    ).json()
    assert [r["rider_id"] for r in found["items"]] == [api_city.rider_a]
    # Names cannot be searched by someone who only sees them masked.
    by_name = client.get("/api/v1/riders?q=souza", headers=api_city.headers("reviewer")).json()
    assert by_name["total"] == 0


def test_a_fleet_manager_lists_only_their_fleet_with_names_but_masked_phones(
    client: TestClient, api_city: City
) -> None:
    body = client.get("/api/v1/riders?limit=500", headers=api_city.headers("fleet_manager")).json()
    assert body["total"] == len(body["items"]) > 0
    assert {r["fleet_id"] for r in body["items"]} == {api_city.fleet_a}
    assert all(r["display_name"].startswith("Maria Souza") for r in body["items"])
    assert all("•••" in r["phone"] for r in body["items"])


def test_a_scorecard_carries_every_kpi_contribution_and_the_explanation(
    client: TestClient, api_city: City
) -> None:
    headers = api_city.headers("rider")
    latest = client.get(f"/api/v1/riders/{api_city.rider_a}/scorecard", headers=headers)
    assert latest.status_code == 200
    card = latest.json()
    assert card["period"] == PERIOD.label and card["policy_version"] == VERSION
    assert card["explanation"] and card["kpis"]
    total = sum(k["contribution"] or 0 for k in card["kpis"])
    assert abs(total - card["score"]) < 0.05
    by_period = client.get(
        f"/api/v1/riders/{api_city.rider_a}/scorecards/{PERIOD.label}", headers=headers
    )
    assert by_period.json() == card
    history = client.get(f"/api/v1/riders/{api_city.rider_a}/scorecards", headers=headers).json()
    assert [h["period"] for h in history] == [PERIOD.label]
    missing = client.get(f"/api/v1/riders/{api_city.rider_a}/scorecards/2025-W02", headers=headers)
    assert missing.status_code == 404
    bad = client.get(f"/api/v1/riders/{api_city.rider_a}/scorecards/2026-W99", headers=headers)
    assert bad.status_code == 404  # a well-formed label nobody evaluated


def test_a_period_lists_scorecards_filtered_by_tier(client: TestClient, api_city: City) -> None:
    headers = api_city.headers("ops_manager")
    page = client.get(f"/api/v1/scorecards?period={PERIOD.label}&limit=500", headers=headers)
    body = page.json()
    assert body["total"] == len(body["items"]) >= 100
    tier = body["items"][0]["tier"]
    same = client.get(f"/api/v1/scorecards?period={PERIOD.label}&tier={tier}", headers=headers)
    assert {s["tier"] for s in same.json()["items"]} == {tier}
    nothing = client.get("/api/v1/scorecards?period=2030-W01", headers=headers).json()
    assert nothing["total"] == 0
    wrong = client.get("/api/v1/scorecards?period=someday", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_request"


def test_judgments_give_the_responsible_party_minutes_and_a_plain_sentence(
    client: TestClient, api_city: City
) -> None:
    answer = client.get(
        f"/api/v1/riders/{api_city.rider_a}/judgments?period={PERIOD.label}",
        headers=api_city.headers("rider"),
    )
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert items, "a penalised rider has judged events"
    for item in items:
        assert item["explanation"] and item["party"] and item["rule"]
        assert set(item["minutes"]) == {
            "platform",
            "merchant",
            "force_majeure",
            "customer",
            "rider",
        }
        assert PERIOD.start.isoformat() <= item["occurred_at"][:10] < PERIOD.end.isoformat()
    late = client.get(
        f"/api/v1/riders/{api_city.rider_a}/judgments?period={PERIOD.label}&event=late",
        headers=api_city.headers("rider"),
    ).json()["items"]
    assert {i["event"] for i in late} <= {"late"}


def test_decisions_are_filtered_and_match_the_database(client: TestClient, api_city: City) -> None:
    headers = api_city.headers("admin")
    queue = client.get(
        "/api/v1/decisions?status=proposed&restricting=true&limit=500", headers=headers
    ).json()
    engine = make_engine(api_city.settings.app_database_url)
    with unit_of_work(engine) as session:
        proposed = set(
            session.scalars(select(Decision.decision_id).where(Decision.status == "proposed"))
        )
    engine.dispose()
    assert {d["decision_id"] for d in queue["items"]} == proposed
    assert all(
        d["kind"] in {"reduced_priority", "suspension", "deactivation"} for d in queue["items"]
    )
    own = client.get(f"/api/v1/decisions?rider_id={api_city.rider_a}", headers=headers).json()
    one = own["items"][0]
    shown = client.get(f"/api/v1/decisions/{one['decision_id']}", headers=headers).json()
    assert shown == one and shown["rule_id"] and shown["inputs"]


def test_notices_are_the_riders_own_in_their_language(client: TestClient, api_city: City) -> None:
    notices = client.get(
        f"/api/v1/riders/{api_city.rider_a}/notices", headers=api_city.headers("rider")
    ).json()
    assert notices and all(n["rider_id"] == api_city.rider_a for n in notices)
    assert all(n["title"] and n["body"] for n in notices)
    first = notices[0]["notice_id"]
    read = client.post(
        f"/api/v1/riders/{api_city.rider_a}/notices/{first}/read", headers=api_city.headers("rider")
    )
    assert read.status_code == 200 and read.json()["read_at"]


def test_policies_show_every_parameter_with_its_reference(
    client: TestClient, api_city: City
) -> None:
    listed = client.get("/api/v1/policies", headers=api_city.headers("rider")).json()
    assert VERSION in {p["version"] for p in listed}
    shown = client.get(f"/api/v1/policies/{VERSION}", headers=api_city.headers("rider")).json()
    assert shown["parameters"]
    for parameter in shown["parameters"]:
        assert parameter["description"] and parameter["reference"] and parameter["values"]
    assert client.get("/api/v1/policies/none", headers=api_city.headers("admin")).status_code == 404


def test_kpi_aggregates_cover_every_rider_once_per_grouping(
    client: TestClient, api_city: City
) -> None:
    totals = set()
    for grouping in ("zone", "city", "fleet", "capacity_type"):
        answer = client.get(
            f"/api/v1/kpis?period={PERIOD.label}&group_by={grouping}",
            headers=api_city.headers("trainer"),
        )
        assert answer.status_code == 200, answer.text
        groups = answer.json()["groups"]
        totals.add(sum(g["riders"] for g in groups))
        assert all("on_time_rate" in g["kpis"] for g in groups)
    assert len(totals) == 1
    unknown = client.get(
        "/api/v1/kpis?period=2030-W01&group_by=zone", headers=api_city.headers("admin")
    )
    assert unknown.status_code == 404


def test_the_dispatch_feed_lists_weights_that_differ_from_one(
    client: TestClient, api_city: City
) -> None:
    feed = client.get("/api/v1/dispatch/priority", headers=api_city.headers("ops_manager")).json()
    assert feed["default_weight"] == 1.0 and feed["items"]
    assert all(item["weight"] >= 0 for item in feed["items"])
    one = client.get(
        f"/api/v1/dispatch/priority?rider_id={api_city.rider_a}",
        headers=api_city.headers("ops_manager"),
    ).json()
    assert {i["rider_id"] for i in one["items"]} <= {api_city.rider_a}


def test_every_error_has_the_one_error_shape(client: TestClient, api_city: City) -> None:
    for status, answer in (
        (401, client.get("/api/v1/riders")),
        (403, client.get("/api/v1/imports", headers=api_city.headers("rider"))),
        (404, client.get("/api/v1/riders/nobody", headers=api_city.headers("admin"))),
        (404, client.get("/api/v1/nowhere", headers=api_city.headers("admin"))),
        (422, client.get("/api/v1/riders?limit=0", headers=api_city.headers("admin"))),
    ):
        assert answer.status_code == status
        error = answer.json()["error"]
        assert set(error) == {"code", "message", "details"} and error["message"]


def test_evaluations_are_listed_with_their_purpose_and_the_published_one(
    client: TestClient, api_city: City
) -> None:
    listed = client.get(
        f"/api/v1/evaluations?period={PERIOD.label}", headers=api_city.headers("admin")
    )
    assert listed.status_code == 200
    rows = listed.json()
    assert rows and {r["period"] for r in rows} == {PERIOD.label}
    assert [(r["purpose"], r["policy_version"]) for r in rows if r["published"]] == [
        ("official", VERSION)
    ]
    card = client.get(
        f"/api/v1/scorecards?period={PERIOD.label}", headers=api_city.headers("admin")
    )
    assert card.json()["evaluation_id"] == next(r["evaluation_id"] for r in rows if r["published"])
    refused = client.get("/api/v1/evaluations", headers=api_city.headers("rider"))
    assert refused.status_code == 403


def test_a_fleet_manager_reads_the_kpis_of_their_own_fleet_only(
    client: TestClient, api_city: City
) -> None:
    def groups(username: str, grouping: str) -> list[dict[str, Any]]:
        answer = client.get(
            f"/api/v1/kpis?period={PERIOD.label}&group_by={grouping}",
            headers=api_city.headers(username),
        )
        assert answer.status_code == 200, answer.text
        return list(answer.json()["groups"])

    everyone = {g["key"]: g for g in groups("ops_manager", "fleet")}
    own = groups("fleet_manager", "fleet")
    assert [g["key"] for g in own] == [api_city.fleet_a]
    assert own[0] == everyone[api_city.fleet_a]  # the same sums, values and rider count
    for grouping in ("zone", "city", "capacity_type"):
        assert sum(g["riders"] for g in groups("fleet_manager", grouping)) == own[0]["riders"]
    assert sum(g["riders"] for g in everyone.values()) > own[0]["riders"]
