"""The compiled choice of what a recreate offers (:mod:`matchmaker.solve._lns`): which jobs
it tries to insert, and in what order.

In numpy this was a dozen small array operations a move (the open jobs, those a freed
vehicle may serve, the most valuable of them, the sort): about 75 microseconds on a
generated normal 200 x 600 day, against a whole move of about 480. Here it is one pass
over the jobs and one sort of those offered.

Compiled with ``cache=True``; numba checks a cached function only against its own module,
so it calls nothing compiled elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["offer"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def offer(
    visits: Ints,
    movable: Bools,
    eligible_by_job: Bools,
    touched: Ints,
    removed: Ints,
    penalty: Ints,
    density: Floats,
    draws: Floats,
    style: int,
    extra: int,
    first: int,
    order: Ints,
    wide: Bools,
) -> int:
    """Fill ``order`` (room for every job) with the jobs to insert and ``wide`` with those
    that may go to any vehicle with room; returns how many jobs ``order`` holds.

    Offered are the ``removed`` jobs and the open ones (no visit, movable), these only if
    a ``touched`` vehicle may serve them (when any was touched) and, beyond ``extra`` of
    them, only the ``extra`` of largest penalty plus ``draws[job]``. They go in order of
    a key, ties by the noise ``draws[n_jobs + job]``: by style 0 the penalty, 1 the
    ``density``, 2 the penalty times ``0.5 + noise``, each largest first. ``first``
    (unless -1) goes ahead of all; it and the removed jobs are ``wide``."""
    n_jobs = visits.size
    wide[:] = False
    for j in removed:
        wide[j] = True
    open_jobs = np.empty(n_jobs, dtype=np.int64)
    n_open = 0
    for j in range(n_jobs):
        if visits[j] != 0 or not movable[j]:
            continue
        near = touched.size == 0
        for v in touched:
            if eligible_by_job[j, v]:
                near = True
                break
        if near:
            open_jobs[n_open] = j
            n_open += 1
    offered = wide.copy()
    if n_open > extra:
        value = np.empty(n_open)
        for i in range(n_open):
            value[i] = -(penalty[open_jobs[i]] + draws[open_jobs[i]])
        for i in np.argsort(value)[:extra]:
            offered[open_jobs[i]] = True
    else:
        for i in range(n_open):
            offered[open_jobs[i]] = True
    jobs = np.flatnonzero(offered)
    noise = draws[n_jobs + jobs]
    key = np.empty(jobs.size)
    for i in range(jobs.size):
        j = jobs[i]
        if style == 0:
            key[i] = -penalty[j]
        elif style == 1:
            key[i] = -density[j]
        else:
            key[i] = -penalty[j] * (0.5 + noise[i])
    # Sorted by the noise, then stably by the key: the key first, ties by the noise.
    by_noise = np.argsort(noise, kind="mergesort")
    ranked = by_noise[np.argsort(key[by_noise], kind="mergesort")]
    count = 0
    if first >= 0:
        order[0] = first
        wide[first] = True
        count = 1
    for i in ranked:
        if jobs[i] != first:
            order[count] = jobs[i]
            count += 1
    return count
