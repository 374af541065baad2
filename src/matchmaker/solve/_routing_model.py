"""The OR-Tools routing model of one (sub-)round: nodes, costs, dimensions, team rules.

Node layout (OR-Tools *nodes*, not search indices)::

    0 .. V-1        the start of vehicle v (the worker's home, one node per shift)
    V               a shared open end: zero travel and zero cost from everywhere,
                    because the way home is neither planned nor counted
    V+1 .. V+C      job copies: a job needing k workers has k copies, one per member

Only jobs that can be served get nodes: a job with fewer eligible vehicles than workers
needed (and no pin) is always unserved, so it costs its drop penalty as a constant
(:attr:`RoutingModel.offset`) instead of widening the search.

Costs (the documented objective, :mod:`matchmaker.solve._objective`):

* arc cost of vehicle v from node i to node j: ``travel_cost_per_minute * travel(i, j)``
  plus the match cost of v's worker for the job of i when i is a copy. Every served copy
  is left exactly once (to the next job or to the end), so a route pays its travel and
  the match cost of each job it serves. One matrix per *worker* (its shifts share it),
  registered with ``RegisterTransitMatrix`` so the search never calls back into Python;
  this costs ``workers x nodes^2`` integers, which is why large rounds are cut into
  sub-rounds first (:mod:`matchmaker.solve._decompose`).
* drop penalty: one disjunction per copy holding ``drop_penalty / team``; the copies of a
  job are active together, so dropping it costs exactly its penalty.

Why not the match cost in a dimension with per-vehicle unary transits (cheaper in memory):
OR-Tools 9.15 rejects every insertion and every restored plan in a dimension whose unary
transits differ between vehicles as soon as another dimension binds. And why not unary
match arc costs with travel in a span-costed dimension: it works, but then arc costs carry
no travel, and guided local search, which penalises expensive arcs, would steer by match
cost alone.

Rules:

* ``time``: transit = travel + service minutes of the origin; slack is waiting; a copy's
  cumul is its start, inside the job window; the vehicle's capacity is its shift end and
  the arc into the end node carries the last job's service, so the last job ends inside
  the shift; the start cumul is at least the shift start;
* ``jobs`` and ``work``: unary counts and service minutes, capped per vehicle (added only
  where a cap can bind);
* allowed vehicles from ``eligible`` (``VehicleVar(i).SetValues([-1, *allowed])``);
* team jobs: copies active together, equal start cumuls, distinct vehicles (a worker's
  shifts do not overlap, so distinct vehicles at one start are distinct workers);
* pins: a pinned copy is mandatory (no disjunction), fixed to its vehicle and start.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from matchmaker.compile import Problem
from matchmaker.solve._budget import WorkLimit
from matchmaker.solve._costs import Costs, servable
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import Route

__all__ = [
    "Layout",
    "OnSolution",
    "Outcome",
    "RoutingModel",
    "build_layout",
    "build_model",
    "improve",
    "search_parameters",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Which job each copy node stands for, and which vehicle a pin fixes it to."""

    n_vehicles: int
    copy_job: IntArray
    copy_pinned_vehicle: IntArray
    job_copies: dict[int, list[int]]
    """Job -> its copy nodes (only for jobs that get nodes)."""

    @property
    def end_node(self) -> int:
        return self.n_vehicles

    @property
    def n_nodes(self) -> int:
        return self.n_vehicles + 1 + len(self.copy_job)

    def copy_of_node(self, node: int) -> int:
        return node - self.n_vehicles - 1


