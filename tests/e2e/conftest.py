"""Browser tests: the real app under uvicorn on a free local port, over a simulated city, driven
by Debian's Chromium through Playwright. They run whenever /usr/bin/chromium exists, and in CI
(CI=true) a missing Chromium is a failure, not a skip."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from riderperf.clock import Clock
from riderperf.server import create_app
from tests.e2e.city import NOW, PASSWORD, City, build_city
from tests.e2e.helpers import SignIn
from tests.live import serving

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the web pages in a real headless Chromium")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`)"
        if IN_CI:
            pytest.fail(f"the browser tests must run in CI, but {message}")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def city(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> City:
    return build_city(tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("dataset"))


def moving_clock(start: datetime) -> Clock:
    """Time runs from `start` as it runs on the wall: moves keep their order."""
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


@pytest.fixture(scope="session")
def base_url(city: City) -> Iterator[str]:
    with serving(create_app(city.settings, clock=moving_clock(NOW))) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def sign_in(browser: Browser, base_url: str) -> Iterator[SignIn]:
    """Opens a fresh browser context (own cookies) and signs `username` in. Whatever the
    test does next, no page may break the Content-Security-Policy (the browser reports each
    blocked script, style or frame on the console)."""
    contexts = []
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.location.get('url')}: {message.text}")

    def open_as(username: str, *, width: int = 1280, locale: str = "en-US") -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=locale, base_url=base_url
        )
        contexts.append(context)
        context.on("console", watch)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{username} could not sign in"
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not refused, "\n".join(refused)
