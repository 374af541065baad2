"""The relaxation lower bound: never above the objective of any plan, optimal ones included."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings

from matchmaker.compile import Problem
from matchmaker.model import Dataset, Policy
from matchmaker.plan import dispatch, verify
from matchmaker.solve import _cpsat as cpsat
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._bound import least_incoming_travel, reachable_work, relaxation_bound
from matchmaker.solve._costs import Costs
from tests.problem_factory import make_problem, random_problem, random_problems
from tests.strategies import datasets

POLICY = Policy()
LINEAR = Policy(priority_weights={1: 1, 2: 2, 3: 3, 4: 4, 5: 5})
PRICED = Policy(serve_value_minutes=20)
"""Serving priced in travel minutes: some jobs are better left out."""
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
_ROUNDS = random_problems(
    max_workers=10, max_jobs=40, min_jobs=1, team_shares=(0.0, 0.3), pin_shares=(0.0, 0.2)
)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("policy", [POLICY, LINEAR, PRICED], ids=["default", "linear", "priced"])
def test_the_bound_is_never_above_a_proven_optimum(seed: int, policy: Policy) -> None:
    """On rounds CP-SAT solves to optimality, the bound sits at or below the optimum."""
    problem = random_problem(seed, 3, 8, team_share=0.25, pin_share=0.1, n_modes=2)
    exact = cpsat.solve(problem, policy=policy, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    bound = relaxation_bound(problem, Costs.of(problem, policy), exact.objective, 2.0)
    assert bound is not None
    assert bound <= exact.objective


@settings(max_examples=30, deadline=None, suppress_health_check=_SLOW)
@given(problem=_ROUNDS)
def test_the_bound_is_never_above_any_plan(problem: Problem) -> None:
    """Even given the greedy plan's objective to climb towards, the bound stays below it."""
    plan = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0)
    bound = relaxation_bound(problem, Costs.of(problem, POLICY), plan.objective, 1.0)
    assert bound is not None
    assert bound <= plan.objective


def test_reachable_work_counts_whole_jobs_only() -> None:
    """One job a shift and a 225-minute cap: with jobs of 60, 120 and 180 minutes, 180."""
    problem = make_problem(
        n_workers=1, n_jobs=3, duration=[60, 120, 180], max_jobs=1, max_work=225, latest=300
    )
    assert reachable_work(problem).tolist() == [180]
    two = make_problem(
        n_workers=1, n_jobs=3, duration=[60, 120, 180], max_jobs=2, max_work=225, latest=300
    )
    assert reachable_work(two).tolist() == [180]


def test_least_incoming_travel_needs_a_job_that_can_come_before() -> None:
    """A job whose window closes before another can end gives it no incoming leg."""
    problem = make_problem(
        n_workers=1,
        n_jobs=2,
        earliest=[0, 0],
        latest=[0, 300],
        duration=[60, 60],
        travel=[[0, 5], [7, 0]],
    )
    legs = least_incoming_travel(problem)
    assert legs[0, 1] == 5  # job 0 (ends at 60) can precede job 1
    assert legs[0, 0] > 10**9  # job 1 cannot end before job 0's latest start


@settings(max_examples=8, deadline=None, suppress_health_check=_SLOW)
@given(datasets(max_workers=4, max_jobs=8))
def test_routing_plans_report_a_bound_and_a_gap(dataset: Dataset) -> None:
    """The routing backend reports the bound in the plan's KPIs, at or below its objective
    (none after a solve narrowed to care teams by a continuity cap: its bound is not one of
    the whole round)."""
    result = dispatch(dataset, solver="routing", time_limit=0.5, seed=0)
    assert verify(dataset, result.plan) == []
    kpis = result.plan.kpis
    capped = dataset.settings.limits.max_distinct_workers is not None or any(
        c.max_distinct_workers is not None for c in dataset.customers
    )
    if dataset.jobs and dataset.workers and not capped:
        assert kpis["lower_bound"] is not None
        assert kpis["lower_bound"] <= kpis["objective"]
        assert kpis["gap"] is None or kpis["gap"] >= 0.0


