"""The greedy cheapest-insertion solver: one tiny problem per hard rule, then properties."""

from __future__ import annotations

import inspect
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import (
    Progress,
    ProgressCallback,
    Route,
    Solution,
    get_solver,
    objective_terms,
)
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._greedy import solve
from tests.problem_factory import (
    make_problem,
    missing_pins,
    problem_violations,
    random_problem,
    random_problems,
)

POLICY = Policy()


def _solve(
    problem: Problem,
    *,
    seed: int = 0,
    warm_start: Solution | None = None,
    progress: ProgressCallback | None = None,
) -> Solution:
    """Solve with the greedy backend and insist the result breaks no hard rule."""
    solution = solve(
        problem, policy=POLICY, time_limit=10.0, seed=seed, warm_start=warm_start, progress=progress
    )
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, POLICY).total
    return solution


def _plan(solution: Solution) -> dict[int, list[tuple[int, int]]]:
    """``{vehicle: [(job, start), ...]}`` of a solution."""
    return {
        route.vehicle: list(zip(route.jobs, route.starts, strict=True)) for route in solution.routes
    }


# -- the result --------------------------------------------------------------------------


def test_result_is_a_greedy_solution_with_the_seed() -> None:
    """The result names its backend and seed, and get_solver finds this function."""
    solution = _solve(make_problem(n_workers=1, n_jobs=1), seed=7)
    assert (solution.backend, solution.seed, solution.status) == ("greedy", 7, "feasible")
    assert inspect.unwrap(get_solver("greedy")) is solve  # wrapped by the round rules
    assert _plan(solution) == {0: [(0, 10)]}


def test_routes_only_for_vehicles_that_serve_and_in_time_order() -> None:
    """Idle vehicles get no route; a route lists its jobs by start minute."""
    problem = make_problem(
        n_workers=3,
        n_jobs=2,
        earliest=[300, 100],
        latest=[300, 100],
        eligible=[[1, 1], [0, 0], [0, 0]],
    )
    assert _plan(_solve(problem)) == {0: [(1, 100), (0, 300)]}


def test_empty_problem() -> None:
    """No jobs and no vehicles give an empty solution without error."""
    assert _solve(make_problem(n_workers=0, n_jobs=0)).routes == ()
    assert _solve(make_problem(n_workers=2, n_jobs=0)).routes == ()


# -- one rule each -----------------------------------------------------------------------


def test_window_opening_is_waited_for() -> None:
    """A job starts no earlier than its window opens, even if the worker arrives earlier."""
    problem = make_problem(n_jobs=1, earliest=100, latest=200)
    assert _plan(_solve(problem)) == {0: [(0, 100)]}


def test_window_closing_leaves_second_job_unassigned() -> None:
    """Two jobs whose windows both close before the other could end: only one is served."""
    problem = make_problem(n_jobs=2, earliest=20, latest=30, priority=[2, 4])
    assert _plan(_solve(problem)) == {0: [(1, 20)]}


def test_shift_end_limits_the_route() -> None:
    """Each job fits the shift alone but not both after travel, so one stays unassigned."""
    problem = make_problem(n_jobs=2, shifts=[(0, 0, 200)], latest=100, duration=100)
    solution = _solve(problem)
    assert len(solution.served_jobs()) == 1
    roomy = make_problem(n_jobs=2, shifts=[(0, 0, 220)], latest=120, duration=100)
    assert _plan(_solve(roomy)) == {0: [(0, 10), (1, 120)]} or _plan(_solve(roomy)) == {
        0: [(1, 10), (0, 120)]
    }


def test_job_longer_than_the_shift_is_refused_even_if_marked_eligible() -> None:
    """The solver checks the shift end itself, not only through the eligible matrix."""
    problem = make_problem(n_jobs=1, shifts=[(0, 0, 100)], duration=120, fold_shift_fit=False)
    assert _solve(problem).routes == ()


def test_shift_start_is_respected() -> None:
    """A job waits for the shift start plus travel from home."""
    problem = make_problem(n_jobs=1, shifts=[(0, 240, 700)], home_travel=25)
    assert _plan(_solve(problem)) == {0: [(0, 265)]}


def test_travel_from_home_must_fit_before_the_first_job() -> None:
    """A window that closes before the worker can arrive from home refuses the job."""
    late = make_problem(n_jobs=1, latest=5, home_travel=10, fold_shift_fit=False)
    assert _solve(late).routes == ()
    reachable = make_problem(n_jobs=1, latest=10, home_travel=10, fold_shift_fit=False)
    assert _plan(_solve(reachable)) == {0: [(0, 10)]}


