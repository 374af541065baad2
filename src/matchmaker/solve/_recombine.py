"""Recombination of the routes a search has seen: one set-partitioning model over them.

Ruin and recreate visits many plans and keeps one. A route it left behind may still be
the best one for its shift, in a plan the search never put together. This step keeps every
distinct route of the plans it accepted (:class:`RoutePool`) and lets CP-SAT choose at
most one route per shift, each job at most once, for the least objective: routes' travel
and match costs plus the drop penalties of the jobs no chosen route serves (as in the
set-partitioning phase of Subramanian, Uchoa and Ochi's ILS-SP).

Each pooled route kept every rule of one shift in the plan it came from (window, shift,
travel, breaks, caps), so a choice of routes keeps them too. A team job is served by as
many chosen routes as it needs, on distinct workers, or by none; each route holding it
gives it a window of starts (:func:`_team_windows`) and the chosen routes' windows must
meet, so a schedule with one start for the team exists, and
:func:`~matchmaker.solve._schedule.routes_with_starts` finds the least one. Shifts whose
route in the plan given holds a pinned job keep that route, as does every member of a team
job such a route holds; no pooled route holding a pinned job or a job of a kept route is
offered. Rounds with rules across routes (linked visits and breaks, ``problem.rules``;
limits across a worker's days and continuity caps, ``problem.limits``) are not
recombined. CP-SAT is hinted with the plan given, so the result is never worse.

CP-SAT runs one worker with its full linear relaxation (as the exact model does,
:data:`~matchmaker.solve._cpsat.LINEARIZATION`): a set partitioning model is what the LP
bound and LP-guided search are good at. On two models dumped from a generated tight
200 x 600 day (about 5,000 routes; 1.8 s each; the model's objective, route costs less the
penalties of the jobs served) one such worker reached -1,196,644 to -1,197,822 and
-1,193,552 against proven bounds of -1,197,887 and -1,193,781, while the default portfolio
of two workers stayed at -1,187,637 and -1,187,429 and proved only -1,211,386 and
-1,206,933 (four workers: -1,184,468 and -1,186,228); a second worker beside the LP one
added nothing. In the search (routing, scratch runs, each alone) the objective fell on
every round tried: the tight 200 x 600 day from a mean of 706,298 (8 runs,
699,904-717,116) to 700,912 (6 runs, 696,777-703,235); the normal 200 x 600 day from
235,490 / 236,919 to 231,248 / 230,939 (seeds 1-2); the tight 600 x 2000 day at 120 s from
2,268,656 to 2,261,879; the 200-worker week from 2,509,451 to 2,493,263; 120 x 900 over 5
days from 287,782 to 287,027 (its recombinations proved optimal in 2.8 s of 3.7). Under
linear weights the tight day was level (488,159 / 486,241 against 487,007 / 486,736).

Team jobs were held fixed at first, with every route that held one. Letting them be
chosen lowered routing's objective (30 s, seeds 1-3, scratch runs) on the normal 60 x 150
day of instance seed 2, where 9 of 150 jobs need two workers, from 88,643 / 89,177 /
88,052 to 87,786 / 88,229 / 86,343; the tight 200 x 600 day stayed level (697,781 /
699,169 / 714,749 before, 698,761 / 703,426 / 697,789 after). On the tight 600 x 2000 day
(120 s, seed 1) it was level too (2,272,283 / 2,271,355 against 2,271,694) once a route of
the plan given is offered with the plan's own starts (:func:`_offered`). Before that, the
hint could be infeasible (a route with two team jobs pooled when its partner started at
other minutes), and four runs (seeds 1, 1, 2, 3) gave 2,277,362-2,283,046 against
2,269,284-2,279,635 (seeds 1-3) with team jobs held fixed.

On pools of 14,000-19,000 routes that worker found next to nothing in its budget: it spent
2-3 s in presolve, most of it probing, added the LP's rows lazily (its bound settled at 4.7
s, at 1.4 s with every row from the start) and then followed the hint for 12-16 s without a
better plan. Without the three (on models dumped from routing's runs, scratch) it saved
11,925 and 11,183 on the 5-day 120 x 900 week in its 3.7 s, against 0 and 6 before, and in
routing's runs (60 s, seeds 1-2) the week's objective fell from 292,350 / 288,411 to
277,711 / 272,086. On the tight 600 x 2000 day its first better plan comes 6-8 s after the
LP settles, at the edge of its 7.3 s: one run saved 51,873 and 44,265 of the 52,590 and
44,695 the LP allowed, five later passes saved 34 and 3, as before. On 60 x 150 and 200 x
600 days (1,400-6,100 routes, 1.8 s) it was level (four seeds on two models: a mean of
5,449 and 483 saved, against 4,723 and 433). The hint is complete (every start variable
hinted), so it is still the first solution.

So a large pool gets more time (:func:`budget`): on the tight 600 x 2000 day (routing
120 s, seeds 1-2, scratch runs) recombination with 1.5 times the time lowered the
objective from 2,271,295 / 2,266,083 to 2,216,886 / 2,221,493; on the week (14,000-17,000
routes) it was level (276,470 against 277,299). The same extra time on the normal
200 x 600 day, whose pools hold about 2,500 routes and whose recombinations save little,
cost about 1.6% (seeds 1-3: 240,191 / 233,209 / 233,937 against 230,864 / 231,438 /
233,635); that day keeps its time.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchmaker.compile import Problem
from matchmaker.solve._budget import poll_stop
from matchmaker.solve._costs import Costs
from matchmaker.solve._cpsat import LINEARIZATION
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._objective import route_travel
from matchmaker.solve._schedule import earliest_starts, routes_with_starts
from matchmaker.solve._solution import Route

__all__ = ["PooledRoute", "RoutePool", "budget", "priced_routes", "recombine"]

BoolArray = npt.NDArray[np.bool_]

MAX_ROUTES = 40_000
"""Most routes a pool keeps (the first seen): a model over more takes seconds to build."""

STRETCH_ROUTES = 10_000
MAX_STRETCH = 1.5
"""A pool of more than :data:`STRETCH_ROUTES` routes gets the seconds given times its size
over that, at most :data:`MAX_STRETCH` times (:func:`budget`)."""

PooledRoute = tuple[int, tuple[int, ...], int, tuple[int, ...]]
"""(shift, jobs, route cost, start minutes)."""


def _team_windows(problem: Problem, route: Route, team: list[int]) -> list[tuple[int, int, int]]:
    """(job, least start, most start) of the team jobs at positions ``team`` of ``route``:
    where each may start while the route keeps its windows and its shift. A route's only
    team job may start anywhere from its earliest start to the latest its later visits
    allow; where a route holds several, each keeps the start the route has, so that
    moving one moves no other."""
    jobs, vehicle = route.jobs, route.vehicle
    if len(team) != 1:
        return [(jobs[i], route.starts[i], route.starts[i]) for i in team]
    (at,) = team
    earliest = earliest_starts(problem, {vehicle: jobs})
    # A pooled route can be driven on its own, so its earliest starts exist.
    assert earliest is not None
    least = earliest[vehicle][at]
    most = int(problem.vehicle_end[vehicle])
    for i in range(len(jobs) - 1, at - 1, -1):
        job = jobs[i]
        after = problem.travel(vehicle, job, jobs[i + 1]) if i + 1 < len(jobs) else 0
        most = min(int(problem.job_latest[job]), most - after - int(problem.job_duration[job]))
    return [(jobs[at], least, most)]


class RoutePool:
    """Distinct routes without pinned jobs, by shift, with their costs."""

    def __init__(self, problem: Problem) -> None:
        self.fixed_job: BoolArray = problem.pinned_jobs
        self.routes: dict[tuple[int, tuple[int, ...]], tuple[int, tuple[int, ...]]] = {}
        """(shift, jobs) -> (route cost, start minutes)."""

    def add(self, plan: Plan, vehicles: npt.NDArray[np.int64], *, capped: bool = True) -> None:
        """Keep the routes ``plan`` has on ``vehicles`` (those without pinned jobs; until
        :data:`MAX_ROUTES` when ``capped``)."""
        for v in vehicles.tolist():
            if capped and len(self.routes) >= MAX_ROUTES:
                return
            n = int(plan.length[v])
            if n == 0:
                continue
            jobs = plan.job[v, :n]
            if self.fixed_job[jobs].any():
                continue
            key = (v, tuple(jobs.tolist()))
            if key not in self.routes:
                starts = tuple(plan.start[v, :n].tolist())
                self.routes[key] = (int(plan.route_cost[v]), starts)

    def since(self, count: int) -> list[PooledRoute]:
        """The routes kept after the first ``count``, in the order they came."""
        kept = itertools.islice(self.routes.items(), count, None)
        return [(v, jobs, cost, starts) for (v, jobs), (cost, starts) in kept]

    def merge(self, routes: list[PooledRoute]) -> None:
        """Keep ``routes`` (another pool's, of the same problem) until :data:`MAX_ROUTES`."""
        for v, jobs, cost, starts in routes:
            if len(self.routes) >= MAX_ROUTES:
                return
            self.routes.setdefault((v, jobs), (cost, starts))


def priced_routes(
    problem: Problem, costs: Costs, routes: Iterable[tuple[int, tuple[int, ...]]]
) -> list[PooledRoute]:
    """Of ``routes`` (shift, jobs in order), those a pool may hold, with their cost and
    earliest starts: no pinned job, within the shift's caps, and each visit in
    its window and shift on the round's own legs. The lower bound prices routes on
    shortest paths (:mod:`._bound_routes`), so a route it found may not be driveable."""
    fixed = problem.pinned_jobs
    kept: list[PooledRoute] = []
    for vehicle, jobs in routes:
        visits = np.asarray(jobs, dtype=np.int64)
        if (
            fixed[visits].any()
            or visits.size > int(problem.vehicle_max_jobs[vehicle])
            or int(problem.job_duration[visits].sum()) > int(problem.vehicle_max_work[vehicle])
        ):
            continue
        starts = earliest_starts(problem, {vehicle: jobs})
        if starts is None:
            continue
        route = Route(vehicle=vehicle, jobs=jobs, starts=tuple(starts[vehicle]))
        match = int(costs.match_cost[int(problem.vehicle_worker[vehicle]), visits].sum())
        cost = costs.travel_rate * route_travel(problem, route) + match
        kept.append((vehicle, jobs, cost, route.starts))
    return kept


def budget(seconds: float, routes: int) -> float:
    """CP-SAT's time for a pool of ``routes`` routes when ``seconds`` are given: its LP and
    its dive to a plan take longer on a larger pool (module docstring)."""
    return seconds * min(MAX_STRETCH, max(1.0, routes / STRETCH_ROUTES))


def recombine(
    problem: Problem,
    pool: RoutePool,
    plan: Plan,
    seconds: float,
    seed: int,
    stop: threading.Event | None = None,
) -> tuple[Route, ...] | None:
    """The best plan of at most one pooled route per shift (module docstring), from the
    pool and the routes of ``plan`` (:func:`_offered`), by one CP-SAT worker in
    ``seconds``, more for a large pool (:func:`budget`); ``None`` when CP-SAT finds no plan
    then, the round has rules across routes or there is nothing to recombine."""
    if problem.rules is not None or problem.limits is not None:
        return None
    current, kept_vehicle, model = _offered(problem, pool, plan)
    if not pool.routes:
        return None
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(budget(seconds, len(pool.routes)), 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = LINEARIZATION
    solver.parameters.random_seed = seed
    # Presolve's probing, the LP's lazy rows and a search led by the hint each cost
    # seconds on pools of 15,000 routes and found nothing the LP-led search misses (module
    # docstring); the hint is still checked as a solution first.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.add_lp_constraints_lazily = False
    solver.parameters.hint_conflict_limit = 0
    finish = poll_stop(stop, solver.stop_search)
    try:
        status = solver.solve(model.build())
    finally:
        finish()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    sequences = {v: route.jobs for v, route in current.items() if kept_vehicle[v]}
    sequences.update(
        (route.vehicle, route.jobs) for route, x in model.chosen if solver.boolean_value(x)
    )
    # Team members meet within every chosen route's window (_team_windows), so a schedule
    # exists, and the least one is found.
    return routes_with_starts(problem, sequences)


def _offered(
    problem: Problem, pool: RoutePool, plan: Plan
) -> tuple[dict[int, Route], BoolArray, _Model]:
    """The routes of ``plan`` by shift (added to the pool, past its cap, so that the hint
    is whole), the shifts that keep theirs (:func:`_kept`), and the model of the pooled
    routes offered beside them. A route of ``plan`` is offered with the starts it has
    there, not those it was pooled with (where a team partner may have started at another
    minute), so that the plan given is a solution of the model."""
    pool.add(plan, np.flatnonzero(plan.length), capped=False)
    current = {route.vehicle: route for route in plan.routes()}
    kept_vehicle, kept_job = _kept(problem, current)
    model = _Model(problem, plan, current)
    for (v, jobs), (cost, starts) in pool.routes.items():
        if not kept_vehicle[v] and not kept_job[list(jobs)].any():
            model.offer(Route(vehicle=v, jobs=jobs, starts=starts), cost)
    return current, kept_vehicle, model


def _kept(problem: Problem, current: dict[int, Route]) -> tuple[BoolArray, BoolArray]:
    """The shifts that keep their route in ``current`` and the jobs those routes hold:
    shifts with a pinned job, and every member of a team job one of them holds."""
    kept_vehicle = np.zeros(problem.n_vehicles, dtype=bool)
    kept_job = problem.pinned_jobs.copy()
    grew = True
    while grew:
        grew = False
        for v, route in current.items():
            if not kept_vehicle[v] and kept_job[list(route.jobs)].any():
                kept_vehicle[v] = True
                kept_job[list(route.jobs)] = True
                grew = True
    return kept_vehicle, kept_job


class _Model:
    """The set-partitioning model: a choice of routes, each shift and single job at most
    once, each team job on as many distinct workers as it needs or on none, all of them
    within each chosen route's window for it (:func:`_team_windows`), hinted with
    ``current``."""

    def __init__(self, problem: Problem, plan: Plan, current: dict[int, Route]) -> None:
        self.problem = problem
        # Lists: read once a visit of every route offered.
        self.penalty: list[int] = plan.penalty.tolist()
        self.team: list[bool] = (problem.job_team > 1).tolist()
        self.current = current
        self.model = cp_model.CpModel()
        self.by_vehicle: dict[int, list[cp_model.IntVar]] = {}
        self.by_job: dict[int, list[cp_model.IntVar]] = {}
        self.members: dict[int, list[tuple[cp_model.IntVar, int, int, int]]] = {}
        """team job -> (route chosen, worker, least start, most start) of its routes."""
        self.terms: list[tuple[cp_model.IntVar, int]] = []
        self.chosen: list[tuple[Route, cp_model.IntVar]] = []

    def offer(self, route: Route, cost: int) -> None:
        """Offer ``route`` at ``cost``; the route of the plan given keeps the starts it has
        there (:func:`_offered`)."""
        x = self.model.new_bool_var("")
        held = self.current.get(route.vehicle)
        if held is not None and held.jobs == route.jobs:
            route = held
        self.model.add_hint(x, route is held)
        self.by_vehicle.setdefault(route.vehicle, []).append(x)
        single = 0
        team: list[int] = []
        for at, job in enumerate(route.jobs):
            if self.team[job]:
                team.append(at)
            else:
                self.by_job.setdefault(job, []).append(x)
                single += self.penalty[job]
        if team:
            worker = int(self.problem.vehicle_worker[route.vehicle])
            for job, least, most in _team_windows(self.problem, route, team):
                self.members.setdefault(job, []).append((x, worker, least, most))
        self.terms.append((x, cost - single))
        self.chosen.append((route, x))

    def build(self) -> cp_model.CpModel:
        model = self.model
        for group in (*self.by_vehicle.values(), *self.by_job.values()):
            if len(group) > 1:
                model.add_at_most_one(group)
        planned = {
            job: start
            for route in self.current.values()
            for job, start in zip(route.jobs, route.starts, strict=True)
        }
        for job, members in self.members.items():
            served = model.new_bool_var("")
            model.add(sum(x for x, *_ in members) == int(self.problem.job_team[job]) * served)
            model.add_hint(served, job in planned)
            self.terms.append((served, -self.penalty[job]))
            least = min(low for *_, low, _ in members)
            most = max(high for *_, high in members)
            start = model.new_int_var(least, max(least, most), "")
            # A complete hint is checked as a solution before the search starts.
            model.add_hint(start, min(max(planned.get(job, least), least), most))
            by_worker: dict[int, list[cp_model.IntVar]] = {}
            for x, worker, low, high in members:
                by_worker.setdefault(worker, []).append(x)
                if low > least:
                    model.add(start >= low).only_enforce_if(x)
                if high < most:
                    model.add(start <= high).only_enforce_if(x)
            for group in by_worker.values():
                if len(group) > 1:
                    model.add_at_most_one(group)
        model.minimize(sum(coefficient * x for x, coefficient in self.terms))
        return model
