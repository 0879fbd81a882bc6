"""Publishes policy versions into the app database and decides which version is in force.

A published version never changes: publishing the same id again with the same content
(and effective date) returns the stored version, anything else is refused. The service
has no update path, and database triggers refuse UPDATE and DELETE anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from riderperf.clock import Clock, system_clock
from riderperf.policy.loader import load_policy
from riderperf.policy.orm import PolicyVersionRecord
from riderperf.policy.parameters import Policy, PolicyError
from riderperf.storage.db import unit_of_work

VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DEFAULT_VERSION = "default"
# The bundled default is in force from the first day the importer accepts data for (its
# timestamps must fall in 2000-2100, docs/data-format.md), so historical data of any year
# can be evaluated without publishing anything; its parameters' values start that day too.
DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)
DEFAULT_PUBLISHER = "riderperf"


class PolicyVersionError(Exception):
    """A policy version that cannot be published or found; the message says why and what to do."""


class UnknownPolicyVersion(PolicyVersionError, LookupError):
    """No version with that id has been published."""


class PolicyVersionConflict(PolicyVersionError):
    """A version with that id exists and differs from what was asked to be published."""


class NoPolicyInForce(PolicyVersionError, LookupError):
    """No published version is in force on a day, or the one asked for has no values on it."""


@dataclass(frozen=True)
class PolicyVersion:
    """A published, immutable policy version."""

    version: str
    effective_from: date
    fingerprint: str
    published_at: datetime
    published_by: str
    note: str
    content: dict[str, Any] = field(repr=False, compare=False)

    @cached_property
    def policy(self) -> Policy:
        return Policy.from_content(self.content)

    def summary(self) -> dict[str, Any]:
        """JSON-ready description of the version (without its parameters)."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "fingerprint": self.fingerprint,
            "published_at": self.published_at.isoformat(),
            "published_by": self.published_by,
            "note": self.note,
        }


# Checks a policy beyond its file format (its decision rules compile, …); raises PolicyError.
# The features that read a section know what it must hold, so the check comes from above:
# `workflows.policies.check_policy` checks every section.
PolicyCheck = Callable[[Policy], None]


def bundled_policy_is_checked_by_its_tests(policy: Policy) -> None:
    """The check of the policy bundled with riderperf: none at run time, because the test
    suite runs `workflows.policies.check_policy` on it before every release."""


def publish_policy(
    engine: Engine,
    folder: Path,
    version: str,
    effective_from: date,
    published_by: str,
    note: str = "",
    clock: Clock = system_clock,
    *,
    check: PolicyCheck,
) -> PolicyVersion:
    """Loads `folder` strictly and publishes it as `version`; see `publish_loaded_policy`.

    Raises PolicyError when the folder is invalid, PolicyVersionError otherwise.
    """
    policy = load_policy(folder)
    return publish_loaded_policy(
        engine, policy, version, effective_from, published_by, note, clock, check=check
    )


def publish_loaded_policy(
    engine: Engine,
    policy: Policy,
    version: str,
    effective_from: date,
    published_by: str,
    note: str = "",
    clock: Clock = system_clock,
    *,
    check: PolicyCheck,
) -> PolicyVersion:
    """Publishes an already loaded policy (a reform, for instance) as `version`, once
    `check` accepts it.

    Every parameter must have a value in force on `effective_from`. Publishing an
    existing id with the same content and effective date returns the stored version
    unchanged (its publisher, note and time stay the first ones); a different content
    or date raises PolicyVersionConflict naming the version.
    """
    if not VERSION_PATTERN.fullmatch(version):
        raise PolicyVersionError(
            f"version id {version!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (for example 2026.1)"
        )
    content = _stored_form(policy)
    fingerprint = Policy.from_content(content).fingerprint()
    existing = _find(engine, version)
    if existing is not None:
        return _same_or_conflict(existing, fingerprint, effective_from)
    missing = missing_values(policy, effective_from)
    if missing:
        raise PolicyError([f"version {version}: {problem}" for problem in missing])
    check(policy)
    record = PolicyVersionRecord(
        version=version,
        effective_from=effective_from,
        content=content,
        fingerprint=fingerprint,
        published_at=clock().astimezone(UTC),
        published_by=published_by,
        note=note,
    )
    try:
        with unit_of_work(engine) as session:
            session.add(record)
    except IntegrityError:
        # Someone published the same id between our check and our insert.
        raced = _find(engine, version)
        if raced is None:
            raise
        return _same_or_conflict(raced, fingerprint, effective_from)
    return _from_record(record)


