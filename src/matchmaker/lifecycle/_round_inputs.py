"""What a day's dispatch round is made of, taken from a full ledger: the reference.

:func:`~matchmaker.lifecycle._export.export_dataset` writes a round from a
:class:`RoundInputs`: the day's visits, every worker, the visits' customers, their orders
still running, each order's worker and each customer's workers so far. :func:`ledger_round_inputs`
computes them from the current state of every entity (a ledger); ``ops jobs`` reads the
same from the store's round index instead (:mod:`matchmaker.lifecycle._round_read`), and
a test checks that both give the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._states import OrderState, VisitState
from matchmaker.lifecycle._visit import Visit
from matchmaker.lifecycle._worker import WorkerRecord

__all__ = [
    "ENDED_ORDER_STATES",
    "OPEN_STATES",
    "PINNED_STATES",
    "RUNNING_ORDER_STATES",
    "RoundInputs",
    "counts_for_order",
    "day_start",
    "gives_order_worker",
    "in_round",
    "ledger_round_inputs",
    "local_date",
    "outside_partners",
    "round_customers",
]

PINNED_STATES = (VisitState.PROPOSED, VisitState.CONFIRMED, VisitState.CHECKED_IN)
OPEN_STATES = (VisitState.UNASSIGNED, VisitState.NO_SHOW)
ENDED_ORDER_STATES = (OrderState.CLOSED, OrderState.CANCELLED)
RUNNING_ORDER_STATES = (OrderState.CONTRACTED, OrderState.ACTIVE)


@dataclass(frozen=True, kw_only=True)
class RoundInputs:
    """Everything a round's dataset is written from."""

    visits: list[Visit]
    """The day's visits to export (order by earliest start, id); none of an ended order."""
    workers: list[WorkerRecord]
    """Every worker (the round may give any of them work), by id."""
    customers: list[CustomerRecord]
    """The customers of the round's visits, by id; the rest of the store's customers are no
    part of the round."""
    running_orders: Mapping[str, list[str]]
    """Per customer of the round, the ids of its contracted or active orders."""
    order_workers: Mapping[str, tuple[str, ...]]
    """Per order of several visits (of the day's visits' orders and the running ones), the
    workers of its latest served or confirmed visit starting before the day (the latest
    by start, then by id)."""
    previous: Mapping[str, list[str]]
    """Per customer of the round, the workers of visits served before the day, most recent
    first."""
    partner_states: Mapping[str, str] = field(default_factory=dict)
    """State of each visit a round visit ``depends_on`` that is not in the round itself
    (served, cancelled, on another day, of an ended order); a visit the store does not
    know is missing."""


def outside_partners(visits: Sequence[Visit]) -> list[str]:
    """The visits the round's linked visits follow that are not in the round, sorted."""
    ids = {v.visit_id for v in visits}
    return sorted(
        {v.job.depends_on for v in visits if v.job.depends_on and v.job.depends_on not in ids}
    )


def local_date(moment: datetime, zone: ZoneInfo | None) -> date:
    return moment.astimezone(zone).date() if zone is not None else moment.date()


def in_round(visit: Visit, day: date, zone: ZoneInfo | None) -> bool:
    """Proposed, confirmed or checked in with its planned start on ``day``, or still to
    dispatch (unassigned, after a no-show) with its start window touching ``day``."""
    if visit.state in PINNED_STATES and visit.planned_start is not None:
        return local_date(visit.planned_start, zone) == day
    if visit.state in OPEN_STATES:
        return (
            local_date(visit.job.earliest_start, zone)
            <= day
            <= local_date(visit.job.latest_start, zone)
        )
    return False


def day_start(visits: Sequence[Visit], day: date, zone: ZoneInfo | None) -> datetime:
    """Midnight of ``day`` in the store's timezone, else in the UTC offset of the round's
    first visit."""
    if zone is not None:
        return datetime.combine(day, datetime.min.time(), tzinfo=zone)
    offset = visits[0].job.earliest_start.tzinfo if visits else UTC
    return datetime.combine(day, datetime.min.time(), tzinfo=offset)


