"""The OR-Tools routing model of one (sub-)round: nodes, costs, dimensions, team rules.

Node layout (OR-Tools *nodes*, not search indices)::

    0 .. V-1        the start of vehicle v (the worker's home, one node per shift)
    V               a shared open end: zero travel and zero cost from everywhere,
                    because the way home is neither planned nor counted, unless
                    ``policy.travel_home`` compiled it (``Problem.rules.travel_job_home``):
                    then the arc into the end carries the way back to the shift's home
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
  travel matrices are one per travel mode, or one per worker when the way home is
  planned (homes differ);
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
* pins: a pinned copy is mandatory (no disjunction), fixed to its vehicle and start;
* breaks (``Problem.rules``): each shift's breaks are fixed-length intervals on ``time``
  with the service minutes as visit transits, so a break never overlaps a job and may
  interrupt a trip (:func:`matchmaker.solve._breaks.add_break_intervals`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from matchmaker.compile import Problem
from matchmaker.solve._breaks import add_break_intervals
from matchmaker.solve._costs import Costs, servable
from matchmaker.solve._fairness import add_routing_balance
from matchmaker.solve._solution import Route

__all__ = [
    "Layout",
    "RoutingModel",
    "build_layout",
    "build_model",
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


def _vehicle_travel(problem: Problem, layout: Layout) -> tuple[dict[int, IntArray], list[int]]:
    """Travel matrices and, per vehicle, the key of its matrix.

    Keyed by travel mode; by worker when the way home is planned, the end column then
    holding the travel from each job back to that worker's home.
    """
    by_mode = {
        mode: _travel_matrix(problem, layout, mode)
        for mode in np.unique(problem.vehicle_mode).tolist()
    }
    modes = problem.vehicle_mode.astype(np.int64).tolist()
    back = problem.rules.travel_job_home if problem.rules is not None else None
    if back is None:
        return by_mode, modes
    by_worker: dict[int, IntArray] = {}
    workers = problem.vehicle_worker.astype(np.int64).tolist()
    for vehicle, worker in enumerate(workers):
        if worker not in by_worker:
            matrix = by_mode[modes[vehicle]].copy()
            matrix[problem.n_vehicles + 1 :, layout.end_node] = back[vehicle, layout.copy_job]
            by_worker[worker] = matrix
    return by_worker, workers


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
    travel, keys = _vehicle_travel(problem, layout)
    _add_arc_costs(model, travel, keys, costs)
    _add_time(model, travel, keys, service)
    del travel
    _add_caps(model, service)
    if costs.balance_rate:
        add_routing_balance(model, service, costs.balance_rate)
    model.offset = _add_disjunctions(model, costs)
    _add_allowed_vehicles(model)
    _add_teams(model)
    add_break_intervals(model)
    return model


def _add_arc_costs(
    model: RoutingModel, travel: dict[int, IntArray], keys: list[int], costs: Costs
) -> None:
    """One matrix per worker: travel cost plus the match cost of the copy left.

    Workers whose match costs over the model's jobs are equal (all zero when the policy
    has no match cost) and whose travel matrix is the same share one matrix, so such a
    model costs ``modes x nodes^2`` integers instead of ``workers x nodes^2``."""
    problem, routing, layout = model.problem, model.routing, model.layout
    n_vehicles = problem.n_vehicles
    by_worker: dict[int, int] = {}
    shared: dict[tuple[int, bytes], int] = {}
    for vehicle, worker in enumerate(problem.vehicle_worker.tolist()):
        if worker not in by_worker:
            leaving = np.zeros(layout.n_nodes, dtype=np.int64)
            leaving[n_vehicles + 1 :] = costs.match_cost[worker, layout.copy_job]
            key = (keys[vehicle], leaving.tobytes())
            if key not in shared:
                matrix = travel[keys[vehicle]] * costs.travel_rate + leaving[:, None]
                shared[key] = _register_matrix(routing, matrix)
            by_worker[worker] = shared[key]
        routing.SetArcCostEvaluatorOfVehicle(by_worker[worker], vehicle)


def _add_time(
    model: RoutingModel, travel: dict[int, IntArray], keys: list[int], service: IntArray
) -> None:
    problem, routing = model.problem, model.routing
    callbacks = {
        key: _register_matrix(routing, matrix + service[:, None]) for key, matrix in travel.items()
    }
    horizon = int(max(problem.vehicle_end.max(initial=0), problem.job_latest.max(initial=0)))
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [callbacks[key] for key in keys],
        horizon,
        problem.vehicle_end.astype(np.int64).tolist(),
        False,
        "time",
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
