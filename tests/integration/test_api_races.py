"""Two people changing the same thing through the API at the same moment, on SQLite and
PostgreSQL: every state-changing endpoint gives one change, one audit event and at most one
notice. The other request gets a 409 conflict, or, where the endpoint is documented as
idempotent, a success that changed nothing.

Both requests read the state before either writes: a hook holds each request's first write
statement at a barrier until the other request reaches its own (`both_read_first`).
`RACES` lists the endpoints that move state and `NOT_MOVES` those that do not, with the
reason; a test holds both lists to the app's routes, so a new endpoint cannot be forgotten.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riderperf.api.deps import COOKIE_NAME, CSRF_HEADER
from riderperf.audit.orm import AuditEvent
from riderperf.cases.orm import Case
from riderperf.clock import fixed_clock
from riderperf.decisions.orm import Decision
from riderperf.notices.orm import Notice
from riderperf.server import create_app
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.users.identity import issue_api_token
from riderperf.users.orm import User
from riderperf.users.service import create_user
from tests.integration import test_api_support as support
from tests.integration.test_api_inspections import PASSING
from tests.integration.test_api_support import DECIDED_AT, NOW, PASSWORD, City
from tests.integration.test_authz_matrix import api_routes, web_routes
from tests.races import both_read_first

api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client


@dataclass
class Contest:
    """Two requests (user, path, keyword arguments of `client.post`) for the same thing."""

    rider_id: str
    requests: list[tuple[str, str, dict[str, Any]]]
    events: list[str]  # the audit actions the rider gets from the winner, nothing else
    notices: list[str]  # the notice kinds the rider gets from the winner
    idempotent: bool = False  # the loser answers 2xx and changes nothing
    conflict_says: str = ""  # what the loser's 409 names (who won, or what changed)
    subject_types: tuple[str, ...] = ()  # count only events and notices about these
    client: TestClient | None = None  # another app than the module's (another clock)
    after: Callable[[TestClient], None] | None = None  # a further check once both answered


@dataclass
class Race:
    """An endpoint (the API's operation id, or a web page's "METHOD path"), how to set up
    two people acting on one thing through it, and what happens then."""

    endpoint: str
    prepare: Callable[[TestClient, City], Contest]
    behaviour: str = "one 2xx (a page: 303), one 409 naming who won"


# --- what each race needs -------------------------------------------------------------


def proposed_decision(client: TestClient, city: City) -> dict[str, Any]:
    """A proposed restriction nobody has reviewed yet (each race takes another)."""
    items = client.get(
        "/api/v1/decisions?status=proposed&restricting=true&limit=500",
        headers=city.headers("admin"),
    ).json()["items"]
    assert items, "the city has no proposed restriction left"
    found: dict[str, Any] = items[0]
    return found


def appellant(city: City) -> tuple[str, str, str]:
    """A new rider user, with a token, and a decision of theirs open to appeal: (username,
    rider id, decision id). Each race takes a rider of its own."""
    engine = make_engine(city.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            users = set(session.scalars(select(User.rider_id).where(User.rider_id.is_not(None))))
            appealed = set(session.scalars(select(Case.subject_id)))
            decision = session.scalars(
                select(Decision)
                .where(
                    Decision.status == "in_effect",
                    Decision.offence.is_not(None),
                    Decision.appeal_deadline.is_not(None),
                    Decision.rider_id.not_in(sorted(users)),
                    Decision.decision_id.not_in(sorted(appealed)),
                )
                .order_by(Decision.decision_id)
            ).first()
            assert decision is not None, "the city has no decision left to appeal"
            username = f"rider-{decision.rider_id}"
            create_user(session, username, "rider", rider_id=decision.rider_id, at=DECIDED_AT)
            city.tokens[username] = issue_api_token(session, username, label="race", at=DECIDED_AT)
            return username, decision.rider_id, decision.decision_id
    finally:
        engine.dispose()


def open_case(client: TestClient, city: City, *moves: dict[str, str]) -> tuple[str, str, str]:
    """A case of a new appellant, moved by the reviewer through `moves`: (username, rider
    id, case id)."""
    username, rider_id, decision_id = appellant(city)
    submitted = client.post(
        "/api/v1/cases",
        data={"subject_id": decision_id, "statement": "It was not me."},
        headers=city.headers(username),
    )
    assert submitted.status_code == 201, submitted.text
    case_id: str = submitted.json()["case_id"]
    for move in moves:
        moved = client.post(
            f"/api/v1/cases/{case_id}/move", json=move, headers=city.headers("reviewer")
        )
        assert moved.status_code == 200, moved.text
    return username, rider_id, case_id


def approve_twice(client: TestClient, city: City) -> Contest:
    decision = proposed_decision(client, city)
    path = f"/api/v1/decisions/{decision['decision_id']}/approve"
    body = {"json": {"reason": "checked by hand"}}
    return Contest(
        decision["rider_id"],
        [("ops_manager", path, body), ("admin", path, body)],
        events=["decision.approved"],
        notices=[f"decision.{decision['kind']}"],
        conflict_says="already in effect: approved by ",
    )


def reject_against_approve(client: TestClient, city: City) -> Contest:
    decision = proposed_decision(client, city)
    path = f"/api/v1/decisions/{decision['decision_id']}"
    body = {"json": {"reason": "the complaint was about another rider"}}
    return Contest(
        decision["rider_id"],
        [("admin", f"{path}/reject", body), ("ops_manager", f"{path}/approve", body)],
        events=["decision.rejected|decision.approved"],
        notices=[f"decision.rejected|decision.{decision['kind']}"],
        conflict_says=" by ",
    )


def submit_twice(client: TestClient, city: City) -> Contest:
    username, rider_id, decision_id = appellant(city)
    body = {"data": {"subject_id": decision_id, "statement": "Not me."}}
    return Contest(
        rider_id,
        [(username, "/api/v1/cases", body)] * 2,
        events=["case.submitted"],
        notices=["case.submitted"],
        conflict_says="appealed",
    )


def move_twice(client: TestClient, city: City) -> Contest:
    _, rider_id, case_id = open_case(client, city)
    body = {"json": {"to": "under_review"}}
    path = f"/api/v1/cases/{case_id}/move"
    return Contest(
        rider_id,
        [("reviewer", path, body), ("admin", path, body)],
        events=["case.under_review"],
        notices=["case.under_review"],
        conflict_says="changed while you were working on it",
    )


def decide_twice(client: TestClient, city: City) -> Contest:
    _, rider_id, case_id = open_case(client, city, {"to": "under_review"})
    path = f"/api/v1/cases/{case_id}/decide"
    return Contest(
        rider_id,
        [
            ("reviewer", path, {"json": {"outcome": "upheld", "reason": "The GPS shows it."}}),
            ("admin", path, {"json": {"outcome": "upheld", "reason": "Upheld, as the log says."}}),
        ],
        events=["case.decided"],
        notices=["case.decided"],
        conflict_says="was decided by",
    )


def respond_twice(client: TestClient, city: City) -> Contest:
    ask = {"to": "waiting_on_rider", "note": "Do you have the receipt?"}
    username, rider_id, case_id = open_case(client, city, {"to": "under_review"}, ask)
    body = {"data": {"text": "Here is what happened."}}
    path = f"/api/v1/cases/{case_id}/respond"
    return Contest(
        rider_id,
        [(username, path, body)] * 2,
        events=["case.under_review"],
        notices=["case.under_review"],
        conflict_says="changed while you were working on it",
    )


def read_twice(client: TestClient, city: City) -> Contest:
    notices = client.get(
        f"/api/v1/riders/{city.rider_a}/notices", headers=city.headers("rider")
    ).json()
    unread = next(n for n in notices if n["read_at"] is None)
    path = f"/api/v1/riders/{city.rider_a}/notices/{unread['notice_id']}/read"
    return Contest(
        city.rider_a,
        [("rider", path, {})] * 2,
        events=["notice.read"],
        notices=[],
        idempotent=True,
    )


def inspect_twice(client: TestClient, city: City) -> Contest:
    """Two inspectors find the rider's helmet fastened an hour after it was not."""
    failed = client.post(
        "/api/v1/inspections",
        data={
            "rider_id": city.rider_b,
            "results": json.dumps(PASSING | {"helmet": "worn_unfastened"}),
        },
        headers=city.headers("inspector"),
    )
    assert failed.status_code == 201, failed.text
    assert [a["status"] for a in failed.json()["corrective_actions"]] == ["open"]
    later = TestClient(create_app(city.settings, clock=fixed_clock(NOW + timedelta(hours=1))))
    body = {"data": {"rider_id": city.rider_b, "results": json.dumps(PASSING)}}
    return Contest(
        city.rider_b,
        [("inspector", "/api/v1/inspections", body), ("admin", "/api/v1/inspections", body)],
        events=["corrective_action.closed"],
        notices=["corrective_action.closed"],
        idempotent=True,  # both inspections are recorded; one of them closes the action
        subject_types=("corrective_action",),
        client=later,
    )


