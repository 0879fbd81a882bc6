"""Alembic environment: runs migrations on the engine handed over by riderperf."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

import riderperf.audit.orm  # audit_events, audit_head
import riderperf.cases.orm  # cases, case_evidence
import riderperf.decisions.orm  # decisions, points_ledger
import riderperf.evaluation.orm  # evaluations, scorecards on Base.metadata
import riderperf.evaluation.overrides  # judgment_overrides
import riderperf.inspections.orm  # checklist templates, inspections, violations
import riderperf.notices.orm  # notices
import riderperf.policy.orm  # policy_versions
import riderperf.sampling.orm  # inspection plans, lots, selections, switching
import riderperf.users.orm  # noqa: F401  (users; each import puts its tables on Base.metadata)
from riderperf.storage.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no engine or sqlalchemy.url given to the migrations")
    engine = create_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
