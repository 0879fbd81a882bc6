"""What inspections add up to over a month, counted by hand: outcomes for sampling plans,
stats for reports, and each rider's compliance for the equipment compliance KPI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from riderperf.inspections.records import inspection_outcomes
from riderperf.inspections.stats import compliance_by_rider, inspection_stats
from riderperf.storage.db import unit_of_work
from tests.integration.test_inspections_records import ALL_PASS, DEC_1, NOV_1, engine, nov, record

__all__ = ["engine"]  # the fixture, shared with the records tests


def test_outcomes_stats_and_compliance_count_a_small_month_by_hand(engine: Engine) -> None:
    a = record(engine, "r1", nov(2), {"helmet": "fastened", "vest": True, "box": False})
    record(engine, "r2", nov(3), {"helmet": "none", "vest": False, "box": True})
    record(engine, "r2", nov(5), ALL_PASS)  # closes r2's helmet and vest actions
    record(engine, "r1", nov(6), {"box": True}, reinspection_of=a.inspection_id)
    record(engine, "r2", nov(10), {"helmet": "fastened", "vest": True, "box": False})
    record(engine, "r1", nov(20), {"helmet": "fastened", "vest": False, "box": True})
    record(engine, "r1", DEC_1 + timedelta(hours=1), ALL_PASS)  # next month
    with unit_of_work(engine) as session:
        stats = inspection_stats(session, NOV_1, DEC_1)
        outcomes = inspection_outcomes(session, NOV_1, DEC_1)
        every = inspection_outcomes(session, NOV_1, DEC_1, include_reinspections=True)
        compliance = compliance_by_rider(session, NOV_1, DEC_1)
    assert [(o.rider_id, o.zone_id, o.nonconforming, o.failed_items) for o in outcomes] == [
        ("r1", "z1", True, ["box"]),
        ("r2", "z2", True, ["helmet", "vest"]),
        ("r2", "z2", False, []),
        ("r2", "z2", True, ["box"]),
        ("r1", "z1", False, ["vest"]),
    ]
    assert outcomes[0].kpi_results == {"equipment_compliance": (1, 2), "safety": (1, 1)}
    assert len(every) == 6 and every[3].reinspection_of == a.inspection_id
    assert stats | {"start": None, "end": None} == {
        "start": None,
        "end": None,
        "inspections": 5,
        "reinspections": 1,
        "riders_inspected": 2,
        "nonconforming": 3,
        "nonconforming_rate": pytest.approx(0.6),
        "mean_score": pytest.approx(0.7),
        "items": [
            {"item_code": "box", "checked": 5, "passed": 3, "pass_rate": pytest.approx(0.6)},
            {"item_code": "helmet", "checked": 5, "passed": 4, "pass_rate": pytest.approx(0.8)},
            {"item_code": "vest", "checked": 5, "passed": 3, "pass_rate": pytest.approx(0.6)},
        ],
        "kpis": [
            {
                "kpi": "equipment_compliance",
                "checked": 10,
                "passed": 6,
                "pass_rate": pytest.approx(0.6),
            },
            {"kpi": "safety", "checked": 5, "passed": 4, "pass_rate": pytest.approx(0.8)},
        ],
        "violations": {
            "total": 5,
            "by_severity": {"minor": 2, "major": 2, "critical": 1},
            "overturned": 0,
            "overturned_by_severity": {"minor": 0, "major": 0, "critical": 0},
        },
        "corrective_actions": {"opened": 5, "closed": 3, "open": 2, "overdue": 1},
    }
    assert compliance == {
        "r1": {"equipment_compliance": (3, 5), "safety": (2, 2)},
        "r2": {"equipment_compliance": (4, 6), "safety": (2, 3)},
    }
