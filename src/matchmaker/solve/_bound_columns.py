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
visits at their starts), where that search stays within
:data:`~matchmaker.solve._bound_shifts.MAX_LABELS` (and
:data:`~matchmaker.solve._bound_routes.LOOKS_PER_LABEL`). With it the
bound at 10% of the limit rose, against the walks alone, from 45,746 to 52,314 on a
generated 20 x 60 round (optimum 53,493), from 103,633 to 106,919 on a normal 60 x 150 day
(plan 109,560) and from 77,475 to 80,637 on another (instance seed 2, plan 91,293).
"""

from __future__ import annotations

import math
import time
from functools import cached_property, partial

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._bound_ascent import Ascent
from matchmaker.solve._bound_master import Master
from matchmaker.solve._bound_shifts import Legs, _Shifts
from matchmaker.solve._costs import Costs

# ``Legs`` lived here: numba's on-disk caches of the kernels name it by this module, and an
# old cache must still load (to be found stale) rather than fail.
__all__ = ["ColumnBound", "Legs"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
                left = seconds - (time.perf_counter() - began)
                if not self._reopen(master, left, longest):
                    return True
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

    def _reopen(self, master: Master, left: float, longest: float) -> bool:
        """Whether a converged route master goes on, with ``left`` seconds and pricings of
        up to ``longest`` so far. A set or walk (of a shift its search left unpriced at
        some prices) may cost less than any route holding its jobs: the master drops them
        and goes on, with :data:`GROWN_LABELS` where a shift is still unpriced and a
        pricing that much larger fits the time."""
        shifts = self.shifts
        if not master.guesses:
            return False
        if not shifts.routed.all():
            # No labels at all means route pricing is off.
            growth = GROWN_LABELS / max(shifts.max_labels, 1)
            if shifts.max_labels < 1 or growth <= 1.0 or growth * longest >= left:
                return False
            shifts.max_labels = GROWN_LABELS
        master.drop_guesses()
        return True

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
GROWN_LABELS = 20_000
"""Most labels a shift's route pricing keeps once the master has converged at
:data:`~matchmaker.solve._bound_shifts.MAX_LABELS` with shifts left unpriced
(:meth:`ColumnBound.route_master`)."""
FINISH_PRICINGS = 1
"""Pricings on true legs the time must hold for a finish on them
(:attr:`ColumnBound.true_legs_finish`)."""
FINISH_RESERVE_SHARE = 0.5
"""Most of the time left for the column bound and its walks that a finish on true legs
may keep, where the whole ascent on them does not fit (:meth:`ColumnBound.walks_reserve`)."""
TRUE_LEGS_PRICINGS = 10
"""Worst-case pricings on true legs the time must hold before walks take them
(:attr:`ColumnBound.true_legs_need`): from the column bound's prices, the ascent on true legs
settled after 339, 515 and 581 on generated 20 x 60, normal 60 x 150 and 120 x 900 over
5 days rounds."""
WALKS_RESERVE_SHARE = 0.75
"""Most of the time left for the column bound that walks on true legs may keep for
themselves (:meth:`ColumnBound.walks_reserve`)."""
