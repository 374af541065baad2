"""``matchmaker coverage``, and what ``dispatch`` and ``explain`` show from the what-if
module, through the real command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, write_tables
from matchmaker.model import Gender
from tests.rules.world import job, world

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "sample"
DISTRICTS = ROOT / "datasets" / "districts.csv"
runner = CliRunner()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """One worker (a woman) and two jobs, one of them for a man only."""
    dataset = world(jobs=[job("J1"), job("J2", gender_required=Gender.MALE)])
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    return folder


def test_coverage_table_on_the_sample() -> None:
    """The table shows the summary and the thin jobs with their reasons."""
    result = runner.invoke(app, ["coverage", str(SAMPLE), "--districts", str(DISTRICTS)])
    assert result.exit_code == 0, result.output
    assert "Jobs with no eligible worker" in result.output
    assert "Jobs with at most one eligible worker" in result.output


def test_coverage_json_and_csv(tmp_path: Path, small: Path) -> None:
    """--format json prints every table; --format csv --table writes one table to --out."""
    result = runner.invoke(app, ["coverage", str(small), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["summary"]["jobs_no_eligible"] == 1
    assert document["jobs"][0]["job_id"] == "J2"
    out = tmp_path / "hours.csv"
    result = runner.invoke(
        app, ["coverage", str(small), "--format", "csv", "--table", "hours", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows[0]["skill"] == "cleaning" and float(rows[0]["demand_hours"]) == 2.0


def test_coverage_refuses_bad_districts_and_writing_into_the_dataset(small: Path) -> None:
    """A bad districts file and an --out inside the dataset folder are input errors
    (exit 2, no traceback), and nothing is written."""
    bad = small.parent / "districts.csv"
    bad.write_text("name,lat,lon\nA,x,1\n", encoding="utf-8")
    result = runner.invoke(app, ["coverage", str(small), "--districts", str(bad)])
    assert result.exit_code == 2
    assert "row 2, column lat" in result.output and "Traceback" not in result.output
    inside = small / "coverage.json"
    result = runner.invoke(app, ["coverage", str(small), "--format", "json", "--out", str(inside)])
    assert result.exit_code == 2 and not inside.exists()


def test_dispatch_prints_coverage_and_fills_smallest_change(tmp_path: Path, small: Path) -> None:
    """dispatch prints the coverage line and writes each unassigned job's smallest change,
    which explain repeats; --no-smallest-change leaves the column empty."""
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["dispatch", str(small), "--out", str(out), "--solver", "greedy", "--time-limit", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "coverage: 2 jobs" in result.output
    assert "smallest changes: 1 of 1 unserved job(s) have a proven change" in result.output
    rows = _rows(out / "unassigned.csv")
    assert rows[0]["job_id"] == "J2"
    assert rows[0]["smallest_change"].startswith("relax_preference (cost 30)")
    told = runner.invoke(app, ["explain", str(out), "--job", "J2"])
    assert "Smallest change that would serve it: relax_preference" in told.output
    result = runner.invoke(
        app,
        ["dispatch", str(small), "--out", str(out), "--solver", "greedy", "--no-smallest-change"],
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out / "unassigned.csv")
    assert rows[0]["smallest_change"] == ""


def test_dispatch_prints_the_warnings_validate_shows(tmp_path: Path, small: Path) -> None:
    """An unknown column is a warning in validate and the same warning in dispatch, before
    the coverage line; the plan is still written."""
    jobs = small / "jobs.csv"
    lines = jobs.read_text(encoding="utf-8").splitlines()
    jobs.write_text(
        "\n".join([lines[0] + ",colour", *(line + ",red" for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )
    checked = runner.invoke(app, ["validate", str(small)])
    assert checked.exit_code == 0 and "colour" in checked.output
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(small), "--out", str(out), "--solver", "greedy"])
    assert result.exit_code == 0, result.output
    warning = result.output.index("warning: jobs.csv, column 'colour'")
    assert warning < result.output.index("coverage: 2 jobs")
    assert (out / "plan.json").is_file()
