"""Bad datasets: each is the valid base with one defect, and the error names its file, row
and column exactly (and nothing else is reported as an error)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from matchmaker.io import check_dataset, load_dataset
from matchmaker.model import DatasetError
from tests.io.builders import DAY, Tables, base_tables, with_cell, without_column, write_dataset


def cells(*changes: tuple[str, int, str, str]) -> Callable[[Tables], Tables]:
    """A defect made of cell changes ``(table, row, column, value)``."""

    def apply(tables: Tables) -> Tables:
        for table, row, column, value in changes:
            tables = with_cell(tables, table, row, column, value)
        return tables

    return apply


def drop(table: str, column: str) -> Callable[[Tables], Tables]:
    return lambda tables: without_column(tables, table, column)


def append_copy(table: str, row: int) -> Callable[[Tables], Tables]:
    """Append a copy of ``row`` (spreadsheet numbering) at the end of ``table``."""

    def apply(tables: Tables) -> Tables:
        changed = copy.deepcopy(tables)
        changed[table].append(dict(changed[table][row - 2]))
        return changed

    return apply


@dataclass(frozen=True)
class Defect:
    name: str
    make: Callable[[Tables], Tables]
    file: str
    row: int | None
    column: str
    value: str | None = None


T = f"{DAY}T"
DEFECTS = [
    Defect("missing required column", drop("workers", "gender"), "workers.csv", None, "gender"),
    Defect(
        "missing jobs column",
        drop("jobs", "duration_minutes"),
        "jobs.csv",
        None,
        "duration_minutes",
    ),
    Defect(
        "blank required cell", cells(("jobs", 3, "service_type", "")), "jobs.csv", 3, "service_type"
    ),
    Defect("unknown gender", cells(("workers", 3, "gender", "X")), "workers.csv", 3, "gender", "X"),
    Defect(
        "unknown background check",
        cells(("workers", 2, "background_check", "ok")),
        "workers.csv",
        2,
        "background_check",
        "ok",
    ),
    Defect(
        "unknown travel mode",
        cells(("workers", 2, "travel_mode", "boat")),
        "workers.csv",
        2,
        "travel_mode",
        "boat",
    ),
    Defect(
        "unknown status",
        cells(("workers", 4, "status", "retired")),
        "workers.csv",
        4,
        "status",
        "retired",
    ),
    Defect(
        "unknown preferred gender",
        cells(("customers", 2, "preferred_gender", "X")),
        "customers.csv",
        2,
        "preferred_gender",
        "X",
    ),
    Defect(
        "unknown gender required",
        cells(("jobs", 2, "gender_required", "female")),
        "jobs.csv",
        2,
        "gender_required",
        "female",
    ),
    Defect(
        "malformed skill level",
        cells(("workers", 2, "skills", "cleaning:x")),
        "workers.csv",
        2,
        "skills",
        "cleaning:x",
    ),
    Defect(
        "skill without level",
        cells(("workers", 3, "skills", "cleaning")),
        "workers.csv",
        3,
        "skills",
        "cleaning",
    ),
    Defect(
        "skill level above 5",
        cells(("workers", 4, "skills", "cleaning:6")),
        "workers.csv",
        4,
        "skills",
        "cleaning:6",
    ),
    Defect(
        "required skill level 0",
        cells(("jobs", 2, "required_skills", "cleaning:0")),
        "jobs.csv",
        2,
        "required_skills",
        "cleaning:0",
    ),
    Defect(
        "impossible certificate date",
        cells(("workers", 3, "certificates", "health:2026-02-30")),
        "workers.csv",
        3,
        "certificates",
        "health:2026-02-30",
    ),
    Defect(
        "bad background check expiry",
        cells(("workers", 2, "background_check_expires", "2027-13-01")),
        "workers.csv",
        2,
        "background_check_expires",
        "2027-13-01",
    ),
    Defect(
        "latitude out of range",
        cells(("workers", 2, "home_lat", "95")),
        "workers.csv",
        2,
        "home_lat",
        "95",
    ),
    Defect("longitude out of range", cells(("jobs", 3, "lon", "181")), "jobs.csv", 3, "lon", "181"),
    Defect(
        "missing home longitude",
        cells(("workers", 3, "home_lon", "")),
        "workers.csv",
        3,
        "home_lon",
    ),
    Defect("latitude without longitude", cells(("jobs", 3, "lon", "")), "jobs.csv", 3, "lon"),
    Defect("duplicate job id", cells(("jobs", 4, "job_id", "j2")), "jobs.csv", 4, "job_id", "j2"),
    Defect("duplicate worker id", append_copy("workers", 2), "workers.csv", 5, "worker_id", "w1"),
    Defect(
        "unknown customer",
        cells(("jobs", 2, "customer_id", "c9")),
        "jobs.csv",
        2,
        "customer_id",
        "c9",
    ),
    Defect(
        "unknown pinned worker",
        cells(("jobs", 2, "pinned_worker_id", "w9")),
        "jobs.csv",
        2,
        "pinned_worker_id",
        "w9",
    ),
    Defect(
        "unknown excluded worker",
        cells(("jobs", 4, "excluded_workers", "w1;w9")),
        "jobs.csv",
        4,
        "excluded_workers",
        "w9",
    ),
    Defect(
        "unknown preferred worker",
        cells(("customers", 2, "preferred_workers", "w9")),
        "customers.csv",
        2,
        "preferred_workers",
        "w9",
    ),
    Defect(
        "unknown blocked worker",
        cells(("customers", 2, "blocked_workers", "w8")),
        "customers.csv",
        2,
        "blocked_workers",
        "w8",
    ),
    Defect(
        "unknown previous worker",
        cells(("customers", 2, "previous_workers", "w2;w7")),
        "customers.csv",
        2,
        "previous_workers",
        "w7",
    ),
    Defect(
        "unknown availability worker",
        cells(("availability", 3, "worker_id", "w9")),
        "availability.csv",
        3,
        "worker_id",
        "w9",
    ),
    Defect(
        "job without any location",
        cells(("jobs", 3, "lat", ""), ("jobs", 3, "lon", "")),
        "jobs.csv",
        3,
        "lat",
    ),
    Defect(
        "latest start before earliest",
        cells(("jobs", 3, "latest_start", f"{T}09:00:00+08:00")),
        "jobs.csv",
        3,
        "latest_start",
        f"{T}09:00:00+08:00",
    ),
    Defect(
        "shift end equals start",
        cells(("workers", 2, "shift_end", f"{T}08:00:00+08:00")),
        "workers.csv",
        2,
        "shift_end",
        f"{T}08:00:00+08:00",
    ),
    Defect(
        "shift start without end",
        cells(("workers", 2, "shift_end", "")),
        "workers.csv",
        2,
        "shift_end",
    ),
    Defect(
        "availability ends before start",
        cells(("availability", 2, "end", f"{T}06:00:00+08:00")),
        "availability.csv",
        2,
        "end",
        f"{T}06:00:00+08:00",
    ),
    Defect(
        "overlapping availability",
        cells(("availability", 3, "start", f"{T}10:00:00+08:00")),
        "availability.csv",
        3,
        "start",
        f"{T}10:00:00+08:00",
    ),
    Defect(
        "zero duration",
        cells(("jobs", 2, "duration_minutes", "0")),
        "jobs.csv",
        2,
        "duration_minutes",
        "0",
    ),
    Defect(
        "fractional duration",
        cells(("jobs", 2, "duration_minutes", "90.5")),
        "jobs.csv",
        2,
        "duration_minutes",
        "90.5",
    ),
    Defect(
        "no workers needed",
        cells(("jobs", 3, "workers_needed", "0")),
        "jobs.csv",
        3,
        "workers_needed",
        "0",
    ),
    Defect("priority above 5", cells(("jobs", 4, "priority", "6")), "jobs.csv", 4, "priority", "6"),
    Defect(
        "unparseable datetime",
        cells(("jobs", 3, "earliest_start", "tomorrow 9am")),
        "jobs.csv",
        3,
        "earliest_start",
        "tomorrow 9am",
    ),
    Defect(
        "date without time",
        cells(("workers", 2, "shift_start", DAY)),
        "workers.csv",
        2,
        "shift_start",
        DAY,
    ),
    Defect(
        "naive datetime without timezone",
        cells(("jobs", 4, "latest_start", f"{T}15:30:00")),
        "jobs.csv",
        4,
        "latest_start",
        f"{T}15:30:00",
    ),
    Defect(
        "pinned start without pinned worker",
        cells(("jobs", 2, "pinned_worker_id", "")),
        "jobs.csv",
        2,
        "pinned_start",
        f"{T}10:00:00+08:00",
    ),
    Defect(
        "pinned start outside window",
        cells(("jobs", 2, "pinned_start", f"{T}12:00:00+08:00")),
        "jobs.csv",
        2,
        "pinned_start",
        f"{T}12:00:00+08:00",
    ),
    Defect(
        "more pinned workers than needed",
        cells(("jobs", 2, "pinned_worker_id", "w1;w2")),
        "jobs.csv",
        2,
        "pinned_worker_id",
        "w1;w2",
    ),
    Defect(
        "pinned worker excluded",
        cells(("jobs", 2, "excluded_workers", "w1")),
        "jobs.csv",
        2,
        "excluded_workers",
        "w1",
    ),
    Defect(
        "rating above 5", cells(("workers", 2, "rating", "5.5")), "workers.csv", 2, "rating", "5.5"
    ),
    Defect(
        "negative rating count",
        cells(("workers", 3, "rating_count", "-1")),
        "workers.csv",
        3,
        "rating_count",
        "-1",
    ),
    Defect(
        "negative max jobs",
        cells(("workers", 2, "max_jobs", "-2")),
        "workers.csv",
        2,
        "max_jobs",
        "-2",
    ),
    Defect(
        "negative experience",
        cells(("workers", 2, "experience_years", "-1")),
        "workers.csv",
        2,
        "experience_years",
        "-1",
    ),
    Defect(
        "negative job experience",
        cells(("jobs", 2, "min_experience_years", "-1")),
        "jobs.csv",
        2,
        "min_experience_years",
        "-1",
    ),
    Defect(
        "id with a list separator",
        cells(("jobs", 3, "job_id", "j2;j3")),
        "jobs.csv",
        3,
        "job_id",
        "j2;j3",
    ),
    Defect(
        "worker listed twice",
        cells(("customers", 2, "previous_workers", "w2;w2")),
        "customers.csv",
        2,
        "previous_workers",
        "w2;w2",
    ),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_one_defect_is_reported_at_its_file_row_and_column(defect: Defect, tmp_path: Path) -> None:
    """A dataset with one defect fails with exactly one error at the defect's file/row/column."""
    folder = write_dataset(tmp_path / "ds", defect.make(base_tables()))
    report = check_dataset(folder)
    assert report.dataset is None
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        (defect.file, defect.row, defect.column)
    ]
    error = report.errors[0]
    assert error.value == defect.value
    assert error.column is not None and error.column in error.message
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    assert raised.value.errors == report.errors