def build_layout(problem: Problem) -> Layout:
    """One copy per needed worker of every servable job; pinned copies first."""
    jobs = np.flatnonzero(servable(problem))
    teams = problem.job_team[jobs].astype(np.int64)
    copy_job = np.repeat(jobs.astype(np.int64), teams)
    copy_pinned = np.full(len(copy_job), -1, dtype=np.int64)
    first = (np.cumsum(teams) - teams).astype(np.int64)
    base = problem.n_vehicles + 1
    job_copies: dict[int, list[int]] = {}
    for job, start, team in zip(jobs.tolist(), first.tolist(), teams.tolist(), strict=True):
        job_copies[job] = list(range(base + start, base + start + team))
    for job in np.flatnonzero(problem.pinned.any(axis=0)).tolist():
        first_copy = job_copies[job][0] - base
        vehicles = np.flatnonzero(problem.pinned[:, job])[: int(problem.job_team[job])]
        copy_pinned[first_copy : first_copy + len(vehicles)] = vehicles
    return Layout(
        n_vehicles=problem.n_vehicles,
        copy_job=copy_job,
        copy_pinned_vehicle=copy_pinned,
        job_copies=job_copies,
    )


def _travel_matrix(problem: Problem, layout: Layout, mode: int) -> IntArray:
    """Node-to-node travel minutes in ``mode`` (start rows hold each shift's home travel)."""
    n_vehicles = problem.n_vehicles
    jobs = layout.copy_job
    matrix = np.zeros((layout.n_nodes, layout.n_nodes), dtype=np.int64)
    matrix[:n_vehicles, n_vehicles + 1 :] = problem.travel_home_job[:, jobs]
    matrix[n_vehicles + 1 :, n_vehicles + 1 :] = problem.travel_job_job[mode][np.ix_(jobs, jobs)]
    return matrix


@dataclass(kw_only=True, eq=False)
class RoutingModel:
    """The built OR-Tools model and what is needed to read its solutions back."""

    problem: Problem
    layout: Layout
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    offset: int
    """Drop penalties of jobs left out of the model (constant part of the objective)."""

    @property
    def time(self) -> pywrapcp.RoutingDimension:
        return self.routing.GetDimensionOrDie("time")

    def index(self, node: int) -> int:
        return int(self.manager.NodeToIndex(node))

    def sequences(self, assignment: pywrapcp.Assignment) -> dict[int, list[int]]:
        """Vehicle -> served jobs in order, read from an assignment."""
        routing, layout = self.routing, self.layout
        result: dict[int, list[int]] = {}
        for vehicle in range(self.problem.n_vehicles):
            index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
            jobs: list[int] = []
            while not routing.IsEnd(index):
                node = self.manager.IndexToNode(index)
                jobs.append(int(layout.copy_job[layout.copy_of_node(node)]))
                index = assignment.Value(routing.NextVar(index))
            if jobs:
                result[vehicle] = jobs
        return result

    def served(self) -> int:
        """Jobs served in the solution being visited (inside a solution callback)."""
        routing = self.routing
        count = 0
        for copies in self.layout.job_copies.values():
            index = self.index(copies[0])
            count += int(routing.NextVar(index).Value() != index)
        return count

    def index_routes(self, routes: Sequence[Route]) -> list[list[int]]:
        """Search indices per vehicle for ``routes``, leaving out what the model cannot hold.

        A job without nodes is left out, and so is a team job whose members do not match
        its team size or its pins: dropping a job never makes the rest of a plan invalid.
        """
        members: dict[int, list[int]] = {}
        for route in routes:
            for job in route.jobs:
                members.setdefault(job, []).append(route.vehicle)
        node_of: dict[tuple[int, int], int] = {}
        for job, vehicles in members.items():
            copies = self.layout.job_copies.get(job)
            if copies is None or len(copies) != len(vehicles):
                continue
            mapping = _match_copies(self.layout, copies, vehicles)
            if mapping is not None:
                node_of.update({(vehicle, job): node for vehicle, node in mapping.items()})
        result: list[list[int]] = [[] for _ in range(self.problem.n_vehicles)]
        for route in routes:
            result[route.vehicle] = [
                self.index(node_of[(route.vehicle, job)])
                for job in route.jobs
                if (route.vehicle, job) in node_of
            ]
        return result


