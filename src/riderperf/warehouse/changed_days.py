"""Which days' judgments are out of date, so that an evaluation judges only those again.

Every import batch records, in its own transaction, the UTC days whose judgments its new
rows can change (`record_batch`), under a batch number that only grows:

- orders: the day each new order was created (its late or cancelled judgment);
- complaints: the day each new complaint was made;
- incidents naming an order: that order's day (an at-fault accident is evidence about its
  lateness) and the days of the complaints about that order (their judgment reads the
  order's);
- ratings naming an order: the days of the complaints about that order (a rating's tags
  are evidence of damaged packaging).

Riders, offers and documents change no judgment: a stored rider row never changes, and an
order can only name a rider who is already stored.

`write_judgments` records in `_judged_days` each day it judged: under which policy
version, with which inputs (`judged_as`, a digest of the judgment parameters and of this
release of the code) and up to which batch. `stale_days` gives the days of a window that
must be judged again: never judged under that version, judged with other inputs, or
changed by a later batch.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

CHANGED_DAYS = "_changed_days"
JUDGED_DAYS = "_judged_days"
_CHANGED_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CHANGED_DAYS} (day DATE NOT NULL, batch BIGINT NOT NULL)"
)
_JUDGED_DDL = (
    f"CREATE TABLE IF NOT EXISTS {JUDGED_DAYS} (policy_version VARCHAR NOT NULL, "
    "day DATE NOT NULL, judged_as VARCHAR NOT NULL, batch BIGINT NOT NULL)"
)
_NEW = "_changed_days_new"


def _complaint_days(order_ids: str) -> str:
    return (
        "SELECT CAST(c.created_at AS DATE) AS day FROM complaints c "
        f"WHERE c.order_id IN ({order_ids})"
    )


def _days_sql(source: str, rows: str) -> str | None:
    """SQL giving the days (column `day`, UTC: the connection's time zone) whose judgments
    the rows of `rows`, new rows of canonical table `source`, can change."""
    if source in ("orders", "complaints"):
        return f"SELECT CAST(created_at AS DATE) AS day FROM {rows}"
    named = f"SELECT order_id FROM {rows} WHERE order_id IS NOT NULL"
    if source == "incidents":
        return (
            "SELECT CAST(o.created_at AS DATE) AS day FROM orders o "
            f"WHERE o.order_id IN ({named}) UNION ALL {_complaint_days(named)}"
        )
    if source == "ratings":
        return _complaint_days(named)
    return None


def record_batch(con: Any, source: str, rows: str) -> int:
    """Records the days the new rows in `rows` (canonical column names) of table `source`
    change, under a new batch number; returns how many days. Runs inside the caller's
    transaction."""
    days = _days_sql(source, rows)
    if days is None:
        return 0
    con.execute(_CHANGED_DDL)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_NEW} AS SELECT DISTINCT day FROM ({days}) "
        "WHERE day IS NOT NULL"
    )
    batch = latest_batch(con) + 1
    con.execute(f"DELETE FROM {CHANGED_DAYS} WHERE day IN (SELECT day FROM {_NEW})")
    con.execute(f"INSERT INTO {CHANGED_DAYS} SELECT day, ? FROM {_NEW}", [batch])
    found = con.execute(f"SELECT count(*) FROM {_NEW}").fetchall()
    con.execute(f"DROP TABLE {_NEW}")
    return int(found[0][0])


def latest_batch(con: Any) -> int:
    """The number of the last batch that changed a day (0 before any)."""
    con.execute(_CHANGED_DDL)
    rows = con.execute(f"SELECT coalesce(max(batch), 0) FROM {CHANGED_DAYS}").fetchall()
    return int(rows[0][0])


def stale_days(con: Any, policy_version: str, judged_as: str, first: date, end: date) -> list[date]:
    """The days of [first, end) whose judgments under `policy_version` must be made again:
    never judged, judged with inputs other than `judged_as`, or changed since."""
    con.execute(_CHANGED_DDL)
    con.execute(_JUDGED_DDL)
    rows = con.execute(
        f"""
        SELECT CAST(d.day AS DATE) FROM range(CAST(? AS DATE), CAST(? AS DATE),
            INTERVAL 1 DAY) AS d(day)
        LEFT JOIN {JUDGED_DAYS} j ON j.day = d.day AND j.policy_version = ?
        LEFT JOIN {CHANGED_DAYS} c ON c.day = d.day
        WHERE j.day IS NULL OR j.judged_as <> ? OR coalesce(c.batch, 0) > j.batch
        ORDER BY 1
        """,
        [first, end, policy_version, judged_as],
    ).fetchall()
    return [r[0] for r in rows]


def mark_judged(
    con: Any, policy_version: str, judged_as: str, first: date, end: date, batch: int
) -> None:
    """Records that the days [first, end) were judged under `policy_version` with inputs
    `judged_as` as they stood after `batch`. Runs inside the caller's transaction."""
    con.execute(_JUDGED_DDL)
    con.execute(
        f"DELETE FROM {JUDGED_DAYS} WHERE policy_version = ? AND day >= ? AND day < ?",
        [policy_version, first, end],
    )
    con.execute(
        f"INSERT INTO {JUDGED_DAYS} SELECT ?, CAST(day AS DATE), ?, ? "
        "FROM range(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 DAY) AS d(day)",
        [policy_version, judged_as, batch, first, end],
    )


def day_runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days [start, end)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + timedelta(days=1))
        else:
            runs.append((day, day + timedelta(days=1)))
    return runs
