"""The coverage check before solving: can the staff cover the round at all?

:func:`coverage` reads a dataset and says, without solving:

* ``hours``: demand against supply in hours per skill, day and district. Demand is each
  job's duration times its team size, under every skill it requires (``(none)`` for a job
  requiring none), on the local day of its earliest start, in the district of its place.
  Supply is each active worker's shift length (capped by ``max_work_minutes``), under every
  skill the worker holds at any level, on the shift's local day, in the district of the
  worker's home. A worker holding two skills counts under both: supply rows are not added
  up across skills, they say who *could* do the work. ``short`` marks ``demand > supply``.
* ``jobs``: the jobs with at most one eligible worker, or fewer than their team needs,
  and why, from the compiled eligibility (every pair-only rule and the shift fit, the
  same arrays the solver reads) and the reason sentences of ``unassigned.csv``.
* ``documents``: certificates and background checks valid on the round's first day that
  expire before its last day, with the number of jobs that need them afterwards.
* ``workers``: workers with no shift on any day of the round.

Everything over worker-job pairs is numpy (the eligibility matrix); Python loops run over
workers, jobs or the few thin jobs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matchmaker.compile import TravelModel, any_per_worker, compile_problem, coordinates
from matchmaker.model import BackgroundCheckStatus, Dataset, Policy, WorkerStatus, local_zone
from matchmaker.plan import ineligibility_summary, rule_counts
from matchmaker.whatif._districts import Districts

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["Coverage", "coverage"]

NO_SKILL = "(none)"
HOURS_COLUMNS = ("skill", "day", "district", "demand_hours", "supply_hours", "gap_hours", "short")
JOB_COLUMNS = (
    "job_id",
    "service_type",
    "day",
    "district",
    "priority",
    "workers_needed",
    "eligible_workers",
    "eligible",
    "reason_code",
    "reason",
)
DOCUMENT_COLUMNS = ("worker_id", "name", "document", "expires", "jobs_needing_it_after")
WORKER_COLUMNS = ("worker_id", "name", "status", "skills", "shifts_total")


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """The four tables of a coverage check (module docstring) and their summary."""

    hours: pd.DataFrame
    jobs: pd.DataFrame
    documents: pd.DataFrame
    workers: pd.DataFrame
    summary: dict[str, Any]

    def summary_line(self) -> str:
        """One line for ``dispatch``: the headline numbers."""
        s = self.summary
        return (
            f"coverage: {s['jobs']} jobs, {s['demand_hours']:.0f} h demanded of "
            f"{s['supply_hours']:.0f} h on shift; {s['jobs_no_eligible']} with no eligible "
            f"worker, {s['jobs_one_eligible']} with only one; {s['short_cells']} skill x day x "
            f"district cell(s) short; {s['expiring_documents']} document(s) expire in the "
            f"round; {s['workers_without_shifts']} worker(s) without shifts"
        )

    def to_dict(self) -> dict[str, Any]:
        """Summary and tables as JSON-ready values (records)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for row in frame.to_dict(orient="records"):
                out.append({str(k): _plain(v) for k, v in row.items()})
            return out

        return {
            "summary": dict(self.summary),
            "hours": records(self.hours),
            "jobs": records(self.jobs),
            "documents": records(self.documents),
            "workers": records(self.workers),
        }

    def plot(self, ax: Axes | None = None) -> Axes:
        """Demand over supply per skill and district (``[plot]`` extra)."""
        from matchmaker.whatif._plots import plot_coverage

        return plot_coverage(self, ax=ax)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):
        return value.isoformat()
    return value


