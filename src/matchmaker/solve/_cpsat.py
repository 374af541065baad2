"""An exact CP-SAT model of a round: optimal plans and proven lower bounds on small rounds.

The model states every rule of :class:`~matchmaker.compile.Problem` and minimises the
documented objective (:mod:`matchmaker.solve._objective`) exactly, so its best bound is a proven
lower bound on what any backend can reach (``Solution.lower_bound``).

Variables and constraints:

* ``served[j]`` per servable job; ``x[v, j]`` per allowed pair (eligible or pinned);
  ``sum_v x[v, j] = team[j] * served[j]``, at most one shift of a worker per job;
* ``start[j]`` in the job window, shared by all members, so a team starts together;
  a pinned start fixes it; pinned pairs fix ``x`` (and so ``served``) to 1;
* one ``add_circuit`` per vehicle over its home and its allowed jobs: an arc literal per
  ordered pair, a self-loop ``not x[v, j]`` for a job it skips, a home self-loop for an
  idle vehicle; arc ``i -> j`` implies ``start[j] >= start[i] + duration[i] + travel``,
  home ``-> j`` implies ``start[j] >= shift start + home travel``, and a served job ends
  by the shift end (the arc back home is free: the way home is not counted);
* an optional interval per pair and ``add_no_overlap`` per vehicle (redundant with the
  circuit, it strengthens propagation); ``vehicle_max_jobs`` and ``vehicle_max_work``
  as linear caps;
* objective ``sum drop_penalty * (1 - served) + sum match_cost * x + rate * sum travel *
  arc`` with the round's own coefficients (:class:`~matchmaker.solve._costs.Costs`, so a
  sub-round is priced as its round); the constant ``sum drop_penalty`` is added outside.

The lower bound (:func:`run`) is the best bound CP-SAT reported through its bound
callback, never below the trivial bound (every servable job served at no cost): a search
stopped before its first bound leaves 0 in the response, which is not a bound. Bounds
arrive as doubles; above 2**52 they are rounded down with a margin.

The search is hinted with the greedy plan and runs one worker with ``random_seed =
seed``: a search that ends proven optimal, or on its deterministic-time limit, repeats
exactly. By default the limit is one unit per second of time limit; on 2 cores one unit
took 2.5-7 s of wall time, so the clock usually stops the search first and runs can
differ. With ``deterministic=True`` the limit is :data:`DETERMINISTIC_UNITS` whatever the
time limit, which then only caps the wall time (``stats["time_capped"]`` when it did).

The worker adds every constraint to its LP relaxation (:data:`LINEARIZATION`): the
relaxation of the assignment and circuit constraints is what closes the bound. Measured on
generated rounds (the ``cpsat`` backend, no match cost, run alone, linearization 1 / 2):
normal 20 x 60 at 5 s gap 20.5% / 4.2% (plan 54,826 / 53,592), at 10 s 17.6% / 2.6%, at
20 s 17.3% / proven optimal (53,542 / 53,493); under linear weights at 10 s 17.6% / 3.7%
(38,455 / 37,385); tight 60 x 150 at 30 s 6.5% / 3.0% (228,758 / 226,482); normal
60 x 150 at 30 s 30.2% / 21.4% (the same plan); the tight 20 x 60 day proven optimal
both ways.

Sizes (generated rounds with 10 % team jobs and 5 % pins, 10 s limit, one worker, 2
cores, measured at linearization 1): 10 workers x 30 jobs are proven optimal in under
0.2 s; 15 x 45 and 20 x 60 in 1-9 s; 25 x 90 end feasible with a 7-28 % gap between plan
and bound; at 40 x 120 the search does not beat its greedy hint and the bound is 70 %
below the plan. Use
:func:`lower_bound` for benchmarks on rounds up to about 20 x 60, and the routing
backend (which uses this model on small neighbourhoods) for real rounds.

On a round too large for the time limit (building the model alone passes
:data:`_BUILD_SHARE` of the time left, e.g. 60 workers x 1,680 jobs over a week: 643,171
arcs, 14 s to build) the solve stops building and returns the greedy plan, without a
bound, with ``stats["model_too_large"]``; the time limit holds.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._budget import Budget, poll_stop, read_back
from matchmaker.solve._costs import Costs
from matchmaker.solve._fairness import add_cpsat_balance
from matchmaker.solve._limits import mend
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._refuse import refuse_rules
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import ProgressCallback, Route, Solution, report_done

__all__ = ["BuildTimeout", "Run", "build", "hint", "lower_bound", "plan_from", "run", "solve"]

BACKEND = "cpsat"

_WARM_START_SHARE = 0.1
"""Share of the time limit the greedy hint may use."""
_DETERMINISTIC_PER_SECOND = 1.0
"""Deterministic-time units allowed per second of time limit (reproducible stop)."""
_BUILD_SHARE = 0.5
"""Share of the time left after the warm start that building the model may use; what is
left is for the hint, CP-SAT's loading of the model (which grows with it) and the search."""
DETERMINISTIC_UNITS = 1.0
"""Deterministic-time units of a ``deterministic=True`` solve (independent of the time
limit, so the same round and seed give the same plan on any machine)."""
LINEARIZATION = 2
"""CP-SAT's ``linearization_level``: 2 puts every constraint into the LP relaxation
(module docstring)."""


