"""The step rules: the assessment visit, a replacement asked for by the customer, and the
order's state following its visits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.lifecycle import Ledger, Operations, OpsPolicy, OrderState, VisitState, export_jobs
from matchmaker.model import LifecycleError

from .factory import at, ev, served, visit


def _assessment(ops: Operations, minutes: float = 60, **spec: object) -> None:
    ops.submit(
        [
            ev("order_created", "O1", 0, customer_id="C1", service_type="deep_cleaning"),
            ev(
                "assessment_scheduled",
                "O1",
                1,
                at=at(minutes),
                visit={"duration_minutes": 45, "window_minutes": 60, **spec},
            ),
        ]
    )


def test_an_assessment_is_a_visit_dispatched_like_a_job(ops: Operations, tmp_path: Path) -> None:
    """assessment_dispatch: the scheduled assessment becomes visit O1-assessment-1 at the
    customer's home, exported by ops jobs for the day like any job."""
    _assessment(ops, required_skills="cleaning:3")
    v = ops.ledger().visits["O1-assessment-1"]
    assert v.assessment and v.rule == "assessment_dispatch" and v.state is VisitState.UNASSIGNED
    assert (v.job.lat, v.job.lon) == (31.2, 121.4)  # the customer's location
    assert v.job.required_skills == "cleaning:3" and v.job.service_type == "assessment"
    export_jobs(ops, day=date(2026, 12, 1), out=tmp_path / "round")
    jobs = pd.read_csv(tmp_path / "round" / "jobs.csv")
    assert jobs["job_id"].tolist() == ["O1-assessment-1"]


def test_rescheduling_cancels_the_open_assessment_visit(ops: Operations) -> None:
    """Each new assessment_scheduled cancels the open visit and dispatches the next one,
    numbered on."""
    _assessment(ops)
    ops.submit([ev("assessment_scheduled", "O1", 5, at=at(1500), visit={"duration_minutes": 45})])
    ops.submit([ev("assessment_scheduled", "O1", 6, at=at(1600), visit={"duration_minutes": 45})])
    visits = ops.ledger().visits
    assert visits["O1-assessment-1"].state is VisitState.CANCELLED
    assert visits["O1-assessment-2"].state is VisitState.CANCELLED
    assert visits["O1-assessment-3"].state is VisitState.UNASSIGNED


def test_findings_wait_for_the_assessor_and_feed_the_quote(ops: Operations) -> None:
    """order_assessed is refused while the assessment visit is not done; once completed
    the findings are recorded on the order with the visit, and a quote without lines
    takes the findings' lines."""
    _assessment(ops, minutes=200)
    findings = {
        "text": "three bedrooms, heavy grease in the kitchen",
        "duration_minutes": 240,
        "workers_needed": 2,
        "lines": [{"description": "deep cleaning 4 h x 2", "amount": "960.00"}],
    }
    with pytest.raises(LifecycleError, match="O1-assessment-1 is unassigned"):
        ops.submit([ev("order_assessed", "O1", 10, findings=findings)])
    ops.submit(served("O1-assessment-1", "W2", start=200))
    ops.submit([ev("order_assessed", "O1", 400, findings=findings)])
    order = ops.ledger().orders["O1"]
    assert order.state is OrderState.ASSESSED and order.assessment_visit_id == "O1-assessment-1"
    assert order.findings is not None and order.findings["workers_needed"] == 2
    ops.submit([ev("order_quoted", "O1", 410)])
    quote = ops.ledger().orders["O1"].quote
    assert quote is not None and str(quote.total) == "960.00"


def test_a_cancelled_assessment_visit_holds_the_findings_back_no_longer(
    ops: Operations,
) -> None:
    """The customer's assessment visit is cancelled (the assessor went another day, or
    looked at photos): it will never be completed, so the findings are recorded without
    it instead of being refused for ever (docs/ops.md)."""
    _assessment(ops, minutes=200)
    ops.submit([ev("visit_cancelled", "O1-assessment-1", 5, reason="assessed from photos")])
    ops.submit([ev("order_assessed", "O1", 10, findings={"text": "two rooms"})])
    order = ops.ledger().orders["O1"]
    assert order.state is OrderState.ASSESSED and order.findings is not None


def test_an_assessment_visit_needs_an_order_being_assessed(ops: Operations) -> None:
    """A visit marked assessment for an order not in assessment_scheduled, and findings
    naming a visit that is not the order's assessment, are refused."""
    ops.submit([ev("order_created", "O1", 0, customer_id="C1", service_type="x")])
    with pytest.raises(LifecycleError, match="an order with its assessment scheduled"):
        ops.submit([visit("A1", order_id="O1", assessment=True)])
    ops.submit([ev("assessment_scheduled", "O1", 1, at=at(60))])
    with pytest.raises(LifecycleError, match="unknown visit"):
        ops.submit([ev("order_assessed", "O1", 2, visit_id="V404")])


