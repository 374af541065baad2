"""Cutting a round into independent pieces (zones, days) and solving them side by side."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from matchmaker.compile import Problem, compile_problem
from matchmaker.generate import generate_frames, home_care_settings
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset, Policy, RequestError
from matchmaker.plan import build_plan, verify
from matchmaker.solve import solve_pieces, split_days, split_zones
from matchmaker.solve._decompose import SubRound


@cache
def _round(days: int = 1) -> tuple[Dataset, Problem]:
    dataset = dataset_from_frames(generate_frames(workers=30, jobs=90, seed=5, days=days))
    return dataset, compile_problem(dataset)


@cache
def _care_round(days: int = 1) -> tuple[Dataset, Problem]:
    """A generated round with every home-care rule: due starts, linked visits, lunch
    breaks, the continuity cap (and, over days, the limits across them)."""
    frames = generate_frames(workers=24, jobs=80, seed=5, days=days, home_care=True)
    dataset = dataset_from_frames(frames, settings=home_care_settings())
    return dataset, compile_problem(dataset)


def _cut(problem: Problem, policy: Policy, kind: str) -> list[SubRound]:
    """Two zones (seed 1), or one piece per day of the shifts' starts and jobs' latest."""
    if kind == "zones":
        return split_zones(problem, policy, 2, seed=1)
    return split_days(problem, policy, problem.vehicle_start // 1440, problem.job_latest // 1440)


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
    pieces = _cut(problem, policy, kind)
    solution = solve_pieces(
        problem, pieces, solver="greedy", policy=policy, time_limit=30, seed=1, deterministic=True
    )
    assert solution.stats["pieces"] == len(pieces)
    plan = build_plan(dataset, problem, solution, policy)
    assert verify(dataset, plan) == []
    assert plan.kpis["jobs_served"] > 0


def _check_links(problem: Problem, pieces: list) -> None:
    """Every linked visit in a piece has the visit it depends on in the same piece, and
    the piece's rules name it (in the piece's numbering)."""
    assert problem.rules is not None
    for piece in pieces:
        rules = piece.problem.rules
        leaders = problem.rules.link_to[piece.jobs]
        assert np.isin(leaders[leaders >= 0], piece.jobs).all()
        linked = rules.link_to >= 0
        assert (piece.jobs[rules.link_to[linked]] == leaders[linked]).all()


def test_zones_keep_linked_visits_together() -> None:
    """Cut into three zones, a home-care round keeps each linked pair in one zone, with
    its link, its breaks and its due starts sliced to the zone."""
    dataset, problem = _care_round()
    assert problem.rules is not None and problem.rules.has_links
    pieces = split_zones(problem, dataset.settings.policy, 3, seed=2)
    _check_partition(problem, pieces)
    _check_links(problem, pieces)
    rules = problem.rules
    for piece in pieces:
        assert (piece.problem.rules.job_due == rules.job_due[piece.jobs]).all()
        assert piece.problem.rules.travel_job_home is None
        assert (piece.problem.rules.break_vehicle < piece.problem.n_vehicles).all()
        breaks = np.isin(rules.break_vehicle, piece.vehicles)
        assert piece.problem.rules.break_vehicle.size == int(breaks.sum())
    assert sum(p.problem.rules.break_vehicle.size for p in pieces) == rules.break_vehicle.size


def test_a_chain_goes_to_the_zone_of_its_pinned_visit() -> None:
    """A second visit pinned to a worker of another zone than its first visit's takes the
    first visit along: both are in the pinned worker's zone."""
    dataset, problem = _care_round()
    policy = dataset.settings.policy
    assert problem.rules is not None
    pieces = split_zones(problem, policy, 3, seed=2)
    placed = np.concatenate([p.jobs for p in pieces])
    follower = int(np.flatnonzero(np.isin(problem.rules.link_to, placed))[0])
    leader = int(problem.rules.link_to[follower])
    (home,) = [p for p in pieces if leader in p.jobs]
    away = next(p for p in pieces if p is not home)
    vehicle = int(away.vehicles[0])
    pinned = problem.pinned.copy()
    pinned[vehicle, follower] = True
    moved = replace(problem, pinned=pinned)
    cut = split_zones(moved, policy, 3, seed=2)
    _check_links(moved, cut)
    (holder,) = [p for p in cut if vehicle in p.vehicles]
    assert {leader, follower} <= set(holder.jobs.tolist())


@pytest.mark.parametrize("kind", ["zones", "days"])
def test_a_visit_after_one_no_worker_can_serve_is_in_no_piece(kind: str) -> None:
    """A second visit whose first visit has no eligible worker can never be planned: no
    piece holds it (a piece would see no link and could plan it alone)."""
    dataset, problem = _care_round(days=2)
    assert problem.rules is not None
    follower = int(np.flatnonzero(problem.rules.link_to >= 0)[0])
    eligible = problem.eligible.copy()
    eligible[:, problem.rules.link_to[follower]] = False
    narrowed = replace(problem, eligible=eligible)
    pieces = _cut(narrowed, dataset.settings.policy, kind)
    assert pieces
    assert all(follower not in piece.jobs for piece in pieces)
    _check_links(narrowed, pieces)


def test_a_link_across_days_goes_to_the_day_of_its_first_visit() -> None:
    """Each second visit put on the day after its first one: the piece of the first
    visit's day holds both."""
    dataset, problem = _care_round(days=2)
    assert problem.rules is not None
    job_day = problem.job_latest // 1440
    follower = problem.rules.link_to >= 0
    shifted = np.where(follower, job_day + 1, job_day)
    pieces = split_days(problem, dataset.settings.policy, problem.vehicle_start // 1440, shifted)
    _check_links(problem, pieces)
    for piece in pieces:
        days = set(job_day[piece.jobs[problem.rules.link_to[piece.jobs] < 0]].tolist())
        assert len(days) <= 1


@pytest.mark.parametrize("kind", ["zones", "days"])
def test_a_home_care_round_in_pieces_keeps_every_rule(kind: str) -> None:
    """Solved in pieces by the routing backend (the border fill at fixed starts), a
    home-care round's plan passes the verifier: links, breaks, limits and continuity kept;
    the greedy refuses the same round."""
    dataset, problem = _care_round(days=1 if kind == "zones" else 2)
    policy = dataset.settings.policy
    pieces = _cut(problem, policy, kind)
    solution = solve_pieces(problem, pieces, solver="routing", policy=policy, time_limit=2, seed=1)
    assert solution.stats["pieces"] == len(pieces) >= 2
    plan = build_plan(dataset, problem, solution, policy)
    assert verify(dataset, plan) == []
    assert plan.breaks
    served = {a.job_id for a in plan.assignments}
    assert any(j.depends_on is not None and j.job_id in served for j in dataset.jobs)
    with pytest.raises(RequestError, match="linked visits"):
        solve_pieces(problem, pieces, solver="greedy", policy=policy, time_limit=2, seed=1)
