"""The column bound: exact shift knapsacks priced in compiled code, a bound never above
the optimum, and above the fractional capacity bound where whole jobs matter, whether its
prices come from the master or from the ascent on them."""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _bound_columns, _bound_master, _bound_shifts
from matchmaker.solve import _cpsat as cpsat
from matchmaker.solve._bound import _Relaxation, capacity_ascent, relaxation_bound
from matchmaker.solve._bound_ascent import Ascent
from matchmaker.solve._bound_columns import ColumnBound
from matchmaker.solve._bound_kernel import price_shifts, price_walks
from matchmaker.solve._bound_shifts import Legs, _Shifts
from matchmaker.solve._costs import Costs
from tests.problem_factory import make_problem

POLICY = Policy()


@st.composite
def _shift_sets(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n_shifts = draw(st.integers(1, 3))
    sizes = [draw(st.integers(0, 7)) for _ in range(n_shifts)]
    n_pairs, n_jobs = sum(sizes), 6
    return {
        "offsets": np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        "pair_job": np.array(draw(st.lists(st.integers(0, n_jobs - 1), min_size=n_pairs,
                                           max_size=n_pairs)), dtype=np.int64),
        "pair_cost": np.array(draw(st.lists(st.integers(0, 30), min_size=n_pairs,
                                            max_size=n_pairs)), dtype=np.float64),
        "pair_units": np.array(draw(st.lists(st.integers(0, 5), min_size=n_pairs,
                                             max_size=n_pairs)), dtype=np.int64),
        "price": np.array(draw(st.lists(st.integers(0, 40), min_size=n_jobs,
                                        max_size=n_jobs)), dtype=np.float64),
        "max_jobs": np.array(draw(st.lists(st.integers(0, 4), min_size=n_shifts,
                                           max_size=n_shifts)), dtype=np.int64),
        "cap_units": np.array(draw(st.lists(st.integers(0, 9), min_size=n_shifts,
                                            max_size=n_shifts)), dtype=np.int64),
    }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_shift_sets())
def test_pricing_finds_the_best_set_of_each_shift_under_both_caps(
    data: dict[str, np.ndarray],
) -> None:
    """Each shift's value is the least sum of reduced costs over its pair sets within the
    job and unit caps (by brute force), and the pairs it marks are such a set; jobs
    shorter than a unit (0 units) still count against the job cap, even at a cap of 0."""
    offsets = data["offsets"]
    n_shifts = offsets.size - 1
    value = np.full(n_shifts, 99.0)
    chosen = np.zeros(data["pair_job"].size, dtype=bool)
    price_shifts(
        offsets, data["pair_job"], data["pair_cost"], data["pair_units"], data["price"],
        data["max_jobs"], data["cap_units"], value, chosen,
    )  # fmt: skip
    reduced = data["pair_cost"] - data["price"][data["pair_job"]]
    for v in range(n_shifts):
        pairs = range(int(offsets[v]), int(offsets[v + 1]))
        best = 0.0
        for size in range(1, len(pairs) + 1):
            for subset in itertools.combinations(pairs, size):
                units = sum(int(data["pair_units"][p]) for p in subset)
                if size <= data["max_jobs"][v] and units <= data["cap_units"][v]:
                    best = min(best, float(sum(reduced[p] for p in subset)))
        assert value[v] == best
        marked = [p for p in pairs if chosen[p]]
        assert len(marked) <= data["max_jobs"][v]
        assert sum(int(data["pair_units"][p]) for p in marked) <= data["cap_units"][v]
        assert float(sum(reduced[p] for p in marked)) == best


