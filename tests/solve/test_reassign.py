"""Whole routes handed to the shifts they suit best: same jobs, same orders, every rule kept,
the cheapest assignment of routes to shifts."""

from __future__ import annotations

import itertools

import numpy as np

from matchmaker.model import Policy
from matchmaker.solve import Route, Solution, objective_terms
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._reassign import reassign, route_prices
from matchmaker.solve._schedule import routes_with_starts
from tests.problem_factory import make_problem, missing_pins, problem_violations, random_problem

NO_MATCH = Policy(match_cost_per_point=0)
CROSSED = (
    Route(vehicle=0, jobs=(0,), starts=(50,)),
    Route(vehicle=1, jobs=(1,), starts=(50,)),
)


def _solution(routes: tuple[Route, ...]) -> Solution:
    return Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)


def _sequences(routes: tuple[Route, ...]) -> list[tuple[int, ...]]:
    return sorted(r.jobs for r in routes if r.jobs)


def test_crossed_routes_go_to_the_workers_who_live_next_to_them() -> None:
    """Two workers each drive to the job next to the other's home: the routes change
    hands, and the plan pays only the two short legs."""
    problem = make_problem(n_workers=2, n_jobs=2, home_travel=[[50, 5], [5, 50]])
    routes = reassign(problem, Costs.of(problem, NO_MATCH), CROSSED)
    assert routes is not None
    assert sorted((r.vehicle, r.jobs) for r in routes) == [(0, (1,)), (1, (0,))]
    assert objective_terms(problem, routes, NO_MATCH).travel_minutes == 10
    assert problem_violations(problem, _solution(routes)) == []


def test_a_route_goes_only_to_a_shift_that_may_serve_it() -> None:
    """The same crossed plan, but worker 0 may not serve job 1 (a pair rule), or worker 1's
    shift ends before job 0 could: the plan stays as it is."""
    ineligible = make_problem(
        n_workers=2, n_jobs=2, home_travel=[[50, 5], [5, 50]], eligible=[[True, False]] * 2
    )
    assert reassign(ineligible, Costs.of(ineligible, NO_MATCH), CROSSED) is None
    short_shift = make_problem(
        n_workers=2,
        n_jobs=2,
        shifts=[(0, 0, 600), (1, 0, 500)],
        home_travel=[[50, 5], [5, 50]],
        earliest=[400, 0],
        latest=[400, 540],
        duration=[120, 60],
        fold_shift_fit=False,
    )
    crossed = (
        Route(vehicle=0, jobs=(0,), starts=(400,)),
        Route(vehicle=1, jobs=(1,), starts=(50,)),
    )
    assert problem_violations(short_shift, _solution(crossed)) == []
    assert reassign(short_shift, Costs.of(short_shift, NO_MATCH), crossed) is None


def test_a_route_goes_only_to_a_shift_with_room_for_it() -> None:
    """Worker 1 lives next to all three jobs, worker 0 is far from jobs 0 and 1: the
    two-job route changes hands when worker 1's shift may hold two jobs and 120 work
    minutes, and stays where it is when it may hold only one job, or 100 minutes."""
    plan = (
        Route(vehicle=0, jobs=(0, 1), starts=(50, 120)),
        Route(vehicle=1, jobs=(2,), starts=(5,)),
    )
    home_travel = [[50, 50, 20], [5, 5, 5]]
    roomy = make_problem(n_workers=2, n_jobs=3, home_travel=home_travel)
    routes = reassign(roomy, Costs.of(roomy, NO_MATCH), plan)
    assert routes is not None
    assert sorted((r.vehicle, r.jobs) for r in routes) == [(0, (2,)), (1, (0, 1))]
    assert problem_violations(roomy, _solution(routes)) == []
    for caps in ({"max_jobs": [2, 1]}, {"max_work": [10_000, 100]}):
        capped = make_problem(n_workers=2, n_jobs=3, home_travel=home_travel, **caps)
        assert problem_violations(capped, _solution(plan)) == []
        assert reassign(capped, Costs.of(capped, NO_MATCH), plan) is None, caps


def test_team_and_pinned_routes_keep_their_shifts() -> None:
    """A route holding a team job or a pinned job stays on its shift, however far its
    worker lives: the team's common start and the pin are promises."""
    team = make_problem(n_workers=3, n_jobs=2, home_travel=[[50, 5], [5, 50], [5, 50]], team=[2, 1])
    with_team = (
        Route(vehicle=0, jobs=(0,), starts=(50,)),
        Route(vehicle=2, jobs=(0,), starts=(50,)),
        Route(vehicle=1, jobs=(1,), starts=(50,)),
    )
    assert problem_violations(team, _solution(with_team)) == []
    assert reassign(team, Costs.of(team, NO_MATCH), with_team) is None
    pinned = make_problem(n_workers=2, n_jobs=2, home_travel=[[50, 5], [5, 50]], pins=[(0, 0)])
    assert reassign(pinned, Costs.of(pinned, NO_MATCH), CROSSED) is None


