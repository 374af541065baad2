"""Ruin and recreate for a round with home-care rules, the main loop of that search.

Guided local search (:mod:`matchmaker.solve._routing_search`) moves a linked pair one visit
at a time, so it settles in the basin of the plan it starts from, and on the HHCRSP rounds
the outcome hung on which restart was lucky. This loop moves whole groups instead:

1. **Ruin**: take out a few related visits (near a random visit by travel and by start, see
   :func:`matchmaker.solve._care_ruin.related_groups`), between :data:`MIN_REMOVED` and a
   :data:`MAX_SHARE` of the movable visits; a linked visit leaves with the visits it is
   linked to. Team and pinned visits stay.
2. **Compact**: every visit left that may move starts as early as its route, its window
   and its links allow (:func:`compact`), so the gaps the ruin opened are usable and the
   lateness of the visits after them falls.
3. **Recreate**: the removed groups go back by the cheapest insertion at fixed starts
   (:mod:`matchmaker.solve._linked_insertion`), in a random order or latest-due first.
4. **Accept** by record-to-record travel: the new plan is kept when it costs less than the
   best plan so far plus a threshold that falls linearly from :data:`START_THRESHOLD` of the
   best cost to zero over the time given; else the plan before the ruin comes back.

Every plan it holds is valid by construction (the insertion keeps windows, shifts, links and
capacities); a group that fits nowhere stays out, which the documented objective prices
with its drop penalty, so such a plan is never accepted over one that serves it. With
breaks the compaction is skipped (the insertion already keeps the breaks' room).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._care_ruin import groups, related_groups, without_groups
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import InsertionState, insert_group, links, single_jobs
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._solution import Route

__all__ = ["MEET_AT", "CareLnsStats", "Meeting", "compact", "ruin_and_recreate"]

MIN_REMOVED = 3
MAX_SHARE = 0.3
"""A ruin takes out between :data:`MIN_REMOVED` visits and this share of the movable ones."""
PARTNER_TRIES = 8
"""Places of a visit tried before its linked visit is placed after each (the first plan
tries more; a ruin is repeated often enough to make up for it)."""
RUIN_WEIGHTS = (0.5, 0.2, 0.3)
"""How often each removal is drawn: related, random, worst (detour plus lateness)."""
START_THRESHOLD = 0.02
"""Record-to-record threshold at the start, as a share of the best cost."""
MEET_AT: tuple[float, ...] = (0.5, 0.85)
"""Shares of the time given at which a loop in several processes meets the others
(:mod:`matchmaker.solve._care_processes`)."""

Meeting = Callable[[tuple[Route, ...], int], tuple[Route, ...] | None]
"""At a meeting point: the best plan and its cost in, the plan to go on from (or ``None``)
out."""


@dataclass(kw_only=True)
class CareLnsStats:
    """How the loop went."""

    iterations: int = 0
    accepted: int = 0
    improved: int = 0
    processes: int = 1
    """Processes that ran the loop to the end (:mod:`matchmaker.solve._care_processes`)."""


def ruin_and_recreate(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    rng: np.random.Generator,
    seconds: float,
    *,
    max_iterations: int | None = None,
    stop: threading.Event | None = None,
    on_best: Callable[[tuple[Route, ...], int], None] | None = None,
    meet: Meeting | None = None,
) -> tuple[tuple[Route, ...], CareLnsStats]:
    """The best plan the loop finds from ``routes`` in ``seconds`` (module docstring);
    ``on_best`` hears of each new best plan and its cost; ``meet``, when given, is called
    at the points :data:`MEET_AT`, and the loop goes on from the plan it returns when that
    is better than its own best."""
    began = time.perf_counter()
    stats = CareLnsStats()
    single = single_jobs(problem)
    head, followers = groups(problem)
    current = compact(problem, routes)
    current_cost = objective_terms(problem, current, policy).total
    best, best_cost = current, current_cost
    if objective_terms(problem, routes, policy).total < best_cost:
        best, best_cost = routes, objective_terms(problem, routes, policy).total
    points = list(MEET_AT)
    while True:
        elapsed = time.perf_counter() - began
        done = max_iterations is not None and stats.iterations >= max_iterations
        if done or elapsed >= seconds or (stop is not None and stop.is_set()):
            break
        if meet is not None and points and elapsed >= points[0] * seconds:
            points.pop(0)
            found = meet(best, best_cost)
            if found is not None:
                found_cost = objective_terms(problem, found, policy).total
                if found_cost < best_cost:
                    best, best_cost = found, found_cost
            current, current_cost = best, best_cost
            continue
        stats.iterations += 1
        movable = _movable(problem, current, head, single)
        if movable.size == 0:
            break
        high = max(MIN_REMOVED, round(MAX_SHARE * movable.size))
        count = int(rng.integers(min(MIN_REMOVED, movable.size), min(high, movable.size) + 1))
        heads, kept = _ruin(problem, current, head, movable, rng, count)
        kept = compact(problem, kept)
        state = InsertionState.of_routes(problem, policy, costs, tuple(r for r in kept if r.jobs))
        state.fixed = {j for j in state.where if not single[j]}
        if not state.follows_links:
            state.fixed |= {j for j in state.where if head[j] != j or j in followers}
        order = rng.permutation(heads)
        if rng.random() < 0.3:
            due = _soft_end(problem)
            order = heads[np.argsort(due[heads], kind="stable")]
        for job in order.tolist():
            insert_group(state, int(job), followers, single, tries=PARTNER_TRIES)
        candidate = state.routes()
        cost = objective_terms(problem, candidate, policy).total
        threshold = START_THRESHOLD * best_cost * max(0.0, 1.0 - elapsed / max(seconds, 1e-9))
        if cost < best_cost:
            best, best_cost = candidate, cost
            stats.improved += 1
            if on_best is not None:
                on_best(best, best_cost)
        if cost < current_cost or cost <= best_cost + threshold:
            current, current_cost = candidate, cost
            stats.accepted += 1
    return best, stats


def _ruin(
    problem: Problem,
    routes: tuple[Route, ...],
    head: npt.NDArray[np.int64],
    movable: npt.NDArray[np.int64],
    rng: np.random.Generator,
    count: int,
) -> tuple[npt.NDArray[np.int64], tuple[Route, ...]]:
    """One of the removals, drawn by :data:`RUIN_WEIGHTS`."""
    kind = int(rng.choice(len(RUIN_WEIGHTS), p=RUIN_WEIGHTS))
    if kind == 0:
        return related_groups(problem, routes, head, movable, rng, count)
    if kind == 1:
        return without_groups(routes, head, rng.choice(movable, size=count, replace=False))
    worst = _worst(problem, routes)[movable]
    # Randomised worst removal (Ropke & Pisinger): rank r drawn with weight y ** 3.
    order = movable[np.argsort(-worst, kind="stable")]
    picks = np.unique((rng.random(count) ** 3 * order.size).astype(np.int64))
    return without_groups(routes, head, order[picks])


def _worst(problem: Problem, routes: tuple[Route, ...]) -> npt.NDArray[np.int64]:
    """Per planned visit, the travel saved by taking it out plus its lateness."""
    rules = problem.rules
    score = np.zeros(problem.n_jobs, dtype=np.int64)
    back = None if rules is None else rules.travel_job_home
    for route in routes:
        v = route.vehicle
        jobs = np.asarray(route.jobs, dtype=np.int64)
        matrix = problem.travel_job_job[int(problem.vehicle_mode[v])]
        leg_in = np.empty(jobs.size, dtype=np.int64)
        leg_in[0] = problem.travel_home_job[v, jobs[0]]
        leg_in[1:] = matrix[jobs[:-1], jobs[1:]]
        leg_out = np.empty(jobs.size, dtype=np.int64)
        leg_out[:-1] = leg_in[1:]
        leg_out[-1] = 0 if back is None else back[v, jobs[-1]]
        skip = np.empty(jobs.size, dtype=np.int64)
        if jobs.size > 1:
            skip[0] = problem.travel_home_job[v, jobs[1]]
            skip[1:-1] = matrix[jobs[:-2], jobs[2:]]
            skip[-1] = 0 if back is None else back[v, jobs[-2]]
        else:
            skip[0] = 0
        score[jobs] = leg_in + leg_out - skip
        if rules is not None and rules.has_due:
            due = rules.job_due[jobs].astype(np.int64)
            late = np.maximum(0, np.asarray(route.starts, dtype=np.int64) - due)
            score[jobs] += np.where(due >= 0, late, 0)
    return score


def _movable(
    problem: Problem,
    routes: tuple[Route, ...],
    head: npt.NDArray[np.int64],
    single: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    planned = np.zeros(problem.n_jobs, dtype=bool)
    for route in routes:
        planned[list(route.jobs)] = True
    movable_group = np.ones(problem.n_jobs, dtype=bool)
    np.logical_and.at(movable_group, head, single)
    movable: npt.NDArray[np.int64] = np.flatnonzero(movable_group[head] & planned)
    return movable


def _soft_end(problem: Problem) -> npt.NDArray[np.int64]:
    rules = problem.rules
    latest = problem.job_latest.astype(np.int64)
    if rules is None or not rules.has_due:
        return latest
    due = rules.job_due.astype(np.int64)
    soft: npt.NDArray[np.int64] = np.where(due >= 0, due, latest)
    return soft


def compact(problem: Problem, routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """``routes`` with each single-worker visit started as early as its route, window and
    links allow; team and pinned visits keep their starts, as does every visit when the
    round has breaks.

    Only starts fall, each against the current starts of the visits it is linked to, so the
    links keep holding after every step: a follower starts no earlier than its leader plus
    the least gap, a leader no earlier than its follower minus the largest gap (an earlier
    leader only widens the gap, an earlier follower only narrows it)."""
    rules = problem.rules
    if rules is not None and rules.has_breaks:
        return routes
    single = single_jobs(problem)
    link_to, leads = links(problem)
    start = np.full(problem.n_jobs, -1, dtype=np.int64)
    for route in routes:
        start[list(route.jobs)] = route.starts
    travel, duration = problem.travel_job_job, problem.job_duration
    for _ in range(3):
        moved = False
        for route in routes:
            v = route.vehicle
            mode = int(problem.vehicle_mode[v])
            ready, prev = int(problem.vehicle_start[v]), -1
            for job in route.jobs:
                leg = (
                    int(problem.travel_home_job[v, job])
                    if prev < 0
                    else int(travel[mode, prev, job])
                )
                low = max(ready + leg, int(problem.job_earliest[job]))
                if single[job]:
                    other = int(link_to[job])
                    if other >= 0 and rules is not None:
                        low = max(low, int(start[other]) + int(rules.link_min[job]))
                    for follower in leads.get(job, []):
                        gap = -1 if rules is None else int(rules.link_max[follower])
                        if gap >= 0:
                            low = max(low, int(start[follower]) - gap)
                    if low < start[job]:
                        start[job] = low
                        moved = True
                ready, prev = int(start[job]) + int(duration[job]), job
        if not moved:
            break
    return tuple(
        Route(vehicle=r.vehicle, jobs=r.jobs, starts=tuple(int(start[j]) for j in r.jobs))
        for r in routes
    )
