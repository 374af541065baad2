"""Regression tests of input handling: inputs that once crashed dispatch, exited 1, lost
data silently or flooded the terminal are now input errors (exit 2) naming file, row and
column, alike in ``validate`` and ``dispatch``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.generate import generate_dataset
from matchmaker.io import check_dataset, read_plan

Edit = Callable[[Path], None]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trust") / "base"
    generate_dataset(folder, workers=6, jobs=10, seed=3, days=2)
    return folder


def _cell(table: str, row: int, column: str, value: str) -> Edit:
    def edit(folder: Path) -> None:
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        frame.loc[row - 2, column] = value
        frame.to_csv(folder / f"{table}.csv", index=False)

    return edit


def _text(name: str, change: Callable[[str], str]) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return edit


def _both(base: Path, tmp_path: Path, *edits: Edit) -> tuple[list[dict[str, object]], str]:
    """Validate (JSON errors) and dispatch the edited copy; both must exit 2, writing nothing."""
    folder = tmp_path / "ds"
    shutil.copytree(base, folder)
    for edit in edits:
        edit(folder)
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert checked.exit_code == 2, checked.output
    out = tmp_path / "plan"
    args = ["dispatch", str(folder), "--out", str(out), "--solver", "greedy", "--time-limit", "1"]
    planned = runner.invoke(app, args)
    assert planned.exit_code == 2, planned.output
    assert not out.exists()
    assert "Traceback" not in planned.output
    errors = json.loads(checked.stdout)["errors"]
    return errors, planned.output


def _one(errors: list[dict[str, object]]) -> dict[str, object]:
    assert len(errors) == 1, errors
    return errors[0]


def test_a_pin_on_a_worker_on_leave_is_refused_naming_row_and_column(
    base: Path, tmp_path: Path
) -> None:
    """A pin on an on-leave worker: exit 2 at jobs.csv row 2, pinned_worker_id, saying why."""
    errors, output = _both(
        base,
        tmp_path,
        _cell("workers", 2, "status", "on_leave"),
        _cell("jobs", 2, "pinned_worker_id", "W0001"),
    )
    error = _one(errors)
    assert (error["file"], error["row"], error["column"]) == ("jobs.csv", 2, "pinned_worker_id")
    assert "W0001" in str(error["message"]) and "on leave" in str(error["message"])
    assert "jobs.csv, row 2, column 'pinned_worker_id'" in output
    assert "bug" not in output


def test_a_pin_to_a_worker_without_shift_is_refused(base: Path, tmp_path: Path) -> None:
    """Header-only availability and no shift columns: a pin there is an input error."""

    def no_shifts(folder: Path) -> None:
        (folder / "availability.csv").write_text("worker_id,start,end\n", encoding="utf-8")
        frame = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False)
        frame["shift_start"] = frame["shift_end"] = ""
        frame.to_csv(folder / "workers.csv", index=False)

    errors, _ = _both(base, tmp_path, no_shifts, _cell("jobs", 3, "pinned_worker_id", "W0002"))
    assert all((e["row"], e["column"]) == (3, "pinned_worker_id") for e in errors), errors
    assert any("no shift" in str(e["message"]) for e in errors), errors


def test_two_pins_of_one_worker_at_the_same_time_are_refused(base: Path, tmp_path: Path) -> None:
    """Overlapping pinned starts of one worker break no_overlap: found by verify's rule."""
    frame = pd.read_csv(base / "jobs.csv", dtype=str, keep_default_na=False)
    start = frame.loc[0, "earliest_start"]
    edits = [
        _cell("jobs", row, column, value)
        for row in (2, 3)
        for column, value in (
            ("pinned_worker_id", "W0001"),
            ("pinned_start", start),
            ("earliest_start", start),
            ("latest_start", start),
            ("required_skills", ""),
            ("required_certificates", ""),
            ("gender_required", ""),
            ("language_required", ""),
            ("min_experience_years", "0"),
            ("workers_needed", "1"),
        )
    ]
    errors, _ = _both(base, tmp_path, *edits)
    assert errors and all(e["column"] == "pinned_worker_id" for e in errors), errors
    assert {e["row"] for e in errors} <= {2, 3}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01T08:00:00+08:00", "1900-2200"),
        ("9999-12-01T08:00:00+08:00", "1900-2200"),
        ("2029-12-01T08:00:00+08:00", "within 366 days"),
    ],
)
def test_times_far_from_the_round_are_input_errors(
    base: Path, tmp_path: Path, value: str, message: str
) -> None:
    """Dates far outside the round: a cell error, not OverflowError or 32-bit minutes."""
    errors, _ = _both(base, tmp_path, _cell("jobs", 2, "latest_start", value))
    error = _one(errors)
    assert (error["file"], error["row"], error["column"]) == ("jobs.csv", 2, "latest_start")
    assert message in str(error["message"])


