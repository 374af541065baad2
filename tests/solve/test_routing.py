"""The routing backend: its OR-Tools model rule by rule, its pipeline, and properties."""

from __future__ import annotations

import inspect
import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Progress, Route, Solution, _decompose, get_solver, objective_terms
from matchmaker.solve import _cpsat as cpsat
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _round_search as round_search
from matchmaker.solve import _routing as routing
from matchmaker.solve._budget import Budget
from matchmaker.solve._costs import Costs, plan_cost, servable
from matchmaker.solve._lns import ruin_and_recreate
from matchmaker.solve._polish import MIN_SECONDS as POLISH_MIN_SECONDS
from matchmaker.solve._polish import polishable
from matchmaker.solve._repair import repair
from matchmaker.solve._routing import solve
from matchmaker.solve._routing_search import improve
from matchmaker.solve._schedule import earliest_starts
from tests.problem_factory import (
    make_problem,
    missing_pins,
    problem_violations,
    random_problem,
    random_problems,
)

POLICY = Policy()


def _solution(routes: tuple[Route, ...]) -> Solution:
    return Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0.0)


def _solve(
    problem: Problem,
    *,
    time_limit: float = 0.5,
    seed: int = 0,
    warm_start: Solution | None = None,
) -> Solution:
    """Solve with the routing backend; insist on a valid plan priced as documented."""
    solution = solve(
        problem, policy=POLICY, time_limit=time_limit, seed=seed, warm_start=warm_start
    )
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, POLICY).total
    return solution


def _search(
    problem: Problem, routes: tuple[Route, ...] = (), seconds: float = 0.3
) -> dict[int, list[tuple[int, int]]]:
    """Run the routing model alone from ``routes``; insist it is valid and prices exactly."""
    costs = Costs.of(problem, POLICY)
    outcome = improve(problem, costs, routes, seconds)
    assert outcome is not None
    assert problem_violations(problem, _solution(outcome.routes)) == []
    exact = objective_terms(problem, outcome.routes, POLICY).total
    assert outcome.model_cost == plan_cost(problem, costs, outcome.routes) == exact
    return _plan(outcome.routes)


def _plan(routes: tuple[Route, ...]) -> dict[int, list[tuple[int, int]]]:
    """``{vehicle: [(job, start), ...]}`` of some routes."""
    return {r.vehicle: list(zip(r.jobs, r.starts, strict=True)) for r in routes if r.jobs}


def _served(plan: dict[int, list[tuple[int, int]]]) -> set[int]:
    return {job for visits in plan.values() for job, _ in visits}


