"""The dataset contract v1 (docs/design.md section 6) as the ops store writes it: columns and rows.

Cells are written as strings: times as ISO 8601 with their UTC offset, lists joined with
``;``, blanks for missing values. ``jobs`` carries one optional column beyond the
contract's: ``excluded_workers`` (``;`` list), the workers who declined or did not show up
for that visit and must not be proposed for it again. The optional home-care columns
(datasets/README.md) are carried too: ``jobs`` ``due_start``, ``depends_on``, ``min_gap``,
``max_gap``, ``link_worker``; ``workers`` ``max_week_minutes``, ``min_rest_minutes``,
``max_consecutive_days``, ``breaks``; ``customers`` ``max_distinct_workers``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._visit import JobSpec
from matchmaker.lifecycle._worker import PLACEMENT_FIELDS, WorkerRecord

__all__ = [
    "AVAILABILITY_COLUMNS",
    "CUSTOMER_COLUMNS",
    "EXTRA_JOB_COLUMNS",
    "HOME_CARE_CUSTOMER_COLUMNS",
    "HOME_CARE_JOB_COLUMNS",
    "HOME_CARE_WORKER_COLUMNS",
    "JOB_COLUMNS",
    "UNCARRIED_COLUMNS",
    "WORKER_COLUMNS",
    "customer_row",
    "job_row",
    "worker_row",
]

# The contract's columns are written out here rather than read from matchmaker.io, whose
# readers bring pandas: `ops jobs` writes a round without it. A test checks that they are
# the contract's (io.contract_columns) in the contract's order.
HOME_CARE_WORKER_COLUMNS = (
    "max_week_minutes",
    "min_rest_minutes",
    "max_consecutive_days",
    "breaks",
)
HOME_CARE_CUSTOMER_COLUMNS = ("max_distinct_workers",)
HOME_CARE_JOB_COLUMNS = ("due_start", "depends_on", "min_gap", "max_gap", "link_worker")
UNCARRIED_COLUMNS = ("address", "district")
"""Contract columns the store does not keep: ``ops import-dataset`` reports them as ignored."""
WORKER_COLUMNS = [
    "worker_id",
    "name",
    "gender",
    "languages",
    "skills",
    "experience_years",
    "certificates",
    "background_check",
    "background_check_expires",
    "rating",
    "rating_count",
    "home_lat",
    "home_lon",
    "shift_start",
    "shift_end",
    "max_jobs",
    "max_work_minutes",
    "travel_mode",
    "status",
    *PLACEMENT_FIELDS,
    *HOME_CARE_WORKER_COLUMNS,
]
CUSTOMER_COLUMNS = [
    "customer_id",
    "name",
    "lat",
    "lon",
    "preferred_gender",
    "preferred_languages",
    "preferred_workers",
    "blocked_workers",
    "previous_workers",
    *HOME_CARE_CUSTOMER_COLUMNS,
]
EXTRA_JOB_COLUMNS = ["excluded_workers", *HOME_CARE_JOB_COLUMNS]
"""The ``jobs`` columns beyond the contract's own that the store writes."""
JOB_COLUMNS = [
    "job_id",
    "order_id",
    "customer_id",
    "service_type",
    "lat",
    "lon",
    "earliest_start",
    "latest_start",
    "duration_minutes",
    "required_skills",
    "min_experience_years",
    "required_certificates",
    "workers_needed",
    "gender_required",
    "language_required",
    "priority",
    "pinned_worker_id",
    "pinned_start",
    "needs_car",
    *EXTRA_JOB_COLUMNS,
]
AVAILABILITY_COLUMNS = ["worker_id", "start", "end"]


