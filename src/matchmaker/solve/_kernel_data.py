"""The arrays the compiled insertion (:mod:`matchmaker.solve._insertion_kernel`) reads.

:class:`KernelArrays` holds a round's data in the dtypes and layout the kernel reads, built
once per round and objective; :class:`RouteArrays` the plan being built, as padded rows
copied from the insertion's lists when they change, with the kernel's scratch space. Kept
apart from the kernel so that building them does not import numba.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs

__all__ = ["KernelArrays", "RouteArrays", "kernel_arrays"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Columns of KernelArrays.jobs, .shifts and .links, and of RouteArrays.state and .place.
DURATION, EARLIEST, LATEST, DUE = 0, 1, 2, 3
START, END, MODE, MAX_JOBS, MAX_WORK, WORKER = 0, 1, 2, 3, 4, 5
LINK_TO, LINK_MIN, LINK_MAX, LINK_WORKER = 0, 1, 2, 3
LENGTH, WORK = 0, 1
VEHICLE, INDEX = 0, 1


@dataclass(frozen=True, kw_only=True, eq=False)
class KernelArrays:
    """A round's arrays as the kernel reads them (int64, C order)."""

    travel: IntArray
    """(M, J, J) minutes between jobs by travel mode."""
    out: IntArray
    """(V, J) minutes from each shift's home to each job."""
    back: IntArray
    """(V, J) minutes from each job back home (zeros when the way home is not planned)."""
    jobs: IntArray
    """(J, 4) per job: duration, earliest start, latest start, due start (-1 = none)."""
    shifts: IntArray
    """(V, 6) per shift: start, end, travel mode, most jobs, most work minutes, worker."""
    links: IntArray
    """(J, 4) per job: the job it depends on (-1 = none), least gap, largest gap (-1 =
    none), worker rule."""
    follow_from: IntArray
    """(J + 1,) where each job's followers start in :attr:`followers`."""
    followers: IntArray
    """The jobs that depend on each job, job by job."""
    eligible: BoolArray
    """(J, V): the transpose of ``Problem.eligible``, a job's shifts in one row."""
    match: IntArray
    """(J, V) match cost of each shift's worker for each job."""
    rates: IntArray
    """(3,) travel, lateness and largest-lateness cost per minute."""
    break_from: IntArray
    """(V + 1,) where each shift's breaks start in :attr:`breaks`."""
    breaks: IntArray
    """(B, 3) earliest start, latest start and minutes of each break a shift needs when it
    works, shift by shift, each shift's by latest then earliest start (the order
    ``solve._breaks.breaks_in_gaps`` places them in)."""


_ARRAYS: weakref.WeakKeyDictionary[Problem, tuple[Costs, Policy, KernelArrays]] = (
    weakref.WeakKeyDictionary()
)


def kernel_arrays(problem: Problem, costs: Costs, policy: Policy) -> KernelArrays:
    """The kernel's arrays of ``problem`` priced by ``costs`` and ``policy`` (kept for the
    last pair asked for: a search asks for the same pair thousands of times)."""
    kept = _ARRAYS.get(problem)
    if kept is not None and kept[0] is costs and kept[1] is policy:
        return kept[2]
    n = problem.n_jobs
    rules = problem.rules
    back = None if rules is None else rules.travel_job_home
    if rules is None:
        links = np.stack([np.full(n, -1), np.zeros(n), np.full(n, -1), np.zeros(n)], 1)
    else:
        links = np.stack([rules.link_to, rules.link_min, rules.link_max, rules.link_worker], 1)
    break_from, breaks = _breaks(problem)
    leader = links[:, LINK_TO].astype(np.int64)
    order = np.argsort(leader, kind="stable")
    order = order[leader[order] >= 0]
    counts = np.bincount(leader[order], minlength=n)
    arrays = KernelArrays(
        travel=_ints(problem.travel_job_job),
        out=_ints(problem.travel_home_job),
        back=_ints(back) if back is not None else np.zeros_like(_ints(problem.travel_home_job)),
        jobs=_ints(
            np.stack(
                [
                    problem.job_duration,
                    problem.job_earliest,
                    problem.job_latest,
                    rules.job_due if rules is not None else np.full(n, -1),
                ],
                1,
            )
        ),
        shifts=_ints(
            np.stack(
                [
                    problem.vehicle_start,
                    problem.vehicle_end,
                    problem.vehicle_mode,
                    problem.vehicle_max_jobs,
                    problem.vehicle_max_work,
                    problem.vehicle_worker,
                ],
                1,
            )
        ),
        links=_ints(links),
        follow_from=_ints(np.concatenate([[0], np.cumsum(counts)])),
        followers=_ints(order),
        eligible=np.ascontiguousarray(problem.eligible.T),
        match=_ints(costs.match_cost[problem.vehicle_worker].T),
        rates=_ints(
            [
                costs.travel_rate,
                policy.lateness_cost_per_minute,
                policy.max_lateness_cost_per_minute,
            ]
        ),
        break_from=break_from,
        breaks=breaks,
    )
    _ARRAYS[problem] = (costs, policy, arrays)
    return arrays


