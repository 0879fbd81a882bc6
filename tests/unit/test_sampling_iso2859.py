"""ISO 2859-1 / MIL-STD-105E single sampling: published points checked by hand, and the
structure of the tables over every lot size range, level, AQL and severity."""

from __future__ import annotations

import math

import pytest

from riderperf.sampling.iso2859 import (
    AQLS,
    CODE_LETTERS,
    LEVELS,
    MASTER_TABLES,
    SEVERITIES,
    TABLE_I,
    SamplingTableError,
    code_letter,
    follow_arrows,
    master_cell,
    master_sample_size,
    single_sampling_plan,
)

# (lot size, level, AQL, severity) -> (code letter, n, Ac, Re); the comment names the cell.
PUBLISHED = [
    ((2000, "II", 1.0, "normal"), ("K", 125, 3, 4)),  # Table I 1,201-3,200/II; II-A K/1.0
    ((1000, "II", 2.5, "normal"), ("J", 80, 5, 6)),  # Table I 501-1,200/II; II-A J/2.5
    ((500, "II", 4.0, "normal"), ("H", 50, 5, 6)),  # Table I 281-500/II; II-A H/4.0
    ((5000, "II", 2.5, "normal"), ("L", 200, 10, 11)),  # II-A L/2.5
    ((5000, "II", 4.0, "normal"), ("L", 200, 14, 15)),  # II-A L/4.0
    ((3000, "II", 4.0, "normal"), ("K", 125, 10, 11)),  # II-A K/4.0
    ((20000, "II", 2.5, "normal"), ("M", 315, 14, 15)),  # Table I 10,001-35,000; II-A M/2.5
    ((50, "II", 2.5, "normal"), ("D", 5, 0, 1)),  # II-A D/2.5 is an up arrow: C/2.5, n = 5
    ((50, "II", 4.0, "normal"), ("D", 13, 1, 2)),  # II-A D/4.0 down arrow: E/4.0, n = 13
    ((150, "II", 1.5, "normal"), ("F", 32, 1, 2)),  # II-A F/1.5 down arrow: G/1.5, n = 32
    ((10, "II", 6.5, "normal"), ("B", 2, 0, 1)),  # II-A B/6.5 up arrow: A/6.5, n = 2
    ((100, "I", 1.0, "normal"), ("D", 13, 0, 1)),  # Table I 91-150/I = D; down to E/1.0
    ((100000, "III", 0.65, "normal"), ("P", 800, 10, 11)),  # 35,001-150,000/III = P
    ((600000, "III", 0.010, "normal"), ("R", 1250, 0, 1)),  # II-A R/0.010 up: Q/0.010
    ((600000, "II", 0.010, "normal"), ("Q", 1250, 0, 1)),  # II-A Q/0.010
    ((2000, "S-4", 2.5, "normal"), ("G", 32, 2, 3)),  # Table I 1,201-3,200/S-4 = G
    ((2000, "S-1", 2.5, "normal"), ("C", 5, 0, 1)),  # Table I S-1 = C; II-A C/2.5
    ((2000, "II", 1.0, "tightened"), ("K", 125, 2, 3)),  # II-B K/1.0
    ((5000, "II", 2.5, "tightened"), ("L", 200, 8, 9)),  # II-B L/2.5
    ((2000000, "II", 0.025, "tightened"), ("Q", 3150, 1, 2)),  # II-B Q/0.025 down to S
    ((2000, "II", 1.0, "reduced"), ("K", 50, 1, 4)),  # II-C K/1.0
    ((5000, "II", 2.5, "reduced"), ("L", 80, 5, 8)),  # II-C L/2.5
    ((1000, "II", 10.0, "reduced"), ("J", 32, 7, 10)),  # II-C J/10
]


@pytest.mark.parametrize(("lot", "expected"), PUBLISHED)
def test_published_plans_are_found(
    lot: tuple[int, str, float, str], expected: tuple[str, int, int, int]
) -> None:
    plan = single_sampling_plan(*lot)
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == expected


def test_sample_reaching_the_lot_inspects_every_unit_with_the_plans_numbers() -> None:
    # A lot of 5 (code A) at AQL 10: the arrow leads to C/10, 1/2 with n = 5 = the lot.
    plan = single_sampling_plan(5, "II", 10.0)
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == ("A", 5, 1, 2)
    assert plan.inspect_all
    # A lot of 3 at AQL 0.65 leads to F's n = 20: the whole lot, still Ac 0 Re 1.
    small = single_sampling_plan(3, "II", 0.65)
    assert (small.sample_size, small.accept, small.reject, small.inspect_all) == (3, 0, 1, True)