@st.composite
def _walk_shifts(draw: st.DrawFn) -> dict[str, Any]:
    """One shift and up to five jobs, a pair each: windows, durations, prices, the legs
    (from home and between jobs, shortest paths as :meth:`_Shifts.use_true_legs` makes
    them) and, as ``pair_leg``, each job's least one."""
    n = draw(st.integers(0, 5))

    def ints(low: int, high: int, size: int = n) -> np.ndarray:
        return np.array(draw(st.lists(st.integers(low, high), min_size=size, max_size=size)))

    earliest = ints(0, 400)
    travel = ints(0, 40, n * n).reshape(n, n)
    np.fill_diagonal(travel, 0)
    for via in range(n):
        travel = np.minimum(travel, travel[:, via, None] + travel[None, via, :])
    home = (ints(0, 40)[:, None] + travel).min(axis=0, initial=99)
    others = np.where(np.eye(n, dtype=bool), 99, travel).min(axis=0, initial=99)
    return {
        "offsets": np.array([0, n], dtype=np.int64),
        "pair_job": np.arange(n, dtype=np.int64),
        "pair_cost": ints(0, 30).astype(np.float64),
        "pair_leg": np.minimum(home, others).astype(np.int64),
        "price": ints(0, 90).astype(np.float64),
        "earliest": earliest.astype(np.int64),
        "latest": (earliest + ints(0, 120)).astype(np.int64),
        "duration": ints(30, 120).astype(np.int64),
        "shift_start": np.array([draw(st.integers(0, 60))], dtype=np.int64),
        "shift_end": np.array([draw(st.integers(300, 480))], dtype=np.int64),
        "max_jobs": np.array([draw(st.integers(0, 4))], dtype=np.int64),
        "home": home.reshape(1, n).astype(np.int32),
        "travel": travel.reshape(1, n, n).astype(np.int32),
    }


RATE = 0.5
"""The cost of a travel minute in the walk tests."""


def _walk_value(data: dict[str, Any], slot: int, *, exact: bool) -> float:
    """The shift's walk value: with ``exact``, on its true legs."""
    legs = Legs(
        exact=exact, home=data["home"], travel=data["travel"],
        mode=np.zeros(1, dtype=np.int32), rate=RATE,
    )  # fmt: skip
    arrays = {k: v for k, v in data.items() if k not in ("home", "travel")}
    value, chosen = np.full(1, 99.0), np.zeros(data["pair_job"].size, dtype=bool)
    skip = np.zeros(1, dtype=bool)
    price_walks(**arrays, slot=slot, legs=legs, skip=skip, value=value, chosen=chosen)
    return float(value[0])


def _walk_cost(
    data: dict[str, Any], walk: tuple[int, ...], *, exact: bool, cap: int | None = None
) -> float | None:
    """The sum of reduced costs along ``walk`` (pairs in order), or None where it breaks
    a rule: each visit starts in its window at least its leg after the shift's start or
    the visit before ends, ends by the shift's end, and the work stays within ``cap``
    minutes; with ``exact`` the leg is the true one, costs ``RATE`` a minute beyond the
    least, and no job comes twice in a row."""
    reduced = data["pair_cost"] - data["price"][data["pair_job"]]
    free, total, before, work = int(data["shift_start"][0]), 0.0, -1, 0
    for p in walk:
        leg = int(data["pair_leg"][p])
        if exact:
            if p == before:
                return None
            leg = int(data["home"][0, p] if before < 0 else data["travel"][0, before, p])
        begin = max(free + leg, int(data["earliest"][p]))
        free, before = begin + int(data["duration"][p]), p
        work += int(data["duration"][p])
        if begin > data["latest"][p] or free > data["shift_end"][0]:
            return None
        if cap is not None and work > cap:
            return None
        total += float(reduced[p]) + RATE * (leg - int(data["pair_leg"][p]))
    return total


def _best(
    data: dict[str, Any],
    pairs: list[int],
    size: int,
    *,
    exact: bool,
    route: bool,
    cap: int | None = None,
) -> float:
    """By brute force, the least :func:`_walk_cost` over walks of ``pairs`` of at most
    ``size`` visits (``route``: no job twice), 0 for none."""
    best = 0.0
    for length in range(1, size + 1):
        for walk in itertools.product(pairs, repeat=length):
            if route and len(set(walk)) < length:
                continue
            cost = _walk_cost(data, walk, exact=exact, cap=cap)
            if cost is not None:
                best = min(best, cost)
    return best


