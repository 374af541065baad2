"""One dispatch round end to end: compile, solve, explain, verify.

:func:`dispatch` is what ``matchmaker dispatch`` and a dispatch system calling the library
run. It never writes anything; :func:`matchmaker.io.write_plan` does that, and only
for a plan that passed :func:`~matchmaker.plan.verify`.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from matchmaker.compile import Problem, TravelModel, compile_problem
from matchmaker.model import Dataset, Policy
from matchmaker.plan._build import build_plan
from matchmaker.plan._plan import Plan
from matchmaker.plan._split import SplitKind, solve_split
from matchmaker.plan._verify import Violation, verify
from matchmaker.solve import ProgressCallback, Solution, get_solver

__all__ = ["DispatchInterrupted", "DispatchResult", "dispatch", "redacted"]


class DispatchInterrupted(Exception):
    """``stop`` was set before the solver started: there is no plan at all."""


@dataclass(frozen=True, kw_only=True)
class DispatchResult:
    """The plan of a round with everything that produced it.

    ``violations`` is the verifier's verdict on ``plan``; a non-empty list means a solver
    bug, and the plan must not be used.
    """

    plan: Plan
    violations: tuple[Violation, ...]
    problem: Problem
    solution: Solution
    policy: Policy

    @property
    def ok(self) -> bool:
        """The plan passed every hard rule."""
        return not self.violations

    @property
    def interrupted(self) -> bool:
        """``stop`` ended the search early: this is the best plan found until then."""
        return bool(self.solution.stats.get("interrupted"))

    @property
    def time_capped(self) -> bool:
        """A deterministic solve was cut short by its time limit: the plan may not repeat."""
        return bool(self.solution.stats.get("time_capped"))

    @property
    def model_too_large(self) -> bool:
        """The CP-SAT model of the round did not fit the time limit: the plan is the
        greedy warm start."""
        return bool(self.solution.stats.get("model_too_large"))


def redacted(dataset: Dataset) -> Dataset:
    """``dataset`` without the names of workers and customers (nor street addresses):
    every output made from it (plan, reasons, explanations, the plan's input copy, the
    report) names them by id only."""
    return replace(
        dataset,
        workers=tuple(replace(w, name="") for w in dataset.workers),
        customers=tuple(replace(c, name="", address="") for c in dataset.customers),
        jobs=tuple(replace(j, address="") for j in dataset.jobs),
    )


def dispatch(
    dataset: Dataset,
    *,
    solver: str = "routing",
    policy: Policy | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    travel: TravelModel | None = None,
    deterministic: bool = False,
    stop: threading.Event | None = None,
    split: SplitKind | None = None,
    zones: int | None = None,
    executor: Executor | None = None,
) -> DispatchResult:
    """Plan one round: compile ``dataset``, solve with backend ``solver``, explain, verify.

    ``policy`` defaults to the dataset's own (``dataset.toml``). ``time_limit`` (seconds) and
    ``seed`` go to the solver. Without ``deterministic`` the search is bounded by time,
    and the same seed does *not* guarantee the same plan (a faster or less busy machine
    searches further). With ``deterministic=True`` it is bounded by an amount of work
    that depends only on the round, so the same dataset, policy, solver and seed give the
    same plan on any machine, as long as ``time_limit`` (then only a safety cap) does not
    cut it short: :attr:`DispatchResult.time_capped` tells. Unless
    :func:`matchmaker.warm_up` ran first (the command line runs it), each of the solver's
    kernels compiles inside ``time_limit`` of the first solve that reaches it, so the
    first solves of a process may overrun it.

    ``travel`` is the travel model (default: haversine with the dataset's ``[travel]``
    settings); the plan records it, and verify, explain and the plan folder use it.
    ``stop`` (e.g. set on Ctrl-C) ends the search early with the best plan so far
    (:attr:`DispatchResult.interrupted`); set before the solver starts, it raises
    :class:`DispatchInterrupted`. ``progress`` receives the solver's
    :class:`~matchmaker.solve.Progress` reports. Raises ``ValueError`` for an unknown
    solver name.

    ``split`` (``"zones"`` or ``"days"``) solves the round as independent pieces
    (:func:`matchmaker.plan.solve_split`; ``zones`` sets how many zones), on ``executor``
    (any ``concurrent.futures.Executor``, e.g. from :func:`matchmaker.plan.open_executor`)
    when given; an ``executor`` without ``split`` splits by zones. ``time_limit`` then caps
    each piece.
    """
    chosen = policy if policy is not None else dataset.settings.policy
    solve = get_solver(solver)
    problem = compile_problem(dataset, policy=chosen, travel=travel)
    if stop is not None and stop.is_set():
        raise DispatchInterrupted("interrupted before the solver started")
    if split is None and executor is None:
        solution = solve(
            problem,
            policy=chosen,
            time_limit=time_limit,
            seed=seed,
            progress=progress,
            deterministic=deterministic,
            stop=stop,
        )
    else:
        solution = solve_split(
            dataset,
            problem,
            split=split if split is not None else "zones",
            zones=zones,
            solver=solver,
            policy=chosen,
            time_limit=time_limit,
            seed=seed,
            deterministic=deterministic,
            executor=executor,
            progress=progress,
            stop=stop,
        )
    plan = build_plan(dataset, problem, solution, chosen)
    return DispatchResult(
        plan=plan,
        violations=tuple(verify(dataset, plan)),
        problem=problem,
        solution=solution,
        policy=chosen,
    )
