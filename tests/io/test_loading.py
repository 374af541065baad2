"""Loading datasets: every format, the contract's defaults, timezones, warnings, DataFrames."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from matchmaker.io import check_dataset, check_frames, dataset_from_frames, load_dataset
from matchmaker.model import (
    BackgroundCheckStatus,
    Dataset,
    DatasetError,
    Gender,
    Location,
    SkillRequirement,
    TravelMode,
    WorkerStatus,
)
from tests.clock import at
from tests.io.builders import (
    DAY,
    Tables,
    base_tables,
    frames,
    with_cell,
    write_dataset,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return load_dataset(write_dataset(tmp_path_factory.mktemp("base") / "ds"))


@pytest.mark.parametrize("fmt", ["parquet", "json", "xlsx"])
def test_every_format_loads_to_the_same_dataset(fmt: str, base: Dataset, tmp_path: Path) -> None:
    """The base tables (every contract column) load to the same Dataset in each format."""
    assert load_dataset(write_dataset(tmp_path / fmt, fmt=fmt)) == base


def test_mixed_formats_in_one_folder_load(base: Dataset, tmp_path: Path) -> None:
    """Each table may have its own format."""
    folder = write_dataset(tmp_path / "ds")
    (folder / "jobs.csv").unlink()
    write_dataset(tmp_path / "other", fmt="xlsx")
    (tmp_path / "other" / "jobs.xlsx").rename(folder / "jobs.xlsx")
    assert load_dataset(folder) == base


def test_json_records_may_hold_typed_values(base: Dataset, tmp_path: Path) -> None:
    """JSON numbers, nulls and lists are read as the text a CSV would hold."""
    folder = write_dataset(tmp_path / "ds")
    records = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False).to_dict(
        "records"
    )
    typed = []
    for record in records:
        row: dict[str, object] = {str(k): v for k, v in record.items()}
        row["home_lat"] = float(record["home_lat"])
        row["rating_count"] = int(record["rating_count"])
        row["rating"] = float(record["rating"]) if record["rating"] else None
        row["languages"] = record["languages"].split(";")
        typed.append(row)
    (folder / "workers.csv").unlink()
    (folder / "workers.json").write_text(json.dumps(typed))
    assert load_dataset(folder) == base


def test_cells_are_parsed_into_the_domain(base: Dataset) -> None:
    """List cells, enums, dates and numbers reach the domain objects as written."""
    w1 = base.worker("w1")
    assert w1.gender is Gender.FEMALE
    assert w1.languages == frozenset({"mandarin", "shanghainese"})
    assert dict(w1.skills) == {"cleaning": 3, "elderly_care": 2}
    assert [(c.name, c.expires) for c in w1.certificates] == [
        ("health", date(2027, 5, 1)),
        ("nursing", date(2028, 1, 31)),
    ]
    assert w1.background_check.status is BackgroundCheckStatus.PASSED
    assert w1.background_check.expires == date(2027, 12, 31)
    assert (w1.rating, w1.rating_count, w1.max_jobs, w1.max_work_minutes) == (4.8, 25, 4, 420)
    assert w1.home == Location(lat=31.2304, lon=121.4737)
    assert w1.travel_mode is TravelMode.BIKE
    j1 = base.job("j1")
    assert j1.required_skills == (SkillRequirement(name="cleaning", level=2),)
    assert j1.pinned_worker_ids == ("w1",)
    assert j1.pinned_start == at(10)
    assert base.job("j3").excluded_workers == frozenset({"w1", "w2"})
    c1 = base.customer("c1")
    assert c1 is not None
    assert c1.previous_workers == ("w2", "w1")
    assert c1.blocked_workers == frozenset({"w3"})


def test_blank_cells_take_the_contract_defaults(base: Dataset) -> None:
    """Blank workers_needed=1, priority=3, min_experience 0, rating None, no expiry,
    no limits, travel_mode transit, status active."""
    j2 = base.job("j2")
    assert (j2.workers_needed, j2.priority, j2.min_experience_years) == (1, 3, 0.0)
    w2 = base.worker("w2")
    assert w2.rating is None
    assert w2.background_check.expires is None
    assert (w2.max_jobs, w2.max_work_minutes) == (None, None)
    assert w2.travel_mode is TravelMode.TRANSIT
    assert w2.status is WorkerStatus.ACTIVE


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    """A dataset of only the required columns loads, with the defaults."""
    tables: Tables = {
        "workers": [{"worker_id": "w1", "gender": "M", "home_lat": "31", "home_lon": "121"}],
        "jobs": [
            {
                "job_id": "j1",
                "customer_id": "c1",
                "service_type": "hourly_help",
                "lat": "31.1",
                "lon": "121.1",
                "earliest_start": f"{DAY}T09:00:00+08:00",
                "latest_start": f"{DAY}T09:00:00+08:00",
                "duration_minutes": "60",
            }
        ],
    }
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert report.ok
    assert report.dataset is not None
    worker = report.dataset.worker("w1")
    assert worker.shifts == () and worker.skills == {}
    # A worker with no shift at all can never be assigned: a warning says so.
    assert [(w.file, w.row, w.column) for w in report.warnings] == [
        ("workers.csv", 2, "shift_start")
    ]


def test_availability_replaces_the_workers_shift(base: Dataset, tmp_path: Path) -> None:
    """Availability rows of a worker replace shift_start/shift_end of the workers table."""
    assert [(s.start.hour, s.end.hour) for s in base.worker("w3").shifts] == [(7, 11), (13, 19)]
    assert [(s.start.hour, s.end.hour) for s in base.worker("w1").shifts] == [(8, 17)]
    tables = with_cell(base_tables(), "workers", 4, "shift_start", f"{DAY}T06:00:00+08:00")
    tables = with_cell(tables, "workers", 4, "shift_end", f"{DAY}T22:00:00+08:00")
    dataset = load_dataset(write_dataset(tmp_path / "ds", tables))
    assert dataset.worker("w3").shifts == base.worker("w3").shifts


def test_blank_job_location_takes_the_customers(base: Dataset) -> None:
    """A job with blank lat/lon is placed at its customer's location."""
    customer = base.customer("c1")
    assert customer is not None
    assert base.job("j1").location == customer.location