def _served_by(plan: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    return {job: vehicle for vehicle, visits in plan.items() for job, _ in visits}


# -- the routing model, one rule each ------------------------------------------------------


def test_model_waits_for_the_window_and_keeps_it() -> None:
    """A job starts inside its window: waiting for the opening, one of two clashing dropped."""
    problem = make_problem(n_jobs=2, earliest=[100, 100], latest=[120, 100], travel=30)
    plan = _search(problem)
    assert len(_served(plan)) == 1
    assert plan[0][0][1] == 100


def test_model_keeps_the_job_inside_the_shift_end() -> None:
    """A job that would end after the shift stays unserved, even if marked eligible."""
    problem = make_problem(
        n_jobs=2, earliest=[500, 100], latest=[540, 200], duration=120, fold_shift_fit=False
    )
    assert _served(_search(problem)) == {1}


def test_model_counts_travel_between_jobs() -> None:
    """The second job starts no earlier than the first ends plus the travel between them."""
    problem = make_problem(n_jobs=2, earliest=[0, 0], latest=[540, 540], travel=50)
    (first, a), (second, b) = _search(problem)[0]
    assert b >= a + 60 + 50
    assert {first, second} == {0, 1}


def test_model_caps_jobs_per_shift() -> None:
    """At most ``vehicle_max_jobs`` jobs go on one shift."""
    problem = make_problem(n_jobs=3, max_jobs=2)
    assert len(_served(_search(problem))) == 2


def test_model_caps_work_minutes_per_shift() -> None:
    """At most ``vehicle_max_work`` service minutes go on one shift."""
    problem = make_problem(n_jobs=3, duration=100, max_work=250)
    assert len(_served(_search(problem))) == 2


def test_model_uses_only_eligible_pairs() -> None:
    """A job goes to the eligible worker even when an ineligible one is much closer."""
    problem = make_problem(n_workers=2, n_jobs=1, home_travel=[[1], [50]], eligible=[[0], [1]])
    assert _search(problem) == {1: [(0, 50)]}


def test_model_prefers_the_higher_priority_when_only_one_fits() -> None:
    """Two jobs at one minute: the priority-5 job is served, however much better the other."""
    problem = make_problem(
        n_jobs=2,
        earliest=100,
        latest=100,
        priority=[1, 5],
        home_travel=[[1, 80]],
        score=[[100.0, 0.0]],
    )
    assert _served(_search(problem)) == {1}


def test_model_serves_a_job_whatever_its_travel() -> None:
    """Serving beats any travel saving: a job 400 minutes away is still served."""
    problem = make_problem(n_jobs=1, home_travel=400, latest=530, fold_shift_fit=False)
    assert _search(problem) == {0: [(0, 400)]}


def test_model_weighs_match_cost_against_travel() -> None:
    """A 100-score worker 20 minutes farther beats a 40-score one (cost 0+30 < 60+10)."""
    problem = make_problem(n_workers=2, n_jobs=1, home_travel=[[30], [10]], score=[[100.0], [40.0]])
    assert _served_by(_search(problem)) == {0: 0}


def test_model_moves_a_team_start_for_both_members() -> None:
    """Fitting a job before a team job on one member delays the team start on both."""
    problem = make_problem(
        n_workers=2,
        n_jobs=2,
        team=[2, 1],
        earliest=[50, 0],
        latest=[300, 10],
        priority=[5, 1],
        eligible=[[1, 1], [1, 0]],
    )
    warm = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    assert warm.served_jobs() == {0}
    plan = _search(problem, warm.routes)
    assert plan[0][0] == (1, 10)
    team_starts = {start for visits in plan.values() for job, start in visits if job == 0}
    assert len(team_starts) == 1 and team_starts.pop() >= 80


def test_model_keeps_pins_on_their_worker_and_minute() -> None:
    """A pinned job stays on its pinned worker at its pinned start, though another is cheaper."""
    problem = make_problem(
        n_workers=2, n_jobs=2, home_travel=[[5, 5], [60, 60]], pins=[(1, 0)], pinned_start=[200, -1]
    )
    plan = _search(problem)
    assert (0, 200) in plan[1]
    assert _served_by(plan)[1] == 0


# -- start minutes -------------------------------------------------------------------------


def test_earliest_starts_align_a_team_on_its_latest_member() -> None:
    """Team members start together, at the latest of their own earliest starts."""
    problem = make_problem(n_workers=2, n_jobs=2, team=[2, 1], home_travel=[[10, 10], [40, 40]])
    starts = earliest_starts(problem, {0: [0, 1], 1: [0]})
    assert starts == {0: [40, 110], 1: [40]}


def test_earliest_starts_meet_a_pinned_start_exactly_or_fail() -> None:
    """A pinned start is kept exactly; sequences that cannot meet it have no schedule."""
    problem = make_problem(n_jobs=2, pinned_start=[-1, 30])
    assert earliest_starts(problem, {0: [1]}) == {0: [30]}
    assert earliest_starts(problem, {0: [0, 1]}) is None


# -- sub-rounds ----------------------------------------------------------------------------


def test_split_then_merge_gives_the_plan_back_and_freezes_split_teams() -> None:
    """Each sub-round's own plan merges back unchanged; a team split across parts is pinned."""
    problem = random_problem(7, 12, 40, team_share=0.3, pin_share=0.1)
    costs = Costs.of(problem, POLICY)
    plan = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).routes
    subs = _decompose.split(problem, costs, plan, 3, seed=1)
    assert len(subs) > 1
    vehicles = np.concatenate([sub.vehicles for sub in subs])
    assert sorted(vehicles.tolist()) == sorted(set(vehicles.tolist()))
    merged = plan
    for sub in subs:
        assert plan_cost(sub.problem, sub.costs, sub.routes) >= 0
        merged = _decompose.merge(merged, sub, sub.routes)
    assert _plan(merged) == _plan(plan)
    owners: dict[int, set[int]] = {}
    for index, sub in enumerate(subs):
        for job in sub.jobs.tolist():
            owners.setdefault(job, set()).add(index)
    shared = [job for job, parts in owners.items() if len(parts) > 1]
    for sub in subs:
        for local, job in enumerate(sub.jobs.tolist()):
            if job in shared:
                assert sub.problem.pinned[:, local].any()
                assert sub.problem.job_pinned_start[local] >= 0


