"""Route pricing of the column bound: each shift's best elementary route under its caps
and pinned visits, never above what a real route costs, and a bound that reaches the
optimum where walks, which keep no work cap and no pinned visit, fall short."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _bound_shifts
from matchmaker.solve import _cpsat as cpsat
from matchmaker.solve._bound import _Relaxation, relaxation_bound
from matchmaker.solve._bound_columns import ColumnBound
from matchmaker.solve._bound_routes import price_routes
from matchmaker.solve._bound_shifts import Legs
from matchmaker.solve._costs import Costs
from tests.problem_factory import make_problem
from tests.solve.test_bound_columns import RATE, _best, _walk_cost, _walk_shifts, _walk_value

POLICY = Policy()


def _route_value(
    data: dict[str, Any], max_labels: int = 1_000, cap: int | None = None
) -> tuple[float, bool, tuple[int, ...]]:
    """The shift's route value on its true legs, no pins and a work cap of ``cap``
    minutes (none that binds by default), whether it was priced, and the pairs of its
    route in order."""
    n = data["pair_job"].size
    legs = Legs(
        exact=True, home=data["home"], travel=data["travel"],
        mode=np.zeros(1, dtype=np.int32), rate=RATE,
    )  # fmt: skip
    value, chosen = np.full(1, 99.0), np.zeros(n, dtype=bool)
    priced, position = np.zeros(1, dtype=bool), np.empty(n, dtype=np.int64)
    price_routes(
        data["offsets"], data["pair_job"], data["pair_cost"], data["pair_leg"], data["price"],
        data["earliest"], data["latest"], data["duration"], np.zeros(2, dtype=np.int64),
        np.zeros(0, dtype=np.int64), np.full(max(n, 1), -1, dtype=np.int64),
        data["shift_start"], data["shift_end"], data["max_jobs"],
        data["shift_end"] - data["shift_start"] if cap is None else np.array([cap]),
        legs, max_labels, value, chosen, priced, position,
    )  # fmt: skip
    marked = np.flatnonzero(chosen)
    assert np.array_equal(np.flatnonzero(position >= 0), marked)
    route = tuple(marked[np.argsort(position[marked])].tolist())
    return float(value[0]), bool(priced[0]), route


@settings(max_examples=200, deadline=None)
@given(_walk_shifts())
def test_route_pricing_finds_the_best_route_and_stays_between_walks_and_routes(
    data: dict[str, Any],
) -> None:
    """A shift's route value is the best route's (brute force, no job twice) over the
    pairs below their price before any travel, on true legs, and the route it marks costs
    that; so it is at least the best walk's over them and at most the best route's over
    every pair."""
    n, most = data["pair_job"].size, int(data["max_jobs"][0])
    kept = [p for p in range(n) if data["pair_cost"][p] - RATE * data["pair_leg"][p]
            - data["price"][p] < 0]  # fmt: skip
    value, priced, route = _route_value(data)
    assert priced
    assert value == pytest.approx(_best(data, kept, min(most, len(kept)), exact=True, route=True))
    assert _walk_cost(data, route, exact=True) == pytest.approx(value)
    assert _walk_value(data, 1, exact=True) <= value + 1e-9
    assert value <= _best(data, list(range(n)), min(most, n), exact=True, route=True) + 1e-9


@settings(max_examples=200, deadline=None)
@given(_walk_shifts(), st.integers(0, 300))
def test_route_pricing_keeps_the_work_cap(data: dict[str, Any], cap: int) -> None:
    """Under a work cap the route value is still the best route's (brute force) within
    it: the completion bound that drops labels counts the work left too."""
    n, most = data["pair_job"].size, int(data["max_jobs"][0])
    kept = [p for p in range(n) if data["pair_cost"][p] - RATE * data["pair_leg"][p]
            - data["price"][p] < 0]  # fmt: skip
    value, priced, route = _route_value(data, cap=cap)
    assert priced
    best = _best(data, kept, min(most, len(kept)), exact=True, route=True, cap=cap)
    assert value == pytest.approx(best)
    assert _walk_cost(data, route, exact=True, cap=cap) == pytest.approx(value)


@settings(max_examples=50, deadline=None)
@given(_walk_shifts())
def test_a_shift_whose_labels_outgrow_the_limit_is_left_unpriced(data: dict[str, Any]) -> None:
    """With room for one label (the empty route) a shift with a route that pays is left
    unpriced, so that its walk and set values stand; one with no visit to make is priced
    at 0."""
    value, priced, _ = _route_value(data, max_labels=1)
    full_value, _, _ = _route_value(data)
    if full_value < 0.0:
        assert not priced
    if priced:
        assert value == 0.0 == full_value


def test_labels_that_cannot_beat_the_best_route_are_dropped() -> None:
    """One visit pays 100 and twelve pay 1 each, every leg 10 minutes (5 at the test's
    rate): the best route is the one visit, at -95. The twelve cheap visits lose money
    once a leg is paid, so their completion bound drops every label that makes one, and
    the shift prices within 20 labels where keeping each set of them would take
    thousands."""
    n = 13
    travel = np.full((1, n, n), 10, dtype=np.int32)
    travel[0][np.diag_indices(n)] = 0
    data = {
        "offsets": np.array([0, n], dtype=np.int64),
        "pair_job": np.arange(n, dtype=np.int64),
        "pair_cost": np.full(n, 5.0),
        "pair_leg": np.full(n, 10, dtype=np.int64),
        "price": np.r_[100.0, np.ones(n - 1)],
        "earliest": np.zeros(n, dtype=np.int64),
        "latest": np.full(n, 400, dtype=np.int64),
        "duration": np.full(n, 10, dtype=np.int64),
        "shift_start": np.array([0], dtype=np.int64),
        "shift_end": np.array([480], dtype=np.int64),
        "max_jobs": np.array([n], dtype=np.int64),
        "home": np.full((1, n), 10, dtype=np.int32),
        "travel": travel,
    }
    value, priced, route = _route_value(data, max_labels=20)
    assert priced
    assert value == pytest.approx(-95.0)
    assert route == (0,)


def _walk_and_route_bounds(
    problem: Problem, upper: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[float, float]:
    """The column bound's walks on true legs without route pricing, then with it."""
    costs = Costs.of(problem, POLICY)
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    bounds = []
    for labels in (0, _bound_shifts.MAX_LABELS):
        monkeypatch.setattr(_bound_shifts, "MAX_LABELS", labels)
        columns = ColumnBound(problem, costs, pairs, relaxation.constant, relaxation.leg)
        columns.run(2.0, 100, upper=upper)
        bounds.append(columns.walks(2.0, 2_000, upper, true_legs=True))
    return bounds[0], bounds[1]