def test_naive_datetimes_are_localised_to_the_dataset_timezone(tmp_path: Path) -> None:
    """With dataset.toml naming a timezone, datetimes without offset take it (DST aware)."""
    tables = base_tables()
    tables["workers"] = tables["workers"][:1]
    tables["workers"][0]["shift_start"] = "2026-07-01T08:00:00"
    tables["workers"][0]["shift_end"] = "2026-12-01 17:00"
    tables["customers"] = [
        dict(c, preferred_workers="", blocked_workers="", previous_workers="")
        for c in tables["customers"]
    ]
    # No pins: a five-month shift is about reading times, not about keeping a pin.
    tables["jobs"] = [
        dict(j, excluded_workers="", pinned_worker_id="", pinned_start="") for j in tables["jobs"]
    ]
    tables["availability"] = []
    toml = 'timezone = "Europe/Berlin"\n'
    report = check_dataset(write_dataset(tmp_path / "ds", tables, toml=toml))
    assert report.dataset is not None, report.errors
    (shift,) = report.dataset.worker("w1").shifts
    assert shift.start.utcoffset() == timedelta(hours=2)  # summer time
    assert shift.end.utcoffset() == timedelta(hours=1)
    assert shift.start.tzinfo == ZoneInfo("Europe/Berlin")
    # Values written with an offset keep it.
    assert report.dataset.job("j1").earliest_start.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_without_timezone_are_each_reported(tmp_path: Path) -> None:
    """Without a timezone in dataset.toml, every datetime lacking an offset is an error."""
    tables = with_cell(base_tables(), "jobs", 2, "earliest_start", f"{DAY}T09:00:00")
    tables = with_cell(tables, "availability", 3, "end", f"{DAY}T19:00:00")
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        ("jobs.csv", 2, "earliest_start"),
        ("availability.csv", 3, "end"),
    ]
    assert all("timezone" in e.message for e in report.errors)


def test_unknown_columns_are_warnings_not_errors(tmp_path: Path) -> None:
    """Extra columns are reported as warnings and kept out of the domain."""
    tables = base_tables()
    for record in tables["workers"]:
        record["notes"] = "likes dogs"
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert report.ok and report.dataset is not None
    (warning,) = report.warnings
    assert (warning.file, warning.row, warning.column, warning.severity) == (
        "workers.csv",
        None,
        "notes",
        "warning",
    )


def test_check_dataset_counts_rows_and_never_raises_for_bad_data(tmp_path: Path) -> None:
    """check_dataset returns a report (rows per table) for bad data instead of raising."""
    tables = with_cell(base_tables(), "jobs", 2, "priority", "nine")
    report = check_dataset(write_dataset(tmp_path / "ds", tables))
    assert not report.ok and report.dataset is None
    assert report.tables == {"workers": 3, "customers": 2, "jobs": 3, "availability": 2}