# -- the backend ---------------------------------------------------------------------------


def test_result_names_the_backend_and_is_registered() -> None:
    """The result says routing and its seed; get_solver finds this function."""
    solution = _solve(make_problem(n_workers=2, n_jobs=3), seed=5)
    assert (solution.backend, solution.seed) == ("routing", 5)
    assert inspect.unwrap(get_solver("routing")) is solve  # wrapped by the round rules


def test_empty_problems() -> None:
    """No jobs or no workers give an empty plan without error."""
    assert _solve(make_problem(n_workers=0, n_jobs=3)).routes == ()
    assert _solve(make_problem(n_workers=2, n_jobs=0)).routes == ()


def test_tiny_round_is_proven_optimal_and_matches_cpsat() -> None:
    """A round of one neighbourhood is solved whole and proven optimal, as CP-SAT agrees."""
    problem = random_problem(3, 4, 12, team_share=0.3, pin_share=0.1)
    solution = _solve(problem, time_limit=5.0)
    assert solution.status == "optimal"
    assert solution.lower_bound == solution.objective
    exact = cpsat.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    assert exact.status == "optimal" and exact.objective == solution.objective


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_rounds_stay_at_or_above_the_cpsat_bound(seed: int) -> None:
    """On rounds CP-SAT can prove, routing's objective is at or above the proven bound."""
    problem = random_problem(seed, 10, 30, team_share=0.15, pin_share=0.1, n_modes=2)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.lower_bound is not None
    solution = _solve(problem, time_limit=1.5)
    assert exact.lower_bound <= solution.objective <= solution.stats["warm_start_objective"]


def test_a_whole_round_repair_proves_a_bound_that_counts_every_penalty() -> None:
    """The whole-round repair of a round with a job no shift may take proves a bound on the
    whole round: at optimality it equals the plan's cost, that job's penalty included."""
    problem = make_problem(n_workers=1, n_jobs=2, eligible=[[True, False]])
    costs = Costs.of(problem, POLICY)
    warm = greedy.solve(problem, policy=POLICY, time_limit=1.0, seed=0).routes
    routes, stats = repair(problem, costs, warm, time.perf_counter() + 5.0, 0)
    assert stats.optimal
    assert stats.bound == plan_cost(problem, costs, routes)


