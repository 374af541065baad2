"""A lower bound on the objective of any plan: a Lagrangian capacity relaxation.

The relaxation keeps, of all the hard rules, only what a plan must spend:

* a served job needs ``job_team`` eligible vehicles, each paying the member's match cost
  and at least the job's *least incoming travel* on that vehicle (from the vehicle's home,
  or from any job that could come before it: ``earliest_k + duration_k + travel_kj <=
  latest_j``) at the travel rate; an unserved job pays its drop penalty;
* each vehicle spends, over the jobs it serves, at most its shift in service minutes plus
  least incoming travel (every visit is reached by one leg, from home or from the job
  before), at most ``vehicle_max_jobs`` visits and ``vehicle_max_work`` service minutes.

Windows, order and the common start of a team are relaxed away, so every plan that keeps
the rules is a solution of the relaxation and costs at least its optimum. The relaxation
is solved by its Lagrangian dual: the three capacity constraints of each vehicle get a
multiplier, after which each job decides alone (serve with its ``job_team`` cheapest
vehicles at reduced cost, or pay the penalty). *Any* multipliers give a valid bound; a
subgradient ascent (Polyak steps towards the best plan known) raises it for as long as it
is given. Pinned jobs count only the match costs of their pinned workers, and spend no
capacity (a relaxation again: pins may even break rules).

That relaxation lets a shift take a fraction of a job. The column bound
(:class:`~matchmaker.solve._bound_columns.ColumnBound`) keeps whole jobs per shift under
the same caps, and is the stronger on a day that binds (a generated tight 200 x 600 day:
628,691 against 598,399, for a plan of 724,351); the bound is the larger of the two.
Time left once both have settled goes to the column bound's walks
(:meth:`~matchmaker.solve._bound_columns.ColumnBound.walks`): shifts priced also through
time, which a day with room to spare needs; where walks on true legs fit, their time is
kept for them from the start and the column bound only seeds their prices (for
:data:`_SEED_SHARE` of its time), and where only one pricing on them fits, that time is
kept and the walks finish on them. On true legs the walks go by a linear master over the
routes priced (:meth:`~matchmaker.solve._bound_columns.ColumnBound.route_master`), which
converges where an ascent crawls; each shift is priced by its best whole route where that
search stays small (:mod:`~matchmaker.solve._bound_routes`), and the routes
priced can be gathered for the search (``found``).

Where team jobs are many and large the relaxation itself stays far below the plans, however
long it runs: on the generated normal 200 x 600 day (default weights) column generation on
whole routes converges at 177,769 (``benchmarks/bound_ceiling.py``, every shift priced,
200 s) against plans of 222,814-234,011, where this bound reaches 146,912 in 3 s. With the
day's 23 team jobs made ineligible its ceiling is 276,636 against a plan of 293,353, and
this bound reaches 268,534. The relaxation serves nearly all team jobs from fractions of
many shifts; on the master over the routes found, 3-job subset-row cuts lifted it by
0.05% and keeping a team's members on distinct shifts by 0.02%, and a common start indexed
by time would not bind a fractional plan either (half of each of two starts covers both).

The bound is a float sum; it is rounded down, one unit below, so rounding never lifts it
above the true optimum.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._bound_ascent import Ascent
from matchmaker.solve._bound_columns import ColumnBound
from matchmaker.solve._costs import Costs

__all__ = ["capacity_ascent", "column_bound", "least_incoming_travel", "relaxation_bound"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CHUNK = 4_000_000
"""Most (job, job) cells held at once while finding the least incoming travel."""
_MAX_PAIRS = 3_000_000
_MAX_LEG_CELLS = 40_000_000
"""Largest rounds the relaxation is built for: eligible (vehicle, job) pairs, and modes x
jobs x jobs cells scanned for the least incoming travel. Building it for a generated
1500 x 5000 round (2.1 million pairs, 4 modes: 100 million cells) took 13 s on 2 busy
cores, more than a tenth of a 120 s limit, so such a round reports no bound."""


def least_incoming_travel(problem: Problem) -> npt.NDArray[np.int64]:
    """``(M, J)``: least minutes of a leg into each job from any job that could precede it
    (its window allows it to end and travel before the job's latest start), by mode; a
    large number where none can."""
    n_modes, n_jobs = problem.travel_job_job.shape[0], problem.n_jobs
    huge = np.iinfo(np.int64).max // 4
    out = np.full((n_modes, n_jobs), huge, dtype=np.int64)
    if n_jobs == 0:
        return out
    finish = problem.job_earliest.astype(np.int64) + problem.job_duration
    latest = problem.job_latest.astype(np.int64)
    step = max(1, _CHUNK // n_jobs)
    for mode in range(n_modes):
        for low in range(0, n_jobs, step):
            rows = slice(low, min(low + step, n_jobs))
            travel = problem.travel_job_job[mode, rows, :].astype(np.int64)
            can = finish[rows, None] + travel <= latest[None, :]
            index = np.arange(rows.start, rows.stop)
            can[index - low, index] = False
            best = np.where(can, travel, huge).min(axis=0)
            out[mode] = np.minimum(out[mode], best)
    return out


_CAPACITY_SHARE = 0.2
"""Share of the bound's time the capacity relaxation may take first; the column bound
(:mod:`._bound_columns`) has the rest, and when it returns early the relaxation goes on
with what it left, if its steps had not settled. On generated days the relaxation
settles within 0.1-1.9 s, and the column bound is the stronger wherever capacity binds
and on weeks (its ascent on job prices); the relaxation is the stronger on a day that
does not bind (169,067 on the normal 200 x 600 day, 3 s)."""
_SEED_SHARE = 0.1
"""Share of the column bound's time it keeps where walks on true legs fit from the start
(:meth:`~matchmaker.solve._bound_columns.ColumnBound.walks_reserve` keeps all they need):
their bound is then the strongest, and the column bound only seeds their prices.
Measured at the benchmark limits (default weights; the column bound's whole time /
this share): a generated 120 x 900 round over 5 days, 6 s, 223,027 / 267,209 (linear
weights 154,345 / 184,259); normal 60 x 150 of instance seed 2, 3 s, 83,446 / 84,244;
of the usual seed 109,263 / 109,149 (linear 56,891 / 56,992); a tight 60 x 150 and a
20 x 60 day level. A share of 0.03 lost on the week (184,221), 0.15 and 0.2 were
about level with 0.1. In whole routing solves (benchmarks/RESULTS.md, engine-seed-week
and engine-seed-seed2) the week's gap fell from about 20% to 6% with plans better or
level; on the normal 60 x 150 day of instance seed 2 the bound rose 0.9% and the plans
were 0.64% worse with default weights (seeds 1-7). That difference is within the
search's spread: there the column bound settles in 0.36 s of its 2.9 s, so a share of
0.2 and the whole time run the same bound (83,980-84,117, 856-889 routes pooled, seeds
1-4), and their plans were still 0.5% apart on the mean (87,085 against 86,639; this
share 87,225). Larger rounds (200 x 600 and up) do not keep true legs from
the start at the benchmark limits and are unchanged. With more time they do, and then the
bound is not monotone in it: on the normal 200 x 600 day (default weights, a greedy plan as
the target) 146,847 / 146,912 / 138,350 / 159,006 at 3 / 6 / 12 / 24 s, as the route
master from the seed's prices is slow there. Giving the column bound the time not kept
where its seed stayed below the capacity bound was tried: 146,509 at 12 s, but 142,912
at 24 s."""
_TIMED_STEPS = 10_000
"""Most subgradient steps when the bound is given time rather than steps."""
_STEPS_PER_ROUND = 4
"""Subgradient steps a master solve of the column bound counts for, when the bound is
given steps rather than time (deterministic mode)."""

_MAX_ITEMS = 12
_MAX_MINUTES = 1440
"""Largest job count and work minutes the reachable-work table is built for; a vehicle
beyond either keeps its ``vehicle_max_work`` as it is."""


def reachable_work(problem: Problem) -> npt.NDArray[np.int64]:
    """``(V,)``: the most service minutes any set of jobs a vehicle may serve can add up to
    within its caps (at most ``vehicle_max_jobs`` jobs, ``vehicle_max_work`` minutes).

    With one to three long jobs a shift, a cap of 225 minutes and jobs of 60, 120 and 180
    minutes reach 180 at most: the fractional relaxation would fill all 225.
    """
    caps = problem.vehicle_max_work.astype(np.int64).copy()
    shift = (problem.vehicle_end - problem.vehicle_start).astype(np.int64)
    caps = np.minimum(caps, shift)
    if problem.n_jobs == 0 or problem.n_vehicles == 0:
        return caps
    durations, code = np.unique(problem.job_duration, return_inverse=True)
    shortest = int(durations.min())
    items = np.minimum(problem.vehicle_max_jobs.astype(np.int64), caps // max(shortest, 1))
    todo = np.flatnonzero((items <= _MAX_ITEMS) & (caps <= _MAX_MINUTES))
    if todo.size == 0:
        return caps
    width = int(caps[todo].max()) + 1
    depth = int(items[todo].max()) + 1
    counts = np.zeros((todo.size, durations.size), dtype=np.int64)
    rows, jobs = np.nonzero(problem.eligible[todo])
    np.add.at(counts, (rows, code[jobs]), 1)
    reach = np.zeros((todo.size, depth, width), dtype=bool)
    reach[:, 0, 0] = True
    for index, minutes in enumerate(durations.tolist()):
        if minutes >= width:
            continue
        for copy in range(depth - 1):
            use = counts[:, index] > copy
            if not use.any():
                break
            grown = np.zeros_like(reach)
            grown[:, 1:, minutes:] = reach[:, :-1, : width - minutes]
            reach[use] |= grown[use]
    allowed_k = np.arange(depth)[None, :, None] <= items[todo][:, None, None]
    allowed_w = np.arange(width)[None, None, :] <= caps[todo][:, None, None]
    ok = reach & allowed_k & allowed_w
    best = np.where(ok, np.arange(width)[None, None, :], 0).max(axis=(1, 2))
    caps[todo] = best
    return caps


class _Relaxation:
    """The pairs of the relaxation and their coefficients, built once."""

    def __init__(self, problem: Problem, costs: Costs) -> None:
        pinned_job = np.asarray(problem.pinned.any(axis=0))
        vehicles, jobs = np.nonzero(problem.eligible & ~pinned_job[None, :])
        order = np.lexsort((vehicles, jobs))
        self.vehicle = vehicles[order].astype(np.int64)
        self.job = jobs[order].astype(np.int64)
        incoming = least_incoming_travel(problem)
        mode = problem.vehicle_mode[self.vehicle]
        leg = np.minimum(
            problem.travel_home_job[self.vehicle, self.job].astype(np.int64),
            incoming[mode, self.job],
        )
        duration = problem.job_duration[self.job].astype(np.float64)
        worker = problem.vehicle_worker[self.vehicle]
        self.cost = (costs.match_cost[worker, self.job] + costs.travel_rate * leg).astype(
            np.float64
        )
        self.leg = leg
        self.time = duration + leg
        self.work = duration
        self.capacity = (problem.vehicle_end - problem.vehicle_start).astype(np.float64)
        self.max_jobs = problem.vehicle_max_jobs.astype(np.float64)
        self.max_work = reachable_work(problem).astype(np.float64)
        self.n_vehicles = problem.n_vehicles

        penalty = costs.drop_penalty.astype(np.float64)
        team = problem.job_team.astype(np.int64)
        # Pinned jobs: the match costs of their pinned workers, whatever else happens.
        pv, pj = np.nonzero(problem.pinned)
        self.constant = float(costs.match_cost[problem.vehicle_worker[pv], pj].sum())
        free = ~pinned_job
        self.constant += float(penalty[free].sum())

        counts = np.bincount(self.job, minlength=problem.n_jobs)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        servable = free & (counts >= team) & (counts > 0)
        singles = np.flatnonzero(servable & (team == 1))
        self.single_jobs = singles
        self.single_starts = starts[singles]
        self.single_penalty = penalty[singles]
        # Pairs of single jobs, laid out so reduceat works on consecutive segments.
        self.single_mask = np.isin(self.job, singles)
        self.single_pairs = np.flatnonzero(self.single_mask)
        single_counts = counts[singles]
        self.single_offsets = np.concatenate(([0], np.cumsum(single_counts)[:-1]))

        teams = np.flatnonzero(servable & (team > 1))
        self.team_penalty = penalty[teams]
        self.team_size = team[teams]
        width = int(counts[teams].max(initial=1))
        index = np.full((teams.size, width), -1, dtype=np.int64)
        for row, job in enumerate(teams.tolist()):
            index[row, : counts[job]] = np.arange(starts[job], starts[job] + counts[job])
        self.team_index = index

    def evaluate(self, prices: Sequence[FloatArray]) -> tuple[float, list[FloatArray]]:
        """The dual value at these multipliers (time, visits, work of each vehicle) and its
        subgradients, in that order."""
        time_price, visit_price, work_price = prices
        reduced = (
            self.cost
            + time_price[self.vehicle] * self.time
            + visit_price[self.vehicle]
            + work_price[self.vehicle] * self.work
        )
        chosen = np.zeros(self.cost.size, dtype=bool)
        value = self.constant
        if self.single_jobs.size:
            segment = reduced[self.single_pairs]
            best = np.minimum.reduceat(segment, self.single_offsets)
            gain = np.minimum(best - self.single_penalty, 0.0)
            value += float(gain.sum())
            take = gain < 0.0
            owner = np.repeat(
                np.arange(self.single_jobs.size), np.diff(np.r_[self.single_offsets, segment.size])
            )
            hit = take[owner] & (segment == best[owner])
            rows = self.single_pairs[hit]
            first = np.unique(owner[hit], return_index=True)[1]
            chosen[rows[first]] = True
        if self.team_index.size:
            padded = np.where(self.team_index >= 0, reduced[self.team_index], np.inf)
            width = padded.shape[1]
            ranked = np.argsort(padded, axis=1, kind="stable")
            smallest = np.take_along_axis(padded, ranked, axis=1)
            keep = np.arange(width)[None, :] < self.team_size[:, None]
            total = np.where(keep, smallest, 0.0).sum(axis=1)
            gain = np.minimum(total - self.team_penalty, 0.0)
            value += float(gain.sum())
            take = (gain < 0.0)[:, None] & keep
            picked = np.take_along_axis(self.team_index, ranked, axis=1)[take]
            chosen[picked] = True
        value -= float(
            (time_price * self.capacity).sum()
            + (visit_price * self.max_jobs).sum()
            + (work_price * self.max_work).sum()
        )
        v = self.vehicle[chosen]
        n = self.n_vehicles
        used_time = np.bincount(v, weights=self.time[chosen], minlength=n) - self.capacity
        used_visits = np.bincount(v, minlength=n).astype(np.float64) - self.max_jobs
        used_work = np.bincount(v, weights=self.work[chosen], minlength=n) - self.max_work
        return value, [used_time, used_visits, used_work]


def relaxation_bound(
    problem: Problem,
    costs: Costs,
    upper: int,
    seconds: float,
    *,
    iterations: int | None = None,
    found: dict[tuple[int, tuple[int, ...]], None] | None = None,
) -> int | None:
    """A lower bound on the objective of every plan of ``problem`` (module docstring),
    raised for ``seconds`` towards ``upper``, the objective of a known plan. ``None`` when
    the round is too large to build the relaxation.

    With ``iterations`` the bound is work, not a share of the clock (deterministic mode):
    the ascent takes its ``iterations`` steps first, the column bound its rounds after, and
    ``seconds`` only caps the whole. ``found``, when given, gathers the routes the
    bound priced (:attr:`~matchmaker.solve._bound_shifts._Shifts.found`): good routes
    at the prices of the jobs, which a search may not have seen."""
    began = time.perf_counter()
    if problem.n_jobs == 0:
        return 0
    cells = problem.travel_job_job.shape[0] * problem.n_jobs**2
    if int(problem.eligible.sum()) > _MAX_PAIRS or cells > _MAX_LEG_CELLS:
        return None
    relaxation = _Relaxation(problem, costs)
    steps = _TIMED_STEPS if iterations is None else iterations
    rounds = max(1, steps // _STEPS_PER_ROUND)
    first = seconds * _CAPACITY_SHARE if iterations is None else seconds
    ascent = capacity_ascent(relaxation, upper)
    best = ascent.run(first - (time.perf_counter() - began), steps)
    left = seconds - (time.perf_counter() - began)
    columns = column_bound(problem, costs, relaxation)
    columns.shifts.found = found
    # Walks go by the clock only (steps alone decide a bound given steps); where true
    # legs fit the time, it is kept for them.
    kept = 0.0 if iterations is not None else columns.walks_reserve(left)
    seeding = 0 < columns.true_legs_need <= kept  # never with steps: nothing is kept
    share = _SEED_SHARE if seeding else 1.0
    best = max(best, columns.run((left - kept) * share, rounds, floor=best, upper=upper))
    # The column bound returns early when it converges or its own ascent settles: this
    # one, if still rising, has the rest (unless walks on true legs have it), then the
    # walks.
    left = seconds - (time.perf_counter() - began) - kept
    if not ascent.settled and left > 0 and not seeding:
        best = max(best, ascent.run(left, steps))
    left = seconds - (time.perf_counter() - began)
    if iterations is None and left > 0:
        need, finish = columns.true_legs_need, columns.true_legs_finish
        true_legs = kept >= need or need <= left
        if not true_legs and (kept > 0 or finish <= left):
            # Walks on least legs first; the finish on true legs then starts from their
            # best prices (and prices whole routes, which the search pools).
            if left > finish:
                best = max(best, columns.walks(left - finish, steps, upper, true_legs=False))
            left, true_legs = seconds - (time.perf_counter() - began), True
        best = max(best, columns.walks(left, steps, upper, true_legs=true_legs))
    if not math.isfinite(best):
        return None
    # One unit of slack for float rounding in sums of up to millions of terms.
    return math.floor(best - max(1.0, 1e-9 * abs(best)))


def column_bound(
    problem: Problem, costs: Costs, relaxation: _Relaxation | None = None
) -> ColumnBound:
    """The column bound of ``problem`` on the pairs of its capacity relaxation
    (``relaxation``, built when not given)."""
    if relaxation is None:
        relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    return ColumnBound(problem, costs, pairs, relaxation.constant, relaxation.leg)


def capacity_ascent(relaxation: _Relaxation, upper: int) -> Ascent:
    """The ascent on the capacity relaxation's dual, from zero prices towards ``upper``."""
    n = relaxation.n_vehicles
    return Ascent(relaxation.evaluate, [np.zeros(n), np.zeros(n), np.zeros(n)], upper)
