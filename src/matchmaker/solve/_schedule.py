"""Earliest start minutes for fixed job sequences, with team jobs starting together.

Solvers decide *which* jobs each vehicle serves and in *what order*; the start minutes
follow from the sequences: each job starts as early as its window, the travel from the
previous stop and its team allow. Both optimising backends use this so that the starts
they return are exact integers and equal across the members of a team.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matchmaker.compile import Problem
from matchmaker.solve._solution import Route

__all__ = ["earliest_starts", "routes_with_starts"]

_MAX_ROUNDS = 1000


def _forward_pass(
    problem: Problem, vehicle: int, jobs: Sequence[int], floor: Mapping[int, int]
) -> list[int]:
    """Start of each job when it starts as soon as it can, and no earlier than ``floor``."""
    starts: list[int] = []
    clock = int(problem.vehicle_start[vehicle])
    previous: int | None = None
    for job in jobs:
        arrival = clock + problem.travel(vehicle, previous, job)
        start = max(arrival, int(problem.job_earliest[job]), floor.get(job, 0))
        starts.append(start)
        clock = start + int(problem.job_duration[job])
        previous = job
    return starts


def _feasible(problem: Problem, vehicle: int, jobs: Sequence[int], starts: Sequence[int]) -> bool:
    end = int(problem.vehicle_end[vehicle])
    for job, start in zip(jobs, starts, strict=True):
        pinned = int(problem.job_pinned_start[job])
        if start > int(problem.job_latest[job]) or start + int(problem.job_duration[job]) > end:
            return False
        if pinned >= 0 and start != pinned:
            return False
    return True


def earliest_starts(
    problem: Problem, sequences: Mapping[int, Sequence[int]]
) -> dict[int, list[int]] | None:
    """The least start minutes for ``sequences`` (vehicle -> jobs in order), or ``None``.

    Members of a team job start at the latest of their own earliest starts; a pinned start
    is a floor that must be met exactly. The schedule is the least fixed point of these
    monotone rules, so it exists whenever any schedule of the sequences does; ``None``
    means no schedule keeps every window, shift end and pin.
    """
    floor: dict[int, int] = {
        job: int(problem.job_pinned_start[job])
        for jobs in sequences.values()
        for job in jobs
        if int(problem.job_pinned_start[job]) >= 0
    }
    for _ in range(_MAX_ROUNDS):
        starts = {v: _forward_pass(problem, v, jobs, floor) for v, jobs in sequences.items()}
        latest_member: dict[int, int] = {}
        for vehicle, jobs in sequences.items():
            for job, start in zip(jobs, starts[vehicle], strict=True):
                if problem.job_team[job] > 1 and start > latest_member.get(job, -1):
                    latest_member[job] = start
        raised = {job: start for job, start in latest_member.items() if start > floor.get(job, 0)}
        changed = any(
            start != latest_member[job]
            for vehicle, jobs in sequences.items()
            for job, start in zip(jobs, starts[vehicle], strict=True)
            if job in latest_member
        )
        if not changed:
            feasible = all(_feasible(problem, v, jobs, starts[v]) for v, jobs in sequences.items())
            return starts if feasible else None
        floor.update(raised)
        if any(start > int(problem.job_latest[job]) for job, start in raised.items()):
            return None
    return None


def routes_with_starts(
    problem: Problem, sequences: Mapping[int, Sequence[int]]
) -> tuple[Route, ...] | None:
    """:class:`Route` objects with earliest starts for the non-empty ``sequences``."""
    starts = earliest_starts(problem, sequences)
    if starts is None:
        return None
    return tuple(
        Route(vehicle=v, jobs=tuple(int(j) for j in jobs), starts=tuple(starts[v]))
        for v, jobs in sorted(sequences.items())
        if jobs
    )