@dataclass(kw_only=True, eq=False)
class _Model:
    """The CP-SAT model and its variables, indexed by problem indices."""

    model: cp_model.CpModel
    served: dict[int, cp_model.IntVar]
    assign: dict[tuple[int, int], cp_model.IntVar]
    start: dict[int, cp_model.IntVar]
    arcs: dict[int, dict[tuple[int, int], cp_model.IntVar]]
    """Vehicle -> (from, to) -> literal; -1 stands for home."""
    constant: int
    """Sum of all drop penalties (the objective is this plus the model's objective)."""
    trivial: int
    """A bound on the model's objective: every servable job served at no cost."""


def _start_range(problem: Problem, job: int) -> tuple[int, int]:
    """Least and greatest start of ``job``: its pinned start, else its window."""
    pinned = int(problem.job_pinned_start[job])
    if pinned >= 0:
        return pinned, pinned
    return int(problem.job_earliest[job]), int(problem.job_latest[job])


def _allowed_pairs(problem: Problem) -> list[list[int]]:
    """Jobs each vehicle may serve (eligible or pinned, of a servable job)."""
    allowed = problem.eligible | problem.pinned
    enough = (allowed.sum(axis=0) >= problem.job_team) | problem.pinned.any(axis=0)
    allowed = allowed & enough[None, :]
    return [np.flatnonzero(row).tolist() for row in allowed]


class BuildTimeout(Exception):
    """:func:`build` passed its deadline before the model was whole."""