def cell(value: object) -> str:
    """One CSV cell: blank for ``None``, ISO for times, ``;`` for lists, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list | frozenset | set):
        return ";".join(str(v) for v in value)
    return str(value)


def job_row(
    job_id: str,
    job: JobSpec,
    *,
    pinned_worker_ids: Iterable[str] = (),
    pinned_start: datetime | None = None,
    excluded_workers: Iterable[str] = (),
) -> dict[str, str]:
    return {
        "job_id": job_id,
        "order_id": job.order_id,
        "customer_id": job.customer_id,
        "service_type": job.service_type,
        "lat": cell(job.lat),
        "lon": cell(job.lon),
        "earliest_start": cell(job.earliest_start),
        "latest_start": cell(job.latest_start),
        "duration_minutes": cell(job.duration_minutes),
        "required_skills": job.required_skills,
        "min_experience_years": cell(job.min_experience_years),
        "required_certificates": cell(job.required_certificates),
        "workers_needed": cell(job.workers_needed),
        "gender_required": cell(job.gender_required),
        "language_required": cell(job.language_required),
        "priority": cell(job.priority),
        "pinned_worker_id": cell(tuple(pinned_worker_ids)),
        "pinned_start": cell(pinned_start),
        "excluded_workers": cell(tuple(excluded_workers)),
        "needs_car": cell(job.needs_car),
        "due_start": cell(job.due_start),
        "depends_on": cell(job.depends_on),
        "min_gap": cell(job.min_gap),
        "max_gap": cell(job.max_gap),
        "link_worker": "" if job.depends_on is None else job.link_worker,
    }


def worker_row(
    worker: WorkerRecord,
    *,
    status: str | None = None,
    shift_start: str | None = None,
    shift_end: str | None = None,
) -> dict[str, str]:
    return {
        "worker_id": worker.worker_id,
        "name": worker.name,
        "gender": worker.gender,
        "languages": cell(worker.languages),
        "skills": worker.skills,
        "experience_years": cell(worker.experience_years),
        "certificates": worker.certificates,
        "background_check": worker.background_check,
        "background_check_expires": cell(worker.background_check_expires),
        "rating": cell(worker.rating),
        "rating_count": cell(worker.rating_count),
        "home_lat": cell(worker.home_lat),
        "home_lon": cell(worker.home_lon),
        "shift_start": cell(shift_start if shift_start is not None else worker.shift_start),
        "shift_end": cell(shift_end if shift_end is not None else worker.shift_end),
        "max_jobs": cell(worker.max_jobs),
        "max_work_minutes": cell(worker.max_work_minutes),
        "travel_mode": worker.travel_mode,
        "status": status or worker.status,
        "max_week_minutes": cell(worker.max_week_minutes),
        "min_rest_minutes": cell(worker.min_rest_minutes),
        "max_consecutive_days": cell(worker.max_consecutive_days),
        "breaks": cell(worker.breaks),
        "current_placement_end": cell(worker.current_placement_end),
        "earliest_free_date": cell(worker.earliest_free_date),
        "salary_expectation": cell(worker.salary_expectation),
        "live_in_willing": cell(worker.live_in_willing),
        "tags": cell(worker.tags),
        "birth_year": cell(worker.birth_year),
    }


def customer_row(
    customer: CustomerRecord,
    *,
    preferred_workers: Iterable[str] | None = None,
    blocked_workers: Iterable[str] | None = None,
    previous_workers: Iterable[str] | None = None,
) -> dict[str, str]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "lat": cell(customer.lat),
        "lon": cell(customer.lon),
        "preferred_gender": cell(customer.preferred_gender),
        "preferred_languages": cell(customer.preferred_languages),
        "preferred_workers": cell(
            tuple(customer.preferred_workers if preferred_workers is None else preferred_workers)
        ),
        "blocked_workers": cell(
            tuple(customer.blocked_workers if blocked_workers is None else blocked_workers)
        ),
        "previous_workers": cell(
            tuple(customer.previous_workers if previous_workers is None else previous_workers)
        ),
        "max_distinct_workers": cell(customer.max_distinct_workers),
    }
