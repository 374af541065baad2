"""The CP-SAT backend: exact plans rule by rule, proven bounds, and properties."""

from __future__ import annotations

import inspect
import time

import pytest
from hypothesis import HealthCheck, given, settings

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Solution, _cpsat, get_solver, objective_terms
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _routing as routing
from matchmaker.solve._budget import read_back
from matchmaker.solve._costs import Costs
from matchmaker.solve._cpsat import BuildTimeout, build, lower_bound, solve
from tests.problem_factory import (
    make_problem,
    missing_pins,
    problem_violations,
    random_problem,
    random_problems,
)

POLICY = Policy()


def _solve(problem: Problem, *, time_limit: float = 5.0, seed: int = 0) -> Solution:
    """Solve with CP-SAT; insist on a valid plan, priced as documented, above its bound."""
    solution = solve(problem, policy=POLICY, time_limit=time_limit, seed=seed)
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, POLICY).total
    assert solution.lower_bound is not None and solution.lower_bound <= solution.objective
    return solution


def _optimal(problem: Problem) -> dict[int, list[tuple[int, int]]]:
    """The proven optimal plan as ``{vehicle: [(job, start), ...]}``."""
    solution = _solve(problem)
    assert solution.status == "optimal"
    assert solution.lower_bound == solution.objective
    return {r.vehicle: list(zip(r.jobs, r.starts, strict=True)) for r in solution.routes}


def _served(plan: dict[int, list[tuple[int, int]]]) -> set[int]:
    return {job for visits in plan.values() for job, _ in visits}


# -- one rule each -------------------------------------------------------------------------


def test_result_names_the_backend_and_is_registered() -> None:
    """The result says cpsat, carries its seed, and get_solver finds this function."""
    solution = _solve(make_problem(n_workers=2, n_jobs=2), seed=9)
    assert (solution.backend, solution.seed, solution.status) == ("cpsat", 9, "optimal")
    assert inspect.unwrap(get_solver("cpsat")) is solve  # wrapped by the round rules


def test_empty_problems() -> None:
    """No jobs or no workers give an empty plan whose bound is its objective."""
    assert _solve(make_problem(n_workers=0, n_jobs=2)).routes == ()
    assert _solve(make_problem(n_workers=2, n_jobs=0)).routes == ()


def test_window_is_waited_for_and_kept() -> None:
    """A job starts inside its window; of two clashing jobs one is dropped."""
    problem = make_problem(n_jobs=2, earliest=[100, 100], latest=[120, 100], travel=30)
    plan = _optimal(problem)
    assert len(_served(plan)) == 1 and plan[0][0][1] == 100


def test_job_ends_inside_the_shift() -> None:
    """A job that would end after the shift stays unserved, even if marked eligible."""
    problem = make_problem(
        n_jobs=2, earliest=[500, 100], latest=[540, 200], duration=120, fold_shift_fit=False
    )
    assert _served(_optimal(problem)) == {1}


def test_travel_between_jobs_is_kept() -> None:
    """The second job starts no earlier than the first ends plus the travel between them."""
    problem = make_problem(n_jobs=2, latest=540, travel=50)
    (_, a), (_, b) = _optimal(problem)[0]
    assert b >= a + 60 + 50


def test_travel_from_home_is_kept() -> None:
    """The first job starts no earlier than the shift start plus the travel from home."""
    problem = make_problem(n_jobs=1, home_travel=45, shifts=[(0, 100, 600)])
    assert _optimal(problem) == {0: [(0, 145)]}


def test_max_jobs_per_shift() -> None:
    """At most ``vehicle_max_jobs`` jobs go on one shift."""
    assert len(_served(_optimal(make_problem(n_jobs=3, max_jobs=2)))) == 2


def test_max_work_minutes_per_shift() -> None:
    """At most ``vehicle_max_work`` service minutes go on one shift."""
    problem = make_problem(n_jobs=3, duration=100, max_work=250)
    assert len(_served(_optimal(problem))) == 2


def test_only_eligible_pairs() -> None:
    """A job goes to the eligible worker even when an ineligible one is much closer."""
    problem = make_problem(n_workers=2, n_jobs=1, home_travel=[[1], [50]], eligible=[[0], [1]])
    assert _optimal(problem) == {1: [(0, 50)]}


def test_team_starts_together_on_distinct_workers() -> None:
    """A team job takes two workers at one minute: after the farther one arrives."""
    problem = make_problem(n_workers=3, n_jobs=1, team=2, home_travel=[[10], [40], [90]])
    plan = _optimal(problem)
    assert plan == {0: [(0, 40)], 1: [(0, 40)]}


def test_team_job_all_or_none() -> None:
    """A team job that only one worker can reach is not served at all."""
    problem = make_problem(n_workers=2, n_jobs=1, team=2, eligible=[[1], [0]])
    assert _optimal(problem) == {}


def test_pins_are_kept_at_their_minute() -> None:
    """A pinned job stays on its worker at its pinned start, though another is cheaper."""
    problem = make_problem(
        n_workers=2, n_jobs=2, home_travel=[[5, 5], [60, 60]], pins=[(1, 0)], pinned_start=[200, -1]
    )
    plan = _optimal(problem)
    assert (0, 200) in plan[1] and plan[0] == [(1, 5)]