@settings(max_examples=200, deadline=None)
@given(_walk_shifts())
def test_walk_pricing_finds_the_best_walk_and_never_passes_the_best_route(
    data: dict[str, Any],
) -> None:
    """With one-minute slots a shift's walk value is the best walk's over the pairs it
    keeps (brute force): on least legs those below their price, on true legs those below
    it before any travel. Coarser slots give no more, least legs no more than true ones
    where both let a walk make as many visits, and neither more than the best route over
    every pair on true legs."""
    n, most = data["pair_job"].size, int(data["max_jobs"][0])
    route = _best(data, list(range(n)), min(most, n), exact=True, route=True)
    chooser = {
        False: data["pair_cost"],
        True: data["pair_cost"] - RATE * data["pair_leg"],
    }
    sizes = {}
    for exact, cost in chooser.items():
        kept = [p for p in range(n) if cost[p] - data["price"][p] < 0]
        size = sizes[exact] = min(most, len(kept))
        value = _walk_value(data, 1, exact=exact)
        assert value == pytest.approx(_best(data, kept, size, exact=exact, route=False))
        assert _walk_value(data, 15, exact=exact) <= value + 1e-9 <= route + 2e-9
    # A walk makes no more visits than a route could make pairs that pay; on true legs
    # more pairs may pay before their travel, so there the walk may be longer.
    if sizes[False] == sizes[True]:
        assert _walk_value(data, 1, exact=False) <= _walk_value(data, 1, exact=True) + 1e-9


def _one_shift_two_jobs() -> tuple[Problem, Costs]:
    # A 120-minute work cap and jobs of 120 and 90 minutes: one job fits, not both; the
    # fractional relaxation serves the 90-minute job and a quarter of the other.
    problem = make_problem(n_workers=1, n_jobs=2, duration=[120, 90], max_work=120)
    return problem, Costs.of(problem, POLICY)


def test_whole_jobs_lift_the_bound_above_the_fractional_one_and_not_above_the_optimum() -> None:
    """With room for one of two equal jobs, the column bound charges a whole job's
    penalty (the optimum's), the capacity relaxation only three quarters of one."""
    problem, costs = _one_shift_two_jobs()
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    relaxation = _Relaxation(problem, costs)
    fractional = capacity_ascent(relaxation, exact.objective).run(2.0, 10_000)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    whole = ColumnBound(problem, costs, pairs, relaxation.constant).run(2.0, 100)
    penalty = int(costs.drop_penalty.max())
    assert fractional < exact.objective - penalty // 5
    assert exact.objective - 50 <= whole <= exact.objective
    bound = relaxation_bound(problem, costs, exact.objective, 2.0)
    assert bound is not None and whole - 2 <= bound <= exact.objective


def test_a_round_without_servable_jobs_is_bounded_by_its_penalties() -> None:
    """No eligible shift: every job pays its drop penalty, which is the bound."""
    problem = make_problem(n_workers=1, n_jobs=2, eligible=False)
    costs = Costs.of(problem, POLICY)
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    bound = ColumnBound(problem, costs, pairs, relaxation.constant).run(1.0, 10)
    assert bound == float(costs.drop_penalty.sum())


