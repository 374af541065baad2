"""Cheapest insertion of a visit and the visits linked to it, for a round with home-care
rules.

Jobs are inserted one at a time (linked visits together with the visit they depend on),
in order of priority then due (or latest) start, each where it costs least (the places and
their costs: :mod:`matchmaker.solve._insertion_state`). A linked visit is tried after each
of the cheapest places of its partner, so that both fit their gap and their worker rule
together; then it is placed within its gap of the partner's start.

Team jobs (``workers_needed > 1``) are left to the routing search. The first plan
(:mod:`matchmaker.solve._linked_start`), ruin and recreate (:mod:`matchmaker.solve._care_lns`)
and the refill (:mod:`matchmaker.solve._linked_refill`) insert through it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import LINK_DIFFERENT, LINK_SAME, JobRules, Problem
from matchmaker.solve._insertion_state import InsertionState, Place, Token

__all__ = [
    "InsertionState",
    "Place",
    "broken_links",
    "follow_window",
    "gap_window",
    "insert_group",
    "least_link_gap",
    "linked_place",
    "links",
    "pairs_by_scan",
    "pairs_by_walk",
    "place_followers",
    "single_jobs",
    "tried_starts",
    "worker_ok",
]

_PARTNER_TRIES = 25
"""Places of a visit tried before its linked visit is placed after each."""


def worker_ok(problem: Problem, kind: int, other: int) -> npt.NDArray[np.bool_]:
    """Per shift, whether its worker may serve a visit linked by ``kind`` to a visit of
    shift ``other``."""
    same: npt.NDArray[np.bool_] = problem.vehicle_worker == problem.vehicle_worker[other]
    if kind == LINK_SAME:
        return same
    if kind == LINK_DIFFERENT:
        return ~same
    return np.ones(problem.n_vehicles, dtype=bool)


def linked_place(state: InsertionState, job: int) -> tuple[Place, int] | None:
    """The cheapest place of ``job`` given the planned visit it depends on."""
    problem = state.problem
    rules = problem.rules
    assert rules is not None
    other = int(rules.link_to[job])
    v_other, s_other = state.where[other]
    low, high = gap_window(rules, job, s_other)
    allowed = worker_ok(problem, int(rules.link_worker[job]), v_other)
    found = state.places(job, low, high, allowed=allowed, limit=1)
    return (found[0], found[0].start) if found else None


def gap_window(rules: JobRules, job: int, leader_start: int) -> tuple[int, int]:
    """The starts of linked ``job`` that keep its gap to a leader starting at
    ``leader_start``."""
    low = leader_start + int(rules.link_min[job])
    high = leader_start + int(rules.link_max[job]) if int(rules.link_max[job]) >= 0 else 2**40
    return low, high


def least_link_gap(
    problem: Problem,
    leader: int,
    follower: int,
    min_gap: int,
    one_worker: bool,
    shifts: npt.NDArray[np.bool_] | None = None,
) -> int:
    """The least minutes from ``leader``'s start to ``follower``'s: ``min_gap``, and when
    one worker serves both, the leader's duration and the shortest way between them in
    the travel modes of ``shifts`` (default: every mode)."""
    if not one_worker:
        return min_gap
    modes = problem.vehicle_mode if shifts is None else problem.vehicle_mode[shifts]
    legs = problem.travel_job_job[np.unique(modes), leader, follower]
    leg = int(legs.min()) if legs.size else 0
    return max(min_gap, int(problem.job_duration[leader]) + leg)


def follow_window(
    leader: tuple[int, int], own: tuple[int, int], least: int, most: int | None
) -> tuple[int, int]:
    """The starts in ``own`` (a range ``(low, high)``) that are ``least`` to ``most``
    minutes (no upper bound when ``None``) after some start in ``leader``; ``low > high``
    when there is none."""
    if most is not None and least > most:
        return own[1] + 1, own[1]
    low = max(own[0], leader[0] + least)
    high = own[1] if most is None else min(own[1], leader[1] + most)
    return low, high


def broken_links(
    problem: Problem, schedule: dict[int, list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """``(visit, the visit it follows)`` for each linked visit of ``schedule`` (vehicle ->
    [(job, start)]) whose leader is not in it, starts outside its gap (:func:`gap_window`)
    or has a worker its link does not allow (:func:`worker_ok`)."""
    rules = problem.rules
    if rules is None or not rules.has_links:
        return []
    where = {j: (v, s) for v, visits in schedule.items() for j, s in visits}
    broken: list[tuple[int, int]] = []
    for job in np.flatnonzero(rules.link_to >= 0).tolist():
        if job not in where:
            continue
        leader = int(rules.link_to[job])
        vehicle, start = where[job]
        if leader in where:
            leader_vehicle, leader_start = where[leader]
            low, high = gap_window(rules, job, leader_start)
            allowed = worker_ok(problem, int(rules.link_worker[job]), leader_vehicle)
            if low <= start <= high and allowed[vehicle]:
                continue
        broken.append((job, leader))
    return broken


def links(problem: Problem) -> tuple[npt.NDArray[np.int32], dict[int, list[int]]]:
    """Each job's partner (``-1`` for none) and, per visit, the visits linked to it."""
    rules = problem.rules
    link_to = rules.link_to if rules is not None else np.full(problem.n_jobs, -1, np.int32)
    followers: dict[int, list[int]] = {}
    for job in np.flatnonzero(link_to >= 0).tolist():
        followers.setdefault(int(link_to[job]), []).append(job)
    return link_to, followers


