"""Greedy cheapest insertion: the baseline dispatcher and the warm start of ``routing``.

The solver builds routes in one pass, never undoing a placement:

1. **Pins.** Every pinned job goes on its pinned vehicles, as it is: at
   ``job_pinned_start`` when given, otherwise at the earliest minute at which every pinned
   vehicle can take it (if none can, at the earliest minute its window and shifts allow,
   even if that breaks a rule: a pin is never moved or dropped). A team job pinned to
   fewer workers than it needs is completed, at the pinned start, with the cheapest
   eligible workers if possible.
2. **Warm start** (optional). Jobs of a given solution are replayed in start order, each
   on the same vehicles at the same minute, where every hard rule still allows it. The
   time limit covers the replay too: cut short, it returns what it replayed so far
   (``timed_out``), and no job is inserted.
3. **Insertion.** The remaining jobs are taken by priority (high first), team jobs before
   single jobs of the same priority (they are harder to fit), then by difficulty (fewest
   eligible vehicles first), then in a seeded random order. Each goes where it adds least
   cost (``travel_cost_per_minute`` times the added travel, plus the member's match cost,
   as in :mod:`matchmaker.solve._objective`), ties broken by the earlier start, or stays
   unassigned if no place obeys every hard rule.

Feasibility of an insertion is checked in constant time per position with the classic
push-forward bound: each placed job keeps the latest start to which it can be pushed
without breaking anything after it (its window, the shift end, travel to and the bounds
of the next job). A job inserted at position ``p`` of a route may start anywhere in
``[max(earliest, previous end + travel in), min(latest, shift end - duration,
latest start of the next job - travel out - duration)]``; later jobs move later as needed.
Capacity (``vehicle_max_jobs``, ``vehicle_max_work``) and ``eligible`` prefilter the
candidate vehicles; all positions of all candidates are evaluated at once in numpy.

**Team jobs** need one start minute on distinct workers. For every feasible
(vehicle, position) the table gives a start interval and a cost; only the intervals' left
ends can be optimal starts, so for each of them the cheapest member per worker among the
intervals covering it is taken and the ``team`` cheapest workers summed; the least total
wins (the earlier start on ties). Once placed, a team job's start (like a pin's) is
*fixed*: later insertions never push it, so its members stay together. A worker's shifts
do not overlap, so one worker is never in two places at once across its vehicles.

The routes and the insertion search live in :mod:`matchmaker.solve._insertion`; the
objective is reported with :func:`matchmaker.solve.objective_terms`.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import insertion_worth
from matchmaker.solve._insertion import Routes, best_single, best_team
from matchmaker.solve._limits import LimitGuard
from matchmaker.solve._objective import drop_penalties, objective_terms
from matchmaker.solve._refuse import refuse_rules
from matchmaker.solve._solution import Progress, ProgressCallback, Solution, report_done

__all__ = ["solve"]

BACKEND = "greedy"
_PROGRESS_SECONDS = 0.5

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _job_order(problem: Problem, jobs: Int64Array, seed: int) -> Int64Array:
    """Priority high first, team jobs first, fewest eligible vehicles first, then seeded."""
    tie = np.random.default_rng(seed).random(problem.n_jobs)
    difficulty = problem.eligible.sum(axis=0)
    keys = (
        tie[jobs],
        difficulty[jobs],
        problem.job_team[jobs] <= 1,
        -problem.job_priority[jobs].astype(np.int64),
    )
    ordered: Int64Array = jobs[np.lexsort(keys)]
    return ordered


class _Greedy:
    """One run of the greedy solver (state shared by its phases)."""

    def __init__(self, problem: Problem, policy: Policy) -> None:
        self.problem = problem
        self.routes = Routes(problem, policy)
        self.penalty = drop_penalties(problem, policy)
        self.worth = insertion_worth(problem, policy, self.penalty)
        self.eligible_by_job = np.ascontiguousarray(problem.eligible.T)
        self.placed = np.zeros(problem.n_jobs, dtype=bool)
        self.forced_pins = 0
        self.incomplete_teams = 0
        limits = problem.limits
        self.guard = None if limits is None else LimitGuard(problem, limits)

    def _limits_allow(self, job: int) -> BoolArray:
        """The vehicles the limits across days and the continuity cap leave for ``job``."""
        row: BoolArray = self.eligible_by_job[job]
        return row if self.guard is None else row & self.guard.allowed(job)

    def _placed(self, vehicles: Iterable[int]) -> None:
        if self.guard is not None:
            self.guard.update(self.routes, (int(self.routes.worker[v]) for v in vehicles))

    def fixed_start(self, job: int) -> int | None:
        start = int(self.problem.job_pinned_start[job])
        return start if start >= 0 else None

    # -- phase 1: pins ------------------------------------------------------------------

    def place_pins(self) -> None:
        problem = self.problem
        routes = self.routes
        pinned_jobs = np.flatnonzero(problem.pinned.any(axis=0))
        timed = [j for j in pinned_jobs.tolist() if problem.job_pinned_start[j] >= 0]
        untimed = [j for j in pinned_jobs.tolist() if problem.job_pinned_start[j] < 0]
        timed.sort(key=lambda j: (int(problem.job_pinned_start[j]), j))
        untimed.sort(key=lambda j: (int(problem.job_earliest[j]), j))
        starts: dict[int, int] = {}
        for job in timed:
            start = int(problem.job_pinned_start[job])
            for vehicle in np.flatnonzero(problem.pinned[:, job]).tolist():
                self._force(vehicle, job, start)
            starts[job] = start
        for job in untimed:
            vehicles = np.flatnonzero(problem.pinned[:, job]).astype(np.int64)
            table = routes.table(job, vehicles)
            choice = best_team(table, vehicles, vehicles.size, None, earliest_first=True)
            if choice is None:
                # No rule-abiding minute: keep the pin anyway, as early as the window and
                # the shifts (after travel from home) allow.
                self.forced_pins += 1
                start = max(
                    int(problem.job_earliest[job]),
                    int((routes.shift_start[vehicles] + routes.home[vehicles, job]).max()),
                )
                for vehicle in vehicles.tolist():
                    self._force(vehicle, job, start)
            else:
                start, members = choice
                for vehicle, position in members:
                    routes.insert(vehicle, position, job, start, fixed=True)
            starts[job] = start
        for job, start in starts.items():
            self.placed[job] = True
            missing = int(problem.job_team[job]) - int(problem.pinned[:, job].sum())
            if missing > 0:
                self._complete_team(job, start, missing)
        self._placed(range(problem.n_vehicles))

    def _force(self, vehicle: int, job: int, start: int) -> None:
        """Place a pin as it is, in time order, whatever the rules say."""
        routes = self.routes
        length = int(routes.length[vehicle])
        position = int(np.searchsorted(routes.start[vehicle, :length], start, side="right"))
        routes.insert(vehicle, position, job, start, fixed=True)

    def _complete_team(self, job: int, start: int, missing: int) -> None:
        """Add workers to a team job pinned to too few, at its pinned start."""
        problem, routes = self.problem, self.routes
        taken = problem.vehicle_worker[problem.pinned[:, job]]
        allowed = self.eligible_by_job[job] & ~np.isin(problem.vehicle_worker, taken)
        vehicles = routes.candidates(job, allowed)
        table = routes.table(job, vehicles)
        choice = best_team(table, routes.worker[vehicles], missing, start)
        if choice is None:
            self.incomplete_teams += 1
            return
        for vehicle, position in choice[1]:
            routes.insert(vehicle, position, job, start, fixed=True)

    # -- phase 2: warm start ------------------------------------------------------------

    def replay(self, warm_start: Solution, deadline: float) -> bool:
        """Keep what ``warm_start`` planned where every rule still allows; ``False`` when
        ``deadline`` (a ``time.perf_counter()`` value) came first. Replaying a big plan
        takes seconds, so a fill with little time left must not run on past its limit."""
        problem, routes = self.problem, self.routes
        visits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for vehicle, job, start in warm_start.assignments():
            if 0 <= vehicle < problem.n_vehicles and 0 <= job < problem.n_jobs:
                visits[job].append((vehicle, start))
        ordered = sorted(visits.items(), key=lambda item: (min(s for _, s in item[1]), item[0]))
        for job, members in ordered:
            if time.perf_counter() > deadline:
                return False
            starts = {start for _, start in members}
            vehicles = np.array(sorted({v for v, _ in members}), dtype=np.int64)
            pinned_start = self.fixed_start(job)
            if (
                self.placed[job]
                or len(starts) != 1
                or vehicles.size != len(members)
                or vehicles.size != problem.job_team[job]
                or (pinned_start is not None and pinned_start not in starts)
            ):
                continue
            start = starts.pop()
            allowed = np.zeros(problem.n_vehicles, dtype=bool)
            allowed[vehicles] = True
            candidates = routes.candidates(job, allowed & self._limits_allow(job))
            if candidates.size != vehicles.size:
                continue
            table = routes.table(job, candidates)
            choice = best_team(table, routes.worker[candidates], vehicles.size, start)
            if choice is None:
                continue
            fixed = vehicles.size > 1 or pinned_start is not None
            for vehicle, position in choice[1]:
                routes.insert(vehicle, position, job, start, fixed=fixed)
            self.placed[job] = True
            self._placed(v for v, _ in choice[1])
        return True

    # -- phase 3: insertion -------------------------------------------------------------

    def insert(self, job: int) -> float:
        """Insert ``job`` as cheaply as the rules allow; return the objective change."""
        problem, routes = self.problem, self.routes
        size = int(problem.job_team[job])
        vehicles = routes.candidates(job, self._limits_allow(job))
        if vehicles.size < size:
            return 0.0
        table = routes.table(job, vehicles)
        fixed_start = self.fixed_start(job)
        if size == 1:
            single = best_single(table, fixed_start, int(self.worth[job]))
            if single is None:
                return 0.0
            vehicle, position, start = single
            routes.insert(vehicle, position, job, start, fixed=fixed_start is not None)
            self.placed[job] = True
            self._placed((vehicle,))
            return float(table.cost[vehicles == vehicle, position][0])
        team = best_team(
            table, routes.worker[vehicles], size, fixed_start, worth=int(self.worth[job])
        )
        if team is None:
            return 0.0
        start, members = team
        added = 0
        for vehicle, position in members:
            added += int(table.cost[vehicles == vehicle, position][0])
            routes.insert(vehicle, position, job, start, fixed=True)
        self.placed[job] = True
        self._placed(v for v, _ in members)
        return float(added)


def solve(
    problem: Problem,
    *,
    policy: Policy,
    time_limit: float,
    seed: int,
    warm_start: Solution | None = None,
    progress: ProgressCallback | None = None,
    deterministic: bool = False,
    stop: threading.Event | None = None,
) -> Solution:
    """Greedy cheapest insertion (see the module docstring); ``backend="greedy"``.

    Pins are always placed. Insertion stops when ``time_limit`` seconds have passed
    (the remaining jobs stay unassigned; ``stats["timed_out"]`` is 1) or when ``stop`` is
    set (``stats["interrupted"]`` is 1). The same ``seed`` gives the same solution unless
    the time limit cut it short; ``deterministic`` changes nothing but the stats (the
    insertion is bounded by the jobs, not by time, either way).
    """
    refuse_rules(problem, "greedy", policy)
    began = time.perf_counter()
    greedy = _Greedy(problem, policy)
    greedy.place_pins()
    replayed = warm_start is None or greedy.replay(warm_start, began + time_limit)

    served = int(greedy.placed.sum())
    # The running objective is kept only for progress reports; the result recomputes it.
    objective = 0.0
    if progress is not None:
        objective = float(objective_terms(problem, greedy.routes.routes(), policy).total)
        progress(
            Progress(
                elapsed_seconds=time.perf_counter() - began,
                objective=int(objective),
                served=served,
                message="pins placed",
            )
        )

    timed_out = not replayed
    last_report = time.perf_counter()
    interrupted = False
    waiting = np.flatnonzero(~greedy.placed) if replayed else np.zeros(0, dtype=np.int64)
    for job in _job_order(problem, waiting, seed).tolist():
        now = time.perf_counter()
        if now - began > time_limit:
            timed_out = True
            break
        if stop is not None and stop.is_set():
            interrupted = True
            break
        added = greedy.insert(job)
        if greedy.placed[job]:
            served += 1
            objective += added - float(greedy.penalty[job])
        if progress is not None and now - last_report >= _PROGRESS_SECONDS:
            last_report = now
            progress(
                Progress(
                    elapsed_seconds=now - began,
                    objective=int(objective),
                    served=served,
                    message="inserting",
                )
            )

    routes = greedy.routes.routes()
    total = objective_terms(problem, routes, policy).total
    elapsed = time.perf_counter() - began
    report_done(progress, routes, total, elapsed)
    return Solution(
        routes=routes,
        objective=total,
        backend=BACKEND,
        seed=seed,
        solve_seconds=elapsed,
        status="feasible",
        stats={
            "jobs_served": float(served),
            "jobs_unassigned": float(problem.n_jobs - served),
            "timed_out": float(timed_out),
            "deterministic": float(deterministic),
            "time_capped": float(deterministic and timed_out),
            "interrupted": float(interrupted),
            "pins_forced": float(greedy.forced_pins),
            "pinned_teams_incomplete": float(greedy.incomplete_teams),
        },
    )
