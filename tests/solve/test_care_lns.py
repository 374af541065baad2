"""The home-care search's ruin and recreate (``solve._care_lns``): every plan it returns is
valid, never worse than where it started, and the compaction only moves starts earlier."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from matchmaker.compile import Problem, compile_problem
from matchmaker.model import Dataset, Policy, TimeWindow
from matchmaker.plan import Violation, build_plan, verify
from matchmaker.solve import Route, Solution
from matchmaker.solve import _rules_routing as rules_routing
from matchmaker.solve._breaks import fit_breaks
from matchmaker.solve._care_lns import compact, ruin_and_recreate
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_start import insert_all
from matchmaker.solve._objective import objective_terms
from tests.rules.world import at, job, world
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
def test_ruin_and_recreate_keeps_a_valid_plan_valid_and_never_worse(dataset: Dataset) -> None:
    """From a valid first plan, the loop (any seed) returns a plan that breaks no hard rule
    (linked visits, breaks and the way home included), keeps every team and pinned visit
    where it was, and costs no more than the first plan."""
    problem = compile_problem(dataset)
    policy = dataset.settings.policy
    costs = Costs.of(problem, policy)
    start = fit_breaks(problem, insert_all(problem, policy, costs))
    assume(_violations(dataset, problem, start) == [])
    first = objective_terms(problem, start, policy).total
    for seed in (0, 1):
        found, stats = ruin_and_recreate(
            problem, policy, costs, start, np.random.default_rng(seed), 60.0, max_iterations=15
        )
        found = fit_breaks(problem, found)
        assert _violations(dataset, problem, found) == [], seed
        assert _fixed(problem, found) == _fixed(problem, start)
        assert objective_terms(problem, found, policy).total <= first
        assert stats.iterations <= 15


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(max_workers=3, max_jobs=6, rules=True))
def test_compact_only_moves_starts_earlier_and_keeps_the_plan_valid(dataset: Dataset) -> None:
    """Compacting a valid plan with a visit taken out keeps it valid and moves no start
    later (the links still hold against the partners' new starts)."""
    problem = compile_problem(dataset)
    policy = dataset.settings.policy
    start = fit_breaks(problem, insert_all(problem, policy, Costs.of(problem, policy)))
    assume(_violations(dataset, problem, start) == [])
    link_to = problem.rules.link_to if problem.rules is not None else None
    free = (problem.job_team == 1) & ~problem.pinned.any(axis=0)
    if link_to is not None:
        free &= (link_to < 0) & ~np.isin(np.arange(problem.n_jobs), link_to)
    routes = [r for r in start if r.jobs and free[r.jobs[0]]]
    if not routes:
        return  # nothing the compaction could move: the other test covers the loop
    route = routes[0]
    thinned = tuple(
        r if r is not route else Route(vehicle=r.vehicle, jobs=r.jobs[1:], starts=r.starts[1:])
        for r in start
    )
    compacted = compact(problem, thinned)
    assert _violations(dataset, problem, tuple(r for r in compacted if r.jobs)) == []
    for before, after in zip(thinned, compacted, strict=True):
        assert before.jobs == after.jobs
        assert all(a <= b for a, b in zip(after.starts, before.starts, strict=True))


def _due_world() -> Dataset:
    """Three one-hour jobs for one worker, all due at 09:00 inside 09:00-14:00."""
    window = TimeWindow(start=at(9), end=at(14))
    return world(jobs=[job(f"J{k}", window=window, due_start=at(9)) for k in range(3)])


@pytest.mark.parametrize("loop", [True, False])
def test_the_home_care_search_runs_the_loop_unless_the_policy_says_not(loop: bool) -> None:
    """On a round with soft windows and time for three runs, ruin and recreate is the main
    search; ``ruin_and_recreate = false`` leaves guided local search alone. Both plans
    serve every job and pass the verifier."""
    dataset = _due_world()
    policy = Policy(lateness_cost_per_minute=1, ruin_and_recreate=loop)
    problem = compile_problem(dataset)
    solution = rules_routing.solve(problem, policy=policy, time_limit=3.0, seed=0)
    assert (solution.stats["lns_iterations"] > 0) == loop
    plan = build_plan(dataset, problem, solution, policy)
    assert verify(dataset, plan) == []
    assert len(plan.assignments) == 3


@pytest.mark.parametrize(
    ("copies", "time_limit", "expected"),
    [
        (13, 60.0, (20, False)),  # a small round, time to spare: restarts (at most 20)
        (65, 60.0, (7, False)),  # seven runs fit: restarts
        (65, 30.0, (2, True)),  # three runs fit: too few, the loop is the main search
        (80, 600.0, (2, True)),  # 80 visits and up: the loop, whatever the time
        (400, 120.0, (2, True)),
    ],
)
def test_the_loop_is_the_main_search_on_large_rounds_or_short_limits(
    copies: int, time_limit: float, expected: tuple[int, bool]
) -> None:
    """Restarts while more than five runs fit and the round has under 80 visits; else the
    loop from the first plan. Without the loop (policy) it stays restarts; a deterministic
    run is one run."""
    assert rules_routing.plan_runs(copies, time_limit, loop=True, deterministic=False) == expected
    runs, main = rules_routing.plan_runs(copies, time_limit, loop=False, deterministic=False)
    assert not main and runs >= 1
    assert rules_routing.plan_runs(copies, time_limit, loop=True, deterministic=True) == (1, False)
