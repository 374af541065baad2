"""The report's counters and the round index (``_views``): kept with every append, equal to
a rebuild, and giving the same report and the same round as every entity in memory, on
both backends."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from matchmaker.lifecycle import (
    Ledger,
    Operations,
    OpsPolicy,
    SqlStore,
    analytics,
    export_dataset,
    export_jobs,
    ledger_report,
    rebuild_read_models,
    store_report,
)
from matchmaker.lifecycle._kpi_parts import as_cents, from_cents, sum_parts
from matchmaker.lifecycle._round_inputs import ledger_round_inputs
from matchmaker.lifecycle._round_read import store_round_inputs
from matchmaker.lifecycle._views import VERSION_KEY, VIEWS_KEY, rebuild_views
from matchmaker.model import LifecycleError

from .factory import at

POLICIES = [
    OpsPolicy(),
    OpsPolicy(on_time_grace_minutes=5, followup_new_customer_hours=2, followup_returning_days=1),
]
INSTANTS = [at(-4 * 24 * 60), at(0), at(2 * 24 * 60 + 30), at(30 * 24 * 60)]


def _views(store: SqlStore) -> tuple[dict[tuple[str, ...], int], list[tuple[Any, ...]]]:
    with store.snapshot() as tx:
        counts = {
            (str(s), str(k), str(n)): int(v)
            for s, k, n, v in tx.execute("SELECT scope, key, name, value FROM kpi_counts")
            if int(v)
        }
        index = [tuple(r) for r in tx.execute("SELECT * FROM visit_index ORDER BY visit_id")]
        index += [tuple(r) for r in tx.execute("SELECT * FROM first_accepted ORDER BY customer_id")]
        index += [tuple(r) for r in tx.execute("SELECT * FROM order_index ORDER BY order_id")]
        assert tx.execute("SELECT COUNT(*) FROM kpi_counts WHERE value = 0").fetchone()[0] == 0
    return counts, index


def _entities(ledger: Ledger) -> list[Any]:
    return [
        *ledger.visits.values(),
        *ledger.complaints.values(),
        *ledger.orders.values(),
        *ledger.customers.values(),
    ]


def test_the_scenario_reaches_the_states_the_views_count(history: Operations) -> None:
    """The seeded history is rich enough to test anything: settled, cancelled, reworked,
    rated, followed-up visits, upheld complaints, deposits, closed or cancelled orders."""
    ledger = history.ledger()
    visits = list(ledger.visits.values())
    states = Counter(str(v.state) for v in visits)
    assert {"cancelled", "unassigned", "proposed"} <= set(states), states
    assert sum(v.settled_at is not None for v in visits) >= 3, states
    assert any(v.accepted_at for v in visits)
    assert any(v.followed_up_at for v in visits)
    assert any(v.rework_count for v in visits)
    assert any(v.pay for v in ledger.visits.values())
    assert any(v.rework_of for v in ledger.visits.values())
    assert {str(c.state) for c in ledger.complaints.values()} >= {"upheld"}
    assert {str(o.state) for o in ledger.orders.values()} & {"closed", "cancelled"}
    assert any(v.deposit_applied for v in ledger.visits.values())


def test_incremental_views_equal_a_rebuild_and_the_sum_of_every_entity(
    history: Operations,
) -> None:
    """The counters kept event by event equal the parts of every entity summed, and a
    rebuild (events replayed) or a derivation from entity_state gives the same tables."""
    kept = _views(history.store)
    expected = {p: v for p, v in sum_parts(_entities(history.ledger())).items() if v}
    assert kept[0] == expected
    rebuild_read_models(history.store)
    assert _views(history.store) == kept
    with history.store.transaction() as tx:
        rebuild_views(tx)
    assert _views(history.store) == kept


@pytest.mark.parametrize("policy", POLICIES, ids=["default", "strict"])
def test_the_store_report_equals_the_full_report(history: Operations, policy: OpsPolicy) -> None:
    """At instants before, inside and after the history, the report from the counters has
    the summary and aggregate tables of the full report (pandas, every entity), exactly."""
    ledger = history.ledger()
    for as_of in INSTANTS:
        fast = store_report(history.store, policy, as_of=as_of).to_json()
        full = analytics.report(ledger, policy, as_of=as_of).to_json()
        assert fast["summary"] == full["summary"], as_of
        for name, rows in fast["tables"].items():
            assert rows == full["tables"][name], (as_of, name)
        assert ledger_report(ledger, policy, as_of=as_of).to_json() == fast


def test_the_store_round_equals_the_round_of_every_entity(history: Operations) -> None:
    """Every day of the history (and either side), in the store's timezone or in the
    times' own offsets, the round index gives the inputs a full ledger gives."""
    from zoneinfo import ZoneInfo

    ledger = history.ledger()
    for zone in (None, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")):
        for offset in range(-5, 7):
            day = (at(0) + timedelta(days=offset)).date()
            with history.store.snapshot() as tx:
                fast = store_round_inputs(tx, day, zone)
            assert fast == ledger_round_inputs(ledger, day, zone), (zone, day)


def test_ops_jobs_writes_the_round_the_full_ledger_writes(
    history: Operations, tmp_path: Path
) -> None:
    """The round export_jobs writes from the store's views is the one export_dataset
    writes from every entity, file for file; closed or cancelled orders' visits are out."""
    ledger = history.ledger()
    ended = {o.order_id for o in ledger.orders.values() if str(o.state) in ("closed", "cancelled")}
    written = 0
    for offset in range(-3, 5):
        day = (at(0) + timedelta(days=offset)).date()
        fast = export_jobs(history, day=day, out=tmp_path / f"fast-{day}")
        full = export_dataset(ledger, day=day, out=tmp_path / f"full-{day}", policy=history.policy)
        assert (fast.jobs, fast.written) == (full.jobs, full.written)
        if not fast.written:
            continue
        written += 1
        for name in ("workers.csv", "customers.csv", "jobs.csv"):
            assert (fast.folder / name).read_text() == (full.folder / name).read_text(), name
        jobs = (fast.folder / "jobs.csv").read_text()
        assert not any(
            v.visit_id in jobs for v in ledger.visits.values() if v.job.order_id in ended
        )
    assert written >= 3


@pytest.mark.parametrize("meta", [VIEWS_KEY, VERSION_KEY])
def test_a_store_without_views_gets_them_from_its_entity_rows(
    history: Operations, meta: str
) -> None:
    """Views behind the read models or of another layout (a store of an earlier
    matchmaker) are derived again on the next read, without replaying the events."""
    kept = _views(history.store)
    with history.store.transaction() as tx:
        tx.execute("DELETE FROM kpi_counts")
        tx.execute("DELETE FROM visit_index")
        tx.execute("DELETE FROM first_accepted")
        tx.execute("DELETE FROM order_index")
        tx.set_meta(meta, "0")
    assert _views(history.store) == kept


def test_money_is_counted_in_exact_cents() -> None:
    """Amounts go to integer cents and back with two places; a finer amount is refused."""
    from decimal import Decimal

    assert as_cents(Decimal("150.50")) == 15050
    assert str(from_cents(15050)) == "150.50"
    assert str(from_cents(0)) == "0.00"
    assert str(from_cents(-5)) == "-0.05"
    with pytest.raises(LifecycleError, match="not in cents"):
        as_cents(Decimal("0.005"))
