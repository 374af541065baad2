"""The pairs of the column bound (:mod:`matchmaker.solve._bound_columns`), grouped by shift,
and the three ways a shift is priced at a set of job prices: its best job set under its
caps, its best walk through time, and its best whole route on true legs (compiled in
:mod:`~matchmaker.solve._bound_kernel` and :mod:`~matchmaker.solve._bound_routes`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._bound_legs import JobGroups, shortest_legs
from matchmaker.solve._costs import Costs

__all__ = ["MAX_LABELS", "Legs", "_Shifts"]

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
        """Each shift's best route where it prices within :attr:`max_labels` and beats its
        value so far; the shifts priced."""
        value, chosen, priced, position = self._best_routes(full, least_leg)
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
        if self.least_leg is None or self.pin_job.size == 0:
            return np.zeros_like(self.value)
        # Prices below every pair's cost: no free visit can lower a route's cost.
        lowest = min(float((self.cost - self.legs.rate * self.least_leg).min(initial=0.0)), 0.0)
        value, _, priced, _ = self._best_routes(
            np.full(self.index.size, lowest - 1.0), self.least_leg
        )
        return np.where(priced, value, 0.0)

    def _best_routes(
        self, full: FloatArray, least_leg: IntArray
    ) -> tuple[FloatArray, BoolArray, BoolArray, IntArray]:
        """Each shift's best route at the job prices ``full``
        (:func:`~matchmaker.solve._bound_routes.price_routes`): its value, the pairs it
        takes, whether it priced within :attr:`max_labels`, and each pair's place in it."""
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
        return value, chosen, priced, position

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
MAX_FOUND_ROUTES = 20_000
"""Most priced routes :attr:`_Shifts.found` keeps."""
PATH_CELLS_PER_SECOND = 1.5e9
WALK_TRIES_PER_SECOND = 4e8
"""Rates of the shortest paths (cells of the min-plus steps) and of a pricing on true
legs (tries of :meth:`_Shifts.true_legs_seconds`), measured on generated rounds from
20 x 60 to 120 x 900 over 5 days: 1.8-2.1 x 10^9 and 3.8-7.4 x 10^8 a second."""
