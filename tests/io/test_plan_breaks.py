"""Break rows in plan folders: written to assignments.csv (kind break) and plan.json,
read back by read_plan, refused with file, row and column when malformed; the report's
Gantt rows draw them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from matchmaker.io import read_plan, write_plan
from matchmaker.model import PlanError
from matchmaker.plan import DispatchResult, dispatch, verify
from matchmaker.report import build_report_data
from tests.rules.test_breaks import _round
from tests.rules.world import at


def _planned(tmp_path: Path) -> tuple[DispatchResult, Path]:
    dataset = _round(at(13))
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0)
    assert verify(dataset, result.plan) == []
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    return result, out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_break_rows_are_written_and_read_back(tmp_path: Path) -> None:
    """assignments.csv holds the visits (kind visit) and the break (kind break, no job,
    the worker's name and day); plan.json lists it; read_plan gives the same breaks and
    the plan read back verifies."""
    result, out = _planned(tmp_path)
    rows = _rows(out / "assignments.csv")
    assert [r["kind"] for r in rows] == ["visit", "break", "visit"]
    pause = rows[1]
    assert (pause["job_id"], pause["worker_id"], pause["worker_name"]) == ("", "W1", "Worker W1")
    assert pause["start"] == at(11, 30).isoformat() and pause["day"] == "2026-12-01"
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert data["breaks"] == [
        {"worker_id": "W1", "start": at(11, 30).isoformat(), "end": at(12, 30).isoformat()}
    ]
    back = read_plan(out)
    assert back.breaks == result.plan.breaks
    assert back.assignments == result.plan.assignments
    assert verify(_round(at(13)), back) == []


def test_a_plan_without_breaks_has_no_kind_column(tmp_path: Path) -> None:
    """Rounds without break rules write assignments.csv as before."""
    dataset = _round(at(12), breaks=False)
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0)
    write_plan(result.plan, tmp_path / "plan", dataset=dataset, policy=result.policy)
    assert "kind" not in _rows(tmp_path / "plan" / "assignments.csv")[0]
    assert "breaks" not in json.loads((tmp_path / "plan" / "plan.json").read_text())


def test_a_malformed_break_row_names_its_row_and_column(tmp_path: Path) -> None:
    """An unknown kind, a break row naming a job and a break ending before it starts are
    refused, each with assignments.csv, its row and column."""
    _, out = _planned(tmp_path)
    path = out / "assignments.csv"
    rows = _rows(path)
    columns = list(rows[0])
    rows[0]["kind"] = "lunch"
    rows[1]["job_id"] = "J9"
    extra = dict(rows[1], job_id="", start=at(15).isoformat(), end=at(14).isoformat())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows([*rows, extra])
    with pytest.raises(PlanError) as raised:
        read_plan(out)
    text = str(raised.value)
    assert "assignments.csv, row 2, column 'kind'" in text
    assert "assignments.csv, row 3, column 'job_id'" in text
    assert "assignments.csv, row 5, column 'end'" in text


def test_a_plan_read_back_without_its_break_fails_verify(tmp_path: Path) -> None:
    """Dropping the break row leaves a shift without its lunch: verify says so."""
    _result, out = _planned(tmp_path)
    path = out / "assignments.csv"
    rows = [r for r in _rows(path) if r["kind"] != "break"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert {v.rule for v in verify(_round(at(13)), read_plan(out))} == {"breaks"}


def test_the_gantt_draws_the_plans_breaks(tmp_path: Path) -> None:
    """The report's Gantt row of W1 has a break bar 11:30-12:30 between the two jobs."""
    _result, out = _planned(tmp_path)
    data = build_report_data(read_plan(out), _round(at(13)))
    (row,) = [r for r in data.rows if r.worker_id == "W1"]
    bars = [(b.kind, b.start) for b in row.bars if b.kind in ("job", "break")]
    assert bars == [("job", at(9)), ("break", at(11, 30)), ("job", at(12, 30))]
