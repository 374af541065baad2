"""Random event sequences never corrupt state, and replay always equals the live state."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from pydantic import ValidationError

from matchmaker.lifecycle import (
    VISIT_TABLE,
    ComplaintState,
    EventStore,
    Ledger,
    Operations,
    OpsPolicy,
    VisitState,
    WorkerState,
)
from matchmaker.model import LifecycleError

from .factory import at, ev, world

WORKERS = ["W1", "W2", "W3", "W4"]
VISIT_KINDS = [k for k in VISIT_TABLE.kinds if k != "visit_created"]
COMPLAINT_KINDS = ["complaint_investigation_started", "complaint_upheld", "complaint_rejected"]
OPEN_OR_PLANNED = (VisitState.PROPOSED, VisitState.CONFIRMED)
MAIN_PATH = {
    VisitState.UNASSIGNED: "visit_proposed",
    VisitState.NO_SHOW: "visit_proposed",
    VisitState.PROPOSED: "visit_confirmed",
    VisitState.CONFIRMED: "visit_checked_in",
    VisitState.CHECKED_IN: "visit_completed",
    VisitState.COMPLETED: "visit_accepted",
    VisitState.REWORK: "visit_rework_done",
    VisitState.ACCEPTED: "visit_settled",
    VisitState.SETTLED: "visit_followed_up",
}
"""The seed's usual next step, drawn more often than the other allowed kinds."""


