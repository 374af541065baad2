"""Ruin and recreate in several processes that pool the routes they find.

The processes are those of :mod:`matchmaker.solve._processes`: the lead (the solving
process) forks helpers at the start of the search, each runs the same search
(:mod:`matchmaker.solve._lns`) from the same plan with a seed of its own, until the same
deadline. At each recombination point every helper sends the lead its best plan and the
routes its pool gained since the last point; the lead merges those routes into its own
pool, goes on from the best plan of all, recombines the pool
(:mod:`matchmaker.solve._recombine`) and sends the result back, and every process goes on
from it when it is better than its own best. At the end the lead keeps the best plan of
all. The helpers search on while the lead recombines (one core each: the recombination
runs one CP-SAT worker) and take the lead's plan up between their moves.

On a generated tight 200 x 600 day (routing, 30 s, default weights, seeds 1-3, 2 cores)
two processes lowered the objective from 720,747 / 721,297 / 719,851 to 709,268 /
706,269 / 707,334 and served 2,226 / 2,232 / 2,230 weighted value against 2,206 / 2,206 /
2,208: the pooled routes give the recombination more to choose from. On days that do not
bind, and on a tight 600 x 2000 day at 120 s, they were level with one process. The
recombination runs one CP-SAT worker on its LP (:mod:`matchmaker.solve._recombine`
measures it against a worker per process).

In deterministic mode (moves, not the clock, bound the search) the search stays in one
process.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence
from typing import Any

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._lns import LnsStats, OnImprove, ruin_and_recreate
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._processes import (
    Helpers,
    LeadLink,
    decode_routes,
    encode_routes,
    helper_seed,
    process_count,
    search_in_processes,
)
from matchmaker.solve._recombine import PooledRoute, RoutePool, recombine
from matchmaker.solve._solution import Route

__all__ = ["pooled_ruin_and_recreate"]


def pooled_ruin_and_recreate(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
    *,
    iterations: int | None = None,
    stop: threading.Event | None = None,
    on_improve: OnImprove | None = None,
    pooled: Sequence[PooledRoute] = (),
) -> tuple[tuple[Route, ...], LnsStats]:
    """:func:`~matchmaker.solve._lns.ruin_and_recreate` in
    :func:`~matchmaker.solve._processes.process_count` processes (module docstring);
    ``pooled`` routes go to the pool of the process that recombines."""
    count = process_count(
        policy, deadline - time.perf_counter(), bounded_by_work=iterations is not None
    )
    search = functools.partial(
        ruin_and_recreate,
        problem,
        policy,
        costs,
        routes,
        deadline,
        seed,
        stop=stop,
        on_improve=on_improve,
        pooled=pooled,
    )
    if count == 1:
        return search(iterations=iterations)
    return search_in_processes(
        count,
        deadline,
        stop,
        lambda helpers: search(meet=functools.partial(_lead_meet, helpers, problem, seed, stop)),
        lambda k: functools.partial(
            _helper_search, problem, policy, costs, routes, deadline, helper_seed(seed, k)
        ),
        functools.partial(plan_cost, problem, costs),
    )


def _lead_meet(
    helpers: Helpers,
    problem: Problem,
    seed: int,
    stop: threading.Event | None,
    pool: RoutePool,
    plan: Plan,
    seconds: float,
) -> tuple[Route, ...]:
    """Merge the helpers' routes, go on from the best plan of all, recombine, and send the
    result back (module docstring)."""
    for message in helpers.gather("offer"):
        pool.merge(_decode_pool(message["pool"]))
        if message["objective"] < plan.objective():
            plan.reload(decode_routes(message["routes"]))
    found = recombine(problem, pool, plan, seconds, seed, stop)
    # Without a recombined plan, the best of all (maybe a helper's) goes on.
    routes = found if found is not None else plan.routes()
    helpers.reply(routes)
    return routes


def _helper_search(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
    link: LeadLink,
) -> dict[str, Any]:
    """A helper's search: at each point it offers its best plan and its new routes, and
    searches on while the lead recombines; the lead's plan comes in between moves."""
    sent = 0

    def meet(pool: RoutePool, plan: Plan, _seconds: float) -> None:
        nonlocal sent
        offer = {
            "objective": plan.objective(),
            "routes": encode_routes(plan.routes()),
            "pool": _encode_pool(pool, sent),
        }
        sent = len(pool.routes)
        link.post(offer)

    found, stats = ruin_and_recreate(
        problem, policy, costs, routes, deadline, seed, meet=meet, inbox=link.collect
    )
    return {
        "routes": encode_routes(found),
        "iterations": stats.iterations,
        "accepted": stats.accepted,
    }


def _encode_pool(pool: RoutePool, count: int) -> list[list[Any]]:
    return [[v, list(jobs), cost, list(starts)] for v, jobs, cost, starts in pool.since(count)]


def _decode_pool(data: list[list[Any]]) -> list[PooledRoute]:
    return [(int(v), tuple(jobs), int(cost), tuple(starts)) for v, jobs, cost, starts in data]
