"""Compares gettext plural rules by what they compute, not by how they are spelled.

Babel's releases write the same rule with different spacing and parentheses (2.19 spells
the Arabic expression with spaces), so two rules are the same when they give the same form
for every count a notice or page can show."""

from __future__ import annotations

import gettext

COUNTS = range(201)


def plural_forms(expression: str) -> list[int]:
    """The form index the gettext expression picks for n = 0…200."""
    rule = gettext.c2py(expression)
    return [rule(n) for n in COUNTS]


def assert_same_plural_rule(
    found: tuple[int, str], expected: tuple[int, str], language: str
) -> None:
    """`found` and `expected` are (number of forms, expression) pairs."""
    assert found[0] == expected[0], f"{language}: {found[0]} plural forms, want {expected[0]}"
    assert plural_forms(found[1]) == plural_forms(expected[1]), (
        f"{language}: the plural expression {found[1]!r} picks other forms than {expected[1]!r}"
    )
