"""What every backend gets from the registry: the rules across the round kept, and a clear
refusal where a backend cannot honour an objective term.

:func:`round_rules` wraps a backend's ``solve``: it plans a customer with a continuity cap
inside a care team (:func:`matchmaker.solve._continuity.within_care_teams`; a backend that
keeps the cap itself, :data:`CAP_GUARDED_SOLVERS`, plans without teams too), the limits
across days and the continuity cap are enforced on what it returns
(:func:`matchmaker.solve._limits.enforce`), and the
greedy backend refuses a policy with a workload balance weight, which it cannot optimise.
With the home-care rules of :mod:`matchmaker.compile._linked` as well, the trim keeps
every start and the refill inserts at fixed starts (see :mod:`matchmaker.solve._limits`).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import replace

from matchmaker.compile import Problem
from matchmaker.model import Policy, RequestError
from matchmaker.solve._continuity import within_care_teams
from matchmaker.solve._limits import enforce
from matchmaker.solve._solution import ProgressCallback, Solution, Solver

__all__ = ["BALANCING_SOLVERS", "CAP_GUARDED_SOLVERS", "round_rules"]

BALANCING_SOLVERS: tuple[str, ...] = ("routing", "cpsat")
"""The backends that optimise ``policy.balance_cost_per_minute`` (workload balance)."""
CAP_GUARDED_SOLVERS: tuple[str, ...] = ("greedy",)
"""The backends whose insertion keeps the continuity cap itself
(:class:`~matchmaker.solve._limits.LimitGuard`): they also plan without care teams, and
the better plan is kept. On the bundled week under a cap of one worker per customer the
greedy served 418 visits (objective 804,191) without teams against 404 (848,985) with
them; where one worker can take all of a customer's visits, the teams do better."""


def round_rules(name: str, solve: Solver) -> Solver:
    """``solve`` (backend ``name``) keeping the rules across the round (module docstring)."""

    @functools.wraps(solve)
    def wrapped(
        problem: Problem,
        *,
        policy: Policy,
        time_limit: float,
        seed: int,
        warm_start: Solution | None = None,
        progress: ProgressCallback | None = None,
        deterministic: bool = False,
        stop: threading.Event | None = None,
    ) -> Solution:
        if policy.balance_cost_per_minute > 0 and name not in BALANCING_SOLVERS:
            raise RequestError(
                f"the {name} solver cannot honour the workload balance rule "
                f"(policy balance_cost_per_minute = {policy.balance_cost_per_minute}); "
                f"use {' or '.join(BALANCING_SOLVERS)}, or set it to 0"
            )
        began = time.perf_counter()
        narrowed = within_care_teams(problem)
        solution = solve(
            narrowed,
            policy=policy,
            time_limit=time_limit,
            seed=seed,
            warm_start=warm_start,
            progress=progress,
            deterministic=deterministic,
            stop=stop,
        )
        solution = enforce(problem, policy, solution, fill=narrowed is not problem)
        left = time_limit - (time.perf_counter() - began)
        if narrowed is problem or name not in CAP_GUARDED_SOLVERS or left <= 0:
            return solution
        if stop is not None and stop.is_set():
            return solution
        # This backend keeps the cap itself while it builds, one visit at a time: the
        # teams see the customer whole, but may leave out visits other workers could take.
        free = solve(
            problem,
            policy=policy,
            time_limit=left,
            seed=seed,
            warm_start=warm_start,
            deterministic=deterministic,
            stop=stop,
        )
        free = enforce(problem, policy, free)
        best = free if free.objective < solution.objective else solution
        return replace(best, solve_seconds=time.perf_counter() - began)

    return wrapped
