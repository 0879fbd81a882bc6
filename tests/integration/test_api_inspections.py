"""On-site inspections through the API: recording with a photo (inspectors and admins only,
as themselves), templates, plans and estimates, and who may read which inspection."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riderperf.clock import fixed_clock
from riderperf.inspections.photos import photo_folder, stored_photo_path
from riderperf.server import create_app
from tests.integration import test_api_support as support
from tests.integration.test_api_support import NOW, PASSWORD, City

# The shared fixtures, module-scoped: one prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client

PHOTO = b"\xff\xd8\xff\xe0" + b"helmet hanging from the handlebar" * 30
PASSING = {
    "helmet": "worn_fastened",
    "reflective_gear": True,
    "box_condition": "intact",
    "box_hygiene": "pass",
    "uniform": "pass",
    "id_and_licence": "valid",
    "service_script": "followed",
    "safe_riding": "safe",
}
PERIOD_NOW = "2026-W03"  # the week of the app's clock (12 January 2026)


def record(
    client: TestClient, city: City, rider_id: str, user: str = "inspector", **answers: Any
) -> Any:
    return client.post(
        "/api/v1/inspections",
        data={"rider_id": rider_id, "results": json.dumps(PASSING | answers)},
        headers=city.headers(user),
    )


@pytest.fixture(scope="module")
def failed_helmet(client: TestClient, api_city: City) -> dict[str, Any]:
    """Rider A stopped with an unfastened helmet, photographed."""
    answer = client.post(
        "/api/v1/inspections",
        data={
            "rider_id": api_city.rider_a,
            "results": json.dumps(PASSING | {"helmet": "worn_unfastened"}),
            "place": "Rua Augusta",
            "notes": "stopped outside the market",
            "photo_items": ["helmet"],
        },
        files=[("photos", ("helmet.jpg", PHOTO, "image/jpeg"))],
        headers=api_city.headers("inspector"),
    )
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_an_inspector_records_a_failed_helmet_with_a_photo_and_its_due_date(
    api_city: City, failed_helmet: dict[str, Any]
) -> None:
    assert failed_helmet["inspector"] == "inspector"
    assert failed_helmet["rider_id"] == api_city.rider_a
    assert failed_helmet["template"] == "rider-standard@1"
    assert failed_helmet["failed_items"] == ["helmet"]
    assert failed_helmet["nonconforming"] is True
    assert 0 < failed_helmet["score"] < 1
    helmet = next(r for r in failed_helmet["results"] if r["item_code"] == "helmet")
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert helmet["passed"] is False and helmet["photo_sha256"] == sha
    assert stored_photo_path(photo_folder(api_city.settings), sha).read_bytes() == PHOTO
    [action] = failed_helmet["corrective_actions"]
    assert action["item_code"] == "helmet" and action["severity"] == "critical"
    assert action["due_on"] == (NOW.date() + timedelta(days=2)).isoformat()
    assert action["status"] == "open" and action["overdue"] is False


def test_only_inspectors_and_admins_may_record_an_inspection(
    client: TestClient, api_city: City
) -> None:
    for user in ("ops_manager", "reviewer", "trainer", "fleet_manager", "rider"):
        refused = record(client, api_city, api_city.rider_b, user)
        assert refused.status_code == 403, user
        assert refused.json()["error"]["code"] == "forbidden"
    anonymous = client.post(
        "/api/v1/inspections", data={"rider_id": api_city.rider_b, "results": "{}"}
    )
    assert anonymous.status_code == 401
    by_admin = record(client, api_city, api_city.rider_b, "admin")
    assert by_admin.status_code == 201 and by_admin.json()["inspector"] == "admin"


def test_a_signed_in_inspector_must_send_the_csrf_token(client: TestClient, api_city: City) -> None:
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": "inspector", "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    data = {"rider_id": api_city.rider_b, "results": json.dumps(PASSING)}
    forged = client.post("/api/v1/inspections", data=data)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    token = signed_in.json()["csrf_token"]
    sent = client.post("/api/v1/inspections", data=data, headers={"X-CSRF-Token": token})
    client.cookies.clear()
    assert sent.status_code == 201, sent.text


def test_wrong_answers_are_refused_each_by_name_and_nothing_is_stored(
    client: TestClient, api_city: City
) -> None:
    before = client.get("/api/v1/inspections?limit=500", headers=api_city.headers("admin"))
    wrong = record(client, api_city, api_city.rider_b, helmet="yes", tyre_tread_mm="deep")
    assert wrong.status_code == 422
    problems = wrong.json()["error"]["details"]
    assert any("helmet" in p for p in problems) and any("tyre_tread_mm" in p for p in problems)
    for results in ("not json", "[1, 2]"):
        broken = client.post(
            "/api/v1/inspections",
            data={"rider_id": api_city.rider_b, "results": results},
            headers=api_city.headers("inspector"),
        )
        assert broken.status_code == 422 and "results" in broken.json()["error"]["message"]
    unknown = record(client, api_city, "R-nobody")
    assert unknown.status_code == 404
    after = client.get("/api/v1/inspections?limit=500", headers=api_city.headers("admin"))
    assert after.json()["total"] == before.json()["total"]


def test_a_rider_reads_only_their_own_inspections(
    client: TestClient, api_city: City, failed_helmet: dict[str, Any]
) -> None:
    other = record(client, api_city, api_city.rider_b)
    assert other.status_code == 201
    mine = api_city.headers("rider")
    listed = client.get("/api/v1/inspections?limit=500", headers=mine).json()
    assert {i["rider_id"] for i in listed["items"]} == {api_city.rider_a}
    own = client.get(f"/api/v1/inspections/{failed_helmet['inspection_id']}", headers=mine)
    assert own.status_code == 200 and own.json()["failed_items"] == ["helmet"]
    hidden = client.get(f"/api/v1/inspections/{other.json()['inspection_id']}", headers=mine)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    asked = client.get(f"/api/v1/inspections?rider_id={api_city.rider_b}", headers=mine)
    assert asked.json()["total"] == 0
    actions = client.get("/api/v1/corrective-actions", headers=mine).json()["items"]
    assert actions and {a["rider_id"] for a in actions} == {api_city.rider_a}


def test_a_fleet_manager_reads_only_their_fleets_inspections(
    client: TestClient, api_city: City
) -> None:
    own = record(client, api_city, api_city.fleet_rider, box_hygiene="fail")
    foreign = record(client, api_city, api_city.other_fleet_rider, box_hygiene="fail")
    assert own.status_code == foreign.status_code == 201
    manager = api_city.headers("fleet_manager")
    listed = client.get(f"/api/v1/inspections?period={PERIOD_NOW}", headers=manager).json()
    assert listed["total"] >= 1
    assert api_city.fleet_rider in {i["rider_id"] for i in listed["items"]}
    assert api_city.other_fleet_rider not in {i["rider_id"] for i in listed["items"]}
    url = f"/api/v1/inspections/{foreign.json()['inspection_id']}"
    assert client.get(url, headers=manager).status_code == 404
    actions = client.get("/api/v1/corrective-actions?limit=500", headers=manager).json()
    assert api_city.other_fleet_rider not in {a["rider_id"] for a in actions["items"]}
    earlier = client.get("/api/v1/inspections?period=2025-W40", headers=manager).json()
    assert earlier["total"] == 0


def test_staff_read_the_published_checklist_with_its_items(
    client: TestClient, api_city: City, failed_helmet: dict[str, Any]
) -> None:
    listed = client.get("/api/v1/inspection-templates", headers=api_city.headers("trainer"))
    assert [t["template_id"] for t in listed.json()] == ["rider-standard"]
    detail = client.get(
        "/api/v1/inspection-templates/rider-standard", headers=api_city.headers("inspector")
    ).json()
    assert detail["status"] == "published" and detail["reinspection_days"]["critical"] == 2
    helmet = next(i for i in detail["items"] if i["code"] == "helmet")
    assert helmet["kind"] == "choice" and helmet["passing"] == ["worn_fastened"]
    missing = client.get(
        "/api/v1/inspection-templates/no-such", headers=api_city.headers("inspector")
    )
    assert missing.status_code == 404


def test_an_operations_manager_plans_the_week_and_staff_read_it_with_estimates(
    client: TestClient, api_city: City
) -> None:
    made = client.post(
        f"/api/v1/inspection-plans/{PERIOD_NOW}",
        json={"budget": 12, "seed": 7},
        headers=api_city.headers("ops_manager"),
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["seed"] == 7 and plan["sample_size"] == 12 and plan["created_by"] == "ops_manager"
    drawn = [s for lot in plan["lots"] for s in lot["selected"]]
    assert len(drawn) == 12 and all(0 < s["inclusion_probability"] <= 1 for s in drawn)
    read = client.get(
        f"/api/v1/inspection-plans/{PERIOD_NOW}", headers=api_city.headers("inspector")
    ).json()
    assert plan["plan_id"] in [p["plan_id"] for p in read["plans"]]
    refused = client.post(
        f"/api/v1/inspection-plans/{PERIOD_NOW}", json={}, headers=api_city.headers("inspector")
    )
    assert refused.status_code == 403
    hidden = client.get(f"/api/v1/inspection-plans/{PERIOD_NOW}", headers=api_city.headers("rider"))
    assert hidden.status_code == 403
    estimates = client.get(
        f"/api/v1/inspection-plans/{PERIOD_NOW}/estimates", headers=api_city.headers("admin")
    ).json()
    assert estimates["period"] == PERIOD_NOW and estimates["sample_sizes"]["planned"] >= 12
    unknown_zone = client.post(
        f"/api/v1/inspection-plans/{PERIOD_NOW}",
        json={"zone": "Z-nowhere"},
        headers=api_city.headers("admin"),
    )
    assert unknown_zone.status_code == 404


@pytest.fixture
def later(api_city: City) -> Iterator[TestClient]:
    """The app five days on: the failed helmet's two days have passed."""
    app = create_app(api_city.settings, clock=fixed_clock(NOW + timedelta(days=5)))
    with TestClient(app) as opened:
        yield opened


def test_an_action_not_put_right_in_time_is_listed_as_overdue(
    later: TestClient, api_city: City, failed_helmet: dict[str, Any]
) -> None:
    overdue = later.get(
        "/api/v1/corrective-actions?overdue=true&limit=500", headers=api_city.headers("inspector")
    ).json()
    ids = {a["action_id"] for a in overdue["items"]}
    assert failed_helmet["corrective_actions"][0]["action_id"] in ids
    assert all(a["overdue"] and a["status"] == "open" for a in overdue["items"])
