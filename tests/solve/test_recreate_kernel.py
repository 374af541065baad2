"""The compiled recreate of the engine's ruin and recreate (``solve._recreate_kernel``):
it places every job where the Python insertion (``Routes.table`` with ``best_single``, or
``best_team`` for a team job) would, and its removal keeps the plan priced and valid."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Route, Solution, objective_terms
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._costs import Costs
from matchmaker.solve._insertion import best_single, best_team
from matchmaker.solve._lns import _Search
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._objective import route_travel
from tests.problem_factory import make_problem, problem_violations, random_problems

POLICY = Policy()
_STATE = ("job", "start", "end", "latest", "fixed", "length", "work", "route_cost", "visits")


def _search(problem: Problem, routes: tuple[Route, ...], removed: np.ndarray) -> _Search:
    search = _Search(problem, POLICY, Costs.of(problem, POLICY), 0)
    search.plan.load(routes)
    search.plan.remove(removed)
    return search


def _python_insert(plan: Plan, job: int, allowed: np.ndarray) -> None:
    """The reference: ``job`` where ``Routes.table`` and ``best_single`` (``best_team``
    for a team) put it, on the vehicles ``allowed`` with room, or nowhere."""
    vehicles = plan.candidates(job, allowed)
    team = int(plan.team[job])
    if vehicles.size < team:
        return
    table = plan.table(job, vehicles)
    pin = int(plan.pinned_start[job])
    start = pin if pin >= 0 else None
    places: list[tuple[int, int]]
    if team == 1:
        choice = best_single(table, start, int(plan.worth[job]))
        if choice is None:
            return
        minute, places = choice[2], [choice[:2]]
    else:
        found = best_team(table, plan.worker[vehicles], team, start, worth=int(plan.worth[job]))
        if found is None:
            return
        minute, places = found
    for vehicle, position in places:
        plan.insert(vehicle, position, job, minute, fixed=start is not None or team > 1)
        plan.visits[job] += 1
        n = int(plan.length[vehicle])
        jobs = plan.job[vehicle, :n]
        starts = tuple(plan.start[vehicle, :n].tolist())
        travel = route_travel(
            plan.problem, Route(vehicle=vehicle, jobs=tuple(jobs.tolist()), starts=starts)
        )
        match = int(plan.match[plan.worker[vehicle], jobs].sum())
        plan.route_cost[vehicle] = plan.rate * travel + match
    if plan.visits[job] == team:
        plan.unserved_penalty -= int(plan.penalty[job])


def _python(search: _Search, order: np.ndarray, wide: np.ndarray, freed: np.ndarray) -> None:
    plan = search.plan
    for job in order.tolist():
        _python_insert(plan, job, plan.eligible_by_job[job] & (freed | wide[job]))


def _insert_everywhere(problem: Problem, order: list[int]) -> Plan:
    """An empty plan with ``order`` inserted on any vehicle, compiled; the Python
    reference must reach the same state."""
    compiled = _search(problem, (), np.zeros(0, dtype=np.int64))
    python = _search(problem, (), np.zeros(0, dtype=np.int64))
    jobs = np.array(order, dtype=np.int64)
    everywhere = (np.ones(problem.n_jobs, dtype=bool), np.zeros(problem.n_vehicles, dtype=bool))
    compiled.plan.insert_jobs(jobs, *everywhere)
    _python(python, jobs, *everywhere)
    _same_state(compiled.plan, python.plan)
    return compiled.plan


def _same_state(a: Plan, b: Plan) -> None:
    for name in _STATE:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.unserved_penalty == b.unserved_penalty


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problem=random_problems(max_workers=8, max_jobs=45, min_jobs=1, team_shares=(0.0, 0.3)),
    seed=st.integers(0, 2**31 - 1),
    travel_cost=st.integers(1, 40),
)
def test_the_compiled_recreate_places_every_job_where_python_does(
    problem: Problem, seed: int, travel_cost: int
) -> None:
    """From a greedy plan less a random set of jobs, inserting a random order with random
    wide and freed masks gives the same routes, starts, latest starts, costs and served
    counts compiled as through ``Routes.table`` and ``best_single`` (``best_team`` for a
    team job) job by job."""
    rng = np.random.default_rng(seed)
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    probe = _search(problem, start.routes, np.zeros(0, dtype=np.int64))
    served = np.flatnonzero(probe.plan.served() & probe.movable)
    removed = served[rng.random(served.size) < 0.5].astype(np.int64)
    compiled = _search(problem, start.routes, removed)
    python = _search(problem, start.routes, removed)
    _same_state(compiled.plan, python.plan)

    order = rng.permutation(np.flatnonzero(compiled.plan.visits == 0)).astype(np.int64)
    wide = rng.random(problem.n_jobs) < 0.6
    freed = rng.random(problem.n_vehicles) < 0.5
    for search in (compiled, python):
        search.plan.travel_cost = travel_cost
    compiled.plan.insert_jobs(order, wide, freed)
    _python(python, order, wide, freed)
    _same_state(compiled.plan, python.plan)
    routes = compiled.plan.routes()
    solution = Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)
    assert problem_violations(problem, solution) == []
    assert compiled.plan.objective() == objective_terms(problem, routes, POLICY).total


def test_a_job_with_a_fixed_start_is_placed_at_that_start_or_not_at_all() -> None:
    """A job pinned to a start goes in at exactly that start where it fits, on the
    cheapest vehicle; where no place covers that start it stays unserved."""
    problem = make_problem(
        n_workers=2,
        n_jobs=3,
        earliest=[0, 0, 0],
        latest=[400, 400, 400],
        pinned_start=[-1, 200, 5],
        home_travel=[[10, 10, 10], [30, 30, 30]],
    )
    plan = Plan(problem, POLICY, Costs.of(problem, POLICY))
    order = np.array([0, 1, 2], dtype=np.int64)
    wide = np.ones(3, dtype=bool)
    plan.insert_jobs(order, wide, np.zeros(2, dtype=bool))
    routes = {r.vehicle: dict(zip(r.jobs, r.starts, strict=True)) for r in plan.routes()}
    assert routes[0][1] == 200
    assert all(2 not in stops for stops in routes.values())  # 10 minutes away: 5 is too soon
    assert plan.fixed[0, list(routes[0]).index(1)]


def test_a_team_job_with_a_fixed_start_is_staffed_at_that_start_or_not_at_all() -> None:
    """A two-worker job pinned to minute 200 gets its two cheapest workers, both at 200,
    as ``best_team`` chooses; one pinned to minute 5, which no worker 10 minutes away can
    reach, stays unserved."""
    problem = make_problem(
        n_workers=3,
        n_jobs=2,
        team=[2, 2],
        earliest=[0, 0],
        latest=[400, 400],
        pinned_start=[200, 5],
        home_travel=[[10, 10], [30, 30], [10, 10]],
        max_jobs=1,
    )
    plan = _insert_everywhere(problem, [1, 0])
    routes = [(r.vehicle, r.jobs, r.starts) for r in plan.routes()]
    assert routes == [(0, (0,), (200,)), (2, (0,), (200,))]
    assert list(plan.served()) == [True, False]


def test_rows_grow_when_a_route_outgrows_the_arrays() -> None:
    """One worker, twenty short jobs: the arrays start eight wide and grow as the
    compiled recreate fills the route."""
    problem = make_problem(n_workers=1, n_jobs=20, duration=10, travel=1, home_travel=1)
    plan = Plan(problem, POLICY, Costs.of(problem, POLICY))
    assert plan.job.shape[1] < 20
    order = np.arange(20, dtype=np.int64)
    plan.insert_jobs(order, np.ones(20, dtype=bool), np.zeros(1, dtype=bool))
    assert plan.length[0] == 20 and plan.max_length == 20
    assert plan.objective() == objective_terms(problem, plan.routes(), POLICY).total


def test_equal_places_go_to_the_first_vehicle_and_position() -> None:
    """Two alike workers and two alike jobs at one place: each job takes the lowest
    vehicle and position among the equally cheap, earliest places, as ``best_single``
    does."""
    problem = make_problem(n_workers=2, n_jobs=2, travel=0, home_travel=10, duration=30)
    plan = _insert_everywhere(problem, [0, 1])
    # Job 1 adds no travel in front of job 0 or behind it on vehicle 0 (the same place):
    # in front it starts earlier.
    assert [r.vehicle for r in plan.routes()] == [0]
    assert plan.routes()[0].jobs == (1, 0)


def test_a_team_job_goes_to_the_cheapest_workers_lowest_first_at_one_start() -> None:
    """Four workers of one job each, a two-worker team job: the two cheapest to reach it
    serve it (of the three alike ones, the two lowest), both fixed at the earliest start
    they share, as ``best_team`` chooses; a second team job that needs three workers where
    two are left stays unserved."""
    problem = make_problem(
        n_workers=4,
        n_jobs=2,
        team=[2, 3],
        earliest=[0, 0],
        latest=[300, 300],
        home_travel=[[10, 10], [10, 10], [40, 40], [10, 10]],
        travel=0,
        max_jobs=1,
    )
    plan = _insert_everywhere(problem, [0, 1])
    routes = plan.routes()
    # Workers 0, 1 and 3 are 10 minutes away; 0 and 1 both start at minute 10.
    assert [(r.vehicle, r.jobs, r.starts) for r in routes] == [(0, (0,), (10,)), (1, (0,), (10,))]
    assert plan.fixed[0, 0] and plan.fixed[1, 0]
    assert list(plan.served()) == [True, False]
