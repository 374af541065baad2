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
made, no higher cost, no later end, no more work and no visit it lacks.

A label is also dropped when its cost and a bound on what the visits after it can add
(:func:`_completion`) cannot beat the best route found so far, which a greedy route
(:func:`_greedy`) starts. Each label tries its visits by how much they could lower the
cost at best, and stops at the first that cannot beat the best route. A shift whose
labels outgrow ``max_labels``, or that looks at more than :data:`LOOKS_PER_LABEL` new
labels for each it may keep, is left unpriced (``exact[v]`` stays False) and keeps its
walk and set bounds. At the prices a column bound on the normal 200 x 600 round
converged to, 133 of 200 shifts so price within 2,000 labels in 0.52 s, against 79 in
0.08 s without the bound; on the normal 60 x 150 round (instance seed 2) all 60 in
0.03 s, against 38 in 0.02 s.

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
    from matchmaker.solve._bound_shifts import Legs

__all__ = ["price_routes"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]

_TRACKED = 128
"""Visits a label remembers (two 64-bit masks): the pinned ones and then the cheapest.
A route may come back to a visit beyond them (a relaxation, so the bound stays valid)."""

LOOKS_PER_LABEL = 128
"""New labels a shift may look at for each label it may keep: the looking, not the
keeping, is what takes the time."""

_SCAN = 32
"""Visits a completion bound looks at before it prices the room left at the ratio of
the next: on a late label most are too late, and looking at each of them took 96% of
the bound's time on the normal 200 x 600 round."""

_START = -2
"""The best label when the best route is the greedy one (:func:`_greedy`)."""

_SLACK = 1e-9
"""A label is dropped when even its completion bound misses the best route by this much:
rounding in the bound's sums must not drop a route that is better by less."""


@njit(cache=True, nogil=True)
def _made(low: np.uint64, high: np.uint64, i: int) -> bool:
    """Whether tracked visit ``i`` is in the masks ``low`` and ``high``."""
    if i < 64:
        return bool((low >> np.uint64(i)) & np.uint64(1) != 0)
    if i < _TRACKED:
        return bool((high >> np.uint64(i - 64)) & np.uint64(1) != 0)
    return False


@njit(cache=True, nogil=True)
def _with(low: np.uint64, high: np.uint64, i: int) -> tuple[np.uint64, np.uint64]:
    """The masks ``low`` and ``high`` with tracked visit ``i`` added (untracked ones are
    not remembered)."""
    if i < 64:
        return low | (np.uint64(1) << np.uint64(i)), high
    if i < _TRACKED:
        return low, high | (np.uint64(1) << np.uint64(i - 64))
    return low, high


@njit(cache=True, nogil=True)
def _least_gain(
    order: Ints,
    gain: Floats,
    weight: Floats,
    ratio: Floats,
    room: float,
    free: int,
    ready: Ints,
    skip: int,
) -> float:
    """The least sum of ``gain`` over the visits in ``order`` (by ``ratio``, gain per
    weight) but ``skip`` whose ``weight`` fits in ``room``, fractions allowed, and that
    can still start in their windows after ``free`` (a visit ``i`` needs the route free
    by ``ready[i]``). After :data:`_SCAN` visits looked at, the room left is priced at
    the ratio of the next: no visit after it has a lower one."""
    total = 0.0
    for looked, i in enumerate(order):
        if room <= 0.0:
            break
        if looked == _SCAN:
            return float(total + room * ratio[i])
        if i == skip or free > ready[i]:
            continue
        take = 1.0 if weight[i] <= room else room / weight[i]
        total += take * gain[i]
        room -= take * weight[i]
    return total


@njit(cache=True, nogil=True)
def _usable(
    orders: Ints, ready: Ints, free: int, low: np.uint64, high: np.uint64, usable: Ints
) -> Ints:
    """Into the rows of ``usable``, each row of ``orders`` less the visits made or too
    late for a route free at ``free``; how many each row keeps. A label's visits to come
    are among these, so its new labels' bounds need look at no others."""
    kept = np.zeros(orders.shape[0], dtype=np.int64)
    for k in range(orders.shape[0]):
        for i in orders[k]:
            if free <= ready[i] and not _made(low, high, i):
                usable[k, kept[k]] = i
                kept[k] += 1
    return kept


