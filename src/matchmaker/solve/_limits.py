"""The rules across a worker's days and a customer's round, for every backend.

``max_week_minutes``, ``min_rest_minutes``, ``max_consecutive_days`` (per worker) and
``max_distinct_workers`` (per customer) look at several vehicles at once, which a routing
model of one vehicle per shift cannot state. Every backend honours them the same way:

1. while it builds a plan, the greedy insertion offers a job only to the vehicles a
   :class:`LimitGuard` allows (a filter on the state so far, see :meth:`LimitGuard.allowed`);
2. whatever a backend returns then goes through :func:`enforce` (the solver registry and
   the piece solver call it): :func:`trim` drops the least valuable unpinned job of each
   breach until none is left, a limit-aware greedy fill puts dropped jobs elsewhere where
   the limits allow, and :func:`trim` runs once more on the fill.

So a plan from any backend keeps these hard rules; the price is optimality (the routing
search does not see them, the trim and the fill repair after it). Pinned jobs are never
dropped: a pin that breaks a limit is kept and the verifier reports it.

A round with home-care rules (:mod:`matchmaker.compile._linked`) is trimmed without moving
any start that is kept (linked visits keep their gaps, soft windows their lateness), a
visit whose partner is dropped is dropped too, and the fill is the fixed-start insertion
of :mod:`matchmaker.solve._linked_refill` (the greedy fill does not model those rules):
single-worker visits only, each placement kept only if the whole plan keeps the limits.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem, RoundLimits
from matchmaker.model import Policy
from matchmaker.solve._breaks import fit_breaks
from matchmaker.solve._linked_refill import refill
from matchmaker.solve._objective import drop_penalties, objective_terms
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import Route, Solution, served_count

if TYPE_CHECKING:
    from matchmaker.solve._insertion import Routes

__all__ = ["LimitGuard", "breaches", "enforce", "mend", "trim"]

BoolArray = npt.NDArray[np.bool_]
Visit = tuple[int, int, int]
"""``(vehicle, job, start)``."""


# --- finding breaches ---------------------------------------------------------------------


def _worker_breaches(
    problem: Problem, limits: RoundLimits, worker: int, visits: list[Visit]
) -> Iterable[set[int]]:
    """Groups of jobs of ``worker``, each breaking one limit across days."""
    duration = problem.job_duration
    starts = np.array([s for _, _, s in visits], dtype=np.int64)
    days = limits.day_of(starts)
    max_week = int(limits.worker_max_week[worker])
    if max_week >= 0:
        weeks = limits.day_week[days]
        for week in np.unique(weeks).tolist():
            inside = [visits[i] for i in np.flatnonzero(weeks == week).tolist()]
            if sum(int(duration[j]) for _, j, _ in inside) > max_week:
                yield {j for _, j, _ in inside}
    max_days = int(limits.worker_max_days[worker])
    if max_days >= 0:
        worked = sorted(set(days.tolist()))
        run = [worked[0]] if worked else []
        for day in [*worked[1:], None]:
            if day is not None and day == run[-1] + 1:
                run.append(day)
                continue
            if len(run) > max_days:
                chosen = set(run)
                yield {j for (_, j, _), d in zip(visits, days.tolist(), strict=True) if d in chosen}
            if day is not None:
                run = [day]
    rest = int(limits.worker_min_rest[worker])
    if rest > 0:
        spans: dict[int, tuple[int, int, int, int]] = {}
        for vehicle, job, start in visits:
            end = start + int(duration[job])
            first, first_job, last, last_job = spans.get(vehicle, (start, job, end, job))
            if start < first:
                first, first_job = start, job
            if end > last:
                last, last_job = end, job
            spans[vehicle] = (first, first_job, last, last_job)
        ordered = sorted(spans.values())
        for before, after in itertools.pairwise(ordered):
            if after[0] - before[2] < rest:
                yield {before[3], after[1]}


def _customer_breaches(
    problem: Problem, limits: RoundLimits, assignments: list[Visit]
) -> Iterable[set[int]]:
    """Per customer over its cap: the jobs of the workers beyond the cap busiest ones,
    workers with a pinned visit to the customer counted first (pins are never dropped)."""
    by_customer: dict[int, Counter[int]] = defaultdict(Counter)
    jobs_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    pinned_job: BoolArray = np.asarray(problem.pinned.any(axis=0), dtype=bool)
    pinned_to: set[tuple[int, int]] = set()
    for vehicle, job, _ in assignments:
        customer = int(limits.job_customer[job])
        worker = int(problem.vehicle_worker[vehicle])
        by_customer[customer][worker] += 1
        jobs_of[(customer, worker)].add(job)
        if pinned_job[job]:
            pinned_to.add((customer, worker))
    for customer, counts in by_customer.items():
        cap = int(limits.customer_max_workers[customer])
        if cap < 0 or len(counts) <= cap:
            continue
        ranked = sorted(counts, key=lambda w: ((customer, w) not in pinned_to, -counts[w], w))
        yield {j for w in ranked[cap:] for j in jobs_of[(customer, w)]}


def breaches(problem: Problem, routes: Iterable[Route]) -> list[set[int]]:
    """Each broken limit of ``routes`` as the set of jobs whose dropping can mend it."""
    limits = problem.limits
    if limits is None:
        return []
    assignments = [
        (route.vehicle, job, start)
        for route in routes
        for job, start in zip(route.jobs, route.starts, strict=True)
    ]
    found: list[set[int]] = []
    if limits.has_worker_limits:
        by_worker: dict[int, list[Visit]] = defaultdict(list)
        for visit in assignments:
            by_worker[int(problem.vehicle_worker[visit[0]])].append(visit)
        for worker, visits in by_worker.items():
            found.extend(_worker_breaches(problem, limits, worker, sorted(visits, key=_by_start)))
    if limits.has_customer_limits:
        found.extend(_customer_breaches(problem, limits, assignments))
    return found


def _by_start(visit: Visit) -> tuple[int, int]:
    return visit[2], visit[1]


# --- mending them -------------------------------------------------------------------------


def _without(problem: Problem, route: Route, dropped: set[int]) -> Route:
    """``route`` without ``dropped``: the other starts stay unless travel no longer fits
    (then the route is scheduled again, or, in a round with home-care rules whose starts
    must not move, the visits that no longer fit are dropped too)."""
    kept = [(j, s) for j, s in zip(route.jobs, route.starts, strict=True) if j not in dropped]
    previous: int | None = None
    clock = int(problem.vehicle_start[route.vehicle])
    fixed_starts = problem.rules is not None
    for job, start in kept:
        if clock + problem.travel(route.vehicle, previous, job) > start and fixed_starts:
            dropped.add(job)
            continue
        if clock + problem.travel(route.vehicle, previous, job) > start:
            rescheduled = routes_with_starts(problem, {route.vehicle: [j for j, _ in kept]})
            if rescheduled:
                return rescheduled[0]
            break
        clock, previous = start + int(problem.job_duration[job]), job
    kept = [(j, s) for j, s in kept if j not in dropped]
    return Route(
        vehicle=route.vehicle, jobs=tuple(j for j, _ in kept), starts=tuple(s for _, s in kept)
    )


def _drop(problem: Problem, routes: tuple[Route, ...], dropped: set[int]) -> tuple[Route, ...]:
    """``routes`` without ``dropped`` and the visits that depend on them; when a visit no
    longer fits its kept start (:func:`_without` adds it to ``dropped``), once more, so its
    partners and the other members of its team go as well."""
    while True:
        dropped = _with_partners(problem, dropped)
        before = set(dropped)
        routes = tuple(
            _without(problem, r, dropped) if dropped.intersection(r.jobs) else r for r in routes
        )
        if dropped == before:
            return routes


def _with_partners(problem: Problem, dropped: set[int]) -> set[int]:
    """``dropped`` and every visit that depends on one of them, however indirectly."""
    rules = problem.rules
    if rules is None or not rules.has_links:
        return dropped
    link_to = rules.link_to
    result = set(dropped)
    while True:
        more = set(np.flatnonzero(np.isin(link_to, list(result))).tolist()) - result
        if not more:
            return result
        result |= more


def trim(problem: Problem, policy: Policy, routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """``routes`` without the least valuable unpinned job of each breach, until none is
    left (or only pinned jobs break a limit). A job's value counts the visits that depend
    on it, which go with it."""
    if problem.limits is None:
        return routes
    penalty = drop_penalties(problem, policy)
    pinned: BoolArray = np.asarray(problem.pinned.any(axis=0), dtype=bool)

    def loss(job: int) -> tuple[int, int, int]:
        gone = _with_partners(problem, {job})
        return sum(int(penalty[j]) for j in gone), -int(problem.job_duration[job]), job

    while True:
        dropped: set[int] = set()
        for group in breaches(problem, routes):
            if group & dropped:
                continue
            # A job whose dropping takes a pinned visit with it (one that depends on it)
            # is not free either: pins are never dropped.
            free = [j for j in group if not pinned[list(_with_partners(problem, {j}))].any()]
            if free:
                dropped.add(min(free, key=loss))
        if not dropped:
            return routes
        routes = _drop(problem, routes, dropped)


def enforce(
    problem: Problem,
    policy: Policy,
    solution: Solution,
    *,
    fill_seconds: float = 5.0,
    fill: bool = False,
) -> Solution:
    """``solution`` keeping every limit of ``problem.limits`` (module docstring); the same
    solution when the problem has none or it already keeps them, unless ``fill`` asks for
    the limit-aware fill anyway (after a solve inside care teams, which may leave out jobs
    other workers could take within the cap)."""
    if problem.limits is None or not (fill or breaches(problem, solution.routes)):
        return solution
    from matchmaker.solve import _greedy  # a backend of this package; imported late on purpose

    began = time.perf_counter()
    served = len(solution.served_jobs())
    trimmed = trim(problem, policy, solution.routes)
    if problem.rules is not None:
        filled = replace(
            solution,
            routes=refill(problem, policy, trimmed, lambda r: not breaches(problem, r)),
        )
    else:
        filled = _greedy.solve(
            problem,
            policy=policy,
            time_limit=fill_seconds,
            seed=solution.seed,
            warm_start=replace(solution, routes=trimmed),
        )
    routes = trim(problem, policy, filled.routes)
    if (
        objective_terms(problem, trimmed, policy).total
        < objective_terms(problem, routes, policy).total
    ):
        routes = trimmed
    # A dropped visit joins two gaps of its route; should the breaks not fit the joined
    # gap (a travel matrix need not keep the triangle inequality), fewer visits go.
    routes = fit_breaks(problem, routes)
    stats = dict(solution.stats)
    after_trim = served_count(trimmed)
    stats["limits_dropped"] = float(served - after_trim)
    stats["limits_refilled"] = float(served_count(routes) - after_trim)
    stats["limits_seconds"] = time.perf_counter() - began
    objective = objective_terms(problem, routes, policy).total
    # A bound of the round without its limits still bounds every plan that keeps them; not
    # one of a round narrowed to care teams, which has fewer plans than the whole.
    bound = None if fill or solution.lower_bound is None else min(solution.lower_bound, objective)
    return replace(
        solution,
        routes=tuple(r for r in routes if r.jobs),
        objective=objective,
        lower_bound=bound,
        status="feasible",
        stats=stats,
    )


def mend(
    problem: Problem, policy: Policy, start: Solution, routes: tuple[Route, ...]
) -> tuple[tuple[Route, ...], dict[str, float]]:
    """``routes`` of a search that does not see the limits, made to keep them (with the
    trim's stats; none when they already do), so that a backend compares valid plans
    with its limit-aware warm start ``start``."""
    fixed = enforce(problem, policy, replace(start, routes=routes, stats={}))
    return fixed.routes, fixed.stats


# --- a filter for the greedy insertion ------------------------------------------------------


class LimitGuard:
    """Which vehicles may still take a job without breaking a limit, from the plan so far.

    The filter reads the job's window, not its start: the weekly minutes and the days in a
    row count every local day the window can start on (strict), the rest between shifts
    the job's earliest end and latest start (lenient, since the start is not known yet),
    and the continuity cap the customer's workers so far. :func:`enforce` catches what the
    lenient parts let through.
    """

    def __init__(self, problem: Problem, limits: RoundLimits) -> None:
        self.problem = problem
        self.limits = limits
        n_workers, n_days = problem.n_workers, limits.day_week.size
        n_weeks = int(limits.day_week.max(initial=0)) + 1
        self.week_work = np.zeros((n_workers, n_weeks), dtype=np.int64)
        self.worked = np.zeros((n_workers, n_days + 2), dtype=bool)  # padded both sides
        self.first = np.full(problem.n_vehicles, -1, dtype=np.int64)
        self.last = np.full(problem.n_vehicles, -1, dtype=np.int64)
        self.serving = np.zeros((len(limits.customer_ids), n_workers), dtype=bool)
        self.worker = problem.vehicle_worker.astype(np.int64)
        self.vehicles_of: dict[int, list[int]] = defaultdict(list)
        for vehicle, worker in enumerate(self.worker.tolist()):
            self.vehicles_of[worker].append(vehicle)
        # Neighbouring shifts of the same worker (vehicles are in time order per worker).
        same_before = np.zeros(problem.n_vehicles, dtype=bool)
        same_before[1:] = self.worker[1:] == self.worker[:-1]
        self.has_before = same_before
        self.has_after = np.zeros(problem.n_vehicles, dtype=bool)
        self.has_after[:-1] = same_before[1:]

    def update(self, routes: Routes, workers: Iterable[int]) -> None:
        """Read again the state of ``workers`` from the greedy ``routes``."""
        limits, duration = self.limits, self.problem.job_duration
        for worker in set(workers):
            self.week_work[worker] = 0
            self.worked[worker] = False
            self.serving[:, worker] = False
            for vehicle in self.vehicles_of[worker]:
                length = int(routes.length[vehicle])
                if length == 0:
                    self.first[vehicle] = self.last[vehicle] = -1
                    continue
                jobs = routes.job[vehicle, :length]
                starts = routes.start[vehicle, :length]
                days = limits.day_of(starts)
                np.add.at(self.week_work[worker], limits.day_week[days], duration[jobs])
                self.worked[worker, days + 1] = True
                self.serving[limits.job_customer[jobs], worker] = True
                self.first[vehicle] = int(starts.min())
                self.last[vehicle] = int(routes.end[vehicle, :length].max())

    def allowed(self, job: int) -> BoolArray:
        """(V,) the vehicles that may take ``job`` as far as the limits go."""
        problem, limits = self.problem, self.limits
        worker = self.worker
        earliest, latest = int(problem.job_earliest[job]), int(problem.job_latest[job])
        duration = int(problem.job_duration[job])
        ok_worker = np.ones(problem.n_workers, dtype=bool)
        days = np.arange(int(limits.day_of(earliest)), int(limits.day_of(latest)) + 1)
        cap = limits.worker_max_week
        for week in np.unique(limits.day_week[days]).tolist():
            ok_worker &= (cap < 0) | (self.week_work[:, week] + duration <= cap)
        max_days = limits.worker_max_days
        if (max_days >= 0).any():
            for day in days.tolist():
                ok_worker &= (max_days < 0) | (self._run_with(day + 1) <= max_days)
        customer = int(limits.job_customer[job])
        customer_cap = int(limits.customer_max_workers[customer])
        if customer_cap >= 0:
            serving = self.serving[customer]
            if int(serving.sum()) >= customer_cap:
                ok_worker &= serving
        ok = ok_worker[worker]
        rest = limits.worker_min_rest[worker]
        if (rest > 0).any():
            first = np.where(self.first >= 0, np.minimum(self.first, latest), latest)
            last = np.maximum(self.last, earliest + duration)
            before_last = np.full(problem.n_vehicles, -(2**40), dtype=np.int64)
            before_last[1:] = np.where(self.has_before[1:], self.last[:-1], -(2**40))
            before_last[before_last < 0] = -(2**40)
            after_first = np.full(problem.n_vehicles, 2**40, dtype=np.int64)
            after_first[:-1] = np.where(self.has_after[:-1], self.first[1:], 2**40)
            after_first[after_first < 0] = 2**40
            ok &= (rest <= 0) | ((first - before_last >= rest) & (after_first - last >= rest))
        return ok

    def _run_with(self, padded_day: int) -> npt.NDArray[np.int64]:
        """(W,) length of the run of worked days through ``padded_day`` once it is worked."""
        worked = self.worked
        run = np.ones(worked.shape[0], dtype=np.int64)
        going = np.ones(worked.shape[0], dtype=bool)
        for day in range(padded_day - 1, -1, -1):
            going &= worked[:, day]
            if not going.any():
                break
            run += going
        going[:] = True
        for day in range(padded_day + 1, worked.shape[1]):
            going &= worked[:, day]
            if not going.any():
                break
            run += going
        return run


# --- why a job was left out -------------------------------------------------------------------


def limit_blocks(problem: Problem, routes: Iterable[Route], job: int) -> str | None:
    """``"worker"`` when every vehicle eligible for ``job`` would break a limit across days
    taking it at its earliest start, ``"customer"`` when every one would break the
    customer's continuity cap (and not a worker limit), else ``None``."""
    limits = problem.limits
    vehicles = np.flatnonzero(problem.eligible[:, job]).tolist()
    if limits is None or not vehicles:
        return None
    by_worker: dict[int, list[Visit]] = defaultdict(list)
    serving: set[int] = set()
    customer = int(limits.job_customer[job])
    for route in routes:
        worker = int(problem.vehicle_worker[route.vehicle])
        for other, start in zip(route.jobs, route.starts, strict=True):
            by_worker[worker].append((route.vehicle, other, start))
            if int(limits.job_customer[other]) == customer:
                serving.add(worker)
    cap = int(limits.customer_max_workers[customer])
    kinds: set[str] = set()
    for vehicle in vehicles:
        worker = int(problem.vehicle_worker[vehicle])
        start = max(int(problem.job_earliest[job]), int(problem.vehicle_start[vehicle]))
        visits = sorted([*by_worker[worker], (vehicle, job, start)], key=_by_start)
        if any(job in group for group in _worker_breaches(problem, limits, worker, visits)):
            kinds.add("worker")
        elif 0 <= cap <= len(serving) and worker not in serving:
            kinds.add("customer")
        else:
            return None
    return "worker" if "worker" in kinds else "customer"
