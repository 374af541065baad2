"""The compiled inner loops of the engine's ruin and recreate (:mod:`matchmaker.solve._lns`).

In Python, choosing each job's cheapest place (every position of every candidate vehicle,
:meth:`~matchmaker.solve._insertion.Routes.table` and
:func:`~matchmaker.solve._insertion.best_single`) and taking jobs off the routes were about
80% of a move (a tight 200 x 600 day, profiled); most jobs a recreate offers find no
vehicle at all, and numpy's overhead per call outweighed the work. These functions do the
same in compiled loops over a :class:`~matchmaker.solve._lns_state.Plan`'s arrays:
:func:`recreate_kernel` inserts the jobs of a recreate order, each single-worker job at its
cheapest feasible place (lowest cost, then earliest start, then lowest vehicle and
position: the choice of ``best_single``) and each team job at the common start of least
total cost on distinct workers (:func:`_best_team`, the choice of ``best_team``);
:func:`remove_kernel` takes jobs off their routes and reschedules what is left
(:func:`reschedule_kernel`).

Every function here is compiled with ``cache=True``; numba checks a cached function only
against its own module, so they call nothing compiled elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["DONE", "GROW", "recreate_kernel", "remove_kernel", "reschedule_kernel"]

Ints = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]

DONE = 0
"""Every job of the order was tried."""
GROW = 1
"""The job at the returned index needs a longer row than the arrays hold: Python grows
them and resumes at that index."""


@njit(cache=True, nogil=True)
def _price(
    v: int,
    job: Ints,
    length: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    match: Ints,
    worker: Ints,
    rate: int,
    route_cost: Ints,
) -> None:
    n = length[v]
    if n == 0:
        route_cost[v] = 0
        return
    m = mode[v]
    minutes = int(home[v, job[v, 0]])
    for i in range(1, n):
        minutes += travel[m, job[v, i - 1], job[v, i]]
    cost = int(rate) * minutes
    w = worker[v]
    for i in range(n):
        cost += match[w, job[v, i]]
    route_cost[v] = cost


@njit(cache=True, nogil=True)
def _latest_from(
    v: int,
    position: int,
    job: Ints,
    start: Ints,
    latest: Ints,
    fixed: Bools,
    length: Ints,
    duration: Ints,
    job_latest: Ints,
    shift_end: Ints,
    mode: Ints,
    travel: Ints,
) -> None:
    """Latest starts of ``v``'s visits at and before ``position``."""
    n = length[v]
    m = mode[v]
    for i in range(position, -1, -1):
        if fixed[v, i]:
            latest[v, i] = start[v, i]
            continue
        j = job[v, i]
        bound = min(int(job_latest[j]), int(shift_end[v]) - duration[j])
        if i + 1 < n:
            bound = min(bound, latest[v, i + 1] - duration[j] - travel[m, j, job[v, i + 1]])
        latest[v, i] = bound


@njit(cache=True, nogil=True)
def reschedule_kernel(
    v: int,
    job: Ints,
    start: Ints,
    end: Ints,
    latest: Ints,
    fixed: Bools,
    length: Ints,
    work: Ints,
    route_cost: Ints,
    duration: Ints,
    job_earliest: Ints,
    job_latest: Ints,
    shift_start: Ints,
    shift_end: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    match: Ints,
    worker: Ints,
    rate: int,
) -> None:
    """Every free visit of ``v`` as early as it can start, then latest starts, work, cost."""
    n = length[v]
    m = mode[v]
    clock = int(shift_start[v])
    previous = -1
    total = 0
    for i in range(n):
        j = job[v, i]
        if not fixed[v, i]:
            leg = home[v, j] if previous < 0 else travel[m, previous, j]
            start[v, i] = max(clock + leg, int(job_earliest[j]))
            end[v, i] = start[v, i] + duration[j]
        clock = end[v, i]
        previous = j
        total += duration[j]
    if n > 0:
        _latest_from(
            v, n - 1, job, start, latest, fixed, length, duration, job_latest, shift_end, mode,
            travel,
        )  # fmt: skip
    work[v] = total
    _price(v, job, length, mode, home, travel, match, worker, rate, route_cost)


