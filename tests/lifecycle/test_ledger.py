"""The ledger's cross-entity checks, filled defaults, and replay."""

from __future__ import annotations

import pytest

from matchmaker.lifecycle import Ledger, Operations, VisitState
from matchmaker.model import InvalidTransition, LifecycleError

from .factory import at, ev, served, visit


def test_replay_rebuilds_the_live_state(ops: Operations) -> None:
    """Replaying the stored events gives exactly the state built live."""
    ops.submit([visit("V1"), *served("V1", late=7), ev("visit_rated", "V1", 200, stars=3)])
    live = ops.ledger()
    replayed = Ledger.replay(ops.store.read())
    assert replayed.snapshot() == live.snapshot()
    assert replayed.visits["V1"].minutes_late == 7


def test_failed_command_changes_nothing(ops: Operations) -> None:
    """An illegal event in a command rolls back the events before it too."""
    before = ops.store.count()
    with pytest.raises(InvalidTransition):
        ops.submit([visit("V1"), ev("visit_confirmed", "V1", 1)])
    assert ops.store.count() == before
    assert "V1" not in ops.ledger().visits


def test_visit_needs_a_registered_customer(ops: Operations) -> None:
    """A visit for an unknown customer is refused."""
    with pytest.raises(LifecycleError, match="customer 'C9' is not registered"):
        ops.submit([visit("V1", customer_id="C9")])


