"""A day's round read from the store's round index: what ``ops jobs`` exports.

The same :class:`~matchmaker.lifecycle._round_inputs.RoundInputs` as
:func:`~matchmaker.lifecycle._round_inputs.ledger_round_inputs` computes from every
entity, read instead from ``visit_index`` (:mod:`matchmaker.lifecycle._views`) and the
rows of the entities the round names: the visits whose round window touches the day
(with a day's margin, then checked by the same :func:`in_round`), the states of their
orders, every worker and customer (the dataset lists them all), the running orders, the
visits of those orders and the check-ins before the day. What it reads grows with the
day's visits, the workers and customers and the check-ins, not with the rest of the
history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._readmodel_codec import decode
from matchmaker.lifecycle._round_inputs import (
    ENDED_ORDER_STATES,
    RUNNING_ORDER_STATES,
    RoundInputs,
    day_start,
    in_round,
    outside_partners,
)
from matchmaker.lifecycle._views import id_chunks, marks, to_us, visit_rows
from matchmaker.lifecycle._worker import WorkerRecord

if TYPE_CHECKING:
    from matchmaker.lifecycle._store_sql import Transaction

__all__ = ["store_round_inputs"]


def _decoded(tx: Transaction, entity_type: str, cls: type[Any]) -> list[Any]:
    rows = tx.execute(
        "SELECT data FROM entity_state WHERE entity_type = ?", (entity_type,)
    ).fetchall()
    return [decode(cls, str(row[0])) for row in rows]


def _ended(tx: Transaction, order_ids: Iterable[str]) -> set[str]:
    ids = sorted({o for o in order_ids if o})
    states = tuple(str(s) for s in ENDED_ORDER_STATES)
    ended: set[str] = set()
    for chunk in id_chunks(ids):
        rows = tx.execute(
            "SELECT entity_id FROM entity_state WHERE entity_type = 'order' "
            f"AND state IN ({marks(states)}) AND entity_id IN ({marks(chunk)})",
            (*states, *chunk),
        ).fetchall()
        ended.update(str(r[0]) for r in rows)
    return ended


def _running(tx: Transaction) -> dict[str, list[str]]:
    states = tuple(str(s) for s in RUNNING_ORDER_STATES)
    rows = tx.execute(
        f"SELECT data FROM entity_state WHERE entity_type = 'order' AND state IN ({marks(states)})",
        states,
    ).fetchall()
    running: dict[str, list[str]] = {}
    for (data,) in rows:
        order: Order = decode(Order, str(data))
        running.setdefault(order.customer_id, []).append(order.order_id)
    return {c: sorted(ids) for c, ids in running.items()}


def _order_workers(
    tx: Transaction, relevant: Sequence[str], before_us: int
) -> dict[str, tuple[str, ...]]:
    counts: dict[str, int] = {}
    latest: dict[str, tuple[int, str, str]] = {}
    for chunk in id_chunks(relevant):
        for order_id, n in tx.execute(
            "SELECT order_id, COUNT(*) FROM visit_index WHERE order_visit = 1 "
            f"AND order_id IN ({marks(chunk)}) GROUP BY order_id",
            tuple(chunk),
        ).fetchall():
            counts[str(order_id)] = int(n)
        for order_id, visit_id, start_us, workers in tx.execute(
            "SELECT order_id, visit_id, order_worker_us, workers FROM visit_index "
            f"WHERE order_worker_us < ? AND order_id IN ({marks(chunk)})",
            (before_us, *chunk),
        ).fetchall():
            key = (int(start_us), str(visit_id), str(workers))
            if str(order_id) not in latest or key > latest[str(order_id)]:
                latest[str(order_id)] = key
    return {
        order_id: tuple(workers.split(";"))
        for order_id, (_start, _visit, workers) in latest.items()
        if counts.get(order_id, 0) >= 2
    }


def _previous(tx: Transaction, before_us: int) -> dict[str, list[str]]:
    # Ordered by the database (the latest check-in first, ties by visit id); each
    # customer's workers kept in first-seen order by a dict.
    rows = tx.execute(
        "SELECT customer_id, workers FROM visit_index WHERE checked_in_us < ? "
        "ORDER BY checked_in_us DESC, visit_id DESC",
        (before_us,),
    ).fetchall()
    seen: dict[str, dict[str, None]] = {}
    for customer_id, workers in rows:
        names = seen.setdefault(customer_id, {})
        if workers:
            for worker_id in workers.split(";"):
                names.setdefault(worker_id, None)
    return {customer_id: list(names) for customer_id, names in seen.items()}


def store_round_inputs(tx: Transaction, day: date, zone: ZoneInfo | None) -> RoundInputs:
    """The round of ``day`` (days in ``zone``, else in each time's own offset) from the
    store's views, in the snapshot ``tx``."""
    # A day in any UTC offset lies within a day either side of the UTC day.
    midnight = datetime.combine(day, time.min, tzinfo=zone or UTC)
    low, high = to_us(midnight - timedelta(days=1)), to_us(midnight + timedelta(days=2))
    candidates = visit_rows(tx, "round_hi_us >= ? AND round_lo_us < ?", (low, high))
    ended = _ended(tx, (v.job.order_id for v in candidates))
    visits = sorted(
        (v for v in candidates if in_round(v, day, zone) and v.job.order_id not in ended),
        key=lambda v: (v.job.earliest_start, v.visit_id),
    )
    running = _running(tx)
    relevant = sorted(
        {v.job.order_id for v in visits if v.job.order_id}
        | {o for ids in running.values() for o in ids}
    )
    before_us = to_us(day_start(visits, day, zone))
    workers: list[WorkerRecord] = _decoded(tx, "worker", WorkerRecord)
    customers: list[CustomerRecord] = _decoded(tx, "customer", CustomerRecord)
    return RoundInputs(
        visits=visits,
        workers=sorted(workers, key=lambda w: w.worker_id),
        customers=sorted(customers, key=lambda c: c.customer_id),
        running_orders=running,
        order_workers=_order_workers(tx, relevant, before_us),
        previous=_previous(tx, before_us),
        partner_states=_partner_states(tx, outside_partners(visits)),
    )


def _partner_states(tx: Transaction, ids: Sequence[str]) -> dict[str, str]:
    """State of each of the visits ``ids`` the store holds."""
    states: dict[str, str] = {}
    for chunk in id_chunks(ids):
        rows = tx.execute(
            "SELECT entity_id, state FROM entity_state WHERE entity_type = 'visit' "
            f"AND entity_id IN ({marks(chunk)})",
            tuple(chunk),
        ).fetchall()
        states.update((str(r[0]), str(r[1])) for r in rows)
    return states
