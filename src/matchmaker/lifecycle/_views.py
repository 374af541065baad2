"""The report's counters and the indexes: read models for ``ops report``, ``ops jobs``,
``ops followups`` and ``ops statement``.

Tables beside ``entity_state`` (:mod:`matchmaker.lifecycle._readmodel`), derived from
the current state of the entities alone, so they are kept the same way and in the same
transaction:

- ``kpi_counts (scope, key, name, value)``: the sums of what every visit, complaint, order
  and customer adds to the report (:mod:`matchmaker.lifecycle._kpi_parts`). When events
  change an entity, its parts before (its ``entity_state`` row, still the old one) are
  taken off and its parts after added: ``value = value + delta``, exact integers (cents).
- ``visit_index``: one row per visit with what ``ops jobs`` and the report's instant ask
  by range (times as integer microseconds since 1970 UTC): its start, the window of the
  round it is in (null when it is in none), its check-in and workers (the customers'
  workers so far), whether it counts for its order and may give the order's worker, and
  its acceptance, follow-up and settlement (the follow-ups);
- ``first_accepted``: per customer, the visit accepted first (its follow-up is due sooner
  for a new customer), refreshed from ``visit_index`` for the customers of the visits a
  write touched;
- ``order_index``: each order's customer (a customer's statement lists its orders'
  deposits, visits or not).

The meta key :data:`VIEWS_KEY` records the position the views hold; when it differs from
the read models' (a store of an earlier matchmaker, whose ``entity_state`` came first),
:func:`rebuild_views` derives them again from ``entity_state``, without replaying events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._complaint import Complaint
from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._events import EntityKey
from matchmaker.lifecycle._kpi_parts import DUE_NAMES, Part, parts
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._readmodel_codec import decode
from matchmaker.lifecycle._round_inputs import (
    OPEN_STATES,
    PINNED_STATES,
    counts_for_order,
    gives_order_worker,
)
from matchmaker.lifecycle._states import EntityType
from matchmaker.lifecycle._visit import Visit

if TYPE_CHECKING:
    from matchmaker.lifecycle._store_sql import Transaction

__all__ = [
    "VERSION_KEY",
    "VIEWS_KEY",
    "VIEWS_SCHEMA",
    "VIEWS_VERSION",
    "VIEW_TYPES",
    "from_us",
    "id_chunks",
    "marks",
    "old_entities",
    "rebuild_views",
    "to_us",
    "update_views",
    "views_stale",
    "visit_rows",
]

VIEWS_KEY = "views_position"
"""Meta key: store position of the last event the views hold."""

VERSION_KEY = "views_version"
VIEWS_VERSION = "3"
"""Meta key and value: the views' layout; views of another layout are derived again."""