def test_travel_between_jobs_delays_the_next_start() -> None:
    """The second job starts after the first ends plus the travel between them."""
    problem = make_problem(
        n_jobs=2, earliest=[10, 70], latest=[10, 100], travel=20, priority=[5, 1]
    )
    assert _plan(_solve(problem)) == {0: [(0, 10), (1, 90)]}
    tight = make_problem(n_jobs=2, earliest=[10, 70], latest=[10, 85], travel=20, priority=[5, 1])
    assert _plan(_solve(tight)) == {0: [(0, 10)]}


def test_no_overlap_on_one_worker() -> None:
    """Two jobs at the same fixed minute need two workers."""
    one = make_problem(n_workers=1, n_jobs=2, earliest=50, latest=50)
    assert len(_solve(one).served_jobs()) == 1
    two = make_problem(n_workers=2, n_jobs=2, earliest=50, latest=50)
    plan = _plan(_solve(two))
    assert sorted(plan) == [0, 1]
    assert sorted(visit for visits in plan.values() for visit in visits) == [(0, 50), (1, 50)]


def test_insertion_pushes_later_jobs_within_their_windows() -> None:
    """A job inserted before a placed one pushes it later, only as far as its window allows."""
    problem = make_problem(n_jobs=2, earliest=[10, 0], latest=[300, 10], priority=[5, 1])
    assert _plan(_solve(problem)) == {0: [(1, 10), (0, 80)]}
    tight = make_problem(n_jobs=2, earliest=[10, 0], latest=[50, 10], priority=[5, 1])
    assert _plan(_solve(tight)) == {0: [(0, 10)]}


def test_push_is_refused_when_it_would_break_the_shift_end() -> None:
    """Pushing a later job past the shift end is not allowed."""
    problem = make_problem(
        n_jobs=2, shifts=[(0, 0, 130)], earliest=[10, 0], latest=[300, 10], priority=[5, 1]
    )
    assert _plan(_solve(problem)) == {0: [(0, 10)]}


def test_max_jobs_per_shift() -> None:
    """A vehicle serves at most vehicle_max_jobs jobs."""
    problem = make_problem(n_jobs=3, max_jobs=2)
    assert len(_solve(problem).served_jobs()) == 2


def test_max_work_minutes_per_shift() -> None:
    """A vehicle serves at most vehicle_max_work service minutes."""
    problem = make_problem(n_jobs=3, duration=60, max_work=150)
    assert len(_solve(problem).served_jobs()) == 2
    assert len(_solve(make_problem(n_jobs=3, duration=60, max_work=180)).served_jobs()) == 3


def test_ineligible_pairs_are_never_used() -> None:
    """A job only eligible for worker 1 goes to worker 1 even if worker 0 is idle and closer."""
    problem = make_problem(n_workers=2, n_jobs=1, eligible=[[0], [1]], home_travel=[[1], [50]])
    assert _plan(_solve(problem)) == {1: [(0, 50)]}


def test_several_shifts_of_one_worker_are_separate_vehicles() -> None:
    """A worker with two shifts serves a job in each, each within its own shift."""
    problem = make_problem(
        n_workers=1,
        n_jobs=2,
        shifts=[(0, 0, 200), (0, 1440, 1640)],
        earliest=[0, 1440],
        latest=[100, 1500],
        max_jobs=1,
    )
    assert _plan(_solve(problem)) == {0: [(0, 10)], 1: [(1, 1450)]}


# -- team jobs ---------------------------------------------------------------------------


def test_team_job_all_or_none() -> None:
    """A job needing two workers stays unassigned when only one worker is eligible."""
    problem = make_problem(n_workers=2, n_jobs=1, team=2, eligible=[[1], [0]])
    assert _solve(problem).routes == ()


def test_team_members_start_together_after_the_latest_arrival() -> None:
    """Both members start at one minute: when the farther one can arrive."""
    problem = make_problem(n_workers=3, n_jobs=1, team=2, home_travel=[[10], [30], [45]])
    assert _plan(_solve(problem)) == {0: [(0, 30)], 1: [(0, 30)]}


def test_team_needs_distinct_workers_not_two_shifts_of_one() -> None:
    """Two shifts of one worker never make a team of two."""
    problem = make_problem(
        n_workers=1, n_jobs=1, team=2, shifts=[(0, 0, 600), (0, 0, 600)], fold_shift_fit=False
    )
    assert _solve(problem).routes == ()


