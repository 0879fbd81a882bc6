"""Notice parameters survive JSON storage: dates and datetimes come back as the same types."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from riderperf.notices.orm import decode_params, encode_params

scalars = st.one_of(
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
)


@given(st.dictionaries(st.text(min_size=1), scalars))
def test_params_round_trip_through_json(params: dict[str, Any]) -> None:
    stored = orjson.loads(orjson.dumps(encode_params(params)))
    assert decode_params(stored) == params


def test_dates_are_stored_as_tagged_iso_text() -> None:
    plus_four = timezone(timedelta(hours=4))
    encoded = encode_params(
        {"until": date(2026, 12, 1), "due": datetime(2026, 12, 1, 14, 0, tzinfo=plus_four)}
    )
    assert encoded == {
        "until": {"$date": "2026-12-01"},
        "due": {"$datetime": "2026-12-01T14:00:00+04:00"},
    }


def test_a_naive_datetime_is_stored_as_utc() -> None:
    encoded = encode_params({"due": datetime(2026, 12, 1, 14, 0)})
    assert decode_params(encoded)["due"] == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
