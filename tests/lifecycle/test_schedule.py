"""A recurring schedule paused, resumed and amended: visits follow, the past stays."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from matchmaker.lifecycle import Ledger, Operations, VisitState
from matchmaker.model import InvalidTransition, LifecycleError

from .factory import ev, served

DAY = 1440


def _contract(ops: Operations, **schedule: Any) -> None:
    """O1: ten daily visits at 08:00 Shanghai from Wednesday 2 December (O1-001..O1-010)."""
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, total="1000.00"),
            ev(
                "order_contracted",
                "O1",
                2,
                schedule={
                    "frequency": "daily",
                    "start_date": "2026-12-02",
                    "count": 10,
                    "start_time": "08:00",
                    "timezone": "Asia/Shanghai",
                    **schedule,
                },
                visit={"duration_minutes": 120, "price": "100.00"},
            ),
        ]
    )


def _live(ops: Operations) -> dict[str, str]:
    """Visit id -> local start day of the order's visits not cancelled."""
    return {
        v.visit_id: v.job.earliest_start.date().isoformat()
        for v in ops.ledger().visits.values()
        if v.state is not VisitState.CANCELLED
    }


def test_a_bounded_pause_cancels_the_visits_in_it_and_only_those(ops: Operations) -> None:
    """Paused from the 4th to the 6th: O1-003..O1-005 are cancelled by the rule
    schedule_pause, the visits before and after stay."""
    _contract(ops)
    stored = ops.submit(
        [ev("order_schedule_paused", "O1", 10, from_date="2026-12-04", until_date="2026-12-06")]
    )
    cancelled = [s.event.entity_id for s in stored if s.event.kind == "visit_cancelled"]
    assert cancelled == ["O1-003", "O1-004", "O1-005"]
    assert {s.event.actor for s in stored[1:]} == {"rule:schedule_pause"}
    assert sorted(_live(ops)) == ["O1-001", "O1-002", *[f"O1-{n:03d}" for n in range(6, 11)]]


def test_an_open_pause_then_resume_recreates_the_dropped_days_from_the_resume_day(
    ops: Operations,
) -> None:
    """Paused from the 4th until resumed, resumed on the 7th: the 4th-6th stay empty, the
    7th-11th come back under new ids, and no day has two visits."""
    _contract(ops)
    ops.submit([ev("order_schedule_paused", "O1", 10, from_date="2026-12-04")])
    assert sorted(_live(ops).values()) == ["2026-12-02", "2026-12-03"]
    stored = ops.submit([ev("order_schedule_resumed", "O1", 20, from_date="2026-12-07")])
    assert {s.event.actor for s in stored[1:]} == {"rule:schedule_resume"}
    days = sorted(_live(ops).values())
    assert days == ["2026-12-02", "2026-12-03", *[f"2026-12-{d:02d}" for d in range(7, 12)]]
    assert "O1-006-2" in _live(ops)  # O1-006 was cancelled by the pause: a new id
    assert ops.ledger().orders["O1"].pauses == ((date(2026, 12, 4), date(2026, 12, 6)),)


def test_resume_without_a_pause_and_a_pause_in_the_past_are_refused(ops: Operations) -> None:
    """Nothing to resume is an error; a pause may not start before the day it is recorded;
    an order without a schedule cannot be paused; an order not contracted cannot."""
    _contract(ops)
    with pytest.raises(LifecycleError, match="not paused"):
        ops.submit([ev("order_schedule_resumed", "O1", 10)])
    with pytest.raises(LifecycleError, match="before the day it is recorded"):
        ops.submit([ev("order_schedule_paused", "O1", 3 * DAY, from_date="2026-12-02")])
    ops.submit([ev("order_created", "O2", 10, customer_id="C1", service_type="x")])
    with pytest.raises(InvalidTransition):
        ops.submit([ev("order_schedule_paused", "O2", 11, from_date="2026-12-05")])