def coverage(
    dataset: Dataset,
    *,
    policy: Policy | None = None,
    districts: Districts | None = None,
    travel: TravelModel | None = None,
) -> Coverage:
    """Check whether the staff can cover the round (module docstring). ``districts``
    defaults to 5 km grid cells; ``travel`` to the dataset's haversine model."""
    districts = Districts() if districts is None else districts
    zone = local_zone(dataset)
    days = sorted({j.earliest_start.astimezone(zone).date() for j in dataset.jobs})
    job_district = districts.of(coordinates(j.location for j in dataset.jobs))
    home_district = districts.of(coordinates(w.home for w in dataset.workers))
    hours = _hours(dataset, zone, job_district, home_district)
    jobs = _thin_jobs(dataset, policy, travel, zone, job_district)
    documents = _documents(dataset, zone, days)
    workers = _idle_workers(dataset, zone, days)
    summary = {
        "jobs": len(dataset.jobs),
        "workers": len(dataset.workers),
        "days": [d.isoformat() for d in days],
        "demand_hours": round(float(hours["demand_hours"].sum()), 2),
        "supply_hours": round(_shift_hours(dataset), 2),
        "short_cells": int(hours["short"].sum()),
        "jobs_no_eligible": int((jobs["eligible_workers"] == 0).sum()),
        "jobs_one_eligible": int((jobs["eligible_workers"] == 1).sum()),
        "jobs_short_of_team": int(
            (
                (jobs["eligible_workers"] > 0) & (jobs["eligible_workers"] < jobs["workers_needed"])
            ).sum()
        ),
        "expiring_documents": len(documents),
        "workers_without_shifts": len(workers),
    }
    return Coverage(hours=hours, jobs=jobs, documents=documents, workers=workers, summary=summary)


def _shift_hours(dataset: Dataset) -> float:
    """Hours on shift of active workers, each shift capped by ``max_work_minutes``."""
    total = 0
    for w in dataset.workers:
        if w.status is WorkerStatus.ACTIVE:
            for s in w.shifts:
                cap = (
                    s.minutes if w.max_work_minutes is None else min(s.minutes, w.max_work_minutes)
                )
                total += cap
    return total / 60


def _hours(
    dataset: Dataset, zone: Any, job_district: list[str], home_district: list[str]
) -> pd.DataFrame:
    import pandas as pd

    demand = pd.DataFrame(
        {
            "skill": [[r.name for r in j.required_skills] or [NO_SKILL] for j in dataset.jobs],
            "day": [j.earliest_start.astimezone(zone).date() for j in dataset.jobs],
            "district": job_district,
            "demand_hours": [j.duration_minutes * j.workers_needed / 60 for j in dataset.jobs],
        }
    ).explode("skill")
    rows: list[tuple[list[str], date, str, float]] = []
    for w, worker in enumerate(dataset.workers):
        if worker.status is not WorkerStatus.ACTIVE:
            continue
        skills = sorted(worker.skills) or [NO_SKILL]
        for s in worker.shifts:
            cap = (
                s.minutes
                if worker.max_work_minutes is None
                else min(s.minutes, worker.max_work_minutes)
            )
            rows.append((skills, s.start.astimezone(zone).date(), home_district[w], cap / 60))
    supply = pd.DataFrame(rows, columns=["skill", "day", "district", "supply_hours"]).explode(
        "skill"
    )
    keys = ["skill", "day", "district"]
    # Keys stay text and dates even when a side is empty (no jobs, nobody on shift).
    demand = demand.astype(dict.fromkeys(keys, object))
    supply = supply.astype(dict.fromkeys(keys, object))
    needed = demand.groupby(keys, as_index=False)["demand_hours"].sum()
    offered = supply.groupby(keys, as_index=False)["supply_hours"].sum()
    # Only the skills some job asks for: supply of a skill nobody needs is no coverage.
    offered = offered[offered["skill"].isin(set(needed["skill"]))]
    table = needed.merge(offered, on=keys, how="outer").fillna(
        {"demand_hours": 0.0, "supply_hours": 0.0}
    )
    table["gap_hours"] = table["supply_hours"] - table["demand_hours"]
    table["short"] = table["demand_hours"] > table["supply_hours"]
    for column in ("demand_hours", "supply_hours", "gap_hours"):
        table[column] = table[column].astype(float).round(2)
    table = table.sort_values(
        ["short", "gap_hours", *keys], ascending=[False, True, True, True, True]
    )
    result: pd.DataFrame = table.reset_index(drop=True)[list(HOURS_COLUMNS)]
    return result


