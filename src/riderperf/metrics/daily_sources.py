"""Decides what each canonical table adds to a rider's day, as Ibis expressions.

Each source yields `(rider_id, day, <kpi>_num, <kpi>_den …)` rows, one per rider and day,
with zeros for the KPIs it does not feed; the sources are added together by outer joins on
the rider and the day. Document compliance is added afterwards from the working days
of that sum (a day with at least one accepted order). Equipment compliance comes from the
inspections of the app database, handed over as a table of (rider_id, day, passed,
checked).
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

from riderperf.metrics.registry import SAFETY_AT_FAULT_KINDS, SAFETY_KINDS, fact_columns
from riderperf.warehouse.compiled import Bounds
from riderperf.warehouse.functions import utc_day


def _count(condition: Any) -> Any:
    """How many rows of the group satisfy `condition` (0 when none), as int64."""
    return ibis.ifelse(condition, 1, 0).cast("int64").sum()


def _shape(table: Any, **values: Any) -> Any:
    """`table` with rider_id, day and every fact column, zero where `values` has none."""
    zero = ibis.literal(0, "int64")
    columns = {name: values.get(name, zero).cast("int64") for name in fact_columns()}
    return table.select(rider_id=table.rider_id, day=table.day, **columns)


def _judgments(ib: Any, policy_version: str) -> Any:
    j = ib.table("judgments")
    return j.filter(j.policy_version == policy_version)


def _orders_part(ib: Any, b: Bounds, policy_version: str) -> Any:
    """Orders per rider and day, less those whose judgment holds the rider responsible.

    A late or cancelled order's judgment carries the order's own rider and day (both read
    off the order), so the rider's late and cancelled orders are counted from the
    judgments grouped the same way; an order has at most one such judgment per version.
    This spares a join of every order of the window with the judgments."""
    o = ib.table("orders")
    o = o.filter(o.rider_id.notnull(), o.created_at >= b.start_at, o.created_at < b.end_at)
    o = o.select("rider_id", "status", "promised_at", day=utc_day(_.created_at))
    delivered = o.status == "delivered"
    sums = o.group_by(["rider_id", "day"]).aggregate(
        promised=_count(delivered & o.promised_at.notnull()),
        orders=o.count(),
        delivered=_count(delivered),
    )
    j = _judgments(ib, policy_version)
    j = j.filter(
        j.party == "rider",
        j.event.isin(["late", "cancelled"]),
        j.rider_id.notnull(),
        j.day >= b.first_day,
        j.day < b.end_day,
    )
    faults = j.group_by(f_rider_id=j.rider_id, f_day=j.day).aggregate(
        late=_count(j.event == "late"), cancelled=_count(j.event == "cancelled")
    )
    joined = sums.left_join(faults, [sums.rider_id == faults.f_rider_id, sums.day == faults.f_day])
    late = joined.late.fill_null(0)
    return _shape(
        joined,
        on_time_rate_num=joined.promised - late,
        on_time_rate_den=joined.promised,
        rider_cancel_rate_num=joined.cancelled.fill_null(0),
        rider_cancel_rate_den=joined.orders,
        complaint_rate_den=joined.delivered,
        safety_incidents_den=joined.delivered,
    )


def _ratings_part(ib: Any, b: Bounds) -> Any:
    r = ib.table("ratings")
    r = r.filter(r.source == "customer", r.created_at >= b.start_at, r.created_at < b.end_at)
    r = r.select("rider_id", "stars", day=utc_day(r.created_at))
    sums = r.group_by(["rider_id", "day"]).aggregate(
        stars=r.stars.cast("int64").sum(), ratings=r.count()
    )
    return _shape(sums, customer_rating_num=sums.stars, customer_rating_den=sums.ratings)


def _complaints_part(ib: Any, b: Bounds, policy_version: str) -> Any:
    j = _judgments(ib, policy_version)
    j = j.filter(
        j.event == "complaint",
        j.party == "rider",
        j.rider_id.notnull(),
        j.day >= b.first_day,
        j.day < b.end_day,
    )
    sums = j.group_by(["rider_id", "day"]).aggregate(complaints=j.count())
    return _shape(sums, complaint_rate_num=sums.complaints)


def _offers_part(ib: Any, b: Bounds) -> Any:
    f = ib.table("offers")
    f = f.filter(f.offered_at >= b.start_at, f.offered_at < b.end_at)
    f = f.select("rider_id", "response", day=utc_day(f.offered_at))
    sums = f.group_by(["rider_id", "day"]).aggregate(
        accepted=_count(f.response == "accepted"), offers=f.count()
    )
    return _shape(sums, acceptance_rate_num=sums.accepted, acceptance_rate_den=sums.offers)


def _incidents_part(ib: Any, b: Bounds) -> Any:
    i = ib.table("incidents")
    counted = i.kind.isin(list(SAFETY_KINDS)) | (
        i.kind.isin(list(SAFETY_AT_FAULT_KINDS)) & (i.at_fault == "yes")
    )
    i = i.filter(counted, i.occurred_at >= b.start_at, i.occurred_at < b.end_at)
    i = i.select("rider_id", day=utc_day(i.occurred_at))
    sums = i.group_by(["rider_id", "day"]).aggregate(incidents=i.count())
    return _shape(sums, safety_incidents_num=sums.incidents)


def _equipment_part(ib: Any, b: Bounds, checks: str) -> Any:
    """Equipment compliance from table `checks` (rider_id, day, passed, checked): the
    inspection results, which live in the app database, loaded by the caller."""
    c = ib.table(checks)
    c = c.filter(c.day >= b.first_day, c.day < b.end_day)
    sums = c.group_by(["rider_id", "day"]).aggregate(
        passed=c.passed.cast("int64").sum(), checked=c.checked.cast("int64").sum()
    )
    return _shape(sums, equipment_compliance_num=sums.passed, equipment_compliance_den=sums.checked)


def daily_counts(
    ib: Any, bounds: Bounds, policy_version: str, equipment_checks: str | None = None
) -> Any:
    """Per rider and day within `bounds`: every fact column but document compliance;
    equipment compliance from the table named `equipment_checks` (zeros without one)."""
    parts = [
        _orders_part(ib, bounds, policy_version),
        _offers_part(ib, bounds),
        _ratings_part(ib, bounds),
        _complaints_part(ib, bounds, policy_version),
        _incidents_part(ib, bounds),
    ]
    if equipment_checks is not None:
        parts.append(_equipment_part(ib, bounds, equipment_checks))
    combined = parts[0]
    for part in parts[1:]:
        combined = _add_part(combined, part)
    return combined


def _add_part(left: Any, right: Any) -> Any:
    """Two tables of (rider_id, day, fact columns), each with one row per rider and day,
    added together: an outer join on the rider and the day, missing counts as zero.

    Each part is already summed per rider and day (and none has a null rider: the import
    requires one), so joining them gives the sums of stacking them and summing the stack
    again, for less work: on 20,000 riders × 28 days, 2.3 s of CPU against 2.7 s, the
    stack's 14 sums over 1.4 million rows being the largest single step."""
    # view(): each side is a relation of its own, so Ibis does not fold this join into
    # the join that built `left`.
    right = right.view().rename({f"r_{c}": c for c in ("rider_id", "day", *fact_columns())})
    left = left.view()
    joined = left.outer_join(right, [left.rider_id == right.r_rider_id, left.day == right.r_day])
    return joined.select(
        rider_id=ibis.coalesce(joined.rider_id, joined.r_rider_id),
        day=ibis.coalesce(joined.day, joined.r_day),
        **{
            c: (joined[c].fill_null(0) + joined[f"r_{c}"].fill_null(0)).cast("int64")
            for c in fact_columns()
        },
    )


def add_documents(ib: Any, counts: Any) -> Any:
    """`counts` with document compliance: on each working day, the document types on file
    (num: those with a document that expires on or after the day and was not found
    unverified; den: all of them). A document with `verified` false does not count as
    valid; one without the field (the data does not say) does."""
    documents = ib.table("documents")
    usable = documents.verified.fill_null(True)
    latest = documents.group_by(["rider_id", "doc_type"]).aggregate(
        expires=documents.expires_on.max(where=usable)
    )
    working = counts.filter(counts.rider_cancel_rate_den > 0).select("rider_id", "day")
    held = working.join(latest, "rider_id")
    docs = held.group_by(["rider_id", "day"]).aggregate(
        valid=_count(held.expires >= held.day), held=held.count()
    )
    rest = [c for c in fact_columns() if not c.startswith("document_compliance_")]
    joined = counts.left_join(docs, ["rider_id", "day"])
    return joined.select(
        "rider_id",
        "day",
        *rest,
        document_compliance_num=joined.valid.fill_null(0).cast("int64"),
        document_compliance_den=joined.held.fill_null(0).cast("int64"),
    )
