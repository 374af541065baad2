"""The searches' compiled kernels, built before a solve's clock starts.

The kernels (``_*_kernel.py``, numba) are compiled on first use and cached on disk beside
the package, and the cache fills only with what a solve runs. Until then the first solve
of a process compiled them inside its time limit: after the cache was cleared, a
generated 20 x 60 round with a 5 s limit took 20.6 s, and a 200 x 600 round with 10 s took
15.7 s and served 470 jobs against 513 with the cache filled (``matchmaker dispatch``,
each run alone). :func:`warm_kernels` runs each kernel once on a small round, so that it
compiles (or loads from the cache) there: every kernel takes the same argument types on
any round, as the compiled :class:`~matchmaker.compile.Problem` holds its arrays in fixed
types.
"""

from __future__ import annotations

import time

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._bound import column_bound
from matchmaker.solve._care_lns import ruin_and_recreate as care_ruin_and_recreate
from matchmaker.solve._costs import Costs
from matchmaker.solve._insertion_state import InsertionState
from matchmaker.solve._lns import ruin_and_recreate
from matchmaker.solve._rules_routing import first_plan, searches

__all__ = ["warm_kernels"]

MOVES = 30
"""Moves of each search: enough for each ruin and each recreate kernel to run."""
_NO_LIMIT = 3600.0


def warm_kernels(problem: Problem, policy: Policy) -> None:
    """Run on ``problem`` the search it takes (the round's own, or the one for home-care
    rules) and, on a round without those rules, one step of the lower bound's walks, so that
    their kernels are compiled. ``problem`` should be small: beyond compiling, this costs
    its search."""
    costs = Costs.of(problem, policy)
    if searches(problem, policy):
        routes, _ = first_plan(problem, policy, costs, 1, time.perf_counter())
        rng = np.random.default_rng(1)
        care_ruin_and_recreate(problem, policy, costs, routes, rng, _NO_LIMIT, max_iterations=MOVES)
        # A push alone runs only for a visit with two followers or more, which a small
        # round may not have.
        job = int(problem.job_team.argmin())
        InsertionState.of_routes(problem, policy, costs, ()).push(0, 0, job, 0)
        return
    start = greedy.solve(problem, policy=policy, time_limit=_NO_LIMIT, seed=1)
    deadline = time.perf_counter() + _NO_LIMIT
    ruin_and_recreate(problem, policy, costs, start.routes, deadline, 1, iterations=MOVES)
    # The walks price every shift by each of the bound's kernels (one step at least).
    column_bound(problem, costs).walks(0.0, 1, float(start.objective), true_legs=True)