@pytest.mark.parametrize(
    ("toml", "column"),
    [
        ("[travel.overhead_minutes]\ntransit = 1000000000000000000\n", "travel.overhead_minutes"),
        ("[travel.speed_kmh]\ncar = 1e-300\n", "travel.speed_kmh"),
        ("[travel]\ndetour_factor = 1e300\n", "travel.detour_factor"),
        ("[policy]\ntravel_cost_per_minute = 1000000000000000\n", "policy.travel_cost_per_minute"),
        ("[policy]\nmatch_cost_per_point = 1001\n", "policy.match_cost_per_point"),
        ("[policy.priority_weights]\n5 = 1000000000\n", "policy"),
        ('timezone = "America"\n', "timezone"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", None),
    ],
)
def test_settings_out_of_bounds_are_input_errors(
    base: Path, tmp_path: Path, toml: str, column: str | None
) -> None:
    """Settings that overflowed or crashed are dataset.toml errors naming the key."""
    errors, output = _both(base, tmp_path, _text("dataset.toml", lambda _: toml))
    error = _one(errors)
    assert (error["file"], error["column"]) == ("dataset.toml", column)
    assert "strict" not in output


def test_an_unreadable_dataset_toml_is_an_input_error(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataset.toml that cannot be read (PermissionError) is exit 2 naming the file."""
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "dataset.toml":
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    errors, _ = _both(base, tmp_path)
    error = _one(errors)
    assert error["file"] == "dataset.toml" and "Permission denied" in str(error["message"])


def test_a_deeply_nested_json_table_is_an_input_error(base: Path, tmp_path: Path) -> None:
    """A JSON table nested 100 000 deep: exit 2 naming the file, not a RecursionError."""

    def deep(folder: Path) -> None:
        (folder / "customers.csv").unlink()
        (folder / "customers.json").write_text("[" * 100_000 + "]" * 100_000)

    errors, _ = _both(base, tmp_path, deep)
    assert _one(errors)["file"] == "customers.json"


@pytest.mark.parametrize(
    ("table", "old", "new"),
    [("workers", "status", "Status"), ("customers", "blocked_workers", "blocked_worker")],
)
def test_a_misspelt_rule_column_is_an_error_with_a_suggestion(
    base: Path, tmp_path: Path, table: str, old: str, new: str
) -> None:
    """A near miss of a known column is an error saying "did you mean", not a warning."""
    errors, _ = _both(base, tmp_path, _text(f"{table}.csv", lambda t: t.replace(old, new, 1)))
    error = _one(errors)
    assert (error["file"], error["row"], error["column"]) == (f"{table}.csv", 1, new)
    assert f"did you mean {old!r}" in str(error["message"])


def test_a_short_csv_row_is_an_error(base: Path, tmp_path: Path) -> None:
    """A row with 13 fields is an error naming the row and the first missing column."""

    def cut(text: str) -> str:
        lines = text.splitlines()
        lines[1] = ",".join(lines[1].split(",")[:13])
        return "\n".join(lines) + "\n"

    errors, _ = _both(base, tmp_path, _text("jobs.csv", cut))
    error = _one(errors)
    header = (base / "jobs.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert (error["file"], error["row"], error["column"]) == ("jobs.csv", 2, header[13])


def test_dispatch_shows_the_warnings_validate_shows(base: Path, tmp_path: Path) -> None:
    """An unknown column warns in validate and in dispatch alike."""
    folder = tmp_path / "ds"
    shutil.copytree(base, folder)
    _text("workers.csv", lambda t: t.replace("status", "status,nickname", 1))(folder)
    frame = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False)
    assert "nickname" in frame.columns
    frame["nickname"] = "x"
    frame.to_csv(folder / "workers.csv", index=False)
    args = ["dispatch", str(folder), "--out", str(tmp_path / "p"), "--solver", "greedy"]
    result = CliRunner().invoke(app, [*args, "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "unknown column 'nickname'" in result.output


@pytest.mark.parametrize("column", ["job_id", "required_skills"])
def test_a_huge_cell_is_refused_with_a_short_echo(base: Path, tmp_path: Path, column: str) -> None:
    """A 5 MB cell: exit 2 at its row and column, echoing at most a short prefix."""
    errors, output = _both(base, tmp_path, _cell("jobs", 2, column, "J" * 5_000_000))
    error = _one(errors)
    assert (error["file"], error["row"], error["column"]) == ("jobs.csv", 2, column)
    assert len(output) < 5_000
    assert len(str(error["value"])) < 200


def test_a_long_id_is_refused(base: Path, tmp_path: Path) -> None:
    """Ids are at most 128 characters."""
    errors, _ = _both(base, tmp_path, _cell("jobs", 2, "job_id", "J" * 129))
    assert _one(errors)["column"] == "job_id"


def test_plan_reading_accepts_long_fields(tmp_path: Path) -> None:
    """The plan reader is not held to the csv module's 128 kB field limit."""
    folder = tmp_path / "plan"
    folder.mkdir()
    job = "J" * 200_000
    (folder / "assignments.csv").write_text(
        "job_id,worker_id,start,end\n"
        f"{job},W1,2026-12-01T09:00:00+08:00,2026-12-01T10:00:00+08:00\n",
        encoding="utf-8",
    )
    plan = read_plan(folder)
    assert plan.assignments[0].job_id == job


def test_the_generated_dataset_stays_valid(base: Path) -> None:
    """The bounds leave generated data alone."""
    assert check_dataset(base).ok
