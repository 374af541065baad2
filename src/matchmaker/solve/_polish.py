"""Less travel for the same served jobs: guided local search over the whole round on the
jobs the plan serves.

Ruin and recreate (:mod:`matchmaker.solve._lns`) chooses *which* jobs are served; its
cheapest insertions leave travel that relocating, exchanging and re-ordering visits
between routes would shorten. The sub-round search of :mod:`matchmaker.solve._routing`
can do that only among the vehicles of one geographic part, and spends its moves on the
unserved jobs of that part too. This phase builds one routing model over every vehicle
and only the served jobs (unserved jobs are left out, so none is inserted and none is
dropped: dropping a served job always costs more than any travel it saves), and lets
guided local search move visits anywhere, team jobs whole with one start.

It pays when the model is cheap: with equal match costs per worker (none, as under the
objective VROOM minimises) all shifts of one travel mode share a cost matrix
(:func:`~matchmaker.solve._routing_model.build_model`), so the model holds
``modes x nodes^2`` integers; a round whose matrices cannot be shared is not polished.
A round with more than :data:`MAX_VEHICLES` vehicles or :data:`MAX_COPIES` served copies
is polished in groups of shifts in order of their start (a week: a day or two at a time),
each group searched in turn for a share of the time in proportion to its copies; a team
job with members in another group keeps its members and start there (pins, as in
:mod:`matchmaker.solve._decompose`).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._decompose import merge, sub_round
from matchmaker.solve._routing_search import improve
from matchmaker.solve._solution import Route

__all__ = ["MAX_COPIES", "MAX_VEHICLES", "MIN_SECONDS", "groups", "polish", "polishable"]

IntArray = npt.NDArray[np.int64]

MAX_VEHICLES = 250
"""Most vehicles in the one model (its search slows down with more)."""
MAX_COPIES = 600
"""Most served job copies in the one model."""
MIN_SECONDS = 0.5
"""Less search time than this is not worth building the model for."""


def polishable(problem: Problem, costs: Costs, routes: tuple[Route, ...]) -> bool:
    """Whether ``routes`` serve something and every worker prices the served jobs alike
    (so the models can share their cost matrices)."""
    if not any(route.jobs for route in routes):
        return False
    workers = np.unique(problem.vehicle_worker)
    match = costs.match_cost[np.ix_(workers, _served_jobs(routes))]
    return bool((match == match[:1]).all())


def _served_jobs(routes: tuple[Route, ...]) -> IntArray:
    return np.unique(np.concatenate([np.asarray(r.jobs, dtype=np.int64) for r in routes]))


def groups(problem: Problem, routes: tuple[Route, ...]) -> list[IntArray]:
    """Vehicles in order of shift start, cut into groups of at most :data:`MAX_VEHICLES`
    vehicles and :data:`MAX_COPIES` served copies."""
    copies = np.zeros(problem.n_vehicles, dtype=np.int64)
    for route in routes:
        copies[route.vehicle] = len(route.jobs)
    result: list[IntArray] = []
    current: list[int] = []
    held = 0
    for vehicle in np.argsort(problem.vehicle_start, kind="stable").tolist():
        if current and (len(current) >= MAX_VEHICLES or held + copies[vehicle] > MAX_COPIES):
            result.append(np.asarray(current, dtype=np.int64))
            current, held = [], 0
        current.append(vehicle)
        held += int(copies[vehicle])
    if current:
        result.append(np.asarray(current, dtype=np.int64))
    return result


def polish(
    problem: Problem,
    costs: Costs,
    routes: tuple[Route, ...],
    seconds: float,
    *,
    stop: threading.Event | None = None,
) -> tuple[Route, ...] | None:
    """``routes`` with less travel for the same served jobs, or ``None`` when the search
    found nothing cheaper (or had too little time to start)."""
    if seconds < MIN_SECONDS or not polishable(problem, costs, routes):
        return None
    deadline = time.perf_counter() + seconds
    parts = groups(problem, routes)
    members: dict[int, list[tuple[int, int]]] = {}
    for route in routes:
        for job, start in zip(route.jobs, route.starts, strict=True):
            members.setdefault(job, []).append((route.vehicle, start))
    copies = np.zeros(problem.n_vehicles, dtype=np.int64)
    for route in routes:
        copies[route.vehicle] = len(route.jobs)
    weights = [max(int(copies[part].sum()), 1) for part in parts]
    left = float(sum(weights))
    current = routes
    for part, weight in zip(parts, weights, strict=True):
        share = (deadline - time.perf_counter()) * weight / left
        left -= weight
        if stop is not None and stop.is_set():
            break
        if share < MIN_SECONDS or not copies[part].any():
            continue
        inside = set(part.tolist())
        jobs = _served_jobs(tuple(r for r in current if r.vehicle in inside))
        frozen = {
            job: members[job][0][1]
            for job in jobs.tolist()
            if any(vehicle not in inside for vehicle, _ in members[job])
        }
        sub = sub_round(problem, costs, current, part, jobs, frozen)
        warm = plan_cost(sub.problem, sub.costs, sub.routes)
        outcome = improve(sub.problem, sub.costs, sub.routes, share, stop=stop)
        if outcome is not None and plan_cost(sub.problem, sub.costs, outcome.routes) < warm:
            current = merge(current, sub, outcome.routes)
    if plan_cost(problem, costs, current) >= plan_cost(problem, costs, routes):
        return None
    return current
