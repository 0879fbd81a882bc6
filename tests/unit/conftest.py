"""Fixtures of the unit tests: the default responsibility policy on a fixed day."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.params import JudgmentParams


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> JudgmentParams:
    """The bundled responsibility parameters in force on 2026-03-02, read on their own."""
    folder = tmp_path_factory.mktemp("policy")
    shutil.copy(default_policy_folder() / "responsibility.yaml", folder / "responsibility.yaml")
    return JudgmentParams.from_parameters(load_policy(Path(folder)).at(date(2026, 3, 2)))
