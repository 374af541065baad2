"""The objective's coefficients as arrays, shared by the optimising backends.

A sub-round (a part of a round solved on its own) must be priced with the round's own
coefficients, not with those :mod:`matchmaker.solve._objective` would derive from the sub-round
(the serve value and strict-priority weights depend on the jobs present), so the solvers
carry a :class:`Costs` and evaluate plans with :func:`plan_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._fairness import busiest_work
from matchmaker.solve._objective import drop_penalties, match_costs
from matchmaker.solve._solution import Route

__all__ = ["UNLIMITED", "Costs", "insertion_worth", "plan_cost", "servable"]

IntArray = npt.NDArray[np.int64]

UNLIMITED = np.iinfo(np.int64).max
"""The worth of a job that is worth any insertion cost."""


@dataclass(frozen=True, kw_only=True)
class Costs:
    """Drop penalties, match costs and the travel rate of one round (or its part)."""

    drop_penalty: IntArray
    """(J,) penalty of leaving each job unserved."""
    match_cost: IntArray
    """(W, J) match cost of each worker for each job."""
    travel_rate: int
    """Cost of one travel minute."""
    worth: IntArray
    """(J,) the insertion cost (travel and match) at which serving each job stops paying
    (:func:`insertion_worth`)."""
    balance_rate: int = 0
    """Cost of one work minute of the busiest shift (workload balance)."""

    @classmethod
    def of(cls, problem: Problem, policy: Policy) -> Costs:
        """The coefficients of the documented objective for ``problem``."""
        penalty = drop_penalties(problem, policy)
        return cls(
            drop_penalty=penalty,
            match_cost=match_costs(problem, policy),
            travel_rate=policy.travel_cost_per_minute,
            worth=insertion_worth(problem, policy, penalty),
            balance_rate=policy.balance_cost_per_minute,
        )

    def restricted(self, workers: IntArray, jobs: IntArray) -> Costs:
        """The coefficients of a part holding ``workers`` and ``jobs`` (round indices)."""
        return Costs(
            drop_penalty=self.drop_penalty[jobs],
            match_cost=self.match_cost[np.ix_(workers, jobs)],
            travel_rate=self.travel_rate,
            worth=self.worth[jobs],
            balance_rate=self.balance_rate,
        )


def insertion_worth(problem: Problem, policy: Policy, penalty: IntArray) -> IntArray:
    """Per job, the insertion cost at which serving it stops paying: its drop penalty when
    ``policy.serve_value_minutes`` prices serving, else :data:`UNLIMITED`.

    Without ``serve_value_minutes`` the penalty already exceeds any insertion cost, so
    every insertion pays. A pinned job (to a worker or to a start) was promised: it is worth
    any cost.
    """
    if policy.serve_value_minutes is None:
        return np.full(problem.n_jobs, UNLIMITED, dtype=np.int64)
    worth: IntArray = np.where(problem.pinned_jobs, UNLIMITED, penalty).astype(np.int64)
    return worth


def plan_cost(problem: Problem, costs: Costs, routes: tuple[Route, ...]) -> int:
    """The objective of ``routes`` under ``costs`` (equal to ``objective_terms().total``
    when ``costs`` are the problem's own)."""
    served = np.zeros(problem.n_jobs, dtype=bool)
    total = 0
    for route in routes:
        if not route.jobs:
            continue
        jobs = np.asarray(route.jobs, dtype=np.intp)
        served[jobs] = True
        worker = int(problem.vehicle_worker[route.vehicle])
        mode = int(problem.vehicle_mode[route.vehicle])
        travel = int(problem.travel_home_job[route.vehicle, jobs[0]]) + int(
            problem.travel_job_job[mode, jobs[:-1], jobs[1:]].sum()
        )
        total += costs.travel_rate * travel + int(costs.match_cost[worker, jobs].sum())
    balance = costs.balance_rate * busiest_work(problem, routes) if costs.balance_rate else 0
    return total + int(costs.drop_penalty[~served].sum()) + balance


def servable(problem: Problem) -> npt.NDArray[np.bool_]:
    """Jobs with enough eligible or pinned vehicles to be served at all."""
    candidates = (problem.eligible | problem.pinned).sum(axis=0)
    return np.asarray((candidates >= problem.job_team) | problem.pinned.any(axis=0))
