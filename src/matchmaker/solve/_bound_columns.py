"""A lower bound by column generation over shift knapsacks: whole jobs per shift.

The capacity relaxation of :mod:`matchmaker.solve._bound` lets a shift take a fraction of
a job; on a day that binds, where a shift holds one to three long jobs under a cap of a
few hours, that fraction is most of the gap. This bound keeps whole jobs. It relaxes
every rule of the :class:`~matchmaker.compile.Problem` except:

* a served job gets ``job_team`` eligible shifts, each paying the member's match cost and
  its least incoming travel at the travel rate (as in :mod:`matchmaker.solve._bound`);
  an unserved job pays its drop penalty;
* a shift serves at most ``vehicle_max_jobs`` jobs whose service minutes add up to at
  most ``min(vehicle_max_work, shift length)``, counted in whole units (a unit divides
  every duration, or durations are rounded *down* to units, which only relaxes the cap);
  the shift's pinned visits come off both caps first (they stay on it in every plan: on
  generated tight 60 x 150 and 200 x 600 days, where a shift holds about 200 minutes of
  work, this lifted the bound by 8% on both).

With a price ``pi[j] >= 0`` on covering job ``j``, the Lagrangian function::

    L(pi) = sum_j P_j + sum_j min(0, team_j * pi_j - P_j)
          + sum_shifts min over the shift's job sets S of sum_{j in S} (cost_vj - pi_j)

is a lower bound for *any* prices (each shift's minimum is an exact knapsack,
:func:`~matchmaker.solve._bound_kernel.price_shifts`). The prices come from the linear
master over the job sets found so far (columns), solved by GLOP and grown by the sets the
prices favour, as in Dantzig-Wolfe decomposition: the master's duals are the prices, and
the bound is the best ``L`` seen. Where the master is too slow (large rounds), a
subgradient ascent on the prices (:mod:`._bound_ascent`) finds them instead. Whatever
the prices are, the bound is computed from ``L``, so it is valid even when either stops
early.

A shift's best job set ignores time: on a day with room to spare it holds jobs whose
windows overlap, or leave no time for the legs between them. :meth:`ColumnBound.walks`
prices each shift also as a walk through time: visits in order, each starting in its
job's window at least its least incoming leg after the shift's start or the visit
before, all ending by the shift's end, at most ``vehicle_max_jobs`` of them
(:func:`~matchmaker.solve._bound_kernel.price_walks`). A walk may visit a job twice and
keeps no work cap, so neither pricing bounds the other; a shift's best route costs at
least the larger of the two, and that larger value is the shift's term of ``L``. Where
the time affords it, a walk also keeps its last visit, so that each leg is the true one
(the shortest path from home or from the visit before, at the travel rate) and no job
comes twice in a row; that time is then kept for the walks from the start
(:meth:`ColumnBound.walks_reserve`). On true legs each shift is priced also by its best
whole route (:mod:`matchmaker.solve._bound_routes`: no job twice, the work cap, its pinned
visits at their starts), where that search stays within :data:`MAX_LABELS` (and
:data:`~matchmaker.solve._bound_routes.LOOKS_PER_LABEL`). With it the
bound at 10% of the limit rose, against the walks alone, from 45,746 to 52,314 on a
generated 20 x 60 round (optimum 53,493), from 103,633 to 106,919 on a normal 60 x 150 day
(plan 109,560) and from 77,475 to 80,637 on another (instance seed 2, plan 91,293).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from functools import cached_property, partial
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._bound_ascent import Ascent
from matchmaker.solve._bound_legs import JobGroups, shortest_legs
from matchmaker.solve._bound_master import Master
from matchmaker.solve._costs import Costs

__all__ = ["ColumnBound"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
AnyInts = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]

MAX_UNITS = 240
"""Most work units a shift's cap is counted in; beyond it, units grow (and durations are
rounded down to them) so that one pricing stays a few milliseconds a shift."""


class Legs(NamedTuple):
    """The legs of a walk (:func:`~matchmaker.solve._bound_kernel.price_walks`)."""

    exact: bool
    """True legs (the arrays below, the walk holding its last visit), else least legs."""
    home: AnyInts
    """(V, J): minutes from the shift's home to each job."""
    travel: AnyInts
    """(M, J, J): minutes between jobs, by mode."""
    mode: AnyInts
    """(V,): the shift's mode."""
    rate: float
    """The cost of a travel minute."""


