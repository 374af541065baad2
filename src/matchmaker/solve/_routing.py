"""The default backend: OR-Tools routing with guided local search, from a greedy plan.

One vehicle per worker shift, starting at the worker's home with an open end; one node
per worker needed by each job; drop penalties, match costs and travel costs exactly as in
the documented objective (:mod:`matchmaker.solve._objective`). The model is built in
:mod:`matchmaker.solve._routing_model` and searched in :mod:`matchmaker.solve._routing_search`.

How a solve runs (``time_limit`` covers all of it, model builds included):

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
   more valuable unserved ones, which one-node routing moves cannot.
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
6. **Start minutes**: each job's least feasible start for the chosen sequences
   (:func:`~matchmaker.solve._schedule.earliest_starts`), equal across a team.

Before the search, a **lower bound** on the objective of any plan
(:func:`~matchmaker.solve._bound.relaxation_bound`) is raised for at most
:data:`_BOUND_SHARE` of the time limit and returned as ``lower_bound`` (the objective itself
when CP-SAT proved the plan optimal).

Every step replaces the plan (or its part) only if the objective goes down, so the result
is never worse than the greedy warm start.

``stats``: ``warm_start_objective``; ``routing_objective`` (the objective as the models
priced it; equal to ``objective`` because the models are exact); ``repair_tried``,
``repair_improved``, ``repair_seconds``; ``lns_moves``, ``lns_accepted``, ``lns_improved``,
``lns_seconds``; ``polish_seconds``, ``polish_saved``; ``bound_seconds``; ``parts``,
``passes``, ``build_seconds``,
``search_seconds``; ``filled_by_greedy``.

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

import math
import threading
import time
from dataclasses import replace

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _rules_routing as rules_routing
from matchmaker.solve._bound import relaxation_bound
from matchmaker.solve._budget import Budget
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._decompose import SubRound, merge, split
from matchmaker.solve._limits import breaches, enforce
from matchmaker.solve._lns import ruin_and_recreate
from matchmaker.solve._objective import objective_terms
from matchmaker.solve._polish import polish, polishable
from matchmaker.solve._repair import repair, solves_whole
from matchmaker.solve._routing_search import OnSolution, improve
from matchmaker.solve._schedule import routes_with_starts
from matchmaker.solve._solution import (
    Progress,
    ProgressCallback,
    Route,
    Solution,
    report_done,
    served_count,
)

__all__ = ["COPIES_PER_PART", "VEHICLES_PER_PART", "solve"]

BACKEND = "routing"

VEHICLES_PER_PART = 50
"""Most vehicles in one routing model; larger rounds are cut into sub-rounds.

Each model holds one cost matrix per worker, so building it grows with vehicles x nodes^2:
on a generated 600 x 2000 round with 10 s, sub-rounds of 100 vehicles spent 3.7 s of 8.4
building and served no more than the greedy (1487 jobs); sub-rounds of 50 built in 0.9 s
and served 1509 (objective -3.7 %). On 200 x 600 with 30 s the two sizes were within the
run-to-run spread (about 3 %)."""
COPIES_PER_PART = 400
"""Most job copies (one per worker needed) in one routing model."""
_WARM_START_SHARE = 0.5
"""Share of the time limit the greedy warm start may use (it stops early when done; cut
short, it leaves jobs unassigned that no later step would serve as cheaply)."""
_REPAIR_SHARE = 0.6
"""Share of the search time given to the exact repair when the round is small enough to be
solved whole by CP-SAT (:func:`~matchmaker.solve._repair.solves_whole`)."""
_NEIGHBOURHOOD_REPAIR_SHARE = 0.0
"""Share of the search time given to the neighbourhood repair of a larger round (the rest
to GLS). With 60 %, on generated rounds the repair tried 43 neighbourhoods on 200 x 600
(17 s of 30) and 17 on 600 x 2000 (5.6 s of 10) and improved none; the GLS it starved
is what lowers the objective there. With 10 % it improved 0-2 neighbourhoods and the
result was no better (200 x 600, 30 s) or 1 % worse (600 x 2000, 10 s) than with none;
the greedy fill after each pass still inserts unserved team jobs."""
_SECONDS_PER_PART = 1.0
"""Search seconds per sub-round and pass below which one pass is all there is time for.

