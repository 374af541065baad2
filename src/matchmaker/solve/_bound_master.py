"""The linear master of the column bound (:mod:`matchmaker.solve._bound_columns`): each job
served (a fraction, at its drop penalty's gain) by the job sets or routes of the shifts found
so far, at most one a shift, solved by GLOP; its duals are the next job prices.

A shift that takes none of its columns still drives its route through its pinned visits,
and a route column holds those legs in its cost. So each column is costed above its
shift's ``base`` (what that pins-only route costs): with columns at their whole cost and
no column free, the master took the pins' legs as saved whenever it left a shift part
idle, and its duals settled where the bound was lower than other prices reach (on a
3 x 8 test round with pinned team visits: 22,816 at convergence, against the optimum's
22,846 that it reaches now)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matchmaker.solve._bound_shifts import _Shifts

__all__ = ["Master"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Master:
    """The linear master: serve each job (a fraction, at its drop penalty's gain) by the
    job sets or routes found so far, at most one a shift, each at what its pricing found it
    costs."""

    def __init__(self, shifts: _Shifts, n_vehicles: int, base: FloatArray | None = None) -> None:
        from ortools.linear_solver import pywraplp

        self.shifts = shifts
        self.base = np.zeros(n_vehicles) if base is None else base
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.optimal = pywraplp.Solver.OPTIMAL
        infinity = self.solver.infinity()
        self.objective = self.solver.Objective()
        self.objective.SetMinimization()
        self.cover = []
        for penalty, team in zip(shifts.penalty.tolist(), shifts.team.tolist(), strict=True):
            served = self.solver.NumVar(0.0, 1.0, "")
            self.objective.SetCoefficient(served, -penalty)
            row = self.solver.Constraint(0.0, infinity)
            row.SetCoefficient(served, -float(team))
            self.cover.append(row)
        self.room = [self.solver.Constraint(-infinity, 1.0) for _ in range(n_vehicles)]
        self.guesses: list[Any] = []
        """The columns that are not routes: the sets or walks of shifts left unpriced."""
        # Each solve starts from the last basis; presolve would redo its work every round.
        self.solver.SetSolverSpecificParametersAsString("use_preprocessing: false")

    def add_columns(self, prices: FloatArray, slack: FloatArray) -> int:
        """Add each shift's last priced set (at :attr:`_Shifts.chosen_cost` above its
        base) whose reduced cost at the master's duals (``prices`` of the jobs, ``slack``
        of the shifts) is negative; how many. A shift's set or walk that is not its route
        (its search left it unpriced) is kept among :attr:`guesses`."""
        shifts = self.shifts
        picked = np.flatnonzero(shifts.chosen)
        owner = shifts.vehicle[picked]
        # A set or a walk (a shift its route search left unpriced) holds no pinned visit.
        cost = shifts.chosen_cost - np.where(shifts.routed, self.base, 0.0)
        held = np.bincount(owner, minlength=slack.size) > 0
        covered = np.bincount(
            owner, weights=prices[shifts.index[shifts.job[picked]]], minlength=slack.size
        )
        better = np.flatnonzero(held & (cost - covered < slack - _EPSILON))
        # ``picked`` runs shift by shift (the pairs are sorted so): each set is one slice.
        starts = np.searchsorted(owner, better)
        ends = np.searchsorted(owner, better, side="right")
        for v, start, end in zip(better.tolist(), starts.tolist(), ends.tolist(), strict=True):
            column = self._add(v, picked[start:end], float(cost[v]))
            if not shifts.routed[v]:
                self.guesses.append(column)
        return int(better.size)

    def drop_guesses(self) -> None:
        """Take out the columns that are not routes: they may cost less than any route
        serving their jobs, so that with them the master's optimum sits below the
        relaxation's."""
        for column in self.guesses:
            column.SetUb(0.0)
        self.guesses = []

    def _add(self, vehicle: int, members: IntArray, cost: float) -> Any:
        column = self.solver.NumVar(0.0, self.solver.infinity(), "")
        self.objective.SetCoefficient(column, cost)
        self.room[vehicle].SetCoefficient(column, 1.0)
        for row in self.shifts.index[self.shifts.job[members]].tolist():
            self.cover[row].SetCoefficient(column, 1.0)
        return column

    def solve(self) -> tuple[FloatArray, FloatArray] | None:
        """The job prices and shift duals of the master's optimum, ``None`` when GLOP
        does not reach one."""
        if self.solver.Solve() != self.optimal:
            return None
        prices = np.array([row.dual_value() for row in self.cover])
        slack = np.array([row.dual_value() for row in self.room])
        return np.maximum(prices, 0.0), np.minimum(slack, 0.0)


_EPSILON = 1e-6