class _Shifts:
    """The pairs of free servable jobs, grouped by shift, and their knapsack data."""

    def __init__(
        self,
        problem: Problem,
        costs: Costs,
        vehicle: IntArray,
        job: IntArray,
        cost: FloatArray,
        least_leg: IntArray | None = None,
    ) -> None:
        penalty = costs.drop_penalty.astype(np.float64)
        team = problem.job_team.astype(np.int64)
        counts = np.bincount(job, minlength=problem.n_jobs)
        servable = (counts >= team) & (counts > 0)
        keep = servable[job]
        order = np.lexsort((job[keep], vehicle[keep]))
        self.vehicle = vehicle[keep][order]
        self.job = job[keep][order]
        self.cost = cost[keep][order]
        self.offsets = np.searchsorted(self.vehicle, np.arange(problem.n_vehicles + 1))
        self.jobs = np.flatnonzero(servable)
        self.penalty = penalty[self.jobs]
        self.team = team[self.jobs]
        durations = problem.job_duration.astype(np.int64)
        # A pinned visit stays on its shift: its minutes and its place come off the caps.
        pinned = np.asarray(problem.pinned, dtype=np.int64)
        cap = (
            np.minimum(
                problem.vehicle_max_work.astype(np.int64),
                (problem.vehicle_end - problem.vehicle_start).astype(np.int64),
            )
            - pinned @ durations
        )
        unit = int(np.gcd.reduce(durations[self.jobs])) if self.jobs.size else 1
        unit = max(unit, 1, math.ceil(int(cap.max(initial=0)) / MAX_UNITS))
        self.units = durations[self.job] // unit
        self.cap = np.maximum(cap, 0) // unit
        self.max_jobs = np.maximum(
            problem.vehicle_max_jobs.astype(np.int64) - pinned.sum(axis=1), 0
        )
        self.index = np.full(problem.n_jobs, -1, dtype=np.int64)
        self.index[self.jobs] = np.arange(self.jobs.size)
        self.value = np.zeros(problem.n_vehicles)
        self.chosen = np.zeros(self.job.size, dtype=bool)
        self.chosen_cost = np.zeros(problem.n_vehicles)
        """What each shift's chosen set costs (:meth:`price`): its value with the prices
        of its jobs added back, so a route's legs are the ones it was priced on."""
        # Least minutes into each pair's job (``None``: no walks), and the times a walk
        # keeps: windows of the job's start, durations and shift bounds.
        self.least_leg = None if least_leg is None else least_leg[keep][order].astype(np.int64)
        self.earliest = problem.job_earliest.astype(np.int64)
        self.latest = problem.job_latest.astype(np.int64)
        self.duration = durations
        self.shift_start = problem.vehicle_start.astype(np.int64)
        self.shift_end = problem.vehicle_end.astype(np.int64)
        # Least legs until use_true_legs: only the travel arrays as the round has them.
        self.legs = Legs(
            exact=False,
            home=problem.travel_home_job,
            travel=problem.travel_job_job,
            mode=problem.vehicle_mode,
            rate=float(costs.travel_rate),
        )
        # The jobs a shift's route could pass: those it may take.
        self.groups = JobGroups.of(problem.eligible | problem.pinned)
        # Whole routes (on true legs): the pinned visits each shift makes, the caps in
        # visits and minutes with them.
        pin_vehicle, pin_job = np.nonzero(problem.pinned)
        self.pin_offsets = np.searchsorted(pin_vehicle, np.arange(problem.n_vehicles + 1))
        self.pin_job = pin_job.astype(np.int64)
        self.pin_start = problem.job_pinned_start.astype(np.int64)
        self.route_visits = problem.vehicle_max_jobs.astype(np.int64)
        self.route_minutes = np.minimum(
            problem.vehicle_max_work.astype(np.int64), self.shift_end - self.shift_start
        )
        self.found: dict[tuple[int, tuple[int, ...]], None] | None = None
        """When a dict, the routes priced (shift, jobs in order) are kept in it."""
        self.max_labels = MAX_LABELS
        """Most labels one shift's route pricing keeps (:data:`MAX_LABELS`)."""
        self.routed = np.zeros(problem.n_vehicles, dtype=bool)
        """The shifts the last pricing with walks priced by their best route."""

    def true_legs_seconds(self, pricings: float) -> float:
        """Seconds that the shortest paths :meth:`use_true_legs` needs take, and then
        ``pricings`` pricings on true legs if every pair improved, at the rates measured
        (:data:`PATH_CELLS_PER_SECOND`, :data:`WALK_TRIES_PER_SECOND`). A visit is tried
        from each count of visits and last visit, but only in the slots its window spans
        (:func:`~matchmaker.solve._bound_kernel.price_walks`)."""
        pairs = np.diff(self.offsets)
        length = (self.shift_end - self.shift_start)[self.vehicle]
        window = (self.latest - self.earliest)[self.job]
        slots = np.minimum(window, length) // WALK_SLOT + 2
        spans = np.bincount(self.vehicle, weights=slots, minlength=pairs.size)
        tries = float((spans * np.minimum(self.max_jobs, pairs) * (pairs + 1)).sum())
        cells = self.groups.path_cells(int(self.legs.travel.shape[0]))
        return cells / PATH_CELLS_PER_SECOND + pricings * tries / WALK_TRIES_PER_SECOND

    def use_true_legs(self) -> None:
        """Walks from now on take true legs, the shortest paths over the round's travel
        minutes (:func:`~matchmaker.solve._bound_legs.shortest_legs`)."""
        legs = self.legs
        home, travel = shortest_legs(legs.home, legs.travel, legs.mode, self.groups)
        # The round's own integer type: one compiled pricing serves both kinds of walks.
        self.legs = legs._replace(
            exact=True, home=home.astype(legs.home.dtype), travel=travel.astype(legs.travel.dtype)
        )

    def price(self, prices: FloatArray, *, walks: bool = False) -> float:
        """``L`` at ``prices`` (one per servable job), less the constant; the best set of
        each shift is left in :attr:`value` and :attr:`chosen`. With ``walks`` a shift's
        value is the larger of its best set's and its best walk's (both bound its best
        route from below), on true legs its best route's instead of its walk's where that
        is priced (:meth:`_price_routes`), and the larger one's pairs are the ones
        marked."""
        # numba loads on first use, so that choosing a backend stays quick.
        from matchmaker.solve._bound_kernel import price_shifts, price_walks

        full = np.zeros(self.index.size)
        full[self.jobs] = prices
        price_shifts(
            self.offsets, self.job, self.cost, self.units, full, self.max_jobs, self.cap,
            self.value, self.chosen,
        )  # fmt: skip
        if walks and self.least_leg is not None:
            # A shift whose best route is priced needs no walk: a route is a walk.
            routed = np.zeros(self.value.size, dtype=bool)
            if self.legs.exact:
                routed = self._price_routes(full, self.least_leg)
            self.routed = routed
            value, chosen = np.zeros_like(self.value), np.zeros_like(self.chosen)
            price_walks(
                self.offsets, self.job, self.cost, self.least_leg, full, self.earliest,
                self.latest, self.duration, self.shift_start, self.shift_end, self.max_jobs,
                WALK_SLOT, self.legs, routed, value, chosen,
            )  # fmt: skip
            tighter = ~routed & (value > self.value)
            self.value = np.where(tighter, value, self.value)
            self.chosen = np.where(tighter[self.vehicle], chosen, self.chosen)
        picked = np.flatnonzero(self.chosen)
        collected = np.bincount(
            self.vehicle[picked], weights=full[self.job[picked]], minlength=self.value.size
        )
        self.chosen_cost = self.value + collected
        serve = np.minimum(self.team * prices - self.penalty, 0.0)
        return float(serve.sum() + self.value.sum())

    def _price_routes(self, full: FloatArray, least_leg: IntArray) -> BoolArray:
        """Each shift's best route (:func:`~matchmaker.solve._bound_routes.price_routes`)
        where it prices within :attr:`max_labels` and beats its value so far; the shifts
        priced."""
        from matchmaker.solve._bound_routes import price_routes

        value, chosen = np.zeros_like(self.value), np.zeros_like(self.chosen)
        priced = np.zeros(self.value.size, dtype=bool)
        position = np.empty(self.job.size, dtype=np.int64)
        price_routes(
            self.offsets, self.job, self.cost, least_leg, full, self.earliest,
            self.latest, self.duration, self.pin_offsets, self.pin_job, self.pin_start,
            self.shift_start, self.shift_end, self.route_visits, self.route_minutes,
            self.legs, self.max_labels, value, chosen, priced, position,
        )  # fmt: skip
        # A pinned visit has no pair, so a shift with pins would be kept without them.
        whole = np.diff(self.pin_offsets) == 0
        self._keep_routes(priced & whole & (value < 0.0), position)
        # At a tie the route is the column: a set may cost less than any route holding it.
        tighter = priced & (value >= self.value)
        self.value = np.where(tighter, value, self.value)
        self.chosen = np.where(tighter[self.vehicle], chosen, self.chosen)
        return priced

    def pin_routes(self) -> FloatArray:
        """What each shift's route through its pinned visits alone costs on true legs: 0
        for a shift without pins, and where that route does not price (the master's
        columns are costed above it, :class:`~matchmaker.solve._bound_master.Master`).
        Call after :meth:`use_true_legs`."""
        from matchmaker.solve._bound_routes import price_routes

        value = np.zeros_like(self.value)
        priced = np.zeros(self.value.size, dtype=bool)
        if self.least_leg is None or self.pin_job.size == 0:
            return value
        # Prices below every pair's cost: no free visit can lower a route's cost.
        lowest = min(float((self.cost - self.legs.rate * self.least_leg).min(initial=0.0)), 0.0)
        full = np.full(self.index.size, lowest - 1.0)
        price_routes(
            self.offsets, self.job, self.cost, self.least_leg, full, self.earliest,
            self.latest, self.duration, self.pin_offsets, self.pin_job, self.pin_start,
            self.shift_start, self.shift_end, self.route_visits, self.route_minutes,
            self.legs, self.max_labels, value, np.zeros_like(self.chosen), priced,
            np.empty(self.job.size, dtype=np.int64),
        )  # fmt: skip
        return np.where(priced, value, 0.0)

    def _keep_routes(self, shifts: BoolArray, position: IntArray) -> None:
        """Add the routes priced for ``shifts`` (their pairs in ``position`` order) to
        :attr:`found`, when it is a dict, until it holds :data:`MAX_FOUND_ROUTES`."""
        found = self.found
        if found is None:
            return
        pairs = np.flatnonzero((position >= 0) & shifts[self.vehicle])
        if pairs.size == 0:
            return
        pairs = pairs[np.lexsort((position[pairs], self.vehicle[pairs]))]
        owners = self.vehicle[pairs]
        cuts = np.flatnonzero(np.diff(owners)) + 1
        routes = np.split(self.job[pairs], cuts)
        for vehicle, jobs in zip(owners[np.r_[0, cuts]].tolist(), routes, strict=True):
            if len(found) >= MAX_FOUND_ROUTES:
                return
            found.setdefault((vehicle, tuple(jobs.tolist())), None)

    def dual(
        self, prices: Sequence[FloatArray], *, walks: bool = False
    ) -> tuple[float, list[FloatArray]]:
        """``L`` less the constant at ``prices`` (one array, one price per servable job),
        and its subgradient: the members each job's choice asks for (``job_team`` when
        serving it pays at its price, else 0) less the shifts whose best set holds it;
        ``walks`` as in :meth:`price`."""
        (price,) = prices
        value = self.price(price, walks=walks)
        held = np.bincount(self.index[self.job[self.chosen]], minlength=self.jobs.size)
        asked = np.where(self.team * price < self.penalty, self.team, 0)
        return value, [(asked - held).astype(np.float64)]


