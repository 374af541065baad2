"""Breaks in the solver's minutes: where a route's breaks go, the routing model's break
intervals, and the last guard that drops work a route's breaks leave no room for.

A shift that serves a job needs the breaks of ``Problem.rules`` (``breaks_of``): each
starts inside its window and lasts its shortest length. A break never overlaps a job; it
may fall during a trip (the worker stops on the way), so the gap before a job must hold
the travel and the breaks inside it. That is what OR-Tools' break intervals with the
service minutes as ``node_visit_transits`` decide, and what
:func:`matchmaker.plan.verify` checks (rule ``breaks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from matchmaker.compile import Problem
from matchmaker.solve._solution import Route

if TYPE_CHECKING:
    from matchmaker.solve._routing_model import RoutingModel

__all__ = [
    "add_break_intervals",
    "breaks_in_gaps",
    "fit_breaks",
    "pins_without_break_room",
    "place_breaks",
    "route_breaks",
]


def _gaps(
    problem: Problem, vehicle: int, jobs: Sequence[int], starts: Sequence[int]
) -> list[tuple[int, int, int]]:
    """``(from, to, travel)`` of each gap of the route: the shift's start to the first
    job, job to job, the last job to the shift's end (with the way home, if planned)."""
    rules = problem.rules
    gaps: list[tuple[int, int, int]] = []
    ready, previous = int(problem.vehicle_start[vehicle]), None
    for job, start in zip(jobs, starts, strict=True):
        gaps.append((ready, int(start), problem.travel(vehicle, previous, int(job))))
        ready, previous = int(start) + int(problem.job_duration[job]), int(job)
    back = 0
    if previous is not None and rules is not None and rules.travel_job_home is not None:
        back = int(rules.travel_job_home[vehicle, previous])
    gaps.append((ready, int(problem.vehicle_end[vehicle]), back))
    return gaps


def place_breaks(
    problem: Problem, vehicle: int, jobs: Sequence[int], starts: Sequence[int]
) -> list[tuple[int, int]] | None:
    """``(start, minutes)`` of each break the route needs, in time order; ``None`` when
    they do not fit beside its jobs and travel. No job, no break.

    Breaks are placed by latest start first, each in the first gap with room, as early as
    its window allows (a gap keeps its travel minutes free). Exact for one break a shift;
    with several it may miss an arrangement the routing search found, which then costs a
    job (:func:`fit_breaks`) but never a wrong plan.
    """
    rules = problem.rules
    if rules is None or not rules.has_breaks or not jobs:
        return []
    needs = rules.breaks_of(vehicle)
    if not needs:
        return []
    return breaks_in_gaps(needs, _gaps(problem, vehicle, jobs, starts))


def breaks_in_gaps(
    needs: Sequence[tuple[int, int, int]], gaps: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int]] | None:
    """``(start, minutes)`` of each break ``needs`` (``(earliest, latest, minutes)``) asks,
    placed in ``gaps`` (``(from, to, travel)`` of a route, in time order) as
    :func:`place_breaks` places them; ``None`` when they do not fit.

    For a route that is not (yet) in the problem: live dispatch builds the gaps of a
    route with a new job in it and asks this, so that one placement decides everywhere.
    """
    needs = sorted(needs, key=lambda n: (n[1], n[0]))
    cursor = [a for a, _, _ in gaps]
    used = [0] * len(gaps)
    placed: list[tuple[int, int]] = []
    for earliest, latest, minutes in needs:
        for g, (a, b, travel) in enumerate(gaps):
            at = max(earliest, cursor[g])
            if at > latest or at + minutes > b or used[g] + minutes + travel > b - a:
                continue
            placed.append((at, minutes))
            cursor[g] = at + minutes
            used[g] += minutes
            break
        else:
            return None
    return sorted(placed)


def route_breaks(problem: Problem, route: Route) -> list[tuple[int, int]] | None:
    """:func:`place_breaks` of ``route``."""
    return place_breaks(problem, route.vehicle, route.jobs, route.starts)


