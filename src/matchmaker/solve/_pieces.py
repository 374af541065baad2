"""Solve independent pieces of a round (zones, days) on any ``concurrent.futures.Executor``.

A piece is a :class:`~matchmaker.solve._decompose.SubRound`: its own vehicles and jobs, its
arrays sliced out of the round's problem. Pieces never share a vehicle or (apart from a
pinned team job split between pieces, which every owner keeps at its pinned start) a job,
so their plans put side by side are a plan of the round.

* :func:`split_zones` cuts the round by geography with the routing backend's own
  decomposition (:mod:`~matchmaker.solve._decompose`): ``zones`` centres spread over the
  map (farthest-point sampling from a seeded first centre), each worker shift in the zone
  of the nearest centre from home, at most ``ceil(V / zones)`` per zone (so a worker near
  the border of a full zone goes to the next nearest); each job in the zone of its
  nearest eligible worker (minutes from home), or, when that zone lacks enough eligible
  workers for a team job, the zone with most; a pinned job with its pinned worker.
* :func:`split_days` cuts it by day: a shift by the day it starts, a job by the day of its
  latest start (a pinned job with its pinned shift), both given by the caller.
* :func:`solve_pieces` solves every piece with a solver backend, on ``executor`` when given
  (each task receives only its piece: the sliced arrays, the policy and the solver's
  name, never the travel model), else one after the other here; then it puts the plans
  together and lets the greedy insert, anywhere in the round, every job left unserved:
  **this is how borders are resolved** - a job near a zone border that its own zone could
  not serve goes to a worker of the next zone if one has room, and a job whose window
  crosses midnight can be taken by the other day's shift.

A round with home-care rules (``Problem.rules``) is solved in pieces only by a backend
that honours them (:data:`~matchmaker.solve._refuse.RULES_SOLVERS`). Each piece gets the
rules of its own shifts and jobs (its breaks, the way home, due starts); a chain of linked
visits goes whole to the piece of its pinned visit, else of its first visit, so no piece
cuts a link (a chain pinned to several pieces leaves the pieces, and a visit below one no
worker can serve stays out); and the border fill is the fixed-start insertion of
:mod:`~matchmaker.solve._linked_refill`, which moves no planned visit and places a linked
visit only where its link holds.

With ``deterministic=True`` each piece's search is bounded by work, so the plan is the
same whether the pieces ran here, in threads or on a cluster. ``time_limit`` caps each
piece and the final greedy fill separately.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._care_ruin import groups
from matchmaker.solve._costs import Costs, servable
from matchmaker.solve._decompose import SubRound, _centres, _vehicle_parts, sub_round
from matchmaker.solve._limits import _with_partners, enforce
from matchmaker.solve._linked_refill import refill
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._refuse import RULES_SOLVERS, refuse_rules
from matchmaker.solve._registry import get_solver
from matchmaker.solve._solution import (
    Progress,
    ProgressCallback,
    Route,
    Solution,
    served_count,
)

__all__ = ["solve_pieces", "split_days", "split_zones"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _pin_routes(problem: Problem) -> tuple[Route, ...]:
    """Each pinned shift with its pinned jobs, by start: where the pins already are."""
    routes = []
    for vehicle in np.flatnonzero(problem.pinned.any(axis=1)).tolist():
        jobs = np.flatnonzero(problem.pinned[vehicle])
        starts = np.where(
            problem.job_pinned_start[jobs] >= 0,
            problem.job_pinned_start[jobs],
            problem.job_earliest[jobs],
        )
        order = np.argsort(starts, kind="stable")
        routes.append(
            Route(
                vehicle=int(vehicle),
                jobs=tuple(int(j) for j in jobs[order]),
                starts=tuple(int(s) for s in starts[order]),
            )
        )
    return tuple(routes)


def split_zones(problem: Problem, policy: Policy, zones: int, seed: int) -> list[SubRound]:
    """The round cut into at most ``zones`` geographic pieces (module docstring)."""
    if zones < 1:
        raise ValueError("zones must be at least 1")
    if problem.n_vehicles == 0 or problem.n_jobs == 0:
        return []
    vehicle_part = _vehicle_parts(problem, _centres(problem, zones, seed))
    parts = int(vehicle_part.max()) + 1
    # A job goes where its nearest eligible worker lives (minutes from home), if that zone
    # has enough eligible workers for its team; else to the zone with the most of them.
    eligible = problem.eligible | problem.pinned
    distance = np.where(eligible, problem.travel_home_job, np.iinfo(np.int32).max)
    nearest = vehicle_part[np.argmin(distance, axis=0)]
    onehot = np.zeros((parts, problem.n_vehicles), dtype=np.int64)
    onehot[vehicle_part, np.arange(problem.n_vehicles)] = 1
    count = onehot @ eligible.astype(np.int64)
    enough = count[nearest, np.arange(problem.n_jobs)] >= problem.job_team
    job_part = np.where(enough, nearest, np.argmax(count, axis=0))
    job_part = np.where(count.max(axis=0) >= problem.job_team, job_part, -1)
    return _pieces(problem, Costs.of(problem, policy), vehicle_part, job_part)


def split_days(
    problem: Problem, policy: Policy, vehicle_day: IntArray, job_day: IntArray
) -> list[SubRound]:
    """One piece per day: shifts by ``vehicle_day`` ``(V,)``, jobs by ``job_day`` ``(J,)``
    (any integers naming days); a pinned job goes with its pinned shift."""
    days, vehicle_part = np.unique(vehicle_day, return_inverse=True)
    at = np.minimum(np.searchsorted(days, job_day), days.size - 1)
    job_part = np.where(days[at] == job_day, at, -1)
    return _pieces(problem, Costs.of(problem, policy), vehicle_part.reshape(-1), job_part)


def _pieces(
    problem: Problem, costs: Costs, vehicle_part: IntArray, job_part: IntArray
) -> list[SubRound]:
    """Sub-rounds of the shifts and jobs of each part (``-1``: in no part); a pinned job
    goes with its pinned shifts, and one pinned to shifts of several parts is kept at its
    start in each of them."""
    pins = _pin_routes(problem)
    owners: dict[int, set[int]] = {}
    for route in pins:
        for job in route.jobs:
            owners.setdefault(job, set()).add(int(vehicle_part[route.vehicle]))
    frozen = {
        job: start
        for route in pins
        for job, start in zip(route.jobs, route.starts, strict=True)
        if len(owners[job]) > 1
    }
    job_part = np.asarray(job_part, dtype=np.int64).copy()
    unservable = ~servable(problem)
    job_part = _linked_together(problem, job_part, owners, unservable)
    job_part[unservable] = -1
    pieces = []
    for part in range(int(vehicle_part.max(initial=-1)) + 1):
        vehicles = np.flatnonzero(vehicle_part == part).astype(np.int64)
        own = {int(j) for j in np.flatnonzero(job_part == part)}
        own = {j for j in own if j not in owners} | {j for j, o in owners.items() if part in o}
        if vehicles.size and own:
            jobs = np.asarray(sorted(own), dtype=np.int64)
            pieces.append(sub_round(problem, costs, pins, vehicles, jobs, frozen))
    return pieces


def _linked_together(
    problem: Problem, job_part: IntArray, owners: dict[int, set[int]], unservable: BoolArray
) -> IntArray:
    """``job_part`` with every chain of linked visits in one part, so that no piece cuts a
    link: the part of a pinned visit of the chain (pinned to one part), else of its first
    visit. A visit below an ``unservable`` one in its chain can never be planned (it needs
    the one it depends on), and a chain whose pinned visits lie in several parts leaves
    the pieces (the border fill places its other visits, next to the pinned ones)."""
    rules = problem.rules
    if rules is None or not rules.has_links:
        return job_part
    root, _ = groups(problem)
    for job, parts in owners.items():
        if len(parts) == 1:
            job_part[root[job]] = next(iter(parts))
    job_part = job_part[root]
    torn = {int(root[job]) for job, parts in owners.items() if parts != {int(job_part[job])}}
    if torn:
        job_part[np.isin(root, sorted(torn))] = -1
    job_part[sorted(_with_partners(problem, set(np.flatnonzero(unservable).tolist())))] = -1
    return job_part


def _solve_piece(
    problem: Problem,
    solver: str,
    policy: Policy,
    time_limit: float,
    seed: int,
    deterministic: bool,
) -> Solution:
    """One piece's solve: a module-level function, so any executor can ship it."""
    return get_solver(solver)(
        problem, policy=policy, time_limit=time_limit, seed=seed, deterministic=deterministic
    )