def test_team_start_waits_for_a_busy_member() -> None:
    """A member busy with a pinned job delays the common start for both."""
    problem = make_problem(
        n_workers=2,
        n_jobs=2,
        team=[1, 2],
        earliest=[10, 0],
        latest=[10, 400],
        duration=[100, 60],
        pins=[(0, 0)],
        pinned_start=[10, -1],
        travel=15,
    )
    assert _plan(_solve(problem)) == {0: [(0, 10), (1, 125)], 1: [(1, 125)]}


def test_team_job_is_not_pushed_by_a_later_insertion() -> None:
    """A placed team job keeps its start; a later job goes after it instead of pushing it."""
    problem = make_problem(
        n_workers=2,
        n_jobs=2,
        team=[2, 1],
        earliest=[100, 0],
        latest=[300, 300],
        duration=[60, 100],
        priority=[5, 1],
        eligible=[[1, 1], [1, 0]],
    )
    assert _plan(_solve(problem)) == {0: [(0, 100), (1, 170)], 1: [(0, 100)]}


def test_team_chooses_the_cheapest_members() -> None:
    """Of four workers the two with the best match scores form the team."""
    problem = make_problem(n_workers=4, n_jobs=1, team=2, score=[[40], [90], [20], [80]])
    assert set(_plan(_solve(problem))) == {1, 3}


# -- pins --------------------------------------------------------------------------------


def test_pin_is_kept_even_when_costly() -> None:
    """A pinned worker serves the job although another is far cheaper, at the pinned start."""
    problem = make_problem(
        n_workers=2,
        n_jobs=1,
        pins=[(0, 0)],
        pinned_start=200,
        home_travel=[[55], [5]],
        score=[[0], [100]],
    )
    solution = _solve(problem)
    assert _plan(solution) == {0: [(0, 200)]}


def test_pin_without_start_takes_the_earliest_feasible_minute() -> None:
    """A pin with start -1 is placed as early as its pinned vehicle can start it."""
    problem = make_problem(
        n_workers=2, n_jobs=1, pins=[(1, 0)], earliest=30, home_travel=[[5], [40]]
    )
    assert _plan(_solve(problem)) == {1: [(0, 40)]}


def test_pinned_team_without_start_shares_the_earliest_common_minute() -> None:
    """A team pinned without a start gets the earliest minute all members can make."""
    problem = make_problem(
        n_workers=2, n_jobs=1, team=2, pins=[(0, 0), (1, 0)], home_travel=[[5], [35]]
    )
    assert _plan(_solve(problem)) == {0: [(0, 35)], 1: [(0, 35)]}


def test_pin_breaking_a_rule_is_kept_as_it_is() -> None:
    """A pin outside its window on an ineligible pair is kept; only the window is reported."""
    problem = make_problem(
        n_workers=2,
        n_jobs=2,
        pins=[(0, 0)],
        pinned_start=[500, -1],
        latest=[100, 540],
        eligible=[[0, 1], [0, 1]],
    )
    solution = solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert (0, 500) in _plan(solution)[0]
    violations = problem_violations(problem, solution)
    assert len(violations) == 1 and "outside its window" in violations[0]
    assert solution.served_jobs() == {0, 1}


def test_pin_with_no_feasible_minute_is_forced_not_dropped() -> None:
    """A pin with start -1 that fits nowhere is still placed, as early as possible."""
    problem = make_problem(n_jobs=1, pins=[(0, 0)], latest=5, home_travel=30, fold_shift_fit=False)
    solution = solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert _plan(solution) == {0: [(0, 30)]}
    assert solution.stats["pins_forced"] == 1


def test_team_pinned_to_too_few_workers_is_completed_at_the_pinned_start() -> None:
    """A team of two pinned to one worker gets a second worker at the same minute."""
    problem = make_problem(
        n_workers=3, n_jobs=1, team=2, pins=[(2, 0)], pinned_start=120, score=[[10], [90], [50]]
    )
    assert _plan(_solve(problem)) == {1: [(0, 120)], 2: [(0, 120)]}


def test_other_jobs_fit_around_pins() -> None:
    """A free job goes before or after a pin, never moving it."""
    problem = make_problem(
        n_jobs=2,
        pins=[(0, 0)],
        pinned_start=[100, -1],
        earliest=[100, 0],
        latest=[100, 300],
        duration=[60, 100],
        priority=[1, 5],
    )
    assert _plan(_solve(problem)) == {0: [(0, 100), (1, 170)]}