@pytest.mark.parametrize(("max_work", "max_jobs"), [(210, 3), (10_000, 2)])
def test_a_pinned_visit_takes_its_minutes_and_its_place_off_its_shift(
    max_work: int, max_jobs: int
) -> None:
    """A pinned 120-minute visit under a 210-minute work cap, or under a cap of two jobs,
    leaves room for one of two free 90-minute jobs: the bound charges the other's
    penalty, as the optimum does (the free jobs alone would fit either cap together)."""
    problem = make_problem(
        n_workers=1, n_jobs=3, duration=[120, 90, 90], max_work=max_work,
        max_jobs=max_jobs, pins=[(0, 0)], pinned_start=[100, -1, -1],
    )  # fmt: skip
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    assert len(exact.served_jobs()) == 2
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    bound = ColumnBound(problem, costs, pairs, relaxation.constant).run(2.0, 100)
    penalty = int(costs.drop_penalty[1])
    assert exact.objective - 50 <= bound <= exact.objective
    assert bound >= relaxation.constant - penalty  # one free job's penalty is left unpaid


def test_a_column_bound_still_below_zero_halfway_stops_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given 20 rounds, a round whose column generation takes 13 master solves stops at
    round 10 (after 9 solves) when its bound is still below zero there (its constant
    lowered far below 0), returning the best ``L`` found until then."""
    from tests.problem_factory import random_problem

    solves = 0
    solve = _bound_master.Master.solve

    def counted(master: _bound_master.Master) -> tuple[np.ndarray, np.ndarray] | None:
        nonlocal solves
        solves += 1
        return solve(master)

    monkeypatch.setattr(_bound_master.Master, "solve", counted)
    problem = random_problem(0, 6, 30)
    costs = Costs.of(problem, POLICY)
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    whole = ColumnBound(problem, costs, pairs, relaxation.constant).run(60.0, 20)
    assert whole > 0 and solves == 13
    solves = 0
    lowered = ColumnBound(problem, costs, pairs, relaxation.constant - 1e12).run(60.0, 20)
    assert solves == 9
    assert lowered - (relaxation.constant - 1e12) <= whole - relaxation.constant + 1e-3


def _price_ascent(problem: Problem, costs: Costs, upper: int, *, walks: bool = False) -> float:
    """The ascent on the job prices alone (no master), from the start the bound uses;
    ``walks``: each shift priced also as a walk through time, on true legs."""
    relaxation = _Relaxation(problem, costs)
    shifts = _Shifts(
        problem, costs, relaxation.vehicle, relaxation.job, relaxation.cost, relaxation.leg
    )
    if walks:
        shifts.use_true_legs()
    start = shifts.penalty / shifts.team
    ascent = Ascent(partial(shifts.dual, walks=walks), [start], upper - relaxation.constant)
    return relaxation.constant + ascent.run(2.0, 2_000)


@pytest.mark.parametrize("walks", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_the_price_ascent_alone_never_passes_a_proven_optimum(seed: int, walks: bool) -> None:
    """The ascent the column bound falls back on (no master) stays at or below the
    optimum CP-SAT proves, even climbing towards it, with or without walks."""
    from tests.problem_factory import random_problem

    problem = random_problem(seed, 3, 8, team_share=0.25, pin_share=0.1, n_modes=2)
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    assert _price_ascent(problem, costs, exact.objective, walks=walks) <= exact.objective


def test_walks_charge_a_job_that_no_shift_can_fit_in_time() -> None:
    """Two one-hour jobs that both start at 100 and one worker: any plan serves one.
    Whole job sets ignore time and charge no penalty; walks charge the optimum's, and
    the round's bound, which has time left for them, does too."""
    problem = make_problem(n_workers=1, n_jobs=2, earliest=100, latest=100)
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal" and len(exact.served_jobs()) == 1
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    columns = ColumnBound(problem, costs, pairs, relaxation.constant, relaxation.leg)
    whole = columns.run(2.0, 100, upper=exact.objective)
    penalty = int(costs.drop_penalty.min())
    assert whole < exact.objective - penalty // 2
    walked = columns.walks(2.0, 2_000, exact.objective, true_legs=False)
    assert exact.objective - 50 <= walked <= exact.objective
    bound = relaxation_bound(problem, costs, exact.objective, 2.0)
    assert bound is not None and exact.objective - 50 <= bound <= exact.objective


