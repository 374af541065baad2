"""`ops report` from the store's counters on the command line: JSON, CSV and table, and
`--details` for the per-visit tables."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from matchmaker.cli._ops import app
from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, analytics

from . import scenario
from .factory import at

runner = CliRunner()
AS_OF = at(24 * 60).isoformat()


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "ops.db"
    with EventStore(path, durable=False) as store:
        scenario.run(Operations(store, OpsPolicy()), steps=150)
    return path


def test_report_json_has_the_aggregates_and_details_add_the_visit_tables(tmp_path: Path) -> None:
    """The default report carries the summary and the aggregate tables of the full report;
    `--details` is the full report, with margins, follow-ups and continuity."""
    path = _store(tmp_path)
    base = ["report", "--store", str(path), "--format", "json", "--as-of", AS_OF]
    fast = runner.invoke(app, base)
    assert fast.exit_code == 0, fast.output
    details = runner.invoke(app, [*base, "--details"])
    assert details.exit_code == 0, details.output
    quick, full = json.loads(fast.stdout), json.loads(details.stdout)
    assert set(quick["tables"]) == {"workers", "services", "revenue", "money", "problems"}
    assert {"margins", "followups", "continuity"} <= set(full["tables"])
    assert quick["summary"] == full["summary"]
    assert all(quick["tables"][t] == full["tables"][t] for t in quick["tables"])
    with EventStore(path) as store:
        ledger = Operations(store).ledger()
    reference = analytics.report(ledger, OpsPolicy(), as_of=at(24 * 60)).to_json()
    assert quick["summary"] == reference["summary"]


def test_report_csv_writes_one_file_per_table_and_a_table_prints(tmp_path: Path) -> None:
    """`--format csv --out DIR` writes summary.csv and each aggregate table (money as exact
    decimals); the default table output prints the KPIs."""
    path = _store(tmp_path)
    out = tmp_path / "kpis"
    result = runner.invoke(
        app, ["report", "--store", str(path), "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    tables = ["workers", "services", "revenue", "money", "problems"]
    assert names == [f"{n}.csv" for n in sorted(["summary", *tables])]
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        summary = {r["kpi"]: r["value"] for r in csv.DictReader(handle)}
    assert summary["revenue"].count(".") == 1 and len(summary["revenue"].split(".")[1]) == 2
    table = runner.invoke(app, ["report", "--store", str(path)], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "Operations KPIs" in table.stdout and "fill_rate" in table.stdout
