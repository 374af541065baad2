"""`matchmaker ops` on either store: `--store` takes a file or a PostgreSQL URL, and
`ops rebuild` gives back the state the commands kept."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from matchmaker.cli._ops import app
from matchmaker.lifecycle import EntityType, Ledger, Operations, open_store

from .factory import DAY1, write_dataset

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def _seeded(store: str, tmp_path: Path) -> str:
    dataset = write_dataset(tmp_path / "data")
    result = run("import-dataset", dataset, "--store", store, "--time", f"{DAY1}T07:00:00+08:00")
    assert result.exit_code == 0, result.output
    return store


def test_a_round_on_the_store_and_a_rebuild(store_location: str, tmp_path: Path) -> None:
    """Seed, cancel a visit, export the round and report, on each backend; `ops rebuild`
    then gives back exactly the state the commands kept, which equals a replay."""
    store = _seeded(store_location, tmp_path)
    cancelled = run(
        "event", "--store", store, "--kind", "visit_cancelled", "--entity", "J3",
        "--actor", "dispatcher", "--time", f"{DAY1}T07:30:00+08:00",
        "--data", '{"reason": "customer called"}',
    )  # fmt: skip
    assert cancelled.exit_code == 0, cancelled.output
    jobs = run("jobs", "--store", store, "--date", DAY1, "--out", tmp_path / "round")
    assert jobs.exit_code == 0, jobs.output
    assert "J3" not in (tmp_path / "round" / "jobs.csv").read_text(encoding="utf-8")
    report = run(
        "report", "--store", store, "--format", "json", "--as-of", f"{DAY1}T20:00:00+08:00"
    )
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["summary"]["visits"] >= 1
    with open_store(store) as opened:
        before = Operations(opened).ledger()
        replayed = Ledger.replay(opened.read())
    rebuilt = run("rebuild", "--store", store)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "read models rebuilt from" in rebuilt.output
    with open_store(store) as opened:
        after = Operations(opened).ledger()
    assert after.snapshot() == before.snapshot() == replayed.snapshot()


def test_a_stale_writer_exits_3_to_run_it_again(store_location: str, tmp_path: Path) -> None:
    """An event that expects an entity's version another writer moved on from is refused
    with ``conflict:`` and exit 3 (run it again), not exit 1 (an internal error), on each
    backend; nothing of the file is written."""
    store = _seeded(store_location, tmp_path)
    with open_store(store) as opened:
        seen = opened.version((EntityType.VISIT, "J3"))
        before = opened.count()
    line = {
        "kind": "visit_cancelled", "entity": "J3", "time": f"{DAY1}T07:30:00+08:00",
        "actor": "dispatcher", "reason": "customer called", "expected_version": seen - 1,
    }  # fmt: skip
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = run("import", events, "--store", store)
    assert result.exit_code == 3, result.output
    assert "conflict: visit J3: you saw version" in result.output
    with open_store(store) as opened:
        assert opened.count() == before


def test_rebuild_needs_an_existing_store(tmp_path: Path) -> None:
    """`ops rebuild` on a file that does not exist says so and creates nothing."""
    result = run("rebuild", "--store", tmp_path / "none.db")
    assert result.exit_code == 2
    assert "event store not found" in result.output
    assert not (tmp_path / "none.db").exists()


def test_postgres_url_without_psycopg_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without psycopg a PostgreSQL `--store` exits 2 naming `matchmaker[postgres]`."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = run("report", "--store", "postgresql://dispatch@127.0.0.1:1/ops")
    assert result.exit_code == 2
    assert "pip install 'matchmaker[postgres]'" in result.output


@pytest.mark.postgres
def test_unreachable_database_is_named_without_its_password() -> None:
    """A database that cannot be reached exits 2; the message hides the password."""
    pytest.importorskip("psycopg")
    result = run("report", "--store", "postgresql://dispatch:secret@127.0.0.1:1/ops")
    assert result.exit_code == 2
    assert "cannot open the event store" in result.output
    assert "secret" not in result.output
    assert "dispatch:***@127.0.0.1:1/ops" in result.output