def test_the_price_ascent_finds_the_whole_job_bound_without_a_master() -> None:
    """With room for one of two jobs, the ascent alone climbs to the optimum's whole
    penalty, as the master does: its subgradient asks for the job no shift holds."""
    problem, costs = _one_shift_two_jobs()
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    relaxation = _Relaxation(problem, costs)
    fractional = capacity_ascent(relaxation, exact.objective).run(2.0, 10_000)
    climbed = _price_ascent(problem, costs, exact.objective)
    assert fractional < exact.objective - int(costs.drop_penalty.max()) // 5
    assert exact.objective - 50 <= climbed <= exact.objective


def test_given_a_known_plan_the_column_bound_climbs_even_when_the_master_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A master that never solves leaves the bound to the ascent on the job prices when
    the bound knows a plan to climb towards (higher, still at or below the optimum);
    without one, to the first pricing alone."""
    from tests.problem_factory import random_problem

    monkeypatch.setattr(_bound_master.Master, "solve", lambda master: None)
    problem = random_problem(1, 4, 12, team_share=0.25, n_modes=2)
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    alone = ColumnBound(problem, costs, pairs, relaxation.constant).run(2.0, 100)
    climbed = ColumnBound(problem, costs, pairs, relaxation.constant).run(
        2.0, 100, upper=exact.objective
    )
    assert alone < climbed <= exact.objective


def test_true_legs_charge_a_job_only_least_legs_let_in() -> None:
    """Two one-hour jobs at 100 and 170, each 10 minutes from home but 200 from each
    other: any plan serves one. On least legs (10 into each) a walk serves both; on true
    legs it cannot, and the bound reaches the optimum's."""
    problem = make_problem(
        n_workers=1, n_jobs=2, earliest=[100, 170], latest=[100, 170],
        travel=[[0, 200], [200, 0]], home_travel=10,
    )  # fmt: skip
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal" and len(exact.served_jobs()) == 1
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    penalty = int(costs.drop_penalty.min())
    bounds = {}
    for true_legs in (False, True):
        columns = ColumnBound(problem, costs, pairs, relaxation.constant, relaxation.leg)
        columns.run(2.0, 100, upper=exact.objective)
        bounds[true_legs] = columns.walks(2.0, 2_000, exact.objective, true_legs=true_legs)
    assert bounds[False] < exact.objective - penalty // 2
    assert exact.objective - 50 <= bounds[True] <= exact.objective


