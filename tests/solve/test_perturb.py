"""The home-care search's kick (``solve._perturb.shake``): related visits out and back in
at fixed starts, the plan still valid."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings

from matchmaker.compile import Problem, compile_problem
from matchmaker.model import Dataset
from matchmaker.plan import Violation, build_plan, verify
from matchmaker.solve import Route, Solution
from matchmaker.solve._breaks import fit_breaks
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import insert_all
from matchmaker.solve._perturb import shake
from tests.strategies import datasets


def _violations(dataset: Dataset, problem: Problem, routes: tuple[Route, ...]) -> list[Violation]:
    solution = Solution(routes=routes, objective=0, backend="routing", seed=0, solve_seconds=0.0)
    return verify(dataset, build_plan(dataset, problem, solution, dataset.settings.policy))


def _fixed(problem: Problem, routes: tuple[Route, ...]) -> set[tuple[int, int, int]]:
    """(vehicle, job, start) of the team and pinned visits."""
    keep = (problem.job_team > 1) | problem.pinned.any(axis=0)
    return {
        (r.vehicle, j, s) for r in routes for j, s in zip(r.jobs, r.starts, strict=True) if keep[j]
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(max_workers=3, max_jobs=6, rules=True))
def test_a_shaken_valid_plan_stays_valid_and_keeps_team_and_pinned_visits(
    dataset: Dataset,
) -> None:
    """From a valid first plan, any share shaken with any seed gives a plan that breaks no
    hard rule (linked visits, breaks and the way home included), with every team and pinned
    visit where it was."""
    problem = compile_problem(dataset)
    policy = dataset.settings.policy
    costs = Costs.of(problem, policy)
    start = fit_breaks(problem, insert_all(problem, policy, costs))
    assume(_violations(dataset, problem, start) == [])
    for seed, share in ((0, 0.2), (1, 0.5), (2, 1.0)):
        shaken = fit_breaks(
            problem, shake(problem, policy, costs, start, np.random.default_rng(seed), share)
        )
        assert _violations(dataset, problem, shaken) == [], (seed, share)
        assert _fixed(problem, shaken) == _fixed(problem, start)