def counts_for_order(visit: Visit) -> bool:
    """Whether the visit counts among its order's visits (an assessment or a rework does
    not: the assessor is not the order's worker)."""
    return bool(visit.job.order_id) and visit.rework_of is None and not visit.assessment


def gives_order_worker(visit: Visit) -> bool:
    """Whether the visit's workers may be its order's worker (served or confirmed)."""
    return (
        counts_for_order(visit)
        and bool(visit.workers)
        and (visit.served or visit.state is VisitState.CONFIRMED)
    )


def _order_workers(
    ledger: Ledger, before: datetime, relevant: set[str]
) -> dict[str, tuple[str, ...]]:
    visits_per_order: dict[str, int] = {}
    for visit in ledger.visits.values():
        if counts_for_order(visit) and visit.job.order_id in relevant:
            order_id = visit.job.order_id
            visits_per_order[order_id] = visits_per_order.get(order_id, 0) + 1
    latest: dict[str, Visit] = {}
    for visit in ledger.visits.values():
        order_id = visit.job.order_id
        if not gives_order_worker(visit) or visits_per_order.get(order_id, 0) < 2:
            continue
        if visit.start >= before:
            continue
        current = latest.get(order_id)
        if current is None or (visit.start, visit.visit_id) > (current.start, current.visit_id):
            latest[order_id] = visit
    return {order_id: visit.workers for order_id, visit in latest.items()}


def _previous_workers(ledger: Ledger, before: datetime) -> dict[str, list[str]]:
    served = sorted(
        (
            v
            for v in ledger.visits.values()
            if v.checked_in_at is not None and v.checked_in_at < before
        ),
        key=lambda v: (v.checked_in_at, v.visit_id),
        reverse=True,
    )
    out: dict[str, list[str]] = {}
    for visit in served:
        names = out.setdefault(visit.job.customer_id, [])
        for worker_id in visit.workers:
            if worker_id not in names:
                names.append(worker_id)
    return out


def ledger_round_inputs(ledger: Ledger, day: date, zone: ZoneInfo | None) -> RoundInputs:
    """The round of ``day`` from the current state of every entity."""
    ended = {o.order_id for o in ledger.orders.values() if o.state in ENDED_ORDER_STATES}
    # A closed or cancelled order's visits are never dispatched, whatever their own state.
    visits = sorted(
        (
            v
            for v in ledger.visits.values()
            if in_round(v, day, zone) and v.job.order_id not in ended
        ),
        key=lambda v: (v.job.earliest_start, v.visit_id),
    )
    customer_ids = round_customers(visits)
    running: dict[str, list[str]] = {}
    for order in ledger.orders.values():
        if order.state in RUNNING_ORDER_STATES and order.customer_id in customer_ids:
            running.setdefault(order.customer_id, []).append(order.order_id)
    before = day_start(visits, day, zone)
    relevant = {v.job.order_id for v in visits} | {o for ids in running.values() for o in ids}
    previous = _previous_workers(ledger, before)
    return RoundInputs(
        visits=visits,
        workers=sorted(ledger.workers.values(), key=lambda w: w.worker_id),
        customers=[ledger.customers[c] for c in customer_ids if c in ledger.customers],
        running_orders={c: sorted(ids) for c, ids in running.items()},
        order_workers=_order_workers(ledger, before, relevant),
        previous={c: previous[c] for c in customer_ids if c in previous},
        partner_states={
            p: ledger.visits[p].state.value for p in outside_partners(visits) if p in ledger.visits
        },
    )


def round_customers(visits: Sequence[Visit]) -> list[str]:
    """The customers of the round's visits, sorted: the round's ``customers.csv``."""
    return sorted({v.job.customer_id for v in visits})
