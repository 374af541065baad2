"""Ruin and recreate: every plan it returns keeps every hard rule and is priced exactly."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Dataset, Policy
from matchmaker.plan import dispatch, verify
from matchmaker.solve import Route, Solution, objective_terms
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._lns import ruin_and_recreate
from matchmaker.solve._lns_state import Plan
from tests.problem_factory import (
    make_problem,
    missing_pins,
    problem_violations,
    random_problem,
    random_problems,
)
from tests.strategies import datasets

POLICY = Policy()
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _solution(routes: tuple[Route, ...]) -> Solution:
    return Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW)
@given(
    problem=random_problems(
        max_workers=10, max_jobs=40, min_jobs=1, team_shares=(0.0, 0.3), pin_shares=(0.0, 0.2)
    ),
    seed=st.integers(0, 2**31 - 1),
)
def test_random_rounds_stay_valid_and_never_get_worse(problem: Problem, seed: int) -> None:
    """From the greedy plan, a few hundred moves keep every rule and pin, teams whole and
    synchronised, and return a plan no worse than the start, priced as documented."""
    costs = Costs.of(problem, POLICY)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    routes, stats = ruin_and_recreate(
        problem, POLICY, costs, start.routes, time.perf_counter() + 10.0, seed, iterations=150
    )
    solution = _solution(routes)
    assert problem_violations(problem, solution) == []
    assert missing_pins(problem, solution) == set()
    assert plan_cost(problem, costs, routes) <= start.objective
    assert stats.iterations == 150 or problem.n_jobs == 0


def test_the_plan_prices_itself_as_the_objective_does() -> None:
    """After loading, removing and re-inserting, the plan's running cost equals the
    documented objective of its routes (drop penalties of partial teams included)."""
    problem = random_problem(5, 8, 30, n_modes=2, team_share=0.3, pin_share=0.1)
    costs = Costs.of(problem, POLICY)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    plan = Plan(problem, POLICY, costs)
    plan.load(start.routes)
    assert plan.objective() == objective_terms(problem, plan.routes(), POLICY).total
    served = np.flatnonzero(plan.served() & ~plan.pinned_job)
    plan.remove(served[:5])
    assert plan.objective() == objective_terms(problem, plan.routes(), POLICY).total
    assert problem_violations(problem, _solution(plan.routes())) == []


def test_a_team_job_is_removed_from_every_member() -> None:
    """Removing a team job takes it off all its members' routes at once."""
    problem = random_problem(9, 8, 30, team_share=0.5)
    costs = Costs.of(problem, POLICY)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    plan = Plan(problem, POLICY, costs)
    plan.load(start.routes)
    teams = np.flatnonzero(plan.served() & (problem.job_team > 1))
    assert teams.size > 0
    plan.remove(teams[:1])
    assert not any(int(teams[0]) in r.jobs for r in plan.routes())
    assert problem_violations(problem, _solution(plan.routes())) == []


def test_an_unserved_job_of_higher_value_takes_the_place_of_a_lower_one() -> None:
    """One worker, two overlapping jobs: the greedy start serves the low-priority one; the
    exchange move swaps it for the high-priority job."""
    problem = make_problem(
        n_workers=1,
        n_jobs=2,
        earliest=[100, 100],
        latest=[100, 100],
        duration=[60, 60],
        priority=[1, 5],
    )
    costs = Costs.of(problem, POLICY)
    low_first = (Route(vehicle=0, jobs=(0,), starts=(100,)),)
    routes, _ = ruin_and_recreate(
        problem, POLICY, costs, low_first, time.perf_counter() + 5.0, 0, iterations=50
    )
    assert [r.jobs for r in routes] == [(1,)]


@settings(max_examples=10, deadline=None, suppress_health_check=_SLOW)
@given(datasets(max_workers=4, max_jobs=8))
def test_routing_plans_with_ruin_and_recreate_pass_verify(dataset: Dataset) -> None:
    """Through the whole dispatch, the routing plans (ruin and recreate on) break no rule."""
    result = dispatch(dataset, solver="routing", time_limit=0.5, seed=0)
    assert verify(dataset, result.plan) == []


def test_the_policy_switch_turns_the_search_off() -> None:
    """``ruin_and_recreate = false`` leaves the routing backend to guided local search."""
    from matchmaker.solve import get_solver

    problem = random_problem(3, 30, 90, team_share=0.05)
    solve = get_solver("routing")
    on = solve(problem, policy=POLICY, time_limit=1.0, seed=0)
    off = solve(
        problem,
        policy=POLICY.model_copy(update={"ruin_and_recreate": False}),
        time_limit=1.0,
        seed=0,
    )
    assert on.stats["lns_moves"] > 0
    assert "lns_moves" not in off.stats
    for solution in (on, off):
        assert problem_violations(problem, solution) == []


def test_the_worst_removal_draws_the_longest_detour_first() -> None:
    """One route of three visits whose middle one is a long way off: the worst removal
    takes that visit more often than the other two together."""
    from matchmaker.solve._lns import _Search

    travel = np.array([[0, 80, 5], [80, 0, 80], [5, 80, 0]])
    problem = make_problem(n_workers=1, n_jobs=3, travel=travel)
    search = _Search(problem, POLICY, Costs.of(problem, POLICY), 0)
    search.plan.load((Route(vehicle=0, jobs=(0, 1, 2), starts=(10, 150, 290)),))
    assert problem_violations(problem, _solution(search.plan.routes())) == []
    drawn = [int(job) for _ in range(200) for job in search._worst(1)]
    assert drawn.count(1) > 0.5 * len(drawn)  # rank 0 of 3 is drawn with 69 % odds


def test_nearest_jobs_put_jobs_that_cannot_share_a_shift_last() -> None:
    """Two days of 600-minute shifts: a job's nearest jobs are those of its own day, even
    when a job of the other day is at its door; the job itself comes first."""
    from matchmaker.solve._lns import nearest_jobs

    # Jobs 0-2 on day 0, job 3 on day 1, in the same place as job 0.
    travel = np.array([[0, 30, 40, 0], [30, 0, 20, 30], [40, 20, 0, 40], [0, 30, 40, 0]])
    problem = make_problem(
        n_workers=1,
        n_jobs=4,
        shifts=[(0, 0, 600), (0, 1440, 2040)],
        earliest=[0, 60, 120, 1440],
        latest=[300, 360, 420, 1740],
        travel=travel,
    )
    near = nearest_jobs(problem, 2)
    assert near.tolist() == [[0, 1, 2], [1, 2, 0], [2, 1, 0], [3, 0, 1]]
