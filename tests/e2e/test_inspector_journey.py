"""An inspector on a phone: opens this week's plan, checks a planned rider, is told clearly
what is missing, records a failed helmet and sees by when it must be put right."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from riderperf.sampling.service import plan_inspections
from riderperf.storage.db import make_engine, unit_of_work
from tests.e2e.city import NOW, City
from tests.e2e.helpers import SignIn, screenshot

pytestmark = pytest.mark.e2e
PHONE = 375
ANSWERS = {
    "reflective_gear": "pass",
    "box_hygiene": "pass",
    "uniform": "pass",
}
CHOICES = {
    "helmet": "worn_unfastened",
    "box_condition": "intact",
    "id_and_licence": "valid",
    "service_script": "followed",
    "safe_riding": "safe",
}


@pytest.fixture(scope="module")
def planned_rider(city: City) -> str:
    """This week's plan (2026-W04), made as an operations manager would; a rider drawn in it
    whom no other journey uses."""
    engine = make_engine(city.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            plan = plan_inspections(session, None, "2026-W04", budget=8, seed=11, at=NOW)
    finally:
        engine.dispose()
    busy = {city.arabic_rider, city.other_rider, city.own_fleet_rider, city.foreign_rider}
    drawn = [s.rider_id for lot in plan.lots for s in lot.selected]
    return next(r for r in drawn if r not in busy)


def fits_the_screen(page: object) -> bool:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    return bool(width <= PHONE)


def test_an_inspector_records_a_failed_helmet_on_a_phone_and_sees_the_due_date(
    sign_in: SignIn, planned_rider: str, tmp_path: Path
) -> None:
    page = sign_in("ines", width=PHONE)
    page.click("nav >> text=Inspections")
    expect(page.locator("h1")).to_contain_text("2026-W04")
    planned = page.locator(f"#planned-{planned_rider}")
    expect(planned).to_contain_text("To check")
    assert fits_the_screen(page)
    screenshot(page, "inspector-plan")

    planned.locator("text=Open the checklist").click()
    expect(page.locator("h1")).to_contain_text(planned_rider)
    page.click("text=Record the inspection")  # nothing answered yet
    expect(page.locator("#problems")).to_contain_text("missing answer")
    expect(page.locator(".message.error").first).to_contain_text("not recorded")

    for code, value in ANSWERS.items():
        page.check(f"input[name='item:{code}'][value='{value}']")
    for code, value in CHOICES.items():
        page.select_option(f"select[name='item:{code}']", value)
    photo = tmp_path / "helmet.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"unfastened strap" * 40)
    page.set_input_files("input[name='photo:helmet']", photo)
    page.fill("#place", "Rua Augusta")
    assert fits_the_screen(page)
    screenshot(page, "inspector-form")
    page.click("text=Record the inspection")

    expect(page.locator("[role=status]")).to_contain_text("recorded")
    failed = page.locator("#failed-helmet")
    expect(failed).to_contain_text("Helmet worn and fastened")
    expect(failed).to_contain_text("critical")
    due = (NOW.date() + timedelta(days=2)).isoformat()
    expect(failed.locator(f"time[datetime='{due}']")).to_be_visible()
    expect(page.locator("#score")).not_to_have_text("100%")
    assert fits_the_screen(page)
    screenshot(page, "inspector-result")

    page.click("text=Back to the plan")
    expect(page.locator(f"#planned-{planned_rider}")).to_contain_text("Inspected")


def test_a_reviewer_cannot_open_the_inspector_pages(sign_in: SignIn) -> None:
    page = sign_in("rene")
    assert page.locator("nav >> text=Inspections").count() == 0
    answer = page.goto("/inspector")
    assert answer is not None and answer.status == 403


def test_the_inspector_pages_speak_the_phones_language(sign_in: SignIn, planned_rider: str) -> None:
    page = sign_in("ines", width=PHONE, locale="pt-BR")
    page.goto("/inspector")
    expect(page.locator("h1")).to_contain_text("Inspeções de 2026-W04")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    page.goto(f"/inspector/riders/{planned_rider}")
    expect(page.locator("button[type=submit]").last).to_have_text("Registrar a inspeção")