def _breaks(problem: Problem) -> tuple[IntArray, IntArray]:
    rules = problem.rules
    if rules is None or not rules.has_breaks:
        return np.zeros(problem.n_vehicles + 1, dtype=np.int64), np.zeros((0, 3), dtype=np.int64)
    vehicle = rules.break_vehicle.astype(np.int64)
    order = np.lexsort((rules.break_earliest, rules.break_latest, vehicle))
    counts = np.bincount(vehicle, minlength=problem.n_vehicles)
    rows = np.stack([rules.break_earliest, rules.break_latest, rules.break_minutes], 1)
    return _ints(np.concatenate([[0], np.cumsum(counts)])), _ints(rows[order])


def _ints(array: npt.ArrayLike | npt.NDArray[Any]) -> IntArray:
    return np.ascontiguousarray(array, dtype=np.int64)


class RouteArrays:
    """A plan being built, as the padded arrays the kernel reads: a row per shift with its
    jobs and starts from column 0; per shift its length and work minutes (``state``); per
    job its place ``(vehicle, index)`` (``-1`` when unplanned) and whether it is fixed. The
    owner marks a shift :meth:`changed` when its lists change; :meth:`sync` copies those
    rows over. ``new_start``, ``touched``, ``old_start``, ``stack`` and ``gaps`` are the
    kernel's scratch space (``new_start`` is ``-1`` between calls)."""

    def __init__(self, n_vehicles: int, n_jobs: int) -> None:
        self.width = 8
        self.jobs = np.full((n_vehicles, self.width), -1, dtype=np.int64)
        self.starts = np.zeros((n_vehicles, self.width), dtype=np.int64)
        self.state = np.zeros((n_vehicles, 2), dtype=np.int64)
        self.place = np.full((n_jobs, 2), -1, dtype=np.int64)
        self.fixed = np.zeros(n_jobs, dtype=bool)
        self.all_vehicles = np.ones(n_vehicles, dtype=bool)
        self.found = np.zeros((n_vehicles * (self.width + 1), 4), dtype=np.int64)
        self.new_start = np.full(n_jobs, -1, dtype=np.int64)
        self.touched = np.zeros(n_jobs, dtype=np.int64)
        self.old_start = np.zeros(n_jobs, dtype=np.int64)
        self.stack = np.zeros((4 * n_jobs + 16, 2), dtype=np.int64)
        self.gaps = np.zeros((self.width + 2, 5), dtype=np.int64)
        self.dirty: set[int] = set(range(n_vehicles))

    def changed(self, vehicle: int | None = None) -> None:
        """Mark ``vehicle`` (every shift when ``None``) as changed."""
        if vehicle is None:
            self.dirty.update(range(self.state.shape[0]))
        else:
            self.dirty.add(vehicle)

    def sync(
        self, jobs: list[list[int]], starts: list[list[int]], work: list[int], fixed: set[int]
    ) -> None:
        """Copy the changed shifts' lists and the fixed jobs into the arrays."""
        # The kernel lengthens rows itself (a put): the row to widen may not be dirty.
        longest = max((len(jobs[v]) for v in self.dirty), default=0)
        longest = max(longest, int(self.state[:, LENGTH].max()))
        if longest + 1 >= self.width:
            self._widen(max(longest + 2, 2 * self.width))
        for v in self.dirty:
            gone = self.jobs[v, : self.state[v, LENGTH]]
            self.place[gone[self.place[gone, VEHICLE] == v]] = -1
            n = len(jobs[v])
            self.jobs[v, :n] = jobs[v]
            self.starts[v, :n] = starts[v]
            self.state[v, LENGTH] = n
            self.state[v, WORK] = work[v]
            self.place[jobs[v], VEHICLE] = v
            self.place[jobs[v], INDEX] = np.arange(n)
        self.dirty.clear()
        self.fixed[:] = False
        if fixed:
            self.fixed[list(fixed)] = True

    def _widen(self, width: int) -> None:
        rows = self.state.shape[0]
        grown = np.full((rows, width), -1, dtype=np.int64)
        grown[:, : self.width] = self.jobs
        self.jobs = grown
        grown = np.zeros((rows, width), dtype=np.int64)
        grown[:, : self.width] = self.starts
        self.starts = grown
        self.width = width
        self.found = np.zeros((rows * (width + 1), 4), dtype=np.int64)
        self.gaps = np.zeros((width + 2, 5), dtype=np.int64)
