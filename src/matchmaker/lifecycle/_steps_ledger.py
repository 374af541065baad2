"""What the ledger checks and fills in for the process steps (assessment, replacement,
schedule changes), and the order -> visits index the step rules read.

:meth:`Ledger._check_references` and :meth:`Ledger.resolve` call :func:`check_step` and
:func:`resolve_step`; both raise :class:`~matchmaker.model.LifecycleError` naming the
unknown or unfit id.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._schedule import local_day, open_pause
from matchmaker.lifecycle._screening import check_approval
from matchmaker.lifecycle._states import OrderState, VisitState
from matchmaker.lifecycle._visit import Visit
from matchmaker.model import LifecycleError

if TYPE_CHECKING:
    from matchmaker.lifecycle._ledger import Ledger

__all__ = [
    "assessment_visits",
    "check_step",
    "resolve_step",
    "scheduled_visits",
    "visits_of_order",
]

ASSESSED_STATES = (
    VisitState.COMPLETED,
    VisitState.ACCEPTED,
    VisitState.SETTLED,
    VisitState.FOLLOWED_UP,
)
"""An assessment visit in one of these states has been done: its findings can be recorded."""


class _OrderIndex(threading.local):
    """Visit ids per order id, for one ledger's ``visits`` dict (one per thread).

    A visit never changes its order and visits are never removed, so only the ids added
    since the last call are read (dicts keep insertion order). The dict itself is kept,
    so it cannot be mistaken for another one.
    """

    def __init__(self) -> None:
        self.visits: Mapping[str, Visit] | None = None
        self.seen = 0
        self.index: dict[str, list[str]] = {}

    def of(self, visits: Mapping[str, Visit], order_id: str) -> list[str]:
        if self.visits is not visits or len(visits) < self.seen:
            self.visits, self.seen, self.index = visits, 0, {}
        for visit_id in islice(visits.keys(), self.seen, None):
            order = visits[visit_id].job.order_id
            if order:
                self.index.setdefault(order, []).append(visit_id)
        self.seen = len(visits)
        return self.index.get(order_id, [])


_INDEX = _OrderIndex()


def visits_of_order(ledger: Ledger, order_id: str) -> list[Visit]:
    """Every visit of an order (rework and assessment visits included), in creation order."""
    return [ledger.visits[v] for v in _INDEX.of(ledger.visits, order_id)]


def scheduled_visits(ledger: Ledger, order_id: str) -> list[Visit]:
    """The order's service visits: neither rework nor assessment visits."""
    return [
        v for v in visits_of_order(ledger, order_id) if v.rework_of is None and not v.assessment
    ]


def assessment_visits(ledger: Ledger, order_id: str) -> list[Visit]:
    """The order's assessment visits not cancelled, in creation order."""
    return [
        v
        for v in visits_of_order(ledger, order_id)
        if v.assessment and v.state is not VisitState.CANCELLED
    ]


def check_step(ledger: Ledger, event: Event) -> None:
    """Refuse a step event that names an unknown or unfit entity."""
    kind, who, p = event.kind, f"{event.entity_type} {event.entity_id}", event.payload
    if kind == "visit_created" and p.get("assessment"):
        order = ledger.orders.get(str(p.get("order_id") or ""))
        if order is None:
            raise LifecycleError(f"{who}: an assessment visit needs a known order_id")
        if order.state is not OrderState.ASSESSMENT_SCHEDULED:
            raise LifecycleError(
                f"{who}: order {order.order_id} is {order.state}; an assessment visit needs "
                "an order with its assessment scheduled"
            )
    elif kind == "order_assessed":
        named = p.get("visit_id")
        visits = assessment_visits(ledger, event.entity_id)
        if named is not None and named not in {v.visit_id for v in visits}:
            raise LifecycleError(
                f"{who}: {named!r} is not an assessment visit of this order (unknown visit)"
            )
        chosen = [v for v in visits if v.visit_id == named] if named else visits[-1:]
        for visit in chosen:
            if visit.state not in ASSESSED_STATES:
                raise LifecycleError(
                    f"{who}: its assessment visit {visit.visit_id} is {visit.state}; record "
                    "the findings once the assessor has completed it"
                )
    elif kind == "worker_approved" and event.entity_id in ledger.workers:
        check_approval(ledger.workers[event.entity_id], event)
    elif kind.startswith("order_schedule_") and event.entity_id in ledger.orders:
        order = ledger.orders[event.entity_id]
        changed = order.schedule_changed_at
        if changed is not None and event.time < changed:
            raise LifecycleError(
                f"{who}: {kind} at {event.time.isoformat()} is before the schedule's last "
                f"change at {changed.isoformat()}; pauses, resumptions and amendments must be "
                "in time order"
            )
        if kind == "order_schedule_resumed" and order.schedule is not None:
            value = p.get("from_date")
            zone = str(order.schedule["timezone"])
            day = local_day(event.time, zone) if value is None else date.fromisoformat(str(value))
            if open_pause(order, day) is None:
                raise LifecycleError(
                    f"{who}: nothing to resume, the schedule is not paused on or after "
                    f"{day.isoformat()}"
                )
    elif kind == "customer_replacement_requested":
        worker = str(p["worker_id"])
        if worker not in ledger.workers:
            raise LifecycleError(f"{who}: unknown worker {worker!r}")
        named = p.get("visit_id")
        if named is not None:
            target = ledger.visits.get(str(named))
            if target is None:
                raise LifecycleError(f"{who}: unknown visit {named!r}")
            if target.job.customer_id != event.entity_id:
                raise LifecycleError(
                    f"{who}: visit {named} is for customer {target.job.customer_id}"
                )


def resolve_step(ledger: Ledger, event: Event, p: dict[str, Any]) -> None:
    """Fill the defaults a step event left out, so the stored event is explicit."""
    order = ledger.orders.get(event.entity_id) if event.entity_type == "order" else None
    if order is None:
        return
    if event.kind == "order_assessed" and p.get("visit_id") is None:
        visits = assessment_visits(ledger, order.order_id)
        if visits:
            p["visit_id"] = visits[-1].visit_id
    elif event.kind == "order_quoted" and not p.get("lines") and p.get("total") is None:
        lines = (order.findings or {}).get("lines") or []
        if lines:
            p["lines"] = [dict(line) for line in lines]
    elif (
        event.kind == "order_schedule_resumed"
        and p.get("from_date") is None
        and order.schedule is not None
    ):
        p["from_date"] = local_day(event.time, str(order.schedule["timezone"])).isoformat()
