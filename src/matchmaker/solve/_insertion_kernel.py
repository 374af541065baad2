"""The compiled scan of the fixed-start insertion: every place a job fits, and its cost.

:meth:`matchmaker.solve._linked_insertion.InsertionState.places` is the inner loop of the
home-care search (the first plan, ruin and recreate, the refill): for one job it walks
every eligible shift and every position, and for each the later visits it would push.
In Python that walk was about 85% of the search's time. Compiled with numba, with a
visit and its linked visit tried together in one call (:func:`pairs`), ruin and recreate
ran 2,825 iterations in 20 s on HHCRSP D2 (98 visits) against 290 before.

:func:`_scan` is the position loop of ``InsertionState.walk_places`` and :func:`_push` the
walk of ``InsertionState.push``; tests hold the scan and the walk equal on random plans.
Rounds with breaks keep the Python walk, which also fits the breaks. :class:`KernelArrays`
holds the round's arrays in the dtypes the kernel reads, once per round and objective;
:class:`RouteArrays` the plan being built.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs

__all__ = ["KernelArrays", "kernel_arrays", "scan"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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
    eligible: BoolArray
    """(J, V): the transpose of ``Problem.eligible``, a job's shifts in one row."""
    match: IntArray
    """(J, V) match cost of each shift's worker for each job."""
    rates: IntArray
    """(3,) travel, lateness and largest-lateness cost per minute."""


_ARRAYS: weakref.WeakKeyDictionary[Problem, tuple[Costs, Policy, KernelArrays]] = (
    weakref.WeakKeyDictionary()
)


def kernel_arrays(problem: Problem, costs: Costs, policy: Policy) -> KernelArrays:
    """The kernel's arrays of ``problem`` priced by ``costs`` and ``policy`` (kept for the
    last pair asked for: a search asks for the same pair thousands of times)."""
    kept = _ARRAYS.get(problem)
    if kept is not None and kept[0] is costs and kept[1] is policy:
        return kept[2]
    rules = problem.rules
    back = None if rules is None else rules.travel_job_home
    due = rules.job_due if rules is not None else np.full(problem.n_jobs, -1)
    arrays = KernelArrays(
        travel=_ints(problem.travel_job_job),
        out=_ints(problem.travel_home_job),
        back=_ints(back) if back is not None else np.zeros_like(_ints(problem.travel_home_job)),
        jobs=_ints(
            np.stack([problem.job_duration, problem.job_earliest, problem.job_latest, due], 1)
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
        eligible=np.ascontiguousarray(problem.eligible.T),
        match=_ints(costs.match_cost[problem.vehicle_worker].T),
        rates=np.array(
            [
                costs.travel_rate,
                policy.lateness_cost_per_minute,
                policy.max_lateness_cost_per_minute,
            ],
            dtype=np.int64,
        ),
    )
    _ARRAYS[problem] = (costs, policy, arrays)
    return arrays


def _ints(array: npt.NDArray[Any]) -> IntArray:
    return np.ascontiguousarray(array, dtype=np.int64)


# Columns of KernelArrays.jobs and .shifts, and of RouteArrays.state.
_DURATION, _EARLIEST, _LATEST, _DUE = 0, 1, 2, 3
_START, _END, _MODE, _MAX_JOBS, _MAX_WORK, _WORKER = 0, 1, 2, 3, 4, 5
_LENGTH, _WORK = 0, 1


@njit(cache=True, nogil=True)
def _push(
    v: int,
    p: int,
    job: int,
    start: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    fixed: BoolArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
) -> tuple[bool, int, int]:
    """``(fits, travel added, lateness added)`` of ``job`` at ``start`` in front of
    position ``p`` of shift ``v``, the later jobs pushed as needed: the walk of
    :meth:`InsertionState.push`."""
    length = state[v, _LENGTH]
    m = shifts[v, _MODE]
    prev = route_jobs[v, p - 1] if p > 0 else -1
    nxt = route_jobs[v, p] if p < length else -1
    into = out[v, job] if prev < 0 else travel[m, prev, job]
    if nxt >= 0:
        onward = travel[m, job, nxt]
        skipped = out[v, nxt] if prev < 0 else travel[m, prev, nxt]
    else:
        onward = back[v, job]
        skipped = back[v, prev] if prev >= 0 else 0
    due = jobs[job, _DUE]
    late = 0 if due < 0 else max(0, start - due)
    t = start + jobs[job, _DURATION]
    here = job
    for k in range(p, length):
        other = route_jobs[v, k]
        was = route_starts[v, k]
        new = max(was, t + travel[m, here, other])
        if new == was:
            return True, into + onward - skipped, late
        if fixed[other] or new > jobs[other, _LATEST]:
            return False, 0, 0
        due = jobs[other, _DUE]
        if due >= 0:
            late += max(0, new - due) - max(0, was - due)
        t = new + jobs[other, _DURATION]
        here = other
    if t + back[v, here] > shifts[v, _END]:
        return False, 0, 0
    return True, into + onward - skipped, late


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
    fixed: BoolArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    eligible: BoolArray,
    match: IntArray,
    rates: IntArray,
    found: IntArray,
) -> int:
    """Each place ``job`` fits with a start in ``[low, high]`` on an ``allowed`` shift, as
    rows ``(cost, start, vehicle, position)`` of ``found``; returns how many: the position
    loop of :meth:`InsertionState.walk_places` without breaks."""
    n = 0
    duration = jobs[job, _DURATION]
    job_earliest = max(jobs[job, _EARLIEST], low)
    job_latest = min(jobs[job, _LATEST], high)
    if job_earliest > job_latest:
        return 0
    due = jobs[job, _DUE]
    for v in range(state.shape[0]):
        if not eligible[job, v] or not allowed[v]:
            continue
        length = state[v, _LENGTH]
        if length >= shifts[v, _MAX_JOBS] or state[v, _WORK] + duration > shifts[v, _MAX_WORK]:
            continue
        m = shifts[v, _MODE]
        for p in range(length + 1):
            if p == 0:
                ready = shifts[v, _START] + out[v, job]
            else:
                prev = route_jobs[v, p - 1]
                done = route_starts[v, p - 1] + jobs[prev, _DURATION]
                if done > job_latest:
                    break  # later positions free up later still
                ready = done + travel[m, prev, job]
            if ready > job_latest:
                continue
            start = max(ready, job_earliest)
            fits, added, late = _push(
                v, p, job, start, route_jobs, route_starts, state, fixed,
                travel, out, back, jobs, shifts,
            )  # fmt: skip
            if not fits:
                continue
            own = 0 if due < 0 else max(0, start - due)
            rise = max(0, own - max_late)
            found[n, 0] = added * rates[0] + match[job, v] + late * rates[1] + rise * rates[2]
            found[n, 1] = start
            found[n, 2] = v
            found[n, 3] = p
            n += 1
    return n


