"""Serving again, in a round with home-care rules, what a limit across days made drop.

:func:`matchmaker.solve._limits.enforce` trims a plan until it keeps every limit; in a round
with soft windows, linked visits or the way home the greedy fill cannot take over (it does
not model them), so :func:`refill` does: the planned visits keep their starts, and each
unserved single-worker job (most valuable first) goes into a gap with the fixed-start
insertion of :mod:`matchmaker.solve._linked_insertion` (a visit that others depend on
together with them, a linked visit after the visit it follows). A placement the whole plan
does not ``accept`` (it breaks a limit) is undone and the job tried again away from the
vehicles that broke it, a few times at most. Team jobs stay unserved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import (
    InsertionState,
    Place,
    insert_group,
    linked_place,
    links,
    single_jobs,
)
from matchmaker.solve._objective import drop_penalties
from matchmaker.solve._solution import Route

__all__ = ["refill"]

_TRIES = 3
"""Placements tried per job before it is left out."""

Snapshot = tuple[
    list[list[int]], list[list[int]], list[int], dict[int, tuple[int, int]], set[int], int
]


@dataclass(kw_only=True)
class _Banned(InsertionState):
    """The insertion state with, per job, vehicles it may no longer go to."""

    banned: dict[int, set[int]] = field(default_factory=dict)

    def places(
        self,
        job: int,
        low: int = -(2**40),
        high: int = 2**40,
        *,
        allowed: npt.NDArray[np.bool_] | None = None,
        limit: int | None = None,
    ) -> list[Place]:
        shut = self.banned.get(job)
        if shut:
            allowed = np.ones(self.problem.n_vehicles, bool) if allowed is None else allowed.copy()
            allowed[list(shut)] = False
        return super().places(job, low, high, allowed=allowed, limit=limit)

    def snapshot(self) -> Snapshot:
        return (
            [list(r) for r in self.jobs],
            [list(s) for s in self.starts],
            list(self.work),
            dict(self.where),
            set(self.fixed),
            self.max_late,
        )

    def restore(self, saved: Snapshot) -> None:
        self.jobs, self.starts, self.work, self.where, self.fixed, self.max_late = saved
        self.changed()


def refill(
    problem: Problem,
    policy: Policy,
    routes: tuple[Route, ...],
    accept: Callable[[tuple[Route, ...]], bool],
) -> tuple[Route, ...]:
    """``routes`` with unserved jobs put back where ``accept`` holds (module docstring)."""
    state = _Banned.of_routes(problem, policy, Costs.of(problem, policy), routes)
    state.fixed = set(state.where)
    link_to, followers = links(problem)
    single = single_jobs(problem)
    value = drop_penalties(problem, policy)
    waiting = [j for j in np.flatnonzero(single).tolist() if j not in state.where]
    waiting.sort(key=lambda j: (-int(value[j]), int(problem.job_earliest[j]), j))
    for job in waiting:
        for _ in range(_TRIES):
            if job in state.where:
                break
            saved = state.snapshot()
            if not _place(state, job, int(link_to[job]), followers, single):
                break
            if accept(state.routes()):
                break
            added = {j: where[0] for j, where in state.where.items() if j not in saved[3]}
            state.restore(saved)
            for j, vehicle in added.items():
                state.banned.setdefault(j, set()).add(vehicle)
    return state.routes()


def _place(
    state: _Banned,
    job: int,
    leader: int,
    followers: dict[int, list[int]],
    single: npt.NDArray[np.bool_],
) -> bool:
    """Insert ``job`` (with its followers, or after the visit it follows); whether it went."""
    if leader < 0:
        insert_group(state, job, followers, single)
        return job in state.where
    if leader not in state.where:
        return False  # it comes with its leader, when that one is put back
    found = linked_place(state, job)
    if found is None or found[0].cost >= state.costs.worth[job]:
        return False
    state.put(job, found[0], found[1])
    state.fixed.add(job)
    return True