def _match_copies(
    layout: Layout, copies: Sequence[int], vehicles: Sequence[int]
) -> dict[int, int] | None:
    """Vehicle -> copy node: pinned copies go to their vehicle, the rest in order."""
    mapping: dict[int, int] = {}
    free: list[int] = []
    for node in copies:
        pinned = int(layout.copy_pinned_vehicle[layout.copy_of_node(node)])
        if pinned < 0:
            free.append(node)
        elif pinned in vehicles:
            mapping[pinned] = node
        else:
            return None
    rest = [v for v in vehicles if v not in mapping]
    mapping.update(zip(rest, free, strict=True))
    return mapping


def _register_matrix(routing: pywrapcp.RoutingModel, matrix: IntArray) -> int:
    return int(routing.RegisterTransitMatrix(matrix.tolist()))


def _register_vector(routing: pywrapcp.RoutingModel, vector: IntArray) -> int:
    return int(routing.RegisterUnaryTransitVector(vector.tolist()))


def build_model(problem: Problem, costs: Costs) -> RoutingModel:
    """The routing model of ``problem`` priced by ``costs`` (see the module docstring)."""
    layout = build_layout(problem)
    n_vehicles = problem.n_vehicles
    manager = pywrapcp.RoutingIndexManager(
        layout.n_nodes, n_vehicles, list(range(n_vehicles)), [layout.end_node] * n_vehicles
    )
    model = RoutingModel(
        problem=problem,
        layout=layout,
        manager=manager,
        routing=pywrapcp.RoutingModel(manager),
        offset=0,
    )
    service = np.zeros(layout.n_nodes, dtype=np.int64)
    service[n_vehicles + 1 :] = problem.job_duration[layout.copy_job]
    travel = {
        mode: _travel_matrix(problem, layout, mode)
        for mode in np.unique(problem.vehicle_mode).tolist()
    }
    _add_arc_costs(model, travel, costs)
    _add_time(model, travel, service)
    del travel
    _add_caps(model, service)
    model.offset = _add_disjunctions(model, costs)
    _add_allowed_vehicles(model)
    _add_teams(model)
    return model


def _add_arc_costs(model: RoutingModel, travel: dict[int, IntArray], costs: Costs) -> None:
    """One matrix per worker: travel cost plus the match cost of the copy left."""
    problem, routing, layout = model.problem, model.routing, model.layout
    n_vehicles = problem.n_vehicles
    callbacks: dict[int, int] = {}
    for vehicle, worker in enumerate(problem.vehicle_worker.tolist()):
        if worker not in callbacks:
            mode = int(problem.vehicle_mode[vehicle])
            matrix = travel[mode] * costs.travel_rate
            leaving = np.zeros(layout.n_nodes, dtype=np.int64)
            leaving[n_vehicles + 1 :] = costs.match_cost[worker, layout.copy_job]
            matrix += leaving[:, None]
            callbacks[worker] = _register_matrix(routing, matrix)
        routing.SetArcCostEvaluatorOfVehicle(callbacks[worker], vehicle)


def _add_time(model: RoutingModel, travel: dict[int, IntArray], service: IntArray) -> None:
    problem, routing = model.problem, model.routing
    callbacks = {
        mode: _register_matrix(routing, matrix + service[:, None])
        for mode, matrix in travel.items()
    }
    evaluators = [callbacks[mode] for mode in problem.vehicle_mode.tolist()]
    horizon = int(max(problem.vehicle_end.max(initial=0), problem.job_latest.max(initial=0)))
    routing.AddDimensionWithVehicleTransitAndCapacity(
        evaluators, horizon, problem.vehicle_end.astype(np.int64).tolist(), False, "time"
    )
    time = routing.GetDimensionOrDie("time")
    for vehicle in range(problem.n_vehicles):
        time.CumulVar(routing.Start(vehicle)).SetMin(int(problem.vehicle_start[vehicle]))
    base = problem.n_vehicles + 1
    for copy, job in enumerate(model.layout.copy_job.tolist()):
        cumul = time.CumulVar(model.index(base + copy))
        pinned_start = int(problem.job_pinned_start[job])
        if pinned_start >= 0:
            cumul.SetValue(pinned_start)
        else:
            cumul.SetRange(int(problem.job_earliest[job]), int(problem.job_latest[job]))