@njit(cache=True, nogil=True)
def remove_kernel(
    removed: Bools,
    touched: Ints,
    job: Ints,
    start: Ints,
    end: Ints,
    latest: Ints,
    fixed: Bools,
    length: Ints,
    work: Ints,
    route_cost: Ints,
    duration: Ints,
    job_earliest: Ints,
    job_latest: Ints,
    shift_start: Ints,
    shift_end: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    match: Ints,
    worker: Ints,
    rate: int,
) -> int:
    """Take every job marked in ``removed`` off every route; the vehicles touched go into
    ``touched`` in ascending order, and their count is returned."""
    count = 0
    for v in range(length.size):
        n = length[v]
        kept = 0
        for i in range(n):
            if removed[job[v, i]]:
                continue
            job[v, kept] = job[v, i]
            start[v, kept] = start[v, i]
            end[v, kept] = end[v, i]
            fixed[v, kept] = fixed[v, i]
            kept += 1
        if kept == n:
            continue
        for i in range(kept, n):
            job[v, i] = -1
            fixed[v, i] = False
        length[v] = kept
        reschedule_kernel(
            v, job, start, end, latest, fixed, length, work, route_cost, duration, job_earliest,
            job_latest, shift_start, shift_end, mode, home, travel, match, worker, rate,
        )  # fmt: skip
        touched[count] = v
        count += 1
    return count


