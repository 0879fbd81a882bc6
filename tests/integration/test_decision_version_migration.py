"""Migration 0013 on a database with decisions: each starts at version 1, and the column
comes and goes in place while the points ledger points at the decisions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from riderperf.config import Settings
from riderperf.storage.db import alembic_config, make_engine, upgrade

# The database starts empty: this test runs the migrations itself.
pytestmark = pytest.mark.replays_migrations


def test_migration_0013_starts_decisions_at_version_1_and_downgrades(settings: Settings) -> None:
    engine = make_engine(settings.app_database_url)
    try:
        command.upgrade(alembic_config(engine), "0012")
        with engine.begin() as con:
            con.execute(
                sa.text(
                    "INSERT INTO decisions (decision_id, decision_key, rider_id, kind, status, "
                    "rule_id, policy_version, period, period_end, inputs, reason_params, "
                    "created_at) VALUES ('d1', 'k1', 'R1', 'points', 'in_effect', 'r', 'v', "
                    "'2026-W45', '2026-11-09', '{}', '{}', '2026-11-09 08:00:00+00:00')"
                )
            )
            con.execute(
                sa.text(
                    "INSERT INTO points_ledger (decision_id, rider_id, points, effective_on, "
                    "expires_on, created_at) VALUES ('d1', 'R1', 2, '2026-11-09', "
                    "'2027-05-08', '2026-11-09 08:00:00+00:00')"
                )
            )
        upgrade(engine)  # with a ledger entry pointing at the decision: no table is copied
        with engine.connect() as con:
            assert con.execute(sa.text("SELECT version FROM decisions")).scalar() == 1
        command.downgrade(alembic_config(engine), "0012")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("decisions")}
        assert "version" not in columns
        upgrade(engine)
        with engine.connect() as con:
            assert con.execute(sa.text("SELECT count(*) FROM points_ledger")).scalar() == 1
    finally:
        engine.dispose()
