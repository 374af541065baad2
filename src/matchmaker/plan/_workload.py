"""Workload balance and continuity KPIs of a plan, from its rows alone.

* ``work_minutes_cv``: coefficient of variation (population standard deviation over the
  mean) of work minutes per *used* worker; 0 when all work alike, ``None`` without work.
* ``jobs_per_worker_cv``: the same for the number of visits per used worker.
* ``distinct_workers_per_customer`` (mean) and ``max_distinct_workers_per_customer``: how
  many different workers served each customer with a visit in the plan (continuity).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from matchmaker.model import Dataset, elapsed_minutes
from matchmaker.plan._plan import Plan

__all__ = ["workload_kpis"]


def _cv(values: Sequence[float]) -> float | None:
    if not values:
        return None
    mean = statistics.fmean(values)
    if mean == 0:
        return None
    return round(statistics.pstdev(values) / mean, 4)


def workload_kpis(dataset: Dataset, plan: Plan) -> dict[str, Any]:
    """The workload and continuity KPIs of ``plan`` (module docstring)."""
    minutes: dict[str, float] = defaultdict(float)
    visits: dict[str, int] = defaultdict(int)
    served_by: dict[str, set[str]] = defaultdict(set)
    for a in plan.assignments:
        minutes[a.worker_id] += elapsed_minutes(a.start, a.end)
        visits[a.worker_id] += 1
        if dataset.has_job(a.job_id):
            served_by[dataset.job(a.job_id).customer_id].add(a.worker_id)
    distinct = [len(workers) for workers in served_by.values()]
    return {
        "work_minutes_cv": _cv(list(minutes.values())),
        "jobs_per_worker_cv": _cv([float(n) for n in visits.values()]),
        "distinct_workers_per_customer": (
            round(statistics.fmean(distinct), 4) if distinct else None
        ),
        "max_distinct_workers_per_customer": max(distinct, default=0),
    }
