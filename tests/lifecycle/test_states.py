"""Every legal and every illegal transition of the six transition tables."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from matchmaker.lifecycle import TABLES, EntityType, TransitionTable, apply
from matchmaker.lifecycle._entities import Entity
from matchmaker.lifecycle._placement import PlacementRecord
from matchmaker.lifecycle._states import (
    NEW,
    ORDER_TABLE,
    VISIT_TABLE,
    OrderState,
    VisitState,
    entity_type_of,
)
from matchmaker.lifecycle._visit import Visit
from matchmaker.model import InvalidTransition

from .factory import at, ev

ENTITY_ID = {
    EntityType.ORDER: "O1",
    EntityType.VISIT: "V1",
    EntityType.COMPLAINT: "K1",
    EntityType.WORKER: "W1",
    EntityType.CUSTOMER: "C1",
    EntityType.PLACEMENT: "PL1",
}


def _free_worker(entity: Entity | None) -> str:
    excluded = entity.excluded_workers if isinstance(entity, Visit) else ()
    return next(w for w in ("W1", "W2", "W3", "W4") if w not in excluded)


def _serving(entity: Entity | None) -> str:
    return entity.workers[0] if isinstance(entity, Visit) and entity.workers else "W1"


def _placement_worker(entity: Entity | None, what: str) -> str:
    """A candidate, the interviewed candidate or the worker of a placement (else W1)."""
    if not isinstance(entity, PlacementRecord):
        return "W1"
    if what == "candidate" and entity.candidates:
        return entity.candidates[0]
    if what == "interviewed" and entity.interviews:
        return entity.interviews[-1][0]
    if what == "worker" and entity.stints:
        return entity.stints[-1].worker_id
    return next(w for w in ("W1", "W2", "W3") if w not in entity.excluded)


def sample_payload(kind: str, entity: Entity | None) -> dict[str, Any]:
    """A payload of ``kind`` that the entity accepts whenever its state allows the kind."""
    payloads: dict[str, dict[str, Any]] = {
        "order_created": {"customer_id": "C1", "service_type": "daily_cleaning"},
        "assessment_scheduled": {"at": at(600)},
        "order_quoted": {"total": "300.00"},
        "order_contracted": {
            "schedule": {
                "frequency": "daily",
                "start_date": "2026-12-02",
                "count": 5,
                "start_time": "08:00",
                "timezone": "Asia/Shanghai",
            },
            "visit": {"duration_minutes": 120},
        },
        "order_schedule_paused": {"from_date": "2026-12-05"},
        "order_schedule_amended": {
            "effective_from": "2026-12-05",
            "visit": {"duration_minutes": 90},
        },
        "order_cancelled": {"reason": "customer moved"},
        "order_deposit_paid": {"amount": "50.00"},
        "order_refunded": {"amount": "10.00"},
        "visit_refunded": {"amount": "20.00", "reason": "broken vase"},
        "visit_created": {
            "customer_id": "C1",
            "service_type": "daily_cleaning",
            "earliest_start": at(60),
            "latest_start": at(120),
            "duration_minutes": 120,
            "price": "200.00",
        },
        "visit_proposed": {"worker_ids": [_free_worker(entity)], "start": at(60)},
        "visit_declined": {"worker_id": _serving(entity)},
        "visit_no_show": {"worker_ids": [_serving(entity)]},
        "visit_settled": {"method": "online", "amount": "200.00"},
        "visit_rated": {"stars": 4, "worker_id": _serving(entity)},
        "visit_issue_reported": {"category": "no_supplies", "worker_id": _serving(entity)},
        "visit_cancelled": {"reason": "customer away"},
        "complaint_opened": {
            "visit_id": "V1",
            "category": "late",
            "worker_id": "W1",
            "customer_id": "C1",
            "service_type": "daily_cleaning",
        },
        "worker_registered": {"gender": "F", "home_lat": 31.2, "home_lon": 121.4},
        "worker_updated": {"name": "Li"},
        "worker_availability_set": {"shifts": [{"start": at(0), "end": at(480)}]},
        "worker_rating_updated": {"rating": 4.0, "rating_count": 3},
        "worker_applied": {"gender": "F", "home_lat": 31.2, "home_lon": 121.4},
        "worker_interviewed": {"outcome": "passed"},
        "worker_trained": {"course": "home care"},
        "worker_background_checked": {"result": "passed"},
        "worker_rejected": {"reason": "did not come"},
        "customer_replacement_requested": {"worker_id": "W1"},
        "customer_registered": {"lat": 31.2, "lon": 121.4},
        "customer_updated": {"name": "Wang"},
        "customer_worker_blocked": {"worker_id": "W1"},
        "customer_worker_unblocked": {"worker_id": "W1"},
        "placement_requested": {
            "customer_id": "C1",
            "service_type": "postpartum_care",
            "due_date": "2027-01-10",
            "days_before": 3,
            "days_after": 3,
            "duration_days": 26,
        },
        "placement_shortlisted": {"candidates": [_placement_worker(entity, "free")]},
        "placement_interview_scheduled": {
            "worker_id": _placement_worker(entity, "candidate"),
            "at": at(600),
        },
        "placement_candidate_declined": {"worker_id": _placement_worker(entity, "candidate")},
        "placement_selected": {"worker_id": _placement_worker(entity, "interviewed")},
        "placement_contracted": {"monthly_salary": "16000"},
        # Started on the day it is recorded, so that it may complete that day too.
        "placement_started": {"start_date": "2026-12-01"},
        "placement_due_date_moved": {"due_date": "2027-01-12"},
        "placement_settled": {
            "month": "2027-01",
            "worker_id": _placement_worker(entity, "worker"),
            "days": 10,
            "salary": "5333.33",
            "service_fee": "533.33",
        },
        "placement_followed_up": {"follow_up": "W1:day_1"},
        "placement_replacement_requested": {"last_day": "2027-01-15"},
    }
    return payloads.get(kind, {})


def _event(kind: str, entity: Entity | None, step: int) -> Any:
    entity_id = ENTITY_ID[entity_type_of(kind)]
    return ev(kind, entity_id, step, **sample_payload(kind, entity))


def _paths(table: TransitionTable) -> dict[str, list[str]]:
    """A shortest path of event kinds from ``new`` to every reachable state."""
    paths = {NEW: []}
    queue = deque([NEW])
    while queue:
        state = queue.popleft()
        for kind in table.allowed(state):
            target = table.transitions[(state, kind)]
            if target not in paths:
                paths[target] = [*paths[state], kind]
                queue.append(target)
    return paths


def _build(table: TransitionTable, state: str) -> Entity | None:
    entity: Entity | None = None
    for step, kind in enumerate(_paths(table)[state]):
        entity = apply(entity, _event(kind, entity, step))
    return entity


CASES = [
    pytest.param(table, state, kind, id=f"{table.entity_type}-{state}-{kind}")
    for table in TABLES.values()
    for state in (NEW, *table.states)
    for kind in table.kinds
]


@pytest.mark.parametrize("table", list(TABLES.values()), ids=lambda t: str(t.entity_type))
def test_every_state_is_reachable(table: TransitionTable) -> None:
    """Each table reaches every one of its states from 'new'."""
    assert set(_paths(table)) == {NEW, *table.states}


@pytest.mark.parametrize(("table", "state", "kind"), CASES)
def test_transition(table: TransitionTable, state: str, kind: str) -> None:
    """A pair in the table moves to its target; any other pair raises and changes nothing."""
    entity = _build(table, state)
    before = entity
    event = _event(kind, entity, 100)
    target = table.transitions.get((state, kind))
    if target is not None:
        after = apply(entity, event)
        assert str(after.state) == target
        return
    with pytest.raises(InvalidTransition) as caught:
        apply(entity, event)
    assert caught.value.state == state
    assert caught.value.event == kind
    assert caught.value.allowed == table.allowed(state)
    assert repr(state) in str(caught.value) and repr(kind) in str(caught.value)
    assert entity == before


def test_order_follows_the_seed_process() -> None:
    """Order: assessment optional, quote before contract, cancel only before completion."""
    assert ORDER_TABLE.allowed(OrderState.INQUIRY) == (
        "assessment_scheduled",
        "order_quoted",
        "order_cancelled",
    )
    cancellable = {s for (s, k) in ORDER_TABLE.transitions if k == "order_cancelled"}
    assert cancellable == {
        OrderState.INQUIRY,
        OrderState.ASSESSMENT_SCHEDULED,
        OrderState.ASSESSED,
        OrderState.QUOTED,
        OrderState.CONTRACTED,
        OrderState.ACTIVE,
    }
    assert ORDER_TABLE.is_final(OrderState.CLOSED) and ORDER_TABLE.is_final(OrderState.CANCELLED)


def test_visit_follows_the_seed_process() -> None:
    """Visit: decline returns to unassigned, rework returns to completed, follow-up is last."""
    t = VISIT_TABLE.transitions
    assert t[(VisitState.PROPOSED, "visit_declined")] == VisitState.UNASSIGNED
    assert t[(VisitState.REWORK, "visit_rework_done")] == VisitState.COMPLETED
    assert t[(VisitState.NO_SHOW, "visit_proposed")] == VisitState.PROPOSED
    assert VISIT_TABLE.allowed(VisitState.FOLLOWED_UP) == (
        "visit_rated",
        "visit_refunded",
        "visit_issue_reported",
    )
    assert VISIT_TABLE.is_final(VisitState.CANCELLED)


def test_invalid_transition_message_lists_allowed_events() -> None:
    """The error names entity, state, event and what is allowed there."""
    entity = _build(VISIT_TABLE, VisitState.UNASSIGNED)
    with pytest.raises(InvalidTransition) as caught:
        apply(entity, _event("visit_checked_in", entity, 5))
    message = str(caught.value)
    assert message.startswith("visit V1: event 'visit_checked_in' is not allowed in state")
    assert "visit_proposed, visit_cancelled" in message
