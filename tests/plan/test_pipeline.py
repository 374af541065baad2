"""The dispatch pipeline: compile, solve, explain and verify in one call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matchmaker.compile import HaversineTravel
from matchmaker.model import DatasetSettings, Policy, TimeWindow
from matchmaker.plan import dispatch, verify
from matchmaker.solve import Progress
from tests.matrix_world import MATRIX_LEGS, matrix_world
from tests.rules.world import at, job, worker, world

NINE = TimeWindow(start=at(9), end=at(9))


@pytest.mark.parametrize("solver", ["greedy", "routing"])
def test_dispatch_returns_a_verified_plan_with_its_sources(solver: str) -> None:
    """The result carries plan, problem, solution and policy, and the plan verifies clean."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[job("J1", window=NINE), job("J2", window=NINE), job("J3", window=NINE)],
    )
    result = dispatch(dataset, solver=solver, time_limit=0.5, seed=1)
    assert result.ok and result.violations == ()
    assert verify(dataset, result.plan) == []
    assert result.problem.job_ids == ("J1", "J2", "J3")
    assert result.plan.kpis["objective"] == result.solution.objective
    assert (result.plan.kpis["backend"], result.plan.kpis["seed"]) == (solver, 1)
    assert len(result.plan.assignments) == 2 and len(result.plan.unassigned) == 1


def test_policy_defaults_to_the_datasets_own() -> None:
    """Without a policy argument the dataset.toml policy is used; an argument overrides it."""
    own = Policy(travel_cost_per_minute=4)
    dataset = replace(world(), settings=DatasetSettings(policy=own))
    result = dispatch(dataset, solver="greedy")
    assert result.ok
    assert result.policy == own
    travel = result.plan.kpis["travel_minutes_total"]
    assert result.plan.kpis["objective_terms"]["travel_cost"] == 4 * travel
    other = Policy(travel_cost_per_minute=0)
    overridden = dispatch(dataset, solver="greedy", policy=other)
    assert overridden.ok and overridden.policy == other


def test_unknown_solver_is_refused() -> None:
    """A solver name that does not exist is a ValueError naming the choices."""
    with pytest.raises(ValueError, match="greedy"):
        dispatch(world(), solver="magic")


def test_progress_reports_reach_the_callback() -> None:
    """Progress reports of the solver are handed to the caller's callback."""
    seen: list[Progress] = []
    assert dispatch(world(), solver="routing", time_limit=0.5, progress=seen.append).ok
    assert seen and all(isinstance(p, Progress) for p in seen)


@pytest.mark.parametrize("solver", ["greedy", "routing"])
def test_dispatch_on_a_travel_matrix_verifies_with_that_matrix(solver: str) -> None:
    """A round solved on a MatrixTravel records it: the plan verifies clean with the matrix's
    minutes, which straight-line travel would reject (regression: 56 travel_fits)."""
    dataset, travel = matrix_world()
    result = dispatch(dataset, solver=solver, time_limit=0.5, seed=1, travel=travel)
    assert result.ok and result.plan.travel is travel
    assert verify(dataset, result.plan) == []
    legs = {a.job_id: a.travel_minutes for a in result.plan.assignments}
    assert legs == MATRIX_LEGS
    straight = verify(dataset, result.plan, travel=HaversineTravel())
    assert {v.rule for v in straight} == {"travel_fits"}
    assert not dispatch(dataset, solver=solver, time_limit=0.5).plan.assignments