def test_a_replacement_withdraws_and_excludes_the_worker(ops: Operations, tmp_path: Path) -> None:
    """replacement_reoffer: the customer's visits proposed to or confirmed by W1 are
    withdrawn, another customer's and a served visit stay; W1 can no longer be proposed
    to C1 and the exported round carries the block."""
    ops.submit(
        [
            visit("V1"),
            visit("V2", start=1500),
            visit("V3", start=200),
            visit("V4", customer_id="C2"),
            *served("V1", "W1"),
            ev("visit_proposed", "V2", 0, worker_ids=["W1"], start=at(1500)),
            ev("visit_proposed", "V3", 0, worker_ids=["W1"], start=at(200)),
            ev("visit_confirmed", "V3", 1),
            ev("visit_proposed", "V4", 0, worker_ids=["W1"], start=at(60)),
        ]
    )
    stored = ops.submit(
        [ev("customer_replacement_requested", "C1", 190, worker_id="W1", reason="rude")]
    )
    assert [(s.event.kind, s.event.entity_id) for s in stored[1:]] == [
        ("visit_withdrawn", "V3"),
        ("visit_withdrawn", "V2"),
    ]
    ledger = ops.ledger()
    assert ledger.visits["V4"].state is VisitState.PROPOSED
    assert ledger.visits["V1"].state is VisitState.COMPLETED
    assert ledger.customers["C1"].replaced_workers == ("W1",)
    with pytest.raises(LifecycleError, match="blocked worker W1"):
        ops.submit([ev("visit_proposed", "V3", 195, worker_ids=["W1"], start=at(200))])
    export_jobs(ops, day=date(2026, 12, 1), out=tmp_path / "round")
    customers = pd.read_csv(tmp_path / "round" / "customers.csv").set_index("customer_id")
    assert customers.loc["C1", "blocked_workers"] == "W1"
    assert "V3" in pd.read_csv(tmp_path / "round" / "jobs.csv")["job_id"].tolist()


def test_a_replacement_names_unknown_ids(ops: Operations) -> None:
    """An unknown worker or visit in a replacement is named as unknown."""
    with pytest.raises(LifecycleError, match="unknown worker 'W9'"):
        ops.submit([ev("customer_replacement_requested", "C1", 0, worker_id="W9")])
    with pytest.raises(LifecycleError, match="unknown visit 'V9'"):
        ops.submit([ev("customer_replacement_requested", "C1", 0, worker_id="W1", visit_id="V9")])


def _order(ops: Operations) -> None:
    ops.submit(
        [
            ev("order_created", "O1", 0, customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, total="400.00"),
            ev("order_contracted", "O1", 2),
            visit("V1", order_id="O1"),
            visit("V2", order_id="O1", start=1500),
        ]
    )


def test_order_state_follows_its_visits(ops: Operations) -> None:
    """order_progress: the first check-in starts the contracted order; it completes when
    its last visit is settled, not before (a cancelled visit counts as done)."""
    _order(ops)
    stored = ops.submit(served("V1"))
    assert ("order_started", "rule:order_progress") in [
        (s.event.kind, s.event.actor) for s in stored
    ]
    ops.submit([ev("visit_accepted", "V1", 190), ev("visit_settled", "V1", 200)])
    assert ops.ledger().orders["O1"].state is OrderState.ACTIVE
    stored = ops.submit([ev("visit_cancelled", "V2", 210, reason="not needed")])
    assert [s.event.kind for s in stored] == ["visit_cancelled", "order_completed"]
    assert ops.ledger().orders["O1"].state is OrderState.COMPLETED


def test_order_state_by_hand_when_the_policy_says_so(ops: Operations) -> None:
    """With derive_order_state off nothing is derived and the order is moved by hand."""
    manual = Operations(ops.store, OpsPolicy(derive_order_state=False))
    _order(manual)
    stored = manual.submit(served("V1"))
    assert all(s.event.actor != "rule:order_progress" for s in stored)
    assert manual.ledger().orders["O1"].state is OrderState.CONTRACTED


def test_every_step_replays_to_the_state_built_live(ops: Operations) -> None:
    """Assessment, findings, replacement, screening and derived order events replay to
    exactly the state built live (rules do not run on replay)."""
    _assessment(ops, minutes=200)
    ops.submit(
        [
            *served("O1-assessment-1", "W2", start=200),
            ev("order_assessed", "O1", 400, findings={"text": "ok", "lines": []}),
            ev("order_quoted", "O1", 410, total="100.00"),
            ev("order_contracted", "O1", 420),
            visit("V1", order_id="O1", start=600),
            *served("V1", "W1", start=600),
            ev("visit_accepted", "V1", 730),
            ev("visit_settled", "V1", 740),
            ev("customer_replacement_requested", "C1", 750, worker_id="W1"),
            ev("worker_applied", "N1", 760, gender="M", home_lat=31.2, home_lon=121.4),
            ev("worker_rejected", "N1", 770, reason="failed check"),
        ]
    )
    live = ops.ledger()
    assert live.orders["O1"].state is OrderState.COMPLETED
    replayed = Ledger.replay(ops.store.read())
    assert replayed.snapshot() == live.snapshot()


def test_the_assessor_is_not_the_orders_regular_worker(ops: Operations, tmp_path: Path) -> None:
    """Continuity reads the order's service visits only: the assessor who served the
    assessment does not become the customer's preferred worker for the contract."""
    _assessment(ops, minutes=200)
    ops.submit(
        [
            *served("O1-assessment-1", "W2", start=200),
            ev("order_assessed", "O1", 400),
            ev("order_quoted", "O1", 410, total="100.00"),
            ev("order_contracted", "O1", 420),
            visit("V1", order_id="O1", start=1500),
            visit("V2", order_id="O1", start=1600),
        ]
    )
    export_jobs(ops, day=date(2026, 12, 2), out=tmp_path / "round")
    customers = pd.read_csv(tmp_path / "round" / "customers.csv", dtype=str, keep_default_na=False)
    assert "W2" not in customers.set_index("customer_id").loc["C1", "preferred_workers"]
    assert "W2" in customers.set_index("customer_id").loc["C1", "previous_workers"]
