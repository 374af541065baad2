"""Exact route pricing for the column bound (:mod:`matchmaker.solve._bound_columns`), compiled.

A walk (:func:`~matchmaker.solve._bound_kernel.price_walks`) keeps time in slots, no work
cap and no pinned visit, and may come back to a job; the job sets of
:func:`~matchmaker.solve._bound_kernel.price_shifts` keep no time at all. Each of these
lets a shift's term of the bound sit well below what any route of it costs. On the
generated 20 x 60 round the linear master over walks reached 45,101, where the linear
master over every route the shifts can drive (enumerated) reaches 52,944 and the proven
optimum is 53,493: the walks, not the master, were the gap.

:func:`price_routes` prices each shift by its best *route*: visits in order, none twice,
each starting in its job's window after the true leg from home or from the visit before,
all ending by the shift's end, at most ``max_jobs`` visits and ``cap`` service minutes,
and every pinned visit of the shift at its pinned start. It is a labelling search over
the visits a route may make, level by level (a level is a count of visits). A label is
dropped when another of its level has the same last visit and the same pinned visits
made, no higher cost, no later end, no more work and no visit it lacks. A shift whose
labels outgrow ``max_labels`` is left unpriced (``exact[v]`` stays False) and keeps its
walk and set bounds.

Legs are the true ones of the walks (shortest paths over the round's travel minutes): the
pricing looks only at visits of negative reduced cost and pinned ones, so a real route's
leg between two of them may pass other jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from numba import njit

from matchmaker.solve._bound_kernel import _improving

if TYPE_CHECKING:
    from matchmaker.solve._bound_columns import Legs

__all__ = ["price_routes"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]

_TRACKED = 128
"""Visits a label remembers (two 64-bit masks): the pinned ones and then the cheapest.
A route may come back to a visit beyond them (a relaxation, so the bound stays valid)."""


@njit(cache=True, nogil=True)
def price_routes(
    offsets: Ints,
    pair_job: Ints,
    pair_cost: Floats,
    pair_leg: Ints,
    price: Floats,
    earliest: Ints,
    latest: Ints,
    duration: Ints,
    pin_offsets: Ints,
    pin_job: Ints,
    pin_start: Ints,
    shift_start: Ints,
    shift_end: Ints,
    max_jobs: Ints,
    cap: Ints,
    legs: Legs,
    max_labels: int,
    value: Floats,
    chosen: Bools,
    exact: Bools,
    position: Ints,
) -> None:
    """For each shift ``v`` (pairs ``offsets[v]:offsets[v + 1]``, pinned jobs
    ``pin_job[pin_offsets[v]:pin_offsets[v + 1]]``), the route of least
    ``sum(pair_cost - rate * pair_leg - price[pair_job] + rate * true leg)`` (module
    docstring): its value in ``value[v]``, its pairs marked in ``chosen`` and
    ``exact[v]`` set, or ``exact[v]`` False when its labels outgrew ``max_labels``; each
    marked pair's place in its route (pinned visits counted) in ``position``, -1 for
    the others.
    ``pin_start`` is a job's pinned start minute, or -1 (a pinned worker but a free
    start in the window). ``legs`` are true legs (:class:`Legs` with ``exact``)."""
    chosen[:] = False
    exact[:] = False
    position[:] = -1
    if max_labels < 1:
        return
    rate = legs.rate
    before_leg = pair_cost - rate * pair_leg
    last = np.empty(max_labels, dtype=np.int64)
    free = np.empty(max_labels, dtype=np.int64)
    work = np.empty(max_labels, dtype=np.int64)
    cost = np.empty(max_labels)
    low_mask = np.empty(max_labels, dtype=np.uint64)
    high_mask = np.empty(max_labels, dtype=np.uint64)
    parent = np.empty(max_labels, dtype=np.int64)
    sibling = np.empty(max_labels, dtype=np.int64)
    dead = np.empty(max_labels, dtype=np.bool_)
    one = np.uint64(1)
    for v in range(offsets.size - 1):
        value[v] = 0.0
        pins = pin_job[pin_offsets[v] : pin_offsets[v + 1]]
        n_pins = pins.size
        if n_pins > 64:
            continue
        items = _improving(offsets[v], offsets[v + 1], pair_job, before_leg, price)
        reduced = before_leg[items] - price[pair_job[items]]
        cheapest = np.argsort(reduced, kind="mergesort")
        items, reduced = items[cheapest], reduced[cheapest]
        n = n_pins + items.size
        depth = min(max_jobs[v], n)
        if n == 0:
            exact[v] = True
            continue
        # Local visits: the pinned ones first (so that each has a tracked bit), then the
        # pairs, cheapest first.
        job = np.empty(n, dtype=np.int64)
        base = np.zeros(n)
        opens = np.empty(n, dtype=np.int64)
        closes = np.empty(n, dtype=np.int64)
        for i in range(n_pins):
            job[i] = pins[i]
            start = pin_start[pins[i]]
            opens[i] = earliest[pins[i]] if start < 0 else start
            closes[i] = latest[pins[i]] if start < 0 else start
        for i in range(items.size):
            job[n_pins + i] = pair_job[items[i]]
            base[n_pins + i] = reduced[i]
            opens[n_pins + i] = earliest[pair_job[items[i]]]
            closes[n_pins + i] = latest[pair_job[items[i]]]
        lasting = duration[job].astype(np.int64)
        mode = legs.mode[v]
        leg = np.empty((n + 1, n), dtype=np.int64)
        for i in range(n):
            leg[0, i] = legs.home[v, job[i]]
            for a in range(n):
                leg[a + 1, i] = legs.travel[mode, job[a], job[i]]
        pin_low = np.uint64(0)
        for i in range(n_pins):
            pin_low |= one << np.uint64(i)
        head = np.full(n, -1, dtype=np.int64)
        # The empty route: from home at the shift's start.
        last[0], free[0], work[0], cost[0] = -1, shift_start[v], 0, 0.0
        low_mask[0], high_mask[0], parent[0], dead[0] = 0, 0, -1, False
        labels, level_low, level_high = 1, 0, 1
        best, best_label = (0.0, 0) if n_pins == 0 else (np.inf, -1)
        overflow = False
        for _ in range(depth):
            head[:] = -1
            for a in range(level_low, level_high):
                if dead[a]:
                    continue
                here = last[a] + 1
                for i in range(n):
                    if i == last[a]:
                        continue
                    bit_low, bit_high = np.uint64(0), np.uint64(0)
                    if i < 64:
                        bit_low = one << np.uint64(i)
                    elif i < _TRACKED:
                        bit_high = one << np.uint64(i - 64)
                    if (low_mask[a] & bit_low) != 0 or (high_mask[a] & bit_high) != 0:
                        continue
                    minutes = leg[here, i]
                    start = max(free[a] + minutes, opens[i])
                    finish = start + lasting[i]
                    worked = work[a] + lasting[i]
                    if start > closes[i] or finish > shift_end[v] or worked > cap[v]:
                        continue
                    masks_low, masks_high = low_mask[a] | bit_low, high_mask[a] | bit_high
                    # Every pinned visit not made yet must still be reachable after this one.
                    reachable = True
                    for q in range(n_pins):
                        made = (masks_low >> np.uint64(q)) & one != 0
                        if not made and finish + leg[i + 1, q] > closes[q]:
                            reachable = False
                            break
                    if not reachable:
                        continue
                    total = cost[a] + base[i] + rate * minutes
                    pins_made = masks_low & pin_low
                    dominated = False
                    b = head[i]
                    while b >= 0:
                        # A label with other pinned visits made owes other visits.
                        if not dead[b] and (low_mask[b] & pin_low) == pins_made:
                            if (
                                cost[b] <= total
                                and free[b] <= finish
                                and work[b] <= worked
                                and (low_mask[b] & ~masks_low) == 0
                                and (high_mask[b] & ~masks_high) == 0
                            ):
                                dominated = True
                                break
                            if (
                                total <= cost[b]
                                and finish <= free[b]
                                and worked <= work[b]
                                and (masks_low & ~low_mask[b]) == 0
                                and (masks_high & ~high_mask[b]) == 0
                            ):
                                dead[b] = True
                        b = sibling[b]
                    if dominated:
                        continue
                    if labels == max_labels:
                        overflow = True
                        break
                    new = labels
                    labels += 1
                    last[new], free[new], work[new], cost[new] = i, finish, worked, total
                    low_mask[new], high_mask[new] = masks_low, masks_high
                    parent[new], dead[new], sibling[new] = a, False, head[i]
                    head[i] = new
                    if pins_made == pin_low and total < best:
                        best, best_label = total, new
                if overflow:
                    break
            if overflow or labels == level_high:
                break
            level_low, level_high = level_high, labels
        if overflow or best_label < 0:
            # Unpriced, or no route makes every pinned visit: the walks and sets decide.
            continue
        exact[v] = True
        value[v] = best
        visits, label = 0, best_label
        while label > 0:
            visits += 1
            label = parent[label]
        label = best_label
        while label > 0:
            visits -= 1
            if last[label] >= n_pins:
                chosen[items[last[label] - n_pins]] = True
                position[items[last[label] - n_pins]] = visits
            label = parent[label]
