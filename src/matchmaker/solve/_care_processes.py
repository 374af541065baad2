"""The home-care loop (:mod:`matchmaker.solve._care_lns`) in several processes.

The processes are those of :mod:`matchmaker.solve._processes`: the lead forks helpers that
run the loop from the same plan with seeds of their own, until the same deadline. At each
point :data:`~matchmaker.solve._care_lns.MEET_AT` every helper sends the lead its best plan;
the lead sends back the best plan of all, and every process goes on from it. At the end the
lead keeps the best plan of all. Unlike ruin and recreate over a round without rules, the
loop has no route pool to share: routes are tied together by links and breaks across
routes, so a plan is exchanged whole.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._care_lns import CareLnsStats, ruin_and_recreate
from matchmaker.solve._costs import Costs
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._processes import (
    Helpers,
    LeadLink,
    decode_routes,
    encode_routes,
    helper_seed,
    process_count,
    search_in_processes,
)
from matchmaker.solve._solution import Route

__all__ = ["pooled_care_ruin_and_recreate"]


def pooled_care_ruin_and_recreate(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    rng: np.random.Generator,
    seconds: float,
    *,
    stop: threading.Event | None = None,
    on_best: Callable[[tuple[Route, ...], int], None] | None = None,
) -> tuple[tuple[Route, ...], CareLnsStats]:
    """:func:`~matchmaker.solve._care_lns.ruin_and_recreate` in
    :func:`~matchmaker.solve._processes.process_count` processes (module docstring)."""
    search = functools.partial(
        ruin_and_recreate, problem, policy, costs, routes, rng, seconds, stop=stop, on_best=on_best
    )
    count = process_count(policy, seconds, bounded_by_work=False)
    if count == 1:
        return search()
    deadline = time.perf_counter() + seconds
    seed = int(rng.integers(2**62))
    return search_in_processes(
        count,
        deadline,
        stop,
        lambda helpers: search(meet=functools.partial(_lead_meet, helpers)),
        lambda k: functools.partial(
            _helper_search, problem, policy, costs, routes, deadline, helper_seed(seed, k)
        ),
        lambda plan: objective_terms(problem, plan, policy).total,
    )


def _lead_meet(helpers: Helpers, best: tuple[Route, ...], cost: int) -> tuple[Route, ...]:
    """The best plan of all processes, sent to every helper (the loop prices what it
    goes on from)."""
    for message in helpers.gather("offer"):
        if message["objective"] < cost:
            best, cost = decode_routes(message["routes"]), message["objective"]
    helpers.reply(best)
    return best


def _helper_search(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
    link: LeadLink,
) -> dict[str, Any]:
    """A helper's loop: at each point it offers its best plan and goes on from the lead's."""

    def meet(best: tuple[Route, ...], cost: int) -> tuple[Route, ...] | None:
        return link.exchange({"objective": cost, "routes": encode_routes(best)})

    rng = np.random.default_rng(seed)
    seconds = deadline - time.perf_counter()
    found, stats = ruin_and_recreate(problem, policy, costs, routes, rng, seconds, meet=meet)
    return {
        "routes": encode_routes(found),
        "iterations": stats.iterations,
        "accepted": stats.accepted,
    }
