"""Recombination of the routes a search has seen: one set-partitioning model over them.

Ruin and recreate visits many plans and keeps one. A route it left behind may still be
the best one for its shift, in a plan the search never put together. This step keeps every
distinct route of the plans it accepted (:class:`RoutePool`) and lets CP-SAT choose at
most one route per shift, each job at most once, for the least objective: routes' travel
and match costs plus the drop penalties of the jobs no chosen route serves (as in the
set-partitioning phase of Subramanian, Uchoa and Ochi's ILS-SP).

Each pooled route kept every rule of one shift in the plan it came from (window, shift,
travel, breaks, caps), so a choice of routes keeps them too; what spans routes is held
fixed. Shifts whose route in the plan given holds a team job or a pinned job keep that
route, and no pooled route holding a team job, a pinned job or a job of a kept route is
offered. Rounds with rules across routes (linked visits and breaks, ``problem.rules``;
limits across a worker's days and continuity caps, ``problem.limits``) are not
recombined. CP-SAT is hinted with the plan given, so the
result is never worse.

CP-SAT runs one worker with its full linear relaxation (as the exact model does,
:data:`~matchmaker.solve._cpsat.LINEARIZATION`): a set partitioning model is what the LP
bound and LP-guided search are good at. On two models dumped from a generated tight
200 x 600 day (about 5,000 routes; 1.8 s each; the model's objective, route costs less the
penalties of the jobs served) one such worker reached -1,196,644 to -1,197,822 and
-1,193,552 against proven bounds of -1,197,887 and -1,193,781, while the default portfolio
of two workers stayed at -1,187,637 and -1,187,429 and proved only -1,211,386 and
-1,206,933 (four workers: -1,184,468 and -1,186,228); a second worker beside the LP one
added nothing. In the search (routing, scratch runs, each alone) the objective fell on
every round tried: the tight 200 x 600 day from a mean of 706,298 (8 runs,
699,904-717,116) to 700,912 (6 runs, 696,777-703,235); the normal 200 x 600 day from
235,490 / 236,919 to 231,248 / 230,939 (seeds 1-2); the tight 600 x 2000 day at 120 s from
2,268,656 to 2,261,879; the 200-worker week from 2,509,451 to 2,493,263; 120 x 900 over 5
days from 287,782 to 287,027 (its recombinations proved optimal in 2.8 s of 3.7). Under
linear weights the tight day was level (488,159 / 486,241 against 487,007 / 486,736).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchmaker.compile import Problem
from matchmaker.solve._budget import poll_stop
from matchmaker.solve._costs import Costs
from matchmaker.solve._cpsat import LINEARIZATION
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._objective import route_travel
from matchmaker.solve._schedule import earliest_starts
from matchmaker.solve._solution import Route

__all__ = ["PooledRoute", "RoutePool", "priced_routes", "recombine"]

BoolArray = npt.NDArray[np.bool_]

MAX_ROUTES = 40_000
"""Most routes a pool keeps (the first seen): a model over more takes seconds to build."""

PooledRoute = tuple[int, tuple[int, ...], int, tuple[int, ...]]
"""(shift, jobs, route cost, start minutes)."""


def _fixed_jobs(problem: Problem) -> BoolArray:
    """The jobs no pooled route holds: team jobs and pinned ones (module docstring)."""
    fixed: BoolArray = (problem.job_team > 1) | problem.pinned_jobs
    return fixed


class RoutePool:
    """Distinct routes of single-worker jobs without pins, by shift, with their costs."""

    def __init__(self, problem: Problem) -> None:
        self.fixed_job: BoolArray = _fixed_jobs(problem)
        self.routes: dict[tuple[int, tuple[int, ...]], tuple[int, tuple[int, ...]]] = {}
        """(shift, jobs) -> (route cost, start minutes)."""

    def add(self, plan: Plan, vehicles: npt.NDArray[np.int64], *, capped: bool = True) -> None:
        """Keep the routes ``plan`` has on ``vehicles`` (those without team or pinned
        jobs; until :data:`MAX_ROUTES` when ``capped``)."""
        for v in vehicles.tolist():
            if capped and len(self.routes) >= MAX_ROUTES:
                return
            n = int(plan.length[v])
            if n == 0:
                continue
            jobs = plan.job[v, :n]
            if self.fixed_job[jobs].any():
                continue
            key = (v, tuple(jobs.tolist()))
            if key not in self.routes:
                starts = tuple(plan.start[v, :n].tolist())
                self.routes[key] = (int(plan.route_cost[v]), starts)

    def since(self, count: int) -> list[PooledRoute]:
        """The routes kept after the first ``count``, in the order they came."""
        kept = itertools.islice(self.routes.items(), count, None)
        return [(v, jobs, cost, starts) for (v, jobs), (cost, starts) in kept]

    def merge(self, routes: list[PooledRoute]) -> None:
        """Keep ``routes`` (another pool's, of the same problem) until :data:`MAX_ROUTES`."""
        for v, jobs, cost, starts in routes:
            if len(self.routes) >= MAX_ROUTES:
                return
            self.routes.setdefault((v, jobs), (cost, starts))


def priced_routes(
    problem: Problem, costs: Costs, routes: Iterable[tuple[int, tuple[int, ...]]]
) -> list[PooledRoute]:
    """Of ``routes`` (shift, jobs in order), those a pool may hold, with their cost and
    earliest starts: no team or pinned job, within the shift's caps, and each visit in
    its window and shift on the round's own legs. The lower bound prices routes on
    shortest paths (:mod:`._bound_routes`), so a route it found may not be driveable."""
    fixed = _fixed_jobs(problem)
    kept: list[PooledRoute] = []
    for vehicle, jobs in routes:
        visits = np.asarray(jobs, dtype=np.int64)
        if (
            fixed[visits].any()
            or visits.size > int(problem.vehicle_max_jobs[vehicle])
            or int(problem.job_duration[visits].sum()) > int(problem.vehicle_max_work[vehicle])
        ):
            continue
        starts = earliest_starts(problem, {vehicle: jobs})
        if starts is None:
            continue
        route = Route(vehicle=vehicle, jobs=jobs, starts=tuple(starts[vehicle]))
        match = int(costs.match_cost[int(problem.vehicle_worker[vehicle]), visits].sum())
        cost = costs.travel_rate * route_travel(problem, route) + match
        kept.append((vehicle, jobs, cost, route.starts))
    return kept


def recombine(
    problem: Problem,
    pool: RoutePool,
    plan: Plan,
    seconds: float,
    seed: int,
    stop: threading.Event | None = None,
) -> tuple[Route, ...] | None:
    """The best plan of at most one pooled route per shift (module docstring), from the
    pool and the routes of ``plan`` (added to the pool, past its cap, so that the hint is
    whole), by one CP-SAT worker; ``None`` when CP-SAT finds no plan in
    ``seconds``, the round has rules across routes or there is nothing to recombine."""
    if problem.rules is not None or problem.limits is not None:
        return None
    pool.add(plan, np.flatnonzero(plan.length), capped=False)
    if not pool.routes:
        return None
    kept_vehicle = np.zeros(problem.n_vehicles, dtype=bool)
    kept_job = np.zeros(problem.n_jobs, dtype=bool)
    current: dict[int, tuple[int, ...]] = {}
    for v in np.flatnonzero(plan.length).tolist():
        held = plan.job[v, : int(plan.length[v])]
        current[v] = tuple(held.tolist())
        if pool.fixed_job[held].any():
            kept_vehicle[v] = True
            kept_job[held] = True
    model = cp_model.CpModel()
    penalty = plan.penalty
    by_vehicle: dict[int, list[cp_model.IntVar]] = {}
    by_job: dict[int, list[cp_model.IntVar]] = {}
    terms: list[tuple[cp_model.IntVar, int]] = []
    chosen: list[tuple[Route, cp_model.IntVar]] = []
    for (v, jobs), (cost, starts) in pool.routes.items():
        if kept_vehicle[v] or kept_job[list(jobs)].any():
            continue
        x = model.new_bool_var("")
        model.add_hint(x, current.get(v) == jobs)
        by_vehicle.setdefault(v, []).append(x)
        for j in jobs:
            by_job.setdefault(j, []).append(x)
        terms.append((x, cost - int(penalty[list(jobs)].sum())))
        chosen.append((Route(vehicle=v, jobs=jobs, starts=starts), x))
    for group in (*by_vehicle.values(), *by_job.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    model.minimize(sum(coefficient * x for x, coefficient in terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = LINEARIZATION
    solver.parameters.random_seed = seed
    finish = poll_stop(stop, solver.stop_search)
    try:
        status = solver.solve(model)
    finally:
        finish()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    kept = [route for route in plan.routes() if kept_vehicle[route.vehicle]]
    return tuple(kept + [route for route, x in chosen if solver.boolean_value(x)])