VIEWS_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS kpi_counts (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        value BIGINT NOT NULL,
        PRIMARY KEY (scope, key, name)
    )""",
    """CREATE TABLE IF NOT EXISTS visit_index (
        visit_id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        start_us BIGINT NOT NULL,
        round_lo_us BIGINT,
        round_hi_us BIGINT,
        checked_in_us BIGINT,
        workers TEXT NOT NULL,
        order_visit SMALLINT NOT NULL,
        order_worker_us BIGINT,
        accepted_us BIGINT,
        done_us BIGINT,
        service_type TEXT NOT NULL,
        due_live SMALLINT NOT NULL,
        due_filled SMALLINT NOT NULL,
        settled_us BIGINT
    )""",
    "CREATE INDEX IF NOT EXISTS visit_index_round ON visit_index (round_hi_us)",
    "CREATE INDEX IF NOT EXISTS visit_index_start ON visit_index (start_us)",
    "CREATE INDEX IF NOT EXISTS visit_index_order ON visit_index (order_id)",
    "CREATE INDEX IF NOT EXISTS visit_index_accepted ON visit_index (customer_id, accepted_us)",
    "CREATE INDEX IF NOT EXISTS visit_index_followup ON visit_index (accepted_us, done_us)",
    """CREATE TABLE IF NOT EXISTS first_accepted (
        customer_id TEXT PRIMARY KEY,
        visit_id TEXT NOT NULL,
        accepted_us BIGINT NOT NULL,
        done_us BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS order_index (
        order_id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS order_index_customer ON order_index (customer_id)",
)

VIEW_TYPES: Mapping[EntityType, type[Any]] = {
    EntityType.VISIT: Visit,
    EntityType.COMPLAINT: Complaint,
    EntityType.ORDER: Order,
    EntityType.CUSTOMER: CustomerRecord,
}
"""The entities the views are made of (workers and placements add nothing to them)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_CHUNK = 500
_ADD = (
    "INSERT INTO kpi_counts (scope, key, name, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (scope, key, name) DO UPDATE SET value = kpi_counts.value + excluded.value"
)
_ORDER_UPSERT = (
    "INSERT INTO order_index (order_id, customer_id) VALUES (?, ?) "
    "ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id"
)
_DROP_ZERO = "DELETE FROM kpi_counts WHERE scope = ? AND key = ? AND name = ? AND value = 0"
_INDEX_COLUMNS = (
    "visit_id, customer_id, order_id, start_us, round_lo_us, round_hi_us, checked_in_us, "
    "workers, order_visit, order_worker_us, accepted_us, done_us, service_type, due_live, "
    "due_filled, settled_us"
)
_INDEX_UPSERT = (
    f"INSERT INTO visit_index ({_INDEX_COLUMNS}) "
    f"VALUES ({', '.join('?' * len(_INDEX_COLUMNS.split(', ')))}) "
    "ON CONFLICT (visit_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _INDEX_COLUMNS.split(", ")[1:])
)


def to_us(moment: datetime) -> int:
    """An aware instant as integer microseconds since 1970 UTC (exact, sortable)."""
    return (moment - _EPOCH) // _US


def from_us(us: int) -> datetime:
    """The instant of :func:`to_us`, in UTC."""
    return _EPOCH + us * _US


def _opt(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _index_row(visit: Visit, own: Mapping[Part, int]) -> tuple[Any, ...]:
    """The visit's index row; ``own``: its parts (what it adds to the counters)."""
    lo = hi = None
    if visit.state in PINNED_STATES and visit.planned_start is not None:
        lo = hi = to_us(visit.planned_start)
    elif visit.state in OPEN_STATES:
        lo, hi = to_us(visit.job.earliest_start), to_us(visit.job.latest_start)
    accepted = visit.accepted_at if visit.rework_of is None else None
    return (
        visit.visit_id,
        visit.job.customer_id,
        visit.job.order_id,
        to_us(visit.start),
        lo,
        hi,
        _opt(visit.checked_in_at),
        ";".join(visit.workers),
        int(counts_for_order(visit)),
        to_us(visit.start) if gives_order_worker(visit) else None,
        _opt(accepted),
        _opt(visit.followed_up_at if accepted is not None else None),
        # Its share of the counters that count only visits due by the report's instant.
        visit.job.service_type,
        *(own.get(("svc", visit.job.service_type, name), 0) for name in DUE_NAMES),
        _opt(visit.settled_at),
    )


def old_entities(tx: Transaction, keys: Iterable[EntityKey]) -> dict[EntityKey, Any]:
    """The entities of ``keys`` as their ``entity_state`` rows hold them (before a write)."""
    by_type: dict[EntityType, list[str]] = {}
    for entity_type, entity_id in keys:
        if entity_type in VIEW_TYPES:
            by_type.setdefault(entity_type, []).append(entity_id)
    found: dict[EntityKey, Any] = {}
    for entity_type, ids in by_type.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = tx.execute(
                "SELECT entity_id, data FROM entity_state WHERE entity_type = ? "
                f"AND entity_id IN ({', '.join('?' * len(chunk))})",
                (str(entity_type), *chunk),
            ).fetchall()
            for entity_id, data in rows:
                found[(entity_type, str(entity_id))] = decode(VIEW_TYPES[entity_type], str(data))
    return found


def _add(tx: Transaction, counts: Mapping[Part, int]) -> None:
    """Add ``counts`` to the counters; a counter back at zero is deleted, so every row
    counts (``COUNT(*)`` of a scope reads its index alone)."""
    rows = [(*part, value) for part, value in counts.items() if value]
    if rows:
        tx.executemany(_ADD, rows)
    fallen = [part for part, value in counts.items() if value < 0]
    if fallen:
        tx.executemany(_DROP_ZERO, fallen)


def update_views(
    tx: Transaction, new: Mapping[EntityKey, Any], old: Mapping[EntityKey, Any]
) -> None:
    """Move the views from the ``old`` state of these entities to their ``new`` one."""
    delta: Counter[Part] = Counter()
    index = []
    orders = []
    for key, entity in new.items():
        if key[0] not in VIEW_TYPES:
            continue
        own = parts(entity)
        for part, value in own.items():
            delta[part] += value
        if key in old:
            for part, value in parts(old[key]).items():
                delta[part] -= value
        if isinstance(entity, Visit):
            index.append(_index_row(entity, own))
        elif isinstance(entity, Order):
            orders.append((entity.order_id, entity.customer_id))
    _add(tx, delta)
    if orders:
        tx.executemany(_ORDER_UPSERT, orders)
    if index:
        tx.executemany(_INDEX_UPSERT, index)
        _refresh_firsts(tx, sorted({row[1] for row in index}))


_FIRST = (
    "SELECT visit_id, accepted_us, done_us FROM visit_index WHERE customer_id = ? "
    "AND accepted_us IS NOT NULL ORDER BY accepted_us, visit_id LIMIT 1"
)
_FIRST_UPSERT = (
    "INSERT INTO first_accepted (customer_id, visit_id, accepted_us, done_us) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET visit_id = excluded.visit_id, "
    "accepted_us = excluded.accepted_us, done_us = excluded.done_us"
)


def _refresh_firsts(tx: Transaction, customers: Sequence[str]) -> None:
    """Set each customer's first accepted visit from the index (one lookup by key each)."""
    for customer_id in customers:
        row = tx.execute(_FIRST, (customer_id,)).fetchone()
        if row is None:
            tx.execute("DELETE FROM first_accepted WHERE customer_id = ?", (customer_id,))
        else:
            tx.execute(_FIRST_UPSERT, (customer_id, *row))


def _stored(tx: Transaction) -> Iterator[Any]:
    for entity_type, cls in VIEW_TYPES.items():
        rows = tx.execute(
            "SELECT data FROM entity_state WHERE entity_type = ?", (str(entity_type),)
        ).fetchall()
        for (data,) in rows:
            yield decode(cls, str(data))


def rebuild_views(tx: Transaction, entities: Iterable[Any] | None = None) -> int:
    """Derive the views again from ``entities`` (every entity of the store; by default read
    from ``entity_state``); returns the visits indexed. Marks them as holding what the
    read models hold."""
    # Dropped and made again: views of an earlier layout may lack columns.
    for table in ("kpi_counts", "visit_index", "first_accepted", "order_index"):
        tx.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in VIEWS_SCHEMA:
        tx.execute(statement)
    total: Counter[Part] = Counter()
    index: list[tuple[Any, ...]] = []
    orders: list[tuple[str, str]] = []
    for entity in _stored(tx) if entities is None else entities:
        if not isinstance(entity, tuple(VIEW_TYPES.values())):
            continue
        own = parts(entity)
        for part, value in own.items():
            total[part] += value
        if isinstance(entity, Visit):
            index.append(_index_row(entity, own))
        elif isinstance(entity, Order):
            orders.append((entity.order_id, entity.customer_id))
    _add(tx, total)
    tx.executemany(_ORDER_UPSERT, orders)
    for start in range(0, len(index), 20_000):
        tx.executemany(_INDEX_UPSERT, index[start : start + 20_000])
    first: dict[str, tuple[int, str, int | None]] = {}
    for row in index:
        customer_id, visit_id, accepted, done = row[1], row[0], row[10], row[11]
        if accepted is not None and (
            customer_id not in first or (accepted, visit_id) < first[customer_id][:2]
        ):
            first[customer_id] = (accepted, visit_id, done)
    tx.executemany(_FIRST_UPSERT, [(c, v, a, d) for c, (a, v, d) in sorted(first.items())])
    from matchmaker.lifecycle._readmodel import POSITION_KEY

    tx.set_meta(VIEWS_KEY, tx.get_meta(POSITION_KEY) or "0")
    tx.set_meta(VERSION_KEY, VIEWS_VERSION)
    return len(index)


def views_stale(reader: Transaction | Any) -> bool:
    """Whether the views hold another position than the read models, or were laid out by
    another version (``reader``: a transaction or a store)."""
    from matchmaker.lifecycle._readmodel import POSITION_KEY

    position = reader.get_meta(POSITION_KEY) or "0"
    if (reader.get_meta(VIEWS_KEY) or "0") != position:
        return True
    return position != "0" and reader.get_meta(VERSION_KEY) != VIEWS_VERSION


def id_chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    """``ids`` in chunks small enough for one ``IN (...)`` list on every backend."""
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def marks(ids: Sequence[str]) -> str:
    """The placeholders of an ``IN (...)`` list of ``ids``."""
    return ", ".join("?" * len(ids))


def visit_rows(tx: Transaction, where: str, params: Sequence[Any]) -> list[Visit]:
    """The visits whose ``visit_index`` rows match ``where``, decoded from ``entity_state``
    (looked up by key: the index rows are few, the visits many)."""
    rows = tx.execute(
        "SELECT data FROM entity_state WHERE entity_type = 'visit' AND entity_id IN "
        f"(SELECT visit_id FROM visit_index WHERE {where})",
        tuple(params),
    ).fetchall()
    return [decode(Visit, str(row[0])) for row in rows]
