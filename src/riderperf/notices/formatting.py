"""Writes notice parameter values for a locale with Babel: numbers, percentages, dates and times.

Each function checks its value and raises ValueError saying what it expected; the renderer
turns that into a NoticeError naming the notice kind and the parameter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from numbers import Real
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_name
from babel.numbers import format_decimal, format_percent

from riderperf.notices.model import ParamType

# Unicode isolates keep a Latin id or period from reordering an Arabic sentence around it.
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def zone_for(name: Any) -> tzinfo:
    """The time zone datetimes are shown in: UTC unless the `timezone` param names one."""
    if name is None:
        return UTC
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"needs an IANA time zone name such as Asia/Dubai, got {name!r}") from exc


def format_value(ptype: ParamType, value: Any, locale: Locale, zone: tzinfo) -> str:
    """One parameter as the rider reads it (terms are translated by the renderer, not here)."""
    if ptype is ParamType.INTEGER:
        return format_decimal(as_integer(value), locale=locale)
    if ptype is ParamType.DECIMAL:
        return format_decimal(_as_number(value), locale=locale)
    if ptype is ParamType.PERCENT:
        return format_percentage(_as_number(value), locale)
    if ptype is ParamType.DATE:
        return format_date(as_date(value, zone), format="long", locale=locale)
    if ptype is ParamType.DATETIME:
        return format_moment(as_datetime(value), zone, locale)
    return isolate(str(value), locale)


def isolate(text: str, locale: Locale) -> str:
    if locale.text_direction == "rtl":
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def format_percentage(percent: int | float | Decimal, locale: Locale) -> str:
    """12.5 → "12.5%" in the locale's pattern, with at most one decimal."""
    share = (round(Decimal(str(percent)), 1) / 100).normalize()
    return format_percent(share, locale=locale, decimal_quantization=False)


def format_moment(moment: datetime, zone: tzinfo, locale: Locale) -> str:
    """A long date and a short time in `zone`, named so that the rider knows which clock."""
    local = moment.astimezone(zone)
    zone_name = "UTC" if _is_utc(zone) else get_timezone_name(local, width="long", locale=locale)
    time_text = f"{format_time(local, format='short', tzinfo=zone, locale=locale)} {zone_name}"
    date_text = format_date(local.date(), format="long", locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace("{0}", time_text).replace("{1}", date_text)


def as_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"needs a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"needs a whole number, got {value!r}")
    return int(number)


def _as_number(value: Any) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"needs a number, got {value!r}")
    return value if isinstance(value, int | Decimal) else float(value)


def as_date(value: Any, zone: tzinfo) -> date:
    if isinstance(value, datetime):
        return as_datetime(value).astimezone(zone).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"needs a date (datetime.date or ISO text such as 2026-12-01), got {value!r}")


def as_datetime(value: Any) -> datetime:
    """A datetime, naive ones read as UTC (SQLite hands them back that way)."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if not isinstance(moment, datetime):
        raise ValueError(
            "needs a date and time (datetime or ISO text such as 2026-12-01T10:00:00+00:00),"
            f" got {value!r}"
        )
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _is_utc(zone: tzinfo) -> bool:
    return zone is UTC or str(zone) in {"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu"}