@njit(cache=True, nogil=True)
def _put(
    v: int,
    p: int,
    job: int,
    start: int,
    max_late: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    travel: IntArray,
    jobs: IntArray,
    shifts: IntArray,
) -> int:
    """Insert ``job`` at ``start`` in front of ``p`` of shift ``v``, pushing the later jobs
    as :meth:`InsertionState.put` does; returns the largest lateness after it."""
    length = state[v, _LENGTH]
    for k in range(length, p, -1):
        route_jobs[v, k] = route_jobs[v, k - 1]
        route_starts[v, k] = route_starts[v, k - 1]
    route_jobs[v, p] = job
    route_starts[v, p] = start
    state[v, _LENGTH] = length + 1
    state[v, _WORK] += jobs[job, _DURATION]
    m = shifts[v, _MODE]
    due = jobs[job, _DUE]
    if due >= 0:
        max_late = max(max_late, start - due)
    for k in range(p + 1, length + 1):
        before = route_jobs[v, k - 1]
        arrive = route_starts[v, k - 1] + jobs[before, _DURATION]
        new = max(route_starts[v, k], arrive + travel[m, before, route_jobs[v, k]])
        if new == route_starts[v, k]:
            break
        route_starts[v, k] = new
        due = jobs[route_jobs[v, k], _DUE]
        if due >= 0:
            max_late = max(max_late, new - due)
    return max_late


