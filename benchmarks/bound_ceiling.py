"""How high the lower bound's relaxation can go on a round: column generation on whole routes,
run to convergence.

The solver's bound (:mod:`matchmaker.solve._bound`) has a tenth of the time limit and
prices a shift by its best route only where that search stays within
:data:`~matchmaker.solve._bound_shifts.MAX_LABELS` labels. This benchmark gives the same
relaxation all the time it needs: every shift priced by its best route on true legs within
``--labels`` labels, a linear master over the routes found (each at its cost on true legs),
its duals as the next prices, until no route prices below its shift's dual. The best
Lagrangian value seen is a valid lower bound whatever happens (shifts left unpriced keep
their walk and set values); at convergence with every shift priced it is the
relaxation's optimum, its **ceiling**: no time given to the solver's bound passes it. (It
was not while the master took a pinned shift's legs as saved when it left the shift idle,
or kept a set column of a shift priced later: on a 3 x 8 test round it converged at
22,816 where other prices reach the optimum, 22,846; see
:mod:`matchmaker.solve._bound_master`.) A routing solve of ``--limit`` seconds gives the
plan and the bound the solver reaches.

``--drop-teams`` makes every team job ineligible (the round then differs: its team jobs
are left unserved by every plan), which shows how much of the gap the team jobs make.

    python benchmarks/bound_ceiling.py 200x600 --limit 30
    python benchmarks/bound_ceiling.py 200x600 --limit 30 --drop-teams
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.instances import (
    CACHE_DIR,
    INSTANCE_SEED,
    ensure_instance,
    load_instance,
    parse_size,
)
from benchmarks.run import machine_info
from benchmarks.sections import load_note, write_section
from benchmarks.worker import WEIGHTINGS, objective_policy, weighted_policy
from matchmaker.compile import Problem
from matchmaker.generate import warm_up
from matchmaker.solve import get_solver
from matchmaker.solve._bound import column_bound
from matchmaker.solve._costs import Costs


@dataclasses.dataclass(frozen=True, kw_only=True)
class Ceiling:
    """The best bound column generation reached, and how."""

    bound: float
    converged: bool
    seconds: float
    priced: int
    """Shifts the last pricing priced by their best route (the others keep walks and sets)."""


def ceiling(problem: Problem, costs: Costs, *, labels: int, seconds: float) -> Ceiling:
    """Column generation on routes (module docstring) for at most ``seconds``."""
    began = time.perf_counter()
    columns = column_bound(problem, costs)
    shifts = columns.shifts
    shifts.max_labels = labels
    shifts.use_true_legs()
    converged = columns.route_master(seconds)
    return Ceiling(
        bound=columns.constant + columns.best,
        converged=converged,
        seconds=time.perf_counter() - began,
        priced=int(shifts.routed.sum()),
    )


def _without_teams(problem: Problem) -> Problem:
    eligible = problem.eligible.copy()
    eligible[:, problem.job_team > 1] = False
    return dataclasses.replace(problem, eligible=eligible)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="instance, e.g. 200x600 or 200x600@2")
    parser.add_argument("--instance-seed", type=int, default=INSTANCE_SEED)
    parser.add_argument("--weighting", choices=sorted(WEIGHTINGS), default="default")
    parser.add_argument("--labels", type=int, default=200_000)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--limit", type=float, default=30.0, help="the routing solve's limit")
    parser.add_argument("--drop-teams", action="store_true")
    parser.add_argument("--section", help="write the report into this section of RESULTS.md")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    note = load_note()
    path = ensure_instance(parse_size(args.size), seed=args.instance_seed, cache=args.cache)
    loaded = load_instance(path)
    problem = _without_teams(loaded.problem) if args.drop_teams else loaded.problem
    policy = objective_policy(weighted_policy(loaded.policy, args.weighting), "same")
    warm_up()
    plan = get_solver("routing")(problem, policy=policy, time_limit=args.limit, seed=1)
    costs = Costs.of(problem, policy)
    found = ceiling(problem, costs, labels=args.labels, seconds=args.minutes * 60)
    teams = ", team jobs dropped" if args.drop_teams else ""
    state = "converged" if found.converged else "not converged"
    gap = (plan.objective - found.bound) / found.bound
    command = " ".join(sys.argv[1:] if argv is None else argv)
    rows = [
        f"- round: {args.size}, instance seed {args.instance_seed}, {args.weighting} weights,"
        f" same objective{teams}",
        f"- routing plan at {args.limit:g} s: {plan.objective:,}; the solver's bound:"
        f" {'none' if plan.lower_bound is None else f'{plan.lower_bound:,}'}",
        f"- ceiling: {math.floor(found.bound):,} ({state} after"
        f" {found.seconds:.0f} s; {found.priced} of {problem.n_vehicles} shifts priced by"
        f" their best route within {args.labels:,} labels)",
        f"- the plan over the ceiling: {gap:.1%}",
        f"- machine: {machine_info()['cpu_model']}, {note}",
        f"- command: `python benchmarks/bound_ceiling.py {command}`",
    ]
    report = "\n".join(rows)
    print(report)
    if args.section:
        write_section(args.section, f"## Bound ceiling: {args.section}\n\n{report}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