def _thin_jobs(
    dataset: Dataset,
    policy: Policy | None,
    travel: TravelModel | None,
    zone: Any,
    job_district: list[str],
) -> pd.DataFrame:
    import pandas as pd

    problem = compile_problem(dataset, policy=policy, travel=travel)
    per_worker = any_per_worker(problem.eligible, problem.vehicle_worker, problem.n_workers)
    counts = per_worker.sum(axis=0)
    thin = np.flatnonzero((counts <= 1) | (counts < problem.job_team))
    rows: list[dict[str, Any]] = []
    for j in thin.tolist():
        job = dataset.jobs[j]
        count = int(counts[j])
        eligible = [problem.worker_ids[w] for w in np.flatnonzero(per_worker[:, j]).tolist()]
        if count < job.workers_needed:
            code, reason = ineligibility_summary(dataset, problem, j)
            code_text = code.value
        else:
            others = rule_counts(problem, j)
            listed = ", ".join(
                f"{n} {c.value}" for c, n in sorted(others.items(), key=lambda i: -i[1])
            )
            code_text = "ONE_ELIGIBLE"
            reason = f"only {eligible[0]} is eligible; the others fail: {listed or '-'}"
        rows.append(
            {
                "job_id": job.job_id,
                "service_type": job.service_type,
                "day": job.earliest_start.astimezone(zone).date(),
                "district": job_district[j],
                "priority": job.priority,
                "workers_needed": job.workers_needed,
                "eligible_workers": count,
                "eligible": ";".join(eligible),
                "reason_code": code_text,
                "reason": reason,
            }
        )
    frame = pd.DataFrame(rows, columns=list(JOB_COLUMNS))
    return frame.sort_values(
        ["eligible_workers", "priority", "job_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


def _documents(dataset: Dataset, zone: Any, days: list[date]) -> pd.DataFrame:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    if days:
        first, last = days[0], days[-1]
        job_days = np.array(
            [j.latest_start.astimezone(zone).date().toordinal() for j in dataset.jobs],
            dtype=np.int64,
        )
        # One mask per certificate name, built once (no loop over worker-job pairs).
        needing: dict[str, npt.NDArray[np.bool_]] = {}
        for j, job in enumerate(dataset.jobs):
            for name in job.required_certificates:
                needing.setdefault(name, np.zeros(len(dataset.jobs), dtype=bool))[j] = True
        nobody = np.zeros(len(dataset.jobs), dtype=bool)
        everyone = np.ones(len(dataset.jobs), dtype=bool)
        for worker in dataset.workers:
            papers: list[tuple[str, date, npt.NDArray[np.bool_]]] = [
                (f"certificate {c.name}", c.expires, needing.get(c.name, nobody))
                for c in worker.certificates
            ]
            check = worker.background_check
            if check.status is BackgroundCheckStatus.PASSED and check.expires is not None:
                papers.append(("background check", check.expires, everyone))
            for name, expires, needs in papers:
                if first <= expires < last:
                    after = int(np.count_nonzero(needs & (job_days > expires.toordinal())))
                    rows.append(
                        {
                            "worker_id": worker.worker_id,
                            "name": worker.name,
                            "document": name,
                            "expires": expires,
                            "jobs_needing_it_after": after,
                        }
                    )
    return pd.DataFrame(rows, columns=list(DOCUMENT_COLUMNS))


def _idle_workers(dataset: Dataset, zone: Any, days: list[date]) -> pd.DataFrame:
    import pandas as pd

    round_days = set(days)
    rows = [
        {
            "worker_id": w.worker_id,
            "name": w.name,
            "status": w.status.value,
            "skills": ";".join(f"{k}:{v}" for k, v in sorted(w.skills.items())),
            "shifts_total": len(w.shifts),
        }
        for w in dataset.workers
        if not any(s.start.astimezone(zone).date() in round_days for s in w.shifts)
    ]
    return pd.DataFrame(rows, columns=list(WORKER_COLUMNS))