class ColumnBound:
    """The column bound of one round: ``pairs`` are its eligible (shift, free job) pairs and
    their costs, ``constant`` the drop penalties of the free jobs and the pinned match
    costs; ``least_legs`` (the least minutes into each pair's job) allow :meth:`walks`."""

    def __init__(
        self,
        problem: Problem,
        costs: Costs,
        pairs: tuple[IntArray, IntArray, FloatArray],
        constant: float,
        least_legs: IntArray | None = None,
    ) -> None:
        self.shifts = _Shifts(problem, costs, *pairs, least_legs)
        self.constant = constant
        self.n_vehicles = problem.n_vehicles
        self.prices = self.shifts.penalty / self.shifts.team
        """The best prices found (the start before any)."""
        self.best = -math.inf
        """``L`` at :attr:`prices`, less the constant."""

    def run(
        self, seconds: float, rounds: int, *, floor: float = 0.0, upper: float | None = None
    ) -> float:
        """The best ``L`` (module docstring) found in ``seconds`` or ``rounds`` master
        solves, plus the constant.

        With ``upper`` (the objective of a known plan) a subgradient ascent on the job
        prices (:meth:`_Shifts.dual`) takes the first :data:`ASCENT_SHARE` of the time: it
        prices the shifts alone and solves no master, whose solves grow too slow on a large
        round. The master has the rest; halfway through it, the master stops unless its
        bound is above ``floor`` (a bound known already), the ascent's and 0, and the
        ascent goes on. Measured with the dataset's own policy and a greedy plan as
        ``upper`` (bound before / after): a generated 600 x 2000 tight day at 9.6 s,
        1.85 / 2.51 million; the 200-worker week at 3 s, 1.78 / 1.96 million (its master
        alone reached 2.07 million only after 181 s); on the tight 60 x 150 and 200 x 600
        days the ascent settles early and the master converges (255,719 and 800,720
        either way)."""
        began = time.perf_counter()
        shifts, constant = self.shifts, self.constant
        if shifts.jobs.size == 0:
            self.best = 0.0
            return constant
        # The ascent climbs first (it settles early where the master is the better), the
        # master has the rest, and hands it back when it has not caught up halfway through.
        first = self.prices
        ascent = None if upper is None else Ascent(shifts.dual, [first], upper - constant)
        steps = max(rounds, 1) * ASCENT_STEPS_PER_ROUND
        if ascent is not None:
            ascent.run(seconds * ASCENT_SHARE, int(steps * ASCENT_SHARE))
        rest = seconds - (time.perf_counter() - began)
        master = Master(shifts, self.n_vehicles)
        duals = (first, np.zeros(self.n_vehicles))
        centre, best = duals[0], -math.inf
        halfway = False
        for done in range(max(rounds, 1)):
            # Prices between the best seen and the master's duals (Wentges' smoothing): the
            # duals alone swing from round to round and the bound climbs slowly.
            trial = SMOOTHING * centre + (1.0 - SMOOTHING) * duals[0]
            for prices in (trial, duals[0]):
                value = shifts.price(prices)
                if value > best:
                    best, centre = value, prices
                added = master.add_columns(*duals)
                if added:
                    break
            elapsed = time.perf_counter() - began
            if added == 0 or elapsed >= seconds:
                break
            climbed = -math.inf if ascent is None else ascent.best
            if not halfway and (elapsed >= seconds - rest / 2 or 2 * (done + 1) >= rounds):
                halfway = True
                if constant + best <= max(floor, constant + climbed, 0.0):
                    if ascent is not None:
                        ascent.run(seconds - elapsed, steps)
                    break
            solved = master.solve()
            if solved is None:
                break
            duals = solved
        self._keep(best, centre)
        if ascent is not None:
            self._keep(ascent.best, ascent.best_prices[0])
        return constant + self.best

    @property
    def _walkable(self) -> bool:
        """Whether the round has walks to price: least legs were given, and free jobs."""
        return self.shifts.least_leg is not None and self.shifts.jobs.size > 0

    @cached_property
    def true_legs_need(self) -> float:
        """Seconds walks on true legs need (:meth:`_Shifts.true_legs_seconds`, with
        :data:`TRUE_LEGS_PRICINGS` worst pricings); infinite where the round has no walks."""
        if not self._walkable:
            return math.inf
        return self.shifts.true_legs_seconds(TRUE_LEGS_PRICINGS)

    @cached_property
    def true_legs_finish(self) -> float:
        """Seconds walks on true legs need for :data:`FINISH_PRICINGS` pricings only;
        infinite where the round has no walks. Where the whole ascent on true legs does not
        fit, one pricing at the best prices still lifts the bound: on generated 200 x 600
        days, from the column bound's prices, 138,709 against 138,350 from walks on least
        legs (normal) and 678,744 against 676,404 (tight), in 0.2-0.3 s of shortest paths
        and 0.4-0.7 s a pricing."""
        if not self._walkable:
            return math.inf
        return self.shifts.true_legs_seconds(FINISH_PRICINGS)

    def walks_reserve(self, seconds: float) -> float:
        """Of ``seconds`` for the column bound and its walks, what to keep for walks on
        true legs: :attr:`true_legs_need` where it fits :data:`WALKS_RESERVE_SHARE` of
        them, else nothing. On a generated 120 x 900 round over 5 days a 6 s bound so
        reaches 294,909, against 266,680 when the column bound took all but 1 s (the walks
        then on least legs: true legs, about 2 s of shortest paths first, did not fit)."""
        need = self.true_legs_need
        if need <= WALKS_RESERVE_SHARE * seconds:
            return need
        finish = self.true_legs_finish
        return finish if finish <= FINISH_RESERVE_SHARE * seconds else 0.0

    def walks(self, seconds: float, steps: int, upper: float, *, true_legs: bool) -> float:
        """Go on from the best prices for ``seconds`` (or ``steps``), each shift priced also
        as its best walk through time (:meth:`_Shifts.price`), on true legs with
        ``true_legs`` (by :meth:`route_master`), else on least legs (by the ascent): the
        bound plus the constant. A day with room to
        spare leaves shifts whose best job set no day could hold: jobs whose windows
        overlap, or that leave no time for the legs between them. Measured with the
        dataset's own policy and a greedy plan as ``upper`` (bound before walks / on least
        legs / on true legs): a generated normal 60 x 150 day at 3 s, 113,678 / 122,017 /
        124,292 (a routing plan of 130,372); 20 x 60 at 1 s, 42,336 / 45,442 / 54,021 (a
        plan of 62,981); on 120 x 900 over 5 days at 6 s, true legs from the column
        bound's prices 294,909, against 269,598 when least legs climbed first and left them
        no time."""
        began = time.perf_counter()
        if not self._walkable:
            return self.constant + self.best
        shifts = self.shifts
        if true_legs:
            shifts.use_true_legs()
            # The master converges where the ascent crawls, and stops where no pricing
            # fits the time left.
            self.route_master(seconds - (time.perf_counter() - began))
            return self.constant + self.best
        left = seconds - (time.perf_counter() - began)
        ascent = Ascent(partial(shifts.dual, walks=True), [self.prices], upper - self.constant)
        self._keep(ascent.run(left, steps), ascent.best_prices[0])
        return self.constant + self.best

    def route_master(self, seconds: float) -> bool:
        """Column generation on true legs for ``seconds``: each shift priced as in
        :meth:`walks` (its best route where it prices within
        :attr:`_Shifts.max_labels`), the routes found added to a linear master at their
        cost, its duals the next prices, from the best prices so far. Whether it
        converged: no shift then has a route below its dual at the master's optimum, and
        where every shift was priced by its best route the bound is the relaxation's
        optimum. Call after :meth:`_Shifts.use_true_legs`.

        A shift its route search leaves unpriced at some prices adds its set or walk,
        which may cost less than any route holding those jobs; converged with such
        columns in, the master drops them and goes on, pricing with
        :data:`GROWN_LABELS` where a shift is still unpriced and the time holds it. At
        3 s on the normal 60 x 150 day with linear weights (one shift unpriced at 2,000
        labels) the bound so rose from 56,480 to 57,136, the relaxation's optimum;
        elsewhere by at most 0.05% (the 120 x 900 week, 60 x 150 of instance seeds 2 and
        3) or not at all (200 x 600, where the master does not converge in time).

        Measured against the ascent on true legs (the bound at 10% of the benchmark limit,
        a greedy plan as the target; ascent / this): normal 60 x 150 at 3 s 109,276 /
        109,409 (converged in 0.6 s), of instance seed 2 84,265 / 84,535 and with linear
        weights 45,889 / 46,071; 120 x 900 over 5 days at 6 s 267,352-268,260 / 271,081
        (converged in 4.6 s) and linear 187,530-187,817 / 190,059; tight 60 x 150 and
        20 x 60 level, and level where only one pricing on true legs fits (200 x 600)."""
        began = time.perf_counter()
        shifts = self.shifts
        master = Master(shifts, self.n_vehicles, shifts.pin_routes())
        duals = (self.prices, np.zeros(self.n_vehicles))
        tries = [self.prices]
        longest, solved_once = 0.0, False
        while True:
            added = 0
            for prices in tries:
                stepped = time.perf_counter()
                # No pricing that the longest so far says would end past the time.
                if longest and stepped - began + longest >= seconds:
                    return False
                self._keep(shifts.price(prices, walks=True), prices)
                added = master.add_columns(*duals)
                longest = max(longest, time.perf_counter() - stepped)
                if added:
                    break
            if added == 0 and solved_once:
                # Converged. A set or walk (of a shift its search left unpriced at some
                # prices) costs less than any route holding its jobs, so the master goes
                # on without them, with more labels where a shift is still unpriced.
                if not master.guesses:
                    return True
                if not shifts.routed.all():
                    # (No labels at all: route pricing is off.)
                    if not 0 < shifts.max_labels < GROWN_LABELS:
                        return True
                    growth = GROWN_LABELS / shifts.max_labels
                    if time.perf_counter() - began + growth * longest >= seconds:
                        return True
                    shifts.max_labels = GROWN_LABELS
                master.drop_guesses()
                tries, solved_once = [duals[0]], False
                continue
            # The master's solve is worth it only with time for a pricing at its duals.
            if time.perf_counter() - began + longest >= seconds:
                return False
            solved = master.solve()
            if solved is None:
                return False
            duals, solved_once = solved, True
            # Prices halfway to the best seen first, as :meth:`run` does.
            tries = [SMOOTHING * self.prices + (1.0 - SMOOTHING) * duals[0], duals[0]]

    def _keep(self, value: float, prices: FloatArray) -> None:
        if value > self.best:
            self.best, self.prices = value, prices


