"""Searching one (sub-)round's routing model: guided local search from a plan, bounded
by time or by work, watched for progress and stop requests. The model itself is built in
:mod:`matchmaker.solve._routing_model`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from matchmaker.compile import Problem
from matchmaker.solve._budget import WorkLimit
from matchmaker.solve._costs import Costs
from matchmaker.solve._routing_model import RoutingModel, build_model
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import Route

__all__ = ["OnSolution", "Outcome", "Watcher", "improve", "search_parameters", "work_limited"]


_SLOW_OPERATORS = (
    # Large-neighbourhood operators that rebuild routes with insertion heuristics: one
    # call can outlast the time limit by seconds on a round with many unserved jobs.
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    # Chains of swaps and route-internal reorderings: slow, and rarely useful on routes of
    # a few jobs each with tight windows.
    "use_swap_active_chain",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
    "use_lin_kernighan",
    "use_two_opt",
    "use_relocate_expensive_chain",
    "use_relocate_subtrip",
    "use_exchange_subtrip",
)


def search_parameters(seconds: float) -> Any:
    """Guided local search for ``seconds``; parallel cheapest insertion if no start plan.

    The operators in ``_SLOW_OPERATORS`` are switched off: with them the search overran
    a 5 s limit by 1-3 s on 60 x 200 rounds and found nothing the others did not.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    operators = params.local_search_operators
    for name in _SLOW_OPERATORS:
        setattr(operators, name, optional_boolean_pb2.BOOL_FALSE)
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 1))
    return params


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one routing search returned."""

    routes: tuple[Route, ...]
    """Routes with earliest start minutes, in the problem's indices."""
    model_cost: int
    """The objective as the model priced it (solver objective plus :attr:`RoutingModel.offset`)."""
    build_seconds: float
    search_seconds: float
    checks: int = 0
    """Limit checks the search made (its work, see :class:`WorkLimit`)."""
    by_clock: bool = False
    """With a work limit: the wall clock ended the search before the work did."""


OnSolution = Callable[[int, int], None]
"""Called with (objective, jobs served) of each improving solution during the search."""


class Watcher:
    """Solution callback passing each improving objective on to an :data:`OnSolution`, and
    ending the search at a solution once ``stop`` is set (then :attr:`stopped`)."""

    def __init__(
        self,
        model: RoutingModel,
        on_solution: OnSolution | None,
        stop: threading.Event | None = None,
    ) -> None:
        self.model: RoutingModel | None = model
        self.on_solution = on_solution
        self.stop = stop
        self.best: int | None = None
        self.stopped = False

    def release(self) -> None:
        """Drop the references back to the model.

        The model holds this callback and the callback the model: a cycle through C++
        that Python cannot collect (a few hundred MB per model on large sub-rounds, over
        1 GB on a round of 200 shifts with home-care rules).
        """
        self.model = None
        self.on_solution = None

    def __call__(self) -> None:
        if self.model is None:
            return
        if self.stop is not None and self.stop.is_set():
            self.model.routing.solver().FinishCurrentSearch()
            self.stopped = True
        if self.on_solution is None:
            return
        cost = int(self.model.routing.CostVar().Value()) + self.model.offset
        if self.best is None or cost < self.best:
            self.best = cost
            self.on_solution(cost, self.model.served())


@contextmanager
def work_limited(
    routing: Any, checks: int | None, stop: threading.Event | None
) -> Iterator[WorkLimit | None]:
    """``routing``'s search bounded by ``checks`` limit checks (:class:`WorkLimit`) and
    ended by ``stop`` while the block runs; ``None`` when neither is given. OR-Tools does
    not own the limit: this frame holds it until the block ends."""
    if checks is None and stop is None:
        yield None
        return
    work = WorkLimit(checks, stop)
    limit = routing.solver().CustomLimit(work)
    routing.AddSearchMonitor(limit)
    yield work


def improve(
    problem: Problem,
    costs: Costs,
    routes: Sequence[Route],
    seconds: float,
    on_solution: OnSolution | None = None,
    *,
    checks: int | None = None,
    stop: threading.Event | None = None,
) -> Outcome | None:
    """Guided local search on ``problem`` from ``routes`` for ``seconds`` (build included),
    or for ``checks`` limit checks (work, :class:`WorkLimit`) when given, with
    ``seconds`` as a cap. A set ``stop`` ends the search with its best solution.

    ``None`` when the search returned nothing or its sequences cannot be scheduled.
    """
    began = time.perf_counter()
    model = build_model(problem, costs)
    routing = model.routing
    params = search_parameters(seconds)
    routing.CloseModelWithParameters(params)
    with work_limited(routing, checks, stop) as work:
        initial = routing.ReadAssignmentFromRoutes(model.index_routes(routes), True)
        watcher = None
        if on_solution is not None:
            watcher = Watcher(model, on_solution)
            routing.AddAtSolutionCallback(watcher)
        searched = time.perf_counter()
        params.time_limit.FromMilliseconds(max(int((seconds - (searched - began)) * 1000), 1))
        try:
            if initial is not None:
                assignment = routing.SolveFromAssignmentWithParameters(initial, params)
            else:
                assignment = routing.SolveWithParameters(params)
        finally:
            if watcher is not None:
                watcher.release()
    finished = time.perf_counter()
    if assignment is None:
        return None
    scheduled = routes_with_starts(problem, model.sequences(assignment))
    if scheduled is None:
        return None
    stopped = stop is not None and stop.is_set()
    return Outcome(
        routes=scheduled,
        model_cost=int(assignment.ObjectiveValue()) + model.offset,
        build_seconds=searched - began,
        search_seconds=finished - searched,
        checks=0 if work is None else work.count,
        by_clock=checks is not None and work is not None and not work.reached and not stopped,
    )
