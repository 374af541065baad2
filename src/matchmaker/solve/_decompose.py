"""Cut a large round into sub-rounds by geography, and put their plans back together.

A routing model holds one cost matrix per worker over all its nodes, and its local search
slows down with the number of vehicles, so a round with more than a few dozen workers is
solved as a sequence of sub-rounds, each improving the current plan of its own vehicles:

1. **Centres**: ``parts`` job locations spread over the map (farthest-point sampling on
   the travel minutes of mode 0, from a seeded first centre).
2. **Vehicles** go to the nearest centre from their home, at most ``ceil(V / parts)``
   per centre, so sub-rounds stay balanced.
3. **Jobs**: a served job goes with the vehicles serving it. A team job whose members fall
   into different sub-rounds is *frozen*: each of those sub-rounds keeps its own members
   as pins at the current start, so the team stays together. An unserved job goes to the
   nearest centre among the sub-rounds with enough eligible vehicles for it.
4. Each :class:`SubRound` is a :class:`~matchmaker.compile.Problem` of its own (arrays
   sliced, indices renumbered) with the round's own objective coefficients, and the
   current plan restricted to it as its warm start.

A plan for a sub-round replaces the routes of its vehicles (:func:`merge`). Sub-rounds
never share a vehicle, and a frozen job keeps its start in every sub-round, so merged plans
are valid. Another seed gives other centres, so a second pass cuts the round elsewhere and
can move jobs across the borders of the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._costs import Costs, servable
from matchmaker.solve._solution import Route

__all__ = ["SubRound", "merge", "split", "sub_round"]

IntArray = npt.NDArray[np.int64]

_FAR = 2**40
"""Distance to a part without enough eligible vehicles for a job (never chosen)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class SubRound:
    """One sub-round: its own problem, how its indices map back, and its warm start."""

    problem: Problem
    costs: Costs
    vehicles: IntArray
    """Sub-round vehicle -> round vehicle."""
    jobs: IntArray
    """Sub-round job -> round job."""
    routes: tuple[Route, ...]
    """The current plan of these vehicles, in sub-round indices."""

    def to_round(self, routes: tuple[Route, ...]) -> tuple[Route, ...]:
        """Sub-round routes in round indices."""
        return tuple(
            Route(
                vehicle=int(self.vehicles[route.vehicle]),
                jobs=tuple(int(self.jobs[j]) for j in route.jobs),
                starts=route.starts,
            )
            for route in routes
        )


def _centres(problem: Problem, parts: int, seed: int) -> IntArray:
    """``parts`` jobs spread over the map by farthest-point sampling."""
    candidates = np.flatnonzero(servable(problem))
    if candidates.size == 0:
        candidates = np.arange(problem.n_jobs)
    travel = problem.travel_job_job[0]
    rng = np.random.default_rng(seed)
    chosen = [int(rng.choice(candidates))]
    nearest = travel[chosen[0], candidates].astype(np.int64)
    for _ in range(1, min(parts, candidates.size)):
        far = int(candidates[int(np.argmax(nearest))])
        chosen.append(far)
        nearest = np.minimum(nearest, travel[far, candidates])
    return np.asarray(chosen, dtype=np.int64)


def _vehicle_parts(problem: Problem, centres: IntArray) -> IntArray:
    """Part of each vehicle: nearest centre from home, at most ceil(V / parts) each."""
    n_vehicles, parts = problem.n_vehicles, len(centres)
    distance = problem.travel_home_job[:, centres].astype(np.int64)
    room = np.full(parts, math.ceil(n_vehicles / parts), dtype=np.int64)
    part = np.full(n_vehicles, -1, dtype=np.int64)
    for flat in np.argsort(distance, axis=None, kind="stable").tolist():
        vehicle, centre = divmod(flat, parts)
        if part[vehicle] < 0 and room[centre] > 0:
            part[vehicle] = centre
            room[centre] -= 1
    return part


