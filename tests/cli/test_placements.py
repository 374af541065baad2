"""matchmaker placements and the ops placement-* commands from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from matchmaker.cli._app import app

BUNDLED = Path(__file__).resolve().parents[2] / "datasets" / "placements"
runner = CliRunner()


def test_placements_writes_the_round_and_its_kpis(tmp_path: Path) -> None:
    """The bundled example: every request placed, four files, exit 0."""
    result = runner.invoke(app, ["placements", str(BUNDLED), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    placed = pd.read_csv(tmp_path / "r" / "placements.csv")
    assert sorted(placed["request_id"]) == ["P001", "P002", "P003", "P004", "P005"]
    kpis = json.loads((tmp_path / "r" / "kpis.json").read_text())
    assert kpis["fill_rate"] == 1.0


def test_shortlist_mode_writes_shortlists_and_why_some_are_short(tmp_path: Path) -> None:
    """--shortlist 3: up to three ranked candidates a request; short ones in unfilled.csv."""
    out = tmp_path / "s"
    result = runner.invoke(app, ["placements", str(BUNDLED), "--out", str(out), "--shortlist", "3"])
    assert result.exit_code == 0, result.output
    lists = pd.read_csv(out / "shortlists.csv")
    assert lists.groupby("request_id")["rank"].max().max() == 3
    short = pd.read_csv(out / "unfilled.csv")
    assert all(r.reason.startswith(r.reason_code) for r in short.itertuples())
    assert pd.read_csv(out / "placements.csv").empty


def test_a_dataset_without_requests_or_a_bad_solver_exits_2(tmp_path: Path) -> None:
    """No placement_requests table, or an unknown solver: exit 2, nothing written."""
    sample = Path(__file__).resolve().parents[2] / "datasets" / "sample"
    result = runner.invoke(app, ["placements", str(sample), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "no placement requests" in result.output
    bad = runner.invoke(
        app, ["placements", str(BUNDLED), "--out", str(tmp_path / "y"), "--solver", "magic"]
    )
    assert bad.exit_code == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_the_ops_loop_from_the_command_line(tmp_path: Path) -> None:
    """request -> shortlist -> interview -> select -> contract -> start -> settle ->
    report, each command exit 0; a shortlist naming a declined worker is refused (exit 2)."""
    store = str(tmp_path / "ops.db")
    common = ["--store", store, "--actor", "ops"]

    def ok(*args: str) -> str:
        result = runner.invoke(app, ["ops", *args])
        assert result.exit_code == 0, result.output
        return result.output

    def event(kind: str, time: str, **data: str) -> str:
        return ok("event", *common, "--kind", kind, "--entity", "PL001", "--time", time,
                  "--data", json.dumps(data))  # fmt: skip

    ok("placement-request", *common, "--dataset", str(BUNDLED), "--request", "P001",
       "--entity", "PL001", "--time", "2026-12-01T10:00:00+08:00")  # fmt: skip
    listed = ok("placement-shortlist", *common, "--dataset", str(BUNDLED), "--placement",
                "PL001", "--time", "2026-12-01T11:00:00+08:00")  # fmt: skip
    assert "W05" in listed
    event("placement_interview_scheduled", "2026-12-02T09:00:00+08:00", worker_id="W05",
          at="2026-12-05T10:00:00+08:00")  # fmt: skip
    event("placement_candidate_declined", "2026-12-05T12:00:00+08:00", worker_id="W05")
    refused = runner.invoke(
        app,
        ["ops", "event", *common, "--kind", "placement_shortlisted", "--entity", "PL001",
         "--time", "2026-12-05T13:00:00+08:00", "--data", '{"candidates": ["W05"]}'],
    )  # fmt: skip
    assert refused.exit_code == 2 and "declined" in refused.output
    event("placement_interview_scheduled", "2026-12-05T13:00:00+08:00", worker_id="W02",
          at="2026-12-06T10:00:00+08:00")  # fmt: skip
    event("placement_selected", "2026-12-06T12:00:00+08:00", worker_id="W02")
    event("placement_contracted", "2026-12-06T15:00:00+08:00", monthly_salary="16500")
    moved = ok("placement-move-due", *common, "--placement", "PL001", "--due-date",
               "2027-01-07", "--dataset", str(BUNDLED),
               "--time", "2027-01-06T20:00:00+08:00")  # fmt: skip
    assert "every hard rule holds" in moved
    event("placement_started", "2027-01-07T09:00:00+08:00", start_date="2027-01-07")
    settled = ok("placement-settle", *common, "--placement", "PL001", "--month", "2027-01",
                 "--time", "2027-02-01T09:00:00+08:00")  # fmt: skip
    assert "25 days, salary 13750.00, service fee 1375.00" in settled
    assert "W02:day_1" in ok("placement-followups", "--store", store, "--as-of", "2027-01-09")
    report = json.loads(ok("placement-report", "--store", store))
    assert report["filled"] == 1 and report["interviews_per_placement"] == 2.0