def test_routes_keep_both_the_work_cap_and_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two urgent one-hour jobs both at 100, two ordinary ones at 300 and 500, and a
    two-hour work cap: a plan serves one urgent job and one ordinary one. The best set of
    jobs (no time) takes both urgent ones, the best walk (no cap) one urgent and both
    ordinary ones; only whole routes charge what the optimum leaves."""
    problem = make_problem(
        n_workers=1, n_jobs=4, earliest=[100, 100, 300, 500], latest=[100, 100, 300, 500],
        priority=[5, 5, 1, 1], max_work=120,
    )  # fmt: skip
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal" and len(exact.served_jobs()) == 2
    walks, routes = _walk_and_route_bounds(problem, exact.objective, monkeypatch)
    penalty = int(Costs.of(problem, POLICY).drop_penalty.min())
    assert walks < exact.objective - penalty // 2
    assert exact.objective - 50 <= routes <= exact.objective


def test_routes_keep_the_pinned_visit_that_walks_drop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A visit pinned at 100 to 160 and a free one-hour job that must start at 120: the
    shift cannot make both, so any plan leaves the free job. Walks ignore the pinned
    visit; routes make it and charge the free job's penalty."""
    problem = make_problem(
        n_workers=1, n_jobs=2, earliest=[100, 120], latest=[100, 120],
        pinned_start=[100, -1], pins=[(0, 0)],
    )  # fmt: skip
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal" and exact.served_jobs() == {0}
    walks, routes = _walk_and_route_bounds(problem, exact.objective, monkeypatch)
    penalty = int(Costs.of(problem, POLICY).drop_penalty[1])
    assert walks < exact.objective - penalty // 2
    assert exact.objective - 50 <= routes <= exact.objective


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_the_bound_with_routes_never_passes_a_proven_optimum(seed: int) -> None:
    """On random rounds with teams, pins and two travel modes the whole bound, routes
    priced, stays at or below the optimum CP-SAT proves."""
    from tests.problem_factory import random_problem

    problem = random_problem(seed, 3, 8, team_share=0.25, pin_share=0.2, n_modes=2)
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    bound = relaxation_bound(problem, costs, exact.objective, 1.0)
    assert bound is not None and bound <= exact.objective


def test_the_bound_gathers_whole_routes_of_shifts_without_pins() -> None:
    """The routes the bound hands the search are whole: a shift with a pinned visit would
    be kept without it (a pin has no pair), so only shifts without pins give routes, and
    each route keeps its shift's job cap and holds no job twice."""
    from tests.problem_factory import random_problem

    gathered = 0
    for seed in range(1, 9):
        problem = random_problem(seed, 3, 8, pin_share=0.3, eligible_share=(0.6, 0.9))
        found: dict[tuple[int, tuple[int, ...]], None] = {}
        relaxation_bound(problem, Costs.of(problem, POLICY), 10**9, 1.0, found=found)
        pinned = set(np.flatnonzero(problem.pinned.any(axis=1)).tolist())
        for vehicle, jobs in found:
            assert vehicle not in pinned
            assert len(set(jobs)) == len(jobs) <= int(problem.vehicle_max_jobs[vehicle])
        gathered += len(found)
    assert gathered > 0
