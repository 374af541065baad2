"""Where every eligible worker stands for one unserved job, for all workers at once.

:func:`matchmaker.plan._capacity.standing_of` reads one worker's planned day and words what
it finds; a plan with a thousand unserved jobs and hundreds of eligible workers each would
call it half a million times. :func:`standing_table` classifies every eligible worker of a
job with numpy over a table of every gap of every planned shift (built once per plan), by
the same rules, so that only the few workers a sentence names are worded one by one. The
statuses agree with ``standing_of`` worker for worker (``tests/plan/test_free_time.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem

__all__ = [
    "GapTable",
    "Schedule",
    "StandingTable",
    "Status",
    "eligible_workers",
    "gap_table",
    "most_together",
    "standing_table",
]

Ints = npt.NDArray[np.int64]

# A vehicle's planned day: (job index, start minute) in start order.
Schedule = Mapping[int, Sequence[tuple[int, int]]]

Status = Literal["free", "travel", "busy", "full"]

# Status codes, in the order a worker's standing is decided: the first that holds wins.
_FREE, _TRAVEL, _BUSY, _FULL, _NO_TIME = range(5)
_STATUS: tuple[Status, ...] = ("free", "travel", "busy", "full", "busy")


@dataclass(frozen=True, kw_only=True)
class GapTable:
    """Every gap of every shift's planned day: where a job could be inserted.

    Gap ``g`` of shift ``vehicle[g]`` runs from ``ready[g]`` (the shift start, or the end of
    job ``before[g]``) to ``deadline[g]`` (the start of job ``after[g]``, or the shift end);
    ``-1`` stands for home and for the shift end. ``count`` and ``work`` are each shift's
    planned jobs and service minutes; ``visit_*`` every planned visit.
    """

    vehicle: Ints
    before: Ints
    ready: Ints
    after: Ints
    deadline: Ints
    count: Ints
    work: Ints
    visit_vehicle: Ints
    visit_start: Ints
    visit_end: Ints


def gap_table(problem: Problem, schedule: Schedule) -> GapTable:
    """The gaps of ``schedule``'s planned days (a loop over visits, once per plan)."""
    columns: list[list[int]] = [[], [], [], [], []]
    visits: list[list[int]] = [[], [], []]
    count = np.zeros(problem.n_vehicles, dtype=np.int64)
    work = np.zeros(problem.n_vehicles, dtype=np.int64)
    for v in range(problem.n_vehicles):
        planned = schedule.get(v, ())
        free_from, previous = int(problem.vehicle_start[v]), -1
        for k, start in planned:
            end = start + int(problem.job_duration[k])
            for column, value in zip(columns, (v, previous, free_from, k, start), strict=True):
                column.append(value)
            for column, value in zip(visits, (v, start, end), strict=True):
                column.append(value)
            free_from, previous = end, k
        last = (v, previous, free_from, -1, int(problem.vehicle_end[v]))
        for column, value in zip(columns, last, strict=True):
            column.append(value)
        count[v] = len(planned)
        work[v] = sum(int(problem.job_duration[k]) for k, _ in planned)
    vehicle, before, ready, after, deadline = (np.asarray(c, dtype=np.int64) for c in columns)
    visit_vehicle, visit_start, visit_end = (np.asarray(c, dtype=np.int64) for c in visits)
    return GapTable(
        vehicle=vehicle,
        before=before,
        ready=ready,
        after=after,
        deadline=deadline,
        count=count,
        work=work,
        visit_vehicle=visit_vehicle,
        visit_start=visit_start,
        visit_end=visit_end,
    )


@dataclass(frozen=True, kw_only=True)
class StandingTable:
    """Each worker's standing for one job, and the free start intervals ``(free_low,
    free_high)`` of the free workers (one per gap that fits)."""

    code: Ints
    """Per worker: an index into the statuses, -1 where the worker is not eligible."""
    free_low: Ints
    free_high: Ints
    free_vehicle: Ints
    """The shift of each free interval."""
    free_added: Ints
    """The travel minutes the job adds to its shift in each free interval."""

    def status(self, w: int) -> Status | None:
        code = int(self.code[w])
        return None if code < 0 else _STATUS[code]

    def workers(self, order: Ints, *wanted: Status) -> Ints:
        """The workers of ``order`` whose status is one of ``wanted``, in that order."""
        codes = [c for c, status in enumerate(_STATUS) if status in wanted]
        return order[np.isin(self.code[order], codes)]


