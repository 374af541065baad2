"""One dispatch round end to end: compile, solve, explain, verify.

:func:`dispatch` is what ``matchmaker dispatch`` and a dispatch system calling the library
run. It never writes anything; :func:`matchmaker.io.plans.write_plan` does that, and only
for a plan that passed :func:`~matchmaker.verify.verify`.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.compile import compile_problem
from matchmaker.domain import Dataset
from matchmaker.explain import build_plan
from matchmaker.plan import Plan
from matchmaker.policy import Policy
from matchmaker.problem import Problem
from matchmaker.solution import ProgressCallback, Solution
from matchmaker.solvers import get_solver
from matchmaker.travel import TravelModel
from matchmaker.verify import Violation, verify

__all__ = ["DispatchResult", "dispatch"]


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


def dispatch(
    dataset: Dataset,
    *,
    solver: str = "routing",
    policy: Policy | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    travel: TravelModel | None = None,
) -> DispatchResult:
    """Plan one round: compile ``dataset``, solve with backend ``solver``, explain, verify.

    ``policy`` defaults to the dataset's own (``dataset.toml``). ``time_limit`` (seconds) and
    ``seed`` go to the solver; the same seed gives the same plan for a deterministic
    backend. ``progress`` receives the solver's :class:`~matchmaker.solution.Progress`
    reports. ``travel`` is the travel model (default: haversine with the dataset's
    ``[travel]`` settings); the plan records it, and verify, explain and the plan folder use
    it. Raises ``ValueError`` for an unknown solver name.
    """
    chosen = policy if policy is not None else dataset.settings.policy
    solve = get_solver(solver)
    problem = compile_problem(dataset, policy=chosen, travel=travel)
    solution = solve(problem, policy=chosen, time_limit=time_limit, seed=seed, progress=progress)
    plan = build_plan(dataset, problem, solution, chosen)
    return DispatchResult(
        plan=plan,
        violations=tuple(verify(dataset, plan)),
        problem=problem,
        solution=solution,
        policy=chosen,
    )
