"""Workload balance: the objective term ``balance_cost_per_minute * busiest``, where
``busiest`` is the most work minutes (job durations) any one shift of the plan holds.

Off by default (``balance_cost_per_minute = 0``). A cost on the maximum rather than on each
deviation from the mean: it is what a routing model states natively (the global span of a
work dimension) and a CP-SAT model with one variable, and it pulls work off the busiest
worker-day without paying anyone to stay idle. Only ``routing`` and ``cpsat`` optimise it;
``greedy`` refuses a policy that sets it (:mod:`matchmaker.solve._rounds`). The serve value
grows by ``balance_cost_per_minute * longest shift`` so that serving a job still beats any
balance it costs (:func:`matchmaker.solve.serve_value`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.solve._solution import Route

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from matchmaker.solve._routing_model import RoutingModel

__all__ = ["add_cpsat_balance", "add_routing_balance", "busiest_work"]


def busiest_work(problem: Problem, routes: Iterable[Route]) -> int:
    """The most work minutes one vehicle (shift) of ``routes`` holds (0 without routes)."""
    busiest = 0
    for route in routes:
        if route.jobs:
            jobs = np.asarray(route.jobs, dtype=np.intp)
            busiest = max(busiest, int(problem.job_duration[jobs].sum()))
    return busiest


def add_routing_balance(model: RoutingModel, service: npt.NDArray[np.int64], rate: int) -> None:
    """A ``balance`` dimension of work minutes whose global span (the busiest vehicle, as
    every vehicle starts at 0) costs ``rate`` a minute."""
    routing = model.routing
    callback = routing.RegisterUnaryTransitVector([int(x) for x in service.tolist()])
    routing.AddDimensionWithVehicleCapacity(
        callback,
        0,
        model.problem.vehicle_max_work.astype(np.int64).tolist(),
        True,
        "balance",
    )
    routing.GetDimensionOrDie("balance").SetGlobalSpanCostCoefficient(int(rate))


def add_cpsat_balance(
    model: cp_model.CpModel,
    problem: Problem,
    assign: Mapping[tuple[int, int], cp_model.IntVar],
) -> cp_model.IntVar:
    """``busiest``, at least every vehicle's work minutes (the caller prices it)."""
    top = int(problem.vehicle_max_work.max(initial=0))
    busiest = model.new_int_var(0, max(top, 0), "busiest")
    work: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (v, j), literal in assign.items():
        work.setdefault(v, []).append((int(problem.job_duration[j]), literal))
    for terms in work.values():
        model.add(busiest >= sum(minutes * literal for minutes, literal in terms))
    return busiest