@njit(cache=True, nogil=True)
def _place(
    v: int,
    position: int,
    j: int,
    at: int,
    is_fixed: bool,
    job: Ints,
    start: Ints,
    end: Ints,
    latest: Ints,
    fixed: Bools,
    length: Ints,
    work: Ints,
    duration: Ints,
    job_latest: Ints,
    shift_end: Ints,
    mode: Ints,
    travel: Ints,
) -> None:
    """Put ``j`` at ``position`` of ``v`` starting at ``at``, push the later free visits,
    and update the latest starts at and before it (``Routes.insert``)."""
    n = length[v]
    for i in range(n, position, -1):
        job[v, i] = job[v, i - 1]
        start[v, i] = start[v, i - 1]
        end[v, i] = end[v, i - 1]
        latest[v, i] = latest[v, i - 1]
        fixed[v, i] = fixed[v, i - 1]
    job[v, position] = j
    start[v, position] = at
    end[v, position] = at + duration[j]
    fixed[v, position] = is_fixed
    n += 1
    length[v] = n
    work[v] += duration[j]
    m = mode[v]
    for i in range(position + 1, n):
        if fixed[v, i]:
            break
        arrival = end[v, i - 1] + travel[m, job[v, i - 1], job[v, i]]
        if arrival <= start[v, i]:
            break
        start[v, i] = arrival
        end[v, i] = arrival + duration[job[v, i]]
    _latest_from(
        v, position, job, start, latest, fixed, length, duration, job_latest, shift_end, mode,
        travel,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _slot(
    v: int,
    p: int,
    j: int,
    d: int,
    low: int,
    last: int,
    pin: int,
    job: Ints,
    end: Ints,
    latest: Ints,
    length: Ints,
    shift_start: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
) -> tuple[int, int, int]:
    """Earliest and latest start of ``j`` at position ``p`` of ``v`` (``Routes.table``),
    both the pinned start when ``pin`` is not -1 and falls between them, and the travel
    minutes it adds there; the earliest is above the latest where ``j`` does not fit."""
    n = length[v]
    m = mode[v]
    if p == 0:
        before_end = int(shift_start[v])
        leg_in = int(home[v, j])
    else:
        before_end = int(end[v, p - 1])
        leg_in = int(travel[m, job[v, p - 1], j])
    earliest = max(before_end + leg_in, low)
    added = leg_in
    high = last
    if p < n:
        after = job[v, p]
        leg_out = int(travel[m, j, after])
        high = min(last, int(latest[v, p]) - d - leg_out)
        skip = int(home[v, after]) if p == 0 else int(travel[m, job[v, p - 1], after])
        added += leg_out - skip
    if pin < 0:
        return earliest, high, added
    if earliest <= pin <= high:
        return pin, pin, added
    return pin + 1, pin, added


@njit(cache=True, nogil=True)
def _best_team(
    j: int,
    members: int,
    vehicles: Ints,
    travel_cost: int,
    chosen: Ints,
    job: Ints,
    end: Ints,
    latest: Ints,
    length: Ints,
    duration: Ints,
    job_earliest: Ints,
    job_latest: Ints,
    pinned_start: Ints,
    shift_start: Ints,
    shift_end: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    match: Ints,
    worker: Ints,
) -> tuple[int, int]:
    """``best_team``'s choice for team job ``j`` on ``vehicles`` (ascending): the start of
    least total cost over ``members`` distinct workers, each at its cheapest place covering
    that start (earlier start, then lower cost, then lower worker on ties). Returns
    ``(start, total cost)`` and puts each member's place in ``chosen`` (vehicle, position
    rows); start -1 when no start has enough workers."""
    d = int(duration[j])
    low = int(job_earliest[j])
    pin = int(pinned_start[j])
    size = 0
    for v in vehicles:
        size += length[v] + 1
    at_v = np.empty(size, np.int64)
    at_p = np.empty(size, np.int64)
    lows = np.empty(size, np.int64)
    highs = np.empty(size, np.int64)
    costs = np.empty(size, np.int64)
    count = 0
    for v in vehicles:
        last = min(int(shift_end[v]) - d, int(job_latest[j]))
        fee = int(match[worker[v], j])
        for p in range(length[v] + 1):
            earliest, high, added = _slot(
                v, p, j, d, low, last, pin, job, end, latest, length, shift_start, mode, home,
                travel,
            )  # fmt: skip
            if earliest > high:
                continue
            at_v[count], at_p[count], lows[count], highs[count] = v, p, earliest, high
            costs[count] = travel_cost * added + fee
            count += 1
    # With a pin every place's window is that one minute.
    starts = np.unique(lows[:count])
    n_workers = int(worker.max()) + 1
    cheapest = np.zeros(n_workers, np.int64)
    where = np.full(n_workers, -1, np.int64)
    picked = np.zeros(n_workers, np.bool_)
    seen = np.empty(count, np.int64)
    trial = np.empty((members, 2), np.int64)
    best_start, best_total = -1, 0
    for s in starts:
        n_seen = 0
        for r in range(count):
            if lows[r] <= s <= highs[r]:
                w = worker[at_v[r]]
                if where[w] < 0:
                    seen[n_seen] = w
                    n_seen += 1
                    cheapest[w], where[w] = costs[r], r
                elif costs[r] < cheapest[w]:
                    cheapest[w], where[w] = costs[r], r
        total = 0
        for k in range(members):
            pick = -1
            for i in range(n_seen):
                w = seen[i]
                if picked[w]:
                    continue
                if (
                    pick < 0
                    or cheapest[w] < cheapest[pick]
                    or (cheapest[w] == cheapest[pick] and w < pick)
                ):
                    pick = w
            if pick < 0:
                total = -1
                break
            picked[pick] = True
            total += cheapest[pick]
            trial[k, 0], trial[k, 1] = at_v[where[pick]], at_p[where[pick]]
        for i in range(n_seen):
            where[seen[i]], picked[seen[i]] = -1, False
        if total >= 0 and (best_start < 0 or total < best_total):
            best_start, best_total = s, total
            chosen[:members] = trial
    return best_start, best_total


@njit(cache=True, nogil=True)
def recreate_kernel(
    order: Ints,
    begin: int,
    wide: Bools,
    freed: Bools,
    travel_cost: int,
    job: Ints,
    start: Ints,
    end: Ints,
    latest: Ints,
    fixed: Bools,
    length: Ints,
    work: Ints,
    route_cost: Ints,
    visits: Ints,
    eligible: Bools,
    max_jobs: Ints,
    max_work: Ints,
    duration: Ints,
    job_earliest: Ints,
    job_latest: Ints,
    pinned_start: Ints,
    team: Ints,
    penalty: Ints,
    worth: Ints,
    shift_start: Ints,
    shift_end: Ints,
    mode: Ints,
    home: Ints,
    travel: Ints,
    match: Ints,
    worker: Ints,
    rate: int,
) -> tuple[int, int, int]:
    """Insert ``order[begin:]`` one job at a time on the vehicles eligible for it (any such
    vehicle when ``wide[job]``, else only those marked in ``freed``) with room left: a
    single-worker job at its cheapest feasible place, a team job at the common start of
    least total cost on distinct workers (:func:`_best_team`). A job with no such place
    stays unserved, and so does one whose cheapest place costs ``worth[job]`` or more (a
    single job's travel at ``rate`` and match; a team's total with travel at
    ``travel_cost``, at least its own, so that a priced team errs towards being left out,
    as it did in Python). Places are chosen with travel priced at ``travel_cost`` per
    minute. Returns ``(index, status, penalty change)``: status :data:`DONE`, or
    :data:`GROW` at ``order[index]``, left to Python."""
    width = job.shape[1]
    delta = 0
    rooms = np.empty(length.size, np.int64)
    # A team is placed only with at least as many vehicles as members.
    chosen = np.empty((length.size, 2), np.int64)
    for index in range(begin, order.size):
        j = order[index]
        d = int(duration[j])
        members = team[j]
        n_rooms = 0
        pin = int(pinned_start[j])
        low = int(job_earliest[j])
        best_cost = 0
        best_real = 0
        best_start = 0
        best_v = -1
        best_p = -1
        for v in range(length.size):
            if not eligible[j, v] or not (wide[j] or freed[v]):
                continue
            n = length[v]
            if n >= max_jobs[v] or work[v] + d > max_work[v]:
                continue
            if members > 1:
                rooms[n_rooms] = v
                n_rooms += 1
                continue
            last = min(int(shift_end[v]) - d, int(job_latest[j]))
            fee = int(match[worker[v], j])
            for p in range(n + 1):
                at, high, added = _slot(
                    v, p, j, d, low, last, pin, job, end, latest, length, shift_start, mode,
                    home, travel,
                )  # fmt: skip
                if at > high:
                    continue
                cost = travel_cost * added + fee
                if best_v < 0 or cost < best_cost or (cost == best_cost and at < best_start):
                    best_cost, best_start, best_v, best_p = cost, at, v, p
                    best_real = rate * added + fee
        if members > 1:
            if n_rooms < members:
                continue
            best_start, total = _best_team(
                j, members, rooms[:n_rooms], travel_cost, chosen, job, end, latest, length,
                duration, job_earliest, job_latest, pinned_start, shift_start, shift_end,
                mode, home, travel, match, worker,
            )  # fmt: skip
            if best_start < 0 or total >= worth[j]:
                continue
            for k in range(members):
                if length[chosen[k, 0]] + 2 > width:
                    return index, GROW, delta
            places = chosen[:members]
        else:
            if best_v < 0 or best_real >= worth[j]:
                continue
            if length[best_v] + 2 > width:
                return index, GROW, delta
            chosen[0, 0], chosen[0, 1] = best_v, best_p
            places = chosen[:1]
        for k in range(places.shape[0]):
            v = places[k, 0]
            _place(
                v, places[k, 1], j, best_start, pin >= 0 or members > 1, job, start, end,
                latest, fixed, length, work, duration, job_latest, shift_end, mode, travel,
            )  # fmt: skip
            _price(v, job, length, mode, home, travel, match, worker, rate, route_cost)
            visits[j] += 1
        if visits[j] == team[j]:
            delta -= penalty[j]
    return order.size, DONE, delta