def sign_out_twice(client: TestClient, city: City) -> Contest:
    """The rider signed in with a password presses "sign out" in two tabs at once."""
    signed_in = client.post("/api/v1/auth/login", json={"username": "rider", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    cookie = signed_in.cookies[COOKIE_NAME]
    client.cookies.clear()  # each request below sends the cookie itself
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}", CSRF_HEADER: signed_in.json()["csrf_token"]}

    def signed_out(racing: TestClient) -> None:
        me = racing.get("/api/v1/auth/me", headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
        assert me.status_code == 401, me.text

    return Contest(
        city.rider_a,
        [("rider", "/api/v1/auth/logout", {"headers": headers})] * 2,
        events=[],
        notices=[],
        idempotent=True,
        after=signed_out,
    )


def approve_twice_on_the_dashboard(client: TestClient, city: City) -> Contest:
    decision = proposed_decision(client, city)
    path = f"/dashboard/approvals/{decision['decision_id']}"
    form = {"data": {"reason": "checked by hand"}}
    return Contest(
        decision["rider_id"],
        [("ops_manager", f"{path}/approve", form), ("admin", f"{path}/reject", form)],
        events=["decision.approved|decision.rejected"],
        notices=[f"decision.{decision['kind']}|decision.rejected"],
        conflict_says=" by ",
    )


def take_up_twice_on_the_dashboard(client: TestClient, city: City) -> Contest:
    _, rider_id, case_id = open_case(client, city)
    path = f"/dashboard/cases/{case_id}/take-up"
    return Contest(
        rider_id,
        [("reviewer", path, {"data": {}}), ("admin", path, {"data": {}})],
        events=["case.under_review"],
        notices=["case.under_review"],
        conflict_says="changed while you were working on it",
    )


def decide_twice_on_the_dashboard(client: TestClient, city: City) -> Contest:
    _, rider_id, case_id = open_case(client, city, {"to": "under_review"})
    path = f"/dashboard/cases/{case_id}/decide"
    return Contest(
        rider_id,
        [
            ("reviewer", path, {"data": {"outcome": "upheld", "reason": "The GPS shows it."}}),
            ("admin", path, {"data": {"outcome": "upheld", "reason": "As the log says."}}),
        ],
        events=["case.decided"],
        notices=["case.decided"],
        conflict_says="was decided by",
    )


def appeal_twice_in_the_portal(client: TestClient, city: City) -> Contest:
    username, rider_id, decision_id = appellant(city)
    form = {"data": {"subject_type": "decision", "subject_id": decision_id, "statement": "Not me."}}
    return Contest(
        rider_id,
        [(username, "/portal/appeals", form)] * 2,
        events=["case.submitted"],
        notices=["case.submitted"],
        conflict_says="appealed",
    )


def inspect_twice_on_the_inspector_pages(client: TestClient, city: City) -> Contest:
    contest = inspect_twice(client, city)
    answers = {code: "pass" if value is True else value for code, value in PASSING.items()}
    form = {"data": {f"item:{code}": str(value) for code, value in answers.items()}}
    path = f"/inspector/riders/{city.rider_b}"
    contest.requests = [("inspector", path, form), ("admin", path, form)]
    return contest


RACES = [
    Race("approveDecision", approve_twice),
    Race("rejectDecision", reject_against_approve),
    Race("submitAppeal", submit_twice, "one 201, one 409: a subject is appealed once"),
    Race("moveCase", move_twice),
    Race("decideCase", decide_twice),
    Race("respondToCase", respond_twice),
    Race("markNoticeRead", read_twice, "both 200: the first open stamps it, the other no-op"),
    Race(
        "recordInspection",
        inspect_twice,
        "both 201 (two inspections are two facts); exactly one closes the corrective action",
    ),
    Race("logout", sign_out_twice, "both 204: the session is gone either way"),
    Race("POST /dashboard/approvals/{decision_id}/{verdict}", approve_twice_on_the_dashboard),
    Race("POST /dashboard/cases/{case_id}/{action}", take_up_twice_on_the_dashboard),
    Race("POST /dashboard/cases/{case_id}/{action} decide", decide_twice_on_the_dashboard),
    Race("POST /portal/appeals", appeal_twice_in_the_portal),
    Race(
        "POST /inspector/riders/{rider_id}",
        inspect_twice_on_the_inspector_pages,
        "both 303; exactly one closes the corrective action",
    ),
]

# Unsafe endpoints that move no state two people could race, and why.
NOT_MOVES = {
    "login": "adds a new session per sign-in; two sign-ins are two sessions",
    "createImport": "appends facts under the warehouse's one-writer lock: a second import at "
    "once is refused 409 busy, a repeated one finds every row a duplicate",
    "createInspectionPlan": "appends a new plan (the newest of a period is the one in force); "
    "it moves no stored state",
    "validatePolicy": "reads the files sent; stores nothing",
    "POST /login": "as the API's login",
    "POST /logout": "the same use case as the API's logout (raced above)",
}


# --- the race -------------------------------------------------------------------------


def at_once(client: TestClient, city: City, contest: Contest) -> list[tuple[int, str]]:
    """Sends the contest's two requests from two threads; each answer's status and text."""
    for username, _, _ in contest.requests:  # a token's first use is a write of its own
        assert client.get("/api/v1/auth/me", headers=city.headers(username)).status_code == 200
    answers: list[tuple[int, str]] = []

    def send(username: str, path: str, kwargs: dict[str, Any]) -> None:
        options = {"headers": city.headers(username)} | kwargs  # a contest may sign in itself
        answer = client.post(path, follow_redirects=False, **options)
        answers.append((answer.status_code, answer.text))

    with both_read_first():
        threads = [threading.Thread(target=send, args=request) for request in contest.requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return answers


def trace(engine: Engine, contest: Contest) -> tuple[set[str], set[str]]:
    """The ids of the rider's audit events and notices, counted for the contest."""
    with unit_of_work(engine) as session:
        # Each notice has its `notice.issued` event; the notices are counted themselves.
        events = select(AuditEvent.event_id, AuditEvent.subject_type).where(
            AuditEvent.rider_id == contest.rider_id, AuditEvent.action != "notice.issued"
        )
        notices = select(Notice.notice_id, Notice.subject_type).where(
            Notice.rider_id == contest.rider_id
        )
        wanted = set(contest.subject_types)
        return (
            {e for e, kind in session.execute(events) if not wanted or kind in wanted},
            {n for n, kind in session.execute(notices) if not wanted or kind in wanted},
        )


def kinds(engine: Engine, model: Any, ids: set[str]) -> list[str]:
    column = model.action if model is AuditEvent else model.kind
    key = model.event_id if model is AuditEvent else model.notice_id
    with unit_of_work(engine) as session:
        return sorted(session.scalars(select(column).where(key.in_(sorted(ids)))))


def matches(found: list[str], expected: list[str]) -> bool:
    return len(found) == len(expected) and all(
        f in e.split("|") for f, e in zip(found, sorted(expected), strict=True)
    )


@pytest.mark.parametrize("race", RACES, ids=[r.endpoint for r in RACES])
def test_two_people_changing_the_same_thing_at_once_change_it_once(
    client: TestClient, api_city: City, race: Race
) -> None:
    contest = race.prepare(client, api_city)
    engine = make_engine(api_city.settings.app_database_url)
    racing = contest.client or client
    try:
        events_before, notices_before = trace(engine, contest)
        opened: AbstractContextManager[Any] = nullcontext() if contest.client is None else racing
        with opened:
            answers = at_once(racing, api_city, contest)
        events_after, notices_after = trace(engine, contest)
        statuses = sorted(status for status, _ in answers)
        assert len(statuses) == 2, answers
        page = race.endpoint.startswith("POST /")
        done = {303} if page else {200, 201, 204}
        if contest.idempotent:
            assert set(statuses) <= done, answers
        else:
            assert statuses[0] in done and statuses[1] == 409, answers
            refused = next(text for status, text in answers if status == 409)
            if not page:
                error = json.loads(refused)["error"]
                assert error["code"] == "conflict", error
                refused = error["message"]
            assert contest.conflict_says in html.unescape(refused), refused
        new_events = kinds(engine, AuditEvent, events_after - events_before)
        new_notices = kinds(engine, Notice, notices_after - notices_before)
        assert matches(new_events, contest.events), new_events
        assert matches(new_notices, contest.notices), new_notices
        if contest.after is not None:
            contest.after(racing)
    finally:
        engine.dispose()


def unsafe_endpoints(client: TestClient) -> set[str]:
    """The operation ids of the API's unsafe routes and "METHOD path" of the web's."""
    api = {route.operation_id or path for m, path, route in api_routes(client) if m != "GET"}
    return api | {f"{m} {path}" for m, path in web_routes(client) if m != "GET"}


def test_every_unsafe_endpoint_is_raced_or_said_to_move_nothing(client: TestClient) -> None:
    raced = {r.endpoint.split(" decide")[0] for r in RACES}
    assert not raced & set(NOT_MOVES)
    listed = raced | set(NOT_MOVES)
    found = unsafe_endpoints(client)
    assert found == listed, (
        f"in neither RACES nor NOT_MOVES: {sorted(found - listed)}; gone: {sorted(listed - found)}"
    )