class LifecycleMachine(RuleBasedStateMachine):
    """Drives one store with random (often illegal) events from every table."""

    def __init__(self) -> None:
        super().__init__()
        # In memory: the storage guarantees have their own tests; this one is about state.
        self.store = EventStore(":memory:", durable=False)
        self.ops = Operations(self.store, OpsPolicy(suspension_complaints=2))
        self.clock = 0
        self.visits: list[str] = []
        self.complaints = 0

    @initialize()
    def seed(self) -> None:
        self.ops.submit(world())

    def _submit(self, kind: str, entity: str, **payload: Any) -> None:
        self.clock += 7
        try:
            event = ev(kind, entity, self.clock, **payload)
        except ValidationError:
            return
        before, count = self.ops.ledger().snapshot(), self.store.count()
        try:
            self.ops.submit([event])
        except LifecycleError:
            assert self.ops.ledger().snapshot() == before
            assert self.store.count() == count

    @precondition(lambda self: len(self.visits) < 5)
    @rule(
        customer=st.sampled_from(["C1", "C2", "C9"]),
        start=st.integers(0, 3000),
        team=st.sampled_from([1, 1, 1, 2]),
    )
    def create_visit(self, customer: str, start: int, team: int) -> None:
        visit_id = f"V{len(self.visits) + 1}"
        self.visits.append(visit_id)
        self._submit(
            "visit_created",
            visit_id,
            customer_id=customer,
            service_type="daily_cleaning",
            earliest_start=at(start),
            latest_start=at(start + 60),
            duration_minutes=90,
            workers_needed=team,
            price="120.00",
        )

    def _visit_payload(
        self, data: st.DataObject, kind: str, team: int, serving: tuple[str, ...]
    ) -> dict[str, Any]:
        """A payload for ``kind``: often sensible, sometimes naming the wrong worker."""
        some_worker = st.sampled_from(list(serving) or WORKERS) | st.sampled_from(WORKERS)
        if kind == "visit_proposed":
            size = data.draw(st.sampled_from([team, team, 1, 2]))
            return {
                "worker_ids": data.draw(
                    st.lists(st.sampled_from(WORKERS), min_size=size, max_size=size, unique=True)
                ),
                "start": at(self.clock + 30),
            }
        if kind == "visit_declined":
            return {"worker_id": data.draw(some_worker)}
        if kind == "visit_cancelled":
            return {"reason": "random"}
        if kind == "visit_rated":
            return {"stars": data.draw(st.integers(1, 5)), "worker_id": data.draw(some_worker)}
        if kind == "visit_issue_reported":
            return {"category": "no_supplies"}
        if kind == "visit_settled":
            return {"method": data.draw(st.sampled_from(["online", "cash", "monthly_billing"]))}
        if kind == "visit_rework_requested":
            return {"on_site": data.draw(st.booleans())}
        return {}

    @rule(data=st.data(), kind=st.sampled_from(VISIT_KINDS))
    def any_visit_event(self, data: st.DataObject, kind: str) -> None:
        """Any kind on any visit: mostly illegal, which must change nothing."""
        if self.visits:
            visit_id = data.draw(st.sampled_from(self.visits))
            self._submit(kind, visit_id, **self._visit_payload(data, kind, 1, ()))

    @rule(data=st.data(), steps=st.integers(1, 8))
    def advance_visit(self, data: st.DataObject, steps: int) -> None:
        """Kinds the visit's state allows, several in a row, so runs reach the late states."""
        visits = self.ops.ledger().visits
        if not visits:
            return
        visit_id = data.draw(st.sampled_from(sorted(visits)))
        for _ in range(steps):
            visit = self.ops.ledger().visits[visit_id]
            allowed = VISIT_TABLE.allowed(visit.state)
            if not allowed:
                return
            usual = MAIN_PATH.get(visit.state)
            kind = data.draw(st.sampled_from([usual, usual, *allowed] if usual else allowed))
            payload = self._visit_payload(data, kind, visit.job.workers_needed, visit.workers)
            self._submit(kind, visit_id, **payload)

    @rule(data=st.data(), category=st.sampled_from(["late", "quality"]))
    def open_complaint(self, data: st.DataObject, category: str) -> None:
        if not self.visits:
            return
        served = sorted(k for k, v in self.ops.ledger().visits.items() if v.served)
        self.complaints += 1
        self._submit(
            "complaint_opened",
            f"K{self.complaints}",
            visit_id=data.draw(st.sampled_from(served or self.visits)),
            category=category,
        )

    @rule(data=st.data(), kind=st.sampled_from(COMPLAINT_KINDS))
    def complaint_event(self, data: st.DataObject, kind: str) -> None:
        complaints = sorted(self.ops.ledger().complaints)
        if complaints:
            self._submit(kind, data.draw(st.sampled_from(complaints)))

    @rule(data=st.data(), uphold=st.booleans())
    def resolve_complaint(self, data: st.DataObject, uphold: bool) -> None:
        """Investigate and decide an open complaint (upheld ones fire the feedback rules)."""
        opened = sorted(
            k for k, c in self.ops.ledger().complaints.items() if c.state is ComplaintState.OPENED
        )
        if opened:
            complaint_id = data.draw(st.sampled_from(opened))
            self._submit("complaint_investigation_started", complaint_id)
            self._submit("complaint_upheld" if uphold else "complaint_rejected", complaint_id)

    @rule(
        worker=st.sampled_from(WORKERS),
        kind=st.sampled_from(
            [
                "worker_reinstated",
                "worker_leave_started",
                "worker_leave_ended",
                "worker_leave_ended",
            ]
        ),
    )
    def worker_event(self, worker: str, kind: str) -> None:
        self._submit(kind, worker)

    @invariant()
    def replay_equals_live(self) -> None:
        assert Ledger.replay(self.store.read()).snapshot() == self.ops.ledger().snapshot()

    @invariant()
    def sequences_are_gapless(self) -> None:
        assert self.store.integrity_check() == []

    @invariant()
    def visits_are_consistent(self) -> None:
        for visit in self.ops.ledger().visits.values():
            if visit.state in OPEN_OR_PLANNED:
                assert len(visit.workers) == visit.job.workers_needed
                assert not set(visit.workers) & set(visit.excluded_workers)
            if visit.state in (VisitState.UNASSIGNED, VisitState.NO_SHOW, VisitState.CANCELLED):
                assert visit.workers == () and visit.planned_start is None
            assert len({r.worker_id for r in visit.ratings}) == len(visit.ratings)

    @invariant()
    def feedback_is_justified(self) -> None:
        ledger = self.ops.ledger()
        upheld = [c for c in ledger.complaints.values() if c.state is ComplaintState.UPHELD]
        for customer in ledger.customers.values():
            blamed = {c.worker_id for c in upheld if c.customer_id == customer.customer_id}
            assert set(customer.blocked_workers) <= blamed
        for worker in ledger.workers.values():
            if worker.state is WorkerState.SUSPENDED:
                assert sum(c.worker_id == worker.worker_id for c in upheld) >= 2

    def teardown(self) -> None:
        self.store.close()


LifecycleMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLifecycleMachine = LifecycleMachine.TestCase
TestLifecycleMachine.__doc__ = "Random event sequences keep every invariant; replay equals live."
