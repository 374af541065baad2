"""The SQLite event store beyond the suite both backends share (test_store_backends.py):
append-only to other clients, WAL, crash safety, files that are not stores, upgrades."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from matchmaker.lifecycle import (
    EventStore,
    Ledger,
    Operations,
    OpsPolicy,
    StoreError,
)
from matchmaker.model import ConcurrencyError

from .factory import visit, world


def test_store_is_append_only(store: EventStore, tmp_path: Path) -> None:
    """Updating or deleting an event is refused by the database itself."""
    store.append(world())
    connection = sqlite3.connect(tmp_path / "ops.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE events SET kind = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("DELETE FROM events")
    finally:
        connection.close()


def test_a_writer_kept_waiting_past_its_timeout_is_told_the_store_is_busy(
    store: EventStore, tmp_path: Path
) -> None:
    """Another writer holds the write lock (a plan checked under it) longer than this
    writer waits: a ConcurrencyError names the store and says to run it again (the CLI's
    ``conflict:``, exit 3), not an internal "database is locked"; nothing is written."""
    store.append(world())
    before = store.count()
    busy = pytest.raises(ConcurrencyError, match=r"ops\.db: another writer held the store")
    with EventStore(store.path, timeout=0.05) as impatient, store.transaction(), busy:
        impatient.append([visit("V1")])
    assert store.count() == before


def test_wal_mode_is_on(store: EventStore, tmp_path: Path) -> None:
    """The store runs in WAL journal mode."""
    connection = sqlite3.connect(tmp_path / "ops.db")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


_CRASH_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from matchmaker.lifecycle import Event
    from matchmaker.lifecycle import EventStore, make_event

    store = EventStore(sys.argv[1], durable=True)
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    store.append([
        make_event("worker_registered", f"W{k}", time=now, actor="crash-test", gender="F",
                   home_lat=31.2, home_lon=121.4)
        for k in range(5)
    ])
    i = 0
    while True:
        batch = [
            Event(kind="worker_updated", entity_id=f"W{(i + k) % 5}", time=now,
                  actor="crash-test", payload={"name": f"{i}-{k}-" + "x" * 4000})
            for k in range(3)
        ]
        stored = store.append(batch)
        print(stored[-1].position, flush=True)
        i += 1
    """
)


def test_killed_writer_loses_nothing_committed(tmp_path: Path) -> None:
    """SIGKILL mid-write: the store opens, every committed event is there and whole."""
    path = tmp_path / "crash.db"
    process = subprocess.Popen(
        [sys.executable, "-c", _CRASH_WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    committed: list[int] = []
    try:
        while len(committed) < 40:
            line = process.stdout.readline()
            if not line:
                break
            committed.append(int(line))
        os.kill(process.pid, signal.SIGKILL)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # pragma: no cover - only if the test failed early
            process.kill()
            process.wait()
    committed += [int(line) for line in rest.split()]
    assert process.returncode == -signal.SIGKILL
    assert len(committed) >= 40
    with EventStore(path) as store:
        assert store.integrity_check() == []
        events = store.read()
        positions = {s.position for s in events}
        assert set(committed) <= positions
        updates = [s for s in events if s.event.kind == "worker_updated"]
        assert len(updates) % 3 == 0
        assert all(s.event.payload["name"].endswith("x" * 4000) for s in updates)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    """Opening some other file as a store fails with a clear error."""
    path = tmp_path / "notes.db"
    path.write_text("these are not events\n" * 100, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"notes\.db is not a matchmaker store: .*not an SQLite"):
        EventStore(path)
    assert path.read_bytes() == before


def test_frame_exports_every_event(store: EventStore) -> None:
    """The store exports to a DataFrame with UTC timestamps."""
    store.append(world())
    frame = store.frame()
    assert len(frame) == len(world())
    assert list(frame.columns[:5]) == ["position", "entity_type", "entity_id", "seq", "kind"]
    assert str(frame["time"].dt.tz) == "UTC"


def test_a_store_of_an_earlier_version_gets_its_read_models(tmp_path: Path) -> None:
    """A store written before read models existed (no `entity_state` table) is given the
    table when opened, and the first read of the state catches up with all its events."""
    path = tmp_path / "old.db"
    with EventStore(path) as store:
        Operations(store, OpsPolicy()).submit([*world(), visit("V1")])
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE entity_state")
    connection.execute("DELETE FROM meta WHERE key = 'read_model_position'")
    connection.commit()
    connection.close()
    with EventStore(path) as store:
        state = Operations(store).ledger()
        assert set(state.visits) == {"V1"}
        assert state.snapshot() == Ledger.replay(store.read()).snapshot()
        assert store.get_meta("read_model_position") == str(store.read()[-1].position)
