"""Cutting a round into independent pieces (zones, days) and solving them side by side."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from matchmaker.compile import Problem, compile_problem
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset
from matchmaker.plan import build_plan, verify
from matchmaker.solve import solve_pieces, split_days, split_zones


@cache
def _round(days: int = 1) -> tuple[Dataset, Problem]:
    dataset = dataset_from_frames(generate_frames(workers=30, jobs=90, seed=5, days=days))
    return dataset, compile_problem(dataset)


def _check_partition(problem: Problem, pieces: list) -> None:
    vehicles = np.concatenate([p.vehicles for p in pieces])
    assert len(vehicles) == len(set(vehicles.tolist()))
    jobs = np.concatenate([p.jobs for p in pieces])
    shared = len(jobs) - len(set(jobs.tolist()))
    frozen = int((problem.pinned.sum(axis=0) > 1).sum())
    assert shared <= frozen
    for piece in pieces:
        # A pinned job travels with its pinned shift.
        for vehicle, job in np.argwhere(problem.pinned).tolist():
            if vehicle in piece.vehicles:
                assert job in piece.jobs


def test_zones_share_no_shift_and_keep_pins_with_their_worker() -> None:
    """Every shift is in at most one zone, jobs are in one zone (a pinned team job split
    between zones aside) and a pinned job is in its pinned shift's zone."""
    dataset, problem = _round()
    pieces = split_zones(problem, dataset.settings.policy, 3, seed=2)
    assert 2 <= len(pieces) <= 3
    _check_partition(problem, pieces)
    sizes = [len(p.vehicles) for p in pieces]
    assert max(sizes) <= -(-problem.n_vehicles // 3)


def test_days_put_each_shift_and_job_on_its_day() -> None:
    """A piece per day; every shift of a piece starts that day."""
    dataset, problem = _round(days=3)
    day = problem.vehicle_start // 1440
    pieces = split_days(problem, dataset.settings.policy, day, problem.job_latest // 1440)
    assert len(pieces) == len(set(day.tolist()))
    _check_partition(problem, pieces)
    for piece in pieces:
        assert len(set(day[piece.vehicles].tolist())) == 1


@pytest.mark.parametrize("kind", ["zones", "days"])
def test_pieces_put_together_make_a_verified_plan(kind: str) -> None:
    """The pieces' plans side by side, plus the border fill, pass the verifier."""
    dataset, problem = _round(days=1 if kind == "zones" else 3)
    policy = dataset.settings.policy
    if kind == "zones":
        pieces = split_zones(problem, policy, 2, seed=1)
    else:
        pieces = split_days(
            problem, policy, problem.vehicle_start // 1440, problem.job_latest // 1440
        )
    solution = solve_pieces(
        problem, pieces, solver="greedy", policy=policy, time_limit=30, seed=1, deterministic=True
    )
    assert solution.stats["pieces"] == len(pieces)
    plan = build_plan(dataset, problem, solution, policy)
    assert verify(dataset, plan) == []
    assert plan.kpis["jobs_served"] > 0
