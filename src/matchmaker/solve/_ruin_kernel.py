"""The compiled parts of the engine's ruins (:mod:`matchmaker.solve._lns`).

The *worst* removal prices the detour of every visit of the plan, and the *string*
removal finds the route of each of a job's neighbours and cuts a run from it. In numpy
the first is a dozen whole-plan array operations and the second a Python loop with two
random draws per route: on a generated normal 200 x 600 day they took 163 and 118
microseconds a call, on the 200-worker week 445 and 156, against a whole move of about
330 and 490. Here each is one loop over the visits it needs.

Every function here is compiled with ``cache=True``; numba checks a cached function only
against its own module, so they call nothing compiled elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["detours", "strings"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def detours(
    job: Ints,
    length: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    movable: Bools,
    jobs: Ints,
    added: Ints,
) -> int:
    """Each movable visit's detour: the travel it adds to its route (in from the previous
    stop or home, out to the next, less the direct leg). Visits go into ``jobs`` and
    ``added`` route by route, in route order; returns how many."""
    count = 0
    for v in range(length.size):
        n = length[v]
        m = mode[v]
        for i in range(n):
            j = job[v, i]
            if not movable[j]:
                continue
            before = job[v, i - 1] if i > 0 else -1
            detour = int(home[v, j]) if before < 0 else int(travel[m, before, j])
            if i + 1 < n:
                after = job[v, i + 1]
                skip = int(home[v, after]) if before < 0 else int(travel[m, before, after])
                detour += int(travel[m, j, after]) - skip
            jobs[count] = j
            added[count] = detour
            count += 1
    return count


@njit(cache=True, nogil=True)
def strings(
    near: Ints,
    count: int,
    most: int,
    draws: Floats,
    job: Ints,
    length: Ints,
    taken: Ints,
) -> int:
    """Runs of consecutive visits around the jobs of ``near`` in turn (one run per route,
    on the route of the job's last visit for a team job) until ``count`` visits are
    taken: a run of 1 to ``most`` visits (at most the route) that holds the job, its size
    and its place drawn from two uniforms of ``draws`` per route. The visits go into
    ``taken``; returns how many."""
    route = np.full(job.max() + 1 if job.size else 0, -1, np.int64)
    place = np.zeros_like(route)
    for v in range(length.size):
        for i in range(length[v]):
            route[job[v, i]] = v
            place[job[v, i]] = i
    n_taken = 0
    n_routes = 0
    seen = np.zeros(length.size, np.bool_)
    for j in near:
        v = route[j] if j < route.size else -1
        if v < 0 or seen[v]:
            continue
        seen[v] = True
        n, at = length[v], place[j]
        longest = min(most, n)
        size = 1 + min(int(draws[2 * n_routes] * longest), longest - 1)
        low, high = max(0, at - size + 1), min(at, n - size)
        first = low + min(int(draws[2 * n_routes + 1] * (high - low + 1)), high - low)
        n_routes += 1
        for i in range(first, first + size):
            taken[n_taken] = job[v, i]
            n_taken += 1
        if n_taken >= count:
            break
    return n_taken
