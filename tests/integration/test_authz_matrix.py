"""Who may call what: every route of the app (read from `app.routes`, so a new route cannot
escape) × every role and an anonymous caller, and the data a rider or a fleet manager may
never read: another rider's, another fleet's."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from riderperf.server import API_PREFIX
from riderperf.users.permissions import PERMISSIONS
from tests.integration import test_api_support as support
from tests.integration.test_api_support import PASSWORD, PERIOD, City

# The shared fixtures, module-scoped: one prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client

ALL = frozenset(
    {"admin", "ops_manager", "reviewer", "inspector", "trainer", "fleet_manager", "rider"}
)
STAFF = frozenset({"admin", "ops_manager", "reviewer", "inspector", "trainer"})
MANAGERS = frozenset({"admin", "ops_manager"})
REVIEWERS = frozenset({"admin", "ops_manager", "reviewer"})
PUBLIC = None
# The permission policy, one line per operation: a new route fails until it is added here.
EXPECTED: dict[str, frozenset[str] | None] = {
    "getHealth": PUBLIC,
    "login": PUBLIC,
    "logout": ALL,
    "getCurrentUser": ALL,
    "listRiders": ALL,
    "getRider": ALL,
    "getLatestScorecard": ALL,
    "getScorecard": ALL,
    "listRiderScorecards": ALL,
    "listScorecards": ALL,
    "listJudgments": ALL,
    "listNotices": ALL,
    "markNoticeRead": frozenset({"rider"}),
    "listDecisions": ALL,
    "getDecision": ALL,
    "approveDecision": MANAGERS,
    "rejectDecision": MANAGERS,
    "listCases": REVIEWERS | {"fleet_manager", "rider"},
    "getCase": REVIEWERS | {"fleet_manager", "rider"},
    "downloadEvidence": REVIEWERS | {"fleet_manager", "rider"},
    "submitAppeal": REVIEWERS | {"rider"},
    "respondToCase": frozenset({"rider"}),
    "moveCase": REVIEWERS,
    "decideCase": REVIEWERS,
    "listPolicies": ALL,
    "getPolicy": ALL,
    "validatePolicy": MANAGERS,
    "createImport": MANAGERS,
    "listImports": MANAGERS,
    "getImport": MANAGERS,
    "downloadImportRejects": MANAGERS,
    "getKpiAggregates": STAFF | {"fleet_manager"},
    "listEvaluations": STAFF,
    "getDispatchPriority": MANAGERS,
    "listChecklistTemplates": ALL,
    "getChecklistTemplate": ALL,
    "listInspectionPlans": STAFF,
    "createInspectionPlan": MANAGERS,
    "getSamplingEstimates": STAFF,
    "recordInspection": frozenset({"inspector", "admin"}),
    "listInspections": ALL,
    "getInspection": ALL,
    "listCorrectiveActions": ALL,
}
PATH_VALUES = {
    "rider_id": "R-missing",
    "decision_id": "d-missing",
    "case_id": "case-missing",
    "sha256": "0" * 64,
    "period": PERIOD.label,
    "version": "missing",
    "import_id": "missing",
    "filename": "missing.csv",
    "notice_id": "missing",
    "template_id": "missing",
    "inspection_id": "missing",
    "verdict": "approve",
    "action": "decide",
}
QUERY_VALUES = {"period": PERIOD.label, "group_by": "zone"}
EMPTY_ZIP = io.BytesIO()
zipfile.ZipFile(EMPTY_ZIP, "w").close()
RIDERS_ZIP = io.BytesIO()
with zipfile.ZipFile(RIDERS_ZIP, "w") as archive:
    archive.writestr(
        "riders.csv",
        "rider_id,capacity_type,fleet_id,city,zone_id,vehicle,"
        "joined_on,language,status\nRM1,full_time,,Dubai,Z1,car,2025-03-01,ar,active\n",
    )
REQUESTS: dict[str, dict[str, Any]] = {
    "login": {"json": {"username": "admin", "password": PASSWORD}},
    "approveDecision": {"json": {"reason": "checked"}},
    "rejectDecision": {"json": {"reason": "checked"}},
    "moveCase": {"json": {"to": "triage"}},
    "decideCase": {"json": {"outcome": "upheld", "reason": "checked"}},
    "submitAppeal": {"data": {"subject_id": "missing", "statement": "x", "rider_id": "R-missing"}},
    "respondToCase": {"data": {"text": "answer"}},
    "validatePolicy": {"files": {"archive": ("p.zip", EMPTY_ZIP.getvalue())}},
    "createImport": {"files": {"archive": ("d.zip", RIDERS_ZIP.getvalue())}},
    "createInspectionPlan": {"json": {"budget": 3, "seed": 1}},
    "recordInspection": {"data": {"rider_id": "R-missing", "results": "{}"}},
}
USERS = (None, "admin", "ops_manager", "reviewer", "inspector", "trainer", "fleet_manager", "rider")
ALLOWED = {200, 201, 204, 404}


def declared_roles(route: APIRoute) -> tuple[bool, frozenset[str] | None]:
    """(declared?, roles) from the route's `require_roles(...)` or `public` dependency."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        roles = getattr(dependency.call, "roles", "none")
        if roles != "none":
            return True, None if roles is None else frozenset(roles)
        pending.extend(dependency.dependencies)
    return False, None


