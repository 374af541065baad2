"""A plan's tables: the columns of plan contract v1 and the plan as DataFrames.

The plan layer's own view of its rows (docs/design.md section 6), used by
:meth:`~matchmaker.plan.Plan.to_frames` and by the plan folder writer
(:mod:`matchmaker.io`), so that both show the same columns with the same values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from matchmaker.model import elapsed_minutes
from matchmaker.plan._details import (
    ASSIGNMENT_DETAIL_COLUMNS,
    UNASSIGNED_DETAIL_COLUMNS,
    assignment_details,
    unassigned_details,
)

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker.model import Dataset
    from matchmaker.plan._plan import Assignment, Plan

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "UNASSIGNED_COLUMNS",
    "WORKER_COLUMNS",
    "json_safe",
    "plan_to_frames",
    "worker_rows",
]

ASSIGNMENT_COLUMNS = (
    "job_id",
    "worker_id",
    "start",
    "end",
    "travel_minutes",
    "sequence",
    "match_score",
)
UNASSIGNED_COLUMNS = ("job_id", "reason_code", "reason", "smallest_change")
WORKER_COLUMNS = (
    "worker_id",
    "jobs",
    "work_minutes",
    "travel_minutes",
    "shift_minutes",
    "utilisation",
)


def _minutes(a: Assignment) -> int:
    return int(elapsed_minutes(a.start, a.end))


def worker_rows(plan: Plan, dataset: Dataset | None) -> list[dict[str, Any]]:
    """The rows of ``workers.csv``: every worker of ``dataset`` (then any other worker of
    the plan), or only the plan's workers without ``dataset``."""
    by_worker: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        by_worker.setdefault(a.worker_id, []).append(a)
    if dataset is not None:
        worker_ids = [w.worker_id for w in dataset.workers]
        worker_ids += sorted(set(by_worker) - set(worker_ids))
    else:
        worker_ids = sorted(by_worker)
    rows: list[dict[str, Any]] = []
    for worker_id in worker_ids:
        mine = by_worker.get(worker_id, [])
        work = sum(_minutes(a) for a in mine)
        shift: int | None = None
        if dataset is not None and dataset.has_worker(worker_id):
            shift = sum(s.minutes for s in dataset.worker(worker_id).shifts)
        rows.append(
            {
                "worker_id": worker_id,
                "jobs": len(mine),
                "work_minutes": work,
                "travel_minutes": sum(a.travel_minutes for a in mine),
                "shift_minutes": shift,
                "utilisation": round(work / shift, 4) if shift else None,
            }
        )
    return rows


def _datetimes(values: list[datetime]) -> pd.Series:
    """A tz-aware datetime column when every value has one offset, else Python datetimes."""
    import pandas as pd

    if values and len({v.utcoffset() for v in values}) == 1:
        return pd.Series(pd.to_datetime([v.isoformat() for v in values]), dtype=None)
    return pd.Series(values, dtype=object)


def plan_to_frames(plan: Plan, *, dataset: Dataset | None = None) -> dict[str, pd.DataFrame]:
    """The plan as DataFrames ``assignments``, ``unassigned``, ``workers`` and ``kpis``.

    ``start`` and ``end`` are tz-aware datetimes (a pandas datetime column when all share
    one offset). With ``dataset``, ``assignments`` and ``unassigned`` also hold the
    dispatcher's columns of the plan files (``ASSIGNMENT_DETAIL_COLUMNS``,
    ``UNASSIGNED_DETAIL_COLUMNS``: names, customer, service, district, priority, day).
    Without ``dataset``, ``workers`` covers only the workers of the plan and
    ``shift_minutes`` and ``utilisation`` are missing. ``kpis`` is one row with a column per
    KPI of ``kpis.json``, nested ones named with dots (``objective_terms.travel_cost``,
    ``served_by_priority.5.served``), so that the rows of several plans concatenate.
    """
    import pandas as pd  # imported on use: ``import matchmaker.plan`` stays quick

    assignments = pd.DataFrame(
        {
            "job_id": pd.Series([a.job_id for a in plan.assignments], dtype=object),
            "worker_id": pd.Series([a.worker_id for a in plan.assignments], dtype=object),
            "start": _datetimes([a.start for a in plan.assignments]),
            "end": _datetimes([a.end for a in plan.assignments]),
            "travel_minutes": pd.Series(
                [a.travel_minutes for a in plan.assignments], dtype="int64"
            ),
            "sequence": pd.Series([a.sequence for a in plan.assignments], dtype="int64"),
            "match_score": pd.Series([a.match_score for a in plan.assignments], dtype="float64"),
        }
    )
    unassigned = pd.DataFrame(
        {
            "job_id": pd.Series([u.job_id for u in plan.unassigned], dtype=object),
            "reason_code": pd.Series([u.reason_code.value for u in plan.unassigned], dtype=object),
            "reason": pd.Series([u.reason for u in plan.unassigned], dtype=object),
            "smallest_change": pd.Series(
                [u.smallest_change for u in plan.unassigned], dtype=object
            ),
        }
    )
    if dataset is not None:
        _add_details(assignments, assignment_details(plan, dataset), ASSIGNMENT_DETAIL_COLUMNS)
        _add_details(unassigned, unassigned_details(plan, dataset), UNASSIGNED_DETAIL_COLUMNS)
    rows = worker_rows(plan, dataset)
    workers = pd.DataFrame(
        {
            "worker_id": pd.Series([r["worker_id"] for r in rows], dtype=object),
            "jobs": pd.Series([r["jobs"] for r in rows], dtype="int64"),
            "work_minutes": pd.Series([r["work_minutes"] for r in rows], dtype="int64"),
            "travel_minutes": pd.Series([r["travel_minutes"] for r in rows], dtype="int64"),
            "shift_minutes": pd.Series([r["shift_minutes"] for r in rows], dtype="Int64"),
            "utilisation": pd.Series([r["utilisation"] for r in rows], dtype="Float64"),
        }
    )
    kpis = pd.json_normalize(json_safe(plan.kpis))
    return {"assignments": assignments, "unassigned": unassigned, "workers": workers, "kpis": kpis}


def _add_details(frame: pd.DataFrame, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    import pandas as pd

    for column in columns:
        values = [r[column] for r in rows]
        frame[column] = pd.Series(values, dtype="Int64" if column == "priority" else object)


def json_safe(value: Any) -> Any:
    """KPI values as strict JSON: NaN and infinities become null, tuples lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
