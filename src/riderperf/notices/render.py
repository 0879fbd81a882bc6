"""Renders a rider notice in the rider's language: what happened, why, what they can do.

Sentences come from the catalog, translated through gettext; the values are written for
the rider's locale by Babel first and then put into the named `{placeholders}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from babel import Locale
from babel.support import Translations

from riderperf.notices.catalog import (
    APPEAL,
    NOTICE_KINDS,
    OFFENCES,
    OPEN_TERMS,
    PARAM_TYPES,
    TERMS,
)
from riderperf.notices.formatting import as_integer, format_value, isolate, zone_for
from riderperf.notices.model import Choice, Message, NoticeError, NoticeKind, ParamType
from riderperf.notices.translations import locale_tag, resolve_locale, translations_for


@dataclass(frozen=True)
class RenderedNotice:
    """A notice as the rider reads it; `locale` is the BCP 47 tag it was written in."""

    title: str
    body: str
    direction: str  # "ltr" or "rtl"
    locale: str


def render_notice(kind: str, params: Mapping[str, Any], locale: str | None) -> RenderedNotice:
    """Writes one notice in `locale` (unknown languages fall back to English).

    Raises NoticeError naming the kind and the parameter when the kind is unknown, a
    parameter is missing or a value does not fit its type.
    """
    spec = NOTICE_KINDS.get(kind)
    if spec is None:
        known = ", ".join(sorted(NOTICE_KINDS))
        raise NoticeError(f"unknown notice kind {kind!r}; known kinds: {known}", kind=kind)
    sections = _sections(kind, spec, params)
    messages = [message for section in sections for message in section]
    _require(kind, spec, messages, params)
    target = resolve_locale(locale)
    translations = translations_for(target.language)
    values = _values(kind, messages, params, target, translations)

    def say(message: Message) -> str:
        return _say(kind, message, params, values, translations, target)

    body = "\n\n".join(say(message) for message in messages[1:])
    return RenderedNotice(say(spec.title), body, target.text_direction, locale_tag(target))


def _sections(kind: str, spec: NoticeKind, params: Mapping[str, Any]) -> list[list[Message]]:
    """The title, what happened, why (offence), what to do, and the appeal deadline."""
    why: list[Message] = []
    code = params.get("offence")
    if spec.offence != "none" and code is not None:
        if code not in OFFENCES:
            known = ", ".join(sorted(OFFENCES))
            raise NoticeError(
                f"notice {kind!r}: parameter 'offence' must be one of {known}, got {code!r}",
                kind=kind,
                param="offence",
            )
        why.append(OFFENCES[code])
    appeal = [APPEAL] if spec.appealable and params.get("appeal_deadline") is not None else []
    return [
        [spec.title],
        [_pick(kind, part, params) for part in spec.happened],
        why,
        [_pick(kind, part, params) for part in spec.action],
        appeal,
    ]


def _pick(kind: str, part: Message | Choice, params: Mapping[str, Any]) -> Message:
    if isinstance(part, Message):
        return part
    value = params.get(part.param)
    if value is None:
        _missing(kind, [part.param])
    if value not in part.options:
        raise NoticeError(
            f"notice {kind!r}: parameter {part.param!r} must be one of"
            f" {', '.join(part.options)}, got {value!r}",
            kind=kind,
            param=part.param,
        )
    return part.options[value]


def _require(
    kind: str, spec: NoticeKind, messages: list[Message], params: Mapping[str, Any]
) -> None:
    needed = set(spec.required_params)
    for message in messages:
        needed |= message.placeholders
    missing = sorted(name for name in needed if params.get(name) is None)
    if missing:
        _missing(kind, missing)


def _missing(kind: str, names: list[str]) -> NoReturn:
    listed = ", ".join(repr(name) for name in names)
    needs = ", ".join(sorted(NOTICE_KINDS[kind].required_params))
    raise NoticeError(
        f"notice {kind!r} is missing the parameter {listed} (this kind needs: {needs})",
        kind=kind,
        param=names[0],
    )


def _values(
    kind: str,
    messages: list[Message],
    params: Mapping[str, Any],
    target: Locale,
    translations: Translations,
) -> dict[str, str]:
    """Every placeholder's value, written for the locale."""
    try:
        zone = zone_for(params.get("timezone"))
    except ValueError as exc:
        raise NoticeError(
            f"notice {kind!r}: parameter 'timezone' {exc}", kind=kind, param="timezone"
        ) from exc
    values: dict[str, str] = {}
    for name in sorted({name for message in messages for name in message.placeholders}):
        ptype = PARAM_TYPES[name]
        value = params[name]
        try:
            if ptype is ParamType.TERM:
                values[name] = _term(name, value, target, translations)
            else:
                values[name] = format_value(ptype, value, target, zone)
        except ValueError as exc:
            raise NoticeError(
                f"notice {kind!r}: parameter {name!r} {exc}", kind=kind, param=name
            ) from exc
    return values


def _term(name: str, code: Any, target: Locale, translations: Translations) -> str:
    """A code's translated name; an open list (tiers) shows unknown codes as given."""
    term = TERMS[name].get(str(code))
    if term is not None:
        return translations.gettext(term.msgid)
    if name in OPEN_TERMS:
        return isolate(str(code), target)
    raise ValueError(f"must be one of {', '.join(TERMS[name])}, got {code!r}")


def _say(
    kind: str,
    message: Message,
    params: Mapping[str, Any],
    values: Mapping[str, str],
    translations: Translations,
    target: Locale,
) -> str:
    if message.plural is not None and message.count is not None:
        template = translations.ngettext(
            message.msgid, message.plural, as_integer(params[message.count])
        )
    else:
        template = translations.gettext(message.msgid)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise NoticeError(
            f"notice {kind!r}: the {target.language} translation of {message.msgid!r} is"
            f" broken ({exc!r}); fix locale/{target.language}/LC_MESSAGES/riderperf.po",
            kind=kind,
        ) from exc