def api_routes(client: TestClient) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if isinstance(route, APIRoute) and (context.path or "").startswith(API_PREFIX):
            for method in sorted(context.methods or ()):
                yield method, str(context.path), route


def test_every_api_route_declares_who_may_call_it_as_the_policy_says(client: TestClient) -> None:
    seen = set()
    for _method, path, route in api_routes(client):
        declared, roles = declared_roles(route)
        assert declared, f"{path} declares no require_roles(...) or public dependency"
        assert route.operation_id in EXPECTED, f"add {route.operation_id} to EXPECTED"
        assert roles == EXPECTED[route.operation_id], route.operation_id
        seen.add(route.operation_id)
    assert seen == set(EXPECTED)


def url_of(path: str, route: APIRoute) -> str:
    for name in (p.name for p in route.dependant.path_params):
        assert name in PATH_VALUES, f"add a value for path parameter {name!r}"
        path = path.replace("{" + name + "}", PATH_VALUES[name])
    required = [q.name for q in route.dependant.query_params if q.field_info.is_required()]
    query = "&".join(f"{name}={QUERY_VALUES[name]}" for name in required)
    return f"{path}?{query}" if query else path


@pytest.mark.parametrize("username", USERS, ids=lambda u: u or "anonymous")
def test_every_api_route_answers_each_role_as_declared(
    client: TestClient, api_city: City, username: str | None
) -> None:
    problems = []
    for method, path, route in api_routes(client):
        expected = EXPECTED[str(route.operation_id)]
        role = None if username is None else api_city.roles[username]
        body = REQUESTS.get(str(route.operation_id), {})
        assert body or method in {"GET", "DELETE"} or not route.dependant.body_params, (
            f"add a sample request for {route.operation_id}"
        )
        client.cookies.clear()  # signing in (login) leaves a cookie: each call stands alone
        answer = client.request(
            method, url_of(path, route), headers=api_city.headers(username), **body
        )
        if expected is PUBLIC or (role is not None and role in expected):
            want = ALLOWED
        else:
            want = {401} if role is None else {403}
        if answer.status_code not in want:
            problems.append(f"{username} {method} {path}: {answer.status_code} not in {want}")
    assert not problems, "\n".join(problems)


def test_every_page_route_sends_an_anonymous_visitor_away_and_never_fails(
    client: TestClient, api_city: City
) -> None:
    """The web pages (when installed) check access inside the page: no 2xx for an anonymous
    visitor except the sign-in page, and no server error for any role."""
    problems = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = str(context.path or "")
        if isinstance(context.original_route, Mount):
            path = path.rstrip("/") + "/missing-file.css"
        if path.startswith(API_PREFIX) or not path:
            continue
        for name, value in PATH_VALUES.items():
            path = path.replace("{" + name + "}", value)
        path = path.replace("{", "").replace("}", "")
        for method in sorted(context.methods or {"GET"}):
            if method == "HEAD":
                continue
            client.cookies.clear()
            anonymous = client.request(method, path, follow_redirects=False)
            if anonymous.status_code < 300 and path not in ("/login",):
                problems.append(f"anonymous {method} {path}: {anonymous.status_code}")
            for username in USERS[1:]:
                seen = client.request(
                    method, path, headers=api_city.headers(username), follow_redirects=False
                )
                if seen.status_code >= 500:
                    problems.append(f"{username} {method} {path}: {seen.status_code}")
    assert not problems, "\n".join(problems)


