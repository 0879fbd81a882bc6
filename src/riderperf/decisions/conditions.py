"""Compiles a rule condition with the typed facts context and reports what is wrong with it.

The rule engine refuses unknown names and operations on the wrong types when a condition
is compiled with a typed context; on top, `==` / `!=` between a number and text (legal for
the engine, always false) is reported, and so is a condition that is not true or false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from riderperf.decisions.facts import fact_types

if TYPE_CHECKING:
    import rule_engine

# The rule engine is imported by each function: it compiles its grammar when imported
# (about 0.4 s), and the web server imports this module without checking a rule.


def typed_context(symbols: Mapping[str, Any]) -> rule_engine.Context:
    """A context knowing every fact name and the given extra names (policy thresholds)."""
    import rule_engine

    return rule_engine.Context(
        type_resolver=rule_engine.type_resolver_from_dict(fact_types() | dict(symbols))
    )


def compile_condition(
    where: str, text: Any, context: rule_engine.Context, problems: list[str]
) -> rule_engine.Rule | None:
    import rule_engine

    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}.when: a condition is needed (for example `late >= 3`)")
        return None
    try:
        compiled = rule_engine.Rule(text, context=context)
    except rule_engine.errors.SymbolResolutionError as exc:
        hint = f"; did you mean {exc.suggestion!r}?" if exc.suggestion else ""
        problems.append(f"{where}.when: unknown name {exc.symbol_name!r}{hint}")
        return None
    except rule_engine.errors.EngineError as exc:
        problems.append(f"{where}.when: {exc.message} in `{text}`")
        return None
    expression = compiled.statement.expression
    if expression.result_type not in (rule_engine.DataType.BOOLEAN, rule_engine.DataType.UNDEFINED):
        problems.append(f"{where}.when: the condition must be true or false, not a value")
    for left, right in _mixed_comparisons(expression):
        problems.append(f"{where}.when: compares {left} with {right} in `{text}`")
    return compiled


def _mixed_comparisons(node: Any) -> list[tuple[str, str]]:
    """`==`/`!=` between a number and text: legal for the engine, always a policy mistake."""
    import rule_engine.ast

    scalar_types = (rule_engine.DataType.FLOAT, rule_engine.DataType.STRING)
    found: list[tuple[str, str]] = []
    if isinstance(node, rule_engine.ast.ComparisonExpression):
        left, right = node.left.result_type, node.right.result_type
        if left in scalar_types and right in scalar_types and left != right:
            found.append((_type_name(left), _type_name(right)))
    for name in ("left", "right", "expression", "condition", "case_true", "case_false"):
        child = getattr(node, name, None)
        if isinstance(child, rule_engine.ast.ExpressionBase):
            found += _mixed_comparisons(child)
    return found


def _type_name(data_type: Any) -> str:
    import rule_engine

    return "a number" if data_type == rule_engine.DataType.FLOAT else "text"
