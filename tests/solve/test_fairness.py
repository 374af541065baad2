"""Workload balance: the ``balance_cost`` objective term and who optimises it."""

from __future__ import annotations

from collections import Counter

import pytest

from matchmaker.compile import compile_problem
from matchmaker.model import Dataset, Policy, RequestError, TimeWindow
from matchmaker.plan import dispatch
from matchmaker.solve import Route, objective_terms, serve_value
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._fairness import busiest_work
from tests.rules.world import at, job, worker, world

BALANCED = Policy(balance_cost_per_minute=5)


def _round() -> Dataset:
    """Six 50-minute visits an hour apart; W1 is the better match for all of them."""
    return world(
        workers=[worker("W1"), worker("W2", rating=3.0)],
        jobs=[
            job(f"J{i}", window=TimeWindow(start=at(8 + i), end=at(9 + i)), duration_minutes=50)
            for i in range(6)
        ],
    )


@pytest.mark.parametrize("solver", ["routing", "cpsat"])
def test_balance_moves_work_off_the_busiest_worker(solver: str) -> None:
    """Without balance the better match takes all six visits; with it they split 3-3."""
    dataset = _round()
    plain = dispatch(dataset, solver=solver, time_limit=2.0, seed=0)
    assert Counter(a.worker_id for a in plain.plan.assignments) == {"W1": 6}
    result = dispatch(dataset, solver=solver, policy=BALANCED, time_limit=2.0, seed=0)
    assert result.violations == ()
    assert Counter(a.worker_id for a in result.plan.assignments) == {"W1": 3, "W2": 3}
    assert result.plan.kpis["objective_terms"]["balance_cost"] == 5 * 150
    assert result.plan.kpis["work_minutes_cv"] == 0.0
    assert plain.plan.kpis["work_minutes_cv"] == 0.0  # one used worker: nothing to compare


def test_greedy_refuses_a_balance_weight() -> None:
    """Greedy cannot optimise the busiest shift: it says so instead of ignoring it."""
    with pytest.raises(RequestError, match="balance_cost_per_minute"):
        dispatch(_round(), solver="greedy", policy=BALANCED, time_limit=1.0)


def test_the_term_prices_the_busiest_shift_and_serving_still_wins() -> None:
    """``balance_cost`` is the rate times the busiest vehicle's work minutes; the plan
    cost of the sub-round machinery agrees; the serve value grows so serving beats it."""
    problem = compile_problem(_round())
    routes = (
        Route(vehicle=0, jobs=(0, 1), starts=(480, 540)),
        Route(vehicle=1, jobs=(2,), starts=(600,)),
    )
    assert busiest_work(problem, routes) == 100
    terms = objective_terms(problem, routes, BALANCED)
    assert terms.balance_cost == 500
    assert plan_cost(problem, Costs.of(problem, BALANCED), routes) == terms.total
    shift = int((problem.vehicle_end - problem.vehicle_start).max())
    assert serve_value(problem, BALANCED) - serve_value(problem, Policy()) == 5 * shift
