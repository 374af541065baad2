"""The default backend: OR-Tools routing with guided local search, from a greedy plan.

One vehicle per worker shift, starting at the worker's home with an open end; one node
per worker needed by each job; drop penalties, match costs and travel costs exactly as in
the documented objective (:mod:`matchmaker.solve._objective`). The model is built in
:mod:`matchmaker.solve._routing_model` and searched in :mod:`matchmaker.solve._routing_search`.

How a solve runs (``time_limit`` covers all of it, model builds included; the search after
the bound, and the constants named in steps 2-5, are in :mod:`matchmaker.solve._round_search`):

1. **Warm start**: the greedy backend, with half the time limit at most; a given
   ``warm_start`` is replayed by it (kept where every rule still allows, the rest
   inserted). Synchronised team copies stop OR-Tools' own first-solution strategies from
   placing anything, so every search starts from the current plan
   (``ReadAssignmentFromRoutes``); parallel cheapest insertion is used only when a model
   rejects the plan.
2. **Exact repair** (:mod:`matchmaker.solve._repair`; 60 % of the search time on a
   round small enough to be solved whole, :data:`_NEIGHBOURHOOD_REPAIR_SHARE` otherwise,
   none at present): routing operators add one node at a time, so they can never add a
   team job and rarely free room for a long one. CP-SAT re-plans small neighbourhoods
   around unserved jobs exactly, highest drop penalty first. A round of at most 20
   vehicles and 60 jobs is first solved whole; when CP-SAT proves that plan optimal the
   solve ends there, with ``status="optimal"`` and ``lower_bound`` equal to the objective.
3. **Ruin and recreate** (:mod:`matchmaker.solve._lns`; :data:`_LNS_SHARE` of the time
   left, unless ``policy.ruin_and_recreate`` is false): removes and re-inserts a few dozen
   jobs at a time over the whole round, team jobs whole, so it can exchange served jobs for
   more valuable unserved ones, which one-node routing moves cannot. It runs in one
   process per core, at most two unless ``policy.search_processes`` says otherwise
   (:mod:`matchmaker.solve._lns_processes`). When the time steps 4 and 5 would get
   is too short for them to search at all, ruin and recreate takes it too, and the
   greedy fill ends the solve.
4. **Guided local search** (the rest): on the whole round when it is small (at most
   :data:`VEHICLES_PER_PART` vehicles and :data:`COPIES_PER_PART` job copies). A larger
   round is cut into sub-rounds by geography (:mod:`matchmaker.solve._decompose`),
   each searched in turn from the current plan with a share of the time in proportion to
   its jobs; when time allows, further passes cut the round around other centres so jobs
   can cross the borders of the previous pass. In a cut round, team jobs stay where they
   are during the search. After each pass the greedy inserts what fits into the new plan
   (team jobs included).
5. **Polish** (:mod:`matchmaker.solve._polish`; :data:`_POLISH_SHARE` of the time left
   after ruin and recreate, taken from the end of step 4, and only where the round's
   workers price jobs alike, as with no match cost): guided local search over every
   vehicle of the round on the served jobs alone, to cut their travel; then the greedy
   inserts what fits into the time it freed.
6. **Reassign** (:mod:`matchmaker.solve._reassign`; not on a round with limits across
   days): each route without a team or pinned job goes, whole, to the shift that makes
   the plan cheapest, by one min-cost assignment of routes to shifts.
7. **Start minutes**: each job's least feasible start for the chosen sequences
   (:func:`~matchmaker.solve._schedule.earliest_starts`), equal across a team.

Before the search, a **lower bound** on the objective of any plan
(:func:`~matchmaker.solve._bound.relaxation_bound`) is raised for at most
:data:`_BOUND_SHARE` of the time limit and returned as ``lower_bound`` (the objective itself
when CP-SAT proved the plan optimal). On a round the exact repair solves whole, the bound
CP-SAT proved there counts too when it is the larger. The routes the bound priced on its
way (:func:`~matchmaker.solve._recombine.priced_routes`: those a shift can drive) join the
pool that ruin and recreate recombines.

Every step replaces the plan (or its part) only if the objective goes down, so the result
is never worse than the greedy warm start.

``stats``: ``warm_start_objective``; ``routing_objective`` (the objective as the models
priced it; equal to ``objective`` because the models are exact); ``repair_tried``,
``repair_improved``, ``repair_seconds``; ``lns_moves`` and ``lns_accepted`` (over every
process), ``lns_processes``, ``lns_improved``, ``lns_seconds``, ``lns_recombine_seconds``,
``lns_recombine_saved``; ``polish_seconds``, ``polish_saved``; ``reassign_seconds``,
``reassign_saved``; ``bound_seconds``, ``bound_routes`` (the priced routes pooled);
``parts``, ``passes``, ``build_seconds``, ``search_seconds``; ``filled_by_greedy``.

Scale (2 cores): a generated round of 1500 workers and 5000 jobs (4 travel modes, 5 %
team jobs) runs in 113 s with ``time_limit=120`` and peaks at 1.2 GB of memory, the
problem's own 0.6 GB included: 15 sub-rounds of at most 100 vehicles, each model holding
one cost matrix per worker (``workers x nodes^2`` integers, about 200 MB). That was
measured with sub-rounds of 100 vehicles; the current 50 hold about a quarter of that.

Determinism: OR-Tools routing has no random seed and, with its single search thread,
makes the same moves in the same order; CP-SAT runs one worker with ``random_seed =
seed``; ``seed`` also drives the greedy warm start, the order of equal-penalty jobs in the
repair and the centres of sub-rounds. But by default every step above is bounded by
its share of the time limit, so the same seed does *not* give the same plan: a faster or
less busy machine gets further (three runs of the sample with 10 s gave three
objectives). With ``deterministic=True`` every step is bounded by work instead
(:mod:`matchmaker.solve._budget`): the greedy warm start and fills run to the end; the
exact repair only on a round solved whole, with :data:`~._repair.WHOLE_ROUND_UNITS` and
:data:`~._repair.NEIGHBOURHOOD_UNITS` of CP-SAT deterministic time and at most
:data:`~._repair.DETERMINISTIC_SWEEPS` sweeps; ruin and recreate for
:data:`DETERMINISTIC_MOVES_PER_JOB` moves per job (annealed by moves, not seconds); the lower
bound for :data:`DETERMINISTIC_BOUND_STEPS` steps; guided local search on each sub-round
for :data:`DETERMINISTIC_CHECKS_PER_COPY` limit checks per job copy, in one pass, or
shared by :data:`DETERMINISTIC_PASSES` on a cut round. The time limit then only caps the wall
time; when it cuts a step short ``stats["time_capped"]`` is 1 and the plan may differ
between runs. ``stop`` ends the solve at the next check with the best plan so far
(``stats["interrupted"]``).
"""

