"""The decide use case: turn a period's published evaluation into rewards and penalties.

Decisions follow the period's published evaluation (`evaluation.published`; never a
scenario) and the rules of that evaluation's policy version, with the values in force on the
period's first day. Running it again for the same period and version creates nothing new:
every decision has a unique key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from riderperf.common.periods import Period, parse_period
from riderperf.config import Settings
from riderperf.decisions.effects import aware_utc
from riderperf.decisions.facts import ViolationLike
from riderperf.decisions.ledger import rider_histories
from riderperf.decisions.plan import plan_rider
from riderperf.decisions.records import DecisionError, decide_key, existing_keys, store_draft
from riderperf.decisions.rules import load_rulebook
from riderperf.decisions.sources import collect_facts
from riderperf.evaluation.published import published_evaluation
from riderperf.evaluation.records import load_cards
from riderperf.notices.service import remember_languages
from riderperf.policy.parameters import PolicyError
from riderperf.policy.versions import get_version
from riderperf.storage.db import unit_of_work
from riderperf.stores import Stores, open_stores


class MissingEvaluation(DecisionError, LookupError):
    """The period has no published evaluation to decide from."""


@dataclass
class DecideResult:
    period: str
    policy_version: str
    evaluation_id: str
    riders: int
    created: list[tuple[str, str, str]] = field(default_factory=list)  # id, kind, status
    already_decided: int = 0

    def summary(self) -> dict[str, Any]:
        """The shape of `riderperf decide --json`."""
        return {
            "period": self.period,
            "policy_version": self.policy_version,
            "evaluation_id": self.evaluation_id,
            "riders": self.riders,
            "created": len(self.created),
            "already_decided": self.already_decided,
            "by_kind": dict(sorted(Counter(kind for _, kind, _ in self.created).items())),
            "proposed": sum(1 for _, _, status in self.created if status == "proposed"),
            "decision_ids": [decision_id for decision_id, _, _ in self.created],
        }


def decide_period(
    target: Settings | Stores,
    period: Period | str,
    *,
    at: datetime,
    policy_version: str | None = None,
    violations: Sequence[ViolationLike] = (),
) -> DecideResult:
    """Decides every rider of `period`; see the module docstring. Raises MissingEvaluation
    when the period was not evaluated, PolicyError when the version's rules are unusable."""
    chosen = parse_period(period) if isinstance(period, str) else period
    when = aware_utc(at)
    with _stores(target) as stores:
        with unit_of_work(stores.engine) as session:
            evaluation = published_evaluation(session, chosen.label)
        if evaluation is None:
            raise MissingEvaluation(
                f"{chosen.label} has no published evaluation to decide from; run "
                f"`riderperf evaluate --period {chosen.label}"
                + (f" --policy {policy_version}" if policy_version else "")
                + "` first"
            )
        if policy_version and evaluation.policy_version != policy_version:
            raise MissingEvaluation(
                f"{chosen.label} is published under policy {evaluation.policy_version}, not "
                f"{policy_version}: decisions follow the published evaluation only (an "
                f"evaluation under {policy_version} is a scenario); to decide under it, "
                f"publish it with `riderperf evaluate --period {chosen.label} --policy "
                f"{policy_version} --official`"
            )
        version = get_version(stores.engine, evaluation.policy_version)
        try:
            book = load_rulebook(version.policy.at(chosen.start))
        except PolicyError as exc:
            raise PolicyError(
                [
                    f"policy version {version.version} cannot decide {chosen.label}:",
                    *exc.problems,
                    "fix the decision rules, publish a new version and evaluate under it",
                ]
            ) from exc
        cards = load_cards(stores.engine, evaluation.evaluation_id)
        result = DecideResult(chosen.label, version.version, evaluation.evaluation_id, len(cards))
        with unit_of_work(stores.engine) as session:
            riders = [card.rider_id for card in cards]
            remember_languages(session, riders)
            histories = rider_histories(session, chosen, book.ladder, riders)
            facts = collect_facts(
                stores.warehouse, cards, chosen, version.version, book, histories, violations
            )
            done = existing_keys(session, chosen.label, version.version)
            for rider_facts in facts:
                history = histories[rider_facts.rider_id]
                for draft in plan_rider(rider_facts, history, book, chosen, when):
                    key = decide_key(
                        chosen.label, version.version, draft.rider_id, draft.rule_id, draft.kind
                    )
                    if key in done:
                        result.already_decided += 1
                        continue
                    stored = store_draft(
                        session,
                        replace(
                            draft, inputs=draft.inputs | {"evaluation_id": result.evaluation_id}
                        ),
                        key=key,
                        period=chosen.label,
                        period_end=chosen.end,
                        policy_version=version.version,
                        at=when,
                    )
                    done.add(key)
                    result.created.append((stored.decision_id, stored.kind, stored.status))
    return result


@contextmanager
def _stores(target: Settings | Stores) -> Iterator[Stores]:
    if isinstance(target, Stores):
        yield target
        return
    with open_stores(target) as stores:
        yield stores