def _add_caps(model: RoutingModel, service: IntArray) -> None:
    """The ``jobs`` and ``work`` dimensions, only where a cap can bind."""
    problem, routing = model.problem, model.routing
    n_copies = len(model.layout.copy_job)
    if n_copies == 0:
        return
    if int(problem.vehicle_max_jobs.min()) < n_copies:
        count = (service > 0).astype(np.int64)
        routing.AddDimensionWithVehicleCapacity(
            _register_vector(routing, count),
            0,
            problem.vehicle_max_jobs.astype(np.int64).tolist(),
            True,
            "jobs",
        )
    if int(problem.vehicle_max_work.min()) < int(service.sum()):
        routing.AddDimensionWithVehicleCapacity(
            _register_vector(routing, service),
            0,
            problem.vehicle_max_work.astype(np.int64).tolist(),
            True,
            "work",
        )


def _add_disjunctions(model: RoutingModel, costs: Costs) -> int:
    """Drop penalties of unpinned copies; returns the penalty of jobs without nodes."""
    problem, layout, routing = model.problem, model.layout, model.routing
    pinned_jobs = set(np.flatnonzero(problem.pinned.any(axis=0)).tolist())
    for job, copies in layout.job_copies.items():
        if job in pinned_jobs:
            continue
        share = int(costs.drop_penalty[job]) // int(problem.job_team[job])
        for node in copies:
            routing.AddDisjunction([model.index(node)], share)
    modelled = np.zeros(problem.n_jobs, dtype=bool)
    modelled[list(layout.job_copies)] = True
    return int(costs.drop_penalty[~modelled].sum())


def _add_allowed_vehicles(model: RoutingModel) -> None:
    problem, layout, routing = model.problem, model.layout, model.routing
    for job, copies in layout.job_copies.items():
        allowed = np.flatnonzero(problem.eligible[:, job] & ~problem.pinned[:, job]).tolist()
        for node in copies:
            vehicle_var = routing.VehicleVar(model.index(node))
            pinned = int(layout.copy_pinned_vehicle[layout.copy_of_node(node)])
            if pinned >= 0:
                vehicle_var.SetValue(pinned)
            else:
                vehicle_var.SetValues([-1, *allowed])


def _fixed(model: RoutingModel, job: int) -> bool:
    """Whether every copy of ``job`` is pinned to a vehicle and the start is given."""
    layout = model.layout
    if model.problem.job_pinned_start[job] < 0:
        return False
    copies = layout.job_copies[job]
    return all(layout.copy_pinned_vehicle[layout.copy_of_node(n)] >= 0 for n in copies)


def _add_teams(model: RoutingModel) -> None:
    problem, layout, routing = model.problem, model.layout, model.routing
    solver = routing.solver()
    time = model.time
    for job, copies in layout.job_copies.items():
        if problem.job_team[job] < 2 or _fixed(model, job):
            continue
        indices = [model.index(node) for node in copies]
        for a, b in itertools.pairwise(indices):
            solver.Add(routing.ActiveVar(a) == routing.ActiveVar(b))
            solver.Add(time.CumulVar(a) == time.CumulVar(b))
        solver.Add(solver.AllDifferentExcept([routing.VehicleVar(i) for i in indices], -1))


# -- search ---------------------------------------------------------------------------

_SLOW_OPERATORS = (
    # Large-neighbourhood operators that rebuild routes with insertion heuristics: one
    # call can outlast the time limit by seconds on a round with many unserved jobs.
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    # Chains of swaps and route-internal reorderings: slow, and rarely useful on routes of
    # a few jobs each with tight windows.
    "use_swap_active_chain",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
    "use_lin_kernighan",
    "use_two_opt",
    "use_relocate_expensive_chain",
    "use_relocate_subtrip",
    "use_exchange_subtrip",
)