def solve_pieces(
    problem: Problem,
    pieces: Sequence[SubRound],
    *,
    solver: str,
    policy: Policy,
    time_limit: float,
    seed: int,
    deterministic: bool = False,
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    fill_time_limit: float | None = None,
) -> Solution:
    """Solve ``pieces`` with backend ``solver`` and return the round's plan (module
    docstring). ``stop`` cancels the pieces not started yet (running ones end within
    their ``time_limit``) and skips the fill; the plan so far is returned.
    ``fill_time_limit`` caps the border fill (default ``time_limit``); a fill it cuts
    short is dropped if it is worse than the pieces' plans side by side."""
    began = time.perf_counter()
    get_solver(solver)  # an unknown name fails here, before anything is sent
    if solver not in RULES_SOLVERS:
        refuse_rules(problem, solver, policy)
    tasks = [
        (piece, piece.problem if piece.problem.travel_model is None else _bare(piece.problem))
        for piece in pieces
    ]
    solutions: list[Solution | None] = [None] * len(tasks)
    args = (solver, policy, time_limit, seed, deterministic)
    if executor is None:
        for index, (_, sub) in enumerate(tasks):
            if stop is not None and stop.is_set():
                break
            solutions[index] = _solve_piece(sub, *args)
            _report(progress, began, solutions, index)
    else:
        futures: list[Future[Solution]] = [
            executor.submit(_solve_piece, sub, *args) for _, sub in tasks
        ]
        for index, future in enumerate(futures):
            if stop is not None and stop.is_set():
                for later in futures[index:]:
                    later.cancel()
                break
            solutions[index] = future.result()
            _report(progress, began, solutions, index)
    routes: list[Route] = []
    stats: dict[str, float] = {"pieces": float(len(tasks)), "piece_seconds": 0.0}
    for (piece, _), solution in zip(tasks, solutions, strict=True):
        if solution is None:
            routes.extend(piece.to_round(piece.routes))  # keep its pins as they are
            continue
        routes.extend(piece.to_round(solution.routes))
        stats["piece_seconds"] += solution.solve_seconds
        if solution.stats.get("time_capped"):
            stats["time_capped"] = 1.0
    merged = tuple(sorted(routes, key=lambda r: r.vehicle))
    served_before = served_count(merged)
    stopped = stop is not None and stop.is_set()
    if stopped:
        stats["interrupted"] = 1.0
    else:
        fill_began = time.perf_counter()
        seconds = time_limit if fill_time_limit is None else fill_time_limit
        merged = _border_fill(problem, policy, merged, seconds, seed, deterministic, stats)
        stats["fill_seconds"] = time.perf_counter() - fill_began
    stats["filled_at_borders"] = float(served_count(merged) - served_before)
    objective = objective_terms(problem, merged, policy).total
    whole = Solution(
        routes=merged,
        objective=objective,
        backend=solver,
        seed=seed,
        solve_seconds=time.perf_counter() - began,
        stats=stats,
    )
    # The pieces cannot see the rules across days and customers: the round keeps them.
    return replace(enforce(problem, policy, whole), solve_seconds=time.perf_counter() - began)


