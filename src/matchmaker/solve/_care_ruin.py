"""Which visits a ruin of the home-care search takes out (:mod:`matchmaker.solve._care_lns`).

A linked visit leaves together with the visits it is linked to (its group, named by the
first visit of the chain), so that the insertion can put the pair back at a new common
time; :func:`related_groups` picks visits near a random one by travel and by start,
:func:`without_groups` takes any chosen visits' groups out of a plan.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._linked_insertion import links
from matchmaker.solve._solution import Route

__all__ = ["groups", "related_groups", "without_groups"]


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