def split(
    problem: Problem,
    costs: Costs,
    routes: tuple[Route, ...],
    parts: int,
    seed: int,
    *,
    freeze_teams: bool = False,
) -> list[SubRound]:
    """The round cut into ``parts`` sub-rounds around seeded centres (module docstring).

    With ``freeze_teams`` every served team job is frozen where it is, and unserved team
    jobs are left out of every sub-round.
    """
    centres = _centres(problem, parts, seed)
    vehicle_part = _vehicle_parts(problem, centres)
    parts = len(centres)
    members: dict[int, list[tuple[int, int]]] = {}
    for route in routes:
        for job, start in zip(route.jobs, route.starts, strict=True):
            members.setdefault(job, []).append((route.vehicle, start))

    job_parts: list[set[int]] = [set() for _ in range(parts)]
    frozen: dict[int, int] = {}
    for job, visits in members.items():
        owners = {int(vehicle_part[v]) for v, _ in visits}
        for owner in owners:
            job_parts[owner].add(job)
        if len(owners) > 1 or (freeze_teams and len(visits) > 1):
            frozen[job] = visits[0][1]

    unserved = np.setdiff1d(np.flatnonzero(servable(problem)), list(members))
    if freeze_teams:
        unserved = unserved[problem.job_team[unserved] == 1]
    if unserved.size:
        onehot = np.zeros((parts, problem.n_vehicles), dtype=np.int64)
        onehot[vehicle_part, np.arange(problem.n_vehicles)] = 1
        eligible = onehot @ problem.eligible[:, unserved].astype(np.int64)
        distance = problem.travel_job_job[0][np.ix_(centres, unserved)].astype(np.int64)
        distance = np.where(eligible >= problem.job_team[unserved][None, :], distance, _FAR)
        owner = np.argmin(distance, axis=0)
        reachable = distance[owner, np.arange(unserved.size)] < _FAR
        for job, part in zip(unserved[reachable].tolist(), owner[reachable].tolist(), strict=True):
            job_parts[part].add(job)

    result = []
    for part in range(parts):
        vehicles = np.flatnonzero(vehicle_part == part).astype(np.int64)
        if vehicles.size == 0 or not job_parts[part]:
            continue
        jobs = np.asarray(sorted(job_parts[part]), dtype=np.int64)
        result.append(sub_round(problem, costs, routes, vehicles, jobs, frozen))
    return result


def sub_round(
    problem: Problem,
    costs: Costs,
    routes: tuple[Route, ...],
    vehicles: IntArray,
    jobs: IntArray,
    frozen: dict[int, int],
) -> SubRound:
    workers, vehicle_worker = np.unique(problem.vehicle_worker[vehicles], return_inverse=True)
    vehicle_index = {int(v): i for i, v in enumerate(vehicles.tolist())}
    job_index = {int(j): i for i, j in enumerate(jobs.tolist())}
    pinned = problem.pinned[np.ix_(vehicles, jobs)].copy()
    pinned_start = problem.job_pinned_start[jobs].copy()
    team = problem.job_team[jobs].copy()
    sub_routes: list[Route] = []
    for route in routes:
        vehicle = vehicle_index.get(route.vehicle)
        if vehicle is None:
            continue
        sub_routes.append(
            Route(
                vehicle=vehicle,
                jobs=tuple(job_index[j] for j in route.jobs),
                starts=route.starts,
            )
        )
        for job, start in zip(route.jobs, route.starts, strict=True):
            if job in frozen:
                pinned[vehicle, job_index[job]] = True
                pinned_start[job_index[job]] = start
    for job in frozen.keys() & job_index.keys():
        team[job_index[job]] = int(pinned[:, job_index[job]].sum())
    sub = replace(
        problem,
        worker_ids=tuple(problem.worker_ids[w] for w in workers.tolist()),
        job_ids=tuple(problem.job_ids[j] for j in jobs.tolist()),
        vehicle_worker=vehicle_worker.astype(np.int32),
        vehicle_start=problem.vehicle_start[vehicles],
        vehicle_end=problem.vehicle_end[vehicles],
        vehicle_mode=problem.vehicle_mode[vehicles],
        vehicle_max_jobs=problem.vehicle_max_jobs[vehicles],
        vehicle_max_work=problem.vehicle_max_work[vehicles],
        job_earliest=problem.job_earliest[jobs],
        job_latest=problem.job_latest[jobs],
        job_duration=problem.job_duration[jobs],
        job_team=team,
        job_priority=problem.job_priority[jobs],
        job_pinned_start=pinned_start,
        pinned=pinned,
        travel_job_job=problem.travel_job_job[:, jobs][:, :, jobs],
        travel_home_job=problem.travel_home_job[np.ix_(vehicles, jobs)],
        eligible=problem.eligible[np.ix_(vehicles, jobs)],
        reasons=problem.reasons[np.ix_(workers, jobs)],
        score=problem.score[np.ix_(workers, jobs)],
        limits=None,  # rules across the round: the whole round enforces them after merging
        rules=None if problem.rules is None else problem.rules.restricted(vehicles, jobs),
    )
    return SubRound(
        problem=sub,
        costs=costs.restricted(workers.astype(np.int64), jobs),
        vehicles=vehicles,
        jobs=jobs,
        routes=tuple(sub_routes),
    )


def merge(
    routes: tuple[Route, ...], sub: SubRound, sub_routes: tuple[Route, ...]
) -> tuple[Route, ...]:
    """``routes`` with the routes of ``sub``'s vehicles replaced by ``sub_routes``."""
    own = set(sub.vehicles.tolist())
    kept = [route for route in routes if route.vehicle not in own]
    return tuple(sorted([*kept, *sub.to_round(sub_routes)], key=lambda r: r.vehicle))
