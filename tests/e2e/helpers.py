"""What the browser tests share besides fixtures: the sign-in callable's type and the
screenshots they leave under test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

SignIn = Callable[..., Page]


def screenshot(page: Page, name: str) -> Path:
    """Saves a full-page screenshot under test-artifacts/screenshots/ (not in git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
