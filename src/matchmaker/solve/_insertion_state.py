"""The plan the home-care insertion builds (:class:`InsertionState`), and where a job fits.

Each job is put at a fixed start: the earliest its place allows (on a shift with breaks,
else just after a break). The visits after it on its route are pushed later as needed.
The places a job fits and their cost (travel added, match cost, lateness and any rise of
the largest lateness) come from **the compiled scan**
(:mod:`matchmaker.solve._scan_kernel`): a push follows the links too, so that a
linked visit moves with the visits linked to it and need not be held, and a place counts
only where the breaks of every shift it changes still fit.

**The Python walk** (:meth:`InsertionState.walk_places`, with :attr:`InsertionState.arrays`
``None``) finds the places the same way with every planned linked visit held; the tests
hold the scan to it where the same visits are held."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import cached_property
from typing import Self

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._breaks import place_breaks
from matchmaker.solve._costs import Costs
from matchmaker.solve._kernel_data import RouteArrays, kernel_arrays
from matchmaker.solve._solution import Route

__all__ = ["InsertionState", "Place", "Token"]

Token = tuple[int, dict[int, list[int]], int]
"""What :meth:`InsertionState.undo` needs: the vehicle, the starts of the shifts the put
moved, the largest lateness before."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Place:
    """Where a job can go: in front of ``position`` of ``vehicle``, from ``start``."""

    vehicle: int
    position: int
    start: int
    latest: int
    cost: int


@dataclass(frozen=True, kw_only=True, slots=True)
class _Tables:
    """The problem's arrays as Python lists: the Python walk reads them item by item (built
    only when a walk runs: the full travel matrix as lists is large on a big round)."""

    travel: list[list[list[int]]]
    out: list[list[int]]
    back: list[list[int]] | None
    duration: list[int]
    latest: list[int]
    due: list[int]
    end: list[int]
    mode: list[int]


_TABLES: weakref.WeakKeyDictionary[Problem, _Tables] = weakref.WeakKeyDictionary()


def _tables(problem: Problem) -> _Tables:
    tables = _TABLES.get(problem)
    if tables is None:
        rules = problem.rules
        back = None if rules is None else rules.travel_job_home
        tables = _Tables(
            travel=problem.travel_job_job.astype(np.int64).tolist(),
            out=problem.travel_home_job.astype(np.int64).tolist(),
            back=None if back is None else back.astype(np.int64).tolist(),
            duration=problem.job_duration.astype(np.int64).tolist(),
            latest=problem.job_latest.astype(np.int64).tolist(),
            due=_dues(problem),
            end=problem.vehicle_end.astype(np.int64).tolist(),
            mode=problem.vehicle_mode.astype(np.int64).tolist(),
        )
        _TABLES[problem] = tables
    return tables


_DUES: weakref.WeakKeyDictionary[Problem, list[int]] = weakref.WeakKeyDictionary()


def _dues(problem: Problem) -> list[int]:
    """Each job's due start (-1 when none), as a list."""
    dues = _DUES.get(problem)
    if dues is None:
        rules = problem.rules
        dues = (
            rules.job_due.astype(np.int64).tolist() if rules is not None else [-1] * problem.n_jobs
        )
        _DUES[problem] = dues
    return dues


