"""The objective terms of the home-care rules: lateness after ``due_start`` and the way home.

::

    lateness[j]      = max(0, start[j] - due[j])      for a served job with a due start
    lateness_cost    = lateness_cost_per_minute     * sum of lateness[j]
    max_lateness_cost = max_lateness_cost_per_minute * max of lateness[j]   (0 with none)

A team job counts its lateness once (its members start together). With
``policy.travel_home`` each route also travels from its last job back to the worker's home,
which counts as travel minutes like any other leg.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import Policy, SolverError
from matchmaker.solve._solution import Route

__all__ = ["check_travel_home", "home_leg", "lateness_minutes", "lateness_terms"]


def home_leg(problem: Problem, route: Route) -> int:
    """Minutes from the route's last job back home (0 without ``travel_home``)."""
    rules = problem.rules
    if rules is None or rules.travel_job_home is None or not route.jobs:
        return 0
    return int(rules.travel_job_home[route.vehicle, route.jobs[-1]])


def lateness_minutes(problem: Problem, routes: Iterable[Route]) -> tuple[int, int]:
    """Total and largest lateness over the served jobs with a due start."""
    rules = problem.rules
    if rules is None or not rules.has_due:
        return 0, 0
    latest: dict[int, int] = {}
    for route in routes:
        for job, start in zip(route.jobs, route.starts, strict=True):
            latest[job] = max(latest.get(job, start), start)
    if not latest:
        return 0, 0
    jobs = np.fromiter(latest.keys(), dtype=np.intp, count=len(latest))
    starts = np.fromiter(latest.values(), dtype=np.int64, count=len(latest))
    due = rules.job_due[jobs].astype(np.int64)
    late = np.where(due >= 0, np.maximum(starts - due, 0), 0)
    return int(late.sum()), int(late.max(initial=0))


def lateness_terms(problem: Problem, routes: Iterable[Route], policy: Policy) -> tuple[int, int]:
    """``(lateness_cost, max_lateness_cost)`` of ``routes`` under ``policy``."""
    total, largest = lateness_minutes(problem, routes)
    return total * policy.lateness_cost_per_minute, largest * policy.max_lateness_cost_per_minute


def check_travel_home(problem: Problem, policy: Policy) -> None:
    """A policy asking for the way home needs a problem compiled with it."""
    rules = problem.rules
    if policy.travel_home and (rules is None or rules.travel_job_home is None):
        raise SolverError(
            "the policy counts the way home (travel_home) but the round was compiled "
            "without it; compile the round with the same policy"
        )