def test_a_missing_folder_raises(tmp_path: Path) -> None:
    """Only a missing dataset folder raises from check_dataset."""
    with pytest.raises(FileNotFoundError):
        check_dataset(tmp_path / "nowhere")
    (tmp_path / "file.csv").write_text("x\n")
    with pytest.raises(NotADirectoryError):
        check_dataset(tmp_path / "file.csv")


def test_load_dataset_raises_with_every_error_and_the_warnings(tmp_path: Path) -> None:
    """DatasetError carries all errors and the warnings; its message lists the errors."""
    tables = with_cell(base_tables(), "jobs", 2, "priority", "0")
    tables = with_cell(tables, "workers", 3, "gender", "Q")
    for record in tables["jobs"]:
        record["colour"] = "red"
    with pytest.raises(DatasetError) as raised:
        load_dataset(write_dataset(tmp_path / "ds", tables))
    error = raised.value
    assert len(error.errors) == 2
    assert [i.severity for i in error.issues].count("warning") == 1
    assert "workers.csv, row 3, column 'gender'" in str(error)


def test_frames_load_like_files_with_table_names_in_issues(base: Dataset) -> None:
    """dataset_from_frames validates like a folder; issues name the table."""
    assert dataset_from_frames(frames(base_tables())) == base
    bad = frames(with_cell(base_tables(), "workers", 2, "rating", "7"))
    with pytest.raises(DatasetError) as raised:
        dataset_from_frames(bad)
    assert [(e.file, e.row, e.column) for e in raised.value.errors] == [("workers", 2, "rating")]


def test_frames_may_hold_typed_columns(base: Dataset) -> None:
    """Numbers (with NaN for blanks) and tz-aware timestamps in frames are accepted."""
    tables = frames(base_tables())
    workers = tables["workers"]
    workers["rating"] = pd.to_numeric(workers["rating"])  # NaN for the blank rating
    workers["max_jobs"] = pd.to_numeric(workers["max_jobs"])  # float column: 4.0, NaN, 3.0
    jobs = tables["jobs"]
    jobs["earliest_start"] = pd.to_datetime(jobs["earliest_start"])
    assert dataset_from_frames(tables) == base


def test_unknown_frame_names_are_errors() -> None:
    """A frame under an unknown table name is reported rather than ignored."""
    tables = frames(base_tables())
    tables["worker"] = tables.pop("availability")
    report = check_frames(tables)
    assert [(e.file, e.row, e.column) for e in report.errors] == [("worker", None, None)]


def _large_tables(n_workers: int, n_jobs: int) -> dict[str, pd.DataFrame]:
    workers = pd.DataFrame(
        {
            "worker_id": [f"w{i}" for i in range(n_workers)],
            "name": "n",
            "gender": ["F", "M"] * (n_workers // 2),
            "languages": "mandarin;english",
            "skills": "cleaning:3;elderly_care:2",
            "experience_years": "3",
            "certificates": "health:2027-05-01",
            "background_check": "passed",
            "rating": "4.5",
            "rating_count": "10",
            "home_lat": [str(31 + i / 10_000) for i in range(n_workers)],
            "home_lon": "121.4",
            "shift_start": f"{DAY}T08:00:00+08:00",
            "shift_end": f"{DAY}T18:00:00+08:00",
            "max_jobs": "5",
            "travel_mode": "transit",
            "status": "active",
        }
    )
    jobs = pd.DataFrame(
        {
            "job_id": [f"j{i}" for i in range(n_jobs)],
            "customer_id": [f"c{i % 2000}" for i in range(n_jobs)],
            "service_type": "daily_cleaning",
            "lat": "31.2",
            "lon": "121.5",
            "earliest_start": f"{DAY}T09:00:00+08:00",
            "latest_start": f"{DAY}T12:00:00+08:00",
            "duration_minutes": "120",
            "required_skills": "cleaning:2",
            "required_certificates": "health",
            "priority": "3",
            "excluded_workers": [f"w{i % n_workers}" for i in range(n_jobs)],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(2000)],
            "lat": "31.2",
            "lon": "121.5",
            "preferred_workers": "w1;w2",
            "previous_workers": "w3",
        }
    )
    return {"workers": workers, "jobs": jobs, "customers": customers}


def test_a_city_sized_csv_dataset_loads(tmp_path: Path) -> None:
    """1500 workers x 5000 jobs in CSV load and validate whole (how fast is measured by the
    benchmarks' ``load_seconds``, not here)."""
    folder = tmp_path / "big"
    folder.mkdir()
    for name, frame in _large_tables(1500, 5000).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    dataset = load_dataset(folder)
    assert (len(dataset.workers), len(dataset.jobs)) == (1500, 5000)
