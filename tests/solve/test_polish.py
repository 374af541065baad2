"""The whole-round travel polish: same served jobs, less travel, every rule kept."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.model import Policy
from matchmaker.solve import Route, Solution, objective_terms
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._polish import groups, polish, polishable
from tests.problem_factory import make_problem, missing_pins, problem_violations, random_problem

NO_MATCH = Policy(match_cost_per_point=0)


def _solution(routes: tuple[Route, ...]) -> Solution:
    return Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)


def _served(routes: tuple[Route, ...]) -> set[int]:
    return {job for route in routes for job in route.jobs}


def test_crossed_jobs_go_to_the_worker_who_lives_next_to_them() -> None:
    """Two workers each serve the job next to the other's home: the polish swaps them,
    serves the same jobs and pays only the two short legs."""
    problem = make_problem(n_workers=2, n_jobs=2, home_travel=[[50, 5], [5, 50]])
    costs = Costs.of(problem, NO_MATCH)
    crossed = (
        Route(vehicle=0, jobs=(0,), starts=(50,)),
        Route(vehicle=1, jobs=(1,), starts=(50,)),
    )
    routes = polish(problem, costs, crossed, 2.0)
    assert routes is not None
    assert sorted((r.vehicle, r.jobs) for r in routes) == [(0, (1,)), (1, (0,))]
    assert objective_terms(problem, routes, NO_MATCH).travel_minutes == 10
    assert problem_violations(problem, _solution(routes)) == []


def test_random_rounds_keep_their_jobs_and_rules() -> None:
    """On seeded rounds with teams and pins, a polished plan serves the same jobs, keeps
    every rule and pin, and never costs more than the plan it started from."""
    for seed in range(4):
        problem = random_problem(seed, 8, 30, n_modes=2, team_share=0.2, pin_share=0.1)
        costs = Costs.of(problem, NO_MATCH)
        start = greedy.solve(problem, policy=NO_MATCH, time_limit=5.0, seed=0)
        routes = polish(problem, costs, start.routes, 1.0)
        if routes is None:
            continue
        solution = _solution(routes)
        assert problem_violations(problem, solution) == []
        assert missing_pins(problem, solution) == set()
        assert _served(routes) == _served(start.routes)
        assert plan_cost(problem, costs, routes) < plan_cost(problem, costs, start.routes)


def test_match_costs_that_differ_by_worker_leave_the_plan_alone() -> None:
    """With a match cost per score point, workers price jobs differently, the model could
    not share its matrices, so the round is not polished."""
    problem = make_problem(n_workers=2, n_jobs=2, score=np.array([[90.0, 40.0], [40.0, 90.0]]))
    costs = Costs.of(problem, Policy())
    routes = (Route(vehicle=0, jobs=(0,), starts=(10,)),)
    assert not polishable(problem, costs, routes)
    assert polish(problem, costs, routes, 2.0) is None
    assert polishable(problem, Costs.of(problem, NO_MATCH), routes)


def test_the_routing_backend_polishes_a_round_without_match_costs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no match cost the routing backend runs the polish after its search (given a
    tail long enough for it), and its plan keeps every rule."""
    from matchmaker.solve import _round_search, get_solver

    monkeypatch.setattr(_round_search, "_LNS_SHARE", 0.5)
    problem = random_problem(5, 30, 90, n_modes=2, team_share=0.1)  # not solved whole
    solution = get_solver("routing")(problem, policy=NO_MATCH, time_limit=4.0, seed=0)
    assert "polish_seconds" in solution.stats
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, NO_MATCH).total


def test_a_large_round_is_polished_in_groups_of_shifts_in_start_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over the group limits, shifts are cut in order of their start; each group is
    polished on its own and the plan still serves the same jobs and keeps every rule."""
    from matchmaker.solve import _polish

    monkeypatch.setattr(_polish, "MAX_VEHICLES", 3)
    shifts = [(w % 4, 600 * (w // 4), 600 * (w // 4) + 600) for w in range(8)]
    problem = make_problem(
        n_workers=4,
        n_jobs=4,
        shifts=shifts,
        earliest=[0, 0, 600, 600],
        latest=[540, 540, 1140, 1140],
        home_travel=np.array([[40, 5, 40, 5]] * 8),
    )
    parts = groups(problem, ())
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3, 4, 5], [6, 7]]
    costs = Costs.of(problem, NO_MATCH)
    start = greedy.solve(problem, policy=NO_MATCH, time_limit=5.0, seed=0)
    routes = polish(problem, costs, start.routes, 3.0)
    final = start.routes if routes is None else routes
    assert _served(final) == _served(start.routes)
    assert problem_violations(problem, _solution(final)) == []