@dataclass(kw_only=True)
class InsertionState:
    """A plan being built at fixed starts (the refill of :mod:`._linked_refill` too)."""

    problem: Problem
    policy: Policy
    costs: Costs
    jobs: list[list[int]] = field(default_factory=list)
    starts: list[list[int]] = field(default_factory=list)
    work: list[int] = field(default_factory=list)
    max_late: int = 0
    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Job -> (vehicle, start)."""
    fixed: set[int] = field(default_factory=set)
    """Planned jobs whose start may not move: team and pinned visits, and those held."""
    due: list[int] = field(init=False, repr=False)
    arrays: RouteArrays | None = field(init=False, repr=False)
    """The plan as the compiled scan reads it; ``None`` only where the tests hold the scan
    to the Python walk (:meth:`walk_places`, :meth:`push` and :meth:`put` in Python)."""

    def __post_init__(self) -> None:
        self.due = _dues(self.problem)
        self.arrays = RouteArrays(self.problem.n_vehicles, self.problem.n_jobs)

    @cached_property
    def tables(self) -> _Tables:
        """The problem's arrays as lists, for the Python walk."""
        return _tables(self.problem)

    @property
    def follows_links(self) -> bool:
        """Whether a push moves the visits linked to a pushed visit (the compiled scan);
        else every planned linked visit must be held."""
        return self.arrays is not None

    def hold(self, job: int) -> None:
        """Keep the planned linked visit ``job`` at its start, where pushes do not follow
        links (with them, it moves together with its partners)."""
        if self.arrays is None:
            self.fixed.add(job)

    def changed(self, vehicle: int | None = None) -> None:
        """Tell the compiled scan that ``vehicle``'s lists (every shift's: ``None``) were
        replaced or changed other than through :meth:`put` and :meth:`undo`."""
        if self.arrays is not None:
            self.arrays.changed(vehicle)

    @classmethod
    def of_routes(
        cls, problem: Problem, policy: Policy, costs: Costs, routes: tuple[Route, ...]
    ) -> Self:
        """The state of a plan: its jobs at their starts, none of them fixed yet."""
        n_vehicles = problem.n_vehicles
        state = cls(
            problem=problem,
            policy=policy,
            costs=costs,
            jobs=[[] for _ in range(n_vehicles)],
            starts=[[] for _ in range(n_vehicles)],
            work=[0] * n_vehicles,
        )
        for route in routes:
            state.jobs[route.vehicle] = list(route.jobs)
            state.starts[route.vehicle] = list(route.starts)
            for job, start in zip(route.jobs, route.starts, strict=True):
                state.work[route.vehicle] += int(problem.job_duration[job])
                state.where[job] = (route.vehicle, start)
                state.max_late = max(state.max_late, state.late(job, start))
        return state

    def routes(self) -> tuple[Route, ...]:
        """The plan so far."""
        return tuple(
            Route(vehicle=v, jobs=tuple(jobs), starts=tuple(starts))
            for v, (jobs, starts) in enumerate(zip(self.jobs, self.starts, strict=True))
            if jobs
        )

    def travel(self, v: int, a: int | None, b: int | None) -> int:
        """Minutes from ``a`` to ``b`` in vehicle ``v`` (``None`` = home)."""
        tables = self.tables
        if a is None and b is None:
            return 0
        if a is None:
            return tables.out[v][b]  # type: ignore[index]
        if b is None:
            return 0 if tables.back is None else tables.back[v][a]
        return tables.travel[tables.mode[v]][a][b]

    def late(self, job: int, start: int) -> int:
        due = self.due[job]
        return 0 if due < 0 else max(0, start - due)

    def push(self, v: int, position: int, job: int, start: int) -> tuple[int, int, int] | None:
        """``(travel added, lateness added, largest lateness among job and the pushed)``
        of ``job`` at ``start`` in front of ``position`` of vehicle ``v``, the later jobs
        pushed as needed; ``None`` if a pushed job would leave its window or is fixed."""
        if self.arrays is not None:
            from matchmaker.solve._kernel_calls import push

            self.arrays.sync(self.jobs, self.starts, self.work, self.fixed)
            data = kernel_arrays(self.problem, self.costs, self.policy)
            return push(data, self.arrays, job, v, position, start)
        tables = self.tables
        route, starts = self.jobs[v], self.starts[v]
        prev = route[position - 1] if position > 0 else None
        nxt = route[position] if position < len(route) else None
        added = self.travel(v, prev, job) + self.travel(v, job, nxt) - self.travel(v, prev, nxt)
        late = top = self.late(job, start)
        row = tables.travel[tables.mode[v]]
        duration, latest, due, fixed = tables.duration, tables.latest, tables.due, self.fixed
        t, here = start + duration[job], job
        for k in range(position, len(route)):
            other = route[k]
            new = max(starts[k], t + row[here][other])
            if new == starts[k]:
                return added, late, top
            if other in fixed or new > latest[other]:
                return None
            if due[other] >= 0:
                late += max(0, new - due[other]) - max(0, starts[k] - due[other])
                top = max(top, new - due[other])
            t, here = new + duration[other], other
        back = 0 if tables.back is None else tables.back[v][here]
        if t + back > tables.end[v]:
            return None
        return added, late, top

    def start_with_breaks(
        self, v: int, position: int, job: int, earliest: int, latest: int
    ) -> tuple[int, tuple[int, int, int]] | None:
        """The first start from ``earliest`` (then just after each break of the shift)
        at which ``job`` fits in front of ``position`` with the shift's breaks, and what
        :meth:`push` says of it; ``None`` when none does."""
        rules = self.problem.rules
        if rules is None or not rules.has_breaks:
            outcome = self.push(v, position, job, earliest)
            return None if outcome is None else (earliest, outcome)
        tries = [earliest]
        for low, high, minutes in rules.breaks_of(v):
            tries += [
                max(earliest, low + minutes),
                earliest + minutes,
                max(earliest, high + minutes),
            ]
        for start in sorted(set(tries)):
            if start > latest:
                break
            outcome = self.push(v, position, job, start)
            if outcome is not None and self.breaks_fit(v, position, job, start):
                return start, outcome
        return None

    def breaks_fit(self, v: int, position: int, job: int, start: int) -> bool:
        """Whether the shift's breaks still fit with ``job`` at ``start`` in front of
        ``position`` (the later jobs pushed as :meth:`put` would)."""
        problem = self.problem
        route, starts = list(self.jobs[v]), list(self.starts[v])
        route.insert(position, job)
        starts.insert(position, start)
        for k in range(position + 1, len(route)):
            before = route[k - 1]
            arrive = starts[k - 1] + int(problem.job_duration[before])
            new = max(starts[k], arrive + self.travel(v, before, route[k]))
            if new == starts[k]:
                break
            starts[k] = new
        return place_breaks(problem, v, route, starts) is not None

    def places(
        self,
        job: int,
        low: int = -(2**40),
        high: int = 2**40,
        *,
        allowed: npt.NDArray[np.bool_] | None = None,
        limit: int | None = None,
    ) -> list[Place]:
        """Every place ``job`` fits with a start in ``[low, high]`` on a shift ``allowed``
        (default: any), cheapest first; the first ``limit`` of them when given."""
        if self.arrays is None:
            found = [
                place
                for place in self.walk_places(job, low, high)
                if allowed is None or allowed[place.vehicle]
            ]
            return found if limit is None else found[:limit]
        return self.scan_places(job, low, high, allowed=allowed, limit=limit)

    def scan_places(
        self,
        job: int,
        low: int = -(2**40),
        high: int = 2**40,
        *,
        allowed: npt.NDArray[np.bool_] | None = None,
        limit: int | None = None,
    ) -> list[Place]:
        """:meth:`places` by the compiled scan (:mod:`._scan_kernel`)."""
        from matchmaker.solve._kernel_calls import scan

        arrays = self.arrays
        assert arrays is not None
        arrays.sync(self.jobs, self.starts, self.work, self.fixed)
        rows = scan(
            kernel_arrays(self.problem, self.costs, self.policy),
            arrays, job, low, high, self.max_late, allowed,
        )  # fmt: skip
        if limit is not None:
            rows = rows[:limit]
        latest = min(int(self.problem.job_latest[job]), high)
        return [
            Place(vehicle=v, position=p, start=start, latest=latest, cost=cost)
            for cost, start, v, p in rows.tolist()
        ]

    def walk_places(self, job: int, low: int = -(2**40), high: int = 2**40) -> list[Place]:
        """:meth:`places` on any shift by the Python walk (see the module docstring)."""
        problem, policy = self.problem, self.policy
        found: list[Place] = []
        duration = int(problem.job_duration[job])
        tables = self.tables
        shift_start = problem.vehicle_start
        job_earliest = max(int(problem.job_earliest[job]), low)
        latest = min(int(problem.job_latest[job]), high)
        if job_earliest > latest:
            return found
        for v in np.flatnonzero(problem.eligible[:, job]).tolist():
            route, starts = self.jobs[v], self.starts[v]
            if len(route) >= int(problem.vehicle_max_jobs[v]):
                continue
            if self.work[v] + duration > int(problem.vehicle_max_work[v]):
                continue
            worker = int(problem.vehicle_worker[v])
            match = int(self.costs.match_cost[worker, job])
            row = tables.travel[tables.mode[v]]
            for p in range(len(route) + 1):
                if p == 0:
                    ready = int(shift_start[v]) + tables.out[v][job]
                else:
                    prev = route[p - 1]
                    done = starts[p - 1] + tables.duration[prev]
                    if done > latest:
                        break  # later positions free up later still
                    ready = done + row[prev][job]
                if ready > latest:
                    continue
                earliest = max(ready, job_earliest)
                found_start = self.start_with_breaks(v, p, job, earliest, latest)
                if found_start is None:
                    continue
                earliest, (added, late, top) = found_start
                cost = (
                    added * self.costs.travel_rate
                    + match
                    + late * policy.lateness_cost_per_minute
                    + max(0, top - self.max_late) * policy.max_lateness_cost_per_minute
                )
                found.append(Place(vehicle=v, position=p, start=earliest, latest=latest, cost=cost))
        found.sort(key=lambda place: (place.cost, place.start, place.vehicle))
        return found

    def put(self, job: int, place: Place, start: int) -> Token:
        """Insert ``job`` (pushing others); returns what :meth:`undo` needs."""
        v = place.vehicle
        if self.arrays is not None:
            from matchmaker.solve._kernel_calls import put

            self.arrays.sync(self.jobs, self.starts, self.work, self.fixed)
            data = kernel_arrays(self.problem, self.costs, self.policy)
            moved, top = put(data, self.arrays, job, v, place.position, start)
            token = (v, {u: self.starts[u] for u in moved}, self.max_late)
            self.jobs[v].insert(place.position, job)
            for u in moved:
                self.starts[u] = self.arrays.starts[u, : len(self.jobs[u])].tolist()
                self.where.update(zip(self.jobs[u], [(u, s) for s in self.starts[u]], strict=True))
            self.work[v] += int(self.problem.job_duration[job])
            self.max_late = max(self.max_late, top)
            return token
        token = (v, {v: list(self.starts[v])}, self.max_late)
        route, starts = self.jobs[v], self.starts[v]
        route.insert(place.position, job)
        starts.insert(place.position, start)
        self.work[v] += int(self.problem.job_duration[job])
        self.where[job] = (v, start)
        self.max_late = max(self.max_late, self.late(job, start))
        for k in range(place.position + 1, len(route)):
            before = route[k - 1]
            arrive = starts[k - 1] + int(self.problem.job_duration[before])
            new = max(starts[k], arrive + self.travel(v, before, route[k]))
            if new == starts[k]:
                break
            starts[k] = new
            self.where[route[k]] = (v, new)
            self.max_late = max(self.max_late, self.late(route[k], new))
        return token

    def undo(self, job: int, token: Token) -> None:
        """Take ``job`` out again, restoring the starts :meth:`put` pushed."""
        v, saved, max_late = token
        del self.where[job]
        self.jobs[v].remove(job)
        for u, starts in saved.items():
            self.changed(u)
            self.starts[u] = starts
            for other, start in zip(self.jobs[u], starts, strict=True):
                self.where[other] = (u, start)
        self.work[v] -= int(self.problem.job_duration[job])
        self.max_late = max_late
