"""The solvers, the solution they return and the objective they share."""

from __future__ import annotations

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._breaks import (
    breaks_in_gaps,
    fit_breaks,
    pins_without_break_room,
    place_breaks,
    route_breaks,
)
from matchmaker.solve._costs import Costs, insertion_worth
from matchmaker.solve._decompose import SubRound
from matchmaker.solve._lateness import home_leg, lateness_minutes
from matchmaker.solve._limits import breaches, limit_blocks
from matchmaker.solve._linked_insertion import (
    broken_links,
    follow_window,
    least_link_gap,
    worker_ok,
)
from matchmaker.solve._objective import (
    ObjectiveTerms,
    drop_penalties,
    match_costs,
    objective_terms,
    priority_weights,
    route_travel,
    serve_value,
    solution_objective,
    stability_cost,
)
from matchmaker.solve._pieces import solve_pieces, split_days, split_zones
from matchmaker.solve._refuse import refuse_rules
from matchmaker.solve._registry import (
    SOLVERS,
    get_solver,
)
from matchmaker.solve._solution import (
    Progress,
    ProgressCallback,
    Route,
    Solution,
    Solver,
)

__all__ = [
    "SOLVERS",
    "Costs",
    "ObjectiveTerms",
    "Progress",
    "ProgressCallback",
    "Route",
    "Solution",
    "Solver",
    "SubRound",
    "breaches",
    "breaks_in_gaps",
    "broken_links",
    "drop_penalties",
    "fit_breaks",
    "follow_window",
    "get_solver",
    "home_leg",
    "insertion_worth",
    "lateness_minutes",
    "least_link_gap",
    "limit_blocks",
    "match_costs",
    "objective_terms",
    "pins_without_break_room",
    "place_breaks",
    "priority_weights",
    "refuse_rules",
    "route_breaks",
    "route_travel",
    "serve_value",
    "solution_objective",
    "solve_pieces",
    "split_days",
    "split_zones",
    "stability_cost",
    "warm_kernels",
    "worker_ok",
]


def warm_kernels(problem: Problem, policy: Policy) -> None:
    """Compile the searches' kernels on a small ``problem`` (:mod:`._warm`); the module
    loads only here, as the searches' modules take a while to import."""
    from matchmaker.solve._warm import warm_kernels as warm

    warm(problem, policy)
