"""The Sendy conversion rules, on a few made-up rows written to a temporary folder."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riderperf.common.canonical import ORDERS, RIDERS
from riderperf.ingest.sendy import SendyConversion, convert_sendy
from riderperf.ingest.sendy_rules import (
    SENDY_MONTHS,
    check_months,
    first_weekday,
    infer_months,
)

EVENTS = ("Placement", "Confirmation", "Arrival at Pickup", "Pickup", "Arrival at Destination")
TRAIN_HEADER = [
    "Order No",
    "User Id",
    "Vehicle Type",
    "Platform Type",
    "Personal or Business",
    *(f"{e} - {p}" for e in EVENTS for p in ("Day of Month", "Weekday (Mo = 1)", "Time")),
    "Distance (KM)",
    "Temperature",
    "Precipitation in millimeters",
    "Pickup Lat",
    "Pickup Long",
    "Destination Lat",
    "Destination Long",
    "Rider Id",
    "Time from Pickup to Arrival",
]
RIDERS_HEADER = ["Rider Id", "No_Of_Orders", "Age", "Average_Rating", "No_of_Ratings"]
# 2019-07-10 is a Wednesday (ISO 3); with the default months, day 10 on weekday 3 is July 2019.
DAY, WEEKDAY = 10, 3


def order(order_no: str, times: tuple[str, ...] | None = None, /, **changes: Any) -> dict[str, Any]:
    """A made-up Train row; `times` gives the five 12-hour clock times, all on DAY."""
    clock = times or ("10:00:00 AM", "10:01:00 AM", "10:15:00 AM", "10:20:00 AM", "10:50:00 AM")
    row: dict[str, Any] = {
        "Order No": order_no,
        "User Id": "User_Id_1",
        "Vehicle Type": "Bike",
        "Platform Type": "3",
        "Personal or Business": "Business",
        "Distance (KM)": "8",
        "Temperature": "20.0",
        "Precipitation in millimeters": "",
        "Pickup Lat": "-1.31",
        "Pickup Long": "36.82",
        "Destination Lat": "-1.29",
        "Destination Long": "36.78",
        "Rider Id": "Rider_Id_1",
        "Time from Pickup to Arrival": "1800",
    }
    for event, time in zip(EVENTS, clock, strict=True):
        row |= {
            f"{event} - Day of Month": DAY,
            f"{event} - Weekday (Mo = 1)": WEEKDAY,
            f"{event} - Time": time,
        }
    return row | changes


def write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def convert(
    tmp_path: Path,
    orders: list[dict[str, Any]],
    riders: list[dict[str, Any]] | None = None,
    test_rows: int = 0,
    **kwargs: Any,
) -> tuple[SendyConversion, dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    src, out = tmp_path / "sendy", tmp_path / "out"
    src.mkdir(parents=True)
    header = TRAIN_HEADER + sorted({k for r in orders for k in r} - set(TRAIN_HEADER))
    write_csv(src / "Train.csv", header, orders)
    rider_rows = riders if riders is not None else [{"Rider Id": "Rider_Id_1", "Age": "100"}]
    write_csv(src / "Riders.csv", RIDERS_HEADER, rider_rows)
    test_header = [c for c in TRAIN_HEADER if not c.startswith("Arrival at Destination")]
    write_csv(src / "Test.csv", test_header[:-1], [order(f"T{i}") for i in range(test_rows)])
    summary = convert_sendy(src, out, **kwargs)
    by_order = {r["order_id"]: r for r in read_csv(out / "orders.csv")}
    by_rider = {r["rider_id"]: r for r in read_csv(out / "riders.csv")}
    return summary, by_order, by_rider


def test_twelve_hour_clock_puts_12_am_after_midnight_and_12_pm_at_noon(tmp_path: Path) -> None:
    times = ("12:05:00 AM", "12:59:59 AM", "1:00:00 AM", "11:59:00 AM", "12:30:00 PM")
    _, orders, _ = convert(tmp_path, [order("O1", times)])
    o = orders["O1"]
    assert o["created_at"] == "2019-07-10T00:05:00+03:00"
    assert o["accepted_at"] == "2019-07-10T00:59:59+03:00"
    assert o["arrived_store_at"] == "2019-07-10T01:00:00+03:00"
    assert o["picked_up_at"] == "2019-07-10T11:59:00+03:00"
    assert o["delivered_at"] == "2019-07-10T12:30:00+03:00"


def test_delivery_after_midnight_lands_on_the_next_day_even_across_a_month_end(
    tmp_path: Path,
) -> None:
    # 2019-07-31 is a Wednesday: placed 11:40 PM on the 31st, delivered 12:20 AM on Thursday 1st.
    row = order("O1", ("11:40:00 PM", "11:41:00 PM", "11:50:00 PM", "11:55:00 PM", "12:20:00 AM"))
    row |= {"Placement - Day of Month": 31, "Confirmation - Day of Month": 31}
    row |= {"Arrival at Pickup - Day of Month": 31, "Pickup - Day of Month": 31}
    row |= {
        "Arrival at Destination - Day of Month": 1,
        "Arrival at Destination - Weekday (Mo = 1)": 4,
    }
    summary, orders, _ = convert(tmp_path, [row])
    assert orders["O1"]["created_at"] == "2019-07-31T23:40:00+03:00"
    assert orders["O1"]["delivered_at"] == "2019-08-01T00:20:00+03:00"
    assert summary.invalid_rows["orders"] == 0


def test_arrival_at_destination_is_both_door_arrival_and_delivery(tmp_path: Path) -> None:
    _, orders, _ = convert(tmp_path, [order("O1")])
    o = orders["O1"]
    assert o["arrived_customer_at"] == o["delivered_at"] == "2019-07-10T10:50:00+03:00"
    assert o["merchant_ready_at"] == "" and o["merchant_id"] == ""
    assert (o["status"], o["city"], o["customer_id"]) == ("delivered", "Nairobi", "User_Id_1")


def test_confirmation_before_placement_is_written_as_is_and_counted_invalid(
    tmp_path: Path,
) -> None:
    late_clock = ("10:00:30 AM", "10:00:10 AM", "10:15:00 AM", "10:20:00 AM", "10:50:00 AM")
    summary, orders, _ = convert(tmp_path, [order("O1"), order("O2", late_clock)])
    assert set(orders) == {"O1", "O2"}
    assert orders["O2"]["accepted_at"] < orders["O2"]["created_at"]
    assert summary.invalid == {"orders: accepted_at before created_at": 1}
    assert summary.invalid_rows == {"riders": 0, "orders": 1}


@pytest.mark.parametrize(
    ("temperature", "precipitation", "weather"),
    [
        ("20.0", "", "clear"),
        ("20.0", "0", "clear"),
        ("20.0", "0.1", "rain"),
        ("20.0", "7.6", "rain"),
        ("20.0", "7.7", "heavy_rain"),
        ("32.0", "", "clear"),
        ("32.1", "", "extreme_heat"),
        ("32.5", "1.0", "rain"),
        ("", "", ""),
        ("", "9.0", "heavy_rain"),
    ],
)
def test_weather_follows_the_rain_and_heat_thresholds(
    tmp_path: Path, temperature: str, precipitation: str, weather: str
) -> None:
    row = order("O1", Temperature=temperature, **{"Precipitation in millimeters": precipitation})
    _, orders, _ = convert(tmp_path, [row])
    assert orders["O1"]["weather"] == weather


def test_weather_thresholds_are_keyword_arguments(tmp_path: Path) -> None:
    rows = [
        order("O1", **{"Precipitation in millimeters": "3.0"}),
        order("O2", Temperature="29.0"),
    ]
    _, orders, _ = convert(tmp_path, rows, heavy_rain_mm=2.5, extreme_heat_c=28.0)
    assert (orders["O1"]["weather"], orders["O2"]["weather"]) == ("heavy_rain", "extreme_heat")


def test_promise_is_placement_plus_allowance_plus_distance_at_the_promise_speed(
    tmp_path: Path,
) -> None:
    # 40 min + 8 km at 16 km/h (30 min) = 70 min; 40 min + 3 km (11 min 15 s) = 51 min 15 s.
    rows = [order("O1"), order("O2", **{"Distance (KM)": "3"})]
    _, orders, _ = convert(tmp_path, rows)
    assert orders["O1"]["promised_at"] == "2019-07-10T11:10:00+03:00"
    assert orders["O2"]["promised_at"] == "2019-07-10T10:51:15+03:00"
    assert orders["O1"]["distance_km"] == "8.0"


def test_promise_parameters_are_keyword_arguments(tmp_path: Path) -> None:
    # 10 min + 8 km at 20 km/h (24 min) = 34 min after 10:00.
    _, orders, _ = convert(
        tmp_path, [order("O1")], promise_allowance_min=10.0, promise_speed_kmh=20.0
    )
    assert orders["O1"]["promised_at"] == "2019-07-10T10:34:00+03:00"


def test_zone_is_the_grid_cell_of_the_pickup_named_by_its_south_west_corner(
    tmp_path: Path,
) -> None:
    rows = [
        order("O1"),
        order("O2", **{"Pickup Lat": "-1.35", "Pickup Long": "36.80"}),
        order("O3", **{"Pickup Lat": "", "Pickup Long": "36.80"}),
    ]
    _, orders, _ = convert(tmp_path, rows)
    assert orders["O1"]["zone_id"] == "NBO-01.350+036.800"
    assert orders["O2"]["zone_id"] == "NBO-01.350+036.800"  # on the edge: the cell it starts
    assert orders["O3"]["zone_id"] == ""
    _, coarse, _ = convert(tmp_path / "coarse", [order("O1")], zone_cell_deg=0.1)
    assert coarse["O1"]["zone_id"] == "NBO-01.400+036.800"


def test_rows_that_cannot_be_dated_are_set_aside_with_their_reason(tmp_path: Path) -> None:
    rows = [
        order("OK"),
        order("BAD_TIME", **{"Pickup - Time": "25:00:00 PM"}),
        order("NO_DAY", **{"Placement - Day of Month": ""}),
        # Confirmation weekday says the next day, its day-of-month says the same day.
        order("MISMATCH", **{"Confirmation - Weekday (Mo = 1)": WEEKDAY + 1}),
        order("VAN", **{"Vehicle Type": "Van"}),
    ]
    summary, orders, _ = convert(tmp_path, rows)
    assert set(orders) == {"OK"}
    assert summary.source_rows == 5
    assert summary.set_aside == {
        "event weekday and day-of-month disagree": 1,
        "unreadable day, weekday or time": 2,
        "vehicle is not Bike": 1,
    }
    assert summary.rows["orders"] + sum(summary.set_aside.values()) == summary.source_rows


def test_a_day_outside_the_chosen_month_is_set_aside(tmp_path: Path) -> None:
    # Only June 2019 (starts on a Saturday, 30 days) is offered: day 31 on a Monday and day 10
    # on a Wednesday belong to months not offered.
    june_31 = order("O31", **{f"{e} - Day of Month": 31 for e in EVENTS})
    june_31 |= {f"{e} - Weekday (Mo = 1)": 1 for e in EVENTS}
    june_3 = order("O3", **{f"{e} - Day of Month": 3 for e in EVENTS})
    june_3 |= {f"{e} - Weekday (Mo = 1)": 1 for e in EVENTS}
    summary, orders, _ = convert(tmp_path, [june_31, june_3, order("O10")], months={6: (2019, 6)})
    assert set(orders) == {"O3"}
    assert orders["O3"]["created_at"].startswith("2019-06-03T")
    assert summary.set_aside == {"placement day and weekday fit no month in `months`": 2}


def test_test_file_rows_are_counted_but_not_written(tmp_path: Path) -> None:
    summary, orders, _ = convert(tmp_path, [order("O1")], test_rows=3)
    assert summary.test_rows_omitted == 3
    assert set(orders) == {"O1"}


def test_files_have_the_schema_columns_then_sendy_extras(tmp_path: Path) -> None:
    row = order("O1", **{"Surge Flag": "yes"})  # a column this converter does not know
    convert(tmp_path, [row])
    orders_header = (tmp_path / "out" / "orders.csv").read_text().splitlines()[0].split(",")
    riders_header = (tmp_path / "out" / "riders.csv").read_text().splitlines()[0].split(",")
    n_orders, n_riders = len(ORDERS.column_names), len(RIDERS.column_names)
    assert tuple(orders_header[:n_orders]) == ORDERS.column_names
    assert tuple(riders_header[:n_riders]) == RIDERS.column_names
    assert all(c.startswith("sendy_") for c in orders_header[n_orders:] + riders_header[n_riders:])
    assert {"sendy_platform_type", "sendy_temperature_c", "sendy_surge_flag"} <= set(orders_header)
    assert "sendy_average_rating" in riders_header


def test_riders_get_joined_on_from_age_and_missing_riders_are_added(tmp_path: Path) -> None:
    rows = [order("O1"), order("O2", **{"Rider Id": "Rider_Id_2"})]
    riders = [
        {"Rider Id": "Rider_Id_1", "No_Of_Orders": "5", "Age": "100", "Average_Rating": "13.1"},
        {"Rider Id": "Rider_Id_9", "Age": "10"},  # never in an order: still a rider
    ]
    summary, _, by_rider = convert(tmp_path, rows, riders, riders_as_of=date(2019, 12, 31))
    assert set(by_rider) == {"Rider_Id_1", "Rider_Id_9", "Rider_Id_2"}
    assert summary.rows == {"riders": 3, "orders": 2}
    # 100 days before 2019-12-31 is 2019-09-22, after the first order (2019-07-10): clamped.
    assert by_rider["Rider_Id_1"]["joined_on"] == "2019-07-10"
    assert by_rider["Rider_Id_9"]["joined_on"] == "2019-12-21"
    assert by_rider["Rider_Id_2"]["joined_on"] == "2019-07-10"  # its first order
    assert by_rider["Rider_Id_2"]["sendy_age_days"] == ""
    assert summary.joined_on_clamped == 1
    r = by_rider["Rider_Id_1"]
    assert (r["capacity_type"], r["vehicle"], r["language"], r["status"], r["city"]) == (
        "crowdsourced",
        "motorbike",
        "en",
        "active",
        "Nairobi",
    )
    assert (r["sendy_average_rating"], r["sendy_no_of_orders"]) == ("13.1", "5")


def test_riders_as_of_defaults_to_the_last_order_day(tmp_path: Path) -> None:
    late = order("O2", **{"Arrival at Destination - Day of Month": 11})
    late |= {"Arrival at Destination - Weekday (Mo = 1)": WEEKDAY + 1}
    summary, _, by_rider = convert(tmp_path, [order("O1"), late])
    assert summary.riders_as_of == date(2019, 7, 11)
    assert by_rider["Rider_Id_1"]["joined_on"] == "2019-04-02"  # 100 days earlier


def test_first_weekday_of_the_month_follows_from_any_day_and_its_weekday() -> None:
    assert first_weekday(10, 3) == 1  # 2019-07-10 is a Wednesday; July 1st a Monday
    assert first_weekday(1, 7) == 7
    assert first_weekday(31, 1) == 6  # a Monday 31st: the 1st was a Saturday


def test_infer_months_takes_the_latest_month_long_enough_for_the_days_seen() -> None:
    # Saturday-first months: June 2019 has 30 days, so day 31 needs December 2018.
    assert infer_months({6: 30}) == {6: (2019, 6)}
    assert infer_months({6: 31}) == {6: (2018, 12)}
    assert infer_months({5: 28}, latest=(2019, 2)) == {5: (2019, 2)}


def test_months_must_start_on_the_weekday_they_are_filed_under() -> None:
    check_months(SENDY_MONTHS)
    with pytest.raises(ValueError, match="ISO weekday 6"):
        check_months({1: (2019, 6)})


def test_missing_file_or_column_is_reported_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"Train\.csv"):
        convert_sendy(tmp_path, tmp_path / "out")
    write_csv(tmp_path / "Train.csv", ["Order No"], [{"Order No": "O1"}])
    with pytest.raises(ValueError, match="missing column"):
        convert_sendy(tmp_path, tmp_path / "out")
