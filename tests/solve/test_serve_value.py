"""Serving priced in travel minutes (policy ``serve_value_minutes``): a job whose travel
costs more than it is worth is left out, by every backend, with reason ``NOT_WORTH``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError

from matchmaker.compile import compile_problem
from matchmaker.model import Dataset, Location, Policy, TimeWindow
from matchmaker.plan import (
    DispatchResult,
    ReasonCode,
    dispatch,
    explain_job,
    localize_reason,
    verify,
)
from matchmaker.solve import (
    Costs,
    drop_penalties,
    insertion_worth,
    serve_value,
)
from matchmaker.solve._insertion import Table, best_single, best_team
from matchmaker.solve._linked_start import insert_all
from tests.rules.world import at, job, verified_plan, world

FAR = Location(lat=31.35, lon=121.55)
"""About 20 km of road from the worker's home: some 50 minutes by car."""
PRICED = Policy(serve_value_minutes=30, match_cost_per_point=0)
"""A priority-1 job is worth 30 travel minutes: the far job is not, the near one is."""
BACKENDS = ("greedy", "routing", "cpsat")


def _round(**far: object) -> Dataset:
    """A near job and a far one, both priority 1, with time for both in one shift."""
    late = TimeWindow(start=at(9), end=at(15))
    return world(
        jobs=[job("NEAR", priority=1), job("FAR", priority=1, location=FAR, window=late, **far)]
    )


def _dispatched(policy: Policy, **far: object) -> list[DispatchResult]:
    dataset = _round(**far)
    results = []
    for backend in BACKENDS:
        result = dispatch(dataset, solver=backend, policy=policy, time_limit=2.0, seed=0)
        assert verify(dataset, result.plan) == [], backend
        results.append(result)
    return results


def _served(result: DispatchResult) -> set[str]:
    return {a.job_id for a in result.plan.assignments}


def test_a_job_not_worth_its_travel_is_left_out_by_every_backend() -> None:
    """Greedy, routing and CP-SAT serve the near job and leave the far one out as
    NOT_WORTH, the sentence giving its cheapest cost against its worth."""
    for result in _dispatched(PRICED):
        backend = result.solution.backend
        assert _served(result) == {"NEAR"}, backend
        (entry,) = result.plan.unassigned
        assert entry.reason_code is ReasonCode.NOT_WORTH, (backend, entry.reason)
        assert "serving it is worth 30 (policy serve_value_minutes)" in entry.reason
        assert "W1" in entry.reason


def test_without_a_price_or_with_a_high_one_both_jobs_are_served() -> None:
    """Unset, serving always pays; at 200 minutes the far job's travel is worth it."""
    for policy in (
        Policy(match_cost_per_point=0),
        PRICED.model_copy(update={"serve_value_minutes": 200}),
    ):
        for result in _dispatched(policy):
            assert _served(result) == {"NEAR", "FAR"}, (policy, result.solution.backend)


def test_a_pinned_job_is_served_whatever_it_costs() -> None:
    """A job pinned to a worker was promised: its price does not leave it out."""
    for result in _dispatched(PRICED, pinned_worker_ids=("W1",)):
        assert "FAR" in _served(result), result.solution.backend


def test_explaining_the_left_out_job_gives_the_same_reason() -> None:
    """``explain`` of the far job works out NOT_WORTH again from the plan's days (here a
    plan that lists no unassigned jobs, as one read from assignments alone)."""
    dataset = _round()
    result = dispatch(dataset, policy=PRICED, time_limit=2.0, seed=0)
    bare = replace(result.plan, unassigned=())
    explanation = explain_job(dataset, bare, "FAR", policy=PRICED)
    assert explanation.status == "unassigned"
    assert explanation.reason_code is ReasonCode.NOT_WORTH


def test_the_not_worth_reason_is_said_in_chinese() -> None:
    """The sentence reads back whole in Chinese, with its two numbers."""
    (result,) = [r for r in _dispatched(PRICED) if r.solution.backend == "routing"]
    (entry,) = result.plan.unassigned
    said = localize_reason(entry.reason, "zh")
    assert said.startswith("NOT_WORTH（")
    assert "而服务它只值 30（策略 serve_value_minutes）" in said
    assert "cheapest" not in said


@pytest.mark.parametrize(("minutes", "served"), [(20, {"NEAR"}), (30, {"NEAR", "FAR", "AFTER"})])
def test_the_home_care_insertion_weighs_a_linked_visit_with_its_partner(
    minutes: int, served: set[str]
) -> None:
    """The home-care insertion (a round with linked visits) prices the far visit together
    with the visit that follows it there: at 20 min each the pair (about 50 min of travel)
    is not worth it and both stay out; at 30 min each it is, though the far visit alone
    would not be."""
    late = TimeWindow(start=at(9), end=at(15))
    dataset = world(
        jobs=[
            job("NEAR", priority=1),
            job("FAR", priority=1, location=FAR, window=late),
            job(
                "AFTER",
                priority=1,
                location=FAR,
                window=TimeWindow(start=at(9), end=at(17)),
                depends_on="FAR",
                min_gap=60,
                max_gap=240,
            ),
        ]
    )
    policy = PRICED.model_copy(update={"serve_value_minutes": minutes})
    problem = compile_problem(dataset, policy=policy)
    routes = insert_all(problem, policy, Costs.of(problem, policy))
    plan = verified_plan(dataset, problem, routes, policy)
    assert {a.job_id for a in plan.assignments} == served


def test_serve_value_and_worth_follow_the_price() -> None:
    """serve_value is travel_cost_per_minute x serve_value_minutes; the worth of each job
    is its drop penalty, unlimited when unpriced or pinned."""
    dataset = _round()
    policy = PRICED.model_copy(update={"travel_cost_per_minute": 3})
    problem = compile_problem(dataset, policy=policy)
    assert serve_value(problem, policy) == 90
    penalty = drop_penalties(problem, policy)
    assert penalty.tolist() == [90, 90]
    assert insertion_worth(problem, policy, penalty).tolist() == [90, 90]
    unpriced = Policy()
    unlimited = insertion_worth(problem, unpriced, drop_penalties(problem, unpriced))
    assert (unlimited == np.iinfo(np.int64).max).all()
    pinned = compile_problem(_round(pinned_worker_ids=("W1",)), policy=policy)
    assert insertion_worth(pinned, policy, penalty)[1] == np.iinfo(np.int64).max


def test_a_price_needs_a_travel_cost() -> None:
    """Minutes of travel are worth nothing at travel_cost_per_minute 0: refused."""
    with pytest.raises(ValidationError, match="travel_cost_per_minute"):
        Policy(serve_value_minutes=30, travel_cost_per_minute=0)


def test_insertions_stop_at_the_worth() -> None:
    """best_single and best_team return nothing when the cheapest place (a team's cheapest
    members together) costs the worth or more."""
    cost = np.array([[40, 70], [50, 90]], dtype=np.int64)
    table = Table(
        vehicles=np.array([0, 1], dtype=np.int64),
        cost=cost,
        earliest=np.zeros((2, 2), dtype=np.int64),
        latest=np.full((2, 2), 100, dtype=np.int64),
        feasible=np.ones((2, 2), dtype=bool),
    )
    workers = np.array([0, 1], dtype=np.int64)
    assert best_single(table, None, 41) == (0, 0, 0)
    assert best_single(table, None, 40) is None
    assert best_team(table, workers, 2, None, worth=91) is not None
    assert best_team(table, workers, 2, None, worth=90) is None
