"""The routing backend on a round with home-care rules: soft windows, linked visits, the
way home, breaks (``Problem.rules``, :mod:`matchmaker.compile._linked`).

One OR-Tools routing model of the whole round, the shared model of
:mod:`matchmaker.solve._routing_model` (node layout, drop penalties, caps, allowed
vehicles, teams, pins, and the way home when ``policy.travel_home`` plans it: the arc into
the end node then carries the travel back, so the worker is home by the end of the
shift; and each shift's breaks as break intervals of the ``time`` dimension), plus:

* lateness: a soft upper bound at ``due`` on the start cumul of a job's first copy, costing
  ``lateness_cost_per_minute`` per minute (a team counts once);
* the largest lateness: a ``late`` dimension with no transit, free slack and a start at 0,
  whose cumul at each job is at least that job's lateness, so that each route's end cumul
  bounds the lateness on the route; its global span cost (the largest end cumul) times
  ``max_lateness_cost_per_minute`` is the term;
* linked visits: a job is active only if the job it depends on is; its start is
  ``min_gap`` to ``max_gap`` after that job's start; ``same``/``different`` compare the
  workers of the two vehicles (an element over vehicle -> worker).

The gap constraints hold on the start cumuls even when the linked visit is left out (a
dropped visit's cumul is free inside its window), so the search plans a visit only at a
start from which its partner could still follow. The search starts from the best of a few
insertion orders at fixed starts (or from ``warm_start``), runs ruin and recreate
(:mod:`matchmaker.solve._care_lns`, in one process per core as
:mod:`matchmaker.solve._care_processes` has it) from the best plan on every other restart
and runs guided local search on this model after each start; it does not cut the round into
sub-rounds, so very large rounds with these rules are slower to search (``--split zones``
cuts them; see :mod:`matchmaker.solve._pieces`). Every candidate
plan (insertion, warm start, search) passes :func:`matchmaker.solve._breaks.fit_breaks`,
which only acts should a route's breaks not fit (see there).

With ``deterministic=True`` the solve is one run bounded by work: the first plan tries a
number of insertion orders fixed by the round's size (:func:`deterministic_orders`), and
guided local search makes :data:`DETERMINISTIC_CHECKS_PER_COPY` limit checks per visit; the
time limit only caps both, and a cut sets ``stats["time_capped"]``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from matchmaker.compile import LINK_DIFFERENT, LINK_SAME, Problem
from matchmaker.model import Policy
from matchmaker.solve._breaks import fit_breaks
from matchmaker.solve._care_processes import pooled_care_ruin_and_recreate
from matchmaker.solve._costs import Costs
from matchmaker.solve._lateness import check_travel_home
from matchmaker.solve._linked_start import insert_all
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._routing_model import RoutingModel, build_model
from matchmaker.solve._routing_search import (
    OnSolution,
    Watcher,
    search_parameters,
    work_limited,
)
from matchmaker.solve._solution import Progress, ProgressCallback, Route, Solution, report_done

__all__ = ["DETERMINISTIC_CHECKS_PER_COPY", "first_plan", "searches", "solve"]

BACKEND = "routing"
DETERMINISTIC_CHECKS_PER_COPY = 1000
"""OR-Tools limit checks (:class:`~matchmaker.solve._budget.WorkLimit`) guided local search
makes per visit (job copy) in deterministic mode."""

_SECONDS_PER_COPY = 0.12
"""Search seconds per job copy that one run of the multi-start gets at least."""
_MAX_RUNS = 20
_LNS_SHARE = 0.5
"""Share of a restart from the best plan that ruin and recreate gets; guided local search
the rest."""
_FEW_RUNS = 5
_LOOP_FROM_COPIES = 80
"""With this many runs or fewer in the time limit, or from this many visits (job copies)
up, the loop is the main search (see :func:`_multi_start`)."""
_MAIN_LNS_SHARE = 0.75
"""Share of the time after the first plan that ruin and recreate gets as the main search."""
_FIRST_SHARE = 0.2
"""Share of the time limit the first plan may use, trying insertion orders."""
_BUILD_SECONDS_PER_CELL = 1.5e-8
"""Half the seconds per matrix cell the routing model's build took on 2 cores: a low
estimate, so that a search which would start after its time is up is skipped, and no
other (see :func:`_build_seconds`)."""
_MAX_MODEL_CELLS = 250_000_000
"""The most matrix cells (8 bytes each, :func:`_model_cells`) a routing model may hold: 2
GB. A larger round is searched by the loop alone (in deterministic mode, which has no
loop, its plan is the first plan): on a generated home-care round of 300 workers and 1,000
visits the model took 3.9 GB, and its search found nothing in a 60 s limit."""
_FIRST_ORDERS = 3
"""Insertion orders always tried (due, earliest, their middle); then random ones."""
_MAX_FIRST_TRIES = 50
_DETERMINISTIC_FIRST_WORK = 6_000_000
"""Shift-visit pairs (shifts x visits, summed over orders) the first plan may try in
deterministic mode, instead of a share of the clock: one order of a generated home-care
round of 300 workers and 1,000 visits (310,000 pairs) took 0.15 s, so about 19 orders
there and :data:`_MAX_FIRST_TRIES` on rounds up to 120,000 pairs."""


def searches(problem: Problem, policy: Policy) -> bool:
    """Whether the routing backend plans ``problem`` with this search: the round has
    home-care rules, or the policy counts the way home."""
    return problem.rules is not None or policy.travel_home


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
    """Optimise ``problem`` with its home-care rules (see the module docstring)."""
    check_travel_home(problem, policy)
    began = time.perf_counter()
    stats: dict[str, float] = {}
    routes: tuple[Route, ...] = ()
    if problem.n_vehicles and problem.n_jobs:
        routes = _multi_start(
            problem, policy, time_limit, seed, warm_start, progress, deterministic, stop, stats
        )
    objective = objective_terms(problem, routes, policy).total
    elapsed = time.perf_counter() - began
    report_done(progress, routes, objective, elapsed)
    return Solution(
        routes=routes,
        objective=objective,
        backend=BACKEND,
        seed=seed,
        solve_seconds=elapsed,
        status="feasible",
        stats=stats,
    )


def _multi_start(
    problem: Problem,
    policy: Policy,
    time_limit: float,
    seed: int,
    warm_start: Solution | None,
    progress: ProgressCallback | None,
    deterministic: bool,
    stop: threading.Event | None,
    stats: dict[str, float],
) -> tuple[Route, ...]:
    """Guided local search from several first plans, the best plan kept.

    The first run starts from ``warm_start`` or the best insertion order; later runs
    alternate: ruin and recreate (:mod:`matchmaker.solve._care_lns`) from the best plan so
    far for :data:`_LNS_SHARE` of the run, then guided local search from its result; or a
    fresh insertion in a random order, then guided local search. Guided local search moves
    a linked pair only one visit at a time, so it settles in the basin of its first plan;
    the loop moves linked visits whole and finds a better basin, and the fresh starts keep
    the diversity the small rounds need.

    When :data:`_FEW_RUNS` runs or fewer fit in the time limit, or the round has
    :data:`_LOOP_FROM_COPIES` visits or more, the loop is the main search instead: it runs
    from the first plan for :data:`_MAIN_LNS_SHARE` of the time and guided local search
    polishes its best plan for the rest. On the HHCRSP benchmark (seed 0, mean gap to the
    best known results, benchmarks/RESULTS.md, with the compiled insertion whose pushes
    follow the links) the default reaches A +0.01%, B -0.15%, C -1.09% (restarts; the loop
    as the main search -0.82%), D -2.87%, E -1.16%, F -1.54% and G +4.17% (the loop), each
    run in one process; with the loop in two processes on two cores, F -2.75% and G +2.78%.
    """
    began = time.perf_counter()
    costs = Costs.of(problem, policy)
    # ``ruin_and_recreate = false`` leaves guided local search alone, as on other rounds.
    loop = policy.ruin_and_recreate
    runs, main_loop = plan_runs(
        int(problem.job_team.sum()), time_limit, loop=loop, deterministic=deterministic
    )
    stats["runs"] = float(runs)
    best: tuple[Route, ...] = ()
    best_cost: int | None = None
    rng = np.random.default_rng(seed)
    deadline = began + time_limit
    iterations = 0.0
    buildable = _model_cells(problem) <= _MAX_MODEL_CELLS
    build_seconds = _build_seconds(problem)
    for run in range(runs):
        now = time.perf_counter()
        share = (deadline - now) / (runs - run)
        if run == 0 and warm_start is not None:
            start = warm_start.routes
        elif run == 0:
            # In deterministic mode the orders are fixed, and the clock only a cap.
            until = now + share * (1.0 if deterministic else _FIRST_SHARE)
            start, capped = first_plan(
                problem, policy, costs, seed, until, deterministic=deterministic
            )
            stats["time_capped"] = float(capped)
        elif run % 2 == 1 and loop:
            lns_share = _MAIN_LNS_SHARE if main_loop else _LNS_SHARE
            if not buildable or (not deterministic and build_seconds >= share * (1 - lns_share)):
                lns_share = 1.0  # guided local search could not start after it
            start, lns = pooled_care_ruin_and_recreate(
                problem,
                policy,
                costs,
                best,
                rng,
                share * lns_share,
                stop=stop,
                on_best=_reporter(progress, began),
            )
            iterations += lns.iterations
            stats["lns_processes"] = float(lns.processes)
        else:
            start = insert_all(problem, policy, costs, order=3 + run, seed=seed + run)
        start = fit_breaks(problem, start)
        start_cost = objective_terms(problem, start, policy).total
        if best_cost is None or start_cost < best_cost:
            best, best_cost = start, start_cost
        if stop is not None and stop.is_set():
            break
        if main_loop and run == 0:
            continue  # the time goes to the loop from this plan
        if not buildable:
            continue  # the model would not fit in memory
        if not deterministic and time.perf_counter() + build_seconds >= now + share:
            continue  # guided local search would start after the time is up
        model = build_rules_model(problem, costs, policy)
        warm = Solution(routes=start, objective=0, backend=BACKEND, seed=seed, solve_seconds=0.0)
        left = share - (time.perf_counter() - now)
        found = _search(model, left, seed, warm, progress, deterministic, stop, began, stats)
        if found is not None:
            found = fit_breaks(problem, found)
            cost = objective_terms(problem, found, policy).total
            if cost < best_cost:
                best, best_cost = found, cost
        if stop is not None and stop.is_set():
            break
    stats["lns_iterations"] = iterations
    return best


def _build_seconds(problem: Problem) -> float:
    """A low estimate of the seconds building the routing model takes
    (:data:`_BUILD_SECONDS_PER_CELL` a cell). A generated home-care round of 60 workers and
    1,080 visits over 3 days took 2.8 s (95 million cells)."""
    return _model_cells(problem) * _BUILD_SECONDS_PER_CELL


def _model_cells(problem: Problem) -> int:
    """The routing model's matrix cells: one matrix per worker over every node."""
    nodes = problem.n_vehicles + 1 + int(problem.job_team.sum())
    return problem.n_workers * nodes * nodes


