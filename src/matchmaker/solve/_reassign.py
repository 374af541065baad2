"""Whole routes handed to the shifts they suit best: a min-cost assignment of the plan's
visit sequences to shifts.

On a day that binds, most shifts serve one to three jobs, so most travel is the leg from
home, and which worker drives a route matters as much as its order. Ruin and recreate
places jobs one at a time and the polish moves visits between routes a few at a time; to
hand a route to another worker whose own route would suit the first, both routes must move
at once, through a worse plan in between. This step prices every route of the plan on
every shift that could drive it (the same visits in the same order, each started as early
as it can be) and picks, by a min-cost flow, the cheapest way to give each route a shift of
its own: the optimum over all such exchanges at once, in a fraction of a second.

The search (:class:`~matchmaker.solve._round_search.RoundSearch`) runs it once, last.
Measured there (generated rounds, routing, no match cost, scratch runs): it cut travel by
0.1-0.8% on a tight 200 x 600 day (30 s, seeds 1-2), 0.7-1.1% on a 200-worker week (30 s,
seeds 1-2), 3.2% on a tight 600 x 2000 day (120 s, seed 1) and 1.6-1.8% on 1500 x 5000
(120 s, two runs, in 0.19 s), and by less than 0.1% on the normal 200 x 600 and 600 x 2000
days, whose routes it mostly left alone.

A route is kept where it is when it holds a team job (its members start together) or a
pinned job; so are their shifts. The same jobs stay served, so only travel and match costs
change, and the new plan is returned only when it costs less.

The check of a route on a shift keeps every rule a plan without home-care rules and
without limits across days must keep (``eligible``, the shift, the job windows, the caps
on jobs and work); the caller does not use this step on other rounds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchmaker.compile import Problem
from matchmaker.solve._costs import Costs
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import Route

__all__ = ["reassign", "route_prices"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_CELLS = 4_000_000
"""Most (route, shift, visit) cells priced at once."""


def reassign(problem: Problem, costs: Costs, routes: tuple[Route, ...]) -> tuple[Route, ...] | None:
    """``routes`` with each movable sequence on the shift that makes the plan cheapest, or
    ``None`` when no exchange lowers its cost."""
    team_or_pinned = (problem.job_team > 1) | problem.pinned_jobs
    movable = [r for r in routes if r.jobs and not team_or_pinned[list(r.jobs)].any()]
    if not movable:
        return None
    held = {r.vehicle for r in routes if r.jobs} - {r.vehicle for r in movable}
    shifts = np.setdiff1d(np.arange(problem.n_vehicles), np.fromiter(held, dtype=np.int64))
    cost, feasible = route_prices(problem, costs, [r.jobs for r in movable], shifts)
    now = np.searchsorted(shifts, [r.vehicle for r in movable])
    current = int(cost[np.arange(len(movable)), now].sum())
    choice = _cheapest_assignment(cost, feasible)
    if choice is None or int(cost[np.arange(len(movable)), choice].sum()) >= current:
        return None
    sequences = {r.vehicle: r.jobs for r in routes if r.jobs and r.vehicle in held}
    for route, column in zip(movable, choice.tolist(), strict=True):
        sequences[int(shifts[column])] = route.jobs
    return routes_with_starts(problem, sequences)


def route_prices(
    problem: Problem, costs: Costs, sequences: list[tuple[int, ...]], shifts: IntArray
) -> tuple[IntArray, BoolArray]:
    """``(R, S)`` cost (travel at the travel rate plus match costs) of each sequence driven
    by each of ``shifts`` with every visit started as early as it can be, and whether that
    keeps the rules; priced a position at a time over all pairs."""
    n_routes, n_shifts = len(sequences), len(shifts)
    cost = np.zeros((n_routes, n_shifts), dtype=np.int64)
    feasible = np.zeros((n_routes, n_shifts), dtype=bool)
    longest = max(len(s) for s in sequences)
    step = max(1, _CELLS // max(n_shifts * longest, 1))
    for low in range(0, n_routes, step):
        rows = slice(low, min(low + step, n_routes))
        cost[rows], feasible[rows] = _price_block(problem, costs, sequences[rows], shifts)
    return cost, feasible


def _price_block(
    problem: Problem, costs: Costs, sequences: list[tuple[int, ...]], shifts: IntArray
) -> tuple[IntArray, BoolArray]:
    longest = max(len(s) for s in sequences)
    jobs = np.zeros((len(sequences), longest), dtype=np.int64)
    present = np.zeros((len(sequences), longest), dtype=bool)
    for row, sequence in enumerate(sequences):
        jobs[row, : len(sequence)] = sequence
        present[row, : len(sequence)] = True
    workers = problem.vehicle_worker[shifts].astype(np.int64)
    modes = problem.vehicle_mode[shifts].astype(np.int64)
    eligible = problem.eligible[shifts[None, :, None], jobs[:, None, :]]  # (R, S, L)
    ok = (eligible | ~present[:, None, :]).all(axis=2)
    count = present.sum(axis=1)
    work = np.where(present, problem.job_duration[jobs], 0).sum(axis=1)
    ok &= count[:, None] <= problem.vehicle_max_jobs[shifts][None, :]
    ok &= work[:, None] <= problem.vehicle_max_work[shifts][None, :]
    clock = np.broadcast_to(problem.vehicle_start[shifts].astype(np.int64), ok.shape).copy()
    travel = np.zeros(ok.shape, dtype=np.int64)
    match = np.zeros(ok.shape, dtype=np.int64)
    for position in range(longest):
        job, here = jobs[:, position], present[:, position]
        if position == 0:
            leg = problem.travel_home_job[shifts[None, :], job[:, None]]
        else:
            before = jobs[:, position - 1]
            leg = problem.travel_job_job[modes[None, :], before[:, None], job[:, None]]
        leg = leg.astype(np.int64)
        start = np.maximum(clock + leg, problem.job_earliest[job].astype(np.int64)[:, None])
        ok &= ~here[:, None] | (start <= problem.job_latest[job][:, None])
        clock = np.where(here[:, None], start + problem.job_duration[job][:, None], clock)
        travel += np.where(here[:, None], leg, 0)
        match += np.where(here[:, None], costs.match_cost[workers[None, :], job[:, None]], 0)
    ok &= clock <= problem.vehicle_end[shifts][None, :]
    return costs.travel_rate * travel + match, ok


def _cheapest_assignment(cost: IntArray, feasible: BoolArray) -> IntArray | None:
    """Per row, the column of a min-cost assignment of every row to a distinct column among
    the feasible cells (``None`` if there is none)."""
    n_rows, n_columns = cost.shape
    rows, columns = np.nonzero(feasible)
    source, sink = n_rows + n_columns, n_rows + n_columns + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    all_rows, all_columns = np.arange(n_rows), np.arange(n_columns)
    tails = np.concatenate([np.full(n_rows, source), rows, n_rows + all_columns])
    heads = np.concatenate([all_rows, n_rows + columns, np.full(n_columns, sink)])
    unit = np.concatenate([np.zeros(n_rows), cost[rows, columns], np.zeros(n_columns)])
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(len(tails), dtype=np.int64), unit.astype(np.int64)
    )
    flow.set_nodes_supplies(np.asarray([source, sink]), np.asarray([n_rows, -n_rows]))
    if flow.solve() != flow.OPTIMAL:
        return None
    used = flow.flows(arcs[n_rows : n_rows + len(rows)]) > 0
    choice = np.full(n_rows, -1, dtype=np.int64)
    choice[rows[used]] = columns[used]
    return choice
