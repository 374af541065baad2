"""Cheapest insertion at fixed starts, for a round with home-care rules.

Jobs are inserted one at a time (linked visits together with the visit they depend on),
in order of priority then due (or latest) start, each where it costs least: travel added,
match cost, lateness and any rise of the largest lateness. A planned job keeps its start;
a new job goes into a gap of a route only where it fits without moving the others, at the
earliest start the gap allows. A linked visit is tried after each of the cheapest places
of its partner, so that both fit their gap and their worker rule together.

With breaks, a place counts only where the shift's breaks still fit (at the earliest
start, else just after a break). Team jobs (``workers_needed > 1``) are left to the
routing search. The first plan (:mod:`matchmaker.solve._linked_start`) and ruin and
recreate (:mod:`matchmaker.solve._care_lns`) insert through it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import numpy as np
import numpy.typing as npt

from matchmaker.compile import LINK_DIFFERENT, LINK_SAME, Problem
from matchmaker.model import Policy
from matchmaker.solve._breaks import place_breaks
from matchmaker.solve._costs import Costs
from matchmaker.solve._solution import Route

if TYPE_CHECKING:
    from matchmaker.solve._insertion_kernel import RouteArrays

__all__ = [
    "InsertionState",
    "Place",
    "insert_group",
    "linked_place",
    "links",
    "pairs_by_scan",
    "pairs_by_walk",
    "place_followers",
    "single_jobs",
    "worker_ok",
]

_PARTNER_TRIES = 25
"""Places of a visit tried before its linked visit is placed after each."""


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
    """The problem's arrays as Python lists: the insertion reads them item by item."""

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
            due=(
                rules.job_due.astype(np.int64).tolist()
                if rules is not None
                else [-1] * problem.n_jobs
            ),
            end=problem.vehicle_end.astype(np.int64).tolist(),
            mode=problem.vehicle_mode.astype(np.int64).tolist(),
        )
        _TABLES[problem] = tables
    return tables


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
    """Planned jobs whose start may not move (linked visits and the visits they follow)."""
    tables: _Tables = field(init=False, repr=False)
    arrays: RouteArrays | None = field(init=False, repr=False)
    """The plan as the compiled scan reads it; ``None`` with breaks (the Python walk)."""

    def __post_init__(self) -> None:
        self.tables = _tables(self.problem)
        rules = self.problem.rules
        self.arrays = None
        if rules is None or not rules.has_breaks:
            # Imported here: numba takes about a second to import, which only a round
            # searched with these rules should pay.
            from matchmaker.solve._insertion_kernel import RouteArrays

            self.arrays = RouteArrays(self.problem.n_vehicles, self.problem.n_jobs)

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
        due = self.tables.due[job]
        return 0 if due < 0 else max(0, start - due)

    def push(self, v: int, position: int, job: int, start: int) -> tuple[int, int] | None:
        """``(travel added, lateness added)`` of ``job`` at ``start`` in front of
        ``position`` of vehicle ``v``, the later jobs pushed as needed; ``None`` if a
        pushed job would leave its window or is linked (linked jobs keep their start)."""
        tables = self.tables
        route, starts = self.jobs[v], self.starts[v]
        prev = route[position - 1] if position > 0 else None
        nxt = route[position] if position < len(route) else None
        added = self.travel(v, prev, job) + self.travel(v, job, nxt) - self.travel(v, prev, nxt)
        late = self.late(job, start)
        row = tables.travel[tables.mode[v]]
        duration, latest, due, fixed = tables.duration, tables.latest, tables.due, self.fixed
        t, here = start + duration[job], job
        for k in range(position, len(route)):
            other = route[k]
            new = max(starts[k], t + row[here][other])
            if new == starts[k]:
                return added, late
            if other in fixed or new > latest[other]:
                return None
            if due[other] >= 0:
                late += max(0, new - due[other]) - max(0, starts[k] - due[other])
            t, here = new + duration[other], other
        back = 0 if tables.back is None else tables.back[v][here]
        if t + back > tables.end[v]:
            return None
        return added, late

    def start_with_breaks(
        self, v: int, position: int, job: int, earliest: int, latest: int
    ) -> tuple[int, tuple[int, int]] | None:
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
        """:meth:`places` by the compiled scan (:mod:`._insertion_kernel`), no breaks."""
        from matchmaker.solve._insertion_kernel import kernel_arrays, scan

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
        """:meth:`places` on any shift by the Python walk, which fits breaks too."""
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
                earliest, outcome = found_start
                added, late = outcome
                cost = (
                    added * self.costs.travel_rate
                    + match
                    + late * policy.lateness_cost_per_minute
                    + max(0, self.late(job, earliest) - self.max_late)
                    * policy.max_lateness_cost_per_minute
                )
                found.append(Place(vehicle=v, position=p, start=earliest, latest=latest, cost=cost))
        found.sort(key=lambda place: (place.cost, place.start, place.vehicle))
        return found

    def put(self, job: int, place: Place, start: int) -> tuple[int, list[int], int]:
        """Insert ``job`` (pushing later jobs); returns what :meth:`undo` needs."""
        problem = self.problem
        v = place.vehicle
        token = (v, list(self.starts[v]), self.max_late)
        self.changed(v)
        route, starts = self.jobs[v], self.starts[v]
        route.insert(place.position, job)
        starts.insert(place.position, start)
        self.work[v] += int(problem.job_duration[job])
        self.where[job] = (v, start)
        self.max_late = max(self.max_late, self.late(job, start))
        for k in range(place.position + 1, len(route)):
            before = route[k - 1]
            arrive = starts[k - 1] + int(problem.job_duration[before])
            new = max(starts[k], arrive + self.travel(v, before, route[k]))
            if new == starts[k]:
                break
            starts[k] = new
            self.where[route[k]] = (v, new)
            self.max_late = max(self.max_late, self.late(route[k], new))
        return token

    def undo(self, job: int, token: tuple[int, list[int], int]) -> None:
        """Take ``job`` out again, restoring the starts :meth:`put` pushed."""
        v, starts, max_late = token
        self.changed(v)
        del self.where[job]
        position = self.jobs[v].index(job)
        del self.jobs[v][position]
        self.starts[v] = starts
        for other, start in zip(self.jobs[v], starts, strict=True):
            if other in self.where:
                self.where[other] = (v, start)
        self.work[v] -= int(self.problem.job_duration[job])
        self.max_late = max_late


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
    low = s_other + int(rules.link_min[job])
    high = s_other + int(rules.link_max[job]) if int(rules.link_max[job]) >= 0 else 2**40
    allowed = worker_ok(problem, int(rules.link_worker[job]), v_other)
    found = state.places(job, low, high, allowed=allowed, limit=1)
    return (found[0], found[0].start) if found else None


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
    nowhere is left out."""
    mine = [f for f in followers.get(job, []) if single[f]]
    places = state.places(job, limit=tries if mine else 1)
    if not places:
        return
    if not mine:
        state.put(job, places[0], places[0].start)
        return
    if state.arrays is not None and len(mine) == 1:
        best = pairs_by_scan(state, job, mine[0], places)
    else:
        best = pairs_by_walk(state, job, mine, places)
    if best is None:
        state.put(job, places[0], places[0].start)
        return
    _, place, start = best
    state.put(job, place, start)
    state.fixed.add(job)
    place_followers(state, job, followers, single)


def _starts(place: Place) -> list[int]:
    """The starts of ``job`` tried at ``place`` before its linked visits: the earliest,
    and a quarter and half of the way to its latest."""
    span = place.latest - place.start
    return sorted({place.start, place.start + span // 4, place.start + span // 2})


def pairs_by_walk(
    state: InsertionState, job: int, mine: list[int], places: list[Place]
) -> tuple[int, Place, int] | None:
    """The cheapest ``(total, place, start)`` of ``job`` among ``places`` at which all of
    ``mine`` fit after it, each at its cheapest place (the Python walk; breaks kept)."""
    best: tuple[int, Place, int] | None = None
    for place in places:
        for start in _starts(place):
            pushed = state.push(place.vehicle, place.position, job, start)
            if pushed is None or not state.breaks_fit(place.vehicle, place.position, job, start):
                continue
            token = state.put(job, place, start)
            state.fixed.add(job)
            undo: list[tuple[int, tuple[int, list[int], int]]] = []
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
    """:func:`pairs_by_walk` for one follower by the compiled scan (no breaks)."""
    from matchmaker.solve._insertion_kernel import kernel_arrays, pairs

    rules = state.problem.rules
    arrays = state.arrays
    assert rules is not None and arrays is not None
    arrays.sync(state.jobs, state.starts, state.work, state.fixed)
    tried = [(place, start) for place in places for start in _starts(place)]
    candidates = np.array(
        [(place.vehicle, place.position, start) for place, start in tried], dtype=np.int64
    ).reshape(-1, 3)
    link = np.array(
        [rules.link_min[follower], rules.link_max[follower], rules.link_worker[follower]],
        dtype=np.int64,
    )
    found = pairs(
        kernel_arrays(state.problem, state.costs, state.policy),
        arrays, job, follower, candidates, link, state.max_late,
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
    is left out."""
    queue = [f for f in followers.get(job, []) if single[f]]
    while queue:
        follower = queue.pop(0)
        if follower in state.where:
            continue
        found = linked_place(state, follower)
        if found is not None:
            state.put(follower, found[0], found[1])
            state.fixed.add(follower)
            queue.extend(f for f in followers.get(follower, []) if single[f])
