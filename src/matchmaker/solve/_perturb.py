"""A kick for the home-care search: take related visits out of a plan and put them back.

The routing search of :mod:`matchmaker.solve._rules_routing` settles in the basin of the
plan it starts from (guided local search moves a linked pair one visit at a time). Besides
fresh starts it restarts from the best plan so far, shaken: :func:`shake` takes out a share
of the single-worker visits related to a random one (near it by travel and by start; a
linked visit goes with the visits it is linked to) and puts them back by the cheapest
insertion at fixed starts (:mod:`matchmaker.solve._linked_insertion`), in a random order.
The rest of the plan keeps its starts; what does not fit is left to the search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import InsertionState, insert_group, links, single_jobs
from matchmaker.solve._solution import Route

__all__ = ["groups", "related_groups", "shake", "without_groups"]


def groups(problem: Problem) -> tuple[npt.NDArray[np.int64], dict[int, list[int]]]:
    """Each job's group (the first visit of its linked chain) and each visit's followers."""
    link_to, followers = links(problem)
    head: npt.NDArray[np.int64] = np.arange(problem.n_jobs, dtype=np.int64)
    for _ in range(problem.n_jobs):  # chains are short; stop once every head is a root
        parent = np.where(link_to[head] >= 0, link_to[head], head)
        if np.array_equal(parent, head):
            break
        head = parent
    return head, followers


def related_groups(
    problem: Problem,
    routes: tuple[Route, ...],
    head: npt.NDArray[np.int64],
    movable: npt.NDArray[np.int64],
    rng: np.random.Generator,
    count: int,
) -> tuple[npt.NDArray[np.int64], tuple[Route, ...]]:
    """The groups of the ``count`` movable visits nearest a random one (by travel, and by
    start: an hour apart weighs like an hour away) and ``routes`` without them."""
    start = np.full(problem.n_jobs, -1, dtype=np.int64)
    for route in routes:
        start[list(route.jobs)] = route.starts
    pick = int(rng.choice(movable))
    mode = int(problem.vehicle_mode[0]) if problem.n_vehicles else 0
    distance = problem.travel_job_job[mode, pick, movable].astype(np.int64) + np.abs(
        start[movable] - start[pick]
    )
    chosen = movable[np.argsort(distance, kind="stable")[:count]]
    return without_groups(routes, head, chosen)


def without_groups(
    routes: tuple[Route, ...], head: npt.NDArray[np.int64], chosen: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], tuple[Route, ...]]:
    """The groups of the ``chosen`` visits and ``routes`` without them."""
    heads: npt.NDArray[np.int64] = np.unique(head[chosen])
    out = np.isin(head, heads)
    kept = tuple(
        Route(
            vehicle=r.vehicle,
            jobs=tuple(j for j in r.jobs if not out[j]),
            starts=tuple(s for j, s in zip(r.jobs, r.starts, strict=True) if not out[j]),
        )
        for r in routes
    )
    return heads, kept


def shake(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    rng: np.random.Generator,
    share: float,
) -> tuple[Route, ...]:
    """``routes`` with about ``share`` of their single-worker visits re-inserted."""
    single = single_jobs(problem)
    head, followers = groups(problem)
    planned = np.zeros(problem.n_jobs, dtype=bool)
    for route in routes:
        planned[list(route.jobs)] = True
    # A group moves only when every visit of it is a single-worker visit.
    movable_group = np.ones(problem.n_jobs, dtype=bool)
    np.logical_and.at(movable_group, head, single)
    movable = np.flatnonzero(movable_group[head] & planned)
    if movable.size == 0:
        return routes
    count = max(1, round(share * movable.size))
    heads, kept = related_groups(problem, routes, head, movable, rng, count)
    state = InsertionState.of_routes(problem, policy, costs, tuple(r for r in kept if r.jobs))
    # Linked visits and team visits keep their starts (their partners depend on them).
    state.fixed = {j for j in state.where if not single[j] or head[j] != j or j in followers}
    for job in rng.permutation(heads).tolist():
        insert_group(state, int(job), followers, single)
    return state.routes()
