"""Read models: every entity's current state, kept in the store beside the events.

Replaying every event on every command makes each command cost what the whole history
costs. Instead the store keeps one row per entity (``entity_state``): its version, state,
creating and latest state-changing event, and the entity itself as JSON (the frozen
dataclass as JSON, exact: Decimals as strings, times with their offsets, see
:mod:`~matchmaker.lifecycle._readmodel_codec`). The
rows are written by :meth:`~matchmaker.lifecycle._store_sql.Transaction.append` in the
transaction that appends the events, so they commit together or not at all; the meta key
:data:`POSITION_KEY` records the last event they hold.

:class:`LazyLedger` is a :class:`~matchmaker.lifecycle._ledger.Ledger` that reads an
entity's row the first time a command asks for it: a command touching one visit reads that
visit, its customer, order and workers, not the history. A question about every entity
(the report, a round's export) loads every row once: the cost of the current state, not
of the events that led to it.

:func:`rebuild_read_models` throws the rows away and replays the events into them again
(``matchmaker ops rebuild``), the views of :mod:`matchmaker.lifecycle._views` (the
report's counters, the round index) with them; :func:`catch_up` applies events appended
without read models (a store of an earlier matchmaker, a bulk load) on the next write or
read of the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._complaint import Complaint
from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._entities import Entity
from matchmaker.lifecycle._events import EntityKey, StoredEvent
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._placement import PlacementRecord
from matchmaker.lifecycle._readmodel_codec import decode, encode
from matchmaker.lifecycle._states import EntityType
from matchmaker.lifecycle._views import (
    VERSION_KEY,
    VIEW_TYPES,
    VIEWS_KEY,
    VIEWS_SCHEMA,
    VIEWS_VERSION,
    old_entities,
    rebuild_views,
    update_views,
    views_stale,
)
from matchmaker.lifecycle._visit import Visit
from matchmaker.lifecycle._worker import WorkerRecord

if TYPE_CHECKING:
    from matchmaker.lifecycle._store_sql import SqlStore, Transaction

__all__ = [
    "POSITION_KEY",
    "READ_MODEL_SCHEMA",
    "LazyLedger",
    "RebuildSummary",
    "catch_up",
    "lagging",
    "load_ledger",
    "project_events",
    "rebuild_read_models",
]

POSITION_KEY = "read_model_position"
"""Meta key: store position of the last event the read models hold."""

READ_MODEL_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entity_state (
        entity_type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        state TEXT NOT NULL,
        day TEXT,
        data TEXT NOT NULL,
        created_time TEXT NOT NULL,
        created_kind TEXT NOT NULL,
        latest_time TEXT,
        latest_kind TEXT,
        PRIMARY KEY (entity_type, entity_id)
    )""",
    "CREATE INDEX IF NOT EXISTS entity_state_day ON entity_state (entity_type, day)",
    *VIEWS_SCHEMA,
)

_CLASSES: dict[EntityType, type[Any]] = {
    EntityType.ORDER: Order,
    EntityType.VISIT: Visit,
    EntityType.COMPLAINT: Complaint,
    EntityType.WORKER: WorkerRecord,
    EntityType.CUSTOMER: CustomerRecord,
    EntityType.PLACEMENT: PlacementRecord,
}

_ROW = "entity_id, version, data, created_time, created_kind, latest_time, latest_kind"
_UPSERT = (
    "INSERT INTO entity_state (entity_type, entity_id, version, state, day, data, "
    "created_time, created_kind, latest_time, latest_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (entity_type, entity_id) DO UPDATE SET version = excluded.version, "
    "state = excluded.state, day = excluded.day, data = excluded.data, "
    "created_time = excluded.created_time, created_kind = excluded.created_kind, "
    "latest_time = excluded.latest_time, latest_kind = excluded.latest_kind"
)
_CHUNK = 20_000


