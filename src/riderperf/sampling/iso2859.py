"""Decides single sampling plans by ISO 2859-1 / MIL-STD-105E: code letter, sample size, Ac, Re.

The tables are the standard's own, cell by cell: Table I (sample size code letters) and the
single sampling master tables for normal (II-A), tightened (II-B) and reduced (II-C)
inspection, with their arrows. A cell is a plan `Ac/Re`, `v` (use the first plan below the
arrow: the sample size grows with it), `^` (the first plan above) or `.` (no entry: only in
row S of II-B, which is reached from above only). Where the tables come from and how they
were checked is in docs/sampling.md.

Reduced inspection uses MIL-STD-105E Table II-C (also ISO 2859-1:1989), whose plans leave a
gap between Ac and Re: a count strictly between them accepts the lot but sends inspection
back to normal (MIL-STD-105E, ANSI/ASQ Z1.4 §10.1.4; see `switching.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["normal", "tightened", "reduced"]
SEVERITIES: tuple[Severity, ...] = ("normal", "tightened", "reduced")
LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
AQLS = (
    0.010, 0.015, 0.025, 0.040, 0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5,
    4.0, 6.5, 10.0, 15.0, 25.0, 40.0, 65.0, 100.0, 150.0, 250.0, 400.0, 650.0, 1000.0,
)  # fmt: skip
CODE_LETTERS = "ABCDEFGHJKLMNPQR"

# Table I: the largest lot of each range, then the code letter for S-1 S-2 S-3 S-4 I II III.
TABLE_I: tuple[tuple[int | None, str], ...] = (
    (8, "A A A A A A B"),
    (15, "A A A A A B C"),
    (25, "A A B B B C D"),
    (50, "A B B C C D E"),
    (90, "B B C C C E F"),
    (150, "B B C D D F G"),
    (280, "B C D E E G H"),
    (500, "B C D E F H J"),
    (1_200, "C C E F G J K"),
    (3_200, "C D E G H K L"),
    (10_000, "C D F G J L M"),
    (35_000, "C D F H K M N"),
    (150_000, "D E G J L N P"),
    (500_000, "D E G J M P Q"),
    (None, "D E H K N Q R"),  # 500,001 and over
)

# Sample sizes of the rows of Tables II-A and II-B (II-B adds S), and of Table II-C.
SAMPLE_SIZES: dict[str, int] = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80,
    "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000, "S": 3150,
}  # fmt: skip
REDUCED_SAMPLE_SIZES: dict[str, int] = {
    "A": 2, "B": 2, "C": 2, "D": 3, "E": 5, "F": 8, "G": 13, "H": 20, "J": 32,
    "K": 50, "L": 80, "M": 125, "N": 200, "P": 315, "Q": 500, "R": 800,
}  # fmt: skip

# Master tables: code letter -> 26 cells for AQL 0.010 ... 0.65 | 1.0 ... 1000 (as in AQLS).
TABLE_II_A: dict[str, str] = {
    "A": "v v v v v v v v v v | v v v v 0/1 v v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "v v v v v v v v v v | v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "v v v v v v v v v v | v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^",
    "D": "v v v v v v v v v v | v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^ ^",
    "E": "v v v v v v v v v v | 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^ ^ ^",
    "F": "v v v v v v v v v 0/1 | ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^",
    "G": "v v v v v v v v 0/1 ^ | v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^",
    "H": "v v v v v v v 0/1 ^ v | 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^",
    "J": "v v v v v v 0/1 ^ v 1/2 | 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "K": "v v v v v 0/1 ^ v 1/2 2/3 | 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "L": "v v v v 0/1 ^ v 1/2 2/3 3/4 | 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "M": "v v v 0/1 ^ v 1/2 2/3 3/4 5/6 | 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "N": "v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 | 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "P": "v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 | 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "Q": "0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 | 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "R": "^ ^ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 | ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
}  # fmt: skip

TABLE_II_B: dict[str, str] = {
    "A": "v v v v v v v v v v | v v v v v v v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28",
    "B": "v v v v v v v v v v | v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42",
    "C": "v v v v v v v v v v | v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^",
    "D": "v v v v v v v v v v | v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^ ^",
    "E": "v v v v v v v v v v | v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^ ^ ^",
    "F": "v v v v v v v v v v | 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^",
    "G": "v v v v v v v v v 0/1 | v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^",
    "H": "v v v v v v v v 0/1 v | v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^",
    "J": "v v v v v v v 0/1 v v | 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "K": "v v v v v v 0/1 v v 1/2 | 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "L": "v v v v v 0/1 v v 1/2 2/3 | 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "M": "v v v v 0/1 v v 1/2 2/3 3/4 | 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "N": "v v v 0/1 v v 1/2 2/3 3/4 5/6 | 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "P": "v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 | 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "Q": "v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 | 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "R": "0/1 ^ v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 | ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "S": ". . 1/2 . . . . . . . | . . . . . . . . . . . . . . . .",
}  # fmt: skip

TABLE_II_C: dict[str, str] = {
    "A": "v v v v v v v v v v | v v v v 0/1 v v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "v v v v v v v v v v | v v v 0/1 ^ v 0/2 1/3 2/4 3/5 5/6 7/8 10/11 14/15 21/22 30/31",
    "C": "v v v v v v v v v v | v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^",
    "D": "v v v v v v v v v v | v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^ ^",
    "E": "v v v v v v v v v v | 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^ ^ ^",
    "F": "v v v v v v v v v 0/1 | ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^",
    "G": "v v v v v v v v 0/1 ^ | v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^",
    "H": "v v v v v v v 0/1 ^ v | 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^",
    "J": "v v v v v v 0/1 ^ v 0/2 | 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "K": "v v v v v 0/1 ^ v 0/2 1/3 | 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "L": "v v v v 0/1 ^ v 0/2 1/3 1/4 | 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "M": "v v v 0/1 ^ v 0/2 1/3 1/4 2/5 | 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "N": "v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 | 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "P": "v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 | 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "Q": "0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 | 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    "R": "^ ^ 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 | ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
}  # fmt: skip

# severity -> (master table, sample size of each row)
MASTER_TABLES: dict[str, tuple[dict[str, str], dict[str, int]]] = {
    "normal": (TABLE_II_A, SAMPLE_SIZES),
    "tightened": (TABLE_II_B, SAMPLE_SIZES),
    "reduced": (TABLE_II_C, REDUCED_SAMPLE_SIZES),
}


class SamplingTableError(ValueError):
    """A lot size, level, AQL or severity the standard's tables do not have."""


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan: inspect `sample_size` units, accept the lot with at most
    `accept` nonconforming, reject it with `reject` or more.

    `code_letter` is Table I's; `plan_letter` is the row the arrows led to (its sample size
    is the plan's). `inspect_all` is set when the plan's sample reached the lot size, so the
    whole lot is inspected with the plan's Ac and Re.
    """

    code_letter: str
    sample_size: int
    accept: int
    reject: int
    plan_letter: str = ""
    inspect_all: bool = False

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape of `riderperf inspections sampling-plan --json`."""
        return {
            "code_letter": self.code_letter,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
        }


