"""The placement part of the contract: placement_requests and the placement columns of
workers load, round-trip, and report bad cells with file, row and column."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.io import check_dataset, dataset_from_frames, dataset_to_frames, load_dataset

BUNDLED = Path(__file__).resolve().parents[2] / "datasets" / "placements"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BUNDLED, tmp_path / "placements"))


def _edit(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` numbered as a spreadsheet shows it (header = 1)."""
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(folder / f"{table}.csv", index=False)


def test_the_bundled_example_loads_its_requests_and_worker_fields() -> None:
    """Five requests (one around a due date with a window), placement fields of workers."""
    dataset = load_dataset(BUNDLED)
    first = dataset.placement_requests[0]
    assert (first.request_id, first.due_date, first.days_before, first.duration_days) == (
        "P001",
        date(2027, 1, 10),
        5,
        26,
    )
    assert (first.hold_start, first.hold_end) == (date(2027, 1, 5), date(2027, 2, 9))
    assert first.budget == Decimal("18000")
    w05 = dataset.worker("W05").placement
    assert w05.current_placement_end == date(2026, 12, 20) and w05.live_in_willing
    assert w05.free_from == date(2026, 12, 21)


def test_frames_round_trip_with_placements() -> None:
    """dataset_from_frames(dataset_to_frames(ds)) == ds, placement columns and table
    included."""
    dataset = load_dataset(BUNDLED)
    frames = dataset_to_frames(dataset)
    assert "placement_requests" in frames and "live_in_willing" in frames["workers"].columns
    assert dataset_from_frames(frames, settings=dataset.settings) == dataset


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "words"),
    [
        ("placement_requests", 3, "duration_days", "0", "duration_days"),
        ("placement_requests", 2, "due_date", "", "give one of them"),
        ("placement_requests", 4, "days_before", "3", "needs due_date"),
        ("placement_requests", 2, "budget", "12k", "not an amount"),
        ("placement_requests", 5, "age_max", "20", "below age_min"),
        ("placement_requests", 3, "customer_id", "C99", "not in customers.csv"),
        ("placement_requests", 2, "excluded_workers", "W99", "not in workers.csv"),
        ("placement_requests", 3, "request_id", "P001", "repeats row 2"),
        ("workers", 3, "salary_expectation", "-5", "not an amount"),
        ("workers", 4, "earliest_free_date", "2027-13-01", "date"),
        ("workers", 5, "live_in_willing", "perhaps", "live_in_willing"),
    ],
)
def test_a_bad_cell_names_file_row_and_column(
    folder: Path, table: str, row: int, column: str, value: str, words: str
) -> None:
    """Each bad placement cell is an error at its file, row and column; nothing loads."""
    if column == "age_max":
        _edit(folder, table, row, "age_min", "45")
    if column == "due_date":  # both dates blank
        _edit(folder, table, row, "days_before", "0")
        _edit(folder, table, row, "days_after", "0")
    _edit(folder, table, row, column, value)
    report = check_dataset(folder)
    assert report.dataset is None
    found = [(e.file, e.row, e.column) for e in report.errors]
    where = "start_date" if column == "due_date" else column  # both dates blank: the first
    assert (f"{table}.csv", row, where) in found, report.errors
    assert any(words in e.message for e in report.errors), report.errors