@njit(cache=True, nogil=True)
def _pairs(
    head: int,
    follower: int,
    candidates: IntArray,
    link: IntArray,
    max_late: int,
    route_jobs: IntArray,
    route_starts: IntArray,
    state: IntArray,
    fixed: BoolArray,
    travel: IntArray,
    out: IntArray,
    back: IntArray,
    jobs: IntArray,
    shifts: IntArray,
    eligible: BoolArray,
    match: IntArray,
    rates: IntArray,
    found: IntArray,
    result: IntArray,
) -> None:
    """For each candidate ``(vehicle, position, start)`` of ``head``: whether ``head``
    fits there and the lateness :func:`_push` adds (columns 0-1), then with ``head`` put
    there and fixed, whether its linked ``follower`` fits within ``link`` = ``(least gap,
    largest gap or -1, worker rule)`` and its cheapest place ``(cost, start, vehicle,
    position)`` (columns 2-6). The plan is left as it was."""
    n_vehicles = state.shape[0]
    allowed = np.empty(n_vehicles, dtype=np.bool_)
    saved_jobs = np.empty(route_jobs.shape[1], dtype=np.int64)
    saved_starts = np.empty(route_jobs.shape[1], dtype=np.int64)
    for c in range(candidates.shape[0]):
        v, p, start = candidates[c, 0], candidates[c, 1], candidates[c, 2]
        fits, _, late = _push(
            v, p, head, start, route_jobs, route_starts, state, fixed,
            travel, out, back, jobs, shifts,
        )  # fmt: skip
        result[c, 0] = 1 if fits else 0
        result[c, 1] = late
        result[c, 2] = 0
        if not fits:
            continue
        length = state[v, _LENGTH]
        saved_jobs[: length + 1] = route_jobs[v, : length + 1]
        saved_starts[: length + 1] = route_starts[v, : length + 1]
        saved_work = state[v, _WORK]
        was_fixed = fixed[head]
        late_after = _put(
            v, p, head, start, max_late, route_jobs, route_starts, state, travel, jobs, shifts
        )
        fixed[head] = True
        for u in range(n_vehicles):
            same = shifts[u, _WORKER] == shifts[v, _WORKER]
            allowed[u] = same if link[2] == 1 else (not same if link[2] == 2 else True)
        high = start + link[1] if link[1] >= 0 else 2**40
        n = _scan(
            follower, start + link[0], high, late_after, allowed, route_jobs, route_starts,
            state, fixed, travel, out, back, jobs, shifts, eligible, match, rates, found,
        )  # fmt: skip
        best = -1
        for i in range(n):
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
        route_jobs[v, : length + 1] = saved_jobs[: length + 1]
        route_starts[v, : length + 1] = saved_starts[: length + 1]
        state[v, _LENGTH] = length
        state[v, _WORK] = saved_work


def scan(
    arrays: KernelArrays,
    routes: RouteArrays,
    job: int,
    low: int,
    high: int,
    max_late: int,
    allowed: BoolArray | None,
) -> IntArray:
    """The places of ``job`` (see :func:`_scan`) as rows ``(cost, start, vehicle,
    position)``, cheapest first (then earliest start, then lowest shift)."""
    found = routes.found
    n = _scan(
        job, low, high, max_late, routes.all_vehicles if allowed is None else allowed,
        routes.jobs, routes.starts, routes.state, routes.fixed, arrays.travel, arrays.out,
        arrays.back, arrays.jobs, arrays.shifts, arrays.eligible, arrays.match, arrays.rates,
        found,
    )  # fmt: skip
    rows = found[:n]
    ordered: IntArray = rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]
    return ordered


def pairs(
    arrays: KernelArrays,
    routes: RouteArrays,
    head: int,
    follower: int,
    candidates: IntArray,
    link: IntArray,
    max_late: int,
) -> IntArray:
    """Per candidate place of ``head``, what :func:`_pairs` finds."""
    result = np.empty((candidates.shape[0], 7), dtype=np.int64)
    _pairs(
        head, follower, candidates, link, max_late, routes.jobs, routes.starts, routes.state,
        routes.fixed, arrays.travel, arrays.out, arrays.back, arrays.jobs, arrays.shifts,
        arrays.eligible, arrays.match, arrays.rates, routes.found, result,
    )  # fmt: skip
    return result


class RouteArrays:
    """A plan being built, as the padded arrays :func:`scan` reads: a row per shift, its
    jobs and starts from column 0, and its length and work minutes (``state``), and the
    fixed jobs. The owner marks a
    shift :meth:`changed` when its lists change; :meth:`sync` copies those rows over."""

    def __init__(self, n_vehicles: int, n_jobs: int) -> None:
        self.width = 8
        self.jobs = np.full((n_vehicles, self.width), -1, dtype=np.int64)
        self.starts = np.zeros((n_vehicles, self.width), dtype=np.int64)
        self.state = np.zeros((n_vehicles, 2), dtype=np.int64)
        self.fixed = np.zeros(n_jobs, dtype=bool)
        self.all_vehicles = np.ones(n_vehicles, dtype=bool)
        self.found = np.zeros((n_vehicles * (self.width + 1), 4), dtype=np.int64)
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
        longest = max((len(jobs[v]) for v in self.dirty), default=0)
        if longest >= self.width:
            self._widen(max(longest + 1, 2 * self.width))
        for v in self.dirty:
            n = len(jobs[v])
            self.jobs[v, :n] = jobs[v]
            self.starts[v, :n] = starts[v]
            self.state[v, _LENGTH] = n
            self.state[v, _WORK] = work[v]
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
