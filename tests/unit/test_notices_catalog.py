"""The notice catalog, the .pot template and every language's .po file stay complete and in step."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as CatalogMessage
from babel.messages.extract import extract_from_file
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from riderperf.inspections.loader import load_template
from riderperf.inspections.template_store import default_template_path
from riderperf.notices.catalog import (
    APPEAL,
    MESSAGE_SOURCES,
    NOTICE_KINDS,
    OFFENCES,
    PARAM_TYPES,
    TERMS,
)
from riderperf.notices.model import Message, ParamType, placeholders_of
from riderperf.notices.translations import LOCALE_DIR, available_languages, po_path
from tests.plurals import assert_same_plural_rule

LANGUAGES = ("en", "zh", "ar", "hi", "pt")
POT = LOCALE_DIR / "riderperf.pot"
MsgId = str | tuple[str, ...]

DECISION_KINDS = [
    "notice",
    "warning",
    "points",
    "retraining",
    "reduced_priority",
    "suspension",
    "deactivation",
    "tier_bonus",
    "priority_weight",
    "badge",
    "newcomer_boost",
    "points_restored",
    "restriction_lifted",
    "compensation",
    "proposed_restriction",
    "rejected",
]
CASE_STEPS = ["submitted", "triage", "under_review", "waiting_on_rider", "decided", "closed"]
INSPECTION_KINDS = [
    "inspection.failed",
    "inspection.passed",
    "corrective_action.overdue",
    "corrective_action.closed",
]
OFFENCE_CODES = [
    "low_score",
    "late_deliveries",
    "rider_cancellations",
    "complaints",
    "safety_incident",
    "inspection_violation",
    "document_expired",
    "fraud",
]


def _msgid(message: Message) -> MsgId:
    return message.msgid if message.plural is None else (message.msgid, message.plural)


def _catalog_messages() -> dict[MsgId, Message]:
    messages = [APPEAL, *OFFENCES.values()]
    messages += [term for terms in TERMS.values() for term in terms.values()]
    messages += [message for spec in NOTICE_KINDS.values() for message in spec.messages()]
    return {_msgid(message): message for message in messages}


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _id(entry: CatalogMessage) -> MsgId:
    return entry.id if isinstance(entry.id, str) else tuple(entry.id)


def _ids(catalog: Catalog) -> set[MsgId]:
    return {_id(entry) for entry in catalog if entry.id}


def _forms(entry: CatalogMessage) -> tuple[str, ...]:
    """The translation, or each of its plural forms."""
    if isinstance(entry.string, str):
        return (entry.string,)
    return tuple(entry.string or ())


def test_every_contract_kind_and_offence_has_messages() -> None:
    expected = (
        {f"decision.{kind}" for kind in DECISION_KINDS}
        | {f"case.{step}" for step in CASE_STEPS}
        | set(INSPECTION_KINDS)
    )
    assert set(NOTICE_KINDS) == expected
    assert set(OFFENCES) == set(OFFENCE_CODES)


def test_every_placeholder_has_a_type_and_terms_have_names() -> None:
    for message in _catalog_messages().values():
        for name in message.placeholders:
            assert name in PARAM_TYPES, f"{name!r} in {message.msgid!r} has no type"
            if PARAM_TYPES[name] is ParamType.TERM:
                assert name in TERMS, f"{name!r} is a term without translated names"
        if message.plural is not None:
            assert message.count is not None
            assert PARAM_TYPES[message.count] is ParamType.INTEGER
            assert message.count in placeholders_of(message.plural)


def test_babel_extraction_of_the_catalog_gives_exactly_the_template() -> None:
    extracted: set[MsgId] = set()
    for source in MESSAGE_SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords={"N_": None, "Np_": (1, 2)}
        ):
            extracted.add(message if isinstance(message, str) else tuple(message))
    assert extracted == _ids(_read(POT))
    assert set(_catalog_messages()) == extracted


def test_all_five_languages_have_a_catalog() -> None:
    assert set(LANGUAGES) <= available_languages()


@pytest.mark.parametrize("language", sorted(available_languages()))
def test_every_template_msgid_is_translated_and_nothing_is_fuzzy(language: str) -> None:
    po = _read(po_path(language), language)
    assert _ids(po) == _ids(_read(POT)), "run pybabel update (see docs/notices.md)"
    for entry in po:
        if not entry.id:
            continue
        assert all(_forms(entry)), f"{language}: empty translation of {entry.id!r}"
        assert not entry.fuzzy, f"{language}: fuzzy translation of {entry.id!r}"
    assert not po.obsolete


@pytest.mark.parametrize("language", sorted(available_languages()))
def test_plural_forms_header_follows_the_language_rule(language: str) -> None:
    po = _read(po_path(language), language)
    rule = get_plural(language)
    assert_same_plural_rule(
        (po.num_plurals, po.plural_expr), (rule.num_plurals, rule.plural_expr), language
    )
    for entry in po:
        if not isinstance(entry.id, str):
            assert len(_forms(entry)) == rule.num_plurals, entry.id


@pytest.mark.parametrize("language", sorted(available_languages()))
def test_translations_keep_exactly_the_placeholders_of_the_english(language: str) -> None:
    """Plural forms for one or two (e.g. Arabic "نقطتا جزاء") may leave out the number itself,
    but the form used for most numbers keeps every placeholder."""
    messages = _catalog_messages()
    for entry in _read(po_path(language), language):
        if not entry.id:
            continue
        message = messages[_id(entry)]
        expected = message.placeholders
        forms = _forms(entry)
        for form in forms:
            found = placeholders_of(form)
            allowed_gap = {message.count} if message.count else set()
            assert expected - allowed_gap <= found <= expected, (language, entry.id, form)
            form.format(**dict.fromkeys(expected, "x"))  # no stray braces
        assert placeholders_of(forms[-1]) == expected, (language, entry.id)


def test_english_catalog_says_exactly_the_msgids() -> None:
    for entry in _read(po_path("en"), "en"):
        if entry.id:
            assert _forms(entry) == (_id(entry) if isinstance(entry.id, tuple) else (entry.id,))


def test_every_item_of_the_bundled_checklist_has_a_translated_name() -> None:
    checklist = load_template(default_template_path())
    assert set(checklist.codes) <= set(TERMS["item"])


@pytest.mark.parametrize("kind", INSPECTION_KINDS)
def test_inspection_notices_take_their_own_parameters_and_no_offence(kind: str) -> None:
    expected = {
        "inspection.failed": {"item", "severity", "due_on"},
        "inspection.passed": {"score_pct"},
        "corrective_action.overdue": {"item", "due_on"},
        "corrective_action.closed": {"item"},
    }
    assert NOTICE_KINDS[kind].required_params == expected[kind]
    assert NOTICE_KINDS[kind].offence == "none"
