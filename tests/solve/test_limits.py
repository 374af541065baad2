"""The limits across days and the continuity cap on the solver side: trim, guard, enforce."""

from __future__ import annotations

from collections import defaultdict

from matchmaker.compile import compile_problem
from matchmaker.model import (
    DatasetSettings,
    Job,
    LimitSettings,
    LinkWorker,
    Policy,
    TimeWindow,
)
from matchmaker.plan import dispatch
from matchmaker.solve import Route, Solution
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._limits import breaches, enforce, limit_blocks, trim
from tests.rules.world import at, customer, job, shift, worker, world

WEEK = tuple(shift(8, 18, day=d) for d in range(5))


def _daily_jobs(per_day: int) -> list[Job]:
    return [
        job(
            f"J{d}{k}",
            window=TimeWindow(start=at(9 + 2 * k, day=d), end=at(10 + 2 * k, day=d)),
            customer_id="C1",
        )
        for d in range(5)
        for k in range(per_day)
    ]


def test_trim_drops_the_least_valuable_job_of_a_breach() -> None:
    """Two days' work over a weekly limit of one job: the priority-1 job goes, the
    priority-5 one stays, and nothing else moves."""
    tomorrow = TimeWindow(start=at(9, day=1), end=at(11, day=1))
    dataset = world(
        workers=[worker(shifts=WEEK[:2], max_week_minutes=60)],
        jobs=[job("J1", priority=1), job("J2", window=tomorrow, priority=5)],
    )
    problem = compile_problem(dataset)
    routes = (
        Route(vehicle=0, jobs=(0,), starts=(int(problem.job_earliest[0]),)),
        Route(vehicle=1, jobs=(1,), starts=(int(problem.job_earliest[1]),)),
    )
    assert len(breaches(problem, routes)) == 1
    kept = trim(problem, Policy(), routes)
    assert [r.jobs for r in kept] == [(), (1,)]
    assert breaches(problem, kept) == []


def test_the_greedy_guard_keeps_weekly_minutes_and_days_in_a_row() -> None:
    """Greedy insertion alone (not through the registry) never passes a weekly limit or
    a run of days: its guard filters the vehicles before inserting."""
    dataset = world(
        workers=[
            worker("W1", shifts=WEEK, max_week_minutes=300, max_consecutive_days=2),
            worker("W2", shifts=WEEK, max_week_minutes=300, max_consecutive_days=2),
        ],
        jobs=_daily_jobs(3),
    )
    problem = compile_problem(dataset)
    solution = greedy.solve(problem, policy=Policy(), time_limit=5.0, seed=0)
    assert breaches(problem, solution.routes) == []
    assert len(solution.served_jobs()) == 10  # 2 workers x 300 minutes of one-hour jobs


def test_every_backend_keeps_the_limits_on_a_working_week() -> None:
    """A five-day round with 11 hours of rest, at most three days in a row and 4 hours a
    week per worker: every backend's plan verifies, keeps each limit, and still serves as
    much as the limits allow (two workers x 4 one-hour jobs)."""
    dataset = world(
        workers=[
            worker(
                w, shifts=WEEK, max_week_minutes=240, min_rest_minutes=660, max_consecutive_days=3
            )
            for w in ("W1", "W2")
        ],
        jobs=_daily_jobs(2),
    )
    for solver in ("greedy", "routing"):
        result = dispatch(dataset, solver=solver, time_limit=1.0, seed=0)
        assert result.violations == (), solver
        minutes: dict[str, int] = defaultdict(int)
        for a in result.plan.assignments:
            minutes[a.worker_id] += 60
        assert max(minutes.values()) <= 240, solver
        assert len(result.plan.assignments) == 8, solver
        codes = {u.reason_code.value for u in result.plan.unassigned}
        assert codes == {"WORK_LIMITS"}, solver


