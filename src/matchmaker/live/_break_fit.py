"""Whether a worker's breaks still fit once live dispatch changes their day.

A recommendation inserts a job into a gap of a shift (and may push or re-assign planned
visits); the shift's breaks (``[[breaks]]``, compiled into ``Problem.rules``) must still
fit beside its jobs and travel afterwards. The placement is the solver's own
(:func:`matchmaker.solve.breaks_in_gaps`, what :func:`~matchmaker.solve.place_breaks`
and so every plan's break rows use): this module only lays out the gaps of a changed
route, which may hold a job that is not in the compiled problem (a new order, whose
travel comes from its :class:`~matchmaker.live._index.JobColumn`).

The check is made on the few candidates the vectorised gap search shortlists, not on
every gap (:mod:`matchmaker.live._search`).
"""

from __future__ import annotations

from collections.abc import Sequence

from matchmaker.compile import Problem
from matchmaker.live._index import JobColumn
from matchmaker.solve import breaks_in_gaps

__all__ = ["NEW", "has_breaks", "hop", "start_tries", "visit_breaks", "way_back"]

NEW = -1
"""The job of the column in a route, when it is not a job of the problem (a new order)."""


def has_breaks(problem: Problem) -> bool:
    """Whether the round has break rules for some shift."""
    return problem.rules is not None and problem.rules.has_breaks


def _duration(problem: Problem, column: JobColumn, job: int) -> int:
    return column.duration if job == NEW else int(problem.job_duration[job])


def hop(problem: Problem, column: JobColumn, vehicle: int, origin: int | None, job: int) -> int:
    """Minutes from ``origin`` (a job, ``None`` for home) to ``job`` on ``vehicle``."""
    mode = int(problem.vehicle_mode[vehicle])
    if job == NEW:
        return int(column.home[vehicle] if origin is None else column.travel_in[mode, origin])
    if origin == NEW:
        return int(column.travel_out[mode, job])
    return problem.travel(vehicle, origin, job)


def way_back(problem: Problem, column: JobColumn, vehicle: int, job: int) -> int:
    """Minutes from the last job back home, when the policy plans the way home."""
    rules = problem.rules
    if rules is None or rules.travel_job_home is None:
        return 0
    if job == NEW:
        return int(column.back[vehicle])
    return int(rules.travel_job_home[vehicle, job])


def visit_breaks(
    problem: Problem, column: JobColumn, vehicle: int, visits: Sequence[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """``(start, minutes)`` of the breaks ``vehicle`` needs with ``visits`` (``(job,
    start)`` in start order; :data:`NEW` for ``column``'s job when it is not in
    ``problem``), or ``None`` when they do not fit. No visit, no break."""
    rules = problem.rules
    if rules is None or not visits:
        return []
    needs = rules.breaks_of(vehicle)
    if not needs:
        return []
    gaps: list[tuple[int, int, int]] = []
    ready, previous = int(problem.vehicle_start[vehicle]), None
    for job, start in visits:
        gaps.append((ready, int(start), hop(problem, column, vehicle, previous, job)))
        ready, previous = int(start) + _duration(problem, column, job), job
    assert previous is not None
    gaps.append(
        (ready, int(problem.vehicle_end[vehicle]), way_back(problem, column, vehicle, previous))
    )
    return breaks_in_gaps(needs, gaps)


def start_tries(
    problem: Problem,
    column: JobColumn,
    vehicle: int,
    before: int,
    ready: int,
    low: int,
    high: int,
) -> list[int]:
    """Starts worth trying for ``column``'s job in a gap of ``vehicle`` after job
    ``before`` (-1: home) that opens at ``ready``, where the job may start from ``low``
    to ``high``: the earliest, and for each break the earliest start that leaves it room
    before the job (from the window's opening or right after the trip) and the start
    after the break at its window's close. The reason code ``BREAK`` tries the same."""
    rules = problem.rules
    tries = {low}
    if rules is not None:
        job = NEW if column.index is None else column.index
        travel = hop(problem, column, vehicle, None if before < 0 else before, job)
        for earliest, latest, minutes in rules.breaks_of(vehicle):
            tries.add(max(low, max(earliest, ready) + minutes, ready + travel + minutes))
            tries.add(max(low, latest + minutes))
    return sorted(t for t in tries if t <= high)