def test_strict_priority_keeps_one_high_job_over_two_low_ones() -> None:
    """Equal weights serve two low jobs over the high one they clash with; strict, the high."""
    problem = make_problem(
        n_jobs=3,
        earliest=[100, 80, 130],
        latest=[100, 80, 130],
        duration=[60, 30, 30],
        priority=[5, 1, 1],
        travel=0,
    )
    flat = {level: 1 for level in range(1, 6)}
    for strict, served in ((False, {1, 2}), (True, {0})):
        policy = Policy(priority_weights=flat, strict_priority=strict)
        solution = solve(problem, policy=policy, time_limit=5.0, seed=0)
        assert solution.status == "optimal" and solution.served_jobs() == served


def test_match_cost_weighs_against_travel() -> None:
    """A 100-score worker 20 minutes farther beats a 40-score one (cost 0+30 < 60+10)."""
    problem = make_problem(n_workers=2, n_jobs=1, home_travel=[[30], [10]], score=[[100.0], [40.0]])
    assert _optimal(problem) == {0: [(0, 30)]}


# -- bounds, limits, seeds -----------------------------------------------------------------


def test_bound_is_below_every_backend_on_small_rounds() -> None:
    """The proven bound is at or below what greedy and routing reach on the same round."""
    for seed in (1, 2):
        problem = random_problem(seed, 8, 24, team_share=0.2, pin_share=0.1, n_modes=2)
        bound = lower_bound(problem, policy=POLICY, time_limit=5.0, seed=0)
        assert bound is not None
        for backend in (greedy.solve, routing.solve):
            other = backend(problem, policy=POLICY, time_limit=1.0, seed=0)
            assert bound <= other.objective


def test_infeasible_pins_give_no_bound_and_the_greedy_plan() -> None:
    """Two pins at one minute on one worker: no bound, and the forced greedy plan returns."""
    problem = make_problem(n_jobs=2, pins=[(0, 0), (0, 1)], pinned_start=[100, 100])
    solution = solve(problem, policy=POLICY, time_limit=2.0, seed=0)
    assert solution.lower_bound is None and solution.status == "feasible"
    assert solution.served_jobs() == {0, 1}


def test_time_limit_is_honoured() -> None:
    """A round too large to prove stops by its limit + 10% + 1 s with a valid plan.

    The limit leaves the model's build (0.1 s here) ten times its time, so that a slow or
    busy machine still builds it and reports CP-SAT's bound."""
    problem = random_problem(4, 25, 90, team_share=0.1, n_modes=2)
    began = time.perf_counter()
    solution = solve(problem, policy=POLICY, time_limit=3.0, seed=0)
    assert time.perf_counter() - began <= 3.0 * 1.1 + 1.0
    assert problem_violations(problem, solution) == []
    assert solution.lower_bound is not None and solution.lower_bound <= solution.objective


def test_a_model_too_large_for_the_limit_gives_the_greedy_plan_within_the_limit() -> None:
    """60 workers x 600 jobs, each worker allowed about 200 of them, is millions of arcs:
    building stops at its share of the limit, the plan is the (valid) warm start, without
    a bound, marked ``model_too_large``, and the time limit holds."""
    problem = random_problem(5, 60, 600)
    began = time.perf_counter()
    solution = solve(problem, policy=POLICY, time_limit=1.0, seed=0)
    assert time.perf_counter() - began <= 1.0 * 1.1 + 1.0
    assert solution.stats["model_too_large"] == 1.0
    assert solution.lower_bound is None and solution.status == "feasible"
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, POLICY).total
    assert solution.objective == solution.stats["warm_start_objective"]


def test_building_past_its_deadline_raises() -> None:
    """A deadline already passed stops the build at its first vehicle; none builds whole."""
    problem = random_problem(1, 3, 6)
    with pytest.raises(BuildTimeout):
        build(problem, Costs.of(problem, POLICY), deadline=time.perf_counter() - 1.0)
    assert build(problem, Costs.of(problem, POLICY), deadline=None).arcs


def test_same_seed_same_plan() -> None:
    """One seed and one search worker give the same plan twice."""
    problem = random_problem(6, 8, 24, team_share=0.2, pin_share=0.1)
    first = _solve(problem, seed=4)
    assert _solve(problem, seed=4).routes == first.routes


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problem=random_problems(
        max_workers=5, max_jobs=14, team_shares=(0.0, 0.3), pin_shares=(0.0, 0.2)
    )
)
def test_random_rounds_are_solved_exactly(
    problem: Problem,
) -> None:
    """Small random rounds: valid, pins kept, never worse than greedy, bound = optimum."""
    solution = _solve(problem, time_limit=5.0)
    assert missing_pins(problem, solution) == set()
    assert (
        solution.objective <= greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).objective
    )
    if solution.status == "optimal":
        assert solution.lower_bound == solution.objective


def test_the_search_leaves_time_to_read_the_plan_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """CP-SAT's own limit ends before the solve's, by the share kept for reading the plan
    back and pricing it (``read_back``), so the whole solve holds its time limit."""
    problem = random_problem(4, 8, 3)
    given: list[float] = []
    real = _cpsat.run

    def recorded(built, seconds, *args, **kwargs):  # type: ignore[no-untyped-def]
        given.append(seconds)
        return real(built, seconds, *args, **kwargs)

    monkeypatch.setattr(_cpsat, "run", recorded)
    _solve(problem, time_limit=2.0)
    assert given and given[0] <= 2.0 - read_back(2.0, problem.n_jobs)
