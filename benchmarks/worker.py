"""One benchmark run in its own process: load, compile, solve, build the plan, verify, measure.

:mod:`benchmarks.run` starts ``python -m benchmarks.worker SPEC_JSON`` once per run so that
the peak memory the parent reads for the child (``os.wait4``) belongs to that run alone. The
spec is plain JSON (no pickles); the result is written as JSON to ``spec["out"]``.

Spec keys: ``dataset`` (folder), ``solver`` (``routing``, ``greedy``, ``cpsat``, ``vroom``),
``time_limit`` (s), ``seed``, ``out`` (result file), ``weighting`` (a name of
:data:`WEIGHTINGS`, default ``default``: the dataset's own policy), ``objective`` (a name
of :data:`OBJECTIVES`, default ``policy``), ``serve_value_minutes`` (sets the policy's,
pricing serving in travel minutes; default unset), and for VROOM ``vroom_level``,
``vroom_threads``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.instances import Loaded, load_instance
from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Solution, objective_terms, priority_weights

__all__ = [
    "OBJECTIVES",
    "PEERS",
    "WEIGHTINGS",
    "eligibility_rates",
    "main",
    "measure",
    "objective_policy",
    "run_pipeline",
    "run_spec",
    "solve_with",
    "weighted_policy",
]

PEERS = ("vroom",)

WEIGHTINGS: dict[str, dict[int, int] | None] = {
    "default": None,
    "linear": {1: 1, 2: 2, 3: 3, 4: 4, 5: 5},
}
"""Priority weights a run may replace the dataset policy's with (``None``: keep them)."""


OBJECTIVES: dict[str, dict[str, int]] = {
    "policy": {},
    "same": {"match_cost_per_point": 0},
}
"""Policy settings a run may override so that every backend minimises the same thing.

``policy``: the dataset's objective (drop penalties, match cost per score point, travel);
VROOM does not see the match cost, so it is compared on an objective it ignores.
``same``: no match cost, so matchmaker, like VROOM, maximises the priority-weighted served
value and then minimises travel (see :mod:`benchmarks.vroom_peer` for what still differs)."""


def objective_policy(policy: Policy, objective: str) -> Policy:
    """``policy`` with the settings of ``objective`` (:data:`OBJECTIVES`)."""
    update = OBJECTIVES[objective]
    return policy.model_copy(update=update) if update else policy


def weighted_policy(policy: Policy, weighting: str) -> Policy:
    """``policy`` with the priority weights of ``weighting`` (:data:`WEIGHTINGS`)."""
    weights = WEIGHTINGS[weighting]
    if weights is None:
        return policy
    return policy.model_copy(update={"priority_weights": weights, "strict_priority": False})


def solve_with(
    solver: str, problem: Problem, policy: Policy, spec: dict[str, Any]
) -> tuple[Solution, int | None]:
    """Solve with backend ``solver`` (ours or a peer); the solution and its proven lower bound.

    Only CP-SAT proves bounds (``Solution.lower_bound``, what
    :func:`matchmaker.solve._cpsat.lower_bound` returns too).
    """
    time_limit = float(spec["time_limit"])
    seed = int(spec.get("seed", 1))
    if solver == "vroom":
        from benchmarks import vroom_peer

        solution = vroom_peer.solve(
            problem,
            policy=policy,
            time_limit=time_limit,
            seed=seed,
            level=int(spec.get("vroom_level", vroom_peer.DEFAULT_LEVEL)),
            threads=int(spec.get("vroom_threads", vroom_peer.DEFAULT_THREADS)),
        )
        return solution, None
    from matchmaker.solve import get_solver

    solution = get_solver(solver)(problem, policy=policy, time_limit=time_limit, seed=seed)
    return solution, solution.lower_bound