def test_random_rounds_get_the_cheapest_assignment_of_their_routes() -> None:
    """On seeded rounds with teams, pins and two days per worker, the greedy's movable
    routes are dealt to free shifts at random; from there the plan that comes back serves
    the same sequences, keeps every rule and pin, and costs what the cheapest of all
    assignments of those routes to free shifts costs, found by trying every one (each
    tried plan checked by the test's own rule check)."""
    rng = np.random.default_rng(7)
    improved = 0
    for seed in range(16):
        problem = random_problem(
            seed, 4, 14, shifts_per_worker=2, n_modes=2, team_share=0.2, pin_share=0.1
        )
        costs = Costs.of(problem, NO_MATCH)
        greedy_routes = greedy.solve(problem, policy=NO_MATCH, time_limit=5.0, seed=seed).routes
        fixed_jobs = (problem.job_team > 1) | problem.pinned_jobs
        movable = [r.jobs for r in greedy_routes if r.jobs and not fixed_jobs[list(r.jobs)].any()]
        held = {r.vehicle: r.jobs for r in greedy_routes if r.jobs and r.jobs not in movable}
        free = [v for v in range(problem.n_vehicles) if v not in held]
        plans = []
        for chosen in itertools.permutations(free, len(movable)):
            sequences = held | dict(zip(chosen, movable, strict=True))
            tried = routes_with_starts(problem, sequences)
            if tried is not None and problem_violations(problem, _solution(tried)) == []:
                plans.append(tried)
        start = plans[int(rng.integers(len(plans)))]
        best = min(plan_cost(problem, costs, plan) for plan in plans)
        routes = reassign(problem, costs, start)
        if routes is None:
            assert plan_cost(problem, costs, start) == best
            continue
        improved += 1
        solution = _solution(routes)
        assert problem_violations(problem, solution) == []
        assert missing_pins(problem, solution) == set()
        assert _sequences(routes) == _sequences(start)
        assert plan_cost(problem, costs, routes) == best
    assert improved >= 5


def test_each_route_is_priced_on_each_shift_as_the_rule_check_and_the_objective_price_it() -> None:
    """On seeded rounds over two days and two travel modes, a sequence (the greedy's
    routes, and random runs of one to six jobs a shift may serve, in order of their
    windows) is feasible on a shift exactly when the plan of that one route, started as
    early as it can be, passes the test's own rule check (pair rules, windows, shift,
    caps), and it costs what the objective charges that plan for travel and match (the
    default policy's match costs)."""
    policy = Policy()
    rng = np.random.default_rng(3)
    timing_only = 0
    for seed in range(6):
        problem = random_problem(seed, 5, 20, shifts_per_worker=2, n_modes=2)
        costs = Costs.of(problem, policy)
        start = greedy.solve(problem, policy=policy, time_limit=5.0, seed=seed).routes
        sequences = [r.jobs for r in start if r.jobs]
        for shift in rng.integers(problem.n_vehicles, size=30).tolist():
            choices = np.flatnonzero(problem.eligible[shift])
            size = min(len(choices), int(rng.integers(1, 7)))
            jobs = rng.choice(choices, size=size, replace=False)
            sequences.append(tuple(int(j) for j in jobs[np.argsort(problem.job_earliest[jobs])]))
        shifts = np.arange(problem.n_vehicles)
        cost, feasible = route_prices(problem, costs, sequences, shifts)
        for row, jobs in enumerate(sequences):
            unserved = np.ones(problem.n_jobs, dtype=bool)
            unserved[list(jobs)] = False
            dropped = int(costs.drop_penalty[unserved].sum())
            for shift in shifts.tolist():
                alone = routes_with_starts(problem, {shift: jobs})
                valid = alone is not None and problem_violations(problem, _solution(alone)) == []
                assert feasible[row, shift] == valid, (seed, jobs, shift)
                if valid:
                    assert alone is not None
                    assert cost[row, shift] == plan_cost(problem, costs, alone) - dropped
                elif problem.eligible[shift, list(jobs)].all():
                    timing_only += 1
    assert timing_only >= 50
