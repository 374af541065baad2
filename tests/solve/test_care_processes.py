"""The home-care loop in several processes: the helpers meet the lead, the best plan of all
comes back and keeps every home-care rule, and a helper's failure is the lead's."""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import pytest

from matchmaker.compile import Problem, compile_problem
from matchmaker.generate import generate_frames, home_care_settings
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset, Policy
from matchmaker.plan import dispatch, verify
from matchmaker.solve import Route
from matchmaker.solve import _care_lns as care_lns
from matchmaker.solve import _care_processes as care_processes
from matchmaker.solve._breaks import fit_breaks
from matchmaker.solve._care_lns import CareLnsStats
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_start import insert_all
from matchmaker.solve._objective import objective_terms
from tests.rules.world import verified_plan

TWO = Policy(search_processes=2)
pytestmark = pytest.mark.usefixtures("no_child_left")


@pytest.fixture(scope="module")
def care_day() -> Dataset:
    """A generated tight home-care day: linked visits, soft windows and a lunch break."""
    frames = generate_frames(workers=8, jobs=40, seed=4, load=2.0, home_care=True)
    return dataset_from_frames(frames, settings=home_care_settings())


def _searched(
    dataset: Dataset, seconds: float, start: str = "insertion"
) -> tuple[tuple[Route, ...], CareLnsStats, int]:
    """The loop in two processes from the first insertion plan (or, with ``start="half"``,
    every other route of it) for ``seconds``; the plan, its stats and the start's cost,
    after checking the plan against the verifier."""
    problem = compile_problem(dataset)
    costs = Costs.of(problem, TWO)
    routes = fit_breaks(problem, insert_all(problem, TWO, costs))
    if start == "half":
        routes = routes[::2]
    found, stats = care_processes.pooled_care_ruin_and_recreate(
        problem, TWO, costs, routes, np.random.default_rng(0), seconds
    )
    _assert_valid(dataset, problem, fit_breaks(problem, found))
    return found, stats, objective_terms(problem, routes, TWO).total


def _assert_valid(dataset: Dataset, problem: Problem, routes: tuple[Route, ...]) -> None:
    verified_plan(dataset, problem, routes, TWO, backend="routing")


def test_the_helper_meets_the_lead_and_its_iterations_count(
    care_day: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes the lead hears from its helper at both meetings, adds the helper's
    iterations to its own, and returns a valid plan no worse than the start."""
    offers: list[int] = []
    meet = care_processes._lead_meet

    def counted(*args: Any) -> tuple[Route, ...]:
        offers.append(1)
        return meet(*args)

    monkeypatch.setattr(care_processes, "_lead_meet", counted)
    lead = os.getpid()
    loop = care_processes.ruin_and_recreate
    lead_iterations: list[int] = []

    def lead_counted(*args: Any, **kwargs: Any) -> tuple[tuple[Route, ...], CareLnsStats]:
        found, stats = loop(*args, **kwargs)
        if os.getpid() == lead:
            lead_iterations.append(stats.iterations)
        return found, stats

    monkeypatch.setattr(care_processes, "ruin_and_recreate", lead_counted)
    found, stats, start = _searched(care_day, 3.0)
    assert stats.processes == 2
    assert len(offers) == len(care_lns.MEET_AT)
    assert stats.iterations > lead_iterations[0] > 0
    assert stats.iterations > stats.accepted >= 0
    problem = compile_problem(care_day)
    assert objective_terms(problem, found, TWO).total <= start


def test_the_best_plan_of_all_comes_back(
    care_day: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lead whose own loop never puts a visit back still returns what its helper found:
    from every other route of the first plan, a plan that costs less than that start."""
    lead = os.getpid()
    insert = care_lns.insert_group

    def idle_in_lead(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != lead:
            return insert(*args, **kwargs)
        return None

    monkeypatch.setattr(care_lns, "insert_group", idle_in_lead)
    found, stats, start = _searched(care_day, 2.0, start="half")
    assert stats.processes == 2
    assert objective_terms(compile_problem(care_day), found, TWO).total < start


def test_a_failing_helper_fails_the_loop_with_its_traceback(
    care_day: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a helper's loop is raised by the lead, naming what failed."""
    lead = os.getpid()
    loop = care_processes.ruin_and_recreate

    def failing(*args: Any, **kwargs: Any) -> tuple[tuple[Route, ...], CareLnsStats]:
        if os.getpid() != lead:
            raise ValueError("broken care helper")
        return loop(*args, **kwargs)

    monkeypatch.setattr(care_processes, "ruin_and_recreate", failing)
    began = time.perf_counter()
    with pytest.raises(RuntimeError, match="broken care helper"):
        _searched(care_day, 2.0)
    assert time.perf_counter() - began < 5.0


def test_one_process_where_the_policy_asks_for_one(care_day: Dataset) -> None:
    """``search_processes = 1`` keeps the loop in this process."""
    problem = compile_problem(care_day)
    policy = Policy(search_processes=1)
    costs = Costs.of(problem, policy)
    routes = fit_breaks(problem, insert_all(problem, policy, costs))
    _, stats = care_processes.pooled_care_ruin_and_recreate(
        problem, policy, costs, routes, np.random.default_rng(0), 2.0
    )
    assert stats.processes == 1


def test_a_home_care_dispatch_in_two_processes_passes_verify(care_day: Dataset) -> None:
    """Through the whole dispatch of the generated home-care day, the loop runs in two
    processes and the plan breaks no rule."""
    result = dispatch(care_day, solver="routing", time_limit=6.0, seed=0, policy=TWO)
    assert verify(care_day, result.plan) == []
    assert result.solution.stats["lns_processes"] == 2