def search_parameters(seconds: float) -> Any:
    """Guided local search for ``seconds``; parallel cheapest insertion if no start plan.

    The operators in ``_SLOW_OPERATORS`` are switched off: with them the search overran
    a 5 s limit by 1-3 s on 60 x 200 rounds and found nothing the others did not.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    operators = params.local_search_operators
    for name in _SLOW_OPERATORS:
        setattr(operators, name, optional_boolean_pb2.BOOL_FALSE)
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 1))
    return params


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one routing search returned."""

    routes: tuple[Route, ...]
    """Routes with earliest start minutes, in the problem's indices."""
    model_cost: int
    """The objective as the model priced it (solver objective plus :attr:`RoutingModel.offset`)."""
    build_seconds: float
    search_seconds: float
    checks: int = 0
    """Limit checks the search made (its work, see :class:`WorkLimit`)."""
    by_clock: bool = False
    """With a work limit: the wall clock ended the search before the work did."""


OnSolution = Callable[[int, int], None]
"""Called with (objective, jobs served) of each improving solution during the search."""


class _Watcher:
    """Solution callback passing each improving objective on to an :data:`OnSolution`."""

    def __init__(self, model: RoutingModel, on_solution: OnSolution) -> None:
        self.model: RoutingModel | None = model
        self.on_solution: OnSolution | None = on_solution
        self.best: int | None = None

    def release(self) -> None:
        """Drop the references back to the model.

        The model holds this callback and the callback the model: a cycle through C++
        that Python cannot collect (a few hundred MB per model on large sub-rounds).
        """
        self.model = None
        self.on_solution = None

    def __call__(self) -> None:
        if self.model is None or self.on_solution is None:
            return
        cost = int(self.model.routing.CostVar().Value()) + self.model.offset
        if self.best is None or cost < self.best:
            self.best = cost
            self.on_solution(cost, self.model.served())


def improve(
    problem: Problem,
    costs: Costs,
    routes: Sequence[Route],
    seconds: float,
    on_solution: OnSolution | None = None,
    *,
    checks: int | None = None,
    stop: threading.Event | None = None,
) -> Outcome | None:
    """Guided local search on ``problem`` from ``routes`` for ``seconds`` (build included),
    or for ``checks`` limit checks (work, :class:`WorkLimit`) when given, with
    ``seconds`` as a cap. A set ``stop`` ends the search with its best solution.

    ``None`` when the search returned nothing or its sequences cannot be scheduled.
    """
    began = time.perf_counter()
    model = build_model(problem, costs)
    routing = model.routing
    params = search_parameters(seconds)
    routing.CloseModelWithParameters(params)
    work: WorkLimit | None = None
    limit = None  # kept alive for the search: OR-Tools does not own it
    if checks is not None or stop is not None:
        work = WorkLimit(checks, stop)
        limit = routing.solver().CustomLimit(work)
        routing.AddSearchMonitor(limit)
    initial = routing.ReadAssignmentFromRoutes(model.index_routes(routes), True)
    watcher = None
    if on_solution is not None:
        watcher = _Watcher(model, on_solution)
        routing.AddAtSolutionCallback(watcher)
    searched = time.perf_counter()
    params.time_limit.FromMilliseconds(max(int((seconds - (searched - began)) * 1000), 1))
    try:
        if initial is not None:
            assignment = routing.SolveFromAssignmentWithParameters(initial, params)
        else:
            assignment = routing.SolveWithParameters(params)
    finally:
        if watcher is not None:
            watcher.release()
        del limit
    finished = time.perf_counter()
    if assignment is None:
        return None
    scheduled = routes_with_starts(problem, model.sequences(assignment))
    if scheduled is None:
        return None
    stopped = stop is not None and stop.is_set()
    return Outcome(
        routes=scheduled,
        model_cost=int(assignment.ObjectiveValue()) + model.offset,
        build_seconds=searched - began,
        search_seconds=finished - searched,
        checks=0 if work is None else work.count,
        by_clock=checks is not None and work is not None and not work.reached and not stopped,
    )
