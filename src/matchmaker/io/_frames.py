"""From a :class:`~matchmaker.model.Dataset` back to DataFrames in the contract's columns.

The frames hold what the files hold: list cells as ``;`` text, datetimes as ISO 8601 text
with their UTC offset, dates as ``YYYY-MM-DD``; numbers are numeric (``Int64`` where a
blank means "no limit"). ``dataset_from_frames(dataset_to_frames(ds), settings=ds.settings)``
gives back ``ds``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import pandas as pd
from pydantic import BaseModel

from matchmaker.io._schemas import (
    AvailabilityRow,
    CustomerRow,
    JobRow,
    PlacementRequestRow,
    WorkerRow,
)
from matchmaker.model import (
    NO_BREAKS,
    Customer,
    Dataset,
    Gender,
    Job,
    PlacementProfile,
    PlacementRequest,
    Worker,
)

__all__ = ["LIMIT_WORKER_COLUMNS", "PLACEMENT_WORKER_COLUMNS", "dataset_to_frames"]


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _value(choice: Gender | None) -> str | None:
    return None if choice is None else choice.value


def _join(items: Iterable[str]) -> str:
    return ";".join(items)


def _worker_record(worker: Worker) -> dict[str, object]:
    one_shift = worker.shifts[0] if len(worker.shifts) == 1 else None
    return {
        "worker_id": worker.worker_id,
        "name": worker.name,
        "gender": worker.gender.value,
        "languages": _join(sorted(worker.languages)),
        "skills": _join(f"{name}:{level}" for name, level in worker.skills.items()),
        "experience_years": worker.experience_years,
        "certificates": _join(f"{c.name}:{c.expires.isoformat()}" for c in worker.certificates),
        "background_check": worker.background_check.status.value,
        "background_check_expires": _iso(worker.background_check.expires),
        "rating": worker.rating,
        "rating_count": worker.rating_count,
        "home_lat": worker.home.lat,
        "home_lon": worker.home.lon,
        "shift_start": _iso(one_shift.start if one_shift else None),
        "shift_end": _iso(one_shift.end if one_shift else None),
        "max_jobs": worker.max_jobs,
        "max_work_minutes": worker.max_work_minutes,
        "travel_mode": worker.travel_mode.value,
        "status": worker.status.value,
    }


PLACEMENT_WORKER_COLUMNS: tuple[str, ...] = (
    "current_placement_end",
    "earliest_free_date",
    "salary_expectation",
    "live_in_willing",
    "tags",
    "birth_year",
)
"""The optional placement columns of ``workers``, written only when a worker has one."""

LIMIT_WORKER_COLUMNS: tuple[str, ...] = (
    "max_week_minutes",
    "min_rest_minutes",
    "max_consecutive_days",
)
"""The optional limits across days of ``workers``, written only when a worker has one."""


def _limit_record(worker: Worker) -> dict[str, object]:
    return {name: getattr(worker, name) for name in LIMIT_WORKER_COLUMNS}


def _breaks_cell(worker: Worker) -> str | None:
    """``workers.breaks``: blank for every rule, ``none`` for no break, else the names."""
    if worker.breaks is None:
        return None
    return _join(worker.breaks) if worker.breaks else NO_BREAKS


def _placement_record(worker: Worker) -> dict[str, object]:
    profile = worker.placement
    salary = profile.salary_expectation
    return {
        "current_placement_end": _iso(profile.current_placement_end),
        "earliest_free_date": _iso(profile.earliest_free_date),
        "salary_expectation": None if salary is None else str(salary),
        "live_in_willing": profile.live_in_willing,
        "tags": _join(sorted(profile.tags)),
        "birth_year": profile.birth_year,
    }


def _request_record(request: PlacementRequest) -> dict[str, object]:
    return {
        "request_id": request.request_id,
        "customer_id": request.customer_id,
        "service_type": request.service_type,
        "start_date": _iso(request.start_date),
        "due_date": _iso(request.due_date),
        "days_before": request.days_before,
        "days_after": request.days_after,
        "duration_days": request.duration_days,
        "live_in": request.live_in,
        "required_skills": _join(str(r).replace(">=", ":") for r in request.required_skills),
        "min_experience_years": request.min_experience_years,
        "required_certificates": _join(request.required_certificates),
        "gender_required": _value(request.gender_required),
        "language_required": _join(request.language_required),
        "preferred_tags": _join(request.preferred_tags),
        "age_min": request.age_min,
        "age_max": request.age_max,
        "budget": None if request.budget is None else str(request.budget),
        "priority": request.priority,
        "excluded_workers": _join(sorted(request.excluded_workers)),
    }


def _customer_record(customer: Customer) -> dict[str, object]:
    location = customer.location
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "lat": None if location is None else location.lat,
        "lon": None if location is None else location.lon,
        "preferred_gender": _value(customer.preferred_gender),
        "preferred_languages": _join(customer.preferred_languages),
        "preferred_workers": _join(customer.preferred_workers),
        "blocked_workers": _join(sorted(customer.blocked_workers)),
        "previous_workers": _join(customer.previous_workers),
        "address": customer.address,
        "district": customer.district,
        "max_distinct_workers": customer.max_distinct_workers,
    }


def _job_record(job: Job) -> dict[str, object]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "customer_id": job.customer_id,
        "service_type": job.service_type,
        "lat": job.location.lat,
        "lon": job.location.lon,
        "earliest_start": _iso(job.earliest_start),
        "latest_start": _iso(job.latest_start),
        "duration_minutes": job.duration_minutes,
        "required_skills": _join(str(s).replace(">=", ":") for s in job.required_skills),
        "min_experience_years": job.min_experience_years,
        "required_certificates": _join(job.required_certificates),
        "workers_needed": job.workers_needed,
        "gender_required": _value(job.gender_required),
        "language_required": _join(job.language_required),
        "priority": job.priority,
        "pinned_worker_id": _join(job.pinned_worker_ids),
        "pinned_start": _iso(job.pinned_start),
        "excluded_workers": _join(sorted(job.excluded_workers)),
        "needs_car": job.needs_car,
        "address": job.address,
        "district": job.district,
        "due_start": _iso(job.due_start),
        "depends_on": job.depends_on or "",
        "min_gap": job.min_gap,
        "max_gap": job.max_gap,
        "link_worker": job.link_worker.value,
    }


_NULLABLE_INTEGERS = (
    "max_jobs",
    "max_work_minutes",
    "birth_year",
    "age_min",
    "age_max",
    "min_gap",
    "max_gap",
    *LIMIT_WORKER_COLUMNS,
    "max_distinct_workers",
)
_NUMBERS = (
    "experience_years",
    "rating",
    "home_lat",
    "home_lon",
    "lat",
    "lon",
    "min_experience_years",
)


def _columns(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _frame(records: Sequence[Mapping[str, object]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns:
        if column in _NULLABLE_INTEGERS:
            frame[column] = frame[column].astype("Int64")
        elif column in _NUMBERS:
            frame[column] = frame[column].astype("float64")
    return frame


def dataset_to_frames(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """The tables of ``dataset``: ``workers`` and ``jobs``, plus ``customers`` when it has
    customers and ``availability`` when a worker has more than one shift."""
    placed = any(w.placement != PlacementProfile() for w in dataset.workers)
    limited = any(_limit_record(w) != dict.fromkeys(LIMIT_WORKER_COLUMNS) for w in dataset.workers)
    pausing = any(w.breaks is not None for w in dataset.workers)
    worker_columns = [
        c
        for c in _columns(WorkerRow)
        if (placed or c not in PLACEMENT_WORKER_COLUMNS)
        and (limited or c not in LIMIT_WORKER_COLUMNS)
        and (pausing or c != "breaks")
    ]
    worker_records = [
        {
            **_worker_record(w),
            **(_placement_record(w) if placed else {}),
            **(_limit_record(w) if limited else {}),
            **({"breaks": _breaks_cell(w)} if pausing else {}),
        }
        for w in dataset.workers
    ]
    frames = {
        "workers": _frame(worker_records, worker_columns),
        "jobs": _frame([_job_record(j) for j in dataset.jobs], _columns(JobRow)),
    }
    if dataset.customers:
        frames["customers"] = _frame(
            [_customer_record(c) for c in dataset.customers], _columns(CustomerRow)
        )
    shifts = [
        {"worker_id": w.worker_id, "start": _iso(s.start), "end": _iso(s.end)}
        for w in dataset.workers
        if len(w.shifts) > 1
        for s in w.shifts
    ]
    if shifts:
        frames["availability"] = _frame(shifts, _columns(AvailabilityRow))
    if dataset.placement_requests:
        frames["placement_requests"] = _frame(
            [_request_record(r) for r in dataset.placement_requests],
            _columns(PlacementRequestRow),
        )
    return frames
