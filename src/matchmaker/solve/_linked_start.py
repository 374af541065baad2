"""A first plan for a round with home-care rules.

The pins first, on their vehicles at their starts; then the visits the pinned visits
depend on, where the pin keeps its gap and worker rule (a pin is served, so its partner
must be too); then every other visit by the cheapest insertion at fixed starts of
:mod:`matchmaker.solve._linked_insertion`, in order of priority then due (or latest)
start, each linked visit together with the visit it depends on.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import LINK_SAME, Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import (
    InsertionState,
    Place,
    follow_window,
    gap_window,
    insert_group,
    least_link_gap,
    links,
    place_followers,
    single_jobs,
    tried_starts,
    worker_ok,
)
from matchmaker.solve._solution import Route

__all__ = ["insert_all"]


def insert_all(
    problem: Problem, policy: Policy, costs: Costs, *, order: int = 0, seed: int = 0
) -> tuple[Route, ...]:
    """A valid plan of the single-worker jobs (see the module docstring).

    ``order`` 0 inserts by due (else latest) start, 1 by earliest start, 2 by the middle
    of the two, and any other value by due start with random noise of ``seed``."""
    rules = problem.rules
    state = InsertionState.of_routes(problem, policy, costs, ())
    link_to, followers = links(problem)
    due = (
        rules.job_due.astype(np.int64)
        if rules is not None and rules.has_due
        else np.full(problem.n_jobs, -1)
    )
    soft_end = np.where(due >= 0, due, problem.job_latest.astype(np.int64))
    single = single_jobs(problem)
    _place_pins(state, followers, single)
    tried = _place_leaders(state, followers, single)
    heads = [j for j in range(problem.n_jobs) if single[j] and link_to[j] < 0 and j not in tried]
    earliest = problem.job_earliest.astype(np.int64)
    if order == 1:
        key = earliest
    elif order == 2:
        key = (earliest + soft_end) // 2
    elif order == 0:
        key = soft_end
    else:
        spread = int(max(soft_end.max(initial=0) - earliest.min(initial=0), 1)) // 10
        noise = np.random.default_rng(seed).integers(0, spread + 1, problem.n_jobs)
        key = soft_end + noise
    heads.sort(key=lambda j: (-int(problem.job_priority[j]), int(key[j]), j))
    for job in heads:
        insert_group(state, job, followers, single)
    return state.routes()


def _place_pins(
    state: InsertionState, followers: dict[int, list[int]], single: npt.NDArray[np.bool_]
) -> None:
    """Pinned jobs first, on their vehicles: those with a pinned start at it, in time
    order; then the others, leaders before the pinned visits that follow them, else in
    order of earliest start, at the earliest start every pinned
    member can make after the pins before them (as the greedy places pins, which the
    loader's check of the pins runs). They never move afterwards."""
    problem = state.problem
    pinned_jobs = np.flatnonzero(problem.pinned.any(axis=0)).tolist()
    timed = sorted(
        (j for j in pinned_jobs if problem.job_pinned_start[j] >= 0),
        key=lambda j: (int(problem.job_pinned_start[j]), j),
    )
    # A pinned leader goes before the pinned visits that follow it: placed first by an
    # earlier window, a follower could take a start its leader's window cannot keep.
    untimed = sorted(
        (j for j in pinned_jobs if problem.job_pinned_start[j] < 0),
        key=lambda j: (_pinned_leaders(problem, j), int(problem.job_earliest[j]), j),
    )
    for job in [*timed, *untimed]:
        vehicles = np.flatnonzero(problem.pinned[:, job]).tolist()
        start = int(problem.job_pinned_start[job])
        if start < 0:
            start = _earliest_common_start(state, job, vehicles, followers, single)
        for v in vehicles:
            position = sum(1 for s in state.starts[v] if s <= start)
            state.put(
                job, Place(vehicle=v, position=position, start=start, latest=start, cost=0), start
            )
            state.where[job] = (v, start)
        state.fixed.add(job)


def _earliest_common_start(
    state: InsertionState,
    job: int,
    vehicles: list[int],
    followers: dict[int, list[int]],
    single: npt.NDArray[np.bool_],
) -> int:
    """The earliest start at which ``job`` fits on each of ``vehicles`` (its pinned
    shifts) and the visits it depends on still fit before it; the earliest at which it
    fits when they fit at none; after the last visit of each shift when it fits at none
    (the loader refuses pins that leave none, so that is for a solve called without that
    check)."""
    problem = state.problem
    allowed = np.zeros(problem.n_vehicles, dtype=np.bool_)
    allowed[vehicles] = True
    low, high = _link_window(state, job, followers)
    chain_low, chain_high = _chain_window(state, job, single)
    # The starts the chain of leaders allows come first; the bare window is the fallback.
    windows = ((max(low, chain_low), min(high, chain_high)), (low, high))
    starts = {
        start
        for window_low, window_high in windows
        for place in state.places(job, window_low, window_high, allowed=allowed)
        for start in tried_starts(place)
    }
    first_fit = None
    for start in sorted(starts, key=lambda s: (not chain_low <= s <= chain_high, s)):
        if not all(state.places(job, start, start, allowed=_only(problem, v)) for v in vehicles):
            continue
        if len(vehicles) > 1 or _leaders_fit(state, job, vehicles[0], start, single):
            return start
        first_fit = start if first_fit is None else first_fit
    if first_fit is not None:
        return first_fit
    start = int(problem.job_earliest[job])
    for v in vehicles:
        if state.jobs[v]:
            last = state.jobs[v][-1]
            ready = state.starts[v][-1] + int(problem.job_duration[last])
            start = max(start, ready + state.travel(v, last, job))
        else:
            start = max(start, int(problem.vehicle_start[v]) + int(problem.travel_home_job[v, job]))
    return start


def _unplaced_leaders(state: InsertionState, job: int, single: npt.NDArray[np.bool_]) -> list[int]:
    """The visits ``job`` depends on, however indirectly, up to the first that is planned
    or that the insertion does not place (pinned or a team), nearest first."""
    rules = state.problem.rules
    chain: list[int] = []
    if rules is None:
        return chain
    leader = int(rules.link_to[job])
    while leader >= 0 and leader not in state.where and single[leader] and leader not in chain:
        chain.append(leader)
        leader = int(rules.link_to[leader])
    return chain


def _chain_window(
    state: InsertionState, job: int, single: npt.NDArray[np.bool_]
) -> tuple[int, int]:
    """The starts of ``job`` from which the unplanned visits it depends on could keep their
    gaps inside their windows (each start range carried down the chain; the least travel
    between two visits one worker serves)."""
    problem = state.problem
    rules = problem.rules
    chain = _unplaced_leaders(state, job, single)
    if rules is None or not chain:
        return -(2**40), 2**40
    top = chain[-1]
    window = int(problem.job_earliest[top]), int(problem.job_latest[top])
    for leader, follower in zip(chain[::-1], [*chain[-2::-1], job], strict=True):
        same = int(rules.link_worker[follower]) == LINK_SAME
        least = least_link_gap(problem, leader, follower, int(rules.link_min[follower]), same)
        most = int(rules.link_max[follower])
        own = int(problem.job_earliest[follower]), int(problem.job_latest[follower])
        window = follow_window(window, own, least, most if most >= 0 else None)
    return window


def _leaders_fit(
    state: InsertionState, job: int, vehicle: int, start: int, single: npt.NDArray[np.bool_]
) -> bool:
    """Whether, with ``job`` pinned at ``start`` on ``vehicle``, each unplanned visit it
    depends on fits where its follower keeps its gap and worker rule (as
    :func:`_place_leaders` then places them); the state is left as it was."""
    chain = _unplaced_leaders(state, job, single)
    if not chain:
        return True
    position = sum(1 for s in state.starts[vehicle] if s <= start)
    place = Place(vehicle=vehicle, position=position, start=start, latest=start, cost=0)
    undo = [(job, state.put(job, place, start))]
    held = [job]
    state.fixed.add(job)
    follower = job
    for leader in chain:
        found = _leading_place(state, follower)
        if found is None:
            break
        undo.append((leader, state.put(leader, found[0], found[1])))
        if leader not in state.fixed:
            state.fixed.add(leader)
            held.append(leader)
        follower = leader
    fits = len(undo) == len(chain) + 1
    for placed, token in reversed(undo):
        state.undo(placed, token)
    state.fixed.difference_update(held)
    return fits


def _link_window(
    state: InsertionState, job: int, followers: dict[int, list[int]]
) -> tuple[int, int]:
    """The starts of ``job`` that keep the gaps of its links to visits already placed,
    and to pinned visits that follow it, placed or not (a pin is served)."""
    problem = state.problem
    rules = problem.rules
    low, high = -(2**40), 2**40
    if rules is None:
        return low, high
    leader = int(rules.link_to[job])
    if leader >= 0 and leader in state.where:
        low, high = gap_window(rules, job, state.where[leader][1])
    for follower in followers.get(job, []):
        if follower in state.where:
            first = last = state.where[follower][1]
        elif problem.pinned[:, follower].any():
            first, last = int(problem.job_earliest[follower]), int(problem.job_latest[follower])
        else:
            continue
        # The follower's gap window, seen from its own starts, bounds this leader's.
        earliest, latest = gap_window(rules, follower, 0)
        low, high = max(low, first - latest), min(high, last - earliest)
    return low, high


def _pinned_leaders(problem: Problem, job: int) -> int:
    """How many pinned visits ``job`` depends on, however indirectly, up to the first
    visit in its chain that is not pinned."""
    rules = problem.rules
    count = 0
    if rules is None:
        return count
    leader = int(rules.link_to[job])
    while leader >= 0 and problem.pinned[:, leader].any() and count < problem.n_jobs:
        count += 1
        leader = int(rules.link_to[leader])
    return count


def _only(problem: Problem, vehicle: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros(problem.n_vehicles, dtype=np.bool_)
    mask[vehicle] = True
    return mask


def _place_leaders(
    state: InsertionState, followers: dict[int, list[int]], single: npt.NDArray[np.bool_]
) -> set[int]:
    """The visits that pinned visits depend on (however indirectly), placed right after the
    pins where the pinned visit keeps its gap and worker rule, then their other linked
    visits (and theirs); returns the visits tried, placed or not. A pin is served, so the visit it
    depends on must be too: left to the general order, it would be placed without regard
    to the pin, or not at all."""
    problem = state.problem
    rules = problem.rules
    tried: set[int] = set()
    if rules is None:
        return tried
    queue = [
        j for j in np.flatnonzero(problem.pinned.any(axis=0)).tolist() if rules.link_to[j] >= 0
    ]
    while queue:
        job = queue.pop(0)
        leader = int(rules.link_to[job])
        if leader < 0 or leader in tried or leader in state.where or not single[leader]:
            continue
        tried.add(leader)
        found = _leading_place(state, job)
        if found is None:
            continue
        state.put(leader, found[0], found[1])
        state.hold(leader)
        queue.append(leader)
        place_followers(state, leader, followers, single)
    return tried


def _leading_place(state: InsertionState, follower: int) -> tuple[Place, int] | None:
    """The cheapest place of the visit a planned ``follower`` depends on, from which the
    follower keeps its gap and worker rule."""
    problem = state.problem
    rules = problem.rules
    assert rules is not None
    leader = int(rules.link_to[follower])
    v_follower, s_follower = state.where[follower]
    gap_max = int(rules.link_max[follower])
    low = s_follower - gap_max if gap_max >= 0 else -(2**40)
    high = s_follower - int(rules.link_min[follower])
    allowed = worker_ok(problem, int(rules.link_worker[follower]), v_follower)
    found = state.places(leader, low, high, allowed=allowed, limit=1)
    return (found[0], found[0].start) if found else None