def test_overlapping_pauses_are_refused(ops: Operations) -> None:
    """A second pause overlapping one in force is refused with the first one named."""
    _contract(ops)
    ops.submit([ev("order_schedule_paused", "O1", 10, from_date="2026-12-04")])
    with pytest.raises(LifecycleError, match="paused already from 2026-12-04 open-ended"):
        ops.submit([ev("order_schedule_paused", "O1", 11, from_date="2026-12-08")])


def test_an_amendment_changes_future_visits_only(ops: Operations) -> None:
    """From the 6th the visits start at 10:00 and last 180 minutes: the first four (one of
    them served) keep 08:00; from the 6th the old visits are cancelled and new ones made
    under ``O1-r1-NNN``; a served visit is never touched."""
    _contract(ops)
    ops.submit(served("O1-001", "W1", start=DAY))
    stored = ops.submit(
        [
            ev(
                "order_schedule_amended",
                "O1",
                DAY + 200,
                effective_from="2026-12-06",
                schedule={
                    "frequency": "daily",
                    "start_date": "2026-12-02",
                    "count": 10,
                    "start_time": "10:00",
                    "timezone": "Asia/Shanghai",
                },
                visit={"duration_minutes": 180, "price": "150.00"},
                reason="customer works from home",
            )
        ]
    )
    kinds = [(s.event.kind, s.event.entity_id) for s in stored[1:]]
    assert ("visit_created", "O1-r1-005") in kinds and ("visit_cancelled", "O1-005") in kinds
    ledger = ops.ledger()
    assert ledger.visits["O1-001"].state is VisitState.COMPLETED
    for n in range(1, 5):
        assert ledger.visits[f"O1-{n:03d}"].job.earliest_start.hour == 8
    for n in range(5, 11):
        assert ledger.visits[f"O1-{n:03d}"].state is VisitState.CANCELLED
        new = ledger.visits[f"O1-r1-{n:03d}"]
        assert new.job.earliest_start.hour == 10 and new.job.duration_minutes == 180
    assert ledger.orders["O1"].schedule_revision == 1


def test_an_amendment_keeps_visits_it_does_not_change(ops: Operations) -> None:
    """An amendment to the same schedule and template keeps every future visit (with its
    proposal) and creates nothing: only the visits whose job changes are re-made."""
    _contract(ops)
    ops.submit(
        [ev("visit_proposed", "O1-006", 5, worker_ids=["W2"], start="2026-12-07T08:00:00+08:00")]
    )
    order = ops.ledger().orders["O1"]
    stored = ops.submit(
        [
            ev(
                "order_schedule_amended",
                "O1",
                10,
                effective_from="2026-12-05",
                schedule=dict(order.schedule or {}),
                visit=dict(order.visit_template or {}),
            )
        ]
    )
    assert len(stored) == 1
    assert ops.ledger().visits["O1-006"].state is VisitState.PROPOSED


def test_schedule_changes_replay_to_the_same_state(ops: Operations) -> None:
    """Pause, resume and amendment events replay to exactly the state built live."""
    _contract(ops)
    ops.submit(
        [
            ev("order_schedule_paused", "O1", 10, from_date="2026-12-04"),
            ev("order_schedule_resumed", "O1", 20, from_date="2026-12-08"),
            ev(
                "order_schedule_amended",
                "O1",
                30,
                effective_from="2026-12-10",
                visit={"duration_minutes": 90},
            ),
        ]
    )
    replayed = Ledger.replay(ops.store.read())
    assert replayed.snapshot() == ops.ledger().snapshot()


def test_schedule_changes_are_in_time_order(ops: Operations) -> None:
    """A resumption stamped before the pause it would end is refused, naming both times;
    nothing is written."""
    _contract(ops)
    ops.submit([ev("order_schedule_paused", "O1", 30, from_date="2026-12-04")])
    with pytest.raises(LifecycleError, match="before the schedule's last change"):
        ops.submit([ev("order_schedule_resumed", "O1", 20, from_date="2026-12-06")])
    assert ops.ledger().orders["O1"].pauses == ((date(2026, 12, 4), None),)
