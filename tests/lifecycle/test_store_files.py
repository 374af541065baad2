"""Odd store files: empty, damaged, another database, no or another schema version.

Each is refused with a :class:`StoreError` naming the file and what is wrong; the file is
never stamped or written to; ``matchmaker ops`` exits 2 with that message, no traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli._ops import app
from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, StoreError
from matchmaker.lifecycle import _analytics as analytics

from .factory import at, ev, served, visit, world

PAGE = 4096


def _store(path: Path, visits: int = 3) -> Path:
    with EventStore(path, durable=False) as store:
        events = [*world()]
        for i in range(visits):
            events += [visit(f"V{i}", start=60 + i), *served(f"V{i}", "W1", 60 + i)]
        Operations(store, OpsPolicy()).submit(events)
    return path


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _other_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (x)")
        connection.execute("CREATE TABLE meta (key, value)")
    connection.close()


def _no_tables(path: Path) -> None:
    sqlite3.connect(path).execute("VACUUM").connection.close()


def _without_version(path: Path) -> None:
    _store(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM meta WHERE key = 'schema_version'")
    connection.close()


def _version_7(path: Path) -> None:
    _store(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    connection.close()


def _garbage_in_the_middle(path: Path) -> None:
    _store(path, visits=40)
    data = bytearray(path.read_bytes())
    # The middle half of the pages: events and entity rows whatever tables the store has.
    start, end = len(data) // PAGE // 4 * PAGE, len(data) // PAGE * 3 // 4 * PAGE
    data[start:end] = b"\xab" * (end - start)
    path.write_bytes(bytes(data))


def _text_file(path: Path) -> None:
    path.write_text("these are not events\n" * 100, encoding="utf-8")


ODD: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (_empty, r"the file is empty \(0 bytes\)"),
    "other_database": (_other_database, "its events table has the columns x"),
    "sqlite_without_tables": (_no_tables, "an SQLite database without tables"),
    "no_schema_version": (_without_version, "it has no schema version"),
    "unknown_schema_version": (_version_7, "schema version '7'"),
    "garbage_in_the_middle": (_garbage_in_the_middle, "the file is damaged"),
    "text_file": (_text_file, "not an SQLite database"),
}


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


@pytest.mark.parametrize("case", ODD)
def test_odd_store_file_is_refused_untouched(tmp_path: Path, case: str) -> None:
    """Opening and reading an odd file raises StoreError naming it; no byte changes."""
    make, reason = ODD[case]
    path = tmp_path / "odd.db"
    make(path)
    before = _files(path)
    expected = rf"odd\.db is not a matchmaker store: .*{reason}"
    with pytest.raises(StoreError, match=expected), EventStore(path) as store:
        analytics.report(Operations(store).ledger(), as_of=at(0))
    assert _files(path) == before


COMMANDS = {
    "report": ["report"],
    "log": ["log"],
    "import": ["import", "EVENTS"],
    "event": ["event", "--kind", "worker_updated", "--entity", "W1", "--actor", "a"],
}
# Every odd file against a reading and a writing command, every command against one file.
CLI_CASES = [(case, command) for case in ODD for command in ("report", "import")] + [
    ("empty", "log"),
    ("empty", "event"),
    ("no_schema_version", "event"),
]


@pytest.mark.parametrize(("case", "command"), CLI_CASES)
def test_ops_commands_exit_2_naming_an_odd_store(tmp_path: Path, case: str, command: str) -> None:
    """Reading and writing commands exit 2 with one line naming the store, no traceback,
    and never stamp or create anything (an empty file stays empty)."""
    make, _ = ODD[case]
    path = tmp_path / "odd.db"
    make(path)
    before = _files(path)
    events = tmp_path / "events.jsonl"
    events.write_text("", encoding="utf-8")
    args = [str(events) if a == "EVENTS" else a for a in COMMANDS[command]]
    result = CliRunner().invoke(app, [*args, "--store", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"error: {path} is not a matchmaker store" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _files(path) == before


def test_a_new_store_is_created_where_no_file_is(tmp_path: Path) -> None:
    """A path without a file becomes a new store with the schema version stamped."""
    path = tmp_path / "new.db"
    result = CliRunner().invoke(
        app,
        [
            *("event", "--store", str(path), "--kind", "customer_registered"),
            *("--entity", "C1", "--actor", "a", "--time", "2026-12-01T08:00:00+08:00"),
        ],
    )
    assert result.exit_code == 0, result.output
    with EventStore(path) as store:
        assert store.get_meta("schema_version") == "1" and store.count() == 1


def test_damage_anywhere_is_a_store_error_or_harmless(tmp_path: Path) -> None:
    """Garbage over any of a few pages of a store either goes unnoticed (a page the
    commands do not read) or is a StoreError naming the file, never another exception."""
    clean = _store(tmp_path / "clean.db", visits=40)
    pages = clean.stat().st_size // PAGE
    refused = 0
    for page in range(1, pages, max(1, pages // 6)):
        path = tmp_path / f"bad{page}.db"
        data = bytearray(clean.read_bytes())
        data[page * PAGE : (page + 1) * PAGE] = b"\xab" * PAGE
        path.write_bytes(bytes(data))
        try:
            with EventStore(path) as store:
                ops = Operations(store)
                analytics.report(ops.ledger(), ops.policy, as_of=at(5000))
                ops.submit([ev("worker_updated", "W2", 9000, name="x")])
        except StoreError as error:
            assert str(path) in str(error)
            refused += 1
    assert refused > 0
