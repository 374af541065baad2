"""Why a job is unserved because of breaks: reason code ``BREAK`` (the rule ``breaks``).

A one-worker job that fits in the free time of some eligible worker (no job moved) but at
no start where that shift's breaks still fit beside it (:func:`matchmaker.solve.place_breaks`)
was left out for the breaks, not for lack of time.
"""

from __future__ import annotations

from collections.abc import Iterable

from matchmaker.compile import Problem
from matchmaker.plan._free_time import Schedule
from matchmaker.solve import place_breaks

__all__ = ["blocked_by_breaks"]


def _fits(problem: Problem, v: int, visits: list[tuple[int, int]], j: int) -> bool:
    """Whether job ``j`` fits into vehicle ``v``'s day ``visits`` somewhere, no job moved,
    with the shift's breaks."""
    rules = problem.rules
    assert rules is not None
    duration = int(problem.job_duration[j])
    needs = rules.breaks_of(v)
    for position in range(len(visits) + 1):
        prev = visits[position - 1] if position else None
        nxt = visits[position] if position < len(visits) else None
        ready = (
            int(problem.vehicle_start[v])
            if prev is None
            else prev[1] + int(problem.job_duration[prev[0]])
        )
        earliest = max(
            ready + problem.travel(v, None if prev is None else prev[0], j),
            int(problem.job_earliest[j]),
        )
        latest = int(problem.job_latest[j])
        if nxt is not None:
            latest = min(latest, nxt[1] - problem.travel(v, j, nxt[0]) - duration)
        else:
            latest = min(latest, int(problem.vehicle_end[v]) - duration)
        tries = {earliest, *(max(earliest, low + minutes) for low, _, minutes in needs)}
        tries |= {max(earliest, high + minutes) for _, high, minutes in needs}
        for start in sorted(t for t in tries if t <= latest):
            jobs = [job for job, _ in visits]
            starts = [s for _, s in visits]
            jobs.insert(position, j)
            starts.insert(position, start)
            if place_breaks(problem, v, jobs, starts) is not None:
                return True
    return False


def blocked_by_breaks(problem: Problem, schedule: Schedule, j: int, workers: Iterable[int]) -> bool:
    """Whether one-worker job ``j``, which fits in free time of ``workers``, fits beside
    the breaks of none of their eligible shifts."""
    rules = problem.rules
    if rules is None or not rules.has_breaks or int(problem.job_team[j]) != 1:
        return False
    for w in workers:
        for v in (problem.eligible[:, j] & (problem.vehicle_worker == w)).nonzero()[0].tolist():
            if _fits(problem, v, list(schedule.get(v, ())), j):
                return False
    return True
