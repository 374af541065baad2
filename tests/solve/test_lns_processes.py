"""Ruin and recreate in several processes: helpers pool their routes with the lead, the best
plan of all comes back, and a helper that fails, dies or hangs never leaves the lead
without a plan, stuck, or with a child process behind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from matchmaker.compile import Problem
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames
from matchmaker.model import Policy
from matchmaker.plan import dispatch, verify
from matchmaker.solve import Route, Solution, _processes
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _lns_processes as processes
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._lns import LnsStats, _Search
from matchmaker.solve._lns import ruin_and_recreate as search
from matchmaker.solve._recombine import RoutePool
from tests.problem_factory import missing_pins, problem_violations, random_problem

TWO = Policy(search_processes=2)
pytestmark = pytest.mark.usefixtures("no_child_left")


@pytest.fixture
def busy_round() -> Problem:
    """A round with more work than its workers can do, so the search has jobs to trade."""
    return random_problem(11, 12, 60, team_share=0.1, pin_share=0.05)


def _pooled(
    problem: Problem, seconds: float, routes: tuple[Route, ...] | None = None, **kwargs: Any
) -> tuple[tuple[Route, ...], LnsStats, int]:
    """Search ``problem`` from the greedy plan (or ``routes``) for ``seconds``; returns the
    plan, the stats and the start's objective, after checking every rule of the plan."""
    costs = Costs.of(problem, TWO)
    if routes is None:
        routes = greedy.solve(problem, policy=TWO, time_limit=5.0, seed=0).routes
    found, stats = processes.pooled_ruin_and_recreate(
        problem, TWO, costs, routes, time.perf_counter() + seconds, 3, **kwargs
    )
    solution = Solution(routes=found, objective=0, backend="test", seed=0, solve_seconds=0.0)
    assert problem_violations(problem, solution) == []
    assert missing_pins(problem, solution) == set()
    return found, stats, plan_cost(problem, costs, routes)


def _in_helpers(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> None:
    """Make the helpers' search do ``act`` (the lead's search runs as it is)."""
    lead = os.getpid()

    def patched(*args: Any, **kwargs: Any) -> tuple[tuple[Route, ...], LnsStats]:
        if os.getpid() != lead:
            act()
        return search(*args, **kwargs)

    monkeypatch.setattr(processes, "ruin_and_recreate", patched)


def test_helpers_pool_their_routes_and_count_their_moves(
    busy_round: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes the lead merges routes from its helper at the meetings, adds the
    helper's moves to its own, and returns a valid plan no worse than the start."""
    merged: list[int] = []
    merge = RoutePool.merge

    def counted(pool: RoutePool, routes: list[Any]) -> None:
        merged.append(len(routes))
        merge(pool, routes)

    monkeypatch.setattr(RoutePool, "merge", counted)
    lead_moves: list[int] = []

    def lead_counted(*args: Any, **kwargs: Any) -> tuple[tuple[Route, ...], LnsStats]:
        found, stats = search(*args, **kwargs)
        lead_moves.append(stats.iterations)
        return found, stats

    monkeypatch.setattr(processes, "ruin_and_recreate", lead_counted)
    found, stats, start = _pooled(busy_round, 3.0)
    assert stats.processes == 2
    assert len(merged) == 2 and sum(merged) > 0
    assert stats.iterations > lead_moves[0] > 0
    assert plan_cost(busy_round, Costs.of(busy_round, TWO), found) <= start


def test_the_best_plan_of_all_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lead whose own moves change nothing still returns what its helper found: from a
    start with every other route of the greedy plan, a plan of less than half its cost."""
    problem = random_problem(11, 12, 60)
    costs = Costs.of(problem, TWO)
    half = greedy.solve(problem, policy=TWO, time_limit=5.0, seed=0).routes[::2]
    lead = os.getpid()
    step = _Search.step

    def idle_in_lead(search: _Search, kind: str) -> None:
        if os.getpid() != lead:
            step(search, kind)

    monkeypatch.setattr(_Search, "step", idle_in_lead)
    found, stats, start = _pooled(problem, 2.0, routes=half)
    assert stats.processes == 2
    assert plan_cost(problem, costs, found) < start / 2


def test_helpers_search_on_while_the_lead_recombines(
    busy_round: Problem, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """While the lead recombines (here made to take 0.4 s at each meeting), the helper
    goes on moving, and the lead's plan still reaches it: the helper's moves, logged
    against the system's monotonic clock, fall inside the lead's recombinations, and it
    picks the lead's answers up between its moves."""
    lead = os.getpid()
    log, answers = tmp_path / "helper-moves", tmp_path / "helper-answers"
    windows: list[tuple[float, float]] = []
    step, combine, collect = _Search.step, processes.recombine, _processes.LeadLink.collect

    def logged_step(search: _Search, kind: str) -> None:
        if os.getpid() != lead:
            with log.open("a", encoding="utf-8") as out:
                out.write(f"{time.perf_counter()}\n")
        step(search, kind)

    def logged_collect(link: _processes.LeadLink) -> tuple[Route, ...] | None:
        answer = collect(link)
        if answer is not None:
            with answers.open("a", encoding="utf-8") as out:
                out.write("answer\n")
        return answer

    def slow_recombine(*args: Any) -> tuple[Route, ...] | None:
        began = time.perf_counter()
        time.sleep(0.4)
        found = combine(*args)
        windows.append((began, time.perf_counter()))
        return found

    monkeypatch.setattr(_Search, "step", logged_step)
    monkeypatch.setattr(processes, "recombine", slow_recombine)
    monkeypatch.setattr(_processes.LeadLink, "collect", logged_collect)
    _, stats, _ = _pooled(busy_round, 4.0)
    assert stats.processes == 2 and len(windows) == 2
    moves = [float(line) for line in log.read_text(encoding="utf-8").split()]
    during = [t for t in moves if any(a < t < b for a, b in windows)]
    assert len(during) >= 10, (len(moves), windows)
    assert answers.is_file() and answers.read_text(encoding="utf-8").split()


def test_a_failing_helper_fails_the_search_with_its_traceback(
    busy_round: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a helper's search is raised by the lead, naming what failed."""

    def fail() -> None:
        raise ValueError("broken helper")

    _in_helpers(monkeypatch, fail)
    with pytest.raises(RuntimeError, match="broken helper"):
        _pooled(busy_round, 2.0)


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda: os._exit(3), id="dies"),
        pytest.param(lambda: time.sleep(60), id="hangs"),
    ],
)
def test_a_lost_helper_leaves_the_lead_to_search_alone(
    busy_round: Problem, monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]
) -> None:
    """A helper that dies, or that never meets the lead, is dropped (and stopped) at the
    first meeting; the lead's own plan comes back on time."""
    monkeypatch.setattr(_processes, "WAIT_SECONDS", 0.3)
    _in_helpers(monkeypatch, act)
    began = time.perf_counter()
    _, stats, _ = _pooled(busy_round, 2.0)
    assert stats.processes == 1 and stats.iterations > 0
    assert time.perf_counter() - began < 3.0