@njit(cache=True, nogil=True)
def _gains(
    leg: Ints, base: Floats, lasting: Ints, closes: Ints, n_pins: int, rate: float
) -> tuple[Floats, Floats, Floats, Ints, Ints]:
    """What each unpinned visit adds at least to a route's cost (its reduced cost and its
    least leg in), and for :func:`_completion` the weights of the visits of negative
    gain (minutes with that leg, work, one visit), their gains per weight, their orders
    by those, and the latest each visit's predecessor may end."""
    n = base.size
    gain = np.zeros(n)
    weights = np.ones((3, n))
    ready = closes.copy()
    for i in range(n_pins, n):
        least = leg[0, i]
        for a in range(n):
            if a != i:
                least = min(least, leg[a + 1, i])
        gain[i] = base[i] + rate * least
        weights[0, i] = lasting[i] + least
        weights[1, i] = lasting[i]
        ready[i] = closes[i] - least
    paying = np.flatnonzero(gain < 0.0)
    ratios = np.zeros((3, n))
    orders = np.empty((3, paying.size), dtype=np.int64)
    for k in range(3):
        for visit in paying:
            # A visit that weighs nothing comes first: it takes no room.
            weight = weights[k, visit]
            ratios[k, visit] = gain[visit] / weight if weight > 0.0 else -np.inf
        orders[k] = paying[np.argsort(ratios[k, paying], kind="mergesort")]
    return gain, weights, ratios, orders, ready


@njit(cache=True, nogil=True)
def _completion(
    usable: Ints,
    kept: Ints,
    gain: Floats,
    weights: Floats,
    ratios: Floats,
    ready: Ints,
    free: int,
    rooms: tuple[int, int, int],
    skip: int,
) -> float:
    """A lower bound on what the visits after a label, free at ``free``, can add to its
    cost: ``usable`` and ``kept`` from :func:`_usable` for its parent, ``skip`` its own
    last visit. Each row ``k`` of ``usable``, ``weights`` and ``ratios`` relaxes the
    visits to come to a fractional knapsack with room ``rooms[k]``: the minutes to the
    shift's end (a visit takes its time and its least leg in), the work left, the visits
    left. Each is a bound, so the largest is."""
    least = -np.inf
    for k in range(3):
        order = usable[k, : kept[k]]
        room = rooms[k]
        relaxed = _least_gain(order, gain, weights[k], ratios[k], room, free, ready, skip)
        least = max(least, relaxed)
    return least


