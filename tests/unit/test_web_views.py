"""Pure parts of the pages: group KPIs, the period before, what a rider is told to improve,
the charts, the badges of the appeal queue, uploaded file names and where a login may lead."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.datastructures import UploadFile

from riderperf.cases.sla import SlaState
from riderperf.evaluation.orm import Evaluation
from riderperf.metrics.registry import KPI_BY_NAME
from riderperf.web.i18n import translator_for
from riderperf.web.routes import safe_next
from riderperf.web.uploads import UploadRefused, safe_name, saved_uploads
from riderperf.web.views.charts import Bar, Point, bar_chart, line_chart
from riderperf.web.views.common import kpi_text, kpi_totals, previous_of
from riderperf.web.views.policy import shown_value
from riderperf.web.views.portal import _improvement, kpi_value
from riderperf.web.views.queues import _badge


def evaluation(period: str, start: date, days: int) -> Evaluation:
    return Evaluation(
        evaluation_id=period,
        period=period,
        period_start=start,
        period_end=start + timedelta(days=days),
        policy_version="v",
    )


def test_a_groups_rate_adds_its_riders_counts_not_their_rates() -> None:
    cards = [
        {"kpis": {"on_time_rate": {"num": 9, "den": 10}}},
        {"kpis": {"on_time_rate": {"num": 90, "den": 90}}},
    ]
    total = kpi_totals(cards)["on_time_rate"]
    assert total.value == pytest.approx(99 / 100)
    assert total.enough
    assert kpi_text(total.kpi, total.value) == "99.0%"


def test_the_change_compares_with_the_period_of_the_same_length_just_before() -> None:
    week3 = evaluation("2026-W03", date(2026, 1, 12), 7)
    week2 = evaluation("2026-W02", date(2026, 1, 5), 7)
    january = evaluation("2026-01", date(2025, 12, 12), 31)  # ends on week 3's start too
    assert previous_of([week3, january, week2], week3) is week2
    assert previous_of([week3, january], week3) is None


@pytest.mark.parametrize(
    ("item", "language", "sentence"),
    [
        (
            {"kpi": "rider_cancel_rate", "gain": 42.3, "current": 0.004, "target": 0.002},
            "en",
            "Cancelled orders: lower it from 0.4% to 0.2% to gain about 42 points.",
        ),
        (
            {"kpi": "on_time_rate", "gain": 1.2, "current": 0.9, "target": 0.985},
            "pt",
            "Entregas no prazo: aumente de 90% para 98,5% para ganhar cerca de 1 ponto.",
        ),
        (
            {"kpi": "customer_rating", "gain": 12.0, "current": 4.5, "target": 4.35},
            "en",
            "Customer rating: keep it at 4.35 ★ over more orders to gain about 12 points.",
        ),
    ],
)
def test_a_rider_is_told_what_to_improve_in_their_language(
    item: dict[str, float | str], language: str, sentence: str
) -> None:
    assert _improvement(translator_for(language), item) == sentence


def test_kpi_values_are_written_for_the_locale() -> None:
    pt = translator_for("pt")
    assert kpi_value(pt, KPI_BY_NAME["complaint_rate"], 1.25) == "1,2 a cada 100 pedidos"
    assert kpi_value(pt, KPI_BY_NAME["document_compliance"], None) == "—"


def test_charts_escape_their_labels_and_break_the_line_where_data_is_missing() -> None:
    bars = str(bar_chart("<b>tiers</b>", [Bar("<script>", 3, "3"), Bar("gold", 0, "0")]))
    assert "<script>" not in bars and "&lt;script&gt;" in bars
    assert 'role="img"' in bars
    line = str(
        line_chart(
            "score", [Point("W1", 900), Point("W2", None), Point("W3", 950)], low=0, high=1000
        )
    )
    assert line.count("<polyline") == 2  # the gap splits the line in two


def sla(running: tuple[str, ...], *, paused: bool = False) -> SlaState:
    now = datetime(2026, 1, 20, tzinfo=UTC)
    states = (*running, "met", "met")
    return SlaState(
        first_response=states[0],  # type: ignore[arg-type]
        resolution=states[1],  # type: ignore[arg-type]
        first_response_due=now,
        resolution_due=now,
        paused=paused,
        first_response_running=len(running) > 0,
        resolution_running=len(running) > 1,
    )


def test_the_appeal_queue_badge_is_the_worst_running_clock() -> None:
    assert _badge(sla(("on_track", "breached"))) == "breached"
    assert _badge(sla(("at_risk", "on_track"))) == "at_risk"
    assert _badge(sla(("on_track", "on_track"), paused=True)) == "paused"
    assert _badge(sla(())) == "done"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo 1.jpg", "photo_1.jpg"),
        ("صورة.png", "صورة.png"),
        ("..", "evidence-1"),
        ("", "evidence-1"),
    ],
)
def test_an_uploaded_file_keeps_only_a_safe_name(given: str, kept: str) -> None:
    assert safe_name(given, 0) == kept


def upload(name: str, size: int) -> UploadFile:
    return UploadFile(io.BytesIO(b"x" * size), filename=name)


def test_uploads_are_refused_when_too_many_or_too_large() -> None:
    with (
        pytest.raises(UploadRefused, match="at most 1 files"),
        saved_uploads([upload("a", 1), upload("b", 1)], max_bytes=10, max_files=1),
    ):
        pass
    with (
        pytest.raises(UploadRefused, match=r"big\.jpg is too large"),
        saved_uploads([upload("big.jpg", 11)], max_bytes=10, max_files=5),
    ):
        pass


def test_uploads_live_on_disk_only_while_the_appeal_is_stored() -> None:
    with saved_uploads([upload("a.txt", 3), upload("a.txt", 4)], 10, 5) as paths:
        assert [p.read_bytes() for p in paths] == [b"xxx", b"xxxx"]
        assert paths[0] != paths[1]
    assert not any(p.exists() for p in paths)


@pytest.mark.parametrize(
    ("target", "role", "goes_to"),
    [
        ("/dashboard/riders/R1", "reviewer", "/dashboard/riders/R1"),
        ("//evil.example/x", "reviewer", "/dashboard"),
        ("https://evil.example/", "rider", "/portal"),
        ("/portal", "ops_manager", "/dashboard"),
        ("/dashboard", "rider", "/portal"),
        ("/login", "rider", "/portal"),
        ("", "fleet_manager", "/dashboard"),
    ],
)
def test_after_signing_in_only_a_local_page_of_ones_own_side_is_opened(
    target: str, role: str, goes_to: str
) -> None:
    assert safe_next(target, role) == goes_to


def test_policy_values_are_shown_as_read() -> None:
    assert shown_value([1, "a", True]) == "1, a, yes"
    assert shown_value(None) == "—"