def normalise_level(level: str) -> str:
    text = level.strip().upper().replace("GENERAL ", "")
    text = {"1": "I", "2": "II", "3": "III"}.get(text, text)
    if text.startswith("S") and not text.startswith("S-"):
        text = "S-" + text[1:]
    if text not in LEVELS:
        raise SamplingTableError(
            f"inspection level {level!r} is not in Table I; use one of {', '.join(LEVELS)}"
        )
    return text


def aql_index(aql: float) -> int:
    """The column of `aql` in the master tables; only the standard's preferred AQLs exist."""
    for index, value in enumerate(AQLS):
        if abs(value - float(aql)) <= 1e-9 * max(1.0, value):
            return index
    listed = ", ".join(f"{a:g}" for a in AQLS)
    raise SamplingTableError(f"AQL {aql!r} is not one of the standard's AQLs: {listed}")


def code_letter(lot_size: int, level: str) -> str:
    """Table I: the sample size code letter of a lot for an inspection level.

    A lot of one unit is read in the 2-8 row (the table starts at 2): it is inspected whole.
    """
    if lot_size < 1:
        raise SamplingTableError(f"a lot needs at least one unit, not {lot_size}")
    column = LEVELS.index(normalise_level(level))
    for largest, letters in TABLE_I:
        if largest is None or lot_size <= largest:
            return letters.split()[column]
    raise AssertionError("Table I ends with an open range")


def master_cell(severity: str, letter: str, aql: float) -> str:
    """The cell of a master table as printed: `Ac/Re`, `v`, `^` or `.`."""
    return _cells(_master(severity)[0][letter])[aql_index(aql)]


def master_sample_size(severity: str, letter: str) -> int:
    """The sample size of a row of the master table of `severity`."""
    return _master(severity)[1][letter]


def follow_arrows(severity: str, letter: str, aql: float) -> tuple[str, int, int]:
    """The row letter, Ac and Re of the plan the cell of `letter` leads to (note to Tables
    II: at an arrow, use the first plan below or above it, with that plan's sample size)."""
    table = _master(severity)[0]
    rows = list(table)
    column = aql_index(aql)
    row = rows.index(letter)
    cell = _cells(table[letter])[column]
    step = {"v": 1, "^": -1}.get(cell, 0)
    while cell in ("v", "^"):
        row += step
        if not 0 <= row < len(rows):
            raise AssertionError(f"{severity} {letter} {aql}: the arrow leaves the table")
        cell = _cells(table[rows[row]])[column]
    if cell == ".":
        raise AssertionError(f"{severity} {letter} {aql}: the arrow ends on an empty cell")
    accept, reject = (int(part) for part in cell.split("/"))
    return rows[row], accept, reject


def single_sampling_plan(
    lot_size: int, level: str, aql: float, severity: str = "normal"
) -> SamplingPlan:
    """The single sampling plan for a lot: Table I, then the master table of `severity`.

    When the plan's sample size reaches or exceeds the lot size every unit is inspected
    (sample_size = lot_size), keeping the plan's Ac and Re (note to Tables II).
    """
    letter = code_letter(lot_size, level)
    plan_letter, accept, reject = follow_arrows(severity, letter, aql)
    size = master_sample_size(severity, plan_letter)
    inspect_all = size >= lot_size
    return SamplingPlan(
        code_letter=letter,
        sample_size=lot_size if inspect_all else size,
        accept=accept,
        reject=reject,
        plan_letter=plan_letter,
        inspect_all=inspect_all,
    )


def tighter_aql(aql: float) -> float | None:
    """The next smaller standard AQL (one step tighter), None below 0.010."""
    index = aql_index(aql)
    return AQLS[index - 1] if index else None


def _cells(row: str) -> list[str]:
    return [cell for cell in row.split() if cell != "|"]


def _master(severity: str) -> tuple[dict[str, str], dict[str, int]]:
    try:
        return MASTER_TABLES[severity]
    except KeyError:
        raise SamplingTableError(
            f"severity {severity!r} is not one of {', '.join(SEVERITIES)}"
        ) from None
