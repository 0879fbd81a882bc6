"""Which days of `rider_daily` are current, so that an evaluation rebuilds only the others.

A rider-day of `rider_daily` is made from the day facts (`warehouse.day_facts`), the
judgments of one policy version, the documents on file and the inspections' equipment
items of that day. `_built_days` holds, per policy version and day, what the stored rows
were built with: this release of the code (`warehouse.compiled.release`) and a digest of
the day's equipment items (inspections live in the app database, so they are compared
rather than tracked).

Everything else that changes a built day forgets it, in the same transaction as the change,
so a kill leaves either both or neither:

- an import batch forgets the days its new rows add day facts to (`forget_days`), and a
  batch of documents forgets every day (a document can change compliance on any day);
- judging days again (`responsibility.store.write_judgments`) forgets them for that policy
  version;
- rewriting overturned judgments (`evaluation.overrides.apply_overrides`) forgets their
  days for that policy version.

`stale_days` gives the days of a window to build again; `mark_built` records a build.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

BUILT_DAYS = "_built_days"
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {BUILT_DAYS} (policy_version VARCHAR NOT NULL, "
    "day DATE NOT NULL, built_as VARCHAR NOT NULL, checks VARCHAR NOT NULL)"
)


def forget_days(
    con: Any, days: str, params: Sequence[Any] = (), policy_version: str | None = None
) -> None:
    """Forgets the built days that `days` (SQL giving a column `day`, with `params`) lists,
    of every policy version or only of `policy_version`. Runs inside the caller's
    transaction."""
    con.execute(_DDL)
    version = "" if policy_version is None else " AND policy_version = ?"
    con.execute(
        f"DELETE FROM {BUILT_DAYS} WHERE day IN (SELECT day FROM ({days})){version}",
        [*params, *([] if policy_version is None else [policy_version])],
    )


def forget_range(con: Any, policy_version: str, first: date, last: date) -> None:
    """Forgets the days first..last (both included) of `policy_version`."""
    con.execute(_DDL)
    con.execute(
        f"DELETE FROM {BUILT_DAYS} WHERE policy_version = ? AND day >= ? AND day <= ?",
        [policy_version, first, last],
    )


def forget_all(con: Any) -> None:
    """Forgets every built day (a batch of documents). Runs inside the caller's transaction."""
    con.execute(_DDL)
    con.execute(f"DELETE FROM {BUILT_DAYS}")


def stale_days(
    con: Any, policy_version: str, built_as: str, checks: dict[date, str], first: date, end: date
) -> list[date]:
    """The days of [first, end) whose rows of `policy_version` must be built again: never
    built, forgotten since, built by another release (`built_as`), or with other equipment
    items than `checks` (day → digest; a day missing from it has none)."""
    con.execute(_DDL)
    rows = con.execute(
        f"SELECT day, built_as, checks FROM {BUILT_DAYS} "
        "WHERE policy_version = ? AND day >= ? AND day < ?",
        [policy_version, first, end],
    ).fetchall()
    built = {day: (made, digest) for day, made, digest in rows}
    stale = []
    day = first
    while day < end:
        if built.get(day) != (built_as, checks.get(day, "")):
            stale.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return stale


def mark_built(
    con: Any, policy_version: str, built_as: str, checks: dict[date, str], first: date, end: date
) -> None:
    """Records that the rows of the days [first, end) of `policy_version` were built by
    `built_as` with equipment items `checks`. Runs inside the caller's transaction."""
    con.execute(_DDL)
    con.execute(
        f"DELETE FROM {BUILT_DAYS} WHERE policy_version = ? AND day >= ? AND day < ?",
        [policy_version, first, end],
    )
    days = [date.fromordinal(n) for n in range(first.toordinal(), end.toordinal())]
    # One statement for the run of days (DuckDB's executemany runs one per row).
    rows = ", ".join("(?, ?, ?, ?)" for _ in days)
    values = [v for day in days for v in (policy_version, day, built_as, checks.get(day, ""))]
    con.execute(f"INSERT INTO {BUILT_DAYS} VALUES {rows}", values)