def test_a_stop_request_ends_every_process_at_once(busy_round: Problem) -> None:
    """A set stop event ends the search well before its deadline, helpers included."""
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    began = time.perf_counter()
    _pooled(busy_round, 30.0, stop=stop)
    assert time.perf_counter() - began < 5.0


@pytest.mark.parametrize(
    ("policy", "seconds", "iterations"),
    [
        pytest.param(Policy(search_processes=1), 2.0, None, id="one-process-asked"),
        pytest.param(TWO, 0.5, None, id="too-short"),
        pytest.param(TWO, 30.0, 200, id="deterministic"),
    ],
)
def test_the_search_stays_in_one_process_where_helpers_do_not_pay(
    busy_round: Problem, policy: Policy, seconds: float, iterations: int | None
) -> None:
    """One process when the policy asks for one, for a search under a second, and for a
    search bounded by moves (so that it repeats)."""
    costs = Costs.of(busy_round, policy)
    start = greedy.solve(busy_round, policy=policy, time_limit=5.0, seed=0).routes
    found, stats = processes.pooled_ruin_and_recreate(
        busy_round, policy, costs, start, time.perf_counter() + seconds, 0, iterations=iterations
    )
    assert stats.processes == 1
    assert plan_cost(busy_round, costs, found) <= plan_cost(busy_round, costs, start)


def test_unset_uses_the_cores_this_process_may_use_up_to_the_cap() -> None:
    """Left unset, one process per core available (at most the cap); set, as asked."""
    cores = len(os.sched_getaffinity(0))
    assert _processes.search_processes(Policy()) == min(cores, _processes.AUTO_PROCESSES)
    assert _processes.search_processes(Policy(search_processes=3)) == 3


def test_a_dispatch_with_two_processes_passes_verify() -> None:
    """Through the whole dispatch of a generated tight day, a plan searched in two
    processes breaks no rule."""
    dataset = dataset_from_frames(generate_frames(workers=20, jobs=70, seed=4, load=2.0))
    result = dispatch(dataset, solver="routing", time_limit=5.0, seed=0, policy=TWO)
    assert verify(dataset, result.plan) == []
    assert result.solution.stats["lns_processes"] == 2
