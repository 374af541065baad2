"""One way to serve a job live (a :class:`Candidate`), and its exact price.

The gap table of :mod:`matchmaker.live._index` ranks gaps by travel, match and the job's
own lateness at each gap's earliest start; a candidate may then start later (to leave a
break room), push planned visits later, move one to another worker or change a shift's
way home. :func:`priced` works out what the candidate changes on the shifts it touches:
travel (the way home included, when it counts), match cost, the lateness of the job and of
every moved visit, the round's largest lateness and busiest shift where the policy prices
them, and the stability cost of the moves. That is the change of the documented objective
(:func:`matchmaker.solve.objective_terms`) once the job is served, which a recommendation
reports as its ``objective_delta`` (less the job's drop penalty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matchmaker.live._break_fit import NEW, hop, way_back
from matchmaker.live._index import JobColumn, PlanIndex
from matchmaker.solve import stability_cost

__all__ = ["Candidate", "MovedVisit", "priced"]

Visits = list[tuple[int, int]]


@dataclass(frozen=True, kw_only=True, slots=True)
class MovedVisit:
    """A planned visit a candidate moves: from (vehicle, start) to (vehicle, start)."""

    job: int
    vehicle: int
    start: int
    new_vehicle: int
    new_start: int


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One way to serve the job: ``members`` ``(vehicle, start)``, the visits it moves."""

    members: tuple[tuple[int, int], ...]
    cost: int
    """The objective's change once the job is served, less its drop penalty (exact once
    :func:`priced`; the gap table's estimate before)."""
    added_travel: int
    moves: tuple[MovedVisit, ...] = field(default=())
    breaks: tuple[tuple[int, int, int], ...] = field(default=())
    """``(vehicle, start, minutes)`` of the breaks of every shift the candidate changes,
    re-placed beside its new day (empty in a round without break rules)."""

    def workers(self, index: PlanIndex) -> tuple[int, ...]:
        return tuple(int(index.problem.vehicle_worker[v]) for v, _ in self.members)

    def vehicles(self) -> list[int]:
        """The shifts the candidate changes, in order."""
        touched = {v for v, _ in self.members}
        touched |= {m.vehicle for m in self.moves} | {m.new_vehicle for m in self.moves}
        return sorted(touched)

    def applied(
        self, schedule: Mapping[int, Sequence[tuple[int, int]]], job: int
    ) -> dict[int, Visits]:
        """A copy of ``schedule`` with the moves made and ``job`` at the members, each
        vehicle's visits in time order (as :func:`~matchmaker.live._index.routes_of` reads them)."""
        after = {v: list(visits) for v, visits in schedule.items()}
        for m in self.moves:
            after[m.vehicle].remove((m.job, m.start))
            after.setdefault(m.new_vehicle, []).append((m.job, m.new_start))
        for vehicle, start in self.members:
            after.setdefault(vehicle, []).append((job, start))
        for visits in after.values():
            visits.sort(key=lambda visit: visit[1])
        return after

    def day_after(self, index: PlanIndex, job: int, vehicle: int) -> Visits:
        """``vehicle``'s visits once the candidate is carried out (``job`` is the new one)."""
        visits = index.visits(vehicle)
        for m in self.moves:
            if m.vehicle == vehicle:
                visits.remove((m.job, m.start))
        visits += [(m.job, m.new_start) for m in self.moves if m.new_vehicle == vehicle]
        visits += [(job, start) for v, start in self.members if v == vehicle]
        visits.sort(key=lambda visit: visit[1])
        return visits


def priced(index: PlanIndex, column: JobColumn, candidate: Candidate) -> Candidate:
    """``candidate`` with its exact ``cost`` and ``added_travel`` (module docstring)."""
    problem, policy = index.problem, index.policy
    job = NEW if column.index is None else column.index
    travel = 0
    for vehicle in candidate.vehicles():
        travel += _travel(index, column, vehicle, candidate.day_after(index, job, vehicle))
        travel -= _travel(index, column, vehicle, index.visits(vehicle))
    worker = problem.vehicle_worker
    match = sum(int(column.match[worker[v]]) for v, _ in candidate.members)
    for m in candidate.moves:
        match += int(
            index.match[worker[m.new_vehicle], m.job] - index.match[worker[m.vehicle], m.job]
        )
    # A team starts together: its lateness counts once.
    late = _late(column.due, candidate.members[0][1])
    late += sum(
        _late(_due(index, m.job), m.new_start) - _late(_due(index, m.job), m.start)
        for m in candidate.moves
    )
    cost = (
        policy.travel_cost_per_minute * travel
        + match
        + policy.lateness_cost_per_minute * late
        + stability_cost(policy, len(candidate.moves))
    )
    if policy.max_lateness_cost_per_minute:
        cost += policy.max_lateness_cost_per_minute * _largest_lateness_change(
            index, column, candidate
        )
    if policy.balance_cost_per_minute:
        cost += policy.balance_cost_per_minute * _busiest_change(index, column, candidate)
    return replace(candidate, cost=int(cost), added_travel=int(travel))


def _travel(index: PlanIndex, column: JobColumn, vehicle: int, visits: Visits) -> int:
    """Travel minutes of ``vehicle`` serving ``visits``: from home, between, and home again
    when the way home counts."""
    if not visits:
        return 0
    problem = index.problem
    total, previous = 0, None
    for job, _ in visits:
        total += hop(problem, column, vehicle, previous, job)
        previous = job
    return total + way_back(problem, column, vehicle, visits[-1][0])


def _due(index: PlanIndex, job: int) -> int:
    """A planned job's due start, -1 when none."""
    rules = index.problem.rules
    return -1 if rules is None else int(rules.job_due[job])


def _late(due: int, start: int) -> int:
    return 0 if due < 0 else max(0, int(start) - int(due))


def _largest_lateness_change(index: PlanIndex, column: JobColumn, candidate: Candidate) -> int:
    rules = index.problem.rules
    late = np.zeros_like(index.start)
    if rules is not None:
        due = rules.job_due[np.maximum(index.job, 0)].astype(np.int64)
        late = np.where((index.job >= 0) & (due >= 0), np.maximum(index.start - due, 0), 0)
    before = int(late.max(initial=0))
    for m in candidate.moves:
        late[m.vehicle][(index.job[m.vehicle] == m.job) & (index.start[m.vehicle] == m.start)] = 0
    after = max(
        int(late.max(initial=0)),
        _late(column.due, candidate.members[0][1]),
        *(_late(_due(index, m.job), m.new_start) for m in candidate.moves),
    )
    return after - before


def _busiest_change(index: PlanIndex, column: JobColumn, candidate: Candidate) -> int:
    work = index.work.copy()
    duration = index.problem.job_duration
    for vehicle, _ in candidate.members:
        work[vehicle] += column.duration
    for m in candidate.moves:
        work[m.vehicle] -= int(duration[m.job])
        work[m.new_vehicle] += int(duration[m.job])
    return int(work.max(initial=0)) - int(index.work.max(initial=0))
