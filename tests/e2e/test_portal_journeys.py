"""A rider reads their score in their own language on a phone and appeals a penalty."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, expect

from tests.e2e.city import City
from tests.e2e.helpers import SignIn, screenshot

pytestmark = pytest.mark.e2e
PHONE = 375


def test_arabic_rider_reads_their_score_right_to_left(city: City, sign_in: SignIn) -> None:
    page = sign_in("layla", width=PHONE, locale="ar")
    assert page.url.endswith("/portal")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("نتيجتي")
    expect(page.get_by_test_id("score")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})?$"))
    expect(page.get_by_test_id("tier")).to_contain_text("المستوى")
    expect(page.get_by_test_id("points")).to_contain_text("نقاط جزاء")
    expect(page.get_by_text("السبب: ما يمنحك إياه كل جزء من نتيجتك")).to_be_visible()
    # Nothing may be wider than the phone: no sideways scrolling on a 375 px screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "portal-ar-score-375px")
    page.click("a[href='/portal/notices']")
    expect(page.locator("h1")).to_have_text("الإشعارات")
    expect(page.locator("li[dir=rtl]").first).to_be_visible()
    screenshot(page, "portal-ar-notices-375px")


def test_rider_reads_their_score_in_their_language(city: City, sign_in: SignIn) -> None:
    page = sign_in("other", width=PHONE)
    lang = page.locator("html").get_attribute("lang") or ""
    assert lang.split("-")[0] in ("zh", "hi", "pt")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).not_to_have_text("My score")
    screenshot(page, f"portal-{lang}-score-375px")


def test_arabic_rider_appeals_a_penalty_with_evidence(city: City, sign_in: SignIn) -> None:
    page = sign_in("layla", width=PHONE, locale="ar")
    page.click("a[href='/portal/decisions']")
    item = page.locator(f"li[data-decision='{city.arabic_points}']")
    expect(item).to_contain_text("نقاط جزاء")
    appeal = item.locator("details.appeal")
    expect(appeal.locator("summary")).to_contain_text("حتى")  # the deadline is shown
    appeal.locator("summary").click()
    appeal.locator("textarea[name=statement]").fill(
        "لم أكن مسرعًا: سجل نظام تحديد المواقع يُظهر سرعة عادية."
    )
    trace: FilePayload = {
        "name": "gps-trace.csv",
        "mimeType": "text/csv",
        "buffer": b"t,kmh\n0,31\n",
    }
    appeal.locator("input[type=file]").set_input_files(files=[trace])
    screenshot(page, "portal-ar-appeal-form-375px")
    appeal.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/portal/cases/case-"))
    expect(page.locator("p.message.ok")).to_have_text("تم إرسال اعتراضك. سيراجعه شخص مختص.")
    expect(page.get_by_test_id("case-status")).to_have_text("تم الاستلام")
    expect(page.get_by_test_id("case-due")).to_contain_text("2026")  # the resolution due date
    expect(page.get_by_role("link", name="gps-trace.csv")).to_be_visible()
    screenshot(page, "portal-ar-case-375px")
    # The decision now links to the appeal instead of offering a second one.
    page.click("a[href='/portal/decisions']")
    item = page.locator(f"li[data-decision='{city.arabic_points}']")
    expect(item.locator("details.appeal")).to_have_count(0)
    expect(item.locator("a[href^='/portal/cases/']")).to_be_visible()


def test_rider_cannot_open_the_dashboard_or_another_riders_appeal(
    city: City, sign_in: SignIn
) -> None:
    page = sign_in("other", width=PHONE)
    page.goto("/dashboard/riders")
    assert page.url.endswith("/portal")
    answer = page.goto("/portal/cases/case-doesnotexist")
    assert answer is not None and answer.status == 404


def test_a_refused_appeal_is_explained_on_the_page(city: City, sign_in: SignIn) -> None:
    page = sign_in("other", width=PHONE)
    token = page.evaluate("document.querySelector('form.logout input[name=csrf_token]').value")
    form = {"csrf_token": token, "subject_type": "decision", "statement": "not me"}
    refused = page.request.post("/portal/appeals", form={**form, "subject_id": "d-nope"})
    assert refused.status == 409
    assert "d-nope" in refused.text() and "Traceback" not in refused.text()
    forged = page.request.post("/portal/appeals", form={**form, "csrf_token": "forged"})
    assert forged.status == 403


def test_a_keyboard_user_skips_to_the_content_in_their_language(
    city: City, sign_in: SignIn
) -> None:
    page = sign_in("layla", width=PHONE, locale="ar")
    skip = page.locator("a.skip")
    expect(skip).to_have_text("انتقل إلى المحتوى")
    expect(skip).not_to_be_in_viewport()  # off screen until tabbed to
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    icon = page.request.get("/static/favicon.svg")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
