"""The one authorization policy: each permission and the roles that hold it. The API's
`require_roles` dependencies and the web pages both read their role sets from here, so the
dashboard, the portal and the JSON API cannot disagree on who may do what (the route × role
matrix tests in tests/integration/test_authz_matrix.py check both against this table).
Scope (which riders a fleet manager or a rider may see) is decided elsewhere, per record."""

from __future__ import annotations

from typing import Final

from riderperf.users.service import ROLES

Roles = frozenset[str]

ANYONE_SIGNED_IN: Final[Roles] = frozenset(ROLES)
STAFF: Final[Roles] = frozenset({"admin", "ops_manager", "reviewer", "inspector", "trainer"})
APPROVERS: Final[Roles] = frozenset({"admin", "ops_manager"})
REVIEWERS: Final[Roles] = frozenset({"admin", "ops_manager", "reviewer"})
INSPECTORS: Final[Roles] = frozenset({"admin", "inspector"})
RIDERS: Final[Roles] = frozenset({"rider"})

PERMISSIONS: Final[dict[str, Roles]] = {
    # The dashboard (staff pages) and the rider portal; fleet managers use the dashboard,
    # narrowed to their fleet.
    "open_dashboard": STAFF | {"fleet_manager"},
    "open_portal": RIDERS,
    # Rider-level data; fleet managers and riders are narrowed by scope.
    "read_riders": STAFF | {"fleet_manager", "rider"},
    "read_scorecards": STAFF | {"fleet_manager", "rider"},
    "read_decisions": STAFF | {"fleet_manager", "rider"},
    "read_notices": STAFF | {"fleet_manager", "rider"},
    "mark_notices_read": RIDERS,
    "approve_decisions": APPROVERS,
    # Appeal cases and their evidence: inspectors and trainers have no part in appeals.
    "read_cases": REVIEWERS | {"fleet_manager", "rider"},
    "download_evidence": REVIEWERS | {"fleet_manager", "rider"},
    "submit_appeals": REVIEWERS | RIDERS,
    "respond_to_cases": RIDERS,
    "decide_cases": REVIEWERS,
    # Policies, KPIs, imports and the dispatch feed.
    "read_policies": ANYONE_SIGNED_IN,
    "validate_policies": APPROVERS,
    # KPI aggregates: a fleet manager's count their fleet only (the dashboard shows them
    # the same). The list of evaluations is staff business.
    "read_kpis": STAFF | {"fleet_manager"},
    "read_evaluations": STAFF,
    "manage_imports": APPROVERS,
    "read_dispatch_priority": APPROVERS,
    # Inspections.
    "read_inspections": STAFF | {"fleet_manager", "rider"},
    "plan_inspections": STAFF,
    "create_inspection_plans": APPROVERS,
    "record_inspections": INSPECTORS,
    # Signing out, reading one's own account.
    "use_account": ANYONE_SIGNED_IN,
}


def roles_for(permission: str) -> Roles:
    """The roles holding `permission`; an unknown name is a programming error."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None


def allows(role: str | None, permission: str) -> bool:
    return role is not None and role in roles_for(permission)
