"""The compiled scan of the home-care insertion: every place a job fits on the shifts and
positions it may take, and its cost (``InsertionState.places``), each place evaluated by
the push of :mod:`matchmaker.solve._insertion_kernel`. On a shift with breaks a place is
also tried at the starts just after a break (:func:`_starts_to_try`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from matchmaker.solve._insertion_kernel import push_kernel
from matchmaker.solve._kernel_data import (
    DURATION,
    EARLIEST,
    LATEST,
    LENGTH,
    MAX_JOBS,
    MAX_WORK,
    MODE,
    START,
    WORK,
    BoolArray,
    IntArray,
)

__all__ = ["scan_kernel"]


@njit(cache=True, nogil=True)
def _starts_to_try(
    earliest: int, v: int, break_from: IntArray, breaks: IntArray, tries: IntArray
) -> int:
    """The starts a place on shift ``v`` is tried at, ascending and distinct, into
    ``tries``; how many: ``earliest``, and for each break of the shift the earliest start
    after it at its earliest, at ``earliest`` plus its length and after it at its latest."""
    count = 1
    tries[0] = earliest
    for b in range(break_from[v], break_from[v + 1]):
        low, high, minutes = breaks[b, 0], breaks[b, 1], breaks[b, 2]
        tries[count] = max(earliest, low + minutes)
        tries[count + 1] = earliest + minutes
        tries[count + 2] = max(earliest, high + minutes)
        count += 3
    if count == 1:
        return 1
    tries[:count].sort()
    distinct = 1
    for i in range(1, count):
        if tries[i] != tries[distinct - 1]:
            tries[distinct] = tries[i]
            distinct += 1
    return distinct


@njit(cache=True, nogil=True)
def _scan(
    job: int,
    low: int,
    high: int,
    max_late: int,
    allowed: BoolArray,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    place: IntArray,
    fixed: BoolArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    links: IntArray,
    follow_from: IntArray,
    followers: IntArray,
    eligible: BoolArray,
    match: IntArray,
    rates: IntArray,
    break_from: IntArray,
    breaks: IntArray,
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
    gaps: IntArray,
    found: IntArray,
) -> int:
    """Each place ``job`` fits with a start in ``[low, high]`` on an ``allowed`` shift, as
    rows ``(cost, start, vehicle, position)`` of ``found``; returns how many: the position
    loop of ``InsertionState.walk_places``. On a shift with breaks a place is tried at the
    earliest start, then (as ``InsertionState.start_with_breaks`` does) just after each
    break could end, the first start that fits kept."""
    n = 0
    duration = jobs[job, DURATION]
    job_earliest = max(jobs[job, EARLIEST], low)
    job_latest = min(jobs[job, LATEST], high)
    if job_earliest > job_latest:
        return 0
    tries = np.empty(1 + 3 * breaks.shape[0], dtype=np.int64)
    for v in range(state.shape[0]):
        if not eligible[job, v] or not allowed[v]:
            continue
        length = state[v, LENGTH]
        if length >= shifts[v, MAX_JOBS] or state[v, WORK] + duration > shifts[v, MAX_WORK]:
            continue
        m = shifts[v, MODE]
        for p in range(length + 1):
            if p == 0:
                ready = shifts[v, START] + out[v, job]
            else:
                prev = route_jobs[v, p - 1]
                done = route_starts[v, p - 1] + jobs[prev, DURATION]
                if done > job_latest:
                    break  # later positions free up later still
                ready = done + travel[m, prev, job]
            if ready > job_latest:
                continue
            earliest = max(ready, job_earliest)
            count = _starts_to_try(earliest, v, break_from, breaks, tries)
            fits = False
            start = earliest
            for i in range(count):
                start = tries[i]
                if start > job_latest:
                    break
                fits, added, late, top = push_kernel(
                    job, v, p, start, route_jobs, route_starts, state, place, fixed, travel,
                    out, back, jobs, shifts, links, follow_from, followers, break_from,
                    breaks, new_start, touched, old_start, stack, gaps,
                )  # fmt: skip
                if fits:
                    break
            if not fits:
                continue
            rise = max(0, top - max_late)
            found[n, 0] = added * rates[0] + match[job, v] + late * rates[1] + rise * rates[2]
            found[n, 1] = start
            found[n, 2] = v
            found[n, 3] = p
            n += 1
    return n


scan_kernel = _scan
