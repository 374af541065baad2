"""Ruin and recreate over the whole round: the search that exchanges jobs.

Routing operators move one job copy at a time, so a plan near the greedy warm start stays
there: they cannot add a team job, and they rarely free a worker's afternoon for a job of
higher value. This search works on the whole round at once, on the
:class:`~matchmaker.solve._lns_state.Plan` arrays:

1. **Ruin**: take a few dozen jobs off the routes, by one of five removals chosen at
   random: *related* (a job and its nearest served neighbours, among the jobs that
   could share a shift with it: :func:`nearest_jobs`), *string* (a run of
   consecutive visits from the routes of a job's nearest neighbours, as in SISR),
   *random*, *make room* (an unserved job and every visit that overlaps its window on
   a few of the vehicles that could serve it: the move that swaps an unserved job for
   served ones of lower value) and *worst* (visits drawn towards the largest detours, so
   that badly placed jobs get re-inserted nearer; on a generated tight 200 x 600 day it
   lowered travel per served job by 1-3 minutes at the same objective, three seeds,
   with no match cost). A team job is always removed whole, from every member; pinned
   jobs are never removed.
2. **Recreate**: the removed jobs and the unserved jobs that the freed vehicles could
   serve are inserted one by one, highest drop penalty first (ties, and in one of three
   recreates the order itself, by value per minute of work or at random), each at its
   cheapest feasible position (the choice of
   :func:`~matchmaker.solve._insertion.best_single`, or of
   :func:`~matchmaker.solve._insertion.best_team` with one common start on distinct
   workers, made in compiled code by :meth:`~matchmaker.solve._lns_state.Plan.insert_jobs`),
   checked in constant time per position with the push-forward bounds.
3. **Accept** the new plan by simulated annealing on the documented objective (the
   temperature falls linearly from :data:`START_TEMPERATURE` travel minutes to zero over
   the time given), else go back to the plan before the ruin. The best plan seen is kept.
4. **Recombine** at the shares :data:`RECOMBINE_AT` of the time given: every distinct
   route of the accepted plans is pooled, and CP-SAT picks the best plan of at most one
   pooled route a shift (:mod:`matchmaker.solve._recombine`); the search goes on from
   the better of that and the best plan. On a generated tight 200 x 600 day (routing
   30 s, seeds 3-5) it lowered the objective by 1.2% (mean 718,258 against 727,057
   without) and served 0.7% more weighted value; once at 0.8 gave about half that, three
   or four times no more. Not in deterministic mode (a CP-SAT time limit does not
   repeat). When the search runs in several processes, the solving process recombines
   the routes of all of them (:mod:`matchmaker.solve._lns_processes`).

Every hard rule of the :class:`~matchmaker.compile.Problem` is kept by construction:
``eligible`` and the capacities prefilter candidate vehicles, windows, shifts and travel are
checked by the insertion bounds, team jobs get one start on distinct workers and are never
pushed, pins stay where they are.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs
from matchmaker.solve._lns_state import Plan, Snapshot
from matchmaker.solve._recombine import PooledRoute, RoutePool, recombine
from matchmaker.solve._solution import Route

__all__ = ["LnsStats", "Meeting", "nearest_jobs", "ruin_and_recreate"]

Int64Array = npt.NDArray[np.int64]
_Windows = tuple[Int64Array, Int64Array, Int64Array]
"""Jobs' earliest starts, latest starts and durations, shaped to broadcast."""