class _Bucket(dict[str, Any]):
    """A ledger bucket that reads an entity from the read model the first time it is
    asked for; iterating it reads every entity of its type once."""

    def __init__(self, ledger: LazyLedger, entity_type: EntityType) -> None:
        super().__init__()
        self._ledger = ledger
        self._type = entity_type
        self._asked: set[str] = set()
        self.complete = False

    def _fetch(self, entity_id: object) -> None:
        if self.complete or not isinstance(entity_id, str) or entity_id in self._asked:
            return
        self._asked.add(entity_id)
        if not dict.__contains__(self, entity_id):
            self._ledger.load_one(self._type, entity_id)

    def fill(self) -> None:
        if not self.complete:
            self.complete = True
            self._ledger.load_type(self._type)

    def __getitem__(self, key: str) -> Any:
        self._fetch(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._fetch(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._fetch(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self.fill()
        return super().__iter__()

    def __len__(self) -> int:
        self.fill()
        return super().__len__()

    def keys(self) -> Any:
        self.fill()
        return super().keys()

    def values(self) -> Any:
        self.fill()
        return super().values()

    def items(self) -> Any:
        self.fill()
        return super().items()


class _ByKey(dict[EntityKey, Any]):
    """Versions, creation and latest change by entity key, read with the entity."""

    def __init__(self, ledger: LazyLedger) -> None:
        super().__init__()
        self._ledger = ledger

    def _fetch(self, key: object) -> None:
        if isinstance(key, tuple) and len(key) == 2:
            self._ledger.bucket(EntityType(key[0]))._fetch(key[1])

    def __getitem__(self, key: EntityKey) -> Any:
        self._fetch(key)
        return super().__getitem__(key)

    def get(self, key: EntityKey, default: Any = None) -> Any:
        self._fetch(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._fetch(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[EntityKey]:
        self._ledger.fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._ledger.fill()
        return super().__len__()

    def keys(self) -> Any:
        self._ledger.fill()
        return super().keys()

    def values(self) -> Any:
        self._ledger.fill()
        return super().values()

    def items(self) -> Any:
        self._ledger.fill()
        return super().items()


class LazyLedger(Ledger):
    """A ledger over the read models of one transaction: entities are read on first use.

    Valid while its transaction is open; :meth:`materialize` reads everything into a
    plain :class:`Ledger` that outlives it.
    """

    def __init__(self, tx: Transaction) -> None:
        super().__init__()
        self._tx = tx
        self._buckets = {t: _Bucket(self, t) for t in EntityType}
        self.orders = self._buckets[EntityType.ORDER]
        self.visits = self._buckets[EntityType.VISIT]
        self.complaints = self._buckets[EntityType.COMPLAINT]
        self.workers = self._buckets[EntityType.WORKER]
        self.customers = self._buckets[EntityType.CUSTOMER]
        self.placements = self._buckets[EntityType.PLACEMENT]
        self.versions = _ByKey(self)
        self.created = _ByKey(self)
        self.latest = _ByKey(self)
        self.position = int(tx.get_meta(POSITION_KEY) or 0)

    def bucket(self, entity_type: EntityType) -> _Bucket:
        return self._buckets[entity_type]

    def _take(self, entity_type: EntityType, row: Sequence[Any]) -> None:
        entity_id, version, data, created_time, created_kind, latest_time, latest_kind = row
        entity_id = str(entity_id)
        if dict.__contains__(self._buckets[entity_type], entity_id):
            return  # changed in memory since: that state is newer than the row
        key: EntityKey = (entity_type, entity_id)
        dict.__setitem__(
            self._buckets[entity_type], entity_id, decode(_CLASSES[entity_type], str(data))
        )
        dict.__setitem__(self.versions, key, int(version))
        dict.__setitem__(
            self.created, key, (datetime.fromisoformat(str(created_time)), str(created_kind))
        )
        if latest_time is not None:
            dict.__setitem__(
                self.latest, key, (datetime.fromisoformat(str(latest_time)), str(latest_kind))
            )

    def load_one(self, entity_type: EntityType, entity_id: str) -> None:
        row = self._tx.execute(
            f"SELECT {_ROW} FROM entity_state WHERE entity_type = ? AND entity_id = ?",
            (str(entity_type), entity_id),
        ).fetchone()
        if row is not None:
            self._take(entity_type, row)

    def load_type(self, entity_type: EntityType) -> None:
        rows = self._tx.execute(
            f"SELECT {_ROW} FROM entity_state WHERE entity_type = ?", (str(entity_type),)
        ).fetchall()
        for row in rows:
            self._take(entity_type, row)

    def fill(self) -> None:
        """Read every entity not read yet."""
        for bucket in self._buckets.values():
            bucket.fill()

    def copy(self) -> Ledger:
        """A plain ledger of everything (reads every entity first)."""
        return self.materialize()

    def materialize(self) -> Ledger:
        """Every entity in a plain :class:`Ledger`, independent of the transaction."""
        self.fill()
        plain = Ledger()
        plain.orders = dict(dict.items(self.orders))
        plain.visits = dict(dict.items(self.visits))
        plain.complaints = dict(dict.items(self.complaints))
        plain.workers = dict(dict.items(self.workers))
        plain.customers = dict(dict.items(self.customers))
        plain.placements = dict(dict.items(self.placements))
        plain.versions = dict(dict.items(self.versions))
        plain.created = dict(dict.items(self.created))
        plain.latest = dict(dict.items(self.latest))
        plain.position = self.position
        return plain


def _row(ledger: Ledger, key: EntityKey) -> tuple[Any, ...]:
    entity_type, entity_id = key
    entity: Entity | None = ledger.get(key)
    if entity is None:  # pragma: no cover - every touched entity exists after its event
        raise KeyError(key)
    created = ledger.created[key]
    latest = ledger.latest.get(key)
    day = entity.job.earliest_start.isoformat() if isinstance(entity, Visit) else None
    return (
        str(entity_type),
        entity_id,
        ledger.version(key),
        str(entity.state),
        day,
        encode(entity),
        created[0].isoformat(),
        created[1],
        None if latest is None else latest[0].isoformat(),
        None if latest is None else latest[1],
    )


def _write(
    tx: Transaction, ledger: Ledger, keys: Iterable[EntityKey], *, views: bool = True
) -> int:
    """Upsert the rows of ``keys``; with ``views``, move the views (the report's counters,
    the round index) from these entities' old rows to their new state."""
    unique = list(dict.fromkeys(keys))
    old = old_entities(tx, unique) if views else {}
    rows = [_row(ledger, key) for key in unique]
    for start in range(0, len(rows), _CHUNK):
        tx.executemany(_UPSERT, rows[start : start + _CHUNK])
    # Tables in the order PostgreSQL's schema set-up locks them (entity_state first), so
    # a writer and a process opening the store never wait for each other in a cycle.
    if views:
        update_views(tx, {key: ledger.get(key) for key in unique if key[0] in VIEW_TYPES}, old)
    return len(rows)


def _mark(tx: Transaction, position: int) -> None:
    tx.set_meta(POSITION_KEY, str(position))
    tx.set_meta(VIEWS_KEY, str(position))
    tx.set_meta(VERSION_KEY, VIEWS_VERSION)


def project_events(
    tx: Transaction, stored: Sequence[StoredEvent], *, ledger: Ledger | None = None
) -> None:
    """Write the read-model rows of the entities ``stored`` touched, in ``tx``.

    ``ledger`` is a ledger those events were already applied to (the command's own work);
    without it they are applied here to the rows as they are.
    """
    if ledger is None:
        ledger = LazyLedger(tx)
        for item in stored:
            ledger.apply(item.event)
    _write(tx, ledger, (s.event.key for s in stored))
    _mark(tx, stored[-1].position)


def _chunks(tx: Transaction, after: int) -> Iterator[list[StoredEvent]]:
    from matchmaker.lifecycle._store_sql import COLUMNS, row_to_event

    while True:
        rows = tx.execute(
            f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, _CHUNK),
        ).fetchall()
        if not rows:
            return
        chunk = [row_to_event(tx.path, row) for row in rows]
        after = chunk[-1].position
        yield chunk


def _last_position(tx: Transaction) -> int:
    return int(tx.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0])


def lagging(store: SqlStore) -> bool:
    """Whether the store holds events its read models do not, or views behind them
    (read without a lock)."""
    position = int(store.get_meta(POSITION_KEY) or 0)
    row = store.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()
    return int(row[0]) > position or views_stale(store)


def catch_up(tx: Transaction) -> int:
    """Apply the events the read models do not hold yet (and derive the views again when
    they are behind the read models); returns how many events."""
    stale = views_stale(tx)
    position = int(tx.get_meta(POSITION_KEY) or 0)
    count = 0
    if _last_position(tx) > position:
        ledger = LazyLedger(tx)
        touched: list[EntityKey] = []
        for chunk in _chunks(tx, position):
            for item in chunk:
                ledger.apply(item.event)
                touched.append(item.event.key)
            count += len(chunk)
            position = chunk[-1].position
        _write(tx, ledger, touched, views=not stale)
        _mark(tx, position)
    if stale:
        rebuild_views(tx)
    return count


@dataclass(frozen=True, kw_only=True)
class RebuildSummary:
    """What :func:`rebuild_read_models` did."""

    events: int
    entities: int
    position: int


def rebuild_read_models(store: SqlStore) -> RebuildSummary:
    """Drop the read models and replay every event into them again, in one transaction
    (writers wait; readers see the old rows until it commits)."""
    with store.transaction() as tx:
        tx.execute("DELETE FROM entity_state")
        ledger = Ledger()
        events = 0
        for chunk in _chunks(tx, 0):
            ledger.extend(chunk)
            events += len(chunk)
        entities = _write(tx, ledger, list(ledger.versions), views=False)
        _mark(tx, ledger.position)
        rebuild_views(
            tx,
            (
                entity
                for bucket in (ledger.visits, ledger.complaints, ledger.orders, ledger.customers)
                for entity in bucket.values()
            ),
        )
    return RebuildSummary(events=events, entities=entities, position=ledger.position)


def load_ledger(store: SqlStore) -> Ledger:
    """The current state of every entity, read from the read models (caught up first)."""
    with store.snapshot() as tx:
        return LazyLedger(tx).materialize()