def test_as_dict_has_exactly_the_cli_keys() -> None:
    assert single_sampling_plan(2000, "II", 1.0).as_dict() == {
        "code_letter": "K",
        "sample_size": 125,
        "accept": 3,
        "reject": 4,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2000, "II", 1.2, "normal"), "not one of the standard's AQLs"),
        ((2000, "IV", 1.0, "normal"), "not in Table I"),
        ((0, "II", 1.0, "normal"), "at least one unit"),
        ((2000, "II", 1.0, "strict"), "severity"),
    ],
)
def test_values_outside_the_tables_are_refused_with_a_reason(
    args: tuple[int, str, float, str], message: str
) -> None:
    with pytest.raises(SamplingTableError, match=message):
        single_sampling_plan(*args)


def _lot_sizes() -> list[int]:
    sizes, low = [], 2
    for largest, _ in TABLE_I:
        high = largest if largest is not None else 10_000_000
        sizes += [low, high]
        low = high + 1
    return sizes


def test_every_table_row_has_26_cells_of_the_three_kinds() -> None:
    for table, sizes in MASTER_TABLES.values():
        assert set(table) <= set(sizes)
        for row in table.values():
            cells = [c for c in row.split() if c != "|"]
            assert len(cells) == len(AQLS)
            for cell in cells:
                assert cell in ("v", "^", ".") or (
                    "/" in cell and all(part.isdigit() for part in cell.split("/"))
                )


def test_every_lot_level_aql_and_severity_lands_on_a_plan() -> None:
    for lot in _lot_sizes():
        for level in LEVELS:
            for aql in AQLS:
                for severity in SEVERITIES:
                    plan = single_sampling_plan(lot, level, aql, severity)
                    assert 1 <= plan.sample_size <= lot
                    assert plan.accept < plan.reject
                    table_size = master_sample_size(severity, plan.plan_letter)
                    assert plan.inspect_all == (table_size >= lot)
                    if not plan.inspect_all:
                        assert plan.sample_size == table_size


def test_normal_and_tightened_reject_one_above_accept_and_reduced_never_below() -> None:
    for severity in SEVERITIES:
        for letter in CODE_LETTERS:
            for aql in AQLS:
                _, accept, reject = follow_arrows(severity, letter, aql)
                if severity == "reduced":
                    assert reject >= accept + 1
                else:
                    assert reject == accept + 1


def test_acceptance_numbers_come_from_the_standards_series() -> None:
    series = {
        "normal": {0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44},
        "tightened": {0, 1, 2, 3, 5, 8, 12, 18, 27, 41},
        "reduced": {0, 1, 2, 3, 5, 7, 10, 14, 21, 30},
    }
    for severity in SEVERITIES:
        table = MASTER_TABLES[severity][0]
        found = {int(c.split("/")[0]) for row in table.values() for c in row.split() if "/" in c}
        assert found == series[severity]


def _accept_probability(n: int, accept: int, rate: float) -> float:
    mean = n * rate
    return sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(accept + 1))


def test_tightened_is_never_looser_than_normal() -> None:
    rates = [r / 1000 for r in (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000)]
    for letter in CODE_LETTERS:
        for aql in AQLS:
            normal = follow_arrows("normal", letter, aql)
            tight = follow_arrows("tightened", letter, aql)
            n_normal = master_sample_size("normal", normal[0])
            n_tight = master_sample_size("tightened", tight[0])
            if n_normal == n_tight:
                assert tight[1] <= normal[1]
            for rate in [aql / 100, *rates]:
                assert _accept_probability(n_tight, tight[1], rate) <= (
                    _accept_probability(n_normal, normal[1], rate) + 1e-12
                ), (letter, aql, rate)


def test_code_letters_rise_with_lot_size_and_with_the_level() -> None:
    order = CODE_LETTERS.index
    sizes = _lot_sizes()
    for level in LEVELS:
        letters = [order(code_letter(size, level)) for size in sizes]
        assert letters == sorted(letters)
    for size in sizes:
        special = [order(code_letter(size, lv)) for lv in ("S-1", "S-2", "S-3", "S-4")]
        general = [order(code_letter(size, lv)) for lv in ("I", "II", "III")]
        assert special == sorted(special) and general == sorted(general)
        assert special[-1] <= general[1]  # S-4 never asks more than level II


def test_arrows_point_to_the_next_plan_in_their_direction() -> None:
    # II-A: the up-arrow diagonal sits right of 0/1, the down-arrow one left of 1/2.
    assert master_cell("normal", "K", 0.15) == "^"
    assert master_cell("normal", "K", 0.25) == "v"
    assert follow_arrows("normal", "K", 0.15) == ("J", 0, 1)
    assert follow_arrows("normal", "K", 0.25) == ("L", 1, 2)
    # Past the right edge the plans above are used: K/15 takes J's 21/22.
    assert follow_arrows("normal", "K", 15.0) == ("J", 21, 22)
    # Row S of II-B only holds the plan reached from R/0.025.
    assert follow_arrows("tightened", "R", 0.025) == ("S", 1, 2)


def test_level_and_aql_spellings_are_accepted() -> None:
    assert code_letter(2000, "ii") == code_letter(2000, "2") == "K"
    assert code_letter(2000, "S4") == "G"
    assert single_sampling_plan(2000, "II", 1).sample_size == 125
    assert code_letter(1, "II") == "A"
