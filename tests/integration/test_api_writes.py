"""Changing things through the API: approving restrictions, the whole appeal with evidence
and its re-evaluation, imports with rejects, and policy validation."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from riderperf.cases.evidence import evidence_path
from riderperf.policy import default_policy_folder
from tests.integration import test_api_support as support
from tests.integration.test_api_support import PERIOD, City

# The shared fixtures, module-scoped: one prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client

PNG = b"\x89PNG\r\n\x1a\n" + b"photo of the closed restaurant door" * 20


def proposed(client: TestClient, city: City) -> list[dict[str, str]]:
    answer = client.get(
        "/api/v1/decisions?status=proposed&restricting=true&limit=500",
        headers=city.headers("admin"),
    )
    items: list[dict[str, str]] = answer.json()["items"]
    return items


def test_an_operations_manager_approves_a_restriction_once(
    client: TestClient, api_city: City
) -> None:
    decision = proposed(client, api_city)[0]["decision_id"]
    url = f"/api/v1/decisions/{decision}/approve"
    body = {"reason": "the fraud complaints were checked by hand"}
    approved = client.post(url, json=body, headers=api_city.headers("ops_manager"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "in_effect"
    assert approved.json()["approved_by"] == "ops_manager"
    assert approved.json()["version"] == 2
    again = client.post(url, json=body, headers=api_city.headers("admin"))
    assert again.status_code == 409, again.text
    assert "already in effect: approved by ops_manager at" in again.json()["error"]["message"]
    rejected = client.post(
        f"/api/v1/decisions/{decision}/reject", json=body, headers=api_city.headers("admin")
    )
    assert rejected.status_code == 409, rejected.text
    assert "approved by ops_manager at" in rejected.json()["error"]["message"]
    stale = client.post(
        f"/api/v1/decisions/{proposed(client, api_city)[0]['decision_id']}/approve",
        json=body | {"expected_version": 7},
        headers=api_city.headers("admin"),
    )
    assert stale.status_code == 409 and "you had version 7" in stale.json()["error"]["message"]
    blank = client.post(
        f"/api/v1/decisions/{proposed(client, api_city)[0]['decision_id']}/approve",
        json={"reason": "   "},
        headers=api_city.headers("admin"),
    )
    assert blank.status_code == 422


def test_a_rejected_restriction_never_takes_effect(client: TestClient, api_city: City) -> None:
    decision = proposed(client, api_city)[-1]["decision_id"]
    rejected = client.post(
        f"/api/v1/decisions/{decision}/reject",
        json={"reason": "the complaint was about another rider"},
        headers=api_city.headers("admin"),
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def appealable_decision(client: TestClient, city: City, rider: str = "rider") -> str:
    rider_id = city.rider_a if rider == "rider" else city.rider_b
    decisions = client.get(
        f"/api/v1/decisions?rider_id={rider_id}&status=in_effect", headers=city.headers(rider)
    ).json()["items"]
    return next(d["decision_id"] for d in decisions if d["offence"] and d["appeal_deadline"])


def test_a_rider_appeals_with_evidence_and_a_reviewer_overturns_it(
    client: TestClient, api_city: City
) -> None:
    decision = appealable_decision(client, api_city)
    rider, reviewer = api_city.headers("rider"), api_city.headers("reviewer")
    submitted = client.post(
        "/api/v1/cases",
        data={"subject_id": decision, "statement": "The restaurant was closed; see the photo."},
        files=[("evidence", ("door.png", PNG, "image/png"))],
        headers=rider,
    )
    assert submitted.status_code == 201, submitted.text
    case = submitted.json()
    assert case["rider_id"] == api_city.rider_a and case["status"] == "submitted"
    assert case["sla"]["first_response"] == "on_track"
    sha = case["evidence"][0]["sha256"]
    download = client.get(f"/api/v1/cases/{case['case_id']}/evidence/{sha}", headers=reviewer)
    assert download.status_code == 200 and download.content == PNG
    twice = client.post(
        "/api/v1/cases", data={"subject_id": decision, "statement": "again"}, headers=rider
    )
    assert twice.status_code == 409

    url = f"/api/v1/cases/{case['case_id']}"
    moved = client.post(f"{url}/move", json={"to": "under_review"}, headers=reviewer)
    assert moved.status_code == 200 and moved.json()["status"] == "under_review"
    asked = client.post(
        f"{url}/move", json={"to": "waiting_on_rider", "note": "Receipt?"}, headers=reviewer
    )
    assert asked.json()["sla"]["paused"] is True
    answered = client.post(
        f"{url}/respond",
        data={"text": "Here is the receipt."},
        files=[("evidence", ("receipt.txt", b"receipt 42", "text/plain"))],
        headers=rider,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "under_review" and len(answered.json()["evidence"]) == 2
    stale = client.post(
        f"{url}/decide",
        json={"outcome": "upheld", "reason": "x", "expected_version": 1},
        headers=reviewer,
    )
    assert stale.status_code == 409

    decided = client.post(
        f"{url}/decide",
        json={"outcome": "overturned", "reason": "The photo shows it was closed."},
        headers=reviewer,
    )
    assert decided.status_code == 200, decided.text
    result = decided.json()
    assert result["outcome"] == "overturned" and result["decided_by"] == "reviewer"
    assert result["reevaluation"]["status"] in {"done", "not_needed"}
    late = client.post(
        f"{url}/decide",
        json={"outcome": "upheld", "reason": "no"},
        headers=api_city.headers("ops_manager"),
    )
    assert late.status_code == 409
    shown = client.get(url, headers=rider).json()
    actions = [event["action"] for event in shown["timeline"]]
    assert actions[0] == "case.submitted" and "case.decided" in actions
    original = client.get(f"/api/v1/decisions/{decision}", headers=rider).json()
    assert original["status"] == "overturned"


def test_an_overturned_judgment_is_evaluated_again(client: TestClient, api_city: City) -> None:
    rider = api_city.headers("rider")
    judgments = client.get(
        f"/api/v1/riders/{api_city.rider_a}/judgments?period={PERIOD.label}", headers=rider
    ).json()["items"]
    blamed = next(j for j in judgments if j["party"] == "rider")
    case = client.post(
        "/api/v1/cases",
        data={"subject_id": blamed["event_id"], "statement": "The customer moved the pin."},
        headers=rider,
    ).json()
    assert case["subject_type"] == "judgment", case
    reviewer = api_city.headers("reviewer")
    url = f"/api/v1/cases/{case['case_id']}"
    client.post(f"{url}/move", json={"to": "under_review"}, headers=reviewer)
    decided = client.post(
        f"{url}/decide",
        json={"outcome": "overturned", "reason": "The pin was moved."},
        headers=reviewer,
    ).json()
    assert decided["reevaluation"]["status"] == "done", decided
    assert PERIOD.label in {p["period"] for p in decided["reevaluation"]["periods"]}
    again = client.get(
        f"/api/v1/riders/{api_city.rider_a}/judgments?period={PERIOD.label}", headers=rider
    ).json()["items"]
    settled = next(j for j in again if j["event_id"] == blamed["event_id"])
    assert settled["party"] != "rider"


def test_a_rider_cannot_appeal_for_someone_else(client: TestClient, api_city: City) -> None:
    others = appealable_decision(client, api_city, "rider_b")
    refused = client.post(
        "/api/v1/cases",
        data={"subject_id": others, "statement": "mine"},
        headers=api_city.headers("rider"),
    )
    assert refused.status_code == 404


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


RIDERS_CSV = (
    b"rider_id,capacity_type,fleet_id,city,zone_id,vehicle,joined_on,language,status\n"
    b"RX1,full_time,,Dubai,Z1,motorbike,2025-03-01,ar,active\n"
    b"RX2,astronaut,,Dubai,Z1,motorbike,2025-03-01,ar,active\n"
)


def test_an_import_reports_counts_and_its_rejects_can_be_downloaded(
    client: TestClient, api_city: City
) -> None:
    admin = api_city.headers("admin")
    archive = zipped({"dataset/riders.csv": RIDERS_CSV, "dataset/README.txt": b"notes"})
    answer = client.post("/api/v1/imports", files={"archive": ("d.zip", archive)}, headers=admin)
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["tables"]["riders"]["inserted"] == 1
    assert report["tables"]["riders"]["rejected"] == 1 and report["exit_code"] == 3
    assert report["ignored_files"] == ["README.txt"]
    name = report["rejects"][0]
    rejects = client.get(f"/api/v1/imports/{report['import_id']}/rejects/{name}", headers=admin)
    assert rejects.status_code == 200 and b"astronaut" in rejects.content
    listed = client.get("/api/v1/imports", headers=admin).json()
    assert report["import_id"] in {i["import_id"] for i in listed["items"]}
    assert (
        client.get(
            f"/api/v1/imports/{report['import_id']}/rejects/../../etc", headers=admin
        ).status_code
        == 404
    )


def test_a_second_writer_is_told_the_warehouse_is_busy(client: TestClient, api_city: City) -> None:
    archive = zipped({"riders.csv": RIDERS_CSV})
    gate = client.app.state.warehouse  # type: ignore[attr-defined]
    with gate.writing("another import"):
        busy = client.post(
            "/api/v1/imports",
            files={"archive": ("d.zip", archive)},
            headers=api_city.headers("admin"),
        )
        reading = client.get(
            f"/api/v1/riders/{api_city.rider_a}/judgments?period=2026-W02",
            headers=api_city.headers("admin"),
        )
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "warehouse_busy"
    assert reading.status_code == 409


def test_a_broken_upload_is_refused_with_a_reason(client: TestClient, api_city: City) -> None:
    admin = api_city.headers("admin")
    not_zip = client.post(
        "/api/v1/imports", files={"archive": ("d.zip", b"plain text")}, headers=admin
    )
    assert not_zip.status_code == 400 and "zip" in not_zip.json()["error"]["message"]
    escaping = client.post(
        "/api/v1/imports",
        files={"archive": ("d.zip", zipped({"../riders.csv": RIDERS_CSV}))},
        headers=admin,
    )
    assert escaping.status_code == 400


def test_an_uploaded_policy_is_validated_without_publishing(
    client: TestClient, api_city: City
) -> None:
    folder: Path = default_policy_folder()
    files = {f"policy/{p.name}": p.read_bytes() for p in folder.glob("*.yaml")}
    admin = api_city.headers("ops_manager")
    good = client.post(
        "/api/v1/policies/validate", files={"archive": ("p.zip", zipped(files))}, headers=admin
    )
    assert good.status_code == 200, good.text
    assert good.json()["ok"] is True and good.json()["parameters"] > 10
    files["policy/scoring.yaml"] = b"weights: [unclosed"
    bad = client.post(
        "/api/v1/policies/validate", files={"archive": ("p.zip", zipped(files))}, headers=admin
    ).json()
    assert bad["ok"] is False and any("scoring.yaml" in p for p in bad["problems"])


def test_evidence_whose_bytes_changed_is_not_served(client: TestClient, api_city: City) -> None:
    decision = appealable_decision(client, api_city, "rider_b")
    case = client.post(
        "/api/v1/cases",
        data={"subject_id": decision, "statement": "look"},
        files=[("evidence", ("a.txt", b"original bytes", "text/plain"))],
        headers=api_city.headers("rider_b"),
    ).json()
    sha = case["evidence"][0]["sha256"]
    evidence_path(api_city.settings.home, sha).write_bytes(b"tampered bytes")
    served = client.get(
        f"/api/v1/cases/{case['case_id']}/evidence/{sha}", headers=api_city.headers("admin")
    )
    assert served.status_code == 409 and "no longer matches" in served.json()["error"]["message"]
