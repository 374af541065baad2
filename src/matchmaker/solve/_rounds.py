"""What every backend gets from the registry: the rules across the round kept, and a clear
refusal where a backend cannot honour an objective term.

:func:`round_rules` wraps a backend's ``solve``: where a customer's visits could break its
continuity cap it plans twice, inside care teams
(:func:`matchmaker.solve._continuity.within_care_teams`) and without them, and keeps the
better plan; the limits across days and the continuity cap are enforced on what each run
returns (:func:`matchmaker.solve._limits.enforce`), and the greedy backend refuses a
policy with a workload balance weight, which it cannot optimise. With the home-care rules
of :mod:`matchmaker.compile._linked` as well, the trim keeps every start and the refill
inserts at fixed starts (see :mod:`matchmaker.solve._limits`).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import replace

from matchmaker.compile import Problem
from matchmaker.model import Policy, RequestError
from matchmaker.solve._continuity import within_care_teams
from matchmaker.solve._limits import enforce
from matchmaker.solve._solution import Progress, ProgressCallback, Solution, Solver

__all__ = ["BALANCING_SOLVERS", "TEAMS_SHARE", "round_rules"]

BALANCING_SOLVERS: tuple[str, ...] = ("routing", "cpsat")
"""The backends that optimise ``policy.balance_cost_per_minute`` (workload balance)."""
TEAMS_SHARE = 0.5
"""Share of the time limit for the run inside care teams; the run without them gets the
rest. Neither run wins everywhere: teams see a customer whole (one worker who can take
all its visits), while a search without them sends each visit to the nearest fit worker
and the trim after drops what breaks a cap. Routing on generated home-care days (section
``care-teams`` of ``benchmarks/RESULTS.md``, ``benchmarks/care_teams.py``), objective
inside teams / without / both: 60 x 150 at 30 s 268,264 / 307,156 / 268,389 and
305,090 / 294,520 / 299,759 (instance seeds 1 and 3); 200 x 600 at 30 s 1,084,314 /
992,552 / 990,254 and 982,814 / 948,291 / 975,873; 600 x 2000 at 120 s 2,934,885 /
2,764,967 / 2,764,967 and 2,694,110 / 2,492,451 / 2,492,451."""


def round_rules(name: str, solve: Solver) -> Solver:
    """``solve`` (backend ``name``) keeping the rules across the round (module docstring)."""

    @functools.wraps(solve)
    def wrapped(
        problem: Problem,
        *,
        policy: Policy,
        time_limit: float,
        seed: int,
        warm_start: Solution | None = None,
        progress: ProgressCallback | None = None,
        deterministic: bool = False,
        stop: threading.Event | None = None,
    ) -> Solution:
        if policy.balance_cost_per_minute > 0 and name not in BALANCING_SOLVERS:
            raise RequestError(
                f"the {name} solver cannot honour the workload balance rule "
                f"(policy balance_cost_per_minute = {policy.balance_cost_per_minute}); "
                f"use {' or '.join(BALANCING_SOLVERS)}, or set it to 0"
            )
        began = time.perf_counter()

        def run(round_: Problem, limit: float, phase: str) -> Solution:
            offset = time.perf_counter() - began
            told = progress if progress is None or not phase else _phase(progress, phase, offset)
            solution = solve(
                round_,
                policy=policy,
                time_limit=limit,
                seed=seed,
                warm_start=warm_start,
                progress=told,
                deterministic=deterministic,
                stop=stop,
            )
            return enforce(problem, policy, solution, fill=round_ is not problem)

        narrowed = within_care_teams(problem)
        if narrowed is problem:
            return run(problem, time_limit, "")
        teams = run(narrowed, time_limit * TEAMS_SHARE, "inside care teams")
        left = time_limit - (time.perf_counter() - began)
        if left <= 0 or (stop is not None and stop.is_set()):
            return teams
        free = run(problem, left, "without care teams")
        best = free if free.objective < teams.objective else teams
        stats = {
            **best.stats,
            "care_teams_objective": float(teams.objective),
            "without_teams_objective": float(free.objective),
        }
        # The run without teams solved the whole round: its bound holds for every plan.
        bound = None if free.lower_bound is None else min(free.lower_bound, best.objective)
        return replace(
            best,
            lower_bound=bound,
            solve_seconds=time.perf_counter() - began,
            stats=stats,
        )

    return wrapped


def _phase(progress: ProgressCallback, phase: str, offset: float) -> ProgressCallback:
    """``progress`` with the run's phase named and its seconds counted from the solve's start."""

    def report(update: Progress) -> None:
        progress(
            replace(
                update,
                elapsed_seconds=update.elapsed_seconds + offset,
                message=f"{phase}: {update.message or 'searching'}",
            )
        )

    return report