def pins_without_break_room(
    problem: Problem, routes: Sequence[Route]
) -> list[tuple[int, list[int]]]:
    """``(vehicle, pinned jobs)`` of each route whose breaks do not fit beside its pinned
    jobs alone, at their starts: no plan keeping those pins can hold the breaks."""
    crowded = []
    for route in routes:
        kept = [
            (j, s)
            for j, s in zip(route.jobs, route.starts, strict=True)
            if problem.pinned[route.vehicle, j]
        ]
        jobs, starts = [j for j, _ in kept], [s for _, s in kept]
        if jobs and place_breaks(problem, route.vehicle, jobs, starts) is None:
            crowded.append((route.vehicle, jobs))
    return crowded


def fit_breaks(problem: Problem, routes: Sequence[Route]) -> tuple[Route, ...]:
    """``routes`` with jobs taken out until every route's breaks fit.

    The routing search honours breaks, so this is a guard: it only acts on a route whose
    breaks :func:`place_breaks` cannot arrange. It takes out the job of least priority
    (the latest on a tie) of such a route, with the other copies of a team job and every
    visit linked after a job taken out, and tries again; the jobs left keep their starts.
    """
    rules = problem.rules
    if rules is None or not rules.has_breaks:
        return tuple(routes)
    current = {r.vehicle: (list(r.jobs), list(r.starts)) for r in routes}
    followers: dict[int, list[int]] = {}
    for job in np.flatnonzero(rules.link_to >= 0).tolist():
        followers.setdefault(int(rules.link_to[job]), []).append(job)
    stuck: set[int] = set()
    while True:
        broken = [
            v
            for v, (jobs, starts) in sorted(current.items())
            if v not in stuck
            and (
                place_breaks(problem, v, jobs, starts) is None
                or not _travel_ok(problem, v, jobs, starts)
            )
        ]
        if not broken:
            break
        v = broken[0]
        jobs, starts = current[v]
        free = [k for k, j in enumerate(jobs) if not problem.pinned[v, j]]
        if not free:
            stuck.add(v)  # only pins left: the plan keeps them as they are
            continue
        k = min(free, key=lambda k: (int(problem.job_priority[jobs[k]]), -starts[k]))
        gone = {jobs[k]}
        queue = [jobs[k]]
        while queue:
            for follower in followers.get(queue.pop(), []):
                if follower not in gone:
                    gone.add(follower)
                    queue.append(follower)
        for vehicle, (route_jobs, route_starts) in current.items():
            keep = [i for i, j in enumerate(route_jobs) if j not in gone]
            current[vehicle] = ([route_jobs[i] for i in keep], [route_starts[i] for i in keep])
    return tuple(
        Route(vehicle=v, jobs=tuple(jobs), starts=tuple(starts))
        for v, (jobs, starts) in sorted(current.items())
        if jobs
    )


def _travel_ok(problem: Problem, vehicle: int, jobs: Sequence[int], starts: Sequence[int]) -> bool:
    """Every gap of the route still holds its travel (taking a job out of the middle of a
    route joins two trips, which on a travel matrix may be longer than both)."""
    return all(a + travel <= b for a, b, travel in _gaps(problem, vehicle, jobs, starts))


def add_break_intervals(model: RoutingModel) -> None:
    """Each used shift's breaks as fixed-length intervals on the ``time`` dimension of
    ``model`` (a :class:`matchmaker.solve._routing_model.RoutingModel`), with the service
    minutes as the visit transits: a break never overlaps a job, and it may interrupt a
    trip, whose slack then grows by the break's length.

    OR-Tools lets a break lie before a route's start or after its end, which is inside
    the shift (the window is clipped to it); an unused shift places its breaks anywhere,
    and none is written.
    """
    problem = model.problem
    rules = problem.rules
    if rules is None or not rules.has_breaks:
        return
    routing, layout = model.routing, model.layout
    solver = routing.solver()
    size = int(routing.Size())
    visits = [0] * size
    first_copy = problem.n_vehicles + 1
    for index in range(size):
        node = model.manager.IndexToNode(index)
        if node >= first_copy:
            visits[index] = int(problem.job_duration[layout.copy_job[layout.copy_of_node(node)]])
    time_dim = model.time
    for vehicle in range(problem.n_vehicles):
        intervals = [
            solver.FixedDurationIntervalVar(
                earliest, latest, minutes, False, f"break {vehicle}.{k}"
            )
            for k, (earliest, latest, minutes) in enumerate(rules.breaks_of(vehicle))
        ]
        if intervals:
            time_dim.SetBreakIntervalsOfVehicle(intervals, vehicle, visits)