def test_visit_of_an_order_needs_a_contract(ops: Operations) -> None:
    """Visits attach only to a contracted or active order of the same customer."""
    ops.submit([ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning")])
    with pytest.raises(LifecycleError, match="need a contracted or active order"):
        ops.submit([visit("V1", order_id="O1")])
    ops.submit([ev("order_quoted", "O1", 1, total="100.00"), ev("order_contracted", "O1", 2)])
    with pytest.raises(LifecycleError, match="differs from order"):
        ops.submit([visit("V2", customer_id="C2", order_id="O1")])
    ops.submit([visit("V1", order_id="O1")])
    assert ops.ledger().visits["V1"].job.order_id == "O1"


def test_proposal_checks_worker_and_team_size(ops: Operations) -> None:
    """Proposals name registered, active workers, as many as the visit needs."""
    ops.submit([visit("V1"), visit("V2", workers_needed=2)])
    with pytest.raises(LifecycleError, match="not registered"):
        ops.submit([ev("visit_proposed", "V1", worker_ids=["W9"], start=at(60))])
    with pytest.raises(LifecycleError, match="needs 2 worker"):
        ops.submit([ev("visit_proposed", "V2", worker_ids=["W1"], start=at(60))])
    ops.submit([ev("worker_suspended", "W3", reason="test")])
    with pytest.raises(LifecycleError, match="W3 is suspended"):
        ops.submit([ev("visit_proposed", "V1", worker_ids=["W3"], start=at(60))])
    ops.submit([ev("visit_proposed", "V2", worker_ids="W1;W2", start=at(60))])
    assert ops.ledger().visits["V2"].workers == ("W1", "W2")


def test_decline_excludes_the_worker_for_that_visit(ops: Operations) -> None:
    """A decline sends the visit back to unassigned and bars that worker from it."""
    ops.submit(
        [
            visit("V1"),
            visit("V2"),
            ev("visit_proposed", "V1", worker_ids=["W1"], start=at(60)),
            ev("visit_declined", "V1", 5, worker_id="W1", reason="sick"),
        ]
    )
    state = ops.ledger().visits["V1"]
    assert state.state is VisitState.UNASSIGNED
    assert state.excluded_workers == ("W1",)
    assert [o.outcome for o in state.offers] == ["declined"]
    with pytest.raises(LifecycleError, match="excluded"):
        ops.submit([ev("visit_proposed", "V1", 6, worker_ids=["W1"], start=at(60))])
    ops.submit([ev("visit_proposed", "V2", 6, worker_ids=["W1"], start=at(60))])


def test_decline_by_a_worker_not_asked_is_refused(ops: Operations) -> None:
    """Only a proposed worker can decline."""
    ops.submit([visit("V1"), ev("visit_proposed", "V1", worker_ids=["W1"], start=at(60))])
    with pytest.raises(LifecycleError, match="was not asked"):
        ops.submit([ev("visit_declined", "V1", 1, worker_id="W2")])


def test_no_show_excludes_and_reopens(ops: Operations) -> None:
    """A worker who did not show up is excluded; the visit can be proposed again."""
    ops.submit([visit("V1"), *served("V1")[:2], ev("visit_no_show", "V1", 75)])
    state = ops.ledger().visits["V1"]
    assert state.state is VisitState.NO_SHOW
    assert state.no_show_workers == ("W1",) and state.excluded_workers == ("W1",)
    ops.submit([ev("visit_proposed", "V1", 80, worker_ids=["W2"], start=at(100))])
    assert ops.ledger().visits["V1"].state is VisitState.PROPOSED


def test_blocked_worker_cannot_be_proposed(ops: Operations) -> None:
    """A worker the customer blocked is refused for the customer's visits."""
    ops.submit([visit("V1"), ev("customer_worker_blocked", "C1", worker_id="W2")])
    with pytest.raises(LifecycleError, match="blocked worker W2"):
        ops.submit([ev("visit_proposed", "V1", worker_ids=["W2"], start=at(60))])


def test_defaults_are_filled_before_storing(ops: Operations) -> None:
    """Rating worker, check-in lateness, settlement method and amount are stored explicitly."""
    ops.submit(
        [
            visit("V1"),
            *served("V1", late=12),
            ev("visit_accepted", "V1", 190),
            ev("visit_rated", "V1", 191, stars=5),
            ev("visit_settled", "V1", 192),
        ]
    )
    stored = {s.event.kind: dict(s.event.payload) for s in ops.store.read()}
    assert stored["visit_checked_in"]["minutes_late"] == 12
    assert stored["visit_rated"]["worker_id"] == "W1"
    settled = stored["visit_settled"]
    assert (settled["method"], settled["amount"], settled["price"]) == (
        "online",
        "200.00",
        "200.00",
    )
    assert settled["adjustments"] == [] and settled["pay"] == []
    assert stored["visit_proposed"]["end"] == at(180).isoformat()


def test_rating_a_team_visit_names_the_worker(ops: Operations) -> None:
    """A team visit's rating must say which worker it is for, once per worker."""
    ops.submit(
        [
            visit("V1", workers_needed=2),
            ev("visit_proposed", "V1", worker_ids=["W1", "W2"], start=at(60)),
            ev("visit_confirmed", "V1", 1),
            ev("visit_checked_in", "V1", 60),
            ev("visit_completed", "V1", 180),
        ]
    )
    with pytest.raises(LifecycleError, match="name the worker_id"):
        ops.submit([ev("visit_rated", "V1", 181, stars=4)])
    ops.submit([ev("visit_rated", "V1", 181, stars=4, worker_id="W2")])
    with pytest.raises(LifecycleError, match="already rated"):
        ops.submit([ev("visit_rated", "V1", 182, stars=5, worker_id="W2")])


def test_complaint_names_a_worker_of_the_visit(ops: Operations) -> None:
    """A complaint is linked to its visit and to a worker who served it."""
    ops.submit([visit("V1"), *served("V1")])
    with pytest.raises(LifecycleError, match="did not serve"):
        ops.submit(
            [ev("complaint_opened", "K1", 200, visit_id="V1", category="late", worker_id="W2")]
        )
    ops.submit([ev("complaint_opened", "K1", 200, visit_id="V1", category="late")])
    complaint = ops.ledger().complaints["K1"]
    assert (complaint.worker_id, complaint.customer_id, complaint.service_type) == (
        "W1",
        "C1",
        "daily_cleaning",
    )


def test_settlement_without_price_needs_an_amount(ops: Operations) -> None:
    """A visit without a price cannot be settled without an amount."""
    ops.submit([visit("V1", price=None), *served("V1"), ev("visit_accepted", "V1", 190)])
    with pytest.raises(LifecycleError, match="method and an amount"):
        ops.submit([ev("visit_settled", "V1", 191)])
    ops.submit([ev("visit_settled", "V1", 191, amount="150", method="cash")])
    assert str(ops.ledger().visits["V1"].settlement_amount) == "150.00"


@pytest.mark.parametrize(
    ("kind", "entity", "name"),
    [
        ("visit_confirmed", "V0042", "visit"),
        ("order_started", "O9", "order"),
        ("customer_updated", "C9", "customer"),
        ("worker_suspended", "W9", "worker"),
    ],
)
def test_an_unknown_id_is_named_as_unknown(
    ops: Operations, kind: str, entity: str, name: str
) -> None:
    """An event for an id that was never created says 'unknown <entity> <id>' (most often a
    misspelt id), not that the event is not allowed in state 'new'; nothing is written."""
    before = ops.store.count()
    with pytest.raises(LifecycleError, match=f"unknown {name} '{entity}'") as caught:
        ops.submit([ev(kind, entity, 1)])
    assert not isinstance(caught.value, InvalidTransition)
    assert ops.store.count() == before


def test_an_event_before_the_last_state_change_is_refused(ops: Operations) -> None:
    """A visit_completed stamped before its check-in is refused naming both times, and the
    whole command is written or nothing."""
    ops.submit([visit("V1"), *served("V1")[:3]])  # checked in at 09:00
    before = ops.store.count()
    early = ev("visit_completed", "V1", 30)  # 08:30
    with pytest.raises(LifecycleError) as caught:
        ops.submit([early])
    message = str(caught.value)
    assert "visit_completed at 2026-12-01T08:30:00+08:00" in message
    assert "visit_checked_in at 2026-12-01T09:00:00+08:00" in message
    assert ops.store.count() == before
    assert ops.ledger().visits["V1"].state is VisitState.CHECKED_IN


def test_a_note_may_be_recorded_late_but_not_before_creation(ops: Operations) -> None:
    """An event that keeps the state (an issue reported during the visit, entered after
    its completion) may be back-dated to after the visit's creation, not before it."""
    ops.submit([visit("V1"), *served("V1")])  # created 03:00, completed 11:00
    ops.submit([ev("visit_issue_reported", "V1", 90, category="access", text="gate locked")])
    with pytest.raises(LifecycleError, match="before its visit_created"):
        ops.submit([ev("visit_issue_reported", "V1", -400, category="access")])