def plan_runs(
    copies: int, time_limit: float, *, loop: bool, deterministic: bool
) -> tuple[int, bool]:
    """How many runs :func:`_multi_start` makes on a round of ``copies`` visits, and whether
    the loop is the main search (then two: the first plan, then the loop and a polish)."""
    if deterministic:
        return 1, False
    runs = max(1, int(time_limit // max(_SECONDS_PER_COPY * max(copies, 1), 1.0)))
    runs = min(runs, _MAX_RUNS)
    if loop and (runs <= _FEW_RUNS or copies >= _LOOP_FROM_COPIES):
        return 2, True
    return runs, False


def _throttled(progress: ProgressCallback | None, began: float) -> OnSolution | None:
    """A new best objective and its jobs served as progress, at most every half second."""
    if progress is None:
        return None
    callback = progress
    last = [0.0]

    def report(cost: int, served: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 0.5:
            last[0] = now
            callback(Progress(elapsed_seconds=now - began, objective=cost, served=served))

    return report


def _reporter(
    progress: ProgressCallback | None, began: float
) -> Callable[[tuple[Route, ...], int], None] | None:
    """A new best plan of the loop as progress (see :func:`_throttled`)."""
    report = _throttled(progress, began)
    if report is None:
        return None
    on_served = report

    def on_best(routes: tuple[Route, ...], cost: int) -> None:
        on_served(cost, len({job for route in routes for job in route.jobs}))

    return on_best


def first_plan(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    seed: int,
    until: float,
    *,
    deterministic: bool = False,
) -> tuple[tuple[Route, ...], bool]:
    """The best of several insertion orders, and whether the clock cut them short.

    By default orders are tried until ``until`` (at least :data:`_FIRST_ORDERS`, at most
    :data:`_MAX_FIRST_TRIES`); ``deterministic`` fixes their number by the round's size
    (:func:`deterministic_orders`), and ``until`` only caps the time: an order not tried
    by then makes the plan depend on the machine, which the flag reports."""
    best: tuple[Route, ...] = ()
    best_cost: int | None = None
    orders = deterministic_orders(problem) if deterministic else _MAX_FIRST_TRIES
    for tries in range(orders):
        if tries >= _FIRST_ORDERS and time.perf_counter() >= until:
            return best, deterministic
        routes = insert_all(problem, policy, costs, order=tries, seed=seed + tries)
        cost = objective_terms(problem, routes, policy).total
        if best_cost is None or cost < best_cost:
            best, best_cost = routes, cost
    return best, False


def deterministic_orders(problem: Problem) -> int:
    """Insertion orders the first plan tries in deterministic mode (work, not the clock:
    :data:`_DETERMINISTIC_FIRST_WORK`)."""
    pairs = max(problem.n_vehicles * int(problem.job_team.sum()), 1)
    return min(max(_DETERMINISTIC_FIRST_WORK // pairs, _FIRST_ORDERS), _MAX_FIRST_TRIES)


def build_rules_model(problem: Problem, costs: Costs, policy: Policy) -> RoutingModel:
    """The shared routing model of ``problem`` (the way home included) with its rules."""
    model = build_model(problem, costs)
    _add_lateness(model, policy)
    _add_links(model)
    return model


def _add_lateness(model: RoutingModel, policy: Policy) -> None:
    problem, routing = model.problem, model.routing
    rules = problem.rules
    if rules is None or not rules.has_due:
        return
    time_dim = model.time
    late_jobs = [
        (job, copies[0])
        for job, copies in model.layout.job_copies.items()
        if int(rules.job_due[job]) >= 0
    ]
    if policy.lateness_cost_per_minute > 0:
        for job, node in late_jobs:
            time_dim.SetCumulVarSoftUpperBound(
                model.index(node), int(rules.job_due[job]), policy.lateness_cost_per_minute
            )
    if policy.max_lateness_cost_per_minute <= 0 or not late_jobs:
        return
    horizon = int(max(problem.vehicle_end.max(initial=0), problem.job_latest.max(initial=0)))
    zero = int(routing.RegisterUnaryTransitVector([0] * model.layout.n_nodes))
    routing.AddDimension(zero, horizon, horizon, True, "late")
    late = routing.GetDimensionOrDie("late")
    late.SetGlobalSpanCostCoefficient(policy.max_lateness_cost_per_minute)
    solver = routing.solver()
    for job, node in late_jobs:
        index = model.index(node)
        solver.Add(late.CumulVar(index) >= time_dim.CumulVar(index) - int(rules.job_due[job]))


def _add_links(model: RoutingModel) -> None:
    problem, routing, layout = model.problem, model.routing, model.layout
    rules = problem.rules
    if rules is None or not rules.has_links:
        return
    solver = routing.solver()
    time_dim = model.time
    worker_of = [-1, *problem.vehicle_worker.astype(np.int64).tolist()]
    for job in np.flatnonzero(rules.link_to >= 0).tolist():
        copies = layout.job_copies.get(job)
        if copies is None:
            continue
        b = model.index(copies[0])
        other = int(rules.link_to[job])
        before = layout.job_copies.get(other)
        if before is None:
            # The visit it depends on can never be served: neither can this one.
            for node in copies:
                routing.ActiveVar(model.index(node)).SetValue(0)
            continue
        a = model.index(before[0])
        solver.Add(routing.ActiveVar(b) <= routing.ActiveVar(a))
        gap = time_dim.CumulVar(b) - time_dim.CumulVar(a)
        solver.Add(gap >= int(rules.link_min[job]))
        if int(rules.link_max[job]) >= 0:
            solver.Add(gap <= int(rules.link_max[job]))
        kind = int(rules.link_worker[job])
        if kind in (LINK_SAME, LINK_DIFFERENT):
            wa = solver.Element(worker_of, (routing.VehicleVar(a) + 1).Var())
            wb = solver.Element(worker_of, (routing.VehicleVar(b) + 1).Var())
            check = (
                solver.IsEqualVar(wa, wb) if kind == LINK_SAME else solver.IsDifferentVar(wa, wb)
            )
            solver.Add(routing.ActiveVar(b) <= check)


def _search(
    model: RoutingModel,
    seconds: float,
    seed: int,
    warm_start: Solution | None,
    progress: ProgressCallback | None,
    deterministic: bool,
    stop: threading.Event | None,
    began: float,
    stats: dict[str, float],
) -> tuple[Route, ...] | None:
    routing = model.routing
    share = max(seconds * 0.95, 0.05)
    until = time.perf_counter() + share
    params = search_parameters(share)
    del seed  # OR-Tools routing search is deterministic for a given model and limit
    watcher = Watcher(model, _throttled(progress, began), stop)
    routing.AddAtSolutionCallback(watcher)
    checks = None
    if deterministic:
        checks = DETERMINISTIC_CHECKS_PER_COPY * max(len(model.layout.copy_job), 1)
    assignment: Any = None

    def limit_to_what_is_left() -> bool:
        """Limit the next solve to what is left of the share; ``False`` if nothing is."""
        left = until - time.perf_counter()
        params.time_limit.FromMilliseconds(max(int(left * 1000), 1))
        return left > 0

    try:
        with work_limited(routing, checks, None) as work:
            if warm_start is not None:
                routing.CloseModelWithParameters(params)
                # The search restores the start plan's times and breaks inside its limit.
                # ``ReadAssignmentFromRoutes`` restored some plans with breaks by a search
                # that ran to the end of the time limit whatever it was (0.5 s of 0.5, 8 s
                # of 8, on a generated 60-worker home-care round): none was left to search.
                initial = routing.solver().Assignment()
                routes = model.index_routes(warm_start.routes)
                read = routing.RoutesToAssignment(routes, True, True, initial)
                if read and limit_to_what_is_left():
                    assignment = routing.SolveFromAssignmentWithParameters(initial, params)
            if assignment is None and limit_to_what_is_left():
                assignment = routing.SolveWithParameters(params)
    finally:
        watcher.release()
    if work is not None:
        stats["search_checks"] = float(work.count)
        # Only a limit ends guided local search; a search without a start plan that fails
        # ends on its own, before the clock.
        by_clock = time.perf_counter() >= until - share * 0.01
        if not work.reached and not watcher.stopped and by_clock:
            stats["time_capped"] = 1.0
    if watcher.stopped:
        stats["interrupted"] = 1.0
    if assignment is None:
        stats["no_solution"] = 1.0
        return None
    stats["routing_objective"] = float(assignment.ObjectiveValue() + model.offset)
    return read_routes(model, assignment)


def read_routes(model: RoutingModel, assignment: Any) -> tuple[Route, ...]:
    """Routes with the start minutes the assignment holds (the links depend on them)."""
    routing, layout, time_dim = model.routing, model.layout, model.time
    routes: list[Route] = []
    for vehicle in range(model.problem.n_vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
        jobs: list[int] = []
        starts: list[int] = []
        while not routing.IsEnd(index):
            node = model.manager.IndexToNode(index)
            jobs.append(int(layout.copy_job[layout.copy_of_node(node)]))
            starts.append(int(assignment.Min(time_dim.CumulVar(index))))
            index = assignment.Value(routing.NextVar(index))
        if jobs:
            routes.append(Route(vehicle=vehicle, jobs=tuple(jobs), starts=tuple(starts)))
    return tuple(routes)
