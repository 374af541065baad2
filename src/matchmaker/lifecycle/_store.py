"""The event store: append-only events on SQLite (standard library ``sqlite3``).

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

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import pandas as pd

from matchmaker.lifecycle._events import EntityKey, Event, StoredEvent
from matchmaker.lifecycle._states import EntityType
from matchmaker.model import ConcurrencyError, LifecycleError

__all__ = ["SCHEMA_VERSION", "EventStore", "StoreError", "Transaction"]

SCHEMA_VERSION = "1"

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

_COLUMNS = "position, entity_type, entity_id, seq, kind, time, actor, payload, recorded_at"


class StoreError(LifecycleError):
    """The file is not a matchmaker event store this version reads, or SQLite finds it
    damaged; the message names the file and what is wrong."""


def _not_a_store(path: str, reason: str) -> StoreError:
    return StoreError(f"{path} is not a matchmaker store: {reason}")


def _damaged(path: str, error: sqlite3.DatabaseError) -> StoreError:
    if "not a database" in str(error):
        return _not_a_store(path, f"it is not an SQLite database ({error})")
    return _not_a_store(path, f"the file is damaged ({error}); restore it from a backup")


def _is_damage(error: BaseException) -> bool:
    # Exactly DatabaseError: "file is not a database", "database disk image is malformed".
    # Its subclasses (a busy lock, a broken constraint) are not about the file.
    return type(error) is sqlite3.DatabaseError


@contextmanager
def _readable(path: str) -> Iterator[None]:
    """Report a damaged file as a :class:`StoreError` naming it."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            raise _damaged(path, error) from None
        raise


def _row_to_event(path: str, row: tuple[object, ...]) -> StoredEvent:
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
        raise _not_a_store(
            path, f"the event at position {position} is unreadable: {error}"
        ) from None