def standing_table(problem: Problem, gaps: GapTable, j: int) -> StandingTable:
    """Every eligible worker's standing for job ``j``, which no planned day holds."""
    duration = int(problem.job_duration[j])
    earliest, latest = int(problem.job_earliest[j]), int(problem.job_latest[j])
    if problem.job_pinned_start[j] >= 0:
        earliest = latest = int(problem.job_pinned_start[j])
    eligible = problem.eligible[:, j]
    full = eligible & (
        (gaps.count + 1 > problem.vehicle_max_jobs)
        | (gaps.work + duration > problem.vehicle_max_work)
    )
    room = eligible & ~full
    g = np.flatnonzero(room[gaps.vehicle])
    v, before, after = gaps.vehicle[g], gaps.before[g], gaps.after[g]
    mode = problem.vehicle_mode[v]
    travel_in = np.where(
        before < 0,
        problem.travel_home_job[v, j],
        problem.travel_job_job[mode, np.maximum(before, 0), j],
    )
    home = problem.rules.travel_job_home if problem.rules is not None else None
    last_leg = 0 if home is None else home[v, j]  # the way home, when it is planned
    travel_out = np.where(
        after < 0, last_leg, problem.travel_job_job[mode, j, np.maximum(after, 0)]
    )
    # The leg the job would replace: before -> after (home -> after, or before -> home).
    skip = np.where(
        before < 0,
        np.where(after < 0, 0, problem.travel_home_job[v, np.maximum(after, 0)]),
        np.where(
            after < 0,
            0 if home is None else home[v, np.maximum(before, 0)],
            problem.travel_job_job[mode, np.maximum(before, 0), np.maximum(after, 0)],
        ),
    )
    ready, deadline = gaps.ready[g], gaps.deadline[g]
    low = np.maximum(earliest, ready + travel_in)
    high = np.minimum(latest, deadline - travel_out - duration)
    fits = low <= high
    # The gap is long enough for the job; only the travel into or out of it fails.
    long_enough = np.maximum(earliest, ready) <= np.minimum(latest, deadline - duration)
    near = (
        room[gaps.visit_vehicle]
        & (gaps.visit_start < latest + duration)
        & (gaps.visit_end > earliest)
    )
    worker = problem.vehicle_worker
    code = np.full(problem.n_workers, -1, dtype=np.int64)
    # Decide from the weakest status up, so that the strongest one a worker has wins.
    code[worker[eligible]] = _NO_TIME
    code[worker[full]] = _FULL
    code[worker[gaps.visit_vehicle[near]]] = _BUSY
    code[worker[v[~fits & long_enough]]] = _TRAVEL
    code[worker[v[fits]]] = _FREE
    return StandingTable(
        code=code,
        free_low=low[fits],
        free_high=high[fits],
        free_vehicle=v[fits],
        free_added=(travel_in + travel_out - skip)[fits],
    )


def most_together(low: Ints, high: Ints) -> int:
    """The most closed intervals ``[low, high]`` that share one minute (a worker's free
    intervals never overlap one another, so this counts workers free at one start)."""
    if not low.size:
        return 0
    times = np.concatenate([low, high + 1])
    steps = np.concatenate([np.ones_like(low), -np.ones_like(high)])
    order = np.lexsort((steps, times))  # at a tie, -1 first: the intervals are closed
    return int(np.cumsum(steps[order]).max())


def eligible_workers(problem: Problem, j: int) -> Ints:
    """Workers with at least one eligible shift for job ``j``, best match score first."""
    workers = np.unique(problem.vehicle_worker[problem.eligible[:, j]]).astype(np.int64)
    return workers[np.argsort(-problem.score[workers, j], kind="stable")]
