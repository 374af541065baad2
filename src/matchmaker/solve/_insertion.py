"""Where a job can go: routes with push-forward bounds and the cheapest insertion.

The state of the greedy solver's routes and the vectorised search over every position of
every candidate vehicle, for one worker (:func:`best_single`) or a team with one common
start (:func:`best_team`); :mod:`matchmaker.solve._greedy` describes the method.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import UNLIMITED
from matchmaker.solve._objective import match_costs
from matchmaker.solve._solution import Route

__all__ = ["INFEASIBLE", "Routes", "Table", "best_single", "best_team"]

INFEASIBLE = np.int64(2**40)
"""A cost above any real insertion cost; sums of a few stay far below int64 overflow."""
_TEAM_CHUNK = 2_000_000
"""Most (start, interval) cells evaluated at once when choosing a team's start."""

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Table:
    """Every insertion position of one job into some vehicles: start bounds and cost."""

    __slots__ = ("cost", "earliest", "feasible", "latest", "vehicles")

    def __init__(
        self,
        vehicles: Int64Array,
        earliest: Int64Array,
        latest: Int64Array,
        cost: Int64Array,
        feasible: BoolArray,
    ) -> None:
        self.vehicles = vehicles  # (n,) vehicle of each row
        self.earliest = earliest  # (n, P) earliest start when inserted at position p
        self.latest = latest  # (n, P) latest start that keeps the rest of the route valid
        self.cost = cost  # (n, P) objective increase
        self.feasible = feasible  # (n, P)


