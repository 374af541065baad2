"""Small hand-built datasets for the io tests: a valid base with every contract column,
and helpers to change one cell and write the tables in any format."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd

Tables = dict[str, list[dict[str, str]]]

DAY = "2026-12-01"


def base_tables() -> Tables:
    """A valid dataset: 3 workers (one with two availability shifts), 2 customers, 3 jobs.

    Every contract column of every table is present, so each format test covers all of them.
    Row numbers as a spreadsheet shows them: the first data row of each table is row 2.
    """
    workers = [
        {
            "worker_id": "w1",
            "name": "Li Na",
            "gender": "F",
            "languages": "mandarin;shanghainese",
            "skills": "cleaning:3;elderly_care:2",
            "experience_years": "4.5",
            "certificates": "health:2027-05-01;nursing:2028-01-31",
            "background_check": "passed",
            "background_check_expires": "2027-12-31",
            "rating": "4.8",
            "rating_count": "25",
            "home_lat": "31.2304",
            "home_lon": "121.4737",
            "shift_start": f"{DAY}T08:00:00+08:00",
            "shift_end": f"{DAY}T17:00:00+08:00",
            "max_jobs": "4",
            "max_work_minutes": "420",
            "travel_mode": "bike",
            "status": "active",
        },
        {
            "worker_id": "w2",
            "name": "Wang Fang",
            "gender": "F",
            "languages": "mandarin",
            "skills": "infant_care:4",
            "experience_years": "10",
            "certificates": "health:2027-01-31",
            "background_check": "passed",
            "background_check_expires": "",
            "rating": "",
            "rating_count": "0",
            "home_lat": "31.2000",
            "home_lon": "121.5000",
            "shift_start": f"{DAY}T09:00:00+08:00",
            "shift_end": f"{DAY}T18:00:00+08:00",
            "max_jobs": "",
            "max_work_minutes": "",
            "travel_mode": "",
            "status": "",
        },
        {
            "worker_id": "w3",
            "name": "Zhang Wei",
            "gender": "M",
            "languages": "mandarin;english",
            "skills": "cleaning:5",
            "experience_years": "2",
            "certificates": "",
            "background_check": "pending",
            "background_check_expires": "",
            "rating": "3.9",
            "rating_count": "7",
            "home_lat": "31.2500",
            "home_lon": "121.4500",
            "shift_start": "",
            "shift_end": "",
            "max_jobs": "3",
            "max_work_minutes": "",
            "travel_mode": "car",
            "status": "on_leave",
        },
    ]
    customers = [
        {
            "customer_id": "c1",
            "name": "Chen family",
            "lat": "31.2200",
            "lon": "121.4600",
            "preferred_gender": "F",
            "preferred_languages": "shanghainese;mandarin",
            "preferred_workers": "w1",
            "blocked_workers": "w3",
            "previous_workers": "w2;w1",
        },
        {
            "customer_id": "c2",
            "name": "Zhao",
            "lat": "",
            "lon": "",
            "preferred_gender": "",
            "preferred_languages": "",
            "preferred_workers": "",
            "blocked_workers": "",
            "previous_workers": "",
        },
    ]
    jobs = [
        {
            "job_id": "j1",
            "order_id": "o1",
            "customer_id": "c1",
            "service_type": "daily_cleaning",
            "lat": "",
            "lon": "",
            "earliest_start": f"{DAY}T09:00:00+08:00",
            "latest_start": f"{DAY}T11:00:00+08:00",
            "duration_minutes": "120",
            "required_skills": "cleaning:2",
            "min_experience_years": "1",
            "required_certificates": "health",
            "workers_needed": "1",
            "gender_required": "F",
            "language_required": "mandarin",
            "priority": "4",
            "pinned_worker_id": "w1",
            "pinned_start": f"{DAY}T10:00:00+08:00",
            "excluded_workers": "",
        },
        {
            "job_id": "j2",
            "order_id": "o2",
            "customer_id": "c2",
            "service_type": "infant_care",
            "lat": "31.2100",
            "lon": "121.4900",
            "earliest_start": f"{DAY}T10:00:00+08:00",
            "latest_start": f"{DAY}T14:00:00+08:00",
            "duration_minutes": "240",
            "required_skills": "infant_care:3",
            "min_experience_years": "",
            "required_certificates": "",
            "workers_needed": "",
            "gender_required": "",
            "language_required": "",
            "priority": "",
            "pinned_worker_id": "",
            "pinned_start": "",
            "excluded_workers": "w3",
        },
        {
            "job_id": "j3",
            "order_id": "o2",
            "customer_id": "c2",
            "service_type": "deep_cleaning",
            "lat": "31.2150",
            "lon": "121.4950",
            "earliest_start": f"{DAY}T13:00:00+08:00",
            "latest_start": f"{DAY}T15:30:00+08:00",
            "duration_minutes": "180",
            "required_skills": "cleaning:4",
            "min_experience_years": "0",
            "required_certificates": "",
            "workers_needed": "2",
            "gender_required": "",
            "language_required": "",
            "priority": "5",
            "pinned_worker_id": "",
            "pinned_start": "",
            "excluded_workers": "w1;w2",
        },
    ]
    availability = [
        {"worker_id": "w3", "start": f"{DAY}T07:00:00+08:00", "end": f"{DAY}T11:00:00+08:00"},
        {"worker_id": "w3", "start": f"{DAY}T13:00:00+08:00", "end": f"{DAY}T19:00:00+08:00"},
    ]
    return {
        "workers": workers,
        "customers": customers,
        "jobs": jobs,
        "availability": availability,
    }


def with_cell(tables: Tables, table: str, row: int, column: str, value: str) -> Tables:
    """A copy of ``tables`` with one cell changed; ``row`` is the spreadsheet row (first = 2)."""
    changed = copy.deepcopy(tables)
    changed[table][row - 2][column] = value
    return changed


def without_column(tables: Tables, table: str, column: str) -> Tables:
    changed = copy.deepcopy(tables)
    for record in changed[table]:
        record.pop(column, None)
    return changed


def frames(tables: Tables) -> dict[str, pd.DataFrame]:
    """The tables as DataFrames of text (column order kept, even for an empty table)."""
    return {
        name: pd.DataFrame(records, columns=list(records[0]) if records else [], dtype=str)
        for name, records in tables.items()
    }


def write_dataset(
    folder: Path,
    tables: Tables | None = None,
    *,
    fmt: str = "csv",
    toml: str | None = None,
) -> Path:
    """Write ``tables`` (default: the base) into ``folder``, one file per table in ``fmt``.

    Cells are written as text, as a user's export would hold them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames(base_tables() if tables is None else tables).items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "json":
            path.write_text(json.dumps(frame.to_dict("records"), ensure_ascii=False))
        elif fmt == "parquet":
            frame.to_parquet(path, index=False)
        elif fmt == "xlsx":
            frame.to_excel(path, index=False)
        else:
            raise ValueError(fmt)
    if toml is not None:
        (folder / "dataset.toml").write_text(toml, encoding="utf-8")
    return folder
