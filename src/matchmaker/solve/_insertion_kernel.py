"""The compiled insertion of the home-care search: whether a visit fits at a start, what it
adds, and putting it there (the scan over every place is :mod:`._scan_kernel`, the pair
choice :mod:`._pairs_kernel`).

:meth:`matchmaker.solve._linked_insertion.InsertionState.places` is the inner loop of the
home-care search (the first plan, ruin and recreate, the refill): for one job it tries
every eligible shift and every position, and for each the later visits it would push.
In Python that walk was about 85% of the search's time. Compiled with numba, with a
visit and its linked visit tried together in one call, ruin and recreate ran 2,825
iterations in 20 s on HHCRSP D2 (98 visits) against 290 before.

**Pushes follow the links.** A visit pushed later pushes the visit after it on its route,
the visits linked to it that must keep their least gap after it, and the visit it
depends on when the largest gap would be exceeded, and so on (:func:`_propagate`); a
pushed visit that is fixed (team, pinned, or one the caller holds), or that would start
after its latest start or end its shift late, makes the place fail. So a linked visit need
not keep its start while others are inserted, which on HHCRSP rounds (where half the
visits are linked) more than doubled the places open to each insertion. Where every
planned linked visit is fixed, this is the walk of ``InsertionState.push``, and tests hold
the scan equal to the Python walk there.

**Breaks.** A place fits only where the breaks of every shift it changes still fit
beside the visits at their new starts (:func:`_breaks_fit`); the scan also tries a place
on a shift with breaks at the starts just after a break.
"""

from __future__ import annotations

from numba import njit

from matchmaker.solve._kernel_data import (
    DUE,
    DURATION,
    END,
    INDEX,
    LATEST,
    LENGTH,
    LINK_MAX,
    LINK_MIN,
    LINK_TO,
    MODE,
    START,
    VEHICLE,
    WORK,
    BoolArray,
    IntArray,
)

__all__ = ["push_kernel", "put_kernel"]

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
def _shift_breaks_fit(
    u: int,
    x: int,
    v: int,
    p: int,
    t: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    new_start: IntArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    break_from: IntArray,
    breaks: IntArray,
    gaps: IntArray,
) -> bool:
    """Whether shift ``u``'s breaks fit beside its visits at their new starts (with ``x``
    at ``t`` in front of index ``p`` when ``u`` is ``v``): ``solve._breaks.place_breaks``
    on the gaps of the route, each break in the first gap with room."""
    if break_from[u] == break_from[u + 1]:
        return True
    m = shifts[u, MODE]
    length = state[u, LENGTH]
    inserted = u == v and x >= 0
    total = length + 1 if inserted else length
    if total == 0:
        return True  # no visit, no break
    ready = shifts[u, START]
    prev = -1
    for i in range(total):
        if inserted and i == p:
            j = x
            at = t
        else:
            k = i - 1 if inserted and i > p else i
            j = route_jobs[u, k]
            at = new_start[j] if new_start[j] >= 0 else route_starts[u, k]
        gaps[i, 0] = ready
        gaps[i, 1] = at
        gaps[i, 2] = out[u, j] if prev < 0 else travel[m, prev, j]
        ready = at + jobs[j, DURATION]
        prev = j
    gaps[total, 0] = ready
    gaps[total, 1] = shifts[u, END]
    gaps[total, 2] = back[u, prev]
    for g in range(total + 1):
        gaps[g, 3] = gaps[g, 0]  # where the next break in the gap may start
        gaps[g, 4] = 0  # break minutes placed in the gap
    for b in range(break_from[u], break_from[u + 1]):
        earliest, latest, minutes = breaks[b, 0], breaks[b, 1], breaks[b, 2]
        placed = False
        for g in range(total + 1):
            at = max(earliest, gaps[g, 3])
            room = gaps[g, 1] - gaps[g, 0]
            if at > latest or at + minutes > gaps[g, 1] or gaps[g, 4] + minutes + gaps[g, 2] > room:
                continue
            gaps[g, 3] = at + minutes
            gaps[g, 4] += minutes
            placed = True
            break
        if not placed:
            return False
    return True


@njit(cache=True, nogil=True)
def _breaks_fit(
    x: int,
    v: int,
    p: int,
    t: int,
    n: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    place: IntArray,
    new_start: IntArray,
    touched: IntArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    break_from: IntArray,
    breaks: IntArray,
    gaps: IntArray,
) -> bool:
    """:func:`_shift_breaks_fit` on shift ``v`` and on every other shift whose visits the first
    ``n`` of ``touched`` are (each once)."""
    if breaks.shape[0] == 0:
        return True
    if not _shift_breaks_fit(
        v, x, v, p, t, route_jobs, route_starts, state, new_start, travel, out, back, jobs,
        shifts, break_from, breaks, gaps,
    ):  # fmt: skip
        return False
    for i in range(n):
        u = place[touched[i], VEHICLE]
        seen = u == v
        for earlier in range(i):
            seen = seen or place[touched[earlier], VEHICLE] == u
        if not seen and not _shift_breaks_fit(
            u, x, v, p, t, route_jobs, route_starts, state, new_start, travel, out, back, jobs,
            shifts, break_from, breaks, gaps,
        ):  # fmt: skip
            return False
    return True


@njit(cache=True, nogil=True)
def _moved_to(place: IntArray, j: int, v: int, k: int) -> None:
    """Job ``j`` is now at index ``k`` of shift ``v``. A team visit is on several shifts and
    ``place`` holds one of them: its index changes only when that is ``v``."""
    if place[j, VEHICLE] == v:
        place[j, INDEX] = k


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
    break_from: IntArray,
    breaks: IntArray,
    new_start: IntArray,
    touched: IntArray,
    old_start: IntArray,
    stack: IntArray,
    gaps: IntArray,
) -> tuple[bool, int, int, int]:
    """``(fits, travel added, lateness added, largest lateness among x and the pushed)``
    of ``x`` at ``t`` in front of index ``p`` of shift ``v``, the breaks of every shift
    it changes fitting; the plan is not changed."""
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
    if fits:
        fits = _breaks_fit(
            x, v, p, t, n, route_jobs, route_starts, state, place, new_start, touched, travel,
            out, back, jobs, shifts, break_from, breaks, gaps,
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
        _moved_to(place, route_jobs[v, k], v, k)
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
        _moved_to(place, route_jobs[v, k], v, k)
    route_jobs[v, length - 1] = -1
    place[x, VEHICLE] = -1
    place[x, INDEX] = -1
    state[v, LENGTH] = length - 1
    state[v, WORK] -= jobs[x, DURATION]
    for i in range(n):
        j = touched[i]
        route_starts[place[j, VEHICLE], place[j, INDEX]] = old_start[i]


push_kernel = _push
put_kernel = _put