# The web pages, one line per (method, path): the permissions of the policy
# (`riderperf.users.permissions`) the page needs, all of them (a staff page needs
# open_dashboard and its own); None for the pages anyone may open.
# A new page fails until it is added here.
WEB_EXPECTED: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("GET", "/"): None,
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/logout"): None,
    ("GET", "/dashboard"): ("open_dashboard",),
    ("GET", "/dashboard/leagues"): ("open_dashboard",),
    ("GET", "/dashboard/riders"): ("open_dashboard", "read_riders"),
    ("GET", "/dashboard/riders/{rider_id}"): ("open_dashboard", "read_riders"),
    ("GET", "/dashboard/policy"): ("open_dashboard", "read_policies"),
    ("GET", "/dashboard/policy/current"): ("open_dashboard", "read_policies"),
    ("GET", "/dashboard/policy/{version}"): ("open_dashboard", "read_policies"),
    ("GET", "/dashboard/approvals"): ("open_dashboard", "read_decisions"),
    ("POST", "/dashboard/approvals/{decision_id}/{verdict}"): (
        "open_dashboard",
        "approve_decisions",
    ),
    ("GET", "/dashboard/appeals"): ("open_dashboard", "read_cases"),
    ("GET", "/dashboard/cases/{case_id}"): ("open_dashboard", "read_cases"),
    ("GET", "/dashboard/cases/{case_id}/evidence/{sha256}"): (
        "open_dashboard",
        "download_evidence",
    ),
    ("POST", "/dashboard/cases/{case_id}/{action}"): ("open_dashboard", "decide_cases"),
    ("GET", "/portal"): ("open_portal",),
    ("GET", "/portal/decisions"): ("open_portal",),
    ("GET", "/portal/notices"): ("open_portal",),
    ("GET", "/portal/cases"): ("open_portal",),
    ("GET", "/portal/cases/{case_id}"): ("open_portal",),
    ("GET", "/portal/cases/{case_id}/evidence/{sha256}"): ("open_portal",),
    ("POST", "/portal/appeals"): ("open_portal",),
    ("GET", "/inspector"): ("record_inspections",),
    ("GET", "/inspector/go"): ("record_inspections",),
    ("GET", "/inspector/riders/{rider_id}"): ("record_inspections",),
    ("POST", "/inspector/riders/{rider_id}"): ("record_inspections",),
    ("GET", "/inspector/inspections/{inspection_id}"): ("record_inspections",),
}
# A page the role may open answers it (a missing id is a 404, a bad form a 4xx message); a
# page it may not is a 403 page, or for a rider on a staff page (and staff on the portal) a
# redirect to their own start page.
REFUSED_STATUS = {401, 403}
HOMES = {"/dashboard", "/portal"}


def web_routes(client: TestClient) -> Iterator[tuple[str, str]]:
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = str(context.path or "")
        if not path or path.startswith(API_PREFIX) or isinstance(context.original_route, Mount):
            continue
        for method in sorted(context.methods or {"GET"}):
            if method != "HEAD":
                yield method, path