def _true_leg_columns(problem: Problem, costs: Costs) -> ColumnBound:
    """A column bound of ``problem`` whose shifts price on true legs."""
    relaxation = _Relaxation(problem, costs)
    pairs = (relaxation.vehicle, relaxation.job, relaxation.cost)
    columns = ColumnBound(problem, costs, pairs, relaxation.constant, relaxation.leg)
    columns.shifts.use_true_legs()
    return columns


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_route_master_converges_at_or_below_the_optimum(seed: int) -> None:
    """On small rounds the master over routes converges, at or below the proven optimum;
    a master started from the prices it converged at finds nothing higher, nor does one
    started from the set master's prices (seed 4 has pinned team visits: a master that
    took their legs as free converged below it)."""
    from tests.problem_factory import random_problem

    problem = random_problem(seed, 3, 8, team_share=0.25, pin_share=0.1, n_modes=2)
    costs = Costs.of(problem, POLICY)
    exact = cpsat.solve(problem, policy=POLICY, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    columns = _true_leg_columns(problem, costs)
    assert columns.route_master(30.0)
    bound = columns.constant + columns.best
    assert bound <= exact.objective + 1e-6
    again = _true_leg_columns(problem, costs)
    again.prices = columns.prices
    assert again.route_master(30.0)
    assert again.constant + again.best == pytest.approx(bound)
    from_sets = _true_leg_columns(problem, costs)
    from_sets.run(1.0, 1_000)
    assert from_sets.route_master(30.0)
    assert from_sets.constant + from_sets.best <= bound + 1e-6


@pytest.mark.parametrize("seed", [2, 13])
def test_a_route_master_with_shifts_left_unpriced_goes_on_to_the_relaxation_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 4 labels a shift's route search gives up at some prices, and its set or walk
    joins the master below what any route holding it costs; once converged the master
    drops those columns (and prices with more labels where a shift is still unpriced),
    and ends where a master with enough labels from the start does (on these seeds,
    keeping those columns ended lower)."""
    from tests.problem_factory import random_problem

    problem = random_problem(seed, 5, 20, team_share=0.25, pin_share=0.1, n_modes=2)
    costs = Costs.of(problem, POLICY)
    enough = _true_leg_columns(problem, costs)
    enough.shifts.max_labels = _bound_columns.GROWN_LABELS
    assert enough.route_master(30.0) and enough.shifts.routed.all()
    monkeypatch.setattr(_bound_shifts, "MAX_LABELS", 4)
    few = _true_leg_columns(problem, costs)
    assert few.route_master(30.0)
    assert few.constant + few.best == pytest.approx(enough.constant + enough.best)


def test_a_pins_only_route_costs_the_legs_to_its_pinned_visits() -> None:
    """A shift pinned to a visit 25 minutes from home: its route through the pin alone
    costs those minutes at the travel rate; a shift without pins costs nothing."""
    problem = make_problem(
        n_workers=2, n_jobs=3, home_travel=[25, 40, 40], travel=15, pins=[(0, 0)],
        pinned_start=[100, -1, -1],
    )  # fmt: skip
    costs = Costs.of(problem, POLICY)
    shifts = _true_leg_columns(problem, costs).shifts
    assert shifts.pin_routes() == pytest.approx([25.0 * costs.travel_rate, 0.0])


def test_the_route_master_stops_where_no_pricing_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pricing that takes 0.3 s and 0.5 s to go: the master prices once, and neither
    solves nor prices again."""
    import time

    from tests.problem_factory import random_problem

    problem = random_problem(1, 4, 12, team_share=0.25, n_modes=2)
    columns = _true_leg_columns(problem, Costs.of(problem, POLICY))
    pricings, solves = 0, 0
    price, solve = _Shifts.price, _bound_master.Master.solve

    def slow(shifts: _Shifts, prices: np.ndarray, *, walks: bool = False) -> float:
        nonlocal pricings
        pricings += 1
        time.sleep(0.3)
        return price(shifts, prices, walks=walks)

    def counted(master: _bound_master.Master) -> tuple[np.ndarray, np.ndarray] | None:
        nonlocal solves
        solves += 1
        return solve(master)

    monkeypatch.setattr(_Shifts, "price", slow)
    monkeypatch.setattr(_bound_master.Master, "solve", counted)
    assert not columns.route_master(0.5)
    assert (pricings, solves) == (1, 0)


def test_a_chosen_set_costs_what_its_pairs_cost() -> None:
    """Priced as sets, each shift's chosen set costs the sum of its pairs' costs: the
    master's columns cost what the column bound's sets do."""
    from tests.problem_factory import random_problem

    problem = random_problem(2, 5, 20, team_share=0.25, n_modes=2)
    costs = Costs.of(problem, POLICY)
    relaxation = _Relaxation(problem, costs)
    shifts = _Shifts(problem, costs, relaxation.vehicle, relaxation.job, relaxation.cost)
    shifts.price(shifts.penalty / shifts.team)
    picked = np.flatnonzero(shifts.chosen)
    expected = np.bincount(
        shifts.vehicle[picked], weights=shifts.cost[picked], minlength=problem.n_vehicles
    )
    assert picked.size > 0
    np.testing.assert_allclose(shifts.chosen_cost, expected)