def test_pinned_start_without_pinned_worker_fixes_the_start() -> None:
    """A job with a pinned start but no pinned worker starts exactly then, on any worker."""
    problem = make_problem(n_workers=2, n_jobs=1, pinned_start=77)
    assert _plan(_solve(problem)) == {0: [(0, 77)]}


# -- choices -----------------------------------------------------------------------------


def test_priority_wins_when_capacity_is_short() -> None:
    """With room for one job, the higher priority one is served even if it costs more."""
    problem = make_problem(
        n_jobs=2, max_jobs=1, priority=[2, 4], home_travel=[[5, 60]], score=[[100, 0]]
    )
    assert _plan(_solve(problem)) == {0: [(1, 60)]}


def test_team_jobs_go_before_single_jobs_of_the_same_priority() -> None:
    """A team job of equal priority is placed first, so a single job cannot block it."""
    problem = make_problem(n_workers=2, n_jobs=2, team=[1, 2], max_jobs=1)
    assert _plan(_solve(problem)) == {0: [(1, 10)], 1: [(1, 10)]}


def test_harder_jobs_go_first_within_a_priority() -> None:
    """The job with fewer eligible workers is placed before the flexible one."""
    problem = make_problem(
        n_workers=2, n_jobs=2, max_jobs=1, eligible=[[1, 1], [1, 0]], home_travel=[[5, 5], [50, 50]]
    )
    assert _plan(_solve(problem)) == {0: [(1, 5)], 1: [(0, 50)]}


def test_cheapest_insertion_picks_the_closer_worker() -> None:
    """With equal scores the worker nearer the job gets it."""
    problem = make_problem(n_workers=3, n_jobs=1, home_travel=[[40], [10], [25]])
    assert _plan(_solve(problem)) == {1: [(0, 10)]}


def test_cheapest_insertion_weighs_match_cost_against_travel() -> None:
    """A better match that costs less than its extra travel wins; a dearer one loses."""
    better = make_problem(n_workers=2, n_jobs=1, home_travel=[[10], [20]], score=[[50], [70]])
    assert _plan(_solve(better)) == {1: [(0, 20)]}
    worse = make_problem(n_workers=2, n_jobs=1, home_travel=[[10], [40]], score=[[50], [70]])
    assert _plan(_solve(worse)) == {0: [(0, 10)]}


def test_insertion_between_jobs_uses_the_added_travel() -> None:
    """A job on the way between two others is inserted between them (least added travel)."""
    travel = np.array([[0, 10, 10], [10, 0, 30], [10, 30, 0]])
    problem = make_problem(
        n_workers=2,
        n_jobs=3,
        earliest=[150, 0, 300],
        latest=[400, 0, 300],
        travel=travel,
        priority=[1, 5, 5],
        eligible=[[1, 1, 1], [1, 0, 0]],
        home_travel=[[0, 0, 0], [60, 60, 60]],
    )
    assert _plan(_solve(problem)) == {0: [(1, 0), (0, 150), (2, 300)]}


# -- seed, time limit, progress, warm start ----------------------------------------------


def test_same_seed_same_solution() -> None:
    """Two runs with one seed give identical routes; the seed is the only tie-breaker."""
    problem = random_problem(3, 12, 50, shifts_per_worker=2, team_share=0.2, pin_share=0.1)
    first = _solve(problem, seed=11)
    assert _solve(problem, seed=11).routes == first.routes
    # Three identical jobs compete for one slot: the seed decides which one gets it.
    ties = make_problem(n_jobs=3, earliest=20, latest=20)
    assert len({_solve(ties, seed=s).routes for s in range(10)}) > 1


def test_time_limit_zero_places_only_pins() -> None:
    """Past the time limit nothing more is inserted, but pins are still kept."""
    problem = random_problem(5, 10, 40, pin_share=0.2)
    solution = solve(problem, policy=POLICY, time_limit=0.0, seed=0)
    pinned = set(np.flatnonzero(problem.pinned.any(axis=0)).tolist())
    assert pinned and solution.served_jobs() == pinned
    assert solution.stats["timed_out"] == 1.0
    assert problem_violations(problem, solution) == []