def test_a_bound_given_steps_takes_them_whatever_the_column_bound_spends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In deterministic mode (``iterations``) the ascent takes all its steps before the
    column bound, not a share of the clock: a column bound that spends every second
    left leaves the bound as it is when the column bound returns at once."""
    from matchmaker.solve import _bound

    def spend(columns: object, seconds: float, *args: object, **options: object) -> float:
        time.sleep(max(seconds, 0.0))
        return -math.inf

    problem = random_problem(3, 6, 40)
    costs = Costs.of(problem, POLICY)
    upper = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).objective
    monkeypatch.setattr(_bound, "_CAPACITY_SHARE", 0.0)
    monkeypatch.setattr(_bound.ColumnBound, "run", lambda *args, **options: -math.inf)
    at_once = relaxation_bound(problem, costs, upper, 60.0, iterations=40)
    one_step = relaxation_bound(problem, costs, upper, 60.0, iterations=1)
    monkeypatch.setattr(_bound.ColumnBound, "run", spend)
    spent = relaxation_bound(problem, costs, upper, 0.5, iterations=40)
    assert at_once is not None and one_step is not None
    assert one_step < at_once  # forty steps climb higher than one
    assert spent == at_once


def test_walks_on_true_legs_keep_their_time_from_the_column_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where walks on true legs need 0.8 s, a 2 s column bound keeps 0.8 s for them; of
    1 s, 0.8 s is more than the three quarters they may keep, and they keep nothing. When
    they keep their time, the column bound only seeds their prices (``_SEED_SHARE`` of the
    rest), and the walks take true legs."""
    from matchmaker.solve import _bound, _bound_shifts

    monkeypatch.setattr(_bound_shifts._Shifts, "true_legs_seconds", lambda *args: 0.8)
    problem = random_problem(3, 6, 40)
    costs = Costs.of(problem, POLICY)
    upper = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).objective
    relaxation = _bound._Relaxation(problem, costs)
    columns = _bound.ColumnBound(
        problem,
        costs,
        (relaxation.vehicle, relaxation.job, relaxation.cost),
        relaxation.constant,
        relaxation.leg,
    )
    assert columns.walks_reserve(2.0) == 0.8
    assert columns.walks_reserve(1.0) == 0.0
    given: dict[str, float] = {}

    def run(columns: object, seconds: float, *args: object, **options: object) -> float:
        given["run"] = seconds
        return -math.inf

    def walks(columns: object, seconds: float, *args: object, true_legs: bool) -> float:
        given["walks"], given["true_legs"] = seconds, true_legs
        return -math.inf

    monkeypatch.setattr(_bound.ColumnBound, "run", run)
    monkeypatch.setattr(_bound.ColumnBound, "walks", walks)
    relaxation_bound(problem, costs, upper, 2.5)
    assert given["run"] <= (2.5 - 0.8) * _bound._SEED_SHARE
    assert given["walks"] >= 0.8 - 0.05 and given["true_legs"]


def test_the_ascent_stays_finite_where_its_target_is_out_of_reach() -> None:
    """On a round whose relaxation cannot reach the greedy plan's cost (two team jobs, the
    prices of the column bound swinging between two subgradients), the bound's steps stay
    finite: no price runs off to infinity (a warning here is an error), and the bound given
    its fixed steps is a number at most the plan's cost."""
    starts = [437, 527, 501, 557, 462, 457, 449, 434, 542]
    ends = [1027, 1110, 1083, 1154, 1009, 1036, 952, 915, 1103]
    problem = make_problem(
        n_workers=9,
        n_jobs=2,
        shifts=[(w, starts[w], ends[w]) for w in range(9)],
        earliest=[661, 748],
        latest=[701, 789],
        duration=[87, 235],
        team=2,
        priority=[2, 1],
        travel=16,
        home_travel=[
            [21, 17],
            [16, 26],
            [22, 32],
            [41, 49],
            [32, 32],
            [29, 37],
            [33, 38],
            [26, 35],
            [38, 44],
        ],
        max_jobs=[4, 2, 4, 2, 2, 6, 3, 6, 2],
        max_work=[457, 496, 341, 462, 456, 338, 406, 343, 428],
        eligible=[[i in (1, 2, 3, 6, 7), i in (0, 4, 5)] for i in range(9)],
        score=[
            [0.0, 49.0],
            [41.1, 0.0],
            [87.4, 0.0],
            [83.1, 0.0],
            [0.0, 53.8],
            [0.0, 75.9],
            [52.0, 0.0],
            [28.5, 0.0],
            [0.0, 0.0],
        ],
    )
    upper = greedy.solve(problem, policy=POLICY, time_limit=1.0, seed=0).objective
    bound = relaxation_bound(problem, Costs.of(problem, POLICY), upper, 5.0, iterations=200)
    assert bound is not None and bound <= upper


def test_where_true_legs_do_not_fit_the_walks_still_finish_on_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the whole ascent on true legs (1.1 s) does not fit but one pricing on them
    (0.2 s) does, the column bound keeps that much, the walks go on least legs first and
    finish on true legs with the time kept."""
    from matchmaker.solve import _bound, _bound_shifts

    monkeypatch.setattr(
        _bound_shifts._Shifts, "true_legs_seconds", lambda shifts, pricings: 0.1 + 0.1 * pricings
    )
    problem = random_problem(3, 6, 40)
    costs = Costs.of(problem, POLICY)
    upper = greedy.solve(problem, policy=POLICY, time_limit=5.0, seed=0).objective
    columns = _bound.column_bound(problem, costs)
    assert columns.walks_reserve(1.0) == pytest.approx(0.2)
    assert columns.walks_reserve(0.3) == 0.0
    calls: list[tuple[float, bool]] = []

    def run(columns: object, seconds: float, *args: object, **options: object) -> float:
        time.sleep(seconds)
        return -math.inf

    def walks(columns: object, seconds: float, *args: object, true_legs: bool) -> float:
        calls.append((seconds, true_legs))
        return -math.inf

    monkeypatch.setattr(_bound.ColumnBound, "run", run)
    monkeypatch.setattr(_bound.ColumnBound, "walks", walks)
    relaxation_bound(problem, costs, upper, 1.5)
    assert calls and calls[-1][1] and calls[-1][0] >= 0.2 - 0.05
    assert not any(true_legs for _, true_legs in calls[:-1])
