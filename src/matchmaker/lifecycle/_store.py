"""The event store: append-only events on SQLite (standard library ``sqlite3``), the default.

The same store on PostgreSQL is :mod:`matchmaker.lifecycle._store_pg`; :func:`open_store`
picks the backend from the location (a file path or a ``postgresql://`` URL). What both
share, including the read models kept in the same transaction, is in
:mod:`matchmaker.lifecycle._store_sql`.

One table holds every event, in the order it was written (``position``), with a
per-entity sequence number ``seq`` (1, 2, 3, ... for each entity, without gaps)::

    events(position INTEGER PRIMARY KEY AUTOINCREMENT, entity_type, entity_id, seq,
           kind, time, actor, payload JSON, recorded_at, UNIQUE(entity_type, entity_id, seq))

Guarantees:

- **append-only**: triggers reject ``UPDATE`` and ``DELETE`` on the table;
- **one transaction per command**: :meth:`EventStore.transaction` takes the write lock
  (``BEGIN IMMEDIATE``) before it reads, so what a command decides on is what it appends
  to; it commits all of the command's events or none;
- **optimistic concurrency**: :meth:`Transaction.append` with ``expected`` versions raises
  :class:`~matchmaker.model.ConcurrencyError` when an entity moved on since the writer
  read it; the unique ``(entity, seq)`` key stops a lost update even without it;
- **crash safety**: WAL journal with ``synchronous=FULL``: a process killed mid-write
  loses nothing committed and leaves no half-written event (``durable=False`` trades the
  last commits on power loss for speed, never consistency);
- **no guessing**: a new store is created only where no file exists. An existing file that
  is not a store of this schema version (empty, another database, no or another schema
  version) or that SQLite finds damaged raises :class:`StoreError` naming the file; it is
  never stamped or written to.

Payloads are JSON text; nothing is ever pickled.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from matchmaker.lifecycle._readmodel import READ_MODEL_SCHEMA
from matchmaker.lifecycle._store_sql import (
    COLUMNS,
    SCHEMA_VERSION,
    WRITE_TIMEOUT,
    SqlStore,
    StoreError,
    Transaction,
    not_a_store,
    store_busy,
)
from matchmaker.model import LifecycleError

__all__ = ["SCHEMA_VERSION", "EventStore", "StoreError", "Transaction", "open_store"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        entity_type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        kind TEXT NOT NULL,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        recorded_at TEXT NOT NULL,
        UNIQUE (entity_type, entity_id, seq)
    )""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
)


def _damaged(path: str, error: sqlite3.DatabaseError) -> StoreError:
    if "not a database" in str(error):
        return not_a_store(path, f"it is not an SQLite database ({error})")
    return not_a_store(path, f"the file is damaged ({error}); restore it from a backup")


def _is_damage(error: BaseException) -> bool:
    # Exactly DatabaseError: "file is not a database", "database disk image is malformed".
    # Its subclasses (a busy lock, a broken constraint) are not about the file.
    return type(error) is sqlite3.DatabaseError


def is_postgres_url(location: str | Path) -> bool:
    """Whether a ``--store`` value names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(
    location: str | Path, *, durable: bool = True, timeout: float = WRITE_TIMEOUT
) -> SqlStore:
    """The event store at ``location``: a ``postgresql://user@host:port/dbname`` URL opens
    the PostgreSQL store (extra ``postgres``), anything else is an SQLite file. A writer
    waits at most ``timeout`` seconds for another to finish."""
    if is_postgres_url(location):
        from matchmaker.lifecycle._store_pg import PostgresStore

        return PostgresStore(str(location), timeout=timeout)
    return EventStore(location, durable=durable, timeout=timeout)


class EventStore(SqlStore):
    """Append-only events in one SQLite file (``":memory:"`` for a throwaway store).

    Open one per thread or process; SQLite serialises the writers.
    """

    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(
        self, path: str | Path, *, durable: bool = True, timeout: float = WRITE_TIMEOUT
    ) -> None:
        self.path = str(path)
        self._timeout = timeout
        new = self.path == ":memory:" or not Path(self.path).exists()
        if not new:
            # Checked before SQLite opens it: SQLite would take an empty file as a new
            # database and write to it.
            if not Path(self.path).is_file():
                raise not_a_store(self.path, "it is not a file")
            if Path(self.path).stat().st_size == 0:
                raise not_a_store(
                    self.path, "the file is empty (0 bytes); remove it to start a new store"
                )
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as error:
            raise LifecycleError(f"{self.path}: cannot open the event store: {error}") from None
        try:
            upgrade = False
            if not new:
                upgrade = self._check_schema()
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._connection.execute("PRAGMA foreign_keys=ON")
            if new or upgrade:
                with self.transaction() as tx:
                    # A store of an earlier matchmaker gets its read models here; they
                    # catch up with its events on the next write or read of the state.
                    for statement in (*_SCHEMA, *READ_MODEL_SCHEMA):
                        self._connection.execute(statement)
                    # Another process may have created the same new store just before.
                    if new and tx.get_meta("schema_version") is None:
                        tx.set_meta("schema_version", SCHEMA_VERSION)
        except BaseException as error:
            self._connection.close()
            if isinstance(error, sqlite3.DatabaseError) and _is_damage(error):
                raise _damaged(self.path, error) from None
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._connection.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._connection.executemany(sql, [tuple(r) for r in rows])

    def _begin(self) -> None:
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            raise store_busy(self.path, self._timeout) from None

    def _begin_read(self) -> None:
        # A deferred transaction: in WAL mode its first read fixes the snapshot it sees.
        self._connection.execute("BEGIN")

    def _commit(self) -> None:
        self._connection.execute("COMMIT")

    def _rollback(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as error:
            if _is_damage(error):
                raise _damaged(self.path, error) from None
            raise

    def _check_schema(self) -> bool:
        """Refuse an existing file that is not a store of :data:`SCHEMA_VERSION`; returns
        whether it lacks the read-model tables (a store of an earlier matchmaker)."""
        tables = {
            str(row[0])
            for row in self._connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
        }
        if not tables:
            raise not_a_store(self.path, "an SQLite database without tables")
        missing = {"events", "meta"} - tables
        if missing:
            raise not_a_store(
                self.path, f"an SQLite database without the table(s) {', '.join(sorted(missing))}"
            )
        columns = [
            str(row[1]) for row in self._connection.execute("PRAGMA table_info(events)").fetchall()
        ]
        if columns != [c.strip() for c in COLUMNS.split(",")]:
            raise not_a_store(self.path, f"its events table has the columns {', '.join(columns)}")
        try:
            version = self.get_meta("schema_version")
        except sqlite3.OperationalError as error:
            raise not_a_store(self.path, f"its meta table is not readable ({error})") from None
        if version is None:
            raise not_a_store(self.path, "it has no schema version")
        if version != SCHEMA_VERSION:
            raise not_a_store(
                self.path,
                f"schema version {version!r}, this matchmaker reads version {SCHEMA_VERSION!r}",
            )
        return not {"entity_state", "kpi_counts", "visit_index", "first_accepted"} <= tables

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> EventStore:
        return self

    def integrity_check(self) -> list[str]:
        """Problems found: SQLite's own check, and entities whose sequences have gaps."""
        with self._reading():
            problems = [
                str(r[0])
                for r in self._connection.execute("PRAGMA integrity_check").fetchall()
                if r[0] != "ok"
            ]
        return problems + self.sequence_problems()