SMOOTHING = 0.5
"""Weight of the best prices seen in the prices a round tries first."""
ASCENT_SHARE = 0.75
"""Share of the column bound's time the ascent on the job prices takes first."""
ASCENT_STEPS_PER_ROUND = 20
"""Ascent steps a master round counts for, when the bound is given rounds rather than
time (deterministic mode): a step prices every shift once, as a round does once or
twice, but solves no master."""
WALK_SLOT = 15
"""Minutes of one time slot of a walk (:func:`~matchmaker.solve._bound_kernel.price_walks`)."""
MAX_LABELS = 2_000
"""Most labels one shift's route pricing keeps
(:func:`~matchmaker.solve._bound_routes.price_routes`); a shift that needs more keeps its
walk and set values. At the walks' best prices, one pricing with 2,000 / 20,000 / 100,000
labels priced 34 / 44 / 57 of the 60 shifts of a generated normal 60 x 150 round in 26 ms /
2.0 s / 15 s (its bound 106,520 / 106,522 / 106,531, walks 103,887), and on 200 x 600
80 / 102 / 131 of 200 shifts in 68 ms / 2.3 s / 64 s: the search over labels grows
quadratically, and the first thousands hold most of the gain. (Those figures predate the
completion bound that drops labels, with which 2,000 labels price more shifts: see
:mod:`matchmaker.solve._bound_routes`.)"""
GROWN_LABELS = 20_000
"""Most labels a shift's route pricing keeps once the master has converged at
:data:`MAX_LABELS` with shifts left unpriced (:meth:`ColumnBound.route_master`)."""
FINISH_PRICINGS = 1
"""Pricings on true legs the time must hold for a finish on them
(:attr:`ColumnBound.true_legs_finish`)."""
FINISH_RESERVE_SHARE = 0.5
"""Most of the time left for the column bound and its walks that a finish on true legs
may keep, where the whole ascent on them does not fit (:meth:`ColumnBound.walks_reserve`)."""
MAX_FOUND_ROUTES = 20_000
"""Most priced routes :attr:`_Shifts.found` keeps."""
TRUE_LEGS_PRICINGS = 10
"""Worst-case pricings on true legs the time must hold before walks take them
(:attr:`ColumnBound.true_legs_need`): from the column bound's prices, the ascent on true legs
settled after 339, 515 and 581 on generated 20 x 60, normal 60 x 150 and 120 x 900 over
5 days rounds."""
WALKS_RESERVE_SHARE = 0.75
"""Most of the time left for the column bound that walks on true legs may keep for
themselves (:meth:`ColumnBound.walks_reserve`)."""
PATH_CELLS_PER_SECOND = 1.5e9
WALK_TRIES_PER_SECOND = 4e8
"""Rates of the shortest paths (cells of the min-plus steps) and of a pricing on true
legs (tries of :meth:`_Shifts.true_legs_seconds`), measured on generated rounds from
20 x 60 to 120 x 900 over 5 days: 1.8-2.1 x 10^9 and 3.8-7.4 x 10^8 a second."""