def test_time_limit_is_honoured_on_a_larger_problem() -> None:
    """A short time limit stops insertion early and returns promptly."""
    problem = random_problem(1, 200, 600)
    began = time.perf_counter()
    solution = solve(problem, policy=POLICY, time_limit=0.02, seed=0)
    assert time.perf_counter() - began < 2.0
    assert solution.stats["timed_out"] == 1.0
    assert len(solution.served_jobs()) < 600
    assert problem_violations(problem, solution) == []


def test_time_limit_covers_the_warm_start_replay() -> None:
    """Replaying a warm start counts against the time limit: past it the replay stops,
    nothing is inserted, and what was placed (here the pins alone) still obeys the rules."""
    problem = random_problem(3, 10, 40, pin_share=0.2)
    warm = _solve(problem, seed=1)
    solution = solve(problem, policy=POLICY, time_limit=0.0, seed=0, warm_start=warm)
    pinned = set(np.flatnonzero(problem.pinned.any(axis=0)).tolist())
    assert len(warm.served_jobs()) > len(pinned)
    assert solution.served_jobs() == pinned
    assert solution.stats["timed_out"] == 1.0
    assert problem_violations(problem, solution) == []


def test_progress_reports_a_falling_objective(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress reports come in order, the objective falls, and the last is the result."""
    monkeypatch.setattr(greedy, "_PROGRESS_SECONDS", 0.0)
    reports: list[Progress] = []
    problem = random_problem(2, 10, 40, team_share=0.2, pin_share=0.1)
    solution = _solve(problem, progress=reports.append)
    assert len(reports) > 3
    assert [r.objective for r in reports] == sorted((r.objective for r in reports), reverse=True)
    assert [r.served for r in reports] == sorted(r.served for r in reports)
    assert reports[-1].objective == solution.objective
    assert reports[-1].served == len(solution.served_jobs())
    # The running objective kept during insertion is exact, not an estimate.
    assert reports[-2].objective == solution.objective


def test_warm_start_is_replayed_and_extended() -> None:
    """Every assignment of a valid warm start is kept at its minute; free jobs are added."""
    problem = random_problem(4, 15, 60, team_share=0.2, pin_share=0.1)
    full = _solve(problem, seed=1)
    kept = tuple(
        Route(vehicle=r.vehicle, jobs=r.jobs[:1], starts=r.starts[:1]) for r in full.routes
    )
    warm = Solution(routes=kept, objective=0, backend="test", seed=0, solve_seconds=0.0)
    solution = _solve(problem, seed=2, warm_start=warm)
    warm_visits = {
        (v, j, s)
        for v, j, s in warm.assignments()
        if problem.job_team[j] == sum(1 for route in kept if j in route.jobs)
    }
    assert warm_visits <= set(solution.assignments())
    assert len(solution.served_jobs()) >= len({j for _, j, _ in warm_visits})


def test_warm_start_breaking_a_rule_is_not_replayed() -> None:
    """A warm-start visit on an ineligible pair is dropped and the job inserted anew."""
    problem = make_problem(n_workers=2, n_jobs=1, eligible=[[0], [1]])
    warm = Solution(
        routes=(Route(vehicle=0, jobs=(0,), starts=(10,)),),
        objective=0,
        backend="test",
        seed=0,
        solve_seconds=0.0,
    )
    assert _plan(_solve(problem, warm_start=warm)) == {1: [(0, 10)]}


# -- the checker the tests rely on -------------------------------------------------------


def test_checker_flags_broken_rules() -> None:
    """problem_violations reports overlap, window, travel, capacity, team and pin breaks."""
    problem = make_problem(
        n_workers=2,
        n_jobs=3,
        team=[1, 1, 2],
        latest=[50, 540, 540],
        max_jobs=[2, 5],
        pins=[(1, 1)],
    )
    bad = Solution(
        routes=(
            Route(vehicle=0, jobs=(0, 1, 2), starts=(100, 120, 300)),
            Route(vehicle=1, jobs=(2,), starts=(310,)),
        ),
        objective=0,
        backend="test",
        seed=0,
        solve_seconds=0.0,
    )
    text = " | ".join(problem_violations(problem, bad))
    for expected in (
        "outside its window",
        "before arrival",
        "max 2",
        "different minutes",
        "pin of job 1",
    ):
        assert expected in text


# -- properties --------------------------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=random_problems(max_workers=8, max_jobs=25), solve_seed=st.integers(0, 1000))
def test_random_problems_give_valid_solutions_that_keep_pins(
    problem: Problem,
    solve_seed: int,
) -> None:
    """Every solution of a random problem breaks no hard rule, keeps every pin, repeats."""
    solution = _solve(problem, seed=solve_seed)
    assert missing_pins(problem, solution) == set()
    assert solve(problem, policy=POLICY, time_limit=10.0, seed=solve_seed).routes == solution.routes


@st.composite
def _dense_problems(draw: st.DrawFn) -> Problem:
    """Tiny problems with arbitrary (even non-metric) travel and tight windows and caps."""
    n_workers = draw(st.integers(1, 4))
    n_jobs = draw(st.integers(1, 8))
    n_vehicles = n_workers
    ints = st.integers
    arrays = np.asarray
    earliest = arrays(draw(st.lists(ints(0, 200), min_size=n_jobs, max_size=n_jobs)))
    width = arrays(draw(st.lists(ints(0, 120), min_size=n_jobs, max_size=n_jobs)))
    travel = arrays(draw(st.lists(ints(0, 40), min_size=n_jobs * n_jobs, max_size=n_jobs * n_jobs)))
    home = arrays(
        draw(st.lists(ints(0, 40), min_size=n_vehicles * n_jobs, max_size=n_vehicles * n_jobs))
    )
    eligible = arrays(
        draw(st.lists(st.booleans(), min_size=n_vehicles * n_jobs, max_size=n_vehicles * n_jobs))
    )
    return make_problem(
        n_workers=n_workers,
        n_jobs=n_jobs,
        shifts=[(w, draw(ints(0, 60)), draw(ints(200, 400))) for w in range(n_workers)],
        earliest=earliest,
        latest=earliest + width,
        duration=draw(st.lists(ints(1, 90), min_size=n_jobs, max_size=n_jobs)),
        team=draw(st.lists(st.sampled_from([1, 1, 1, 2, 3]), min_size=n_jobs, max_size=n_jobs)),
        priority=draw(st.lists(ints(1, 5), min_size=n_jobs, max_size=n_jobs)),
        travel=travel.reshape(n_jobs, n_jobs),
        home_travel=home.reshape(n_vehicles, n_jobs),
        max_jobs=draw(st.lists(ints(0, 4), min_size=n_vehicles, max_size=n_vehicles)),
        max_work=draw(st.lists(ints(0, 240), min_size=n_vehicles, max_size=n_vehicles)),
        eligible=eligible.reshape(n_vehicles, n_jobs),
        score=draw(st.floats(0, 100)),
        fold_shift_fit=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=_dense_problems(), seed=st.integers(0, 100))
def test_tight_arbitrary_problems_give_valid_solutions(problem: Problem, seed: int) -> None:
    """Non-metric travel, tight windows and caps never lead to a broken hard rule."""
    solution = _solve(problem, seed=seed)
    unserved = set(range(problem.n_jobs)) - solution.served_jobs()
    # Greedy is maximal: no unserved single job fits on a vehicle that is still empty.
    for job in unserved:
        if problem.job_team[job] != 1:
            continue
        busy = {route.vehicle for route in solution.routes}
        for vehicle in set(range(problem.n_vehicles)) - busy:
            alone = Solution(
                routes=(
                    Route(
                        vehicle=vehicle, jobs=(job,), starts=(_first_start(problem, vehicle, job),)
                    ),
                ),
                objective=0,
                backend="test",
                seed=0,
                solve_seconds=0.0,
            )
            assert problem_violations(problem, alone)


def _first_start(problem: Problem, vehicle: int, job: int) -> int:
    """The earliest start of ``job`` alone on ``vehicle`` (window and travel from home)."""
    return max(
        int(problem.job_earliest[job]),
        int(problem.vehicle_start[vehicle]) + int(problem.travel_home_job[vehicle, job]),
    )


# -- end to end --------------------------------------------------------------------------


def test_generated_dataset_end_to_end_passes_verify() -> None:
    """A compiled generated dataset (two days, pins, teams) gives a plan that verify accepts."""
    from matchmaker.compile import compile_problem
    from matchmaker.generate import generate_frames
    from matchmaker.io import dataset_from_frames
    from matchmaker.plan import build_plan, verify

    dataset = dataset_from_frames(generate_frames(workers=25, jobs=90, seed=4, days=2))
    problem = compile_problem(dataset, policy=POLICY)
    solution = _solve(problem, seed=3)
    assert len(solution.served_jobs()) > 0
    assert verify(dataset, build_plan(dataset, problem, solution, POLICY)) == []