def build(problem: Problem, costs: Costs, *, deadline: float | None = None) -> _Model:
    """The exact model of ``problem`` priced by ``costs`` (see the module docstring).

    Raises :class:`BuildTimeout` when ``time.perf_counter()`` passes ``deadline`` while
    the routes are built: the model grows with the square of each vehicle's jobs, and on
    a large round building it alone can take longer than the whole time limit.
    """
    model = cp_model.CpModel()
    penalties = costs.drop_penalty
    match = costs.match_cost
    rate = costs.travel_rate
    jobs_of = _allowed_pairs(problem)
    servable = sorted({j for jobs in jobs_of for j in jobs})

    served = {j: model.new_bool_var(f"served_{j}") for j in servable}
    start: dict[int, cp_model.IntVar] = {}
    for j in servable:
        low, high = _start_range(problem, j)
        start[j] = model.new_int_var(low, high, f"start_{j}")

    assign: dict[tuple[int, int], cp_model.IntVar] = {}
    for v, jobs in enumerate(jobs_of):
        for j in jobs:
            literal = model.new_bool_var(f"x_{v}_{j}")
            if problem.pinned[v, j]:
                model.add(literal == 1)
            assign[(v, j)] = literal

    members: dict[int, list[cp_model.IntVar]] = {j: [] for j in servable}
    by_worker: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (v, j), literal in assign.items():
        members[j].append(literal)
        by_worker.setdefault((int(problem.vehicle_worker[v]), j), []).append(literal)
    for j in servable:
        model.add(sum(members[j]) == int(problem.job_team[j]) * served[j])
    for literals in by_worker.values():
        if len(literals) > 1:
            model.add_at_most_one(literals)

    arcs: dict[int, dict[tuple[int, int], cp_model.IntVar]] = {}
    travel_terms: list[tuple[int, cp_model.IntVar]] = []
    for v, jobs in enumerate(jobs_of):
        if deadline is not None and time.perf_counter() > deadline:
            raise BuildTimeout
        if jobs:
            arcs[v] = _add_route(model, problem, v, jobs, assign, start, travel_terms)

    objective = (
        -sum(int(penalties[j]) * served[j] for j in servable)
        + sum(int(match[problem.vehicle_worker[v], j]) * x for (v, j), x in assign.items())
        + sum(rate * minutes * literal for minutes, literal in travel_terms)
    )
    if costs.balance_rate:
        busiest = add_cpsat_balance(model, problem, assign)
        model.minimize(objective + costs.balance_rate * busiest)
    else:
        model.minimize(objective)
    return _Model(
        model=model,
        served=served,
        assign=assign,
        start=start,
        arcs=arcs,
        constant=int(penalties.sum()),
        trivial=-sum(int(penalties[j]) for j in servable),
    )


def _add_route(
    model: cp_model.CpModel,
    problem: Problem,
    v: int,
    jobs: list[int],
    assign: dict[tuple[int, int], cp_model.IntVar],
    start: dict[int, cp_model.IntVar],
    travel_terms: list[tuple[int, cp_model.IntVar]],
) -> dict[tuple[int, int], cp_model.IntVar]:
    """Circuit, travel precedences, shift and caps of vehicle ``v``; returns its arcs."""
    mode = int(problem.vehicle_mode[v])
    shift_start, shift_end = int(problem.vehicle_start[v]), int(problem.vehicle_end[v])
    duration = {j: int(problem.job_duration[j]) for j in jobs}
    window = {j: _start_range(problem, j) for j in jobs}
    arcs: dict[tuple[int, int], cp_model.IntVar] = {}
    circuit: list[tuple[int, int, cp_model.LiteralT]] = []
    node = {j: k + 1 for k, j in enumerate(jobs)}
    idle = model.new_bool_var(f"idle_{v}")
    circuit.append((0, 0, idle))
    intervals = []
    for j in jobs:
        x = assign[(v, j)]
        circuit.append((node[j], node[j], ~x))
        leave = model.new_bool_var(f"home_{v}_{j}")
        back = model.new_bool_var(f"back_{v}_{j}")
        circuit.append((0, node[j], leave))
        circuit.append((node[j], 0, back))
        arcs[(-1, j)] = leave
        home = int(problem.travel_home_job[v, j])
        model.add(start[j] >= shift_start + home).only_enforce_if(leave)
        model.add(start[j] + duration[j] <= shift_end).only_enforce_if(x)
        travel_terms.append((home, leave))
        intervals.append(
            model.new_optional_fixed_size_interval_var(start[j], duration[j], x, f"i_{v}_{j}")
        )
    for i in jobs:
        for j in jobs:
            if i == j:
                continue
            travel = int(problem.travel_job_job[mode, i, j])
            if window[i][0] + duration[i] + travel > window[j][1]:
                continue  # j cannot follow i: i ends too late however early it starts
            literal = model.new_bool_var(f"arc_{v}_{i}_{j}")
            circuit.append((node[i], node[j], literal))
            arcs[(i, j)] = literal
            model.add(start[j] >= start[i] + duration[i] + travel).only_enforce_if(literal)
            travel_terms.append((travel, literal))
    model.add_circuit(circuit)
    model.add_no_overlap(intervals)
    model.add(sum(assign[(v, j)] for j in jobs) <= int(problem.vehicle_max_jobs[v]))
    model.add(sum(duration[j] * assign[(v, j)] for j in jobs) <= int(problem.vehicle_max_work[v]))
    return arcs


