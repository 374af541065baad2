"""Recombination of pooled routes: the plan it returns keeps every rule and pin, costs no
more than the plan it starts from, and can put together routes no single plan held."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Route, Solution
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._lns import ruin_and_recreate
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._recombine import (
    MAX_STRETCH,
    STRETCH_ROUTES,
    RoutePool,
    _offered,
    budget,
    priced_routes,
    recombine,
)
from matchmaker.solve._schedule import routes_with_starts
from tests.problem_factory import make_problem, missing_pins, problem_violations, random_problems

POLICY = Policy()
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
_ROUNDS = random_problems(
    max_workers=8, max_jobs=30, min_jobs=1, team_shares=(0.0, 0.3), pin_shares=(0.0, 0.2)
)


def _solution(routes: tuple[Route, ...]) -> Solution:
    return Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)


def _pooled(problem: Problem, plans: list[tuple[Route, ...]]) -> tuple[Plan, RoutePool]:
    """A plan loaded with the last of ``plans``, and a pool of the routes of the others."""
    pool = RoutePool(problem)
    for routes in plans[:-1]:
        earlier = Plan(problem, POLICY, Costs.of(problem, POLICY))
        earlier.load(routes)
        pool.add(earlier, np.arange(problem.n_vehicles))
    plan = Plan(problem, POLICY, Costs.of(problem, POLICY))
    plan.load(plans[-1])
    return plan, pool


def _searched_plans(problem: Problem, costs: Costs) -> list[tuple[Route, ...]]:
    """A greedy plan and two short searches from another: routes to pool."""
    first = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).routes
    return [greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=1).routes] + [
        ruin_and_recreate(problem, POLICY, costs, first, time.perf_counter() + 5.0, s,
                          iterations=30)[0]
        for s in range(2)
    ]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW)
@given(problem=_ROUNDS)
def test_recombined_plans_keep_every_rule_and_never_cost_more(problem: Problem) -> None:
    """Pooling the greedy plans of three seeds and recombining from a fourth keeps every
    rule and pin (teams whole and synchronised) and costs at most what that plan does."""
    costs = Costs.of(problem, POLICY)
    plans = [greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=s).routes for s in range(4)]
    plan, pool = _pooled(problem, plans)
    before = plan_cost(problem, costs, plan.routes())
    routes = recombine(problem, pool, plan, 2.0, 0)
    if not pool.routes:  # every route holds a team or pinned job: nothing to recombine
        assert routes is None
        return
    assert routes is not None
    solution = _solution(routes)
    assert problem_violations(problem, solution) == []
    assert missing_pins(problem, solution) == set()
    assert plan_cost(problem, costs, routes) <= before


@settings(max_examples=20, deadline=None, suppress_health_check=_SLOW)
@given(
    problem=random_problems(
        max_workers=3, max_jobs=9, min_jobs=1, team_shares=(0.0,), pin_shares=(0.0,)
    )
)
def test_the_recombined_plan_is_the_cheapest_choice_of_pooled_routes(problem: Problem) -> None:
    """On a small round without teams or pins, the recombined plan costs exactly what the
    cheapest choice of at most one pooled route per shift, each job at most once, costs
    (every choice enumerated)."""
    costs = Costs.of(problem, POLICY)
    plan, pool = _pooled(problem, _searched_plans(problem, costs))
    routes = recombine(problem, pool, plan, 5.0, 0)
    if not pool.routes:  # no plan served anything: nothing to recombine
        assert routes is None
        return
    assert routes is not None
    assert plan_cost(problem, costs, routes) == _cheapest_schedulable(problem, pool, plan.penalty)
    assert problem_violations(problem, _solution(routes)) == []


def test_routes_of_two_plans_are_put_together() -> None:
    """One plan serves job 0 with worker 0, another job 1 with worker 1: the recombined
    plan serves both, for less than either."""
    problem = make_problem(n_workers=2, n_jobs=2, eligible=[[True, False], [False, True]])
    costs = Costs.of(problem, POLICY)
    first = (Route(vehicle=0, jobs=(0,), starts=(10,)),)
    second = (Route(vehicle=1, jobs=(1,), starts=(10,)),)
    plan, pool = _pooled(problem, [second, first])
    routes = recombine(problem, pool, plan, 2.0, 0)
    assert routes is not None
    assert sorted((r.vehicle, r.jobs) for r in routes) == [(0, (0,)), (1, (1,))]
    assert problem_violations(problem, _solution(routes)) == []
    cost = plan_cost(problem, costs, routes)
    assert cost < min(plan_cost(problem, costs, first), plan_cost(problem, costs, second))


def test_a_team_job_is_put_together_from_routes_of_two_plans() -> None:
    """A team job's members may come from different plans: they meet where every chosen
    route's window for it allows (here at minute 80, after job 1 on shift 1), and the
    plan that serves both jobs with the near worker costs less than either plan."""
    problem = make_problem(
        n_workers=3, n_jobs=2, team=[2, 1], home_travel=[[10, 10], [10, 10], [100, 100]]
    )
    costs = Costs.of(problem, POLICY)
    pooled = (
        Route(vehicle=0, jobs=(0,), starts=(10,)),
        Route(vehicle=1, jobs=(0,), starts=(10,)),
    )
    current = (
        Route(vehicle=1, jobs=(1, 0), starts=(10, 100)),
        Route(vehicle=2, jobs=(0,), starts=(100,)),
    )
    plan, pool = _pooled(problem, [pooled, current])
    routes = recombine(problem, pool, plan, 2.0, 0)
    assert routes is not None
    assert {r.vehicle: (r.jobs, r.starts) for r in routes} == {
        0: ((0,), (80,)),
        1: ((1, 0), (10, 80)),
    }
    assert problem_violations(problem, _solution(routes)) == []
    assert plan_cost(problem, costs, routes) < plan_cost(problem, costs, current)


def test_team_members_whose_windows_do_not_meet_are_not_chosen_together() -> None:
    """Shift 0 can start the team job only at minute 10 (job 1 follows at 80), shift 1
    only from 270 (after job 2 at 200): serving all three jobs with those two routes is
    cheapest but cannot be scheduled, so the plan serves the team job and one other."""
    problem = make_problem(
        n_workers=2, n_jobs=3, team=[2, 1, 1], earliest=[0, 80, 200], latest=[540, 80, 200]
    )
    first = (
        Route(vehicle=0, jobs=(0, 1), starts=(10, 80)),
        Route(vehicle=1, jobs=(0,), starts=(10,)),
    )
    second = (
        Route(vehicle=0, jobs=(0,), starts=(270,)),
        Route(vehicle=1, jobs=(2, 0), starts=(200, 270)),
    )
    current = (
        Route(vehicle=0, jobs=(1,), starts=(80,)),
        Route(vehicle=1, jobs=(2,), starts=(200,)),
    )
    plan, pool = _pooled(problem, [first, second, current])
    routes = recombine(problem, pool, plan, 2.0, 0)
    assert routes is not None
    assert {r.vehicle: r.jobs for r in routes} in ({0: (0, 1), 1: (0,)}, {0: (0,), 1: (2, 0)})
    assert problem_violations(problem, _solution(routes)) == []


def test_a_team_job_is_never_given_two_shifts_of_one_worker() -> None:
    """Shifts 0 and 1 are one worker's: the cheapest pair of routes for the team job
    would be theirs, but its members must be distinct workers."""
    problem = make_problem(
        n_workers=2, n_jobs=1, team=[2], shifts=[(0, 0, 600), (0, 0, 600), (1, 0, 600)],
        home_travel=[[10], [10], [100]],
    )  # fmt: skip
    first = (Route(vehicle=0, jobs=(0,), starts=(100,)), Route(vehicle=2, jobs=(0,), starts=(100,)))
    second = (
        Route(vehicle=1, jobs=(0,), starts=(100,)),
        Route(vehicle=2, jobs=(0,), starts=(100,)),
    )
    plan, pool = _pooled(problem, [first, second])
    routes = recombine(problem, pool, plan, 2.0, 0)
    assert routes is not None
    assert sorted(r.vehicle for r in routes) in ([0, 2], [1, 2])
    assert problem_violations(problem, _solution(routes)) == []


def _hint_is_a_solution(problem: Problem, pool: RoutePool, plan: Plan) -> bool:
    """Whether the recombination model's hint sets every variable and, with every variable
    fixed to it, is feasible: the plan it is hinted with is one of its solutions, which
    CP-SAT checks before it searches (it completes a partial hint only in the presolve
    step recombination leaves out)."""
    model = _offered(problem, pool, plan)[2].build()
    if len(model.proto.solution_hint.vars) != len(model.proto.variables):
        return False
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_time_in_seconds = 10.0
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_the_plan_given_is_a_solution_when_its_route_was_pooled_with_other_starts() -> None:
    """Shift 0's route of two team jobs was pooled at minutes 10 and 80; in the plan given
    its partner (shift 2, 50 minutes from home) makes both start at 50 and 120. The route
    is offered with the plan's starts, so the plan is a solution of the model."""
    problem = make_problem(
        n_workers=3, n_jobs=2, team=[2, 2], home_travel=[[10, 10], [10, 10], [50, 50]]
    )
    earlier = (
        Route(vehicle=0, jobs=(0, 1), starts=(10, 80)),
        Route(vehicle=1, jobs=(0, 1), starts=(10, 80)),
    )
    current = (
        Route(vehicle=0, jobs=(0, 1), starts=(50, 120)),
        Route(vehicle=2, jobs=(0, 1), starts=(50, 120)),
    )
    plan, pool = _pooled(problem, [earlier, current])
    assert pool.routes[(0, (0, 1))][1] == (10, 80)
    assert _hint_is_a_solution(problem, pool, plan)