def test_limit_blocks_names_what_keeps_a_job_out() -> None:
    """With the only worker's week full, the next job is blocked by a worker limit."""
    tomorrow = TimeWindow(start=at(9, day=1), end=at(11, day=1))
    dataset = world(
        workers=[worker(shifts=WEEK[:2], max_week_minutes=60)],
        jobs=[job("J1"), job("J2", window=tomorrow)],
    )
    problem = compile_problem(dataset)
    served = (Route(vehicle=0, jobs=(0,), starts=(int(problem.job_earliest[0]),)),)
    assert limit_blocks(problem, served, 1) == "worker"
    assert limit_blocks(problem, (), 1) is None


def test_with_linked_visits_the_fill_puts_a_trimmed_visit_on_another_worker() -> None:
    """W1 (60 minutes a week) holds both linked visits, so the trim drops J2 (J1 would take
    J2 with it); the fill for a round with home-care rules puts J2 on W2, the gap after J1
    kept and J1's start untouched."""
    dataset = world(
        workers=[worker("W1", max_week_minutes=60), worker("W2")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(10))),
            job("J2", window=TimeWindow(start=at(9), end=at(16)), depends_on="J1", min_gap=120),
        ],
    )
    problem = compile_problem(dataset)
    w1 = int(problem.worker_ids.index("W1"))
    first = int(problem.job_earliest[0])
    both = Route(vehicle=w1, jobs=(0, 1), starts=(first, first + 120))
    solution = Solution(routes=(both,), objective=0, backend="test", seed=0, solve_seconds=0.0)
    kept = enforce(problem, Policy(), solution)
    by_job = {j: (r.vehicle, s) for r in kept.routes for j, s in zip(r.jobs, r.starts, strict=True)}
    assert by_job[0] == (w1, first)
    assert by_job[1][0] != w1 and by_job[1][1] >= first + 120
    assert breaches(problem, kept.routes) == []
    assert kept.stats["limits_refilled"] == 1


def test_trim_never_drops_the_visit_a_pinned_visit_depends_on() -> None:
    """When the only job a limit could drop is one a pinned visit depends on, the trim keeps
    it (dropping it would take the pin with it): pins are never dropped, and the verifier
    reports the limit."""
    dataset = world(
        workers=[worker(shifts=(shift(8, 12, day=0), shift(8, 12, day=1)))],
        jobs=[
            job("J1"),
            job(
                "J2",
                window=TimeWindow(start=at(9, day=1), end=at(9, day=1)),
                pinned_worker_ids=("W1",),
                pinned_start=at(9, day=1),
                depends_on="J1",
                link_worker=LinkWorker.SAME,
            ),
        ],
        settings=DatasetSettings(limits=LimitSettings(min_rest_minutes=24 * 60)),
    )
    problem = compile_problem(dataset)
    routes = (
        Route(vehicle=0, jobs=(0,), starts=(int(problem.job_earliest[0]),)),
        Route(vehicle=1, jobs=(1,), starts=(int(problem.job_pinned_start[1]),)),
    )
    assert breaches(problem, routes)
    assert trim(problem, Policy(), routes) == routes


def test_a_continuity_breach_drops_the_unpinned_worker_not_the_pinned_one() -> None:
    """A customer capped at two workers is visited by three, one of them (the least busy,
    last by id) at a pinned visit: the trim drops a visit of an unpinned worker, and the
    plan keeps the cap."""
    hours = (9, 12, 15)
    dataset = world(
        workers=[worker(f"W{k}", shifts=(shift(8, 18),)) for k in (1, 2, 3)],
        jobs=[
            job(
                f"J{k}",
                window=TimeWindow(start=at(hours[k - 1]), end=at(hours[k - 1] + 1)),
                **({"pinned_worker_ids": ("W3",)} if k == 3 else {}),
            )
            for k in (1, 2, 3)
        ],
        customers=[customer(max_distinct_workers=2)],
    )
    problem = compile_problem(dataset)
    routes = tuple(
        Route(vehicle=k, jobs=(k,), starts=(int(problem.job_earliest[k]),)) for k in range(3)
    )
    assert len(breaches(problem, routes)) == 1
    kept = trim(problem, Policy(), routes)
    assert breaches(problem, kept) == []
    assert sum(len(r.jobs) for r in kept) == 2
    assert (2,) in [r.jobs for r in kept]
