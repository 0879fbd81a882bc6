"""The dashboard's reading pages: KPI overview, league tables, rider search, the rider page
and the policy pages. Every list is narrowed to the riders the user may see."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response

from riderperf.api.deps import AuthDep, EngineDep, NowDep, SessionDep
from riderperf.api.errors import ApiError
from riderperf.policy.versions import UnknownPolicyVersion, version_in_force
from riderperf.web.access import staff_user
from riderperf.web.pages import message_page, not_found, render
from riderperf.web.views.common import TIERS
from riderperf.web.views.leagues import build_league
from riderperf.web.views.overview import build_overview
from riderperf.web.views.policy import policy_parameters, policy_versions
from riderperf.web.views.riders import rider_page, search_riders

router = APIRouter(prefix="/dashboard")


@router.get("")
def overview_page(request: Request, auth: AuthDep, session: SessionDep, now: NowDep) -> Response:
    user = staff_user(request, auth, "open_dashboard")
    if isinstance(user, Response):
        return user
    overview = build_overview(session, user, now)
    return render(request, "dashboard/overview.html.j2", {"o": overview}, user=user)


@router.get("/leagues")
def leagues_page(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    user = staff_user(request, auth, "open_dashboard")
    if isinstance(user, Response):
        return user
    context = {
        "zones": build_league(session, user, "zone"),
        "fleets": build_league(session, user, "fleet"),
    }
    return render(request, "dashboard/leagues.html.j2", context, user=user)


@router.get("/riders")
def riders_page(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    user = staff_user(request, auth, "read_riders")
    if isinstance(user, Response):
        return user
    query = request.query_params.get("q", "")[:100]
    tier = request.query_params.get("tier", "")
    tier = tier if tier in TIERS else ""
    hits = search_riders(session, user, query, tier)
    context = {"hits": hits, "q": query, "tier": tier, "tiers": TIERS}
    return render(request, "dashboard/riders.html.j2", context, user=user)


@router.get("/riders/{rider_id}")
def rider_detail_page(
    rider_id: str, request: Request, auth: AuthDep, session: SessionDep, now: NowDep
) -> Response:
    user = staff_user(request, auth, "read_riders")
    if isinstance(user, Response):
        return user
    warning = None
    try:
        with request.app.state.warehouse.reading() as warehouse:
            page = rider_page(session, user, rider_id, now, warehouse)
    except ApiError as busy:
        warning = f"Judgments are not shown: {busy.message}"
        page = rider_page(session, user, rider_id, now, None)
    if page is None:
        return not_found(request, user, f"rider {rider_id}")
    return render(request, "dashboard/rider.html.j2", {"p": page}, user=user, error=warning)


@router.get("/policy")
def policy_page(request: Request, auth: AuthDep, engine: EngineDep, now: NowDep) -> Response:
    user = staff_user(request, auth, "read_policies")
    if isinstance(user, Response):
        return user
    versions = policy_versions(engine, now.date())
    return render(request, "dashboard/policy.html.j2", {"versions": versions}, user=user)


@router.get("/policy/current")
def policy_in_force_page(
    request: Request, auth: AuthDep, engine: EngineDep, now: NowDep
) -> Response:
    user = staff_user(request, auth, "read_policies")
    if isinstance(user, Response):
        return user
    current = version_in_force(engine, now.date())
    if current is None:
        return message_page(
            request,
            user,
            title="No policy in force",
            message="No policy version is in force today: publish one with "
            "`riderperf policy publish`.",
            status_code=404,
        )
    return policy_version_page(current.version, request, auth, engine, now)


@router.get("/policy/{version}")
def policy_version_page(
    version: str, request: Request, auth: AuthDep, engine: EngineDep, now: NowDep
) -> Response:
    user = staff_user(request, auth, "read_policies")
    if isinstance(user, Response):
        return user
    asked = request.query_params.get("at", "")
    error = None
    try:
        when = date.fromisoformat(asked) if asked else now.date()
    except ValueError:
        when, error = now.date(), f"“{asked}” is not a date (YYYY-MM-DD); showing today."
    try:
        groups = policy_parameters(engine, version, when)
    except UnknownPolicyVersion:
        return not_found(request, user, f"policy version {version}")
    context = {"version": version, "when": when, "groups": groups}
    return render(request, "dashboard/policy_version.html.j2", context, user=user, error=error)