def hint(built: _Model, problem: Problem, routes: tuple[Route, ...]) -> None:
    """Hint every variable with ``routes`` (the greedy plan)."""
    model = built.model
    on_route = {(r.vehicle, j) for r in routes for j in r.jobs}
    starts = {j: s for r in routes for j, s in zip(r.jobs, r.starts, strict=True)}
    used_arcs = set()
    for route in routes:
        previous = -1
        for job in route.jobs:
            used_arcs.add((route.vehicle, previous, job))
            previous = job
    for j, literal in built.served.items():
        model.add_hint(literal, j in starts)
    for (v, j), literal in built.assign.items():
        model.add_hint(literal, (v, j) in on_route)
    for j, variable in built.start.items():
        if j in starts:
            model.add_hint(variable, starts[j])
    for v, arcs in built.arcs.items():
        for (i, j), literal in arcs.items():
            model.add_hint(literal, (v, i, j) in used_arcs)


def _solver(time_limit: float, seed: int, units: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.max_deterministic_time = (
        units if units is not None else max(time_limit, 0.01) * _DETERMINISTIC_PER_SECOND
    )
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = LINEARIZATION
    solver.parameters.random_seed = seed
    return solver


@dataclass(frozen=True, kw_only=True)
class Run:
    """What one CP-SAT search returned."""

    status: Any
    solver: cp_model.CpSolver
    bound: int | None
    """Proven lower bound on the documented objective; ``None`` if the model has none."""
    by_clock: bool = False
    """The wall-clock limit, not the work limit or a proof, ended the search."""

    @property
    def found(self) -> bool:
        return bool(self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE))

    @property
    def optimal(self) -> bool:
        return bool(self.status == cp_model.OPTIMAL)


def _floor(value: float) -> int:
    """An integer at or below ``value``, also where doubles no longer hold every integer."""
    if abs(value) < 2**52:
        return math.floor(value)
    return math.floor(value - abs(value) * 2.0**-50) - 1


def run(
    built: _Model,
    time_limit: float,
    seed: int,
    *,
    units: float | None = None,
    stop: threading.Event | None = None,
) -> Run:
    """Search ``built`` for ``time_limit`` seconds (or ``units`` of deterministic time,
    whichever ends first); collect the proven bound. ``stop`` ends the search when set.

    The bound comes from CP-SAT's bound callback (an unset bound reads as 0 in the
    response, which is not a bound), never below the trivial one: every servable job
    served at no cost. At optimality it is the optimum itself.
    """
    solver = _solver(time_limit, seed, units)
    bounds: list[float] = []
    solver.best_bound_callback = bounds.append
    finish = poll_stop(stop, solver.stop_search)
    try:
        status = solver.solve(built.model)
    finally:
        finish()
    by_clock = (
        status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID)
        and solver.deterministic_time < solver.parameters.max_deterministic_time * 0.99
        and not (stop is not None and stop.is_set())
    )
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return Run(status=status, solver=solver, bound=None)
    inner = built.trivial
    if bounds:
        inner = max(inner, _floor(max(bounds)))
    reported = int(solver.response_proto.inner_objective_lower_bound)
    if status == cp_model.FEASIBLE and reported <= solver.objective_value:
        inner = max(inner, reported)
    if status == cp_model.OPTIMAL:
        inner = _floor(solver.objective_value + 0.5)
    return Run(status=status, solver=solver, bound=built.constant + inner, by_clock=by_clock)


