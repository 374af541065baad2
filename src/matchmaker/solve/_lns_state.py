"""The plan a ruin-and-recreate search works on: greedy routes that can also lose jobs.

:class:`Plan` extends the greedy's :class:`~matchmaker.solve._insertion.Routes` (padded
arrays with push-forward bounds, so an insertion is checked in constant time per
position) with what a search that undoes placements needs: loading a solution, removing
jobs (a team job from every member at once), rescheduling a route after a removal (every
job as early as it can start, team jobs and pins where they are), the cost of each route,
and snapshots to return to when a move is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs
from matchmaker.solve._insertion import Routes
from matchmaker.solve._solution import Route

__all__ = ["Plan", "Snapshot"]

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_ARRAYS = ("job", "start", "end", "latest", "fixed", "length", "work", "route_cost", "visits")


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """Copies of a :class:`Plan`'s arrays, and its cost."""

    arrays: dict[str, npt.NDArray[np.generic]]
    max_length: int
    unserved_penalty: int


class Plan(Routes):
    """Routes that jobs can be removed from and re-inserted into, with their cost."""

    def __init__(self, problem: Problem, policy: Policy, costs: Costs) -> None:
        super().__init__(problem, policy)
        self.costs = costs
        self.match = costs.match_cost
        self.rate = int(costs.travel_rate)
        # What :meth:`Routes.table` charges per added travel minute: the rate, plus the
        # price of a worker's time that a recreate may set (a guide, not the objective).
        self.travel_cost = self.rate
        self.penalty = costs.drop_penalty
        self.worth = costs.worth
        self.team = problem.job_team.astype(np.int64)
        self.pinned_job = problem.pinned.any(axis=0)
        self.pinned_start = problem.job_pinned_start.astype(np.int64)
        self.route_cost = np.zeros(problem.n_vehicles, dtype=np.int64)
        self.visits = np.zeros(problem.n_jobs, dtype=np.int64)
        self.unserved_penalty = int(self.penalty.sum())
        self.earliest = problem.job_earliest.astype(np.int64)
        self.max_jobs = problem.vehicle_max_jobs.astype(np.int64)
        self.max_work = problem.vehicle_max_work.astype(np.int64)
        self.eligible_by_job = np.ascontiguousarray(problem.eligible.T)
        self.blank = self.snapshot()

    # -- loading and reading ------------------------------------------------------------

    def load(self, routes: tuple[Route, ...]) -> None:
        """Take ``routes`` (a valid plan) as they are, then move every free job as early
        as it can start (team jobs and pinned jobs keep their minutes)."""
        longest = max((len(r.jobs) for r in routes), default=0)
        while self.job.shape[1] < longest + 2:
            self._grow()
        for route in routes:
            v, n = route.vehicle, len(route.jobs)
            if n == 0:
                continue
            jobs = np.asarray(route.jobs, dtype=np.int64)
            self.job[v, :n] = jobs
            self.start[v, :n] = route.starts
            self.end[v, :n] = np.asarray(route.starts, dtype=np.int64) + self.duration[jobs]
            fixed = (self.team[jobs] > 1) | (self.pinned_start[jobs] >= 0)
            self.fixed[v, :n] = fixed | np.asarray(self.pinned_job)[jobs]
            self.length[v] = n
            np.add.at(self.visits, jobs, 1)
        self.max_length = int(self.length.max(initial=0))
        for v in np.flatnonzero(self.length).tolist():
            self.reschedule(v)
        self.unserved_penalty = int(self.penalty[self.visits < self.team].sum())

    def reload(self, routes: tuple[Route, ...]) -> None:
        """Replace the plan by ``routes``, as :meth:`load` takes them."""
        self.restore(self.blank)
        self.load(routes)

    def objective(self) -> int:
        return int(self.route_cost.sum()) + self.unserved_penalty

    def served(self) -> BoolArray:
        served: BoolArray = self.visits >= self.team
        return served

    # -- changes --------------------------------------------------------------------------

    def remove(self, jobs: Int64Array) -> Int64Array:
        """Take ``jobs`` off every route that holds them; the vehicles touched."""
        if jobs.size == 0 or self.max_length == 0:
            return np.zeros(0, dtype=np.int64)
        # numba loads on first use, so that choosing a backend stays quick.
        from matchmaker.solve._recreate_kernel import remove_kernel

        removed = np.zeros(self.problem.n_jobs, dtype=bool)
        removed[jobs] = True
        touched = np.empty(self.problem.n_vehicles, dtype=np.int64)
        count = remove_kernel(
            removed, touched, self.job, self.start, self.end, self.latest, self.fixed,
            self.length, self.work, self.route_cost, self.duration, self.earliest,
            self.job_latest, self.shift_start, self.shift_end, self.mode, self.home,
            self.travel, self.match, self.worker, self.rate,
        )  # fmt: skip
        was_served = self.visits[jobs] >= self.team[jobs]
        self.unserved_penalty += int(self.penalty[jobs[was_served]].sum())
        self.visits[jobs] = 0
        return touched[:count]

    def insert_jobs(self, order: Int64Array, wide: BoolArray, freed: BoolArray) -> None:
        """Insert the jobs of ``order`` one at a time, each at its cheapest feasible place
        (``best_single``'s choice, or ``best_team``'s for a team job) on eligible vehicles
        with room, any such vehicle when ``wide[job]`` and else those marked in ``freed``
        (:func:`~matchmaker.solve._recreate_kernel.recreate_kernel`)."""
        from matchmaker.solve._recreate_kernel import GROW, recreate_kernel

        begin = 0
        while True:
            index, status, change = recreate_kernel(
                order, begin, wide, freed, self.travel_cost, self.job, self.start, self.end,
                self.latest, self.fixed, self.length, self.work, self.route_cost, self.visits,
                self.eligible_by_job, self.max_jobs, self.max_work, self.duration,
                self.earliest, self.job_latest, self.pinned_start, self.team, self.penalty,
                self.worth, self.shift_start, self.shift_end, self.mode, self.home, self.travel,
                self.match, self.worker, self.rate,
            )  # fmt: skip
            self.unserved_penalty += int(change)
            self.max_length = int(self.length.max(initial=0))
            if status != GROW:
                return
            self._grow()
            begin = int(index)

    def reschedule(self, vehicle: int) -> None:
        """Earliest starts of the free jobs, then latest starts, work and cost of a route."""
        from matchmaker.solve._recreate_kernel import reschedule_kernel

        reschedule_kernel(
            vehicle, self.job, self.start, self.end, self.latest, self.fixed, self.length,
            self.work, self.route_cost, self.duration, self.earliest, self.job_latest,
            self.shift_start, self.shift_end, self.mode, self.home, self.travel, self.match,
            self.worker, self.rate,
        )  # fmt: skip

    # -- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return Snapshot(
            arrays={name: getattr(self, name).copy() for name in _ARRAYS},
            max_length=self.max_length,
            unserved_penalty=self.unserved_penalty,
        )

    def restore(self, snapshot: Snapshot) -> None:
        for name, array in snapshot.arrays.items():
            setattr(self, name, array.copy())
        self.max_length = snapshot.max_length
        self.unserved_penalty = snapshot.unserved_penalty
