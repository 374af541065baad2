"""The compiled insertion of the home-care search: every place a job fits, and its cost.

:meth:`matchmaker.solve._linked_insertion.InsertionState.places` is the inner loop of the
home-care search (the first plan, ruin and recreate, the refill): for one job it tries
every eligible shift and every position, and for each the later visits it would push.
In Python that walk was about 85% of the search's time. Compiled with numba, with a
visit and its linked visit tried together in one call (:func:`pairs`), ruin and recreate
ran 2,825 iterations in 20 s on HHCRSP D2 (98 visits) against 290 before.

**Pushes follow the links.** A visit pushed later pushes the visit after it on its route,
the visits linked to it that must keep their least gap after it, and the visit it
depends on when the largest gap would be exceeded, and so on (:func:`_propagate`); a
pushed visit that is fixed (team, pinned, or one the caller holds), or that would start
after its latest start or end its shift late, makes the place fail. So a linked visit need
not keep its start while others are inserted, which on HHCRSP rounds (where half the
visits are linked) more than doubled the places open to each insertion. Where every
planned linked visit is fixed, this is the walk of ``InsertionState.push``, and tests hold
the scan equal to the Python walk there; rounds with breaks keep the Python walk, which
also fits the breaks (and holds every planned linked visit).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from matchmaker.compile import LINK_DIFFERENT, LINK_SAME
from matchmaker.solve._kernel_data import (
    DUE,
    DURATION,
    EARLIEST,
    END,
    INDEX,
    LATEST,
    LENGTH,
    LINK_MAX,
    LINK_MIN,
    LINK_TO,
    LINK_WORKER,
    MAX_JOBS,
    MAX_WORK,
    MODE,
    START,
    VEHICLE,
    WORK,
    WORKER,
    BoolArray,
    IntArray,
)

__all__ = ["pairs_kernel", "push_kernel", "put_kernel", "scan_kernel"]

_WORK_PER_JOB = 20
"""Pushes one evaluation may make per job of the round before the place counts as failed
(a cycle of links and routes would push for ever)."""


@njit(cache=True, nogil=True)
def _propagate(
    x: int,
    v: int,
    p: int,
    t: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    place: IntArray,
    fixed: BoolArray,
    travel: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    links: IntArray,
    follow_from: IntArray,
    followers: IntArray,
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
) -> tuple[bool, int]:
    """Whether job ``x`` fits at start ``t`` in front of index ``p`` of shift ``v``, the
    other visits pushed as the module docstring says; ``(fits, n)`` with the first ``n``
    of ``touched`` the visits pushed, ``new_start`` their starts and ``old_start`` their
    starts before. The plan is not changed; the caller resets ``new_start``."""
    n = 0
    top = 0
    cap = stack.shape[0]
    m = shifts[v, MODE]
    if p < state[v, LENGTH]:
        nxt = route_jobs[v, p]
        stack[top, 0] = nxt
        stack[top, 1] = t + jobs[x, DURATION] + travel[m, x, nxt]
        top += 1
    elif t + jobs[x, DURATION] + back[v, x] > shifts[v, END]:
        return False, 0
    for i in range(follow_from[x], follow_from[x + 1]):
        f = followers[i]
        if place[f, VEHICLE] >= 0 and top < cap:
            stack[top, 0] = f
            stack[top, 1] = t + links[f, LINK_MIN]
            top += 1
    leader = links[x, LINK_TO]
    if leader >= 0 and place[leader, VEHICLE] >= 0 and links[x, LINK_MAX] >= 0:
        stack[top, 0] = leader
        stack[top, 1] = t - links[x, LINK_MAX]
        top += 1
    budget = _WORK_PER_JOB * jobs.shape[0]
    fits = True
    while top > 0 and fits:
        top -= 1
        j = stack[top, 0]
        at = stack[top, 1]
        u = place[j, VEHICLE]
        k = place[j, INDEX]
        now = new_start[j] if new_start[j] >= 0 else route_starts[u, k]
        if at <= now:
            continue
        budget -= 1
        if fixed[j] or at > jobs[j, LATEST] or budget < 0:
            fits = False
            break
        if new_start[j] < 0:
            touched[n] = j
            old_start[n] = now
            n += 1
        new_start[j] = at
        mu = shifts[u, MODE]
        done = at + jobs[j, DURATION]
        if u == v and k == p - 1:
            fits = done + travel[mu, j, x] <= t  # x keeps its start
        elif k + 1 < state[u, LENGTH]:
            nxt = route_jobs[u, k + 1]
            if top >= cap:
                fits = False
                break
            stack[top, 0] = nxt
            stack[top, 1] = done + travel[mu, j, nxt]
            top += 1
        else:
            fits = done + back[u, j] <= shifts[u, END]
        for i in range(follow_from[j], follow_from[j + 1]):
            f = followers[i]
            if f != x and place[f, VEHICLE] >= 0:
                if top >= cap:
                    fits = False
                    break
                stack[top, 0] = f
                stack[top, 1] = at + links[f, LINK_MIN]
                top += 1
        leader = links[j, LINK_TO]
        if leader >= 0 and leader != x and place[leader, VEHICLE] >= 0 and links[j, LINK_MAX] >= 0:
            if top >= cap:
                fits = False
                break
            stack[top, 0] = leader
            stack[top, 1] = at - links[j, LINK_MAX]
            top += 1
    if fits:
        fits = _links_hold(x, t, route_starts, place, links, follow_from, followers, new_start)
    return fits, n


@njit(cache=True, nogil=True)
def _links_hold(
    x: int,
    t: int,
    route_starts: IntArray,
    place: IntArray,
    links: IntArray,
    follow_from: IntArray,
    followers: IntArray,
    new_start: IntArray,
) -> bool:
    """Whether ``x`` at ``t`` keeps its gaps to its planned partners at their new starts."""
    leader = links[x, LINK_TO]
    if leader >= 0 and place[leader, VEHICLE] >= 0:
        s = new_start[leader]
        if s < 0:
            s = route_starts[place[leader, VEHICLE], place[leader, INDEX]]
        if t < s + links[x, LINK_MIN] or (links[x, LINK_MAX] >= 0 and t > s + links[x, LINK_MAX]):
            return False
    for i in range(follow_from[x], follow_from[x + 1]):
        f = followers[i]
        if place[f, VEHICLE] >= 0 and links[f, LINK_MAX] >= 0:
            s = new_start[f]
            if s < 0:
                s = route_starts[place[f, VEHICLE], place[f, INDEX]]
            if s > t + links[f, LINK_MAX]:
                return False
    return True


@njit(cache=True, nogil=True)
def _late(jobs: IntArray, job: int, start: int) -> int:
    due = jobs[job, DUE]
    return 0 if due < 0 else max(0, start - due)


@njit(cache=True, nogil=True)
def _push(
    x: int,
    v: int,
    p: int,
    t: int,
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
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
) -> tuple[bool, int, int, int]:
    """``(fits, travel added, lateness added, largest lateness among x and the pushed)``
    of ``x`` at ``t`` in front of index ``p`` of shift ``v``; the plan is not changed."""
    length = state[v, LENGTH]
    m = shifts[v, MODE]
    prev = route_jobs[v, p - 1] if p > 0 else -1
    nxt = route_jobs[v, p] if p < length else -1
    into = out[v, x] if prev < 0 else travel[m, prev, x]
    if nxt >= 0:
        onward = travel[m, x, nxt]
        skipped = out[v, nxt] if prev < 0 else travel[m, prev, nxt]
    else:
        onward = back[v, x]
        skipped = back[v, prev] if prev >= 0 else 0
    fits, n = _propagate(
        x, v, p, t, route_jobs, route_starts, state, place, fixed, travel, back, jobs,
        shifts, links, follow_from, followers, new_start, touched, old_start, stack,
    )  # fmt: skip
    own = _late(jobs, x, t)
    late = own
    top = own
    for i in range(n):
        j = touched[i]
        after = _late(jobs, j, new_start[j])
        late += after - _late(jobs, j, old_start[i])
        top = max(top, after)
        new_start[j] = -1
    return fits, into + onward - skipped, late, top


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
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
    found: IntArray,
) -> int:
    """Each place ``job`` fits with a start in ``[low, high]`` on an ``allowed`` shift, as
    rows ``(cost, start, vehicle, position)`` of ``found``; returns how many: the position
    loop of ``InsertionState.walk_places`` without breaks."""
    n = 0
    duration = jobs[job, DURATION]
    job_earliest = max(jobs[job, EARLIEST], low)
    job_latest = min(jobs[job, LATEST], high)
    if job_earliest > job_latest:
        return 0
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
            start = max(ready, job_earliest)
            fits, added, late, top = _push(
                job, v, p, start, route_jobs, route_starts, state, place, fixed, travel, out,
                back, jobs, shifts, links, follow_from, followers, new_start, touched,
                old_start, stack,
            )  # fmt: skip
            if not fits:
                continue
            rise = max(0, top - max_late)
            found[n, 0] = added * rates[0] + match[job, v] + late * rates[1] + rise * rates[2]
            found[n, 1] = start
            found[n, 2] = v
            found[n, 3] = p
            n += 1
    return n


@njit(cache=True, nogil=True)
def _put(
    x: int,
    v: int,
    p: int,
    t: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    place: IntArray,
    fixed: BoolArray,
    travel: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    links: IntArray,
    follow_from: IntArray,
    followers: IntArray,
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
) -> tuple[bool, int, int, int]:
    """Insert ``x`` at ``t`` in front of index ``p`` of shift ``v`` and push the others as
    :func:`_propagate` says; ``(fitted, n, largest lateness among x and the pushed,
    lateness added)``, the first ``n`` of ``touched`` and ``old_start`` the visits pushed
    and their old starts. Nothing changes when it does not fit."""
    fits, n = _propagate(
        x, v, p, t, route_jobs, route_starts, state, place, fixed, travel, back, jobs,
        shifts, links, follow_from, followers, new_start, touched, old_start, stack,
    )  # fmt: skip
    top = late = _late(jobs, x, t)
    for i in range(n):
        j = touched[i]
        if fits:
            route_starts[place[j, VEHICLE], place[j, INDEX]] = new_start[j]
            after = _late(jobs, j, new_start[j])
            top = max(top, after)
            late += after - _late(jobs, j, old_start[i])
        new_start[j] = -1
    if not fits:
        return False, 0, 0, 0
    length = state[v, LENGTH]
    for k in range(length, p, -1):
        route_jobs[v, k] = route_jobs[v, k - 1]
        route_starts[v, k] = route_starts[v, k - 1]
        place[route_jobs[v, k], INDEX] = k
    route_jobs[v, p] = x
    route_starts[v, p] = t
    place[x, VEHICLE] = v
    place[x, INDEX] = p
    state[v, LENGTH] = length + 1
    state[v, WORK] += jobs[x, DURATION]
    return True, n, top, late


@njit(cache=True, nogil=True)
def _take_back(
    x: int,
    n: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    place: IntArray,
    jobs: IntArray,
    touched: IntArray,
    old_start: IntArray,
) -> None:
    """Undo :func:`_put` of ``x`` that pushed the first ``n`` of ``touched``."""
    v = place[x, VEHICLE]
    p = place[x, INDEX]
    length = state[v, LENGTH]
    for k in range(p, length - 1):
        route_jobs[v, k] = route_jobs[v, k + 1]
        route_starts[v, k] = route_starts[v, k + 1]
        place[route_jobs[v, k], INDEX] = k
    route_jobs[v, length - 1] = -1
    place[x, VEHICLE] = -1
    place[x, INDEX] = -1
    state[v, LENGTH] = length - 1
    state[v, WORK] -= jobs[x, DURATION]
    for i in range(n):
        j = touched[i]
        route_starts[place[j, VEHICLE], place[j, INDEX]] = old_start[i]


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
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
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
        fits, pushed, top, late = _put(
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
        count = _scan(
            follower, start + links[follower, LINK_MIN], high, max(max_late, top), allowed,
            route_jobs, route_starts, state, place, fixed, travel, out, back, jobs, shifts,
            links, follow_from, followers, eligible, match, rates, new_start, touched,
            old_start, stack, found,
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


scan_kernel = _scan
push_kernel = _push
put_kernel = _put
pairs_kernel = _pairs