def plan_from(solver: cp_model.CpSolver, built: _Model, problem: Problem) -> tuple[Route, ...]:
    """The plan of the solver's solution, with earliest start minutes."""
    visits: dict[int, list[tuple[int, int]]] = {}
    for (v, j), literal in built.assign.items():
        if solver.boolean_value(literal):
            visits.setdefault(v, []).append((int(solver.value(built.start[j])), j))
    sequences = {v: [j for _, j in sorted(pairs)] for v, pairs in visits.items()}
    rescheduled = routes_with_starts(problem, sequences)
    if rescheduled is not None:
        return rescheduled
    return tuple(
        Route(vehicle=v, jobs=tuple(j for _, j in sorted(p)), starts=tuple(s for s, _ in sorted(p)))
        for v, p in sorted(visits.items())
    )


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
    """Solve ``problem`` exactly (within ``time_limit``) with CP-SAT; ``backend="cpsat"``.

    ``status`` is ``"optimal"`` when CP-SAT proved it, else ``"feasible"``;
    ``lower_bound`` is CP-SAT's proven bound on the documented objective. See the module
    docstring for ``deterministic``; ``stop`` ends the search with the best plan so far.
    """
    refuse_rules(problem, "cpsat", policy)
    began = time.perf_counter()
    # The plan is read back and priced after the search, within the limit too.
    searched = time_limit - read_back(time_limit, problem.n_jobs)
    budget = Budget.of(searched, deterministic=deterministic, stop=stop)
    start = greedy.solve(
        problem,
        policy=policy,
        time_limit=budget.left() if deterministic else time_limit * _WARM_START_SHARE,
        seed=seed,
        warm_start=warm_start,
        stop=stop,
    )
    budget.capped = bool(deterministic and start.stats.get("timed_out"))
    routes, state, bound = start.routes, "feasible", None
    stats = {"warm_start_objective": float(start.objective), "cpsat_objective": math.nan}
    try:
        built = build(
            problem,
            Costs.of(problem, policy),
            deadline=time.perf_counter() + budget.left() * _BUILD_SHARE,
        )
    except BuildTimeout:
        # Too large for the time limit: the plan is the warm start, and whether the build
        # fits depends on the machine, so a deterministic plan may not repeat.
        budget.capped = budget.capped or deterministic
        stats["model_too_large"] = 1.0
    else:
        hint(built, problem, start.routes)
        result = run(
            built,
            budget.left(),
            seed,
            units=DETERMINISTIC_UNITS if deterministic else None,
            stop=stop,
        )
        budget.capped = budget.capped or (deterministic and result.by_clock)
        bound = result.bound
        stats["deterministic_time"] = float(result.solver.deterministic_time)
        if result.found:
            stats["cpsat_objective"] = float(built.constant + result.solver.objective_value)
            found, mended = mend(problem, policy, start, plan_from(result.solver, built, problem))
            if objective_terms(problem, found, policy).total <= start.objective:
                routes = found
                state = "optimal" if result.optimal and not mended else "feasible"
                stats.update(mended)
    objective = objective_terms(problem, routes, policy).total
    elapsed = time.perf_counter() - began
    report_done(progress, routes, objective, elapsed)
    return Solution(
        routes=routes,
        objective=objective,
        backend=BACKEND,
        seed=seed,
        solve_seconds=elapsed,
        lower_bound=bound,
        status=state,
        stats={**stats, **budget.flags()},
    )


def lower_bound(problem: Problem, *, policy: Policy, time_limit: float, seed: int) -> int | None:
    """A proven lower bound on the documented objective of ``problem``, or ``None``.

    ``None`` when CP-SAT proves the pins infeasible or the model invalid.
    """
    return solve(problem, policy=policy, time_limit=time_limit, seed=seed).lower_bound