More passes beat longer ones: on a generated 600 x 2000 round with 30 s, two passes of
about 1 s per sub-round lowered the objective 1.6 % more than one pass of 2 s."""
_MAX_PASSES = 8
_FILL_SHARE = 0.05
"""Share of each pass left to the greedy to insert what the search left out."""
_FILL_SECONDS_PER_JOB = 0.0005
"""Seconds per job of the round that a fill is given at least; a pass shorter than twice
that has no fill. The fill replays the whole plan first (on 1500 x 5000, 1-5 s), and cut
short it changes nothing."""
_MIN_MODEL_SECONDS = 0.3
"""A sub-round given less search time than this is skipped (building it takes longer)."""
_PROGRESS_EVERY = 0.5
"""Seconds between two progress reports from inside the search."""
_READ_BACK = 0.05
"""Share of the time limit kept for reading the plan back and computing start minutes."""
_READ_BACK_PER_JOB = 0.0002
"""Seconds per job kept for the same when that is more: computing the start minutes and
the objective of a 1500 x 5000 round took 0.5 s, and the search ends up to 0.3 s after
its deadline, so with 5 % alone a 10 s limit ran 12.1 s (before the objective stopped
pricing every worker-job pair)."""
DETERMINISTIC_CHECKS_PER_COPY = 5000
"""Guided local search work per job copy in deterministic mode, shared by the passes
(OR-Tools limit checks; on 2 cores about 100,000 a second on a sub-round of 40 x 120, so
the sample day searches for about 5 s and 600 x 2000 for minutes)."""
_BOUND_SHARE = 0.1
"""Share of the time limit the lower bound (:mod:`._bound`) may take."""
DETERMINISTIC_BOUND_STEPS = 200
"""Subgradient steps of the lower bound in deterministic mode (so it repeats too)."""
_LNS_SHARE = 0.7
"""Share of the search time (after the exact repair) given to ruin and recreate when the
policy asks for it; guided local search polishes the result with the rest."""
_POLISH_SHARE = 0.8
"""Share of the time left after ruin and recreate given to the whole-round polish of the
served jobs' travel (:mod:`._polish`), when the round allows one."""
DETERMINISTIC_MOVES_PER_JOB = 5
"""Ruin-and-recreate moves per job of the round in deterministic mode."""
DETERMINISTIC_PASSES = 2
"""Passes over the sub-rounds of a cut round in deterministic mode."""


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
    if problem.rules is not None or policy.travel_home:
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
    deadline = began + limit - max(limit * _READ_BACK, problem.n_jobs * _READ_BACK_PER_JOB)
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
    bound = relaxation_bound(
        problem,
        Costs.of(problem, policy),
        start.objective,
        min(limit * _BOUND_SHARE, budget.left()),
        iterations=DETERMINISTIC_BOUND_STEPS if deterministic else 10_000,
    )
    bound_seconds = time.perf_counter() - bound_began
    search = _Search(problem, policy, start.routes, began, progress, budget)
    search.run(seed)
    routes = search.routes
    rescheduled = routes_with_starts(problem, {r.vehicle: r.jobs for r in routes})
    if rescheduled is not None:
        routes = rescheduled
    mended: dict[str, float] = {}
    if breaches(problem, routes):
        # The search does not see the rules across the round: mend them here, so that the
        # comparison with the (limit-aware) warm start below is between valid plans.
        fixed = enforce(problem, policy, replace(start, routes=routes, stats={}))
        routes, mended = fixed.routes, fixed.stats
    objective = objective_terms(problem, routes, policy).total
    stats = dict(search.stats)
    stats.update(mended)
    stats["warm_start_objective"] = float(start.objective)
    stats["bound_seconds"] = bound_seconds
    stats["routing_objective"] = float(search.model_objective)
    stats.update(budget.flags())
    optimal = search.optimal
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