class Transaction:
    """One write transaction of an :class:`EventStore` (holds the write lock)."""

    def __init__(self, connection: sqlite3.Connection, *, path: str = "") -> None:
        self._connection = connection
        self._path = path

    def version(self, key: EntityKey) -> int:
        """The entity's last sequence number, 0 when it has no event."""
        row = self._connection.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE entity_type = ? AND entity_id = ?",
            (str(key[0]), key[1]),
        ).fetchone()
        return int(row[0])

    def read(self, *, after: int = 0) -> list[StoredEvent]:
        rows = self._connection.execute(
            f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position", (after,)
        ).fetchall()
        return [_row_to_event(self._path, row) for row in rows]

    def append(
        self, events: Sequence[Event], *, expected: Mapping[EntityKey, int] | None = None
    ) -> list[StoredEvent]:
        """Append ``events`` in order, numbering each entity's events on from its version.

        ``expected`` maps entities to the version the writer saw; a different version in
        the store raises ``ConcurrencyError`` and nothing is appended.
        """
        versions: dict[EntityKey, int] = {}
        for key, seen in (expected or {}).items():
            current = self.version(key)
            if current != seen:
                raise ConcurrencyError(
                    f"{key[0]} {key[1]}: you saw version {seen} but the store holds version "
                    f"{current}; another writer changed it. Reload and retry."
                )
            versions[key] = current
        recorded_at = datetime.now(UTC).isoformat()
        stored: list[StoredEvent] = []
        for event in events:
            key = event.key
            if key not in versions:
                versions[key] = self.version(key)
            versions[key] += 1
            try:
                cursor = self._connection.execute(
                    "INSERT INTO events (entity_type, entity_id, seq, kind, time, actor, "
                    "payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
                )
            except sqlite3.IntegrityError as error:
                raise ConcurrencyError(
                    f"{key[0]} {key[1]}: sequence {versions[key]} was taken by another "
                    f"writer ({error}); reload and retry"
                ) from None
            stored.append(
                StoredEvent(
                    position=int(cursor.lastrowid or 0),
                    seq=versions[key],
                    event=event,
                    recorded_at=datetime.fromisoformat(recorded_at),
                )
            )
        return stored

    def get_meta(self, key: str) -> str | None:
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._connection.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class EventStore:
    """Append-only events in one SQLite file (``":memory:"`` for a throwaway store).

    Open one per thread or process; SQLite serialises the writers.
    """

    def __init__(self, path: str | Path, *, durable: bool = True, timeout: float = 30.0) -> None:
        self.path = str(path)
        new = self.path == ":memory:" or not Path(self.path).exists()
        if not new:
            # Checked before SQLite opens it: SQLite would take an empty file as a new
            # database and write to it.
            if not Path(self.path).is_file():
                raise _not_a_store(self.path, "it is not a file")
            if Path(self.path).stat().st_size == 0:
                raise _not_a_store(
                    self.path, "the file is empty (0 bytes); remove it to start a new store"
                )
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as error:
            raise LifecycleError(f"{self.path}: cannot open the event store: {error}") from None
        try:
            if not new:
                self._check_schema()
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._connection.execute("PRAGMA foreign_keys=ON")
            if new:
                with self.transaction() as tx:
                    for statement in _SCHEMA:
                        self._connection.execute(statement)
                    # Another process may have created the same new store just before.
                    if tx.get_meta("schema_version") is None:
                        tx.set_meta("schema_version", SCHEMA_VERSION)
        except BaseException as error:
            self._connection.close()
            if isinstance(error, sqlite3.DatabaseError) and _is_damage(error):
                raise _damaged(self.path, error) from None
            raise

    def _check_schema(self) -> None:
        """Refuse an existing file that is not a store of :data:`SCHEMA_VERSION`."""
        tables = {
            str(row[0])
            for row in self._connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
        }
        if not tables:
            raise _not_a_store(self.path, "an SQLite database without tables")
        missing = {"events", "meta"} - tables
        if missing:
            raise _not_a_store(
                self.path, f"an SQLite database without the table(s) {', '.join(sorted(missing))}"
            )
        columns = [
            str(row[1]) for row in self._connection.execute("PRAGMA table_info(events)").fetchall()
        ]
        if columns != [c.strip() for c in _COLUMNS.split(",")]:
            raise _not_a_store(self.path, f"its events table has the columns {', '.join(columns)}")
        try:
            version = self.get_meta("schema_version")
        except sqlite3.OperationalError as error:
            raise _not_a_store(self.path, f"its meta table is not readable ({error})") from None
        if version is None:
            raise _not_a_store(self.path, "it has no schema version")
        if version != SCHEMA_VERSION:
            raise _not_a_store(
                self.path,
                f"schema version {version!r}, this matchmaker reads version {SCHEMA_VERSION!r}",
            )

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> EventStore:
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
        with _readable(self.path):
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection, path=self.path)
            except BaseException:
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def append(
        self, events: Sequence[Event], *, expected: Mapping[EntityKey, int] | None = None
    ) -> list[StoredEvent]:
        """Append ``events`` in one transaction (see :meth:`Transaction.append`)."""
        with self.transaction() as tx:
            return tx.append(events, expected=expected)

    def read(self, *, after: int = 0, entity: EntityKey | None = None) -> list[StoredEvent]:
        """Events after ``position`` ``after`` (all by default), of one entity if given."""
        with _readable(self.path):
            if entity is None:
                rows = self._connection.execute(
                    f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position", (after,)
                ).fetchall()
            else:
                rows = self._connection.execute(
                    f"SELECT {_COLUMNS} FROM events WHERE position > ? AND entity_type = ? "
                    "AND entity_id = ? ORDER BY position",
                    (after, str(entity[0]), entity[1]),
                ).fetchall()
        return [_row_to_event(self.path, row) for row in rows]

    def version(self, key: EntityKey) -> int:
        with _readable(self.path):
            row = self._connection.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE entity_type = ? AND entity_id = ?",
                (str(key[0]), key[1]),
            ).fetchone()
        return int(row[0])

    def count(self) -> int:
        with _readable(self.path):
            return int(self._connection.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def get_meta(self, key: str) -> str | None:
        with _readable(self.path):
            row = self._connection.execute(
                "SELECT value FROM meta WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def integrity_check(self) -> list[str]:
        """Problems found: SQLite's own check, and entities whose sequences have gaps."""
        with _readable(self.path):
            problems = [
                str(r[0])
                for r in self._connection.execute("PRAGMA integrity_check").fetchall()
                if r[0] != "ok"
            ]
            rows = self._connection.execute(
                "SELECT entity_type, entity_id, COUNT(*), MIN(seq), MAX(seq) FROM events "
                "GROUP BY entity_type, entity_id"
            ).fetchall()
        for etype, eid, count, low, high in rows:
            if low != 1 or high != count:
                problems.append(f"{etype} {eid}: sequences {low}..{high} over {count} events")
        return problems

    def frame(self) -> pd.DataFrame:
        """Every event as a DataFrame (payload as a JSON string), in store order."""
        with _readable(self.path):
            cursor = self._connection.execute(f"SELECT {_COLUMNS} FROM events ORDER BY position")
            rows = cursor.fetchall()
        frame = pd.DataFrame(rows, columns=[c.strip() for c in _COLUMNS.split(",")])
        frame = frame.astype({"position": "int64", "seq": "int64"})
        for column in ("time", "recorded_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        return frame

    @staticmethod
    def entity_key(entity_type: EntityType | str, entity_id: str) -> EntityKey:
        return (EntityType(entity_type), entity_id)