def test_a_round_solved_whole_but_not_proven_reports_the_repair_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a round the exact repair solves whole without proving its plan optimal, the bound
    CP-SAT proved there is the plan's lower bound when the relaxation has none: above the
    penalties every plan pays, at most the objective."""
    monkeypatch.setattr(routing, "relaxation_bound", lambda *args, **kwargs: None)
    problem = random_problem(3, 20, 60, team_share=0.15, pin_share=0.1)
    solution = solve(problem, policy=POLICY, time_limit=2.0, seed=0, deterministic=True)
    assert problem_violations(problem, solution) == []
    assert solution.status == "feasible"
    assert solution.lower_bound is not None
    penalty = Costs.of(problem, POLICY).drop_penalty
    always_paid = int(penalty[~servable(problem)].sum())
    assert always_paid < solution.lower_bound <= solution.objective


def test_repair_serves_a_team_job_the_local_search_cannot_insert() -> None:
    """A high-priority team job blocked by two low-priority jobs is served after routing."""
    problem = make_problem(
        n_workers=2, n_jobs=3, team=[1, 1, 2], earliest=100, latest=100, priority=[1, 1, 5]
    )
    warm = _solution(
        (Route(vehicle=0, jobs=(0,), starts=(100,)), Route(vehicle=1, jobs=(1,), starts=(100,)))
    )
    replayed = greedy.solve(problem, policy=POLICY, time_limit=1.0, seed=0, warm_start=warm)
    assert replayed.served_jobs() == {0, 1}
    solution = _solve(problem, warm_start=warm)
    assert solution.served_jobs() == {2}


def test_large_round_is_cut_into_parts_and_stays_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """A round split into sub-rounds (teams frozen across parts) keeps every rule and pin."""
    monkeypatch.setattr(round_search, "VEHICLES_PER_PART", 5)
    monkeypatch.setattr(round_search, "COPIES_PER_PART", 20)
    monkeypatch.setattr(round_search, "_REPAIR_SHARE", 0.2)
    monkeypatch.setattr(round_search, "_NEIGHBOURHOOD_REPAIR_SHARE", 0.2)
    # The sub-rounds get the search's time (with ruin and recreate's share, they would
    # get too little to be searched at all).
    monkeypatch.setattr(round_search, "_LNS_SHARE", 0.0)
    problem = random_problem(11, 20, 70, team_share=0.2, pin_share=0.1, shifts_per_worker=2)
    solution = _solve(problem, time_limit=4.0)
    assert solution.stats["parts"] > 1
    assert missing_pins(problem, solution) == set()
    assert solution.objective <= solution.stats["warm_start_objective"]
    assert solution.stats["routing_objective"] == solution.objective


def test_pin_breaking_a_rule_is_kept_without_failing() -> None:
    """A pin no model can satisfy makes the search fall back, but the pin is kept."""
    problem = make_problem(
        n_workers=2, n_jobs=2, pins=[(0, 0)], pinned_start=[5, -1], fold_shift_fit=False
    )
    solution = solve(problem, policy=POLICY, time_limit=0.5, seed=0)
    assert (0, 0, 5) in solution.assignments()
    assert 1 in solution.served_jobs()


def test_time_limit_is_honoured_on_a_larger_round() -> None:
    """The whole solve, warm start and model builds included, ends by the limit + 10% + 1 s
    (once numba has compiled the search's kernels: the first solve after installing
    compiles them beyond the limit, as documented, so a few moves on a small round go first)."""
    small = random_problem(5, 3, 12)
    warm = greedy.solve(small, policy=POLICY, time_limit=5.0, seed=0)
    ruin_and_recreate(
        small, POLICY, Costs.of(small, POLICY), warm.routes, time.perf_counter() + 60, 0,
        iterations=5,
    )  # fmt: skip
    problem = random_problem(5, 150, 450, team_share=0.05, pin_share=0.02, n_modes=2)
    began = time.perf_counter()
    solution = solve(problem, policy=POLICY, time_limit=2.0, seed=0)
    assert time.perf_counter() - began <= 2.0 * 1.1 + 1.0
    assert problem_violations(problem, solution) == []
    assert solution.objective <= solution.stats["warm_start_objective"]


def test_same_seed_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search that settles before its limit repeats exactly with one seed."""
    monkeypatch.setattr(round_search, "_REPAIR_SHARE", 0.0)
    problem = random_problem(8, 6, 20, team_share=0.2, pin_share=0.1)
    first = _solve(problem, time_limit=1.0, seed=3)
    assert _solve(problem, time_limit=1.0, seed=3).routes == first.routes