def measure(problem: Problem, policy: Policy, solution: Solution) -> dict[str, Any]:
    """Plan figures computed the same way for every backend, from the problem's arrays.

    A job counts as served when as many distinct workers as it needs serve it, all starting
    at the same minute (the team rule). A team job with members that is not served that way
    is *broken* (only a peer that cannot synchronise teams produces those); its travel and
    match scores still count, since the plan spends them.
    """
    members: dict[int, set[tuple[int, int]]] = {}
    workers: list[int] = []
    jobs: list[int] = []
    for vehicle, job, start in solution.assignments():
        worker = int(problem.vehicle_worker[vehicle])
        workers.append(worker)
        jobs.append(job)
        members.setdefault(job, set()).add((worker, start))
    served = np.zeros(problem.n_jobs, dtype=bool)
    for job, pairs in members.items():
        distinct_workers = {worker for worker, _ in pairs}
        starts = {start for _, start in pairs}
        served[job] = len(distinct_workers) >= problem.job_team[job] and len(starts) == 1
    terms = objective_terms(problem, solution.routes, policy)
    n_served = int(served.sum())
    weights = priority_weights(problem, policy)
    weight = np.array([weights[int(p)] for p in problem.job_priority], dtype=np.int64)
    scores = problem.score[workers, jobs] if jobs else np.zeros(0)
    return {
        "jobs_total": problem.n_jobs,
        "jobs_served": n_served,
        "team_broken": len(members) - n_served,
        "priority_total": int(problem.job_priority.sum()),
        "priority_served": int(problem.job_priority[served].sum()),
        "weighted_total": int(weight.sum()),
        "weighted_served": int(weight[served].sum()),
        "travel_minutes": terms.travel_minutes,
        "travel_per_served": terms.travel_minutes / n_served if n_served else None,
        "mean_match_score": float(scores.mean()) if scores.size else None,
        "objective": terms.total,
        "objective_terms": terms.as_dict(),
        "solver_objective": solution.objective,
    }


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(who).ru_maxrss / 1024.0


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one spec end to end and return its result record."""
    from matchmaker.plan import build_plan, verify

    loaded = load_instance(Path(spec["dataset"]))
    problem = loaded.problem
    # Priority weights price only dropped jobs, so the compiled problem stays as it is.
    weighting = str(spec.get("weighting", "default"))
    objective = str(spec.get("objective", "policy"))
    policy = objective_policy(weighted_policy(loaded.policy, weighting), objective)
    price = spec.get("serve_value_minutes")
    if price is not None:
        policy = policy.model_copy(update={"serve_value_minutes": int(price)})
    warm = 0.0
    if spec["solver"] != "vroom":
        from matchmaker.generate import warm_up

        # As `matchmaker dispatch` does, and a long-lived dispatch process is after its
        # first solve: the kernels load before the clock, not inside the time limit.
        warm = warm_up()
    began = time.perf_counter()
    solution, bound = solve_with(str(spec["solver"]), problem, policy, spec)
    solve_wall = time.perf_counter() - began
    peak_after_solve = _peak_rss_mb()
    plan = build_plan(loaded.dataset, problem, solution, policy)
    planned = time.perf_counter()
    violations = verify(loaded.dataset, plan)
    verified = time.perf_counter()
    record = measure(problem, policy, solution)
    record |= {
        "solver": spec["solver"],
        "time_limit": float(spec["time_limit"]),
        "seed": int(spec.get("seed", 1)),
        "weighting": weighting,
        "objective_mode": objective,
        "serve_value_minutes": price,
        "workers": problem.n_workers,
        "vehicles": problem.n_vehicles,
        "lower_bound": bound,
        "status": solution.status,
        "stats": {key: float(value) for key, value in solution.stats.items()},
        "load_seconds": loaded.load_seconds,
        "compile_seconds": loaded.compile_seconds,
        "warm_seconds": warm,
        "solve_seconds": solve_wall,
        "solver_solve_seconds": solution.solve_seconds,
        "plan_seconds": planned - began - solve_wall,
        "verify_seconds": verified - planned,
        "violations": len(violations),
        "violations_by_rule": dict(Counter(v.rule for v in violations)),
        "violation_examples": [v.message for v in violations[:5]],
        "peak_rss_mb_after_solve": peak_after_solve,
        "peak_rss_mb_self": _peak_rss_mb(),
        # The search's helper processes (forked, so sharing the problem's pages): their
        # largest peak, counted apart from this process's.
        "peak_rss_mb_helpers": _peak_rss_mb(resource.RUSAGE_CHILDREN),
    }
    return record


ELIGIBILITY_REPEATS = 3


def _best_seconds(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ELIGIBILITY_REPEATS):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best


def eligibility_rates(loaded: Loaded) -> dict[str, Any]:
    """Worker-job pairs per second of compile's eligibility step, best of a few timings.

    ``pair_rules``: every pair-only hard rule on an encoded dataset
    (:func:`matchmaker.compile.pair_reasons`, what ``bench_eligibility.py`` targets);
    ``step``: encoding, the pair rules, the shift fit per vehicle and the ``eligible``
    matrix. Travel minutes are the travel step's and are read from the compiled problem.
    When those functions cannot be called on their own, ``step`` falls back on the whole
    compile time (a lower bound on the rate) and ``pair_rules`` is ``None``.
    """
    problem = loaded.problem
    pairs = problem.n_workers * problem.n_jobs
    try:
        from matchmaker.compile import eligible_matrix, encode_pairs, pair_reasons, rule_shift_fit

        encoded = encode_pairs(loaded.dataset)
        rules = _best_seconds(lambda: pair_reasons(encoded))

        def step() -> object:
            bits = pair_reasons(encode_pairs(loaded.dataset))
            fit = rule_shift_fit(
                vehicle_start=problem.vehicle_start,
                vehicle_end=problem.vehicle_end,
                travel_home_job=problem.travel_home_job,
                job_earliest=problem.job_earliest,
                job_latest=problem.job_latest,
                job_duration=problem.job_duration,
            )
            return eligible_matrix(bits, problem.vehicle_worker, fit.fits, problem.pinned)

        whole = _best_seconds(step)
    except (ImportError, TypeError, AttributeError) as error:
        seconds = loaded.compile_seconds
        return {
            "eligibility_rules_pairs_per_second": None,
            "eligibility_pairs_per_second": pairs / seconds if seconds > 0 else None,
            "eligibility_method": f"whole compile, a lower bound ({type(error).__name__})",
        }
    return {
        "eligibility_rules_pairs_per_second": pairs / rules if rules > 0 else None,
        "eligibility_pairs_per_second": pairs / whole if whole > 0 else None,
        "eligibility_method": f"best of {ELIGIBILITY_REPEATS}",
    }


def run_pipeline(spec: dict[str, Any]) -> dict[str, Any]:
    """Load and compile only: the compile figures of issue 3."""
    loaded = load_instance(Path(spec["dataset"]))
    return {
        "solver": "pipeline",
        "workers": loaded.problem.n_workers,
        "jobs": loaded.problem.n_jobs,
        "vehicles": loaded.problem.n_vehicles,
        "pairs": loaded.problem.n_workers * loaded.problem.n_jobs,
        "load_seconds": loaded.load_seconds,
        "compile_seconds": loaded.compile_seconds,
        **eligibility_rates(loaded),
        "peak_rss_mb_self": _peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m benchmarks.worker SPEC_JSON", file=sys.stderr)
        return 2
    spec = json.loads(args[0])
    record = run_pipeline(spec) if spec["solver"] == "pipeline" else run_spec(spec)
    Path(spec["out"]).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
