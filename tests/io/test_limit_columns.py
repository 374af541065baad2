"""The optional limit columns (workers, customers) and the ``[limits]`` table of
``dataset.toml``: read, defaulted, refused with file/row/column, written back."""

from __future__ import annotations

import copy
from pathlib import Path

from matchmaker.io import check_dataset, dataset_to_frames, load_dataset
from tests.io.builders import base_tables, write_dataset

LIMITS_TOML = "[limits]\nmax_week_minutes = 2640\nmax_distinct_workers = 2\n"


def _with_limits() -> dict[str, list[dict[str, str]]]:
    tables = copy.deepcopy(base_tables())
    for record in tables["workers"]:
        record.update(max_week_minutes="", min_rest_minutes="660", max_consecutive_days="")
    tables["workers"][0].update(max_week_minutes="600", max_consecutive_days="5")
    for record in tables["customers"]:
        record["max_distinct_workers"] = ""
    tables["customers"][0]["max_distinct_workers"] = "1"
    return tables


def test_columns_and_defaults_are_read(tmp_path: Path) -> None:
    """Own values load as given, blanks stay blank on the row (the default applies when
    compiling), and ``[limits]`` lands in the settings."""
    dataset = load_dataset(write_dataset(tmp_path / "ds", _with_limits(), toml=LIMITS_TOML))
    first, second = dataset.workers[0], dataset.workers[1]
    assert (first.max_week_minutes, first.min_rest_minutes, first.max_consecutive_days) == (
        600,
        660,
        5,
    )
    assert second.max_week_minutes is None
    assert dataset.customers[0].max_distinct_workers == 1
    assert dataset.customers[1].max_distinct_workers is None
    assert dataset.settings.limits.max_week_minutes == 2640
    assert dataset.settings.limits.max_distinct_workers == 2


def test_a_negative_limit_names_its_file_row_and_column(tmp_path: Path) -> None:
    """``min_rest_minutes = -5`` on the second worker is refused at workers.csv row 3."""
    tables = _with_limits()
    tables["workers"][1]["min_rest_minutes"] = "-5"
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        ("workers.csv", 3, "min_rest_minutes")
    ]


def test_an_unknown_limits_key_is_refused(tmp_path: Path) -> None:
    """A misspelt key in ``[limits]`` is an error, not silently ignored."""
    report = check_dataset(write_dataset(tmp_path / "ds", toml="[limits]\nmax_week_minute = 10\n"))
    assert not report.ok
    assert [(e.file, e.column) for e in report.errors] == [
        ("dataset.toml", "limits.max_week_minute")
    ]


def test_frames_write_the_limit_columns_back(tmp_path: Path) -> None:
    """A dataset with limits round-trips its limit columns through the frames."""
    dataset = load_dataset(write_dataset(tmp_path / "ds", _with_limits()))
    frames = dataset_to_frames(dataset)
    assert frames["workers"]["max_week_minutes"].tolist()[0] == 600
    assert frames["customers"]["max_distinct_workers"].tolist()[0] == 1