class Routes:
    """Routes as padded arrays, one row per vehicle, kept in time order."""

    def __init__(self, problem: Problem, policy: Policy) -> None:
        self.problem = problem
        n_vehicles = problem.n_vehicles
        capacity = 8
        self.job = np.full((n_vehicles, capacity), -1, dtype=np.int64)
        self.start = np.zeros((n_vehicles, capacity), dtype=np.int64)
        self.end = np.zeros((n_vehicles, capacity), dtype=np.int64)
        self.latest = np.zeros((n_vehicles, capacity), dtype=np.int64)
        self.fixed = np.zeros((n_vehicles, capacity), dtype=bool)
        self.length = np.zeros(n_vehicles, dtype=np.int64)
        self.work = np.zeros(n_vehicles, dtype=np.int64)
        self.max_length = 0

        self.travel = problem.travel_job_job
        self.home = problem.travel_home_job
        self.mode = problem.vehicle_mode.astype(np.int64)
        self.shift_start = problem.vehicle_start.astype(np.int64)
        self.shift_end = problem.vehicle_end.astype(np.int64)
        self.duration = problem.job_duration.astype(np.int64)
        self.job_latest = problem.job_latest.astype(np.int64)
        self.worker = problem.vehicle_worker.astype(np.int64)
        self.match = match_costs(problem, policy)
        self.travel_cost = int(policy.travel_cost_per_minute)

    # -- evaluation ---------------------------------------------------------------------

    def table(self, job: int, vehicles: Int64Array) -> Table:
        """Start bounds and cost of inserting ``job`` at every position of ``vehicles``."""
        problem = self.problem
        width = self.max_length + 1
        n = vehicles.size
        positions = np.arange(width)
        length = self.length[vehicles]
        has_next = positions[None, :] < length[:, None]
        valid = positions[None, :] <= length[:, None]

        following = self.job[vehicles, :width]
        before = np.empty_like(following)
        before[:, 0] = 0
        before[:, 1:] = np.maximum(following[:, :-1], 0)
        following = np.maximum(following, 0)
        before_end = np.empty((n, width), dtype=np.int64)
        before_end[:, 0] = self.shift_start[vehicles]
        before_end[:, 1:] = self.end[vehicles, : width - 1]

        mode = self.mode[vehicles][:, None]
        travel_in = self.travel[mode, before, job].astype(np.int64)
        travel_in[:, 0] = self.home[vehicles, job]
        travel_out = self.travel[mode, job, following].astype(np.int64)
        travel_skip = self.travel[mode, before, following].astype(np.int64)
        travel_skip[:, 0] = self.home[vehicles, following[:, 0]]

        duration = int(self.duration[job])
        earliest = np.maximum(before_end + travel_in, int(problem.job_earliest[job]))
        last = np.minimum(self.shift_end[vehicles] - duration, int(problem.job_latest[job]))
        latest = np.where(
            has_next,
            np.minimum(last[:, None], self.latest[vehicles, :width] - duration - travel_out),
            last[:, None],
        )
        feasible = valid & (earliest <= latest)
        added_travel = travel_in + np.where(has_next, travel_out - travel_skip, 0)
        cost = self.travel_cost * added_travel + self.match[self.worker[vehicles], job][:, None]
        return Table(vehicles, earliest, latest, cost, feasible)

    def candidates(self, job: int, eligible_row: BoolArray) -> Int64Array:
        """Vehicles allowed to serve ``job`` that still have room for it."""
        room = (self.length < self.problem.vehicle_max_jobs) & (
            self.work + self.duration[job] <= self.problem.vehicle_max_work
        )
        return np.flatnonzero(eligible_row & room).astype(np.int64)

    # -- updates ------------------------------------------------------------------------

    def _grow(self) -> None:
        extra = self.job.shape[1]
        self.job = np.pad(self.job, ((0, 0), (0, extra)), constant_values=-1)
        self.start = np.pad(self.start, ((0, 0), (0, extra)))
        self.end = np.pad(self.end, ((0, 0), (0, extra)))
        self.latest = np.pad(self.latest, ((0, 0), (0, extra)))
        self.fixed = np.pad(self.fixed, ((0, 0), (0, extra)))

    def insert(self, vehicle: int, position: int, job: int, start: int, *, fixed: bool) -> None:
        """Put ``job`` at ``position`` of ``vehicle`` starting at ``start``; push later jobs.

        The caller has checked feasibility (or is placing a pin as it is).
        """
        length = int(self.length[vehicle])
        if length + 2 > self.job.shape[1]:
            self._grow()
        row = slice(position + 1, length + 1)
        old = slice(position, length)
        for array in (self.job, self.start, self.end, self.latest, self.fixed):
            array[vehicle, row] = array[vehicle, old].copy()
        self.job[vehicle, position] = job
        self.start[vehicle, position] = start
        self.end[vehicle, position] = start + self.duration[job]
        self.fixed[vehicle, position] = fixed
        length += 1
        self.length[vehicle] = length
        self.work[vehicle] += self.duration[job]
        self.max_length = max(self.max_length, length)

        mode = int(self.mode[vehicle])
        jobs, starts, ends = self.job[vehicle], self.start[vehicle], self.end[vehicle]
        # Push forward until a job no longer moves (a fixed job never has to: checked).
        for i in range(position + 1, length):
            if self.fixed[vehicle, i]:
                break
            arrival = int(ends[i - 1]) + int(self.travel[mode, jobs[i - 1], jobs[i]])
            if arrival <= starts[i]:
                break
            starts[i] = arrival
            ends[i] = arrival + self.duration[jobs[i]]
        # Latest starts change only at and before the new job.
        latest = self.latest[vehicle]
        for i in range(position, -1, -1):
            if self.fixed[vehicle, i]:
                latest[i] = starts[i]
                continue
            bound = min(
                int(self.job_latest[jobs[i]]),
                int(self.shift_end[vehicle] - self.duration[jobs[i]]),
            )
            if i + 1 < length:
                travel = int(self.travel[mode, jobs[i], jobs[i + 1]])
                bound = min(bound, int(latest[i + 1]) - int(self.duration[jobs[i]]) - travel)
            latest[i] = bound

    def routes(self) -> tuple[Route, ...]:
        """The non-empty routes, jobs in time order."""
        out = []
        for vehicle in np.flatnonzero(self.length).tolist():
            length = int(self.length[vehicle])
            out.append(
                Route(
                    vehicle=vehicle,
                    jobs=tuple(self.job[vehicle, :length].tolist()),
                    starts=tuple(self.start[vehicle, :length].tolist()),
                )
            )
        return tuple(out)