@njit(cache=True, nogil=True)
def _greedy(
    leg: Ints,
    base: Floats,
    lasting: Ints,
    opens: Ints,
    closes: Ints,
    shift: tuple[int, int, int, int],
    rate: float,
) -> tuple[float, Ints]:
    """A route built visit by visit, each time the one that lowers the cost most per
    minute it takes, while one does; its cost and its visits. ``shift`` is the start,
    end, work cap and most visits. Its cost starts the labels' search with a best route,
    so that their completion bound drops labels from the first level on."""
    start, end, cap, most = shift
    made = np.zeros(base.size, dtype=np.bool_)
    route = np.empty(most, dtype=np.int64)
    here, free, work, total, length = 0, start, 0, 0.0, 0
    while length < most:
        pick, pick_rate, pick_cost, pick_begin = -1, 0.0, 0.0, 0
        for i in range(base.size):
            begin = max(free + leg[here, i], opens[i])
            if made[i] or begin > closes[i] or begin + lasting[i] > end:
                continue
            added = base[i] + rate * leg[here, i]
            per = added / max(begin + lasting[i] - free, 1)
            if work + lasting[i] <= cap and per < pick_rate:
                pick, pick_rate, pick_cost, pick_begin = i, per, added, begin
        if pick < 0:
            break
        made[pick], route[length] = True, pick
        here, free, work = pick + 1, pick_begin + lasting[pick], work + lasting[pick]
        total += pick_cost
        length += 1
    return total, route[:length].copy()


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
    reach = np.empty(max_labels)
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
        gain, weights, ratios, orders, ready = _gains(leg, base, lasting, closes, n_pins, rate)
        pin_low = np.uint64(0)
        for i in range(n_pins):
            pin_low |= one << np.uint64(i)
        head = np.full(n, -1, dtype=np.int64)
        # The empty route: from home at the shift's start.
        last[0], free[0], work[0], cost[0] = -1, shift_start[v], 0, 0.0
        usable = np.empty_like(orders)
        kept = _usable(orders, ready, shift_start[v], np.uint64(0), np.uint64(0), usable)
        rooms = (shift_end[v] - shift_start[v], cap[v], depth)
        reach[0] = _completion(
            usable, kept, gain, weights, ratios, ready, shift_start[v], rooms, -1
        )  # fmt: skip
        # What the visits after visit i can add at least, whatever came before it: it ends
        # no sooner than its window opens, and a shift makes more visits after no other.
        after = np.empty(n)
        for i in range(n):
            soonest = opens[i] + lasting[i]
            rooms = (shift_end[v] - soonest, cap[v] - lasting[i], depth - 1)
            after[i] = _completion(
                usable, kept, gain, weights, ratios, ready, soonest, rooms, i
            )  # fmt: skip
        # No new label costs less than its visit's gain and that visit's completion bound
        # more than its parent: a label tries its visits by that sum, up to the best route.
        by_promise = np.argsort(gain + after, kind="mergesort")
        promise = (gain + after)[by_promise]
        low_mask[0], high_mask[0], parent[0], dead[0] = 0, 0, -1, False
        labels, level_low, level_high = 1, 0, 1
        best, best_label = (0.0, 0) if n_pins == 0 else (np.inf, -1)
        start_route: Ints = np.empty(0, dtype=np.int64)
        if n_pins == 0:
            shift = (shift_start[v], shift_end[v], cap[v], depth)
            start_cost, start_route = _greedy(leg, base, lasting, opens, closes, shift, rate)
            if start_cost < best:
                best, best_label = start_cost, _START
        overflow, looked, most_looked = False, 0, max_labels * LOOKS_PER_LABEL
        for level in range(depth):
            head[:] = -1
            for a in range(level_low, level_high):
                if dead[a]:
                    continue
                # The best route may have improved since the label was made.
                if reach[a] >= best + _SLACK:
                    continue
                kept = _usable(orders, ready, free[a], low_mask[a], high_mask[a], usable)
                here = last[a] + 1
                for j in range(n):
                    i = by_promise[j]
                    if cost[a] + promise[j] >= best + _SLACK:
                        break
                    looked += 1
                    if looked > most_looked:
                        overflow = True
                        break
                    if i == last[a] or _made(low_mask[a], high_mask[a], i):
                        continue
                    minutes = leg[here, i]
                    start = max(free[a] + minutes, opens[i])
                    finish = start + lasting[i]
                    worked = work[a] + lasting[i]
                    if start > closes[i] or finish > shift_end[v] or worked > cap[v]:
                        continue
                    total = cost[a] + base[i] + rate * minutes
                    # Two cheap first bounds on the new label's completion: the label's,
                    # less what this visit may take of it, and the visit's own.
                    quick = max(reach[a] - cost[a] - min(gain[i], 0.0), after[i])
                    if total + quick >= best + _SLACK:
                        continue
                    masks_low, masks_high = _with(low_mask[a], high_mask[a], i)
                    # Every pinned visit not made yet must still be reachable after this one.
                    reachable = True
                    for q in range(n_pins):
                        made = _made(masks_low, masks_high, q)
                        if not made and finish + leg[i + 1, q] > closes[q]:
                            reachable = False
                            break
                    if not reachable:
                        continue
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
                    complete = pins_made == pin_low and total < best
                    rooms = (shift_end[v] - finish, cap[v] - worked, depth - level - 1)
                    ahead = _completion(
                        usable, kept, gain, weights, ratios, ready, finish, rooms, i
                    )  # fmt: skip
                    if not complete and total + ahead >= best + _SLACK:
                        continue
                    if labels == max_labels:
                        overflow = True
                        break
                    new = labels
                    labels += 1
                    last[new], free[new], work[new], cost[new] = i, finish, worked, total
                    reach[new] = total + ahead
                    low_mask[new], high_mask[new] = masks_low, masks_high
                    parent[new], dead[new], sibling[new] = a, False, head[i]
                    head[i] = new
                    if complete:
                        best, best_label = total, new
                if overflow:
                    break
            if overflow or labels == level_high:
                break
            level_low, level_high = level_high, labels
        if overflow or best_label == -1:
            # Unpriced, or no route makes every pinned visit: the walks and sets decide.
            continue
        exact[v] = True
        value[v] = best
        route = start_route
        if best_label != _START:
            visits, label = 0, best_label
            while label > 0:
                visits += 1
                label = parent[label]
            route, label = np.empty(visits, dtype=np.int64), best_label
            while label > 0:
                visits -= 1
                route[visits] = last[label]
                label = parent[label]
        for place in range(route.size):
            if route[place] >= n_pins:
                chosen[items[route[place] - n_pins]] = True
                position[items[route[place] - n_pins]] = place
