"""A crash in the middle of an import leaves each table as it was before its batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from tests.canonical_rows import order, rider, write_table

# Runs an import in a child process that kills itself with SIGKILL just before the
# orders batch would commit: no cleanup, no rollback, like a power cut.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import riderperf.ingest.load as load
    from riderperf.config import Settings
    from riderperf.ingest.service import import_path

    real_commit = load.commit_batch

    def commit_or_die(con, table):
        if table == "orders":
            os.kill(os.getpid(), signal.SIGKILL)
        real_commit(con, table)

    load.commit_batch = commit_or_die
    import_path(Path(sys.argv[1]), Settings(home=Path(sys.argv[2])))
    """
)


def test_killed_import_leaves_the_batch_out_and_a_rerun_converges(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider(f"R{i}") for i in range(50)])
    write_table(data, "orders", [order(f"O{i}", rider_id=f"R{i % 50}") for i in range(500)])

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(sqlite_settings.home)],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    con = duckdb.connect(str(sqlite_settings.warehouse_path))
    riders, orders = (
        con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in ("riders", "orders")
    )
    ledger = con.execute("SELECT table_name FROM _imports").fetchall()
    con.close()
    assert riders == (50,)  # committed before the crash
    assert orders == (0,)  # the killed batch left nothing behind
    assert ledger == [("riders",)]

    rerun = import_path(data, sqlite_settings)
    assert rerun.exit_code == 0
    assert rerun.tables["riders"].duplicates == 50
    assert rerun.tables["orders"].inserted == 500