from __future__ import annotations

import threading
import time

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _rules_routing as rules_routing
from matchmaker.solve._bound import relaxation_bound
from matchmaker.solve._budget import Budget, read_back
from matchmaker.solve._costs import Costs
from matchmaker.solve._limits import mend
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._recombine import priced_routes
from matchmaker.solve._round_search import BACKEND, RoundSearch
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import (
    ProgressCallback,
    Solution,
    report_done,
)

__all__ = ["solve"]

_WARM_START_SHARE = 0.5
"""Share of the time limit the greedy warm start may use (it stops early when done; cut
short, it leaves jobs unassigned that no later step would serve as cheaply)."""
_BOUND_SHARE = 0.1
"""Share of the time limit the lower bound (:mod:`._bound`) may take."""
DETERMINISTIC_BOUND_STEPS = 200
"""Subgradient steps of the lower bound in deterministic mode (so it repeats too)."""


def solve(
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
    """Optimise ``problem`` with OR-Tools routing; never worse than the greedy warm start.

    See the module docstring for ``deterministic`` and ``stop``.
    """
    if rules_routing.searches(problem, policy):
        return rules_routing.solve(
            problem,
            policy=policy,
            time_limit=time_limit,
            seed=seed,
            warm_start=warm_start,
            progress=progress,
            deterministic=deterministic,
            stop=stop,
        )
    began = time.perf_counter()
    limit = max(float(time_limit), 0.0)
    deadline = began + limit - read_back(limit, problem.n_jobs)
    budget = Budget(deadline=deadline, deterministic=deterministic, stop=stop)
    start = greedy.solve(
        problem,
        policy=policy,
        time_limit=budget.left() if deterministic else limit * _WARM_START_SHARE,
        seed=seed,
        warm_start=warm_start,
        stop=stop,
    )
    budget.capped = bool(deterministic and start.stats.get("timed_out"))
    bound_began = time.perf_counter()
    costs = Costs.of(problem, policy)
    priced: dict[tuple[int, tuple[int, ...]], None] = {}
    bound = relaxation_bound(
        problem,
        costs,
        start.objective,
        min(limit * _BOUND_SHARE, budget.left()),
        iterations=DETERMINISTIC_BOUND_STEPS if deterministic else None,
        found=priced,
    )
    pooled = priced_routes(problem, costs, priced)
    bound_seconds = time.perf_counter() - bound_began
    search = RoundSearch(problem, policy, start.routes, began, progress, budget, pooled)
    search.run(seed)
    routes = search.routes
    rescheduled = routes_with_starts(problem, {r.vehicle: r.jobs for r in routes})
    if rescheduled is not None:
        routes = rescheduled
    routes, mended = mend(problem, policy, start, routes)
    objective = objective_terms(problem, routes, policy).total
    stats = dict(search.stats)
    stats.update(mended)
    stats["warm_start_objective"] = float(start.objective)
    stats["bound_seconds"] = bound_seconds
    stats["bound_routes"] = float(len(pooled))
    stats["routing_objective"] = float(search.model_objective)
    stats.update(budget.flags())
    optimal = search.optimal
    if search.bound is not None:
        bound = search.bound if bound is None else max(bound, search.bound)
    if objective > start.objective:
        routes, objective, optimal = start.routes, start.objective, False
        stats["fell_back_to_warm_start"] = 1.0
    elapsed = time.perf_counter() - began
    report_done(progress, routes, objective, elapsed)
    return Solution(
        routes=routes,
        objective=objective,
        backend=BACKEND,
        seed=seed,
        solve_seconds=elapsed,
        lower_bound=objective if optimal else (None if bound is None else min(bound, objective)),
        status="optimal" if optimal else "feasible",
        stats=stats,
    )