def missing_values(policy: Policy, on: date) -> list[str]:
    """Each parameter that has no value in force on `on`, with its first date."""
    return [
        f"{path}: no value in force on {on} (first from {parameter.values[0].since})"
        for path, parameter in sorted(policy.parameters.items())
        if parameter.values[0].since > on
    ]


def list_versions(engine: Engine) -> list[PolicyVersion]:
    """Every published version, newest effective date first (then latest published)."""
    with unit_of_work(engine) as session:
        records = session.scalars(
            select(PolicyVersionRecord).order_by(
                PolicyVersionRecord.effective_from.desc(),
                PolicyVersionRecord.published_at.desc(),
                PolicyVersionRecord.version.desc(),
            )
        ).all()
        return [_from_record(r) for r in records]


def get_version(engine: Engine, version: str) -> PolicyVersion:
    found = _find(engine, version)
    if found is None:
        raise UnknownPolicyVersion(
            f"no published policy version {version!r}; "
            "`riderperf policy list` shows the published ones"
        )
    return found


def version_in_force(engine: Engine, on: date) -> PolicyVersion | None:
    """The version with the latest effective date on or before `on`; ties: latest published."""
    with unit_of_work(engine) as session:
        record = session.scalars(
            select(PolicyVersionRecord)
            .where(PolicyVersionRecord.effective_from <= on)
            .order_by(
                PolicyVersionRecord.effective_from.desc(),
                PolicyVersionRecord.published_at.desc(),
                PolicyVersionRecord.version.desc(),
            )
            .limit(1)
        ).first()
        return None if record is None else _from_record(record)


def version_for_day(engine: Engine, on: date, version: str | None = None) -> PolicyVersion:
    """`version` (or, when None, the version in force on `on`), checked to hold a value of
    every parameter on `on`; raises NoPolicyInForce naming the version and the command that
    publishes one for that day, or UnknownPolicyVersion."""
    if version is not None:
        chosen = get_version(engine, version)
        if missing_values(chosen.policy, on):
            first = max(p.values[0].since for p in chosen.policy.parameters.values())
            raise NoPolicyInForce(
                f"policy version {chosen.version} has no values before {first}, so it cannot "
                f"judge {on}. {_publish_hint(on)}"
            )
        return chosen
    found = version_in_force(engine, on)
    if found is None:
        earliest = min(list_versions(engine), key=lambda v: v.effective_from, default=None)
        since = (
            f" (the earliest, {earliest.version}, is in force from {earliest.effective_from})"
            if earliest is not None
            else ""
        )
        raise NoPolicyInForce(f"no policy version is in force on {on}{since}. {_publish_hint(on)}")
    return found


def _publish_hint(on: date) -> str:
    """The command that publishes the bundled policy in force from `on`."""
    from riderperf.policy import default_policy_folder

    return (
        "To evaluate that day under the numbers shipped with riderperf, run: riderperf policy "
        f"publish {default_policy_folder()} --version bundled-from-{on} --effective {on} "
        "(or publish your own policy folder with --effective on or before that day)."
    )


def _bundled() -> tuple[Policy, str]:
    """The bundled policy and the fingerprint of its stored form.

    Kept for as long as its files stay as they are (name, size and modification time):
    reading and checking them took 0.3 s of every evaluation and appeal."""
    from riderperf.policy import default_policy_folder

    folder = default_policy_folder()
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return _read_bundled(folder, stamp)


