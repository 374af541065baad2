"""The pricing steps of the column bound (:mod:`matchmaker.solve._bound_columns`), compiled:
for every shift, the best set of jobs under its caps at the current job prices, and the
best walk through its time.

A 0/1 knapsack per shift with two capacities (jobs and work units) is a loop over items,
counts and units: in numpy it would be a Python loop per item and shift, hundreds of
thousands per pricing round on a 200 x 600 day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from numba import njit

if TYPE_CHECKING:
    from matchmaker.solve._bound_shifts import Legs

__all__ = ["price_shifts", "price_walks"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def _improving(low: int, high: int, pair_job: Ints, pair_cost: Floats, price: Floats) -> Ints:
    """The pairs ``low:high`` of negative reduced cost: only they can lower a sum."""
    count = 0
    for p in range(low, high):
        if pair_cost[p] - price[pair_job[p]] < 0.0:
            count += 1
    items = np.empty(count, dtype=np.int64)
    count = 0
    for p in range(low, high):
        if pair_cost[p] - price[pair_job[p]] < 0.0:
            items[count] = p
            count += 1
    return items


@njit(cache=True, nogil=True)
def price_shifts(
    offsets: Ints,
    pair_job: Ints,
    pair_cost: Floats,
    pair_units: Ints,
    price: Floats,
    max_jobs: Ints,
    cap_units: Ints,
    value: Floats,
    chosen: Bools,
) -> None:
    """For each shift ``v`` (its pairs are ``offsets[v]:offsets[v + 1]``), the set of its
    pairs of at most ``max_jobs[v]`` pairs and at most ``cap_units[v]`` work units that
    minimises ``sum(pair_cost - price[pair_job])``: its value in ``value[v]`` (0 for the
    empty set, never above) and its pairs marked in ``chosen``. Only pairs of negative
    reduced cost can lower the sum, so only they enter the table."""
    chosen[:] = False
    for v in range(offsets.size - 1):
        value[v] = 0.0
        items = _improving(offsets[v], offsets[v + 1], pair_job, pair_cost, price)
        count = items.size
        if count == 0:
            continue
        width = cap_units[v]
        fewest = width + 1
        for i in range(count):
            fewest = min(fewest, pair_units[items[i]])
        # No more jobs than the cap holds of the shortest: the table stays small even
        # when ``max_jobs`` is large.
        depth = min(max_jobs[v], count)
        if fewest > 0:
            depth = min(depth, width // fewest)
        if depth <= 0 or width < 0:
            continue
        best = np.zeros((depth + 1, width + 1))
        took = np.zeros((count, depth + 1, width + 1), dtype=np.bool_)
        for i in range(count):
            p = items[i]
            units = pair_units[p]
            if units > width:
                continue
            reduced = pair_cost[p] - price[pair_job[p]]
            for k in range(depth, 0, -1):
                for w in range(width, units - 1, -1):
                    candidate = best[k - 1, w - units] + reduced
                    if candidate < best[k, w]:
                        best[k, w] = candidate
                        took[i, k, w] = True
        value[v] = best[depth, width]
        k, w = depth, width
        for i in range(count - 1, -1, -1):
            if k > 0 and took[i, k, w]:
                chosen[items[i]] = True
                k -= 1
                w -= pair_units[items[i]]


@njit(cache=True, nogil=True)
def price_walks(
    offsets: Ints,
    pair_job: Ints,
    pair_cost: Floats,
    pair_leg: Ints,
    price: Floats,
    earliest: Ints,
    latest: Ints,
    duration: Ints,
    shift_start: Ints,
    shift_end: Ints,
    max_jobs: Ints,
    slot: int,
    legs: Legs,
    skip: Bools,
    value: Floats,
    chosen: Bools,
) -> None:
    """For each shift ``v`` not marked in ``skip`` (those keep 0), the walk through its
    pairs in time that minimises ``sum(pair_cost - price[pair_job])``, as
    :func:`price_shifts` but under time instead
    of work units: at most ``max_jobs[v]`` visits (and no more than the shift has pairs
    of negative reduced cost), each starting in its job's window, at least ``pair_leg``
    after the shift starts or the visit before ends, and ending by the shift's end. The
    table is over ``slot``-minute slots of the shift and counts of visits; a visit ends
    in the slot its end falls in, and the next leaves from that slot's start (earlier
    than it is: a relaxation). A walk may visit a job twice.

    Where ``legs.exact``, the table also holds the last visit: a visit's leg is the
    true one, from home (``legs.home[v, job]``) or from the job before
    (``legs.travel[legs.mode[v]]``), it costs ``legs.rate`` a minute beyond
    ``pair_leg`` (which ``pair_cost`` holds already), no job comes twice in a row, and
    the pairs in the table are those whose cost less ``pair_leg`` at the rate is below
    their price.

    A visit is tried only from the last slot it can start from at its job's earliest
    start: an earlier slot, with the same visits and the same last one, waits to that
    start at a cost never lower (the table carries each state to the next slot). So
    the items go by earliest start, and a state stops at the first item no leg of its
    reaches before that item opens."""
    chosen[:] = False
    # On true legs a visit a walk leaves out may have carried the route part of the way
    # to the next one: only a pair that costs more than its price before any travel is
    # one no walk needs.
    exact = legs.exact
    rate = legs.rate if exact else 0.0
    # A pair's cost before its leg on true legs (its least leg comes off), as it is else.
    before_leg = pair_cost - rate * pair_leg
    for v in range(offsets.size - 1):
        value[v] = 0.0
        if skip[v]:
            continue
        items = _improving(offsets[v], offsets[v + 1], pair_job, before_leg, price)
        count = items.size
        depth = min(max_jobs[v], count)
        if depth <= 0:
            continue
        items = items[np.argsort(earliest[pair_job[items]], kind="mergesort")]
        job = pair_job[items]
        opens, closes, lasting = earliest[job], latest[job], duration[job]
        lasts = count + 1 if exact else 1
        # Each visit's reduced cost before its leg, and its leg from home (row 0) or from
        # each last visit.
        base = before_leg[items] - price[job]
        leg = np.empty((lasts, count), dtype=np.int64)
        for i in range(count):
            if exact:
                leg[0, i] = legs.home[v, job[i]]
                for last in range(count):
                    leg[last + 1, i] = legs.travel[legs.mode[v], job[last], job[i]]
            else:
                leg[0, i] = pair_leg[items[i]]
        longest = np.empty(lasts, dtype=np.int64)
        for last in range(lasts):
            longest[last] = leg[last].max()
        widest = (closes - opens).max()
        first = shift_start[v] // slot
        n_slots = shift_end[v] // slot - first + 1
        best = np.full((n_slots, depth + 1, lasts), np.inf)
        took = np.full((n_slots, depth + 1, lasts), -1, dtype=np.int64)
        came = np.full((n_slots, depth + 1, lasts), -1, dtype=np.int64)
        came_last = np.zeros((n_slots, depth + 1, lasts), dtype=np.int64)
        best[0, 0, 0] = 0.0
        end_slot, end_k, end_last, lowest = -1, -1, 0, 0.0
        for t in range(n_slots):
            free = shift_start[v] if t == 0 else (first + t) * slot
            later = t + 1 < n_slots
            free_next = (first + t + 1) * slot
            # Items that closed before this slot, whatever their leg, come first.
            low = np.searchsorted(opens, free - widest)
            for k in range(depth + 1):
                for last in range(lasts):
                    here = best[t, k, last]
                    if here == np.inf:
                        continue
                    if later and here < best[t + 1, k, last]:
                        best[t + 1, k, last] = here
                        came[t + 1, k, last] = t
                        came_last[t + 1, k, last] = last
                        took[t + 1, k, last] = -1
                    if here < lowest:
                        lowest, end_slot, end_k, end_last = here, t, k, last
                    if k == depth:
                        continue
                    reach = free_next + longest[last]
                    for i in range(low, count):
                        if later and opens[i] >= reach:
                            break
                        if exact and last == i + 1:
                            continue
                        minutes = leg[last, i]
                        if later and free_next + minutes <= opens[i]:
                            continue
                        start = max(free + minutes, opens[i])
                        if start > closes[i] or start + lasting[i] > shift_end[v]:
                            continue
                        ends = (start + lasting[i]) // slot - first
                        after = i + 1 if exact else 0
                        reduced = here + base[i] + rate * minutes
                        if reduced < best[ends, k + 1, after]:
                            best[ends, k + 1, after] = reduced
                            came[ends, k + 1, after] = t
                            came_last[ends, k + 1, after] = last
                            took[ends, k + 1, after] = items[i]
        value[v] = lowest
        t, k, last = end_slot, end_k, end_last
        while k > 0:
            p, before, before_last = took[t, k, last], came[t, k, last], came_last[t, k, last]
            if p >= 0:
                chosen[p] = True
                k -= 1
            t, last = before, before_last