def web_url(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"add a value for the path parameter of {path}"
    return path


def test_every_web_route_names_a_permission_of_the_policy(client: TestClient) -> None:
    seen = set(web_routes(client))
    assert seen == set(WEB_EXPECTED), (
        f"pages missing from WEB_EXPECTED: {sorted(seen - set(WEB_EXPECTED))}; "
        f"gone: {sorted(set(WEB_EXPECTED) - seen)}"
    )
    for permissions in WEB_EXPECTED.values():
        assert set(permissions or ()) <= set(PERMISSIONS), permissions


def web_roles(permissions: tuple[str, ...]) -> frozenset[str]:
    return frozenset.intersection(*(PERMISSIONS[name] for name in permissions))


@pytest.mark.parametrize("username", USERS[1:])
def test_every_web_route_answers_each_role_as_the_policy_says(
    client: TestClient, api_city: City, username: str
) -> None:
    role = api_city.roles[username]
    problems = []
    for method, path in web_routes(client):
        permissions = WEB_EXPECTED[(method, path)]
        if permissions is None:
            continue
        allowed = role in web_roles(permissions)
        client.cookies.clear()
        answer = client.request(
            method, web_url(path), headers=api_city.headers(username), follow_redirects=False
        )
        location = answer.headers.get("location", "")
        sent_home = answer.is_redirect and location in HOMES
        refused = answer.status_code in REFUSED_STATUS or sent_home
        if answer.status_code >= 500 or location.startswith("/login"):
            problems.append(f"{username} {method} {path}: {answer.status_code} {location}")
        elif refused == allowed:
            want = "allowed" if allowed else "refused"
            problems.append(
                f"{username} ({role}) {method} {path}: {answer.status_code} {location}, "
                f"the policy says {want} ({', '.join(permissions)})"
            )
    assert not problems, "\n".join(problems)


def test_web_and_api_agree_on_cases_and_evidence(
    client: TestClient, api_city: City, other_case: dict[str, Any]
) -> None:
    """The same case and file, through the API and the dashboard: the same roles get in."""
    case_id, sha = other_case["case_id"], other_case["evidence"][0]["sha256"]
    pairs = (
        (f"/api/v1/cases/{case_id}", f"/dashboard/cases/{case_id}"),
        (f"/api/v1/cases/{case_id}/evidence/{sha}", f"/dashboard/cases/{case_id}/evidence/{sha}"),
    )
    for username in ("admin", "ops_manager", "reviewer", "inspector", "trainer"):
        headers = api_city.headers(username)
        for api_url, web_page in pairs:
            api = client.get(api_url, headers=headers).status_code
            web = client.get(web_page, headers=headers, follow_redirects=False).status_code
            assert (api, web) in {(200, 200), (403, 403)}, (username, web_page, api, web)


@pytest.fixture(scope="module")
def other_case(client: TestClient, api_city: City) -> dict[str, Any]:
    """An appeal with evidence by rider_b, who is neither user "rider" nor in fleet_a."""
    decisions = client.get(
        f"/api/v1/decisions?rider_id={api_city.rider_b}&status=in_effect",
        headers=api_city.headers("admin"),
    ).json()["items"]
    decision = next(d for d in decisions if d["offence"] and d["appeal_deadline"])
    case: dict[str, Any] = client.post(
        "/api/v1/cases",
        data={"subject_id": decision["decision_id"], "statement": "not me"},
        files=[("evidence", ("note.txt", b"private words", "text/plain"))],
        headers=api_city.headers("rider_b"),
    ).json()
    case["decision_id"] = decision["decision_id"]
    return case


def private_urls(rider_id: str, case: dict[str, Any] | None) -> list[str]:
    urls = [
        f"/api/v1/riders/{rider_id}",
        f"/api/v1/riders/{rider_id}/scorecard",
        f"/api/v1/riders/{rider_id}/scorecards/{PERIOD.label}",
        f"/api/v1/riders/{rider_id}/scorecards",
        f"/api/v1/riders/{rider_id}/judgments?period={PERIOD.label}",
        f"/api/v1/riders/{rider_id}/notices",
    ]
    if case is not None:
        sha = case["evidence"][0]["sha256"]
        urls += [
            f"/api/v1/decisions/{case['decision_id']}",
            f"/api/v1/cases/{case['case_id']}",
            f"/api/v1/cases/{case['case_id']}/evidence/{sha}",
        ]
    return urls


def listed_riders(client: TestClient, headers: dict[str, str]) -> set[str]:
    found: set[str] = set()
    for url in (
        "/api/v1/riders?limit=500",
        f"/api/v1/scorecards?period={PERIOD.label}&limit=500",
        "/api/v1/decisions?limit=500",
        "/api/v1/cases?limit=500",
    ):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, url
        found |= {item["rider_id"] for item in answer.json()["items"]}
    return found


def test_a_rider_never_reads_another_riders_data(
    client: TestClient, api_city: City, other_case: dict[str, Any]
) -> None:
    mine = api_city.headers("rider")
    for url in private_urls(api_city.rider_a, None):
        assert client.get(url, headers=mine).status_code == 200, url
    for url in private_urls(api_city.rider_b, other_case):
        answer = client.get(url, headers=mine)
        assert answer.status_code == 404, url
        assert answer.json()["error"]["code"] == "not_found"
    assert listed_riders(client, mine) == {api_city.rider_a}
    filtered = client.get(f"/api/v1/decisions?rider_id={api_city.rider_b}", headers=mine)
    assert filtered.json()["total"] == 0
    notices = client.get(
        f"/api/v1/riders/{api_city.rider_b}/notices", headers=api_city.headers("rider_b")
    ).json()
    stolen = client.post(
        f"/api/v1/riders/{api_city.rider_b}/notices/{notices[0]['notice_id']}/read", headers=mine
    )
    assert stolen.status_code == 404


def test_a_fleet_manager_never_reads_another_fleets_riders(
    client: TestClient, api_city: City, other_case: dict[str, Any]
) -> None:
    manager = api_city.headers("fleet_manager")
    for url in private_urls(api_city.fleet_rider, None):
        assert client.get(url, headers=manager).status_code == 200, url
    for outsider, case in ((api_city.other_fleet_rider, None), (api_city.rider_b, other_case)):
        for url in private_urls(outsider, case):
            assert client.get(url, headers=manager).status_code == 404, url
    riders = client.get("/api/v1/riders?limit=500", headers=manager).json()["items"]
    fleet = {r["rider_id"] for r in riders}
    assert api_city.fleet_rider in fleet
    assert listed_riders(client, manager) <= fleet
    assert {api_city.other_fleet_rider, api_city.rider_b}.isdisjoint(fleet)