@lru_cache(maxsize=4)
def _read_bundled(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> tuple[Policy, str]:
    """`_bundled` once per `stamp` (the cache key: the files as they are)."""
    bundled = load_policy(folder)
    return bundled, Policy.from_content(_stored_form(bundled)).fingerprint()


def ensure_default_published(engine: Engine, clock: Clock = system_clock) -> PolicyVersion:
    """Makes sure the policy bundled with riderperf is published, without ever rewriting one.

    - No version at all: the bundled policy is published as `default`, effective
      2000-01-01 (DEFAULT_EFFECTIVE_FROM).
    - A `default` (or `default-…`) version already holds the bundled content: nothing
      is published; that version is returned.
    - `default` holds other content (riderperf was upgraded with new default numbers):
      the bundled policy is published as `default-<first 8 hex of its fingerprint>`,
      effective from the latest effective date of the earlier defaults (2025-01-01 for
      the first `default`s, 2000-01-01 since): being published later, it wins the tie on
      that date, so it replaces them from then on and never goes unused behind them.
    - Only the operator's own versions exist (none named default): nothing is
      published and the newest effective version is returned.
    """
    versions = list_versions(engine)
    defaults = [v for v in versions if _is_default_name(v.version)]
    if versions and not defaults:
        return versions[0]
    bundled, fingerprint = _bundled()
    for existing in defaults:
        if existing.fingerprint == fingerprint:
            return existing
    taken = {v.version for v in defaults}
    name = DEFAULT_VERSION if DEFAULT_VERSION not in taken else default_version_name(fingerprint)
    # An earlier default effective later than DEFAULT_EFFECTIVE_FROM would otherwise stay in
    # force from its date on, in front of the upgrade.
    effective = max([DEFAULT_EFFECTIVE_FROM, *(v.effective_from for v in defaults)])
    return publish_loaded_policy(
        engine,
        bundled,
        name,
        effective,
        DEFAULT_PUBLISHER,
        note="policy bundled with riderperf",
        clock=clock,
        check=bundled_policy_is_checked_by_its_tests,
    )


def default_version_name(fingerprint: str) -> str:
    """The id given to upgraded bundled defaults: `default-` and 8 hex of the fingerprint."""
    return f"{DEFAULT_VERSION}-{fingerprint[:8]}"


def _is_default_name(version: str) -> bool:
    return version == DEFAULT_VERSION or re.fullmatch(r"default-[0-9a-f]{8}", version) is not None


def _stored_form(policy: Policy) -> dict[str, Any]:
    """The content exactly as the JSON column will give it back, so fingerprints agree."""
    try:
        text = json.dumps(policy.content(), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PolicyError(
            [
                f"the policy holds a value that cannot be stored as JSON ({exc}); "
                "use numbers, text, true/false or lists of them"
            ]
        ) from exc
    stored: dict[str, Any] = json.loads(text)
    return stored


def _same_or_conflict(
    existing: PolicyVersion, fingerprint: str, effective_from: date
) -> PolicyVersion:
    if existing.fingerprint != fingerprint:
        raise PolicyVersionConflict(
            f"policy version {existing.version} is already published with other content "
            f"(fingerprint {existing.fingerprint[:12]}, not {fingerprint[:12]}); published "
            "versions never change: publish the new content under a new version id"
        )
    if existing.effective_from != effective_from:
        raise PolicyVersionConflict(
            f"policy version {existing.version} is already published effective from "
            f"{existing.effective_from}, not {effective_from}; publish a new version id "
            "to change the date"
        )
    return existing


def _find(engine: Engine, version: str) -> PolicyVersion | None:
    with unit_of_work(engine) as session:
        record = session.get(PolicyVersionRecord, version)
        return None if record is None else _from_record(record)


def _from_record(record: PolicyVersionRecord) -> PolicyVersion:
    published_at = record.published_at
    # SQLite gives back naive datetimes; they were stored in UTC.
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return PolicyVersion(
        version=record.version,
        effective_from=record.effective_from,
        fingerprint=record.fingerprint,
        published_at=published_at.astimezone(UTC),
        published_by=record.published_by,
        note=record.note,
        content=record.content,
    )