MIN_REMOVED = 4
MAX_REMOVED = 15
"""Jobs taken off the routes by one ruin: uniform between these (at most a tenth of the
served jobs, at least :data:`MIN_REMOVED`)."""
NEIGHBOURS = 60
"""Nearest jobs kept per job for the related and string removals."""
MAX_STRING = 4
"""Longest run of consecutive visits the string removal takes from one route."""
ROOM_VEHICLES = 3
"""Vehicles cleared around an unserved job by the make-room removal."""
EXTRA_UNSERVED = 60
"""Most unserved jobs (highest penalty first) offered to a recreate besides the removed."""
TIME_PRICES = (0.5, 1.0, 2.0)
"""Shares of the value of a worker's minute a recreate adds to the price of a travel
minute, one drawn per move: on a round that binds, travel spends time another job needs."""
WORST_BIAS = 3.0
"""Rank bias of the worst removal: a uniform draw to this power picks the rank."""
START_TEMPERATURE = 20.0
"""Annealing temperature at the start, in travel minutes (times the travel rate)."""
RECOMBINE_AT: tuple[float, ...] = (0.5, 0.85)
RECOMBINE_SHARE = 0.08
"""When (shares of the time given) the routes seen are recombined
(:mod:`matchmaker.solve._recombine`), and the share of the time CP-SAT gets each time
(more for a pool of many routes, :func:`~matchmaker.solve._recombine.budget`)."""


@dataclass(kw_only=True)
class LnsStats:
    """How the search went."""

    iterations: int = 0
    accepted: int = 0
    improved: int = 0
    recombine_seconds: float = 0.0
    recombine_saved: int = 0
    """Time the recombination took (0 when it did not run) and how much it lowered the
    objective."""
    seconds: float = 0.0
    by_removal: dict[str, int] = field(default_factory=dict)
    processes: int = 1
    """Processes that searched to the end (:mod:`matchmaker.solve._lns_processes`)."""


OnImprove = Callable[[int, int], None]
"""Called with (objective, jobs served) of each new best plan."""

Meeting = Callable[[RoutePool, Plan, float], tuple[Route, ...] | None]
"""What the search does at a recombination point instead of recombining its own pool:
given the pool, the plan (set to the best seen) and the seconds CP-SAT may take, the plan
to go on from, or ``None`` (see :mod:`matchmaker.solve._lns_processes`)."""


