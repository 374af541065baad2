"""One test per feedback rule, each checking the rule's audit event."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from matchmaker.lifecycle import (
    EventStore,
    Operations,
    OpsPolicy,
    OrderState,
    StoredEvent,
    VisitState,
    WorkerState,
    load_ops_policy,
)
from matchmaker.model import PolicyError

from .factory import at, ev, served, visit, world


def _by_rule(stored: list[StoredEvent], rule: str) -> list[StoredEvent]:
    return [s for s in stored if s.event.actor == f"rule:{rule}"]


def _ops(store: EventStore, **policy: object) -> Operations:
    operations = Operations(store, OpsPolicy.model_validate(policy))
    operations.submit(world())
    return operations


def _complaint(
    ops: Operations,
    number: int,
    day: int,
    worker: str = "W1",
    customer: str = "C1",
    uphold: bool = True,
) -> list[StoredEvent]:
    """A served visit on ``day`` (days after T0) and an investigated complaint about it."""
    minutes = day * 1440
    visit_id, complaint_id = f"V{number}", f"K{number}"
    verdict = "complaint_upheld" if uphold else "complaint_rejected"
    return ops.submit(
        [
            visit(visit_id, customer, start=minutes + 60),
            *served(visit_id, worker, minutes + 60),
            ev("complaint_opened", complaint_id, minutes + 300, visit_id=visit_id, category="late"),
            ev("complaint_investigation_started", complaint_id, minutes + 400),
            ev(verdict, complaint_id, minutes + 500, resolution="checked the log"),
        ]
    )


def test_rating_update(ops: Operations) -> None:
    """rating_update: the worker's rating becomes the running mean and the count grows."""
    stored = ops.submit([visit("V1"), *served("V1"), ev("visit_rated", "V1", 200, stars=2)])
    (audit,) = _by_rule(stored, "rating_update")
    assert audit.event.kind == "worker_rating_updated"
    assert audit.event.payload["rule"] == "rating_update"
    worker = ops.ledger().workers["W1"]
    assert worker.rating_count == 11
    assert worker.rating == pytest.approx((4.5 * 10 + 2) / 11, abs=1e-4)


def test_rating_update_can_be_switched_off(store: EventStore) -> None:
    """With update_ratings off, a rating is recorded on the visit only."""
    ops = _ops(store, update_ratings=False)
    stored = ops.submit([visit("V1"), *served("V1"), ev("visit_rated", "V1", 200, stars=1)])
    assert _by_rule(stored, "rating_update") == []
    assert ops.ledger().workers["W1"].rating == 4.5


def test_complaint_block(ops: Operations) -> None:
    """complaint_block: an upheld complaint makes the customer block the worker."""
    stored = _complaint(ops, 1, 0)
    (audit,) = _by_rule(stored, "complaint_block")
    assert audit.event.kind == "customer_worker_blocked"
    assert audit.event.payload["complaint_id"] == "K1"
    assert ops.ledger().customers["C1"].blocked_workers == ("W1",)


def test_rejected_complaint_blocks_nobody(ops: Operations) -> None:
    """A rejected complaint changes neither the customer nor the worker."""
    stored = _complaint(ops, 1, 0, uphold=False)
    assert _by_rule(stored, "complaint_block") == []
    assert ops.ledger().customers["C1"].blocked_workers == ()


def test_complaint_suspension(store: EventStore) -> None:
    """complaint_suspension: the Nth upheld complaint within D days suspends the worker."""
    ops = _ops(store, suspension_complaints=3, suspension_window_days=90)
    _complaint(ops, 1, 0, customer="C1")
    _complaint(ops, 2, 1, customer="C2")
    assert ops.ledger().workers["W1"].state is WorkerState.ACTIVE
    ops.submit([ev("customer_registered", "C3", lat=31.0, lon=121.0)])
    stored = _complaint(ops, 3, 2, customer="C3")
    (audit,) = _by_rule(stored, "complaint_suspension")
    assert audit.event.kind == "worker_suspended"
    assert audit.event.payload["complaint_ids"] == ["K1", "K2", "K3"]
    assert audit.event.payload["window_days"] == 90
    assert ops.ledger().workers["W1"].state is WorkerState.SUSPENDED


def test_old_complaints_do_not_count_towards_suspension(store: EventStore) -> None:
    """Upheld complaints older than D days do not add up to a suspension."""
    ops = _ops(
        store, suspension_complaints=2, suspension_window_days=10, block_on_upheld_complaint=False
    )
    _complaint(ops, 1, 0)
    stored = _complaint(ops, 2, 20)
    assert _by_rule(stored, "complaint_suspension") == []
    stored = _complaint(ops, 3, 25)
    (audit,) = _by_rule(stored, "complaint_suspension")
    assert audit.event.payload["complaint_ids"] == ["K2", "K3"]


