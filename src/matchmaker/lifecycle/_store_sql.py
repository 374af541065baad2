"""What the SQLite and the PostgreSQL event stores share: the SQL of events, meta and
read models, written once with ``?`` placeholders.

A backend (:class:`SqlStore` subclass) supplies a connection, how a write transaction
starts (taking the store's write lock before anything is read), which errors mean
"another writer took this sequence number", and how ``?`` is spelt in its SQL dialect.
Everything else (appending with per-entity sequences, optimistic concurrency, reading,
meta settings, keeping the read models in the same transaction) is here, so both
backends behave the same and run the same tests.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._events import EntityKey, Event, StoredEvent
from matchmaker.lifecycle._states import EntityType
from matchmaker.model import ConcurrencyError, LifecycleError

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker.lifecycle._ledger import Ledger

__all__ = ["COLUMNS", "SCHEMA_VERSION", "SqlStore", "StoreError", "Transaction"]

SCHEMA_VERSION = "1"
"""Version of the events table; the read models are derived data and rebuilt, not versioned."""

COLUMNS = "position, entity_type, entity_id, seq, kind, time, actor, payload, recorded_at"


class StoreError(LifecycleError):
    """The file or database is not a matchmaker event store this version reads, or it is
    damaged; the message names it and what is wrong."""


def not_a_store(path: str, reason: str) -> StoreError:
    return StoreError(f"{path} is not a matchmaker store: {reason}")


WRITE_TIMEOUT = 30.0
"""Seconds a writer waits for another to finish, on either backend, unless told."""


def store_busy(path: str, timeout: float) -> ConcurrencyError:
    """Busy, not broken: another writer held the store past this writer's wait (a plan's
    check can hold it for seconds, docs/ops.md)."""
    return ConcurrencyError(
        f"{path}: another writer held the store for more than {timeout:g} s; "
        "nothing was written, run it again"
    )


def row_to_event(path: str, row: Sequence[object]) -> StoredEvent:
    position, _etype, entity_id, seq, kind, time, actor, payload, recorded_at = row
    try:
        event = Event(
            kind=str(kind),
            entity_id=str(entity_id),
            time=datetime.fromisoformat(str(time)),
            actor=str(actor),
            payload=json.loads(str(payload)),
        )
        return StoredEvent(
            position=int(str(position)),
            seq=int(str(seq)),
            event=event,
            recorded_at=datetime.fromisoformat(str(recorded_at)),
        )
    except (ValueError, TypeError) as error:
        # A damaged row, or a kind a newer matchmaker wrote: never a half-read state.
        raise not_a_store(
            path, f"the event at position {position} is unreadable: {error}"
        ) from None


class Transaction:
    """One write transaction of a store (it holds the store's write lock).

    Appending keeps the read models (:mod:`matchmaker.lifecycle._readmodel`) up to date
    in the same transaction: they commit with the events or not at all.
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self.path = store.path

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` placeholders) in this transaction; returns the cursor."""
        return self._store.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters, in this transaction."""
        self._store.executemany(sql, rows)

    def version(self, key: EntityKey) -> int:
        """The entity's last sequence number, 0 when it has no event."""
        row = self.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE entity_type = ? AND entity_id = ?",
            (str(key[0]), key[1]),
        ).fetchone()
        return int(row[0])

    def head(self) -> int:
        """The position of the last event appended (0 for an empty store)."""
        return int(self.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0])

    def read(self, *, after: int = 0) -> list[StoredEvent]:
        rows = self.execute(
            f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position", (after,)
        ).fetchall()
        return [row_to_event(self.path, row) for row in rows]

    def append(
        self,
        events: Sequence[Event],
        *,
        expected: Mapping[EntityKey, int] | None = None,
        project: bool = True,
        ledger: Ledger | None = None,
    ) -> list[StoredEvent]:
        """Append ``events`` in order, numbering each entity's events on from its version.

        ``expected`` maps entities to the version the writer saw; a different version in
        the store raises ``ConcurrencyError`` and nothing is appended. The read models
        take the events in the same transaction (``project=False`` only for a bulk load
        followed by a rebuild); ``ledger`` is a ledger the events were already applied to
        (a command's work), which saves applying them again.
        """
        from matchmaker.lifecycle._readmodel import catch_up

        versions: dict[EntityKey, int] = {}
        for key, seen in (expected or {}).items():
            current = self.version(key)
            if current != seen:
                raise ConcurrencyError(
                    f"{key[0]} {key[1]}: you saw version {seen} but the store holds version "
                    f"{current}; another writer changed it. Reload and retry."
                )
            versions[key] = current
        if project:
            # Events another path appended without read models are taken in first.
            catch_up(self)
        recorded_at = datetime.now(UTC).isoformat()
        stored: list[StoredEvent] = []
        for event in events:
            key = event.key
            if key not in versions:
                versions[key] = self.version(key)
            versions[key] += 1
            try:
                row = self.execute(
                    "INSERT INTO events (entity_type, entity_id, seq, kind, time, actor, "
                    "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING position",
                    (
                        str(key[0]),
                        key[1],
                        versions[key],
                        event.kind,
                        event.time.isoformat(),
                        event.actor,
                        json.dumps(dict(event.payload), sort_keys=True, ensure_ascii=False),
                        recorded_at,
                    ),
                ).fetchone()
            except self._store.integrity_errors as error:
                raise ConcurrencyError(
                    f"{key[0]} {key[1]}: sequence {versions[key]} was taken by another "
                    f"writer ({error}); reload and retry"
                ) from None
            stored.append(
                StoredEvent(
                    position=int(row[0]),
                    seq=versions[key],
                    event=event,
                    recorded_at=datetime.fromisoformat(recorded_at),
                )
            )
        if project and stored:
            from matchmaker.lifecycle._readmodel import project_events

            project_events(self, stored, ledger=ledger)
        return stored

    def get_meta(self, key: str) -> str | None:
        row = self.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class SqlStore(ABC):
    """An append-only event store on a SQL database (see :class:`Transaction`)."""

    path: str
    """The store's file, or its database URL without the password."""

    integrity_errors: tuple[type[BaseException], ...] = ()

    _writing: Transaction | None = None
    """This store's open write transaction, which its snapshots read through."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement with ``?`` placeholders; returns a DB-API cursor."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement with ``?`` placeholders for each row of parameters."""

    @abstractmethod
    def _begin(self) -> None:
        """Start a write transaction holding the store's write lock."""

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Report a damaged store as a :class:`StoreError` (the backend knows how)."""
        yield

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction: commits when the block ends, rolls back on an exception."""
        with self._reading():
            self._begin()
            self._writing = Transaction(self)
            try:
                yield self._writing
            except BaseException:
                self._rollback()
                raise
            else:
                self._commit()
            finally:
                self._writing = None

    @abstractmethod
    def _begin_read(self) -> None:
        """Start a read-only transaction that sees one consistent state, without the
        write lock (writers go on)."""

    @contextmanager
    def snapshot(self) -> Iterator[Transaction]:
        """A read-only transaction over one consistent state, read models included. If the
        read models lag behind the events (events appended without them), a short write
        transaction catches them up first. Inside this store's own write transaction it
        reads through that transaction: the state the write will be appended to."""
        from matchmaker.lifecycle._readmodel import catch_up, lagging

        if self._writing is not None:
            catch_up(self._writing)
            yield self._writing
            return
        with self._reading():
            if lagging(self):
                with self.transaction() as tx:
                    catch_up(tx)
            self._begin_read()
            try:
                yield Transaction(self)
            finally:
                self._rollback()

    def append(
        self, events: Sequence[Event], *, expected: Mapping[EntityKey, int] | None = None
    ) -> list[StoredEvent]:
        """Append ``events`` in one transaction (see :meth:`Transaction.append`)."""
        with self.transaction() as tx:
            return tx.append(events, expected=expected)

    def read(self, *, after: int = 0, entity: EntityKey | None = None) -> list[StoredEvent]:
        """Events after ``position`` ``after`` (all by default), of one entity if given."""
        with self._reading():
            if entity is None:
                rows = self.execute(
                    f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position", (after,)
                ).fetchall()
            else:
                rows = self.execute(
                    f"SELECT {COLUMNS} FROM events WHERE position > ? AND entity_type = ? "
                    "AND entity_id = ? ORDER BY position",
                    (after, str(entity[0]), entity[1]),
                ).fetchall()
        return [row_to_event(self.path, row) for row in rows]

    def version(self, key: EntityKey) -> int:
        with self._reading():
            row = self.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE entity_type = ? AND entity_id = ?",
                (str(key[0]), key[1]),
            ).fetchone()
        return int(row[0])

    def head(self) -> int:
        """The position of the last event appended (0 for an empty store): a writer that
        checked its events against the store up to here passes it to
        ``Operations.submit(expected_head=...)``."""
        with self._reading():
            return Transaction(self).head()

    def count(self) -> int:
        with self._reading():
            value = int(self.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        return value

    def get_meta(self, key: str) -> str | None:
        with self._reading():
            row = self.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def sequence_problems(self) -> list[str]:
        """Entities whose sequences have gaps."""
        with self._reading():
            rows = self.execute(
                "SELECT entity_type, entity_id, COUNT(*), MIN(seq), MAX(seq) FROM events "
                "GROUP BY entity_type, entity_id"
            ).fetchall()
        return [
            f"{etype} {eid}: sequences {low}..{high} over {count} events"
            for etype, eid, count, low, high in rows
            if low != 1 or high != count
        ]

    def integrity_check(self) -> list[str]:
        """Problems found: entities whose sequences have gaps (a backend adds its own)."""
        return self.sequence_problems()

    def _event_rows(self, last: int | None, entity_id: str | None) -> list[Any]:
        where = ""
        params: list[Any] = []
        if entity_id is not None:
            # Every type named, so that the (entity_type, entity_id) key is used.
            types = [str(t) for t in EntityType]
            where = f"WHERE entity_type IN ({', '.join('?' * len(types))}) AND entity_id = ?"
            params = [*types, entity_id]
        sql = f"SELECT {COLUMNS} FROM events {where} ORDER BY position"
        if last is not None:
            sql = f"SELECT * FROM ({sql} DESC LIMIT ?) AS latest ORDER BY position"
            params.append(last)
        with self._reading():
            rows: list[Any] = self.execute(sql, params).fetchall()
        return rows

    def latest(self, last: int, *, entity_id: str | None = None) -> list[StoredEvent]:
        """The ``last`` N events (of the entities with id ``entity_id``, of any type), in
        store order: the audit trail's tail, read by key, not the whole history."""
        return [row_to_event(self.path, row) for row in self._event_rows(last, entity_id)]

    def frame(self, *, last: int | None = None, entity_id: str | None = None) -> pd.DataFrame:
        """Events as a DataFrame (payload as a JSON string), in store order: every event,
        or the ``last`` N, of the entities with id ``entity_id`` when given (of any type)."""
        import pandas as pd

        rows = self._event_rows(last, entity_id)
        frame = pd.DataFrame(
            [tuple(r) for r in rows], columns=[c.strip() for c in COLUMNS.split(",")]
        )
        frame = frame.astype({"position": "int64", "seq": "int64"})
        for column in ("time", "recorded_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        return frame

    @staticmethod
    def entity_key(entity_type: EntityType | str, entity_id: str) -> EntityKey:
        return (EntityType(entity_type), entity_id)
