"""Operations KPIs on a small hand-built week with known answers."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from matchmaker.lifecycle import Operations
from matchmaker.lifecycle import _analytics as analytics

from .factory import at, ev, served, visit

DEEP = "deep_cleaning"


@pytest.fixture
def week(ops: Operations) -> Operations:
    """Five visits: on time, late with rework and a complaint, declined then late, cancelled,
    unfilled."""
    ops.submit(
        [
            visit("V1", "C1", start=60),
            *served("V1", "W1", 60),
            ev("visit_accepted", "V1", 190),
            ev("visit_rated", "V1", 191, stars=5),
            ev("visit_settled", "V1", 192),
            visit("V2", "C1", start=1500),
            *served("V2", "W2", 1500, late=12),
            ev("visit_issue_reported", "V2", 1560, category="no_supplies"),
            ev("visit_rework_requested", "V2", 1630, on_site=True),
            ev("visit_rework_done", "V2", 1650),
            ev("visit_accepted", "V2", 1660),
            ev("visit_rated", "V2", 1661, stars=3),
            ev("complaint_opened", "K1", 1700, visit_id="V2", category="late"),
            ev("complaint_investigation_started", "K1", 1710),
            ev("complaint_upheld", "K1", 1720),
            visit("V3", "C2", start=3000, service_type=DEEP),
            ev("visit_proposed", "V3", 2800, worker_ids=["W3"], start=at(3000)),
            ev("visit_declined", "V3", 2810, worker_id="W3"),
            *served("V3", "W1", 3000, late=3),
            visit("V4", "C2", start=4500),
            ev("visit_cancelled", "V4", 4000, reason="away"),
            visit("V5", "C2", start=4600, service_type=DEEP),
        ]
    )
    return ops


def test_summary_kpis(week: Operations) -> None:
    """Fill rate, on-time, rework, complaints, rating, revenue, continuity as defined."""
    summary = analytics.report(week.ledger(), week.policy, as_of=at(5000)).summary
    assert summary["visits"] == 4 and summary["visits_filled"] == 3
    assert summary["fill_rate"] == pytest.approx(0.75)
    assert summary["visits_served"] == 3
    assert summary["on_time_rate"] == pytest.approx(2 / 3)
    assert summary["rework_rate"] == pytest.approx(1 / 3)
    assert summary["complaint_rate"] == pytest.approx(1 / 3)
    assert summary["average_rating"] == pytest.approx(4.0)
    assert summary["revenue"] == Decimal("200.00")
    assert summary["mean_distinct_workers_per_customer_month"] == pytest.approx(1.5)
    assert summary["followups"] == 2


def test_worker_kpis(week: Operations) -> None:
    """Per worker: offers filled, punctuality, rework, complaints, ratings."""
    frame = analytics.worker_kpis(week.ledger(), week.policy).set_index("worker_id")
    assert frame.loc["W1", "fill_rate"] == 1.0 and frame.loc["W1", "visits_served"] == 2
    assert frame.loc["W1", "on_time_rate"] == 1.0
    assert frame.loc["W1", "mean_minutes_late"] == pytest.approx(1.5)
    assert frame.loc["W2", "on_time_rate"] == 0.0 and frame.loc["W2", "rework_rate"] == 1.0
    assert frame.loc["W2", "complaints_upheld"] == 1 and frame.loc["W2", "complaint_rate"] == 1.0
    assert frame.loc["W2", "average_rating"] == 3.0
    assert frame.loc["W3", "fill_rate"] == 0.0 and frame.loc["W3", "offers_declined"] == 1
    assert math.isnan(frame.loc["W3", "on_time_rate"])


def test_service_kpis(week: Operations) -> None:
    """Per service type: fill rate, on-time, rework and revenue."""
    frame = analytics.service_kpis(week.ledger(), week.policy).set_index("service_type")
    assert frame.loc["daily_cleaning", "visits"] == 2
    assert frame.loc["daily_cleaning", "fill_rate"] == 1.0
    assert frame.loc["daily_cleaning", "on_time_rate"] == 0.5
    assert frame.loc["daily_cleaning", "rework_rate"] == 0.5
    assert frame.loc["daily_cleaning", "revenue"] == Decimal("200.00")
    assert frame.loc[DEEP, "fill_rate"] == 0.5 and frame.loc[DEEP, "on_time_rate"] == 1.0


def test_continuity_counts_distinct_workers(week: Operations) -> None:
    """Distinct workers per customer and month."""
    frame = analytics.continuity(week.ledger()).set_index("customer_id")
    assert frame.loc["C1", "distinct_workers"] == 2 and frame.loc["C1", "visits"] == 2
    assert frame.loc["C2", "distinct_workers"] == 1


def test_problem_categories_rank_training_needs(week: Operations) -> None:
    """Complaints and workers' own reports are counted per worker, service and category."""
    frame = analytics.complaint_categories(week.ledger())
    rows = {(r.worker_id, r.category): r for r in frame.itertuples()}
    assert rows[("W2", "late")].upheld == 1 and rows[("W2", "late")].complaints == 1
    assert rows[("W2", "no_supplies")].worker_reports == 1
    assert sorted(r.rank for r in frame.itertuples() if r.worker_id == "W2") == [1, 2]


def test_report_serialises_to_json(week: Operations) -> None:
    """The report is JSON-ready, NaN as null, money as exact decimal strings."""
    data = analytics.report(week.ledger(), week.policy, as_of=at(5000)).to_json()
    text = json.dumps(data, allow_nan=False)
    assert '"fill_rate": 0.75' in text and '"revenue": "200.00"' in text
    assert set(data["tables"]) == {
        "workers",
        "services",
        "continuity",
        "revenue",
        "money",
        "margins",
        "followups",
        "problems",
    }


def test_fill_rate_counts_only_visits_due(week: Operations) -> None:
    """Visits starting after the report time do not lower the fill rate."""
    summary = analytics.report(week.ledger(), week.policy, as_of=at(4550)).summary
    assert summary["visits"] == 3 and summary["fill_rate"] == 1.0
