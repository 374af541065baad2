"""KPIs of the home-care rules: lateness after ``due_start``, the breaks and the way home.

Lateness and breaks are read from the plan's rows and the dataset (real minutes, through
UTC), like the verifier reads a plan; a team job counts once, at its members' latest
start. The way home needs the compiled travel minutes, so it comes from the problem.
"""

from __future__ import annotations

from typing import Any

from matchmaker.compile import Problem
from matchmaker.model import Dataset, elapsed_minutes
from matchmaker.plan._plan import Plan
from matchmaker.solve import Solution, home_leg

__all__ = ["break_kpis", "lateness_kpis", "travel_home_kpis"]


def lateness_kpis(dataset: Dataset, plan: Plan) -> dict[str, Any]:
    """``lateness_minutes_total``, ``lateness_minutes_max`` and ``late_jobs`` (empty when
    no job has a due start)."""
    due = {job.job_id: job.due_start for job in dataset.jobs if job.due_start is not None}
    if not due:
        return {}
    late: dict[str, float] = {}
    for a in plan.assignments:
        when = due.get(a.job_id)
        if when is not None:
            minutes = max(0.0, float(elapsed_minutes(when, a.start)))
            late[a.job_id] = max(late.get(a.job_id, 0.0), minutes)
    values = list(late.values())
    return {
        "lateness_minutes_total": round(sum(values), 2),
        "lateness_minutes_max": round(max(values, default=0.0), 2),
        "late_jobs": sum(value > 0 for value in values),
    }


def break_kpis(dataset: Dataset, plan: Plan) -> dict[str, Any]:
    """``breaks_planned`` (the plan's break rows), ``break_minutes_total`` and
    ``workers_with_breaks`` (empty when the round has no break rules, like the other rule
    KPIs; zeros when it has rules but no shift needed a break)."""
    if not dataset.settings.breaks:
        return {}
    minutes = [float(elapsed_minutes(b.start, b.end)) for b in plan.breaks]
    return {
        "breaks_planned": len(plan.breaks),
        "break_minutes_total": round(sum(minutes), 2),
        "workers_with_breaks": len({b.worker_id for b in plan.breaks}),
    }


def travel_home_kpis(problem: Problem, solution: Solution) -> dict[str, Any]:
    """``travel_home_minutes``: the way back home, when the policy counts it."""
    rules = problem.rules
    if rules is None or rules.travel_job_home is None:
        return {}
    return {"travel_home_minutes": sum(home_leg(problem, route) for route in solution.routes)}
