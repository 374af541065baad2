"""The dispatcher's columns of a plan: who, for whom, what, where, how important, which day.

``assignments.csv`` and ``unassigned.csv`` carry, after the columns of plan contract v1,
the columns a dispatcher reads (docs/design.md section 6): the worker's name, the customer,
the service, the district and address, the priority, and the local ``day`` of the visit
(the round's timezone, :func:`~matchmaker.model.local_zone`), which also names the
per-day files of a multi-day round. Unassigned jobs add their window. They come from the
dataset, so a plan alone (or one made by hand) has none; readers never need them.
Names and addresses are blank in a redacted dataset (:func:`~matchmaker.plan.redacted`).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from matchmaker.model import Dataset, Job, local_zone

if TYPE_CHECKING:
    from matchmaker.plan._plan import Plan

__all__ = [
    "ASSIGNMENT_DETAIL_COLUMNS",
    "UNASSIGNED_DETAIL_COLUMNS",
    "assignment_details",
    "plan_days",
    "unassigned_details",
]

ASSIGNMENT_DETAIL_COLUMNS = (
    "worker_name",
    "customer_id",
    "customer_name",
    "service_type",
    "priority",
    "district",
    "address",
    "day",
)
"""Columns of ``assignments.csv`` after those of contract v1 (``ASSIGNMENT_COLUMNS``)."""
UNASSIGNED_DETAIL_COLUMNS = (
    "priority",
    "earliest_start",
    "latest_start",
    "customer_id",
    "customer_name",
    "service_type",
    "district",
    "address",
    "day",
)
"""Columns of ``unassigned.csv`` after those of contract v1 (``UNASSIGNED_COLUMNS``)."""


def _day(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def _job_details(dataset: Dataset, job: Job | None) -> dict[str, Any]:
    if job is None:  # a job the dataset does not know: verify reports it, the row stays
        return {"customer_id": None, "customer_name": None, "service_type": None}
    customer = dataset.customer(job.customer_id)
    # Loading resolves a job's blank address to its customer's; a dataset built in
    # Python may not have, so the customer's are the fallback here too.
    return {
        "customer_id": job.customer_id,
        "customer_name": (customer.name if customer is not None else "") or None,
        "service_type": job.service_type,
        "priority": job.priority,
        "district": job.district or (customer.district if customer is not None else "") or None,
        "address": job.address or (customer.address if customer is not None else "") or None,
    }


def assignment_details(plan: Plan, dataset: Dataset) -> list[dict[str, Any]]:
    """One dict of :data:`ASSIGNMENT_DETAIL_COLUMNS` per assignment of ``plan``, in order."""
    zone = local_zone(dataset)
    rows: list[dict[str, Any]] = []
    for a in plan.assignments:
        job = dataset.job(a.job_id) if dataset.has_job(a.job_id) else None
        worker = dataset.worker(a.worker_id) if dataset.has_worker(a.worker_id) else None
        row = dict.fromkeys(ASSIGNMENT_DETAIL_COLUMNS)
        row.update(_job_details(dataset, job))
        row["worker_name"] = (worker.name if worker is not None else "") or None
        row["day"] = _day(a.start, zone)
        rows.append(row)
    return rows


def unassigned_details(plan: Plan, dataset: Dataset) -> list[dict[str, Any]]:
    """One dict of :data:`UNASSIGNED_DETAIL_COLUMNS` per unassigned job of ``plan``."""
    zone = local_zone(dataset)
    rows: list[dict[str, Any]] = []
    for u in plan.unassigned:
        job = dataset.job(u.job_id) if dataset.has_job(u.job_id) else None
        row = dict.fromkeys(UNASSIGNED_DETAIL_COLUMNS)
        row.update(_job_details(dataset, job))
        if job is not None:
            shown = dataset.settings.zone or job.window.start.tzinfo
            row["earliest_start"] = job.earliest_start.astimezone(shown).isoformat()
            row["latest_start"] = job.latest_start.astimezone(shown).isoformat()
            row["day"] = _day(job.earliest_start, zone)
        rows.append(row)
    return rows


def plan_days(plan: Plan, dataset: Dataset) -> list[str]:
    """The local days (``YYYY-MM-DD``) the plan's jobs fall on, in order: those of its
    assignments' starts and its unassigned jobs' earliest starts."""
    days = {r["day"] for r in assignment_details(plan, dataset)}
    days |= {r["day"] for r in unassigned_details(plan, dataset) if r["day"] is not None}
    return sorted(days)