def single_jobs(problem: Problem) -> npt.NDArray[np.bool_]:
    """The jobs the insertion places: one worker, not pinned."""
    single: npt.NDArray[np.bool_] = (problem.job_team == 1) & ~problem.pinned.any(axis=0)
    return single


def insert_group(
    state: InsertionState,
    job: int,
    followers: dict[int, list[int]],
    single: npt.NDArray[np.bool_],
    *,
    tries: int = _PARTNER_TRIES,
) -> None:
    """Insert ``job`` and, after it, the visits linked to it (at the place where all fit
    most cheaply, among the ``tries`` cheapest places of ``job``); a follower that fits
    nowhere is left out. Nothing is inserted that costs its worth or more
    (``costs.worth``: ``job`` alone, or the group against the worth of all its visits)."""
    worth = state.costs.worth
    mine = [f for f in followers.get(job, []) if single[f]]
    places = state.places(job, limit=tries if mine else 1)
    if not places:
        return
    alone = places[0].cost < worth[job]
    best = None
    if mine and state.follows_links and len(mine) == 1:
        best = pairs_by_scan(state, job, mine[0], places)
    elif mine:
        best = pairs_by_walk(state, job, mine, places)
    # Python ints: the worth of an unpriced job is the int64 maximum.
    if best is None or best[0] >= sum(int(worth[j]) for j in (job, *mine)):
        if alone:
            state.put(job, places[0], places[0].start)
        return
    _, place, start = best
    state.put(job, place, start)
    state.hold(job)
    place_followers(state, job, followers, single)


def tried_starts(place: Place) -> list[int]:
    """The starts of a visit tried at ``place`` before its linked visits: the earliest,
    and a quarter and half of the way to its latest."""
    span = place.latest - place.start
    return sorted({place.start, place.start + span // 4, place.start + span // 2})


def pairs_by_walk(
    state: InsertionState, job: int, mine: list[int], places: list[Place]
) -> tuple[int, Place, int] | None:
    """The cheapest ``(total, place, start)`` of ``job`` among ``places`` at which all of
    ``mine`` fit after it, each at its cheapest place (``job`` held meanwhile)."""
    best: tuple[int, Place, int] | None = None
    for place in places:
        for start in tried_starts(place):
            pushed = state.push(place.vehicle, place.position, job, start)
            if pushed is None or not state.breaks_fit(place.vehicle, place.position, job, start):
                continue
            token = state.put(job, place, start)
            state.fixed.add(job)
            undo: list[tuple[int, Token]] = []
            total = place.cost + (pushed[1] - state.late(job, place.start))
            for follower in mine:
                found = linked_place(state, follower)
                if found is None:
                    break
                undo.append((follower, state.put(follower, found[0], found[1])))
                total += found[0].cost
            complete = len(undo) == len(mine)
            for follower, follower_token in reversed(undo):
                state.undo(follower, follower_token)
            state.undo(job, token)
            state.fixed.discard(job)
            if complete and (best is None or total < best[0]):
                best = (total, place, start)
    return best


def pairs_by_scan(
    state: InsertionState, job: int, follower: int, places: list[Place]
) -> tuple[int, Place, int] | None:
    """:func:`pairs_by_walk` for one follower, in one call of the compiled scan."""
    from matchmaker.solve._kernel_calls import pairs
    from matchmaker.solve._kernel_data import kernel_arrays

    arrays = state.arrays
    assert arrays is not None
    arrays.sync(state.jobs, state.starts, state.work, state.fixed)
    tried = [(place, start) for place in places for start in tried_starts(place)]
    candidates = np.array(
        [(place.vehicle, place.position, start) for place, start in tried], dtype=np.int64
    ).reshape(-1, 3)
    found = pairs(
        kernel_arrays(state.problem, state.costs, state.policy),
        arrays, job, follower, candidates, state.max_late,
    )  # fmt: skip
    best: tuple[int, Place, int] | None = None
    for (place, start), (fits, late, placed, cost, *_) in zip(tried, found.tolist(), strict=True):
        if fits and placed:
            total = place.cost + (late - state.late(job, place.start)) + cost
            if best is None or total < best[0]:
                best = (total, place, start)
    return best


def place_followers(
    state: InsertionState,
    job: int,
    followers: dict[int, list[int]],
    single: npt.NDArray[np.bool_],
) -> None:
    """The visits linked to the planned ``job``, and theirs in turn, each at its cheapest
    place after the visit it depends on; one already planned stays, one that fits nowhere
    is left out, and so is one whose place costs its worth or more (``costs.worth``)."""
    queue = [f for f in followers.get(job, []) if single[f]]
    while queue:
        follower = queue.pop(0)
        if follower in state.where:
            continue
        found = linked_place(state, follower)
        if found is not None and found[0].cost < state.costs.worth[follower]:
            state.put(follower, found[0], found[1])
            state.hold(follower)
            queue.extend(f for f in followers.get(follower, []) if single[f])
