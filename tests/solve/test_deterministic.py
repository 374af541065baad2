"""Deterministic mode (work limits, not wall time) and stopping a solve early."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from matchmaker import dataset_from_frames
from matchmaker.generate import generate_frames
from matchmaker.model import Dataset
from matchmaker.plan import DispatchResult, dispatch
from matchmaker.solve import _cpsat as cpsat
from matchmaker.solve import _repair
from matchmaker.solve import _round_search as round_search


def _round(workers: int, jobs: int, seed: int = 3) -> Dataset:
    return dataset_from_frames(generate_frames(workers=workers, jobs=jobs, seed=seed))


@contextmanager
def _busy() -> Iterator[None]:
    """A thread spinning in Python: it takes CPU and the GIL from the solve."""
    done = threading.Event()

    def spin() -> None:
        while not done.is_set():
            sum(range(1000))

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _plan(result: DispatchResult) -> list[tuple[str, str, str]]:
    assert result.ok, result.violations
    return sorted((a.job_id, a.worker_id, a.start.isoformat()) for a in result.plan.assignments)


def _twice(dataset: Dataset, solver: str) -> tuple[DispatchResult, DispatchResult]:
    first = dispatch(dataset, solver=solver, time_limit=60, seed=2, deterministic=True)
    with _busy():
        second = dispatch(dataset, solver=solver, time_limit=60, seed=2, deterministic=True)
    return first, second


def test_deterministic_routing_repeats_its_plan_under_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Guided local search bounded by limit checks: the same round and seed give the same
    plan, also when a busy thread slows the second run down."""
    monkeypatch.setattr(round_search, "DETERMINISTIC_CHECKS_PER_COPY", 400)
    first, second = _twice(_round(25, 60), "routing")
    assert _plan(first) == _plan(second)
    assert first.solution.objective == second.solution.objective
    assert first.solution.stats["search_checks"] == second.solution.stats["search_checks"] > 0
    assert not first.time_capped and not second.time_capped


def test_deterministic_routing_with_exact_repair_repeats_its_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A round small enough for the CP-SAT repair: deterministic time bounds it."""
    monkeypatch.setattr(round_search, "DETERMINISTIC_CHECKS_PER_COPY", 400)
    monkeypatch.setattr(_repair, "WHOLE_ROUND_UNITS", 0.05)
    monkeypatch.setattr(_repair, "NEIGHBOURHOOD_UNITS", 0.005)
    first, second = _twice(_round(8, 24), "routing")
    assert _plan(first) == _plan(second)
    assert "repair_tried" in first.solution.stats


def test_deterministic_cpsat_repeats_its_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CP-SAT backend with a deterministic-time limit independent of the time limit."""
    monkeypatch.setattr(cpsat, "DETERMINISTIC_UNITS", 0.1)
    first, second = _twice(_round(8, 24), "cpsat")
    assert _plan(first) == _plan(second)
    assert first.solution.stats["deterministic_time"] <= 0.15


def test_a_time_limit_that_cuts_a_deterministic_search_is_reported() -> None:
    """When the cap ends the search first, the plan is still valid and says it may vary."""
    result = dispatch(_round(25, 60), solver="routing", time_limit=0.01, seed=1, deterministic=True)
    assert result.ok
    assert result.time_capped


def test_a_cpsat_model_too_large_for_the_cap_is_reported_as_both() -> None:
    """A deterministic CP-SAT solve whose model does not build within the cap returns the
    warm start, which says both that the model was too large and that the plan may vary
    (whether the build fits depends on the machine)."""
    result = dispatch(_round(60, 600), solver="cpsat", time_limit=1.0, seed=1, deterministic=True)
    assert result.ok
    assert result.model_too_large and result.time_capped


def test_stop_ends_a_routing_search_early_with_a_valid_plan() -> None:
    """Setting ``stop`` mid-search returns the best plan so far long before the limit."""
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    began = time.perf_counter()
    timer.start()
    try:
        result = dispatch(_round(25, 60), solver="routing", time_limit=60, seed=1, stop=stop)
    finally:
        timer.cancel()
    assert time.perf_counter() - began < 20
    assert result.ok and result.interrupted
    assert result.solution.objective <= result.solution.stats["warm_start_objective"]


def test_stop_ends_a_cpsat_search_early() -> None:
    """CP-SAT is stopped from a helper thread; the greedy hint or better comes back."""
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    began = time.perf_counter()
    timer.start()
    try:
        result = dispatch(_round(25, 60), solver="cpsat", time_limit=60, seed=1, stop=stop)
    finally:
        timer.cancel()
    assert time.perf_counter() - began < 20
    assert result.ok and result.interrupted


def test_deterministic_home_care_routing_tries_the_same_first_plans_on_a_slower_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a round with home-care rules the first plan is the best of a number of insertion
    orders fixed by the round's size, not of those that fit a share of the clock: with
    every insertion made 60 ms slower (as on a slower machine; 3 s for 50 orders, past the
    share of a 10 s limit the first plan had by the clock) the same orders are tried and
    the plan repeats."""
    from matchmaker.generate import home_care_settings
    from matchmaker.solve import _rules_routing

    frames = generate_frames(workers=12, jobs=36, seed=5, home_care=True)
    dataset = dataset_from_frames(frames, settings=home_care_settings())
    real = _rules_routing.insert_all
    tried: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        tried.append(kwargs["order"])
        return real(*args, **kwargs)

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.06)
        return counted(*args, **kwargs)

    run = {"solver": "routing", "time_limit": 10.0, "seed": 2, "deterministic": True}
    monkeypatch.setattr(_rules_routing, "insert_all", counted)
    first = dispatch(dataset, **run)  # type: ignore[arg-type]
    fast = list(tried)
    tried.clear()
    monkeypatch.setattr(_rules_routing, "insert_all", slow)
    second = dispatch(dataset, **run)  # type: ignore[arg-type]
    assert tried == fast == list(range(_rules_routing._MAX_FIRST_TRIES))
    assert _plan(first) == _plan(second)
    assert not first.time_capped and not second.time_capped


def test_a_deterministic_home_care_first_plan_cut_by_the_clock_is_reported() -> None:
    """Insertion orders not tried by the cap make the plan depend on the machine: the
    first plan says so; outside deterministic mode a cut is the normal course."""
    from matchmaker.compile import compile_problem
    from matchmaker.generate import home_care_settings
    from matchmaker.solve._costs import Costs
    from matchmaker.solve._rules_routing import first_plan

    frames = generate_frames(workers=12, jobs=36, seed=5, home_care=True)
    dataset = dataset_from_frames(frames, settings=home_care_settings())
    policy = dataset.settings.policy
    problem = compile_problem(dataset, policy=policy)
    costs = Costs.of(problem, policy)
    past = time.perf_counter()
    routes, capped = first_plan(problem, policy, costs, 1, past, deterministic=True)
    assert routes and capped
    routes, capped = first_plan(problem, policy, costs, 1, past)
    assert routes and not capped
    routes, capped = first_plan(problem, policy, costs, 1, past + 60, deterministic=True)
    assert routes and not capped