def test_the_base_dataset_is_valid(tmp_path: Path) -> None:
    """The base every defect starts from loads without error or warning."""
    report = check_dataset(write_dataset(tmp_path / "ds"))
    assert report.ok and report.issues == ()


def test_every_defect_of_a_file_with_several_is_reported(tmp_path: Path) -> None:
    """Validation does not stop at the first error: all defects of all files come back."""
    tables = cells(
        ("workers", 2, "gender", "X"),
        ("workers", 2, "rating", "9"),
        ("workers", 3, "skills", "cleaning:x"),
        ("workers", 4, "home_lat", "200"),
        ("jobs", 2, "priority", "0"),
        ("jobs", 3, "customer_id", "c9"),
        ("jobs", 4, "workers_needed", "0"),
        ("availability", 3, "end", f"{T}12:00:00+08:00"),
    )(base_tables())
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        ("workers.csv", 2, "gender"),
        ("workers.csv", 2, "rating"),
        ("workers.csv", 3, "skills"),
        ("workers.csv", 4, "home_lat"),
        ("jobs.csv", 2, "priority"),
        ("jobs.csv", 3, "customer_id"),
        ("jobs.csv", 4, "workers_needed"),
        ("availability.csv", 3, "end"),
    ]


def test_a_cell_with_several_bad_items_names_them_all(tmp_path: Path) -> None:
    """One list cell with several bad items gives one error whose message names each item."""
    tables = with_cell(base_tables(), "workers", 2, "skills", "cleaning:x;cooking:9;cleaning:2")
    (error,) = check_dataset(write_dataset(tmp_path / "ds", tables)).errors
    assert "'cleaning:x'" in error.message and "'cooking:9'" in error.message


def test_references_are_checked_on_rows_with_other_errors(tmp_path: Path) -> None:
    """An unknown pinned worker is reported even when the same row has a bad priority."""
    tables = cells(("jobs", 2, "priority", "9"), ("jobs", 2, "pinned_worker_id", "w9"))(
        base_tables()
    )
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert {(e.row, e.column) for e in report.errors} == {(2, "priority"), (2, "pinned_worker_id")}


def test_a_missing_required_column_is_reported_once_not_per_row(tmp_path: Path) -> None:
    """A missing column gives one table-level error, not one error for each row."""
    report = check_dataset(
        write_dataset(tmp_path / "ds", without_column(base_tables(), "jobs", "job_id"))
    )
    assert [(e.file, e.row, e.column) for e in report.errors] == [("jobs.csv", None, "job_id")]
