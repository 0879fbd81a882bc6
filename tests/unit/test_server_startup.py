"""Starting the HTTP app imports what serving needs, not the analytics stack: each worker of
`riderperf serve --workers N` imports `riderperf.server` and calls `create_app`, and a
worker that takes seconds to start is killed by uvicorn's supervisor."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from riderperf.config import Settings

# The analytics and report stack (Spark's Python side included), and the rule engine (which
# compiles its grammar when imported): each is loaded by the first request or command that
# uses it.
HEAVY = [
    "duckdb",
    "ibis",
    "matplotlib",
    "numpy",
    "pandas",
    "plotly",
    "py4j",
    "pyarrow",
    "pyspark",
    "rule_engine",
    "scipy",
    "sklearn",
    "weasyprint",
]

STARTUP = """
import json, sys
from riderperf.server import create_app
create_app()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_create_app_loads_no_analytics_library(sqlite_settings: Settings) -> None:
    env = os.environ | {"RIDERPERF_HOME": str(sqlite_settings.home)}
    env.pop("RIDERPERF_DATABASE_URL", None)
    env.pop("RIDERPERF_WAREHOUSE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", STARTUP],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert sorted(loaded & set(HEAVY)) == []