class _Search:
    def __init__(self, problem: Problem, policy: Policy, costs: Costs, seed: int) -> None:
        self.problem = problem
        self.plan = Plan(problem, policy, costs)
        self.rng = np.random.default_rng(seed)
        self.eligible_by_job = self.plan.eligible_by_job
        self.movable = ~self.plan.pinned_job & (
            self.eligible_by_job.sum(axis=1) >= problem.job_team
        )
        self.neighbours = nearest_jobs(problem, NEIGHBOURS)
        self.value_density = costs.drop_penalty / np.maximum(problem.job_duration, 1)
        self.window_end = problem.job_latest.astype(np.int64) + problem.job_duration
        # The value of a minute of a worker's time when it could serve the least valuable
        # job instead: the price a recreate may put on travel on a round that binds.
        minutes = float(np.median(problem.job_duration)) + 20.0 if problem.n_jobs else 1.0
        least = float(costs.drop_penalty.min()) if problem.n_jobs else 0.0
        self.minute_value = least / minutes

    # -- ruin ---------------------------------------------------------------------------

    def ruin(self, kind: str) -> tuple[Int64Array, int]:
        """Jobs to remove, and an unserved job to insert first (-1 for none)."""
        plan = self.plan
        served = np.flatnonzero(plan.served() & self.movable)
        if served.size == 0:
            return np.zeros(0, dtype=np.int64), -1
        top = max(MIN_REMOVED, min(MAX_REMOVED, served.size // 10))
        count = int(self.rng.integers(MIN_REMOVED, top + 1))
        if kind == "random":
            return self.rng.choice(served, size=min(count, served.size), replace=False), -1
        if kind == "room":
            return self._make_room()
        if kind == "worst":
            return self._worst(count), -1
        seed_job = int(served[self.rng.integers(served.size)])
        near = self.neighbours[seed_job]
        on_plan = near[plan.visits[near] > 0]
        on_plan = on_plan[self.movable[on_plan]]
        if kind == "related":
            return on_plan[:count].astype(np.int64), -1
        # string: a run around each neighbour, one run per route
        from matchmaker.solve._ruin_kernel import strings

        taken = np.empty(count + MAX_STRING, dtype=np.int64)
        draws = self.rng.random(2 * on_plan.size)
        size = strings(on_plan, count, MAX_STRING, draws, plan.job, plan.length, taken)
        jobs = np.unique(taken[:size])
        return jobs[self.movable[jobs]], -1

    def _worst(self, count: int) -> Int64Array:
        """``count`` visits drawn towards the largest detours: the travel a visit adds to
        its route (in from the previous stop or home, out to the next, less the direct
        leg), highest first with a random rank bias, as in Ropke and Pisinger's worst
        removal."""
        from matchmaker.solve._ruin_kernel import detours

        plan = self.plan
        visits = int(plan.length.sum())
        candidates = np.empty(visits, dtype=np.int64)
        added = np.empty(visits, dtype=np.int64)
        size = detours(
            plan.job, plan.length, plan.mode, plan.home, plan.travel, self.movable,
            candidates, added,
        )  # fmt: skip
        if size == 0:
            return np.zeros(0, dtype=np.int64)
        ranked = candidates[:size][np.argsort(-added[:size], kind="stable")]
        picks = (self.rng.random(count) ** WORST_BIAS * ranked.size).astype(np.int64)
        return np.unique(ranked[picks])

    def _make_room(self) -> tuple[Int64Array, int]:
        plan, problem = self.plan, self.problem
        open_jobs = np.flatnonzero(~plan.served() & self.movable & (plan.visits == 0))
        if open_jobs.size == 0:
            return np.zeros(0, dtype=np.int64), -1
        weight = np.cumsum(plan.penalty[open_jobs], dtype=np.float64)
        drawn = np.searchsorted(weight, self.rng.random() * weight[-1], side="right")
        target = int(open_jobs[min(int(drawn), open_jobs.size - 1)])
        vehicles = np.flatnonzero(self.eligible_by_job[target])
        picks = self.rng.choice(
            vehicles,
            size=min(vehicles.size, ROOM_VEHICLES + int(problem.job_team[target]) - 1),
            replace=False,
        )
        low, high = int(problem.job_earliest[target]), int(self.window_end[target])
        taken: list[Int64Array] = []
        for v in picks.tolist():
            n = int(plan.length[v])
            overlap = (plan.start[v, :n] < high) & (plan.end[v, :n] > low)
            taken.append(plan.job[v, :n][overlap])
        jobs = np.unique(np.concatenate(taken)) if taken else np.zeros(0, dtype=np.int64)
        return jobs[self.movable[jobs]].astype(np.int64), target

    # -- recreate -----------------------------------------------------------------------

    def recreate(self, removed: Int64Array, touched: Int64Array, first: int) -> None:
        # numba loads on first use, so that choosing a backend stays quick.
        from matchmaker.solve._offer_kernel import offer

        plan, problem = self.plan, self.problem
        draws = self.rng.random(2 * problem.n_jobs)
        style = int(self.rng.integers(3))
        order = np.empty(problem.n_jobs, dtype=np.int64)
        wide = np.empty(problem.n_jobs, dtype=bool)
        count = offer(
            plan.visits, self.movable, self.eligible_by_job, touched, removed, plan.penalty,
            self.value_density, draws, style, EXTRA_UNSERVED, first, order, wide,
        )  # fmt: skip
        plan.travel_cost = plan.rate + int(
            self.minute_value * TIME_PRICES[self.rng.integers(len(TIME_PRICES))]
        )
        # An unserved job that was not removed found no place before the ruin: only the
        # vehicles the ruin freed can have room for it now.
        freed = np.zeros(problem.n_vehicles, dtype=bool)
        freed[touched] = True
        plan.insert_jobs(order[:count], wide, freed)
        plan.travel_cost = plan.rate

    # -- one move -------------------------------------------------------------------------

    def step(self, kind: str) -> None:
        removed, first = self.ruin(kind)
        touched = self.plan.remove(removed)
        self.recreate(removed, touched, first)


def nearest_jobs(problem: Problem, count: int) -> Int64Array:
    """``(J, count + 1)``: each job's nearest jobs by travel (the job itself first), those
    that could share a shift with it ahead of those that could not.

    Two jobs can share a shift when, in one of the two orders, the second can start
    after the first ends (travel left out) and the shortest span from the first start to
    the second's end fits the longest shift of the round. This only ranks the jobs a ruin
    takes; whether a job fits where it is inserted is the insertion's check. Without it, on a
    generated 5-day week four in five of a job's nearest jobs are on other days and the
    related and string removals scatter over the week: with it, the week's objective
    (routing, 30 s, seeds 1-3) fell by 1.3% under the default weights and 0.8% under
    linear ones (against seeds 1-2 before), and a tight 200 x 600 day stayed level
    (seeds 1-6).
    """
    n_jobs = problem.n_jobs
    k = min(count, max(n_jobs - 1, 1))
    if n_jobs == 0:
        return np.zeros((0, k + 1), dtype=np.int64)
    longest = int((problem.vehicle_end - problem.vehicle_start).max(initial=0))
    earliest = problem.job_earliest.astype(np.int64)
    latest = problem.job_latest.astype(np.int64)
    duration = problem.job_duration.astype(np.int64)
    # Pairs that cannot share a shift sort after every pair that can.
    apart = int(problem.travel_job_job[0].max(initial=0)) + 1
    out = np.empty((n_jobs, min(k + 1, n_jobs)), dtype=np.int64)
    all_jobs = (earliest[None, :], latest[None, :], duration[None, :])
    step = max(1, _NEIGHBOUR_CELLS // n_jobs)
    for low in range(0, n_jobs, step):
        rows = slice(low, min(low + step, n_jobs))
        row_jobs = (earliest[rows, None], latest[rows, None], duration[rows, None])
        share = _fit_in_order(row_jobs, all_jobs, longest)
        share |= _fit_in_order(all_jobs, row_jobs, longest)
        key = problem.travel_job_job[0, rows, :].astype(np.int64)
        key += np.where(share, 0, apart)
        key[np.arange(rows.stop - low), np.arange(rows.start, rows.stop)] = -1
        if n_jobs > k + 1:
            near = np.argpartition(key, k, axis=1)[:, : k + 1]
            order = np.argsort(np.take_along_axis(key, near, axis=1), axis=1, kind="stable")
            out[rows] = np.take_along_axis(near, order, axis=1)
        else:
            out[rows] = np.argsort(key, axis=1, kind="stable")
    return out


def _fit_in_order(first: _Windows, second: _Windows, longest: int) -> npt.NDArray[np.bool_]:
    """Whether the second job can start after the first ends and the least minutes from
    the first one's start to the second one's end fit ``longest`` (broadcast over both)."""
    (earliest, latest, duration), (earliest_2, latest_2, duration_2) = first, second
    span = np.maximum(earliest_2 - latest, duration) + duration_2
    fits: npt.NDArray[np.bool_] = (earliest + duration <= latest_2) & (span <= longest)
    return fits


_NEIGHBOUR_CELLS = 2_000_000
"""Most (job, job) cells held at once while finding the nearest jobs."""

_REMOVALS = ("related", "string", "random", "room", "worst")
_REMOVAL_WEIGHTS = (0.25, 0.25, 0.1, 0.25, 0.15)
_REMOVAL_CUMULATIVE = np.cumsum(_REMOVAL_WEIGHTS)[:-1]


def ruin_and_recreate(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
    *,
    iterations: int | None = None,
    stop: threading.Event | None = None,
    on_improve: OnImprove | None = None,
    meet: Meeting | None = None,
    inbox: Callable[[], tuple[Route, ...] | None] | None = None,
    pooled: Sequence[PooledRoute] = (),
) -> tuple[tuple[Route, ...], LnsStats]:
    """Improve ``routes`` until ``deadline`` (a ``time.perf_counter()`` value), or for
    ``iterations`` moves when given (work: the same plan on any machine, the deadline
    still caps it). Returns the best plan seen, never worse than ``routes``. At each
    recombination point ``meet``, when given, replaces the recombination of the search's
    own pool; it may return ``None`` and let the plan come later through ``inbox``,
    asked between moves. A plan from either is gone on from when it beats the best.
    ``pooled`` routes join the pool from the start."""
    stats = LnsStats()
    began = time.perf_counter()
    if problem.n_vehicles == 0 or problem.n_jobs == 0:
        return routes, stats
    search = _Search(problem, policy, costs, seed)
    plan = search.plan
    plan.load(routes)
    pool = RoutePool(problem)
    pool.add(plan, np.arange(problem.n_vehicles))
    if pooled:
        pool.merge(list(pooled))
    current = plan.objective()
    start_objective = current
    best, best_state = current, plan.snapshot()
    span = max(deadline - began, 1e-9)
    temperature = START_TEMPERATURE * max(costs.travel_rate, 1)
    rng = search.rng
    # Work, not the clock, in deterministic mode: CP-SAT's time limit would not repeat.
    points = list(RECOMBINE_AT) if iterations is None else []
    while True:
        now = time.perf_counter()
        if now >= deadline or (stop is not None and stop.is_set()):
            break
        if iterations is not None and stats.iterations >= iterations:
            break
        progress = stats.iterations / iterations if iterations is not None else (now - began) / span
        found = None
        meeting = bool(points) and progress >= points[0]
        if meeting:
            points.pop(0)
            plan.restore(best_state)
            seconds = span * RECOMBINE_SHARE
            if meet is None:
                found = recombine(problem, pool, plan, seconds, seed, stop)
            else:
                found = meet(pool, plan, seconds)
        elif inbox is not None:
            found = inbox()
        if found is not None:
            plan.reload(found)
            if plan.objective() < best:
                stats.recombine_saved += best - plan.objective()
                best, best_state = plan.objective(), plan.snapshot()
                stats.improved += 1
                if on_improve is not None:
                    on_improve(best, int(plan.served().sum()))
        if meeting or found is not None:
            plan.restore(best_state)
            current = best
            stats.recombine_seconds += time.perf_counter() - now
            continue
        kind = _REMOVALS[int(np.searchsorted(_REMOVAL_CUMULATIVE, rng.random(), side="right"))]
        before = plan.snapshot()
        search.step(kind)
        stats.iterations += 1
        stats.by_removal[kind] = stats.by_removal.get(kind, 0) + 1
        cost = plan.objective()
        heat = temperature * max(0.0, 1.0 - progress)
        delta = cost - current
        if delta <= 0 or (heat > 0 and rng.random() < math.exp(-delta / heat)):
            current = cost
            stats.accepted += 1
            pool.add(plan, _changed(before, plan))
            if cost < best:
                best, best_state = cost, plan.snapshot()
                stats.improved += 1
                if on_improve is not None:
                    on_improve(cost, int(plan.served().sum()))
        else:
            plan.restore(before)
    stats.seconds = time.perf_counter() - began
    if best >= start_objective:
        return routes, stats
    plan.restore(best_state)
    return _routes_of(plan), stats


def _changed(before: Snapshot, plan: Plan) -> Int64Array:
    """The vehicles whose jobs differ from ``before`` (all when the arrays grew)."""
    old = before.arrays["job"]
    if old.shape != plan.job.shape:
        return np.arange(plan.job.shape[0])
    return np.flatnonzero((old != plan.job).any(axis=1))


def _routes_of(plan: Plan) -> tuple[Route, ...]:
    return plan.routes()