@settings(max_examples=15, deadline=None, suppress_health_check=_SLOW)
@given(problem=_ROUNDS)
def test_the_plan_given_is_always_a_solution_of_the_model(problem: Problem) -> None:
    """Over random rounds with teams and pins, pooled from a greedy plan and two searches,
    the plan recombination starts from satisfies its model (so CP-SAT's hint is whole)."""
    costs = Costs.of(problem, POLICY)
    plan, pool = _pooled(problem, _searched_plans(problem, costs))
    assert _hint_is_a_solution(problem, pool, plan)


def test_a_pinned_route_keeps_the_routes_of_its_team_partners() -> None:
    """A shift with a pin keeps its route, and so does the partner of a team job on it:
    no pooled route replaces the partner's, so the team stays whole."""
    problem = make_problem(
        n_workers=2, n_jobs=3, team=[2, 1, 1], pins=[(0, 1)], pinned_start=[-1, 10, -1]
    )
    current = (
        Route(vehicle=0, jobs=(1, 0), starts=(10, 80)),
        Route(vehicle=1, jobs=(0,), starts=(80,)),
    )
    other = (Route(vehicle=1, jobs=(2,), starts=(10,)),)
    plan, pool = _pooled(problem, [other, current])
    assert (1, (2,)) in pool.routes
    routes = recombine(problem, pool, plan, 2.0, 0)
    assert routes is not None
    assert {r.vehicle: r.jobs for r in routes} == {0: (1, 0), 1: (0,)}
    solution = _solution(routes)
    assert problem_violations(problem, solution) == []
    assert missing_pins(problem, solution) == set()


