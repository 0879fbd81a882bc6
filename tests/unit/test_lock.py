"""The environment the tests run in is the one requirements.lock describes: every package
pyproject.toml asks for is locked, and every locked version is the one installed."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {normalised(name): pin for name, pin in PIN.findall(text)}


def requested() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    return {normalised(re.split(r"[\[<>=!~ ;]", spec, maxsplit=1)[0]) for spec in wanted}


def test_every_requested_package_is_locked_to_one_version() -> None:
    assert requested() - set(locked()) == set(), "run `make lock` after editing pyproject.toml"


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    wrong = {}
    for name, pin in locked().items():
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "missing"
        if found != pin:
            wrong[name] = (found, pin)
    assert wrong == {}, "(installed, locked) differ; `make test` reinstalls from the lock"
