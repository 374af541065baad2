"""Every ``ops`` command prints for people and machines: table, JSON or CSV, whole ids."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from matchmaker.cli import app as root
from matchmaker.cli._ops import app
from matchmaker.cli._ops_output import parse_as_of, print_rows

runner = CliRunner()

CUSTOMER = "CUSTOMER-WITH-A-VERY-LONG-IDENTIFIER-000001"
VISIT = "VISIT-OF-A-VERY-LONG-IDENTIFIER-2026-12-01-0001"
WORKER = "WORKER-WITH-A-LONG-IDENTIFIER-07"


def _ops_commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(root)
    return dict(group.commands["ops"].commands)


def test_every_ops_command_takes_format_table_json_csv() -> None:
    """No ops command is left without --format table|json|csv."""
    commands = _ops_commands()
    assert len(commands) >= 17
    for name, command in commands.items():
        options = {o: p for p in command.params for o in getattr(p, "opts", ())}
        assert "--format" in options, name
        choices = options["--format"].type_descriptor.annotation
        assert {str(c) for c in choices} == {"table", "json", "csv"}, name


def test_as_of_takes_a_date_as_the_end_of_that_day_in_the_timezone() -> None:
    """A date is the last instant of that day in the store's timezone (UTC without one)."""
    moment = parse_as_of("2026-12-02", "Asia/Shanghai")
    assert moment.isoformat() == "2026-12-02T23:59:59.999999+08:00"
    assert parse_as_of("2026-12-02", None).isoformat() == "2026-12-02T23:59:59.999999+00:00"
    # The end of the day that loses an hour to daylight saving is still midnight - 1 us.
    spring = parse_as_of("2026-03-08", "America/New_York")
    assert spring.isoformat() == "2026-03-08T23:59:59.999999-04:00"
    given = parse_as_of("2026-12-02T09:00:00+08:00", "Europe/Paris")
    assert given == datetime.fromisoformat("2026-12-02T09:00:00+08:00")
    for bad in ("2026-12-02T09:00:00", "yesterday", "2026-13-01"):
        with pytest.raises(ValueError, match="--as-of"):
            parse_as_of(bad, None)


def _rendered(rows: list[dict[str, Any]], width: int) -> str:
    out = io.StringIO()
    print_rows(Console(file=out, width=width, soft_wrap=True), "t", rows, list(rows[0]))
    return out.getvalue()


def test_tables_never_cut_ids() -> None:
    """At 80 columns every id is printed whole on one line, in a table or in long format."""
    narrow = [{"visit_id": VISIT, "worker_id": WORKER, "kind": "visit_confirmed"}]
    wide = [{**narrow[0], "customer_id": CUSTOMER, "payload": "x" * 300}]
    for rows in (narrow, wide):
        text = _rendered(rows, 80)
        assert "…" not in text
        lines = text.splitlines()
        for name in (VISIT, WORKER):
            assert any(name in line for line in lines), (name, text)
    assert "-- 1 --" in _rendered(wide, 80)  # too wide for a table: long format
    assert "┃" in _rendered(narrow, 120)


def _events(path: Path) -> Path:
    rows = [
        ("customer_registered", CUSTOMER, "2026-11-30T08:00:00+08:00", {"lat": 31.2, "lon": 121.4}),
        (
            "worker_registered",
            WORKER,
            "2026-11-30T08:00:00+08:00",
            {"gender": "F", "home_lat": 31.2, "home_lon": 121.4, "skills": "cleaning:3"},
        ),
        (
            "visit_created",
            VISIT,
            "2026-11-30T09:00:00+08:00",
            {
                "customer_id": CUSTOMER,
                "service_type": "daily_cleaning",
                "earliest_start": "2026-12-01T09:00:00+08:00",
                "latest_start": "2026-12-01T10:00:00+08:00",
                "duration_minutes": 120,
                "price": "100.10",
            },
        ),
        (
            "visit_proposed",
            VISIT,
            "2026-11-30T10:00:00+08:00",
            {"worker_ids": [WORKER], "start": "2026-12-01T09:00:00+08:00"},
        ),
        ("visit_confirmed", VISIT, "2026-11-30T11:00:00+08:00", {}),
        ("visit_checked_in", VISIT, "2026-12-01T09:00:00+08:00", {}),
        ("visit_completed", VISIT, "2026-12-01T11:00:00+08:00", {}),
        ("visit_accepted", VISIT, "2026-12-01T11:10:00+08:00", {}),
        (
            "visit_settled",
            VISIT,
            "2026-12-01T11:20:00+08:00",
            {"amount": "90.10", "reason": "discount"},
        ),
    ]
    lines = [
        json.dumps({"kind": k, "entity": e, "time": t, "actor": "ops", **p}) for k, e, t, p in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "ops.db"
    result = runner.invoke(
        app, ["import", str(_events(tmp_path / "e.jsonl")), "--store", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_log_in_three_formats(store: Path) -> None:
    """ops log: whole ids in the table, JSON rows with payload objects, CSV with a header."""
    table = _run("log", "--store", str(store))
    assert VISIT in table and "…" not in table
    data = json.loads(_run("log", "--store", str(store), "--format", "json"))
    assert data["summary"]["events"] == 9
    settled = next(r for r in data["rows"] if r["kind"] == "visit_settled")
    assert settled["payload"]["adjustments"] == [
        {"reason": "discount", "amount": "10.00", "note": ""}
    ]
    rows = list(csv.DictReader(io.StringIO(_run("log", "--store", str(store), "--format", "csv"))))
    assert len(rows) == 9 and rows[-1]["entity_id"] == VISIT


def test_statement_and_report_serialise_money_as_strings(store: Path) -> None:
    """Statement and report JSON carry exact decimal strings; the report takes a date."""
    data = json.loads(
        _run(
            "statement",
            "--store",
            str(store),
            "--customer",
            CUSTOMER,
            "--month",
            "2026-12",
            "--format",
            "json",
        )
    )
    assert data["summary"]["total"] == "90.10"
    assert [(r["kind"], r["amount"]) for r in data["rows"]] == [
        ("price", "100.10"),
        ("discount", "-10.00"),
    ]
    report = json.loads(
        _run("report", "--store", str(store), "--format", "json", "--as-of", "2026-12-01")
    )
    assert report["summary"]["revenue"] == "90.10"
    assert report["summary"]["as_of"].startswith("2026-12-01T23:59:59.999999")


def test_followups_and_import_for_machines(store: Path, tmp_path: Path) -> None:
    """ops followups takes a date and prints CSV; ops import prints what it stored as JSON."""
    text = _run("followups", "--store", str(store), "--as-of", "2026-12-09", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["visit_id"] for r in rows] == [VISIT]
    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps(
            {
                "kind": "visit_followed_up",
                "entity": VISIT,
                "time": "2026-12-02T10:00:00+08:00",
                "actor": "ops",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    data = json.loads(_run("import", str(more), "--store", str(store), "--format", "json"))
    assert data["summary"]["stored"] == 1 and data["rows"][0]["entity_id"] == VISIT


def test_a_bad_as_of_is_invalid_input(store: Path) -> None:
    """An --as-of that is neither a date nor an instant exits 2 naming the option."""
    result = runner.invoke(app, ["report", "--store", str(store), "--as-of", "tomorrow"])
    assert result.exit_code == 2 and "--as-of" in result.stderr