@settings(max_examples=20, deadline=None, suppress_health_check=_SLOW)
@given(
    problem=random_problems(
        max_workers=3, max_jobs=8, min_jobs=1, team_shares=(0.3, 0.5), pin_shares=(0.0,)
    )
)
def test_with_team_jobs_the_recombined_plan_is_the_cheapest_that_can_be_scheduled(
    problem: Problem,
) -> None:
    """With team jobs and no pins, the recombined plan costs no more than the plan given
    and no less than the cheapest choice of pooled routes (at most one a shift, a single
    job at most once, a team job on as many distinct workers as it needs or on none)
    that can be scheduled with each team starting together; exactly that when no pooled
    route holds two team jobs (each route's window for its team job is then exact)."""
    costs = Costs.of(problem, POLICY)
    plan, pool = _pooled(problem, _searched_plans(problem, costs))
    before = plan_cost(problem, costs, plan.routes())
    routes = recombine(problem, pool, plan, 5.0, 0)
    if not pool.routes:  # no plan served anything: nothing to recombine
        assert routes is None
        return
    assert routes is not None
    assert problem_violations(problem, _solution(routes)) == []
    cost = plan_cost(problem, costs, routes)
    cheapest = _cheapest_schedulable(problem, pool, plan.penalty)
    assert cheapest <= cost <= before
    team = problem.job_team > 1
    if all(team[list(jobs)].sum() <= 1 for _, jobs in pool.routes):
        assert cost == cheapest


def _cheapest_schedulable(problem: Problem, pool: RoutePool, penalty: np.ndarray) -> int:
    """The least cost of a choice of pooled routes that keeps every rule across routes,
    every choice enumerated."""
    by_shift: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for (shift, jobs), (cost, _) in pool.routes.items():
        by_shift.setdefault(shift, []).append((jobs, cost))
    shifts = list(by_shift)
    cheapest = int(penalty.sum())
    for choice in itertools.product(*([((), 0), *by_shift[v]] for v in shifts)):
        counts = np.zeros(problem.n_jobs, dtype=np.int64)
        workers: set[tuple[int, int]] = set()
        for v, (jobs, _) in zip(shifts, choice, strict=True):
            counts[list(jobs)] += 1
            workers.update((int(problem.vehicle_worker[v]), j) for j in jobs)
        served = counts == problem.job_team
        if ((counts > 0) & ~served).any() or len(workers) != int(counts.sum()):
            continue
        total = sum(cost for _, cost in choice) + int(penalty[~served].sum())
        if total >= cheapest:
            continue
        sequences = {v: jobs for v, (jobs, _) in zip(shifts, choice, strict=True) if jobs}
        if routes_with_starts(problem, sequences) is not None:
            cheapest = total
    return cheapest


