"""Builders of events and small worlds for the lifecycle tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from matchmaker.lifecycle import Event, make_event
from tests import clock

T0 = clock.at(8)
"""Tuesday 1 December 2026, 08:00 in UTC+8: the start of every test's day."""


def at(minutes: float) -> datetime:
    """``minutes`` after ``T0``: lifecycle tests count their events from 08:00."""
    return clock.at(8, minutes)


def ev(kind: str, entity: str, minutes: float = 0, actor: str = "test", **payload: Any) -> Event:
    """A validated event ``minutes`` after ``T0``."""
    return make_event(kind, entity, time=at(minutes), actor=actor, **payload)


def worker(worker_id: str, **extra: Any) -> Event:
    fields: dict[str, Any] = {
        "gender": "F",
        "home_lat": 31.23,
        "home_lon": 121.47,
        "skills": "cleaning:3",
        "rating": 4.5,
        "rating_count": 10,
    }
    fields.update(extra)
    return ev("worker_registered", worker_id, -600, **fields)


def customer(customer_id: str, **extra: Any) -> Event:
    return ev("customer_registered", customer_id, -600, lat=31.2, lon=121.4, **extra)


def visit(visit_id: str, customer_id: str = "C1", start: float = 60, **extra: Any) -> Event:
    fields: dict[str, Any] = {
        "customer_id": customer_id,
        "service_type": "daily_cleaning",
        "earliest_start": at(start),
        "latest_start": at(start + 60),
        "duration_minutes": 120,
        "price": "200.00",
    }
    fields.update(extra)
    return ev("visit_created", visit_id, -300, **fields)


def world() -> list[Event]:
    """Two customers, four active workers."""
    return [customer("C1"), customer("C2"), *(worker(f"W{i}") for i in range(1, 5))]


def served(visit_id: str, worker_id: str = "W1", start: float = 60, late: float = 0) -> list[Event]:
    """Propose, confirm, check in (``late`` minutes late) and complete a visit."""
    return [
        ev("visit_proposed", visit_id, start - 120, worker_ids=[worker_id], start=at(start)),
        ev("visit_confirmed", visit_id, start - 110, actor=f"worker:{worker_id}"),
        ev("visit_checked_in", visit_id, start + late, actor=f"worker:{worker_id}"),
        ev("visit_completed", visit_id, start + 120, actor=f"worker:{worker_id}"),
    ]


DAY1 = "2026-12-01"
DAY2 = "2026-12-02"


def _shift(day: str, hour: int) -> str:
    return f"{day}T{hour:02d}:00:00+08:00"


WORKERS = [
    {
        "worker_id": "W1",
        "name": "Li Na",
        "gender": "F",
        "languages": "mandarin",
        "skills": "cleaning:3",
        "experience_years": "4",
        "background_check": "passed",
        "rating": "4.8",
        "rating_count": "20",
        "home_lat": "31.23",
        "home_lon": "121.47",
        "shift_start": _shift(DAY1, 8),
        "shift_end": _shift(DAY1, 18),
        "travel_mode": "transit",
        "status": "active",
    },
    {
        "worker_id": "W2",
        "name": "Wang Fang",
        "gender": "F",
        "languages": "mandarin;shanghainese",
        "skills": "cleaning:4",
        "experience_years": "6",
        "background_check": "passed",
        "rating": "4.2",
        "rating_count": "5",
        "home_lat": "31.20",
        "home_lon": "121.44",
        "shift_start": _shift(DAY1, 8),
        "shift_end": _shift(DAY1, 18),
        "travel_mode": "bike",
        "status": "active",
    },
    {
        "worker_id": "W3",
        "name": "Zhang Wei",
        "gender": "M",
        "languages": "mandarin",
        "skills": "cleaning:2;elderly_care:3",
        "experience_years": "2",
        "background_check": "passed",
        "rating": "4.6",
        "rating_count": "12",
        "home_lat": "31.25",
        "home_lon": "121.50",
        "shift_start": _shift(DAY1, 8),
        "shift_end": _shift(DAY1, 18),
        "travel_mode": "car",
        "status": "active",
    },
    {
        "worker_id": "W4",
        "name": "Zhao Min",
        "gender": "F",
        "languages": "mandarin",
        "skills": "cleaning:3",
        "experience_years": "1",
        "background_check": "passed",
        "rating": "",
        "rating_count": "0",
        "home_lat": "31.22",
        "home_lon": "121.46",
        "shift_start": _shift(DAY1, 8),
        "shift_end": _shift(DAY1, 18),
        "travel_mode": "walk",
        "status": "suspended",
    },
]
CUSTOMERS = [
    {
        "customer_id": "C1",
        "name": "Chen",
        "lat": "31.21",
        "lon": "121.45",
        "previous_workers": "W2",
    },
    {"customer_id": "C2", "name": "Liu", "lat": "31.24", "lon": "121.48"},
    {"customer_id": "C3", "name": "Yang", "lat": "31.26", "lon": "121.49"},
]


