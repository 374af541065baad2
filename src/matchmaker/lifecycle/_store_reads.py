"""Follow-ups and statements read from the store's indexes: ``ops followups``, ``ops statement``.

The same answers as :func:`~matchmaker.lifecycle.followups_due` and
:func:`~matchmaker.lifecycle.customer_statement` give from every entity, read instead
from the views of :mod:`matchmaker.lifecycle._views` and the rows of the entities they
name, in one snapshot:

- the follow-ups still to do are the rows of ``visit_index`` accepted and not followed
  up (no visit is decoded), with their customers' first accepted visits
  (``first_accepted``) and those customers' rows (a customer with earlier workers on
  record is not new); their times are given in the store's timezone;
- a statement reads the customer's visits (``visit_index`` by customer) and orders
  (``order_index`` by customer, and each visit's order).

What they read grows with the follow-ups open or with one customer's history, not with
the whole store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._followups import FollowUp, by_due_time, follow_up
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._readmodel_codec import decode
from matchmaker.lifecycle._statement import (
    CustomerStatement,
    check_month,
    statement_of,
    unknown_customer,
)
from matchmaker.lifecycle._views import from_us, id_chunks, marks, visit_rows

if TYPE_CHECKING:
    from matchmaker.lifecycle._store_sql import SqlStore, Transaction

__all__ = ["store_followups_due", "store_statement"]


def _rows(tx: Transaction, sql: str, ids: Sequence[str]) -> list[Any]:
    """``sql`` (ending in ``IN ({marks})``) over ``ids`` in chunks."""
    out: list[Any] = []
    for chunk in id_chunks(ids):
        out += tx.execute(sql.format(marks=marks(chunk)), tuple(chunk)).fetchall()
    return out


def _entities(tx: Transaction, entity_type: str, cls: type[Any], ids: Sequence[str]) -> list[Any]:
    rows = _rows(
        tx,
        f"SELECT data FROM entity_state WHERE entity_type = '{entity_type}' "
        "AND entity_id IN ({marks})",
        ids,
    )
    return [decode(cls, str(row[0])) for row in rows]


def store_followups_due(store: SqlStore, policy: OpsPolicy, *, as_of: datetime) -> list[FollowUp]:
    """The follow-ups still to do (pending or overdue) at ``as_of``, the most urgent first;
    times in the store's timezone (UTC without one)."""
    timezone = store.get_meta("timezone")
    zone = ZoneInfo(timezone) if timezone else UTC
    with store.snapshot() as tx:
        rows = tx.execute(
            "SELECT visit_id, customer_id, service_type, workers, accepted_us, settled_us "
            "FROM visit_index WHERE accepted_us IS NOT NULL AND done_us IS NULL"
        ).fetchall()
        customers = sorted({str(row[1]) for row in rows})
        first = {
            str(c): str(v)
            for c, v in _rows(
                tx,
                "SELECT customer_id, visit_id FROM first_accepted WHERE customer_id IN ({marks})",
                customers,
            )
        }
        known: set[str] = {
            c.customer_id
            for c in _entities(tx, "customer", CustomerRecord, customers)
            if c.previous_workers
        }
    return by_due_time(
        [
            follow_up(
                str(visit_id),
                customer_id=str(customer_id),
                service_type=str(service_type),
                worker_ids=tuple(str(workers).split(";")) if workers else (),
                accepted_at=from_us(int(accepted)).astimezone(zone),
                done_at=None,
                settled=settled is not None,
                new_customer=first.get(str(customer_id)) == visit_id and customer_id not in known,
                policy=policy,
                as_of=as_of,
            )
            for visit_id, customer_id, service_type, workers, accepted, settled in rows
        ]
    )


def store_statement(store: SqlStore, customer_id: str, month: str) -> CustomerStatement:
    """The statement of ``customer_id`` for ``month`` (``YYYY-MM``)."""
    check_month(month)
    with store.snapshot() as tx:
        if not _rows(
            tx,
            "SELECT 1 FROM entity_state WHERE entity_type = 'customer' AND entity_id IN ({marks})",
            [customer_id],
        ):
            raise unknown_customer(customer_id)
        visits = visit_rows(tx, "customer_id = ?", (customer_id,))
        order_ids = {v.job.order_id for v in visits if v.job.order_id}
        order_ids.update(
            str(row[0])
            for row in tx.execute(
                "SELECT order_id FROM order_index WHERE customer_id = ?", (customer_id,)
            ).fetchall()
        )
        orders: list[Order] = _entities(tx, "order", Order, sorted(order_ids))
    return statement_of(customer_id, month, visits, {o.order_id: o for o in orders})