def best_single(
    table: Table, fixed_start: int | None, worth: int = UNLIMITED
) -> tuple[int, int, int] | None:
    """The cheapest feasible ``(vehicle, position, start)``, earlier start on ties; ``None``
    when none is feasible or the cheapest costs ``worth`` or more."""
    feasible = table.feasible
    if fixed_start is not None:
        feasible = feasible & (table.earliest <= fixed_start) & (fixed_start <= table.latest)
    if not feasible.any():
        return None
    start = table.earliest if fixed_start is None else np.full_like(table.earliest, fixed_start)
    offset = start - int(start[feasible].min())
    span = int(offset[feasible].max()) + 1
    key = np.where(feasible, table.cost * span + offset, np.iinfo(np.int64).max)
    row, position = np.unravel_index(int(np.argmin(key)), key.shape)
    if table.cost[row, position] >= worth:
        return None
    return int(table.vehicles[row]), int(position), int(start[row, position])


def best_team(
    table: Table,
    workers: Int64Array,
    size: int,
    fixed_start: int | None,
    earliest_first: bool = False,
    worth: int = UNLIMITED,
) -> tuple[int, list[tuple[int, int]]] | None:
    """A common start and ``size`` (vehicle, position) on distinct workers, or ``None``
    (also when the least total cost is ``worth`` or more).

    Least total cost wins (the earlier start on ties); with ``earliest_first`` the earliest
    start wins (placing a pin). ``workers`` gives the worker of each table row.
    """
    rows, positions = np.nonzero(table.feasible)
    low = table.earliest[rows, positions]
    high = table.latest[rows, positions]
    cost = table.cost[rows, positions]
    member = workers[rows]
    if fixed_start is not None:
        keep = (low <= fixed_start) & (fixed_start <= high)
        rows, positions, low, high, cost, member = (
            a[keep] for a in (rows, positions, low, high, cost, member)
        )
        starts = np.array([fixed_start], dtype=np.int64)
    else:
        starts = np.unique(low)
    if np.unique(member).size < size:
        return None

    order = np.argsort(member, kind="stable")
    rows, positions, low, high, cost, member = (
        a[order] for a in (rows, positions, low, high, cost, member)
    )
    groups = np.flatnonzero(np.r_[True, member[1:] != member[:-1]])

    def per_worker(chunk: Int64Array) -> Int64Array:
        covers = (low[None, :] <= chunk[:, None]) & (chunk[:, None] <= high[None, :])
        best: Int64Array = np.minimum.reduceat(
            np.where(covers, cost[None, :], INFEASIBLE), groups, axis=1
        )
        return best

    best_total = INFEASIBLE
    best_start = -1
    step = max(1, _TEAM_CHUNK // max(1, low.size))
    for offset in range(0, starts.size, step):
        chunk = starts[offset : offset + step]
        by_worker = per_worker(chunk)
        if by_worker.shape[1] > size:
            by_worker = np.partition(by_worker, size - 1, axis=1)[:, :size]
        ok = by_worker.max(axis=1) < INFEASIBLE
        if not ok.any():
            continue
        if earliest_first:
            best_start = int(chunk[np.argmax(ok)])
            break
        totals = np.where(ok, by_worker.sum(axis=1), INFEASIBLE * (size + 1))
        index = int(np.argmin(totals))
        if totals[index] < best_total:
            best_total, best_start = totals[index], int(chunk[index])
    if best_start < 0 or (not earliest_first and best_total >= worth):
        return None

    covers = (low <= best_start) & (best_start <= high)
    masked = np.where(covers, cost, INFEASIBLE)
    by_worker = np.minimum.reduceat(masked, groups)
    chosen_groups = np.argsort(by_worker, kind="stable")[:size]
    bounds = np.r_[groups, low.size]
    members = []
    for group in chosen_groups.tolist():
        lo, hi = int(bounds[group]), int(bounds[group + 1])
        pick = lo + int(np.argmin(masked[lo:hi]))
        members.append((int(table.vehicles[rows[pick]]), int(positions[pick])))
    return best_start, members