def _border_fill(
    problem: Problem,
    policy: Policy,
    routes: tuple[Route, ...],
    seconds: float,
    seed: int,
    deterministic: bool,
    stats: dict[str, float],
) -> tuple[Route, ...]:
    """``routes`` with jobs left unserved inserted anywhere in the round: by the greedy
    (for at most ``seconds``), or where the round has home-care rules, which the greedy
    does not model, by the fixed-start insertion, which moves no planned visit."""
    before = objective_terms(problem, routes, policy).total
    if problem.rules is not None:
        filled = refill(problem, policy, routes, lambda _: True)
    else:
        warm = Solution(
            routes=routes, objective=before, backend="pieces", seed=seed, solve_seconds=0.0
        )
        solution = greedy.solve(
            problem, policy=policy, time_limit=seconds, seed=seed, warm_start=warm
        )
        filled = solution.routes
        if solution.stats.get("timed_out"):
            stats["fill_timed_out"] = 1.0
            if deterministic:
                stats["time_capped"] = 1.0
    # A fill cut short by its time limit may not have replayed every piece's route:
    # never trade the pieces' plans for it.
    return filled if objective_terms(problem, filled, policy).total <= before else routes


def _bare(problem: Problem) -> Problem:
    """``problem`` without its travel model: a task needs the minutes, not their source."""
    return replace(problem, travel_model=None)


def _report(
    progress: ProgressCallback | None,
    began: float,
    solutions: Sequence[Solution | None],
    index: int,
) -> None:
    if progress is None:
        return
    done = [s for s in solutions if s is not None]
    progress(
        Progress(
            elapsed_seconds=time.perf_counter() - began,
            objective=sum(s.objective for s in done),
            served=sum(served_count(s.routes) for s in done),
            message=f"piece {index + 1} of {len(solutions)}",
        )
    )
