"""From a solver's answer to a plan a dispatcher reads.

:func:`build_plan` turns a :class:`~matchmaker.solve.Solution` (job indices and start
minutes) into a :class:`~matchmaker.plan.Plan` in human units: assignments with datetimes,
travel, sequence and match score; every unserved job with a reason code and a sentence
(:mod:`matchmaker.plan._capacity`); KPIs. A worker's jobs are numbered per planned day
(:func:`~matchmaker.model.planned_day`, the day the verifier reads too).

Building a plan does not lean on the verifier: it imports nothing of
:mod:`matchmaker.plan._verify`, which checks the result independently.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from matchmaker.compile import Problem, pairs_components
from matchmaker.model import Dataset, Policy, elapsed_minutes, planned_day
from matchmaker.plan._capacity import (
    display_zone,
    instant_at,
    priced_costs,
    schedule_of_routes,
    unserved_reason,
)
from matchmaker.plan._free_time import gap_table
from matchmaker.plan._plan import Assignment, Break, Plan, UnassignedJob
from matchmaker.plan._rules_kpis import break_kpis, lateness_kpis, travel_home_kpis
from matchmaker.plan._workload import workload_kpis
from matchmaker.solve import Route, Solution, objective_terms, route_breaks

__all__ = ["build_plan", "optimality_gap", "plan_kpis"]


def build_plan(dataset: Dataset, problem: Problem, solution: Solution, policy: Policy) -> Plan:
    """The plan in human units for ``solution`` of ``problem`` (compiled from ``dataset``)."""
    rows: list[dict[str, Any]] = []
    for route in solution.routes:
        worker_id = problem.worker_ids[int(problem.vehicle_worker[route.vehicle])]
        w = int(problem.vehicle_worker[route.vehicle])
        previous: int | None = None
        for j, start in zip(route.jobs, route.starts, strict=True):
            job = dataset.jobs[j]
            zone = display_zone(dataset, job)
            begin = instant_at(problem, start, zone)
            rows.append(
                {
                    "job_id": job.job_id,
                    "worker_id": worker_id,
                    "start": begin,
                    "end": instant_at(problem, start + job.duration_minutes, zone),
                    "travel_minutes": problem.travel(route.vehicle, previous, j),
                    "match_score": round(float(problem.score[w, j]), 2),
                }
            )
            previous = j
    rows.sort(key=lambda r: (r["worker_id"], r["start"], r["job_id"]))
    sequence: dict[tuple[str, date], int] = defaultdict(int)
    assignments: list[Assignment] = []
    for row in rows:
        key = (row["worker_id"], planned_day(dataset, row["start"]))
        sequence[key] += 1
        assignments.append(Assignment(sequence=sequence[key], **row))
    assignments.sort(key=lambda a: (a.start, a.worker_id, a.job_id))

    schedule = schedule_of_routes(solution.routes)
    gaps = gap_table(problem, schedule)
    costs = priced_costs(problem, policy)
    served = solution.served_jobs()
    unassigned: list[UnassignedJob] = []
    for j in range(problem.n_jobs):
        if j not in served:
            code, reason = unserved_reason(dataset, problem, schedule, j, gaps, costs)
            unassigned.append(
                UnassignedJob(job_id=dataset.jobs[j].job_id, reason_code=code, reason=reason)
            )
    parts = pairs_components(dataset, [(a.worker_id, a.job_id) for a in assignments], policy)
    components = {(a.job_id, a.worker_id): p for a, p in zip(assignments, parts, strict=True)}
    breaks = plan_breaks(dataset, problem, solution.routes)
    plan = Plan(
        assignments=tuple(assignments), unassigned=tuple(unassigned), kpis={}, breaks=breaks
    )
    kpis = plan_kpis(dataset, plan, policy)
    home = travel_home_kpis(problem, solution)
    kpis.update(home)
    kpis["travel_minutes_total"] += home.get("travel_home_minutes", 0)
    terms = objective_terms(problem, solution.routes, policy)
    kpis.update(
        objective=int(solution.objective),
        objective_terms=terms.as_dict(),
        lower_bound=solution.lower_bound,
        gap=optimality_gap(int(solution.objective), solution.lower_bound),
        backend=solution.backend,
        seed=solution.seed,
        solve_seconds=round(float(solution.solve_seconds), 3),
        status=solution.status,
        solver_stats=dict(solution.stats),
    )
    return Plan(
        assignments=plan.assignments,
        unassigned=plan.unassigned,
        kpis=kpis,
        score_components=components,
        travel=problem.travel_model,
        breaks=breaks,
        travel_home=policy.travel_home,
    )


def plan_breaks(dataset: Dataset, problem: Problem, routes: tuple[Route, ...]) -> tuple[Break, ...]:
    """The breaks of each route (:func:`matchmaker.solve.route_breaks`), in human units.

    A route whose breaks do not fit gets none, so that ``verify`` names what is missing.
    """
    zone = dataset.settings.zone
    breaks: list[Break] = []
    for route in routes:
        worker_id = problem.worker_ids[int(problem.vehicle_worker[route.vehicle])]
        shown = zone if zone is not None else problem.horizon_start.tzinfo
        for start, minutes in route_breaks(problem, route) or ():
            breaks.append(
                Break(
                    worker_id=worker_id,
                    start=instant_at(problem, start, shown),
                    end=instant_at(problem, start + minutes, shown),
                )
            )
    breaks.sort(key=lambda b: (b.start, b.worker_id))
    return tuple(breaks)


def optimality_gap(objective: int | None, lower_bound: int | None) -> float | None:
    """``(objective - lower_bound) / lower_bound``: how far above the proven bound a plan is.

    ``None`` without a bound (or with a bound of 0 below a positive objective); 0.0 when
    objective and bound are both 0.
    """
    if objective is None or lower_bound is None:
        return None
    if lower_bound <= 0:
        return 0.0 if objective == lower_bound else None
    return round((objective - lower_bound) / lower_bound, 6)


def plan_kpis(dataset: Dataset, plan: Plan, policy: Policy) -> dict[str, Any]:
    """The KPIs a plan's own rows give (everything but the solver's numbers).

    ``fill_rate`` is served jobs over all jobs (1.0 for a round without jobs);
    ``priority_served`` is the same share weighted by ``policy.priority_weights``;
    ``served_by_priority`` counts served and total jobs per priority; ``mean_match_score``
    is over assignments (``None`` when there are none); the workload and continuity KPIs
    are :func:`~matchmaker.plan._workload.workload_kpis`; the lateness and break KPIs
    (only with due starts and break rules) are those of :mod:`matchmaker.plan._rules_kpis`.
    """
    served_ids = {a.job_id for a in plan.assignments}
    jobs_total = len(dataset.jobs)
    weights = policy.priority_weights
    weight_total = sum(weights[job.priority] for job in dataset.jobs)
    weight_served = sum(weights[job.priority] for job in dataset.jobs if job.job_id in served_ids)
    by_priority: dict[str, dict[str, int]] = {}
    for priority in range(5, 0, -1):
        jobs = [job for job in dataset.jobs if job.priority == priority]
        by_priority[str(priority)] = {
            "served": sum(job.job_id in served_ids for job in jobs),
            "total": len(jobs),
        }
    unassigned_by_reason: dict[str, int] = defaultdict(int)
    for u in plan.unassigned:
        unassigned_by_reason[u.reason_code.value] += 1
    scores = [a.match_score for a in plan.assignments]
    jobs_served = sum(dataset.has_job(job_id) for job_id in served_ids)
    rules = lateness_kpis(dataset, plan) | break_kpis(dataset, plan)
    return rules | {
        "jobs_total": jobs_total,
        "jobs_served": jobs_served,
        "jobs_unassigned": len(plan.unassigned),
        "fill_rate": round(jobs_served / jobs_total, 4) if jobs_total else 1.0,
        "priority_served": round(weight_served / weight_total, 4) if weight_total else 1.0,
        "served_by_priority": by_priority,
        "assignments": len(plan.assignments),
        "workers_total": len(dataset.workers),
        "workers_used": len({a.worker_id for a in plan.assignments}),
        "travel_minutes_total": sum(a.travel_minutes for a in plan.assignments),
        "work_minutes_total": sum(int(elapsed_minutes(a.start, a.end)) for a in plan.assignments),
        "mean_match_score": round(sum(scores) / len(scores), 2) if scores else None,
        "unassigned_by_reason": dict(sorted(unassigned_by_reason.items())),
        **workload_kpis(dataset, plan),
    }
