"""KPIs of stores with little in them: no events, nothing served, nothing rated.

Every analytics function must give its full table (same columns and numeric dtypes as a
busy store) with zero counts and NaN rates, never a KeyError from an empty group-by.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from matchmaker.cli._ops import app
from matchmaker.lifecycle import Event, EventStore, Ledger, Operations, OpsPolicy
from matchmaker.lifecycle import _analytics as analytics

from .factory import at, ev, served, visit, world, write_dataset

AS_OF = at(5000)

TABLES: dict[str, Callable[[Ledger], pd.DataFrame]] = {
    "visits_frame": lambda led: analytics.visits_frame(led, OpsPolicy(), as_of=AS_OF),
    "assignments_frame": analytics.assignments_frame,
    "offers_frame": analytics.offers_frame,
    "worker_kpis": analytics.worker_kpis,
    "service_kpis": lambda led: analytics.service_kpis(led, OpsPolicy(), as_of=AS_OF),
    "continuity": analytics.continuity,
    "revenue": analytics.revenue,
    "complaint_categories": analytics.complaint_categories,
}

NOTHING_SERVED = [
    *world(),
    visit("V1", start=60),
    ev("visit_proposed", "V1", 0, worker_ids=["W1"], start=at(60)),
    visit("V2", start=1500),
    ev("visit_cancelled", "V2", 10, reason="away"),
    visit("V3", start=9000),
]
NOTHING_RATED = [
    *world(),
    visit("V1", start=60),
    *served("V1", "W1", 60, late=2),
    ev("visit_accepted", "V1", 190),
    ev("visit_settled", "V1", 192),
]
BUSY = [
    *NOTHING_RATED,
    ev("visit_rated", "V1", 191 + 10, stars=4),
    ev("complaint_opened", "K1", 300, visit_id="V1", category="late"),
    visit("V2", "C2", start=1500),
    ev("visit_proposed", "V2", 1300, worker_ids=["W3"], start=at(1500)),
    ev("visit_declined", "V2", 1310, worker_id="W3"),
    ev("visit_issue_reported", "V1", 400, category="no_supplies"),
]

SCENARIOS: dict[str, list[Event]] = {
    "no_events": [],
    "registered_only": world(),
    "nothing_served": NOTHING_SERVED,
    "nothing_rated": NOTHING_RATED,
}


def _ledger(events: list[Event]) -> Ledger:
    with EventStore(":memory:") as store:
        ops = Operations(store, OpsPolicy())
        if events:
            ops.submit(events)
        return ops.ledger()


@pytest.fixture(scope="module")
def busy() -> Ledger:
    return _ledger(BUSY)


@pytest.fixture(scope="module")
def busy_report(busy: Ledger) -> analytics.Report:
    return analytics.report(busy, OpsPolicy(), as_of=AS_OF)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", TABLES)
def test_analytics_tables_keep_their_columns_when_empty(
    scenario: str, name: str, busy: Ledger
) -> None:
    """Each analytics table has the busy store's columns, and numeric columns stay numeric."""
    full = TABLES[name](busy)
    assert not full.empty, "the busy store must fill every table"
    frame = TABLES[name](_ledger(SCENARIOS[scenario]))
    assert list(frame.columns) == list(full.columns)
    for column in full.columns:
        if pd.api.types.is_numeric_dtype(full[column]):
            assert pd.api.types.is_numeric_dtype(frame[column]), column


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_report_of_a_sparse_store_serialises(scenario: str, busy_report: analytics.Report) -> None:
    """The report works and is strict JSON (NaN as null) however little the store holds."""
    result = analytics.report(_ledger(SCENARIOS[scenario]), OpsPolicy(), as_of=AS_OF)
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    full = busy_report
    assert set(data["summary"]) == set(full.summary)
    assert {n: list(t.columns) for n, t in result.tables.items()} == {
        n: list(t.columns) for n, t in full.tables.items()
    }
    assert result.summary_frame().shape == full.summary_frame().shape


def test_report_of_an_empty_store_has_zero_counts_and_no_rates() -> None:
    """No events: every count is 0 and every rate is undefined (null), not 0."""
    summary = analytics.report(_ledger([]), OpsPolicy(), as_of=AS_OF).to_json()["summary"]
    assert summary["visits"] == 0 and summary["visits_served"] == 0
    assert summary["revenue"] == "0.00" and summary["no_shows"] == 0
    for rate in ("fill_rate", "on_time_rate", "rework_rate", "complaint_rate", "average_rating"):
        assert summary[rate] is None, rate


def test_worker_kpis_list_every_worker_when_nothing_was_served() -> None:
    """Nothing served: one row per registered worker, zero visits, no rates."""
    frame = analytics.worker_kpis(_ledger(NOTHING_SERVED)).set_index("worker_id")
    assert sorted(frame.index) == ["W1", "W2", "W3", "W4"]
    assert (frame["visits_served"] == 0).all() and (frame["ratings_received"] == 0).all()
    assert frame["on_time_rate"].isna().all() and frame["average_rating"].isna().all()
    assert (frame["status"] == "active").all() and (frame["rating"] == 4.5).all()


def test_service_kpis_count_unserved_visits_due() -> None:
    """Nothing served: the due, uncancelled visits count; none is filled (one is proposed)."""
    frame = analytics.service_kpis(_ledger(NOTHING_SERVED), OpsPolicy(), as_of=AS_OF)
    row = frame.set_index("service_type").loc["daily_cleaning"]
    assert row["visits"] == 1 and row["visits_filled"] == 0 and row["fill_rate"] == 0.0
    assert row["visits_served"] == 0 and math.isnan(row["on_time_rate"])


def test_nothing_rated_leaves_ratings_undefined() -> None:
    """Served and settled but never rated: average ratings are NaN, other KPIs are there."""
    ledger = _ledger(NOTHING_RATED)
    result = analytics.report(ledger, OpsPolicy(), as_of=AS_OF)
    assert math.isnan(result.summary["average_rating"])
    assert result.summary["visits_served"] == 1 and result.summary["on_time_rate"] == 1.0
    workers = result.tables["workers"].set_index("worker_id")
    assert workers.loc["W1", "ratings_received"] == 0
    assert math.isnan(workers.loc["W1", "average_rating"])
    services = result.tables["services"].set_index("service_type")
    assert math.isnan(services.loc["daily_cleaning", "average_rating"])
    assert services.loc["daily_cleaning", "revenue"] == 200.0


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_ops_report_after_import_dataset(tmp_path: Path, fmt: str) -> None:
    """`ops import-dataset` then `ops report` (nothing served yet) exits 0 in every format."""
    store = tmp_path / "ops.db"
    runner = CliRunner()
    data = write_dataset(tmp_path / "generated")
    seeded = runner.invoke(
        app,
        ["import-dataset", str(data), "--store", str(store), "--time", "2026-11-30T12:00:00+08:00"],
    )
    assert seeded.exit_code == 0, seeded.output
    args: list[Any] = ["report", "--store", store, "--format", fmt, "--as-of", AS_OF.isoformat()]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        summary = json.loads(result.stdout)["summary"]
        assert summary["visits"] == 6 and summary["visits_served"] == 0
