"""What every backend gets from the registry: the rules across the round kept, and a clear
refusal where a backend cannot honour an objective term.

:func:`round_rules` wraps a backend's ``solve``: it plans a customer with a continuity cap
inside a care team (:func:`matchmaker.solve._continuity.within_care_teams`), the limits
across days and the continuity cap are enforced on what it returns
(:func:`matchmaker.solve._limits.enforce`), and the
greedy backend refuses a policy with a workload balance weight, which it cannot optimise.
With the home-care rules of :mod:`matchmaker.compile._linked` as well, the trim keeps
every start and there is no refill (see :mod:`matchmaker.solve._limits`).
"""

from __future__ import annotations

import functools
import threading

from matchmaker.compile import Problem
from matchmaker.model import Policy, RequestError
from matchmaker.solve._continuity import within_care_teams
from matchmaker.solve._limits import enforce
from matchmaker.solve._solution import ProgressCallback, Solution, Solver

__all__ = ["BALANCING_SOLVERS", "round_rules"]

BALANCING_SOLVERS: tuple[str, ...] = ("routing", "cpsat")
"""The backends that optimise ``policy.balance_cost_per_minute`` (workload balance)."""


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
        return enforce(problem, policy, solution, fill=narrowed is not problem)

    return wrapped
