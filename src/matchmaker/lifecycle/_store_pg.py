"""The event store on PostgreSQL (extra ``postgres``: psycopg 3), for several machines.

``--store postgresql://user@host:port/dbname`` opens it wherever a store is taken. The
tables live in their own schema (``matchmaker`` unless the URL's ``search_path`` option
says otherwise), created on first use, so a company database keeps its own tables apart:

- ``events``: the same columns as the SQLite store; ``position`` is an identity column,
  ``UNIQUE (entity_type, entity_id, seq)``; triggers reject ``UPDATE`` and ``DELETE``;
- ``meta`` and the read models (:mod:`matchmaker.lifecycle._readmodel`).

A write transaction takes ``LOCK TABLE events IN EXCLUSIVE MODE`` before it reads: writers
queue one after the other (as SQLite's ``BEGIN IMMEDIATE`` makes them), readers never wait;
a writer kept waiting past its timeout (30 s) gets a ``ConcurrencyError`` ("run it again").
What a command decides on is what it appends to; optimistic concurrency
(``expected_version``) and the unique key guard against a writer that read earlier.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from matchmaker.lifecycle._readmodel import READ_MODEL_SCHEMA
from matchmaker.lifecycle._store_sql import (
    COLUMNS,
    SCHEMA_VERSION,
    WRITE_TIMEOUT,
    SqlStore,
    not_a_store,
    store_busy,
)
from matchmaker.model import LifecycleError

__all__ = ["DEFAULT_SCHEMA", "INSTALL_HINT", "PostgresStore", "redact_url"]

DEFAULT_SCHEMA = "matchmaker"
INSTALL_HINT = "the PostgreSQL store needs psycopg: pip install 'matchmaker[postgres]'"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS events (
        position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entity_type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        seq BIGINT NOT NULL CHECK (seq >= 1),
        kind TEXT NOT NULL,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (payload::jsonb IS NOT NULL),
        recorded_at TEXT NOT NULL,
        UNIQUE (entity_type, entity_id, seq)
    )""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'events are append-only'; END $$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'events_append_only'
                       AND tgrelid = 'events'::regclass) THEN
            CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
        END IF;
    END $$""",
)

# Any one number: serialises first-time schema creation between processes.
_SCHEMA_LOCK = 7_351_204


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LifecycleError(INSTALL_HINT) from None
    return psycopg


def _schema_name(url: str) -> str:
    match = re.search(r"search_path(?:%3D|=)([A-Za-z_][A-Za-z0-9_]*)", url)
    return match.group(1) if match else DEFAULT_SCHEMA


class PostgresStore(SqlStore):
    """Append-only events in a PostgreSQL database (one connection; open one per thread
    or process)."""

    def __init__(self, url: str, *, timeout: float = WRITE_TIMEOUT) -> None:
        psycopg = _psycopg()
        self.url = url
        self.path = redact_url(url)
        self._timeout = timeout
        self._lock_wait_over = psycopg.errors.LockNotAvailable
        self.integrity_errors = (psycopg.errors.UniqueViolation,)
        try:
            self._connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise LifecycleError(f"{self.path}: cannot open the event store: {error}") from None
        self._cursor = self._connection.cursor()
        self.schema = _schema_name(url)
        try:
            self._prepare()
        except BaseException:
            self._connection.close()
            raise

    def _prepare(self) -> None:
        """Create the schema and tables on first use; refuse tables of something else."""
        self._cursor.execute("BEGIN")
        try:
            self._cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            self._cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._cursor.execute(f'SET search_path TO "{self.schema}"')
            self._cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (self.schema,),
            )
            tables = {str(r[0]) for r in self._cursor.fetchall()}
            if tables & {"events", "meta"}:
                self._check_schema(tables)
            for statement in (*_SCHEMA, *READ_MODEL_SCHEMA):
                self._cursor.execute(statement)
            self._cursor.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO NOTHING",
                (SCHEMA_VERSION,),
            )
            self._cursor.execute("COMMIT")
        except BaseException:
            self._cursor.execute("ROLLBACK")
            raise
        # The session keeps the schema for every later statement.
        self._cursor.execute(f'SET search_path TO "{self.schema}"')

    def _check_schema(self, tables: set[str]) -> None:
        where = f"{self.path} (schema {self.schema})"
        missing = {"events", "meta"} - tables
        if missing:
            raise not_a_store(where, f"it has no table(s) {', '.join(sorted(missing))}")
        self._cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'events' ORDER BY ordinal_position",
            (self.schema,),
        )
        columns = [str(r[0]) for r in self._cursor.fetchall()]
        if columns != [c.strip() for c in COLUMNS.split(",")]:
            raise not_a_store(where, f"its events table has the columns {', '.join(columns)}")
        self._cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        row = self._cursor.fetchone()
        if row is None:
            raise not_a_store(where, "it has no schema version")
        if row[0] != SCHEMA_VERSION:
            raise not_a_store(
                where,
                f"schema version {row[0]!r}, this matchmaker reads version {SCHEMA_VERSION!r}",
            )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(sql.replace("?", "%s"), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(sql.replace("?", "%s"), [tuple(r) for r in rows])

    def _begin(self) -> None:
        self._cursor.execute("BEGIN")
        try:
            # Writers queue here, before they read anything (readers are not blocked), for
            # at most the timeout, as SQLite's writers do.
            milliseconds = max(1, round(self._timeout * 1000))
            self._cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
            self._cursor.execute("LOCK TABLE events IN EXCLUSIVE MODE")
        except self._lock_wait_over:
            self._cursor.execute("ROLLBACK")
            raise store_busy(self.path, self._timeout) from None
        except BaseException:
            self._cursor.execute("ROLLBACK")
            raise

    def _begin_read(self) -> None:
        self._cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _commit(self) -> None:
        self._cursor.execute("COMMIT")

    def _rollback(self) -> None:
        self._cursor.execute("ROLLBACK")

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> PostgresStore:
        return self