class _Search:
    """The plan being improved, sub-round by sub-round, and what the search reports."""

    def __init__(
        self,
        problem: Problem,
        policy: Policy,
        routes: tuple[Route, ...],
        began: float,
        progress: ProgressCallback | None,
        budget: Budget,
    ) -> None:
        self.problem = problem
        self.budget = budget
        self.policy = policy
        self.costs = Costs.of(problem, policy)
        self.routes = routes
        self.objective = plan_cost(problem, self.costs, routes)
        self.model_objective = self.objective
        self.began = began
        self.progress = progress
        self.last_report = 0.0
        self.optimal = False
        self.stats: dict[str, float] = {
            "parts": 0.0,
            "passes": 0.0,
            "build_seconds": 0.0,
            "search_seconds": 0.0,
            "search_checks": 0.0,
        }

    def parts(self) -> int:
        problem = self.problem
        copies = int(problem.job_team.sum())
        return max(
            1,
            math.ceil(problem.n_vehicles / VEHICLES_PER_PART),
            math.ceil(copies / COPIES_PER_PART),
        )

    def run(self, seed: int) -> None:
        if self.problem.n_vehicles == 0 or self.problem.n_jobs == 0:
            return
        budget, deadline = self.budget, self.budget.deadline
        self.report(self.objective, served_count(self.routes), "warm start")
        whole = solves_whole(self.problem, self.routes)
        if budget.deterministic:
            if whole and not budget.stopped:
                self._repair(deadline, seed)
        else:
            now = time.perf_counter()
            share = _REPAIR_SHARE if whole else _NEIGHBOURHOOD_REPAIR_SHARE
            self._repair(now + (deadline - now) * share, seed)
        if self.optimal or budget.stopped:
            return
        if self.policy.ruin_and_recreate:
            now = time.perf_counter()
            moves = None
            if budget.deterministic:
                moves = DETERMINISTIC_MOVES_PER_JOB * self.problem.n_jobs
            self._ruin_and_recreate(now + (deadline - now) * _LNS_SHARE, seed, moves)
            if budget.stopped:
                return
        polish_seconds = 0.0
        if not budget.deterministic and polishable(self.problem, self.costs, self.routes):
            polish_seconds = (deadline - time.perf_counter()) * _POLISH_SHARE
        self._passes(seed, deadline - polish_seconds)
        if polish_seconds and not budget.stopped:
            fill_seconds = self.problem.n_jobs * _FILL_SECONDS_PER_JOB
            self._polish(deadline - fill_seconds - time.perf_counter())
            self._fill(seed, deadline)

    def _passes(self, seed: int, deadline: float) -> None:
        """Guided local search over the sub-rounds until ``deadline``, a fill after each."""
        budget = self.budget
        parts = self.parts()
        self.stats["parts"] = float(parts)
        if budget.deterministic:
            passes = 1 if parts == 1 else DETERMINISTIC_PASSES
        else:
            remaining = deadline - time.perf_counter()
            passes = 1 if parts == 1 else int(remaining // (parts * _SECONDS_PER_PART))
            passes = min(max(passes, 1), _MAX_PASSES)
        for done in range(passes):
            now = time.perf_counter()
            pass_end = now + (deadline - now) / (passes - done)
            # The fill replays the whole plan first: it gets the time that takes, or, in a
            # pass too short for that, no time at all.
            fill_seconds = max(
                (pass_end - now) * _FILL_SHARE, self.problem.n_jobs * _FILL_SECONDS_PER_JOB
            )
            fill = budget.deterministic or fill_seconds <= (pass_end - now) / 2
            self._one_pass(parts, seed + done, pass_end - (fill_seconds if fill else 0.0), passes)
            if fill:
                self._fill(seed + done, pass_end)
            self.stats["passes"] = float(done + 1)
            if budget.stopped:
                break
            if budget.deterministic:
                if done + 1 < passes and budget.out_of_time():
                    break
            elif time.perf_counter() >= deadline:
                break

    def _repair(self, end: float, seed: int) -> None:
        """Exact CP-SAT repair of neighbourhoods around unserved jobs (:mod:`._repair`)."""

        def improved(routes: tuple[Route, ...], objective: int) -> None:
            if self.progress is not None and self.due():
                self.report(objective, served_count(routes))

        routes, stats = repair(
            self.problem, self.costs, self.routes, end, seed, improved, budget=self.budget
        )
        cost = plan_cost(self.problem, self.costs, routes)
        self.stats["repair_tried"] = float(stats.tried)
        self.stats["repair_improved"] = float(stats.improved)
        self.stats["repair_seconds"] = stats.seconds
        self.optimal = stats.optimal
        if cost < self.objective:
            self.model_objective += cost - self.objective
            self.routes, self.objective = routes, cost

    def _ruin_and_recreate(self, end: float, seed: int, moves: int | None) -> None:
        """Ruin and recreate over the whole round (:mod:`._lns`)."""

        def improved(objective: int, served: int) -> None:
            if self.due():
                self.report(objective, served)

        routes, stats = ruin_and_recreate(
            self.problem,
            self.policy,
            self.costs,
            self.routes,
            self.budget.deadline if moves is not None else end,
            seed,
            iterations=moves,
            stop=self.budget.stop,
            on_improve=improved if self.progress is not None else None,
        )
        if moves is not None and stats.iterations < moves and not self.budget.stopped:
            self.budget.capped = True
        self.stats["lns_moves"] = float(stats.iterations)
        self.stats["lns_accepted"] = float(stats.accepted)
        self.stats["lns_improved"] = float(stats.improved)
        self.stats["lns_seconds"] = stats.seconds
        cost = plan_cost(self.problem, self.costs, routes)
        if cost < self.objective:
            self.model_objective += cost - self.objective
            self.routes, self.objective = routes, cost

    def _polish(self, seconds: float) -> None:
        """Less travel for the served jobs over the whole round (:mod:`._polish`)."""
        began = time.perf_counter()
        routes = polish(self.problem, self.costs, self.routes, seconds, stop=self.budget.stop)
        self.stats["polish_seconds"] = time.perf_counter() - began
        if routes is None:
            return
        cost = plan_cost(self.problem, self.costs, routes)
        if cost < self.objective:
            self.stats["polish_saved"] = float(self.objective - cost)
            self.model_objective += cost - self.objective
            self.routes, self.objective = routes, cost

    def _one_pass(self, parts: int, seed: int, pass_end: float, passes: int = 1) -> None:
        subs = split(self.problem, self.costs, self.routes, parts, seed, freeze_teams=parts > 1)
        weights = [max(len(sub.problem.job_ids), 1) for sub in subs]
        left = float(sum(weights))
        budget = self.budget
        for sub, weight in zip(subs, weights, strict=True):
            if budget.stopped:
                break
            checks: int | None = None
            if budget.deterministic:
                # Work, not a share of the clock; the deadline only caps it.
                if budget.out_of_time():
                    break
                seconds = budget.left()
                copies = max(int(sub.problem.job_team.sum()), 1)
                checks = DETERMINISTIC_CHECKS_PER_COPY * copies // passes
            else:
                seconds = (pass_end - time.perf_counter()) * weight / left
                left -= weight
                if seconds < _MIN_MODEL_SECONDS:
                    continue
            warm_cost = plan_cost(sub.problem, sub.costs, sub.routes)
            outcome = improve(
                sub.problem,
                sub.costs,
                sub.routes,
                seconds,
                self._watch(sub, warm_cost),
                checks=checks,
                stop=budget.stop,
            )
            if outcome is None:
                continue
            budget.capped = budget.capped or outcome.by_clock
            self.stats["build_seconds"] += outcome.build_seconds
            self.stats["search_seconds"] += outcome.search_seconds
            self.stats["search_checks"] += float(outcome.checks)
            cost = plan_cost(sub.problem, sub.costs, outcome.routes)
            if cost < warm_cost:
                self.routes = merge(self.routes, sub, outcome.routes)
                self.objective += cost - warm_cost
                self.model_objective += outcome.model_cost - warm_cost

    def _watch(self, sub: SubRound, warm_cost: int) -> OnSolution | None:
        """A callback reporting the round's objective while ``sub`` is searched."""
        if self.progress is None:
            return None
        base = self.objective - warm_cost
        others = served_count(self.routes) - served_count(sub.routes)

        def on_solution(cost: int, served: int) -> None:
            if self.due():
                self.report(base + cost, others + served)

        return on_solution

    def _fill(self, seed: int, end: float) -> None:
        """Let the greedy insert what the search left out (team jobs above all).

        The routing operators insert one copy at a time, so they cannot add a team job;
        greedy replays the plan and inserts the unserved jobs where they fit.
        """
        budget = self.budget
        if budget.stopped:
            return
        seconds = budget.left() if budget.deterministic else end - time.perf_counter()
        if seconds <= 0.0:
            budget.out_of_time()
            return
        current = Solution(
            routes=self.routes,
            objective=self.objective,
            backend=BACKEND,
            seed=seed,
            solve_seconds=0.0,
        )
        filled = greedy.solve(
            self.problem,
            policy=self.policy,
            time_limit=seconds,
            seed=seed,
            warm_start=current,
            stop=budget.stop,
        )
        budget.capped = budget.capped or bool(
            budget.deterministic and filled.stats.get("timed_out")
        )
        cost = plan_cost(self.problem, self.costs, filled.routes)
        if cost < self.objective:
            self.stats["filled_by_greedy"] = self.stats.get("filled_by_greedy", 0.0) + 1.0
            self.model_objective += cost - self.objective
            self.routes = filled.routes
            self.objective = cost

    def due(self) -> bool:
        """Whether :data:`_PROGRESS_EVERY` seconds have passed since the last report."""
        return time.perf_counter() - self.last_report >= _PROGRESS_EVERY

    def report(self, objective: int, served: int, message: str = "searching") -> None:
        if self.progress is None:
            return
        now = time.perf_counter()
        self.last_report = now
        self.progress(
            Progress(
                elapsed_seconds=now - self.began,
                objective=objective,
                served=served,
                message=message,
            )
        )
