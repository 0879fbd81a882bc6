"""The shapes of the notice message table: messages, choices, notice kinds and parameter types."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal


class ParamType(Enum):
    """How a parameter's value is checked and written for the rider's locale."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"  # 12.5 means 12.5 %
    DATE = "date"
    DATETIME = "datetime"
    TEXT = "text"  # shown as given (ids, periods, a reviewer's words)
    TERM = "term"  # a code from a closed list, shown through its translated name


@dataclass(frozen=True)
class Message:
    """One translatable sentence; `plural` and `count` make it pick a plural form by `count`."""

    msgid: str
    plural: str | None = None
    count: str | None = None

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders_of(self.msgid) | placeholders_of(self.plural or "")


def N_(msgid: str) -> Message:
    """Marks a sentence for translation (Babel extracts it with the keyword `N_`)."""
    return Message(msgid)


def Np_(singular: str, plural: str, count: str) -> Message:
    """Marks a sentence with plural forms, chosen by the integer parameter `count`."""
    return Message(singular, plural, count)


def placeholders_of(text: str) -> frozenset[str]:
    """The named `{name}` fields of a str.format template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


@dataclass(frozen=True)
class Choice:
    """A sentence picked by the value of one parameter (e.g. an appeal's outcome)."""

    param: str
    options: Mapping[str, Message]


Part = Message | Choice


@dataclass(frozen=True)
class NoticeKind:
    """What one kind of notice says: a title, what happened and what the rider can do.

    `offence` says whether the notice explains why with an offence sentence: "required",
    "optional" (shown when the `offence` parameter is given) or "none". `appealable` kinds
    tell the rider how to appeal when an `appeal_deadline` is given.
    """

    title: Message
    happened: tuple[Part, ...]
    action: tuple[Part, ...]
    offence: Literal["required", "optional", "none"] = "optional"
    appealable: bool = True
    parts: tuple[Part, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", (self.title, *self.happened, *self.action))

    @property
    def required_params(self) -> frozenset[str]:
        """Parameters this kind always needs (offence and appeal parameters come on top)."""
        names: set[str] = set()
        for part in self.parts:
            if isinstance(part, Choice):
                names.add(part.param)
                for option in part.options.values():
                    names |= option.placeholders
            else:
                names |= part.placeholders
        if self.offence == "required":
            names.add("offence")
        return frozenset(names)

    def messages(self) -> Iterator[Message]:
        for part in self.parts:
            if isinstance(part, Choice):
                yield from part.options.values()
            else:
                yield part


class NoticeError(ValueError):
    """A notice cannot be written: unknown kind, a missing or wrong parameter, a broken text."""

    def __init__(self, message: str, *, kind: str | None = None, param: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.param = param
