"""Staff journeys: a reviewer overturns an appeal, an operations manager approves a proposed
suspension, a fleet manager sees only their own fleet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from riderperf.cases.service import appeal_terms_in_force, decision_appeal_subject, submit_appeal
from riderperf.decisions.orm import Decision
from riderperf.storage.db import make_engine, unit_of_work
from tests.e2e.city import NOW, City
from tests.e2e.helpers import SignIn, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_riders_appeal(city: City, tmp_path: Path) -> str:
    """An appeal of the other rider's penalty points, with a photo, as the portal sends it."""
    photo = tmp_path / "receipt.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    engine = make_engine(city.settings.app_database_url)
    try:
        terms = appeal_terms_in_force(engine, NOW)
        with unit_of_work(engine) as session:
            case = submit_appeal(
                session,
                decision_appeal_subject(session, city.other_points),
                rider_id=city.other_rider,
                statement="The traffic light was broken; the police report says so.",
                terms=terms,
                at=NOW,
                home=city.settings.home,
                evidence=[photo],
            )
            case_id = case.case_id
    finally:
        engine.dispose()
    return case_id


def test_reviewer_overturns_an_appeal_and_the_points_go_back(
    city: City, sign_in: SignIn, other_riders_appeal: str
) -> None:
    page = sign_in("rene")
    page.goto(f"/dashboard/riders/{city.other_rider}")
    before = int(page.get_by_test_id("points").inner_text())
    assert before > 0
    page.click("nav a[href='/dashboard/appeals']")
    row = page.locator(f"tr[data-case='{other_riders_appeal}']")
    expect(row.locator(".badge").first).to_have_text(re.compile("on track|at risk|breached"))
    screenshot(page, "dashboard-appeal-queue")
    row.get_by_role("link", name=other_riders_appeal).click()
    expect(page.get_by_role("link", name="receipt.png")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("case.submitted")
    with page.expect_download() as download:
        page.get_by_role("link", name="receipt.png").click()
    assert download.value.suggested_filename == "receipt.png"
    page.select_option("#outcome", "overturned")
    page.fill("#reason", "The police report shows the light was out of order.")
    page.click("form[action$='/decide'] button[type=submit]")
    expect(page.locator("p.message.ok")).to_contain_text("decided")
    expect(page.get_by_test_id("case-status")).to_have_text("decided")
    expect(page.locator(".timeline")).to_contain_text("case.decided")
    screenshot(page, "dashboard-case-decided")
    page.goto(f"/dashboard/riders/{city.other_rider}")
    after = int(page.get_by_test_id("points").inner_text())
    assert after < before
    decision_row = page.locator(f"tr[data-decision='{city.other_points}']")
    expect(decision_row).to_contain_text("overturned")
    screenshot(page, "dashboard-rider-points-restored")


def test_ops_manager_approves_a_proposed_suspension(city: City, sign_in: SignIn) -> None:
    reviewer = sign_in("rene")
    reviewer.goto("/dashboard/approvals")
    proposal = reviewer.locator(f"#proposal-{city.suspension}")
    expect(proposal).to_be_visible()
    expect(proposal.get_by_role("button", name="Approve")).to_have_count(0)
    # The server refuses too, even with the reviewer's own valid CSRF token.
    token = reviewer.evaluate("document.querySelector('form.logout input[name=csrf_token]').value")
    refused = reviewer.request.post(
        f"/dashboard/approvals/{city.suspension}/approve",
        form={"csrf_token": token, "reason": "trying"},
    )
    assert refused.status == 403

    page = sign_in("olga")
    page.goto("/dashboard/approvals")
    proposal = page.locator(f"#proposal-{city.suspension}")
    expect(proposal).to_contain_text("suspension")
    proposal.get_by_role("button", name="Approve").click()  # no reason yet: the browser stops it
    expect(page.locator(f"#proposal-{city.suspension}")).to_be_visible()
    proposal.locator("textarea[name=reason]").fill(
        "The insurance lapsed on 10 January and was not renewed; riding uninsured is unsafe."
    )
    screenshot(page, "dashboard-approval-queue")
    proposal.get_by_role("button", name="Approve").click()
    expect(page.locator("p.message.ok")).to_contain_text("approved")
    expect(page.locator(f"#proposal-{city.suspension}")).to_have_count(0)
    engine = make_engine(city.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            decision = session.get(Decision, city.suspension)
            assert decision is not None
            assert (decision.status, decision.approved_by) == ("in_effect", "olga")
    finally:
        engine.dispose()


def test_fleet_manager_cannot_see_another_fleets_rider(city: City, sign_in: SignIn) -> None:
    page = sign_in("fred")
    page.goto(f"/dashboard/riders?q={city.foreign_rider}")
    expect(page.get_by_text("No rider matches")).to_be_visible()
    answer = page.goto(f"/dashboard/riders/{city.foreign_rider}")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    page.goto("/dashboard/riders")
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    fleets = rows.locator("td:nth-child(5)").all_inner_texts()
    assert fleets and set(fleets) == {city.fleet}
    page.goto(f"/dashboard/riders/{city.own_fleet_rider}")
    expect(page.get_by_text("Maria Souza")).to_be_visible()  # names: yes
    expect(page.get_by_text("+55 ••• ••• 4821")).to_be_visible()  # phones: masked
    screenshot(page, "dashboard-fleet-manager-rider")


def test_overview_leagues_and_policy_pages_render(city: City, sign_in: SignIn) -> None:
    page = sign_in("ada")
    expect(page.locator("h1")).to_have_text("KPI overview")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_text("Changes are against 2026-W02.")).to_be_visible()
    screenshot(page, "dashboard-overview")
    page.click("nav a[href='/dashboard/leagues']")
    expect(page.get_by_role("heading", name=re.compile("^Zones"))).to_be_visible()
    screenshot(page, "dashboard-leagues")
    page.goto("/dashboard/policy/current")
    expect(page.locator("tr[id='appeals.sla.resolution_hours']")).to_contain_text("336")
    screenshot(page, "dashboard-policy")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/dashboard/riders/{city.arabic_rider}")
    expect(page.get_by_text("Layla Haddad")).to_be_visible()  # an admin reads names in full
    screenshot(page, "dashboard-rider-375px")
