"""The linear master of the column bound (:mod:`matchmaker.solve._bound_columns`): each job
served (a fraction, at its drop penalty's gain) by the job sets or routes of the shifts found
so far, at most one a shift, solved by GLOP; its duals are the next job prices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matchmaker.solve._bound_columns import _Shifts

__all__ = ["Master"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Master:
    """The linear master: serve each job (a fraction, at its drop penalty's gain) by the
    job sets or routes found so far, at most one a shift, each at what its pricing found it
    costs."""

    def __init__(self, shifts: _Shifts, n_vehicles: int) -> None:
        from ortools.linear_solver import pywraplp

        self.shifts = shifts
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
        # Each solve starts from the last basis; presolve would redo its work every round.
        self.solver.SetSolverSpecificParametersAsString("use_preprocessing: false")

    def add_columns(self, prices: FloatArray, slack: FloatArray) -> int:
        """Add each shift's last priced set (at :attr:`_Shifts.chosen_cost`) whose reduced
        cost at the master's duals (``prices`` of the jobs, ``slack`` of the shifts) is
        negative; how many."""
        shifts = self.shifts
        picked = np.flatnonzero(shifts.chosen)
        owner = shifts.vehicle[picked]
        cost = shifts.chosen_cost
        held = np.bincount(owner, minlength=slack.size) > 0
        covered = np.bincount(
            owner, weights=prices[shifts.index[shifts.job[picked]]], minlength=slack.size
        )
        better = np.flatnonzero(held & (cost - covered < slack - _EPSILON))
        # ``picked`` runs shift by shift (the pairs are sorted so): each set is one slice.
        starts = np.searchsorted(owner, better)
        ends = np.searchsorted(owner, better, side="right")
        for v, start, end in zip(better.tolist(), starts.tolist(), ends.tolist(), strict=True):
            self._add(v, picked[start:end], float(cost[v]))
        return int(better.size)

    def _add(self, vehicle: int, members: IntArray, cost: float) -> None:
        column = self.solver.NumVar(0.0, self.solver.infinity(), "")
        self.objective.SetCoefficient(column, cost)
        self.room[vehicle].SetCoefficient(column, 1.0)
        for row in self.shifts.index[self.shifts.job[members]].tolist():
            self.cover[row].SetCoefficient(column, 1.0)

    def solve(self) -> tuple[FloatArray, FloatArray] | None:
        """The job prices and shift duals of the master's optimum, ``None`` when GLOP
        does not reach one."""
        if self.solver.Solve() != self.optimal:
            return None
        prices = np.array([row.dual_value() for row in self.cover])
        slack = np.array([row.dual_value() for row in self.room])
        return np.maximum(prices, 0.0), np.minimum(slack, 0.0)


_EPSILON = 1e-6