def _job(
    job_id: str, order_id: str, customer_id: str, start: str, latest: str, **extra: str
) -> dict[str, str]:
    return {
        "job_id": job_id,
        "order_id": order_id,
        "customer_id": customer_id,
        "service_type": "daily_cleaning",
        "earliest_start": start,
        "latest_start": latest,
        "duration_minutes": "120",
        "required_skills": "cleaning:2",
        "priority": "3",
        **extra,
    }


JOBS = [
    _job("J1", "O1", "C1", _shift(DAY1, 9), _shift(DAY1, 10)),
    _job("J2", "O2", "C2", _shift(DAY1, 13), _shift(DAY2, 13)),
    _job("J3", "O3", "C3", _shift(DAY1, 14), _shift(DAY1, 15)),
    _job("J4", "O1", "C1", _shift(DAY2, 9), _shift(DAY2, 10)),
    _job("J5", "O2", "C2", _shift(DAY2, 10), _shift(DAY2, 11)),
    _job("J6", "O3", "C3", _shift(DAY2, 15), _shift(DAY2, 16)),
]


def write_dataset(
    folder: Path,
    *,
    workers: list[dict[str, str]] | None = None,
    customers: list[dict[str, str]] | None = CUSTOMERS,
    jobs: list[dict[str, str]] | None = None,
    availability: list[dict[str, str]] | None = None,
    timezone_name: str | None = "Asia/Shanghai",
) -> Path:
    """A contract dataset folder written with pandas, like ``matchmaker generate`` output."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(workers or WORKERS).to_csv(folder / "workers.csv", index=False)
    pd.DataFrame(jobs or JOBS).to_csv(folder / "jobs.csv", index=False)
    if customers is not None:
        pd.DataFrame(customers).to_csv(folder / "customers.csv", index=False)
    if availability is not None:
        pd.DataFrame(availability).to_csv(folder / "availability.csv", index=False)
    if timezone_name is not None:
        (folder / "dataset.toml").write_text(f'timezone = "{timezone_name}"\n', encoding="utf-8")
    return folder


def write_plan(folder: Path, assignments: list[tuple[str, str, str]]) -> Path:
    """A plan folder (contract v1) with ``(job_id, worker_id, start)`` assignments."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for sequence, (job_id, worker_id, start) in enumerate(assignments, start=1):
        begin = datetime.fromisoformat(start)
        rows.append(
            {
                "job_id": job_id,
                "worker_id": worker_id,
                "start": start,
                "end": (begin + timedelta(minutes=120)).isoformat(),
                "travel_minutes": 15,
                "sequence": sequence,
                "match_score": 80.0,
            }
        )
    columns = ["job_id", "worker_id", "start", "end", "travel_minutes", "sequence", "match_score"]
    pd.DataFrame(rows, columns=columns).to_csv(folder / "assignments.csv", index=False)
    pd.DataFrame(columns=["job_id", "reason_code", "reason"]).to_csv(
        folder / "unassigned.csv", index=False
    )
    return folder


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)
