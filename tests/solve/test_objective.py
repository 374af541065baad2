"""The documented objective: drop penalties, match costs and travel, term by term."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import (
    Route,
    drop_penalties,
    match_costs,
    objective_terms,
    priority_weights,
    route_travel,
    serve_value,
)
from tests.problem_factory import random_problem


def _problem(priorities: list[int], teams: list[int] | None = None) -> Problem:
    n_jobs = len(priorities)
    n_vehicles = 2
    i32 = np.int32
    return Problem(
        horizon_start=datetime(2026, 12, 1, tzinfo=UTC),
        worker_ids=("W1", "W2"),
        job_ids=tuple(f"J{j}" for j in range(n_jobs)),
        modes=("car",),
        vehicle_worker=np.arange(n_vehicles, dtype=i32),
        vehicle_start=np.array([480, 480], dtype=i32),
        vehicle_end=np.array([1080, 960], dtype=i32),
        vehicle_mode=np.zeros(n_vehicles, dtype=i32),
        vehicle_max_jobs=np.full(n_vehicles, 10, dtype=i32),
        vehicle_max_work=np.full(n_vehicles, 600, dtype=i32),
        job_earliest=np.full(n_jobs, 480, dtype=i32),
        job_latest=np.full(n_jobs, 900, dtype=i32),
        job_duration=np.full(n_jobs, 60, dtype=i32),
        job_team=np.array(teams or [1] * n_jobs, dtype=i32),
        job_priority=np.array(priorities, dtype=i32),
        job_pinned_start=np.full(n_jobs, -1, dtype=i32),
        pinned=np.zeros((n_vehicles, n_jobs), dtype=bool),
        travel_job_job=(np.arange(n_jobs * n_jobs, dtype=i32).reshape(1, n_jobs, n_jobs) % 7),
        travel_home_job=np.full((n_vehicles, n_jobs), 10, dtype=i32),
        eligible=np.ones((n_vehicles, n_jobs), dtype=bool),
        reasons=np.zeros((2, n_jobs), dtype=np.uint16),
        score=np.array([[80.0] * n_jobs, [55.4] * n_jobs]),
    )


def test_serve_value_exceeds_any_saving_of_one_job() -> None:
    """Serving one job is worth more than its longest travel plus its worst match cost."""
    problem = _problem([3, 3])
    policy = Policy()
    assert serve_value(problem, policy) == 600 * 1 + 100 * 1 + 1


def test_drop_penalty_scales_with_priority_and_team() -> None:
    """drop_penalty = serve_value * priority weight * workers needed."""
    problem = _problem([1, 5, 3], teams=[1, 1, 2])
    value = serve_value(problem, Policy())
    assert drop_penalties(problem, Policy()).tolist() == [value * 1, value * 16, value * 4 * 2]


def test_strict_priority_beats_all_lower_jobs_together() -> None:
    """Under strict priority one job outweighs every job of lower priority combined."""
    problem = _problem([1, 1, 1, 2, 2, 3])
    penalties = drop_penalties(problem, Policy(strict_priority=True))
    priorities = problem.job_priority
    for level in (2, 3):
        one = penalties[priorities == level].min()
        assert one > penalties[priorities < level].sum()
    assert priority_weights(problem, Policy(strict_priority=True))[2] == 4


def test_match_cost_rounds_per_pair() -> None:
    """Match cost is the rounded shortfall of the score from 100 per point cost."""
    costs = match_costs(_problem([3]), Policy(match_cost_per_point=2))
    assert costs[:, 0].tolist() == [40, 89]


def test_objective_terms_add_up() -> None:
    """Travel counts home to first job then job to job; unserved jobs add their penalty."""
    problem = _problem([3, 3, 3])
    policy = Policy()
    route = Route(vehicle=1, jobs=(0, 2), starts=(490, 600))
    assert route_travel(problem, route) == 10 + int(problem.travel_job_job[0, 0, 2])
    terms = objective_terms(problem, (route,), policy)
    assert terms.unserved_penalty == int(drop_penalties(problem, policy)[1])
    assert terms.match_cost == 2 * 45
    assert terms.travel_minutes == route_travel(problem, route)
    assert terms.total == terms.unserved_penalty + terms.match_cost + terms.travel_cost


def test_partial_team_counts_as_unserved() -> None:
    """A team job served by fewer members than it needs still pays its drop penalty."""
    problem = _problem([3, 3], teams=[2, 1])
    policy = Policy()
    partial = (Route(vehicle=0, jobs=(0, 1), starts=(490, 600)),)
    full = (*partial, Route(vehicle=1, jobs=(0,), starts=(490,)))
    penalties = drop_penalties(problem, policy)
    assert objective_terms(problem, partial, policy).unserved_penalty == int(penalties[0])
    assert objective_terms(problem, full, policy).unserved_penalty == 0


def test_match_costs_of_some_pairs_are_those_of_the_matrix() -> None:
    """``match_costs`` for index arrays gives the full matrix's entries at those pairs."""
    problem = random_problem(5, 8, 20)
    workers = np.array([0, 3, 7, 7], dtype=np.intp)
    jobs = np.array([19, 0, 4, 5], dtype=np.intp)
    policy = Policy(match_cost_per_point=3)
    full = match_costs(problem, policy)
    assert match_costs(problem, policy, (workers, jobs)).tolist() == full[workers, jobs].tolist()
