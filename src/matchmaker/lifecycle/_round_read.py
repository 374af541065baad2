"""A day's round read from the store's round index: what ``ops jobs`` exports.

The same :class:`~matchmaker.lifecycle._round_inputs.RoundInputs` as
:func:`~matchmaker.lifecycle._round_inputs.ledger_round_inputs` computes from every
entity, read instead from ``visit_index`` (:mod:`matchmaker.lifecycle._views`) and the
rows of the entities the round names: the visits whose round window touches the day
(with a day's margin, then checked by the same :func:`in_round`), the states of their
orders, every worker, the visits' customers with their running orders (by
``order_index``), the visits of those orders and those customers' check-ins before the
day. What it reads grows with the day's visits, the workers and the round's customers'
history, not with the rest of the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._readmodel_codec import decode
from matchmaker.lifecycle._round_inputs import (
    ENDED_ORDER_STATES,
    RUNNING_ORDER_STATES,
    RoundInputs,
    day_start,
    in_round,
    outside_partners,
    round_customers,
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


def _running(tx: Transaction, customer_ids: Sequence[str]) -> dict[str, list[str]]:
    """The contracted or active orders of the customers, by customer."""
    states = tuple(str(s) for s in RUNNING_ORDER_STATES)
    running: dict[str, list[str]] = {}
    for chunk in id_chunks(customer_ids):
        rows = tx.execute(
            "SELECT o.customer_id, o.order_id FROM order_index o JOIN entity_state e "
            "ON e.entity_type = 'order' AND e.entity_id = o.order_id "
            f"WHERE o.customer_id IN ({marks(chunk)}) AND e.state IN ({marks(states)})",
            (*chunk, *states),
        ).fetchall()
        for customer_id, order_id in rows:
            running.setdefault(str(customer_id), []).append(str(order_id))
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


def _previous(tx: Transaction, customer_ids: Sequence[str], before_us: int) -> dict[str, list[str]]:
    # Ordered by the database (the latest check-in first, ties by visit id); each
    # customer's workers kept in first-seen order by a dict.
    seen: dict[str, dict[str, None]] = {}
    for chunk in id_chunks(customer_ids):
        rows = tx.execute(
            f"SELECT customer_id, workers FROM visit_index WHERE customer_id IN ({marks(chunk)}) "
            "AND checked_in_us < ? ORDER BY checked_in_us DESC, visit_id DESC",
            (*chunk, before_us),
        ).fetchall()
        for customer_id, workers in rows:
            names = seen.setdefault(str(customer_id), {})
            if workers:
                for worker_id in str(workers).split(";"):
                    names.setdefault(worker_id, None)
    return {customer_id: list(names) for customer_id, names in seen.items()}


def _entity_rows(
    tx: Transaction, entity_type: str, ids: Sequence[str]
) -> list[tuple[str, str, str]]:
    """``(entity_id, state, data)`` of each of the entities ``ids`` the store holds."""
    rows: list[tuple[str, str, str]] = []
    for chunk in id_chunks(ids):
        found = tx.execute(
            "SELECT entity_id, state, data FROM entity_state WHERE entity_type = ? "
            f"AND entity_id IN ({marks(chunk)})",
            (entity_type, *chunk),
        ).fetchall()
        rows.extend((str(r[0]), str(r[1]), str(r[2])) for r in found)
    return rows


def _customers(tx: Transaction, customer_ids: Sequence[str]) -> list[CustomerRecord]:
    rows = sorted(_entity_rows(tx, "customer", customer_ids))
    return [decode(CustomerRecord, data) for _id, _state, data in rows]


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
    customer_ids = round_customers(visits)
    running = _running(tx, customer_ids)
    relevant = sorted(
        {v.job.order_id for v in visits if v.job.order_id}
        | {o for ids in running.values() for o in ids}
    )
    before_us = to_us(day_start(visits, day, zone))
    workers: list[WorkerRecord] = _decoded(tx, "worker", WorkerRecord)
    return RoundInputs(
        visits=visits,
        workers=sorted(workers, key=lambda w: w.worker_id),
        customers=_customers(tx, customer_ids),
        running_orders=running,
        order_workers=_order_workers(tx, relevant, before_us),
        previous=_previous(tx, customer_ids, before_us),
        partner_states=_partner_states(tx, outside_partners(visits)),
    )


def _partner_states(tx: Transaction, ids: Sequence[str]) -> dict[str, str]:
    """State of each of the visits ``ids`` the store holds."""
    return {entity_id: state for entity_id, state, _data in _entity_rows(tx, "visit", ids)}