def test_progress_reports_fall_and_end_with_the_result() -> None:
    """Progress objectives never rise and the last report is the returned plan."""
    reports: list[Progress] = []
    problem = random_problem(2, 20, 60, team_share=0.1)
    solution = solve(problem, policy=POLICY, time_limit=1.5, seed=0, progress=reports.append)
    assert reports and reports[-1].message == "done"
    assert reports[-1].objective == solution.objective
    assert reports[-1].served == len(solution.served_jobs())
    objectives = [r.objective for r in reports]
    assert objectives == sorted(objectives, reverse=True)


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=random_problems(max_workers=12, max_jobs=30))
def test_random_rounds_give_valid_plans_no_worse_than_greedy(
    problem: Problem,
) -> None:
    """Every plan keeps every rule and pin, never loses to greedy, and is priced exactly."""
    solution = _solve(problem, time_limit=0.4)
    assert missing_pins(problem, solution) == set()
    baseline = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    assert solution.objective <= baseline.objective
    assert solution.stats["routing_objective"] == solution.objective


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    n_workers=st.integers(1, 8),
    n_jobs=st.integers(1, 25),
    team_share=st.sampled_from([0.0, 0.3]),
    pin_share=st.sampled_from([0.0, 0.2]),
)
def test_the_model_alone_keeps_every_rule_from_the_greedy_plan(
    seed: int, n_workers: int, n_jobs: int, team_share: float, pin_share: float
) -> None:
    """Guided local search from the greedy plan stays valid and prices plans exactly."""
    problem = random_problem(
        seed, n_workers, n_jobs, n_modes=2, team_share=team_share, pin_share=pin_share
    )
    start = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    plan = _search(problem, start.routes, seconds=0.2)
    teams = [j for j in _served(plan) if problem.job_team[j] > 1]
    for job in teams:
        members = [s for visits in plan.values() for j, s in visits if j == job]
        assert len(members) == problem.job_team[job] and len(set(members)) == 1


def test_large_round_gives_its_time_to_local_search() -> None:
    """A round too large to be solved whole skips the neighbourhood repair (no attempts)."""
    problem = random_problem(12, 30, 90, team_share=0.05)
    solution = _solve(problem, time_limit=1.0)
    assert solution.stats["repair_tried"] == 0.0
    assert solution.stats["search_seconds"] + solution.stats["lns_seconds"] > 0.0
    assert solution.objective <= solution.stats["warm_start_objective"]


def _round_search(problem: Problem, policy: Policy) -> round_search.RoundSearch:
    start = greedy.solve(problem, policy=policy, time_limit=5.0, seed=0)
    budget = Budget(deadline=time.perf_counter() + 60.0)
    return round_search.RoundSearch(
        problem, policy, start.routes, time.perf_counter(), None, budget
    )


def test_the_tail_after_ruin_and_recreate_searches_only_with_time_for_a_part() -> None:
    """The time after ruin and recreate counts as worth searching only when it gives
    each sub-round its minimum model time or, on a round the polish can take, each polish
    group its minimum after the fill's time; otherwise ruin and recreate keeps it."""
    problem = random_problem(12, 30, 90, team_share=0.05)
    priced = _round_search(problem, POLICY)
    assert not polishable(problem, priced.costs, priced.routes)
    parts = priced.parts()
    minimum = round_search._MIN_MODEL_SECONDS * parts
    assert priced._tail_searches(minimum * 1.01)
    assert not priced._tail_searches(minimum * 0.99)
    alike = _round_search(problem, Policy(match_cost_per_point=0))
    assert polishable(problem, alike.costs, alike.routes)
    polish_floor = (POLISH_MIN_SECONDS + alike.fill_seconds()) / round_search._POLISH_SHARE
    assert alike._tail_searches(polish_floor * 1.01)
    assert not alike._tail_searches(polish_floor * 0.99)


def test_the_search_ends_by_handing_whole_routes_to_the_shifts_they_suit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After its phases, the search gives each route the shift that makes the plan
    cheapest (two workers each driving to the job next to the other's home swap routes),
    unless it was told to stop."""
    problem = make_problem(n_workers=2, n_jobs=2, home_travel=[[50, 5], [5, 50]])
    crossed = (
        Route(vehicle=0, jobs=(0,), starts=(50,)),
        Route(vehicle=1, jobs=(1,), starts=(50,)),
    )
    monkeypatch.setattr(round_search.RoundSearch, "_search", lambda self, seed: None)
    for stopped in (False, True):
        stop = threading.Event()
        if stopped:
            stop.set()
        budget = Budget(deadline=time.perf_counter() + 60.0, stop=stop)
        search = round_search.RoundSearch(
            problem, POLICY, crossed, time.perf_counter(), None, budget
        )
        search.run(0)
        swapped = sorted((r.vehicle, r.jobs) for r in search.routes) == [(0, (1,)), (1, (0,))]
        assert swapped is not stopped
        assert problem_violations(problem, _solution(search.routes)) == []
        if not stopped:
            assert search.stats["reassign_saved"] == 90 * POLICY.travel_cost_per_minute