def test_rework_visit(ops: Operations) -> None:
    """rework_visit: a rework visit within H hours, pinned to the same worker."""
    stored = ops.submit(
        [
            visit("V1"),
            *served("V1"),
            ev("visit_rework_requested", "V1", 200, items=["windows"], duration_minutes=45),
        ]
    )
    (audit,) = _by_rule(stored, "rework_visit")
    assert audit.event.kind == "visit_created" and audit.event.entity_id == "V1-R1"
    rework = ops.ledger().visits["V1-R1"]
    assert rework.rework_of == "V1"
    assert rework.pinned_worker_ids == ("W1",)
    assert rework.job.earliest_start == at(200)
    assert rework.job.latest_start == at(200 + 48 * 60)
    assert (rework.job.duration_minutes, rework.job.priority) == (45, 5)
    assert ops.ledger().visits["V1"].state is VisitState.REWORK


def test_rework_to_any_worker_when_the_policy_says_so(store: EventStore) -> None:
    """With rework_same_worker off, the rework visit is not pinned."""
    ops = _ops(store, rework_same_worker=False, rework_within_hours=24)
    ops.submit([visit("V1"), *served("V1"), ev("visit_rework_requested", "V1", 200)])
    rework = ops.ledger().visits["V1-R1"]
    assert rework.pinned_worker_ids == ()
    assert rework.job.latest_start == at(200 + 24 * 60)


def test_rework_on_site_creates_no_visit(ops: Operations) -> None:
    """Rework fixed on the spot needs no rework visit."""
    stored = ops.submit(
        [
            visit("V1"),
            *served("V1"),
            ev("visit_rework_requested", "V1", 200, on_site=True),
            ev("visit_rework_done", "V1", 220),
        ]
    )
    assert _by_rule(stored, "rework_visit") == []
    assert ops.ledger().visits["V1"].state is VisitState.COMPLETED


def test_rework_completion(ops: Operations) -> None:
    """rework_completion: completing the rework visit returns the original to completed."""
    ops.submit([visit("V1"), *served("V1"), ev("visit_rework_requested", "V1", 200)])
    stored = ops.submit(served("V1-R1", "W1", start=1440))
    (audit,) = _by_rule(stored, "rework_completion")
    assert audit.event.kind == "visit_rework_done" and audit.event.entity_id == "V1"
    assert audit.event.payload["rework_visit_id"] == "V1-R1"
    original = ops.ledger().visits["V1"]
    assert original.state is VisitState.COMPLETED and original.rework_count == 1


def test_recurring_expansion(ops: Operations) -> None:
    """recurring_expansion: a contract with a schedule expands into its visits."""
    stored = ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="postpartum_care"),
            ev("order_quoted", "O1", 1, total="9000.00"),
            ev(
                "order_contracted",
                "O1",
                2,
                payment_method="monthly_billing",
                schedule={
                    "frequency": "daily",
                    "start_date": "2026-12-02",
                    "count": 26,
                    "start_time": time(8, 0).isoformat(),
                    "timezone": "Asia/Shanghai",
                },
                visit={
                    "duration_minutes": 600,
                    "required_skills": "infant_care:3",
                    "price": "350.00",
                },
            ),
        ]
    )
    audits = _by_rule(stored, "recurring_expansion")
    assert len(audits) == 26
    visits = ops.ledger().visits
    assert visits["O1-001"].job.earliest_start.isoformat() == "2026-12-02T08:00:00+08:00"
    assert visits["O1-026"].job.earliest_start.isoformat() == "2026-12-27T08:00:00+08:00"
    assert visits["O1-001"].job.service_type == "postpartum_care"
    assert visits["O1-001"].job.required_skills == "infant_care:3"


def test_order_cancellation(ops: Operations) -> None:
    """order_cancellation: cancelling an order cancels its visits not yet served."""
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, total="400.00"),
            ev("order_contracted", "O1", 2),
            ev("order_started", "O1", 3),
            visit("V1", order_id="O1"),
            visit("V2", order_id="O1", start=1500),
            *served("V1"),
        ]
    )
    stored = ops.submit([ev("order_cancelled", "O1", 300, reason="moved away")])
    assert [s.event.entity_id for s in _by_rule(stored, "order_cancellation")] == ["V2"]
    ledger = ops.ledger()
    assert ledger.orders["O1"].state is OrderState.CANCELLED
    assert ledger.visits["V2"].state is VisitState.CANCELLED
    assert ledger.visits["V1"].state is VisitState.COMPLETED


def test_policy_loads_from_toml_and_rejects_unknown_keys(tmp_path: Path) -> None:
    """The ops policy reads an [ops] table; a misspelt key is an error."""
    good = tmp_path / "ops.toml"
    good.write_text("[ops]\nsuspension_complaints = 2\nrework_within_hours = 24\n")
    policy = load_ops_policy(good)
    assert (policy.suspension_complaints, policy.rework_within_hours) == (2, 24)
    assert policy.suspension_window_days == 90
    bad = tmp_path / "bad.toml"
    bad.write_text("suspension_complaint = 2\n")
    with pytest.raises(PolicyError, match="suspension_complaint"):
        load_ops_policy(bad)


def test_store_remembers_its_policy(store: EventStore) -> None:
    """A policy given once is saved with the store and used by later sessions."""
    ops = _ops(store, suspension_complaints=1)
    assert ops.policy.suspension_complaints == 1
    later = Operations(store)
    assert later.policy.suspension_complaints == 1
    stored = _complaint(later, 1, 0)
    assert len(_by_rule(stored, "complaint_suspension")) == 1
