"""The compiled pair choice of the home-care insertion: a visit and its one linked visit
tried together (:func:`matchmaker.solve._linked_insertion.pairs_by_scan`), on the
insertion kernel of :mod:`matchmaker.solve._insertion_kernel` and the scan of
:mod:`matchmaker.solve._scan_kernel`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from matchmaker.compile import LINK_DIFFERENT, LINK_SAME
from matchmaker.solve._insertion_kernel import (  # _take_back: inside kernels only
    _take_back,
    push_kernel,
    put_kernel,
)
from matchmaker.solve._kernel_data import (
    LINK_MAX,
    LINK_MIN,
    LINK_WORKER,
    WORKER,
    BoolArray,
    IntArray,
)
from matchmaker.solve._scan_kernel import scan_kernel

__all__ = ["pairs_kernel"]


@njit(cache=True, nogil=True)
def _pairs(
    head: int,
    follower: int,
    candidates: IntArray,
    max_late: int,
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
    result: IntArray,
) -> None:
    """For each candidate ``(vehicle, position, start)`` of ``head``: whether ``head``
    fits there and the lateness it adds (columns 0-1), then with ``head`` put there and
    fixed, whether its linked ``follower`` fits and its cheapest place ``(cost, start,
    vehicle, position)`` (columns 2-6). The plan is left as it was."""
    n_vehicles = state.shape[0]
    allowed = np.empty(n_vehicles, dtype=np.bool_)
    kind = links[follower, LINK_WORKER]
    saved_touched = np.empty(touched.shape[0], dtype=np.int64)
    saved_old = np.empty(touched.shape[0], dtype=np.int64)
    for c in range(candidates.shape[0]):
        v, p, start = candidates[c, 0], candidates[c, 1], candidates[c, 2]
        # The push checks the breaks of every shift the place changes; the put applies it.
        fits = push_kernel(
            head, v, p, start, route_jobs, route_starts, state, place, fixed, travel, out,
            back, jobs, shifts, links, follow_from, followers, break_from, breaks, new_start,
            touched, old_start, stack, gaps,
        )[0]  # fmt: skip
        pushed = top = late = 0
        if fits:
            fits, pushed, top, late = put_kernel(
                head, v, p, start, route_jobs, route_starts, state, place, fixed, travel, back,
                jobs, shifts, links, follow_from, followers, new_start, touched, old_start, stack,
            )  # fmt: skip
        result[c, 0] = 1 if fits else 0
        result[c, 1] = late
        result[c, 2] = 0
        if not fits:
            continue
        saved_touched[:pushed] = touched[:pushed]
        saved_old[:pushed] = old_start[:pushed]
        was_fixed = fixed[head]
        fixed[head] = True
        for u in range(n_vehicles):
            same = shifts[u, WORKER] == shifts[v, WORKER]
            allowed[u] = (
                same if kind == LINK_SAME else (not same if kind == LINK_DIFFERENT else True)
            )
        high = start + links[follower, LINK_MAX] if links[follower, LINK_MAX] >= 0 else 2**40
        count = scan_kernel(
            follower, start + links[follower, LINK_MIN], high, max(max_late, top), allowed,
            route_jobs, route_starts, state, place, fixed, travel, out, back, jobs, shifts,
            links, follow_from, followers, eligible, match, rates, break_from, breaks, new_start,
            touched, old_start, stack, gaps, found,
        )  # fmt: skip
        best = -1
        for i in range(count):
            if best < 0 or (found[i, 0], found[i, 1], found[i, 2]) < (
                found[best, 0],
                found[best, 1],
                found[best, 2],
            ):
                best = i
        if best >= 0:
            result[c, 2] = 1
            result[c, 3:7] = found[best]
        fixed[head] = was_fixed
        _take_back(
            head, pushed, route_jobs, route_starts, state, place, jobs, saved_touched, saved_old
        )


pairs_kernel = _pairs
