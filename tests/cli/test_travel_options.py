"""``--travel-matrix`` on ``dispatch``, ``verify`` and ``explain``, and dataset.toml's
``[travel_source]``: a plan made on a matrix file is judged by it everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, write_tables
from tests.matrix_world import matrix_world

runner = CliRunner()
LEGS = [("W1", "J1", 5), ("W1", "J2", 6), ("J1", "J2", 3), ("J2", "J1", 3)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    dataset, _ = matrix_world()
    out = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), out, settings=dataset.settings)
    return out


def _matrix(path: Path, legs: list[tuple[str, str, int]]) -> Path:
    pd.DataFrame(legs, columns=["from_id", "to_id", "minutes"]).to_csv(path, index=False)
    return path


def _served(plan: Path) -> int:
    return int(json.loads((plan / "kpis.json").read_text())["jobs_served"])


def test_a_plan_made_on_a_matrix_file_passes_verify_with_it(folder: Path, tmp_path: Path) -> None:
    """Dispatch on the file serves both far jobs (straight lines serve none); verify with
    the file, and with the plan's own record, passes; explain uses it too."""
    matrix = _matrix(tmp_path / "travel.csv", LEGS)
    plan = tmp_path / "plan"
    made = runner.invoke(
        app,
        [
            "dispatch",
            str(folder),
            "--out",
            str(plan),
            "--solver",
            "greedy",
            "--travel-matrix",
            str(matrix),
        ],
    )
    assert made.exit_code == 0, made.output
    assert _served(plan) == 2
    checked = runner.invoke(app, ["verify", str(folder), str(plan), "--travel-matrix", str(matrix)])
    assert checked.exit_code == 0, checked.output
    recorded = runner.invoke(app, ["verify", str(folder), str(plan)])
    assert recorded.exit_code == 0, recorded.output
    told = runner.invoke(app, ["explain", str(plan), "--job", "J1", "--format", "json"])
    assert told.exit_code == 0, told.output
    assert "5 min travel" in runner.invoke(app, ["explain", str(plan), "--job", "J1"]).output


def test_verify_judges_with_the_file_it_is_given(folder: Path, tmp_path: Path) -> None:
    """A slower matrix given to verify breaks the plan's travel (exit 1)."""
    plan = tmp_path / "plan"
    fast = _matrix(tmp_path / "fast.csv", LEGS)
    slow = _matrix(tmp_path / "slow.csv", [(a, b, m * 20) for a, b, m in LEGS])
    made = runner.invoke(
        app,
        [
            "dispatch",
            str(folder),
            "--out",
            str(plan),
            "--solver",
            "greedy",
            "--travel-matrix",
            str(fast),
        ],
    )
    assert made.exit_code == 0, made.output
    judged = runner.invoke(app, ["verify", str(folder), str(plan), "--travel-matrix", str(slow)])
    assert judged.exit_code == 1
    assert "travel" in judged.output


def test_an_invalid_matrix_file_exits_2_and_writes_nothing(folder: Path, tmp_path: Path) -> None:
    """A bad cell is named with file, row and column; exit 2; no plan folder appears."""
    matrix = _matrix(tmp_path / "travel.csv", [("W1", "J1", 5), ("W1", "J404", 6)])
    plan = tmp_path / "plan"
    result = runner.invoke(
        app, ["dispatch", str(folder), "--out", str(plan), "--travel-matrix", str(matrix)]
    )
    assert result.exit_code == 2
    assert "travel.csv, row 3, column 'to_id'" in " ".join(result.output.split())
    assert not plan.exists()


def test_missing_pairs_warn_or_fail(folder: Path, tmp_path: Path) -> None:
    """A file lacking pairs warns by default and is refused with --missing-pairs error."""
    matrix = _matrix(tmp_path / "travel.csv", LEGS[:1])
    plan = tmp_path / "plan"
    warned = runner.invoke(
        app,
        [
            "dispatch",
            str(folder),
            "--out",
            str(plan),
            "--solver",
            "greedy",
            "--travel-matrix",
            str(matrix),
        ],
    )
    assert warned.exit_code == 0, warned.output
    assert "3 pair(s)" in warned.output
    refused = runner.invoke(
        app,
        [
            "dispatch", str(folder), "--out", str(tmp_path / "p2"), "--travel-matrix", str(matrix),
            "--missing-pairs", "error",
        ],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert not (tmp_path / "p2").exists()


def test_dataset_toml_can_name_the_matrix(folder: Path, tmp_path: Path) -> None:
    """``[travel_source] matrix = ...`` in dataset.toml is used without any option."""
    _matrix(folder / "travel.csv", LEGS)
    toml = folder / "dataset.toml"
    text = toml.read_text() if toml.exists() else ""
    toml.write_text(text + '\n[travel_source]\nmatrix = "travel.csv"\n')
    plan = tmp_path / "plan"
    made = runner.invoke(app, ["dispatch", str(folder), "--out", str(plan), "--solver", "greedy"])
    assert made.exit_code == 0, made.output
    assert _served(plan) == 2
    assert runner.invoke(app, ["verify", str(folder), str(plan)]).exit_code == 0