@settings(max_examples=5, deadline=None, suppress_health_check=_SLOW)
@given(problem=_ROUNDS, seed=st.integers(0, 2**31 - 1))
def test_a_timed_search_recombines_and_stays_valid(problem: Problem, seed: int) -> None:
    """A search given time (not moves) recombines (at half and near the end of its time);
    its plan keeps every rule and is no worse than the start, and what recombining saved
    is at most what the search saved."""
    costs = Costs.of(problem, POLICY)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    # The first moves in a process load the compiled kernels: not inside the time given.
    ruin_and_recreate(
        problem, POLICY, costs, start.routes, time.perf_counter() + 60, 0, iterations=3
    )
    routes, stats = ruin_and_recreate(
        problem, POLICY, costs, start.routes, time.perf_counter() + 1.0, seed
    )
    solution = _solution(routes)
    assert problem_violations(problem, solution) == []
    assert missing_pins(problem, solution) == set()
    assert plan_cost(problem, costs, routes) <= start.objective
    assert stats.recombine_seconds > 0 or problem.n_jobs == 0 or problem.n_vehicles == 0
    assert stats.recombine_saved <= start.objective - plan_cost(problem, costs, routes)


def test_priced_routes_keep_only_routes_a_shift_can_drive() -> None:
    """Of the routes the bound priced, a pool takes those whose visits fit their windows
    and the shift on the round's own legs, within the caps and without pinned jobs (team
    jobs may be held), at their travel and match cost with their earliest starts."""
    problem = make_problem(
        n_workers=1, n_jobs=5, earliest=[0, 100, 100, 0, 0], latest=[540, 100, 120, 540, 540],
        team=[1, 1, 1, 2, 1], pins=[(0, 4)], pinned_start=[-1, -1, -1, -1, 300],
        max_jobs=2,
    )  # fmt: skip
    costs = Costs.of(problem, POLICY)
    found = [(0, (0, 1)), (0, (0, 2)), (0, (2, 1)), (0, (0, 3)), (0, (0, 4)), (0, (0, 1, 2))]
    kept = priced_routes(problem, costs, found)
    match = int(costs.match_cost[0, 0] + costs.match_cost[0, 1])
    # Job 0 at 10 (10 minutes from home) ends at 70: job 1 starts at 100 and job 2 too.
    assert [(v, jobs, starts) for v, jobs, _, starts in kept] == [
        (0, (0, 1), (10, 100)),
        (0, (0, 2), (10, 100)),
        (0, (0, 3), (10, 80)),
    ]
    assert kept[0][2] == costs.travel_rate * 20 + match


def test_pooled_routes_reach_the_recombination(monkeypatch: pytest.MonkeyPatch) -> None:
    """Routes handed to ruin and recreate join the pool its recombination chooses from."""
    from matchmaker.solve import _lns

    problem = make_problem(n_workers=2, n_jobs=2)
    costs = Costs.of(problem, POLICY)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    handed = priced_routes(problem, costs, [(1, (1, 0))])
    assert handed
    pools: list[RoutePool] = []

    def record(problem: Problem, pool: RoutePool, *args: object) -> None:
        pools.append(pool)

    monkeypatch.setattr(_lns, "recombine", record)
    ruin_and_recreate(
        problem, POLICY, costs, start.routes, time.perf_counter() + 0.5, 0, pooled=handed
    )
    assert pools and all((1, (1, 0)) in pool.routes for pool in pools)


def test_a_large_pool_gets_more_time_up_to_a_cap() -> None:
    """Pools up to STRETCH_ROUTES routes get the seconds given; a larger pool gets them in
    proportion to its size, never more than MAX_STRETCH times."""
    assert budget(4.0, 10) == 4.0
    assert budget(4.0, STRETCH_ROUTES) == 4.0
    assert budget(4.0, STRETCH_ROUTES * 5 // 4) == 5.0
    assert budget(4.0, STRETCH_ROUTES * 10) == 4.0 * MAX_STRETCH
