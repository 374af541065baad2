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
``modes x nodes^2`` integers. A round whose matrices cannot be shared, or with more than
:data:`MAX_VEHICLES` vehicles or :data:`MAX_COPIES` served copies, is not polished.
"""

from __future__ import annotations

import threading

import numpy as np

from matchmaker.compile import Problem
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._decompose import merge, sub_round
from matchmaker.solve._routing_search import improve
from matchmaker.solve._solution import Route

__all__ = ["MAX_COPIES", "MAX_VEHICLES", "polish", "polishable"]

MAX_VEHICLES = 400
"""Most vehicles in the one model (its search slows down with more)."""
MAX_COPIES = 800
"""Most served job copies in the one model."""
_MIN_SECONDS = 0.5
"""Less search time than this is not worth building the model for."""


def polishable(problem: Problem, costs: Costs, routes: tuple[Route, ...]) -> bool:
    """Whether the whole-round model of ``routes`` is small enough to build and search."""
    copies = sum(len(route.jobs) for route in routes)
    if problem.n_vehicles > MAX_VEHICLES or copies > MAX_COPIES or copies == 0:
        return False
    workers = np.unique(problem.vehicle_worker)
    jobs = np.unique(np.concatenate([np.asarray(r.jobs, dtype=np.int64) for r in routes]))
    match = costs.match_cost[np.ix_(workers, jobs)]
    # Shared matrices: every worker's match costs over the served jobs are the same row.
    return bool((match == match[:1]).all())


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
    if seconds < _MIN_SECONDS or not polishable(problem, costs, routes):
        return None
    jobs = np.unique(np.concatenate([np.asarray(r.jobs, dtype=np.int64) for r in routes]))
    vehicles = np.arange(problem.n_vehicles, dtype=np.int64)
    sub = sub_round(problem, costs, routes, vehicles, jobs, {})
    warm = plan_cost(sub.problem, sub.costs, sub.routes)
    outcome = improve(sub.problem, sub.costs, sub.routes, seconds, stop=stop)
    if outcome is None or plan_cost(sub.problem, sub.costs, outcome.routes) >= warm:
        return None
    merged = merge(routes, sub, outcome.routes)
    if plan_cost(problem, costs, merged) >= plan_cost(problem, costs, routes):
        return None
    return merged
