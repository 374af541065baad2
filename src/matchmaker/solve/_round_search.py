"""The search of :func:`matchmaker.solve._routing.solve` after the warm start and the
bound: the exact repair, ruin and recreate, guided local search over sub-rounds with a
greedy fill after each pass, and the whole-round polish, each within its share of the
time (the phases and their shares are described in :mod:`matchmaker.solve._routing`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import _greedy as greedy
from matchmaker.solve._budget import Budget
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._decompose import SubRound, merge, split
from matchmaker.solve._lns_processes import pooled_ruin_and_recreate
from matchmaker.solve._polish import MIN_SECONDS as POLISH_MIN_SECONDS
from matchmaker.solve._polish import groups, polish, polishable
from matchmaker.solve._reassign import reassign
from matchmaker.solve._recombine import PooledRoute
from matchmaker.solve._repair import repair, solves_whole
from matchmaker.solve._routing_search import OnSolution, improve
from matchmaker.solve._solution import (
    Progress,
    ProgressCallback,
    Route,
    Solution,
    served_count,
)

__all__ = [
    "BACKEND",
    "COPIES_PER_PART",
    "DETERMINISTIC_CHECKS_PER_COPY",
    "DETERMINISTIC_MOVES_PER_JOB",
    "DETERMINISTIC_PASSES",
    "VEHICLES_PER_PART",
    "RoundSearch",
]

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
DETERMINISTIC_CHECKS_PER_COPY = 5000
"""Guided local search work per job copy in deterministic mode, shared by the passes
(OR-Tools limit checks; on 2 cores about 100,000 a second on a sub-round of 40 x 120, so
the sample day searches for about 5 s and 600 x 2000 for minutes)."""
_LNS_SHARE = 0.9
"""Share of the search time (after the exact repair) given to ruin and recreate when the
policy asks for it; guided local search polishes the result with the rest. Measured
against 0.7 on generated rounds (2 cores, same objective, mean over seeds): 0.9 lowered
the objective on 600 x 2000 tight at 120 s by 0.6%, on 200 x 600 normal by 0.5%, on the
5-day 120 x 900 by 0.9% and on the linear-weighted 200-worker week by 0.4%, and left
60 x 150, 200 x 600 tight and the default-weighted week level (within 0.2%); 0.95 was as
good on average, with a shorter polish."""
_POLISH_SHARE = 0.8
"""Share of the time left after ruin and recreate given to the whole-round polish of the
served jobs' travel (:mod:`._polish`), when the round allows one."""
DETERMINISTIC_MOVES_PER_JOB = 5
"""Ruin-and-recreate moves per job of the round in deterministic mode."""
DETERMINISTIC_PASSES = 2
"""Passes over the sub-rounds of a cut round in deterministic mode."""


class RoundSearch:
    """The plan being improved, sub-round by sub-round, and what the search reports."""

    def __init__(
        self,
        problem: Problem,
        policy: Policy,
        routes: tuple[Route, ...],
        began: float,
        progress: ProgressCallback | None,
        budget: Budget,
        pooled: Sequence[PooledRoute] = (),
    ) -> None:
        self.problem = problem
        self.pooled = pooled
        """Routes the recombination of ruin and recreate may choose besides its own
        (those the lower bound priced, :func:`~matchmaker.solve._recombine.priced_routes`)."""
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
        self.bound: int | None = None
        """A lower bound the exact repair proved by solving the whole round, if it did."""
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
        """Search until the deadline, then hand whole routes to the shifts they suit best."""
        if self.problem.n_vehicles == 0 or self.problem.n_jobs == 0:
            return
        self._search(seed)
        if not self.budget.stopped:
            self._reassign()

    def _search(self, seed: int) -> None:
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
            end = now + (deadline - now) * _LNS_SHARE
            whole_tail = moves is None and not self._tail_searches(deadline - end)
            if whole_tail:
                end = deadline - self.fill_seconds()
            self._ruin_and_recreate(end, seed, moves)
            if budget.stopped:
                return
            if whole_tail:
                self._fill(seed, deadline)
                return
        polish_seconds = 0.0
        if not budget.deterministic and polishable(self.problem, self.costs, self.routes):
            polish_seconds = (deadline - time.perf_counter()) * _POLISH_SHARE
        self._passes(seed, deadline - polish_seconds)
        if polish_seconds and not budget.stopped:
            self._polish(deadline - self.fill_seconds() - time.perf_counter())
            self._fill(seed, deadline)

    def fill_seconds(self) -> float:
        """The least time a greedy fill of this round is given (:data:`_FILL_SECONDS_PER_JOB`)."""
        return self.problem.n_jobs * _FILL_SECONDS_PER_JOB

    def _tail_searches(self, seconds: float) -> bool:
        """Whether ``seconds`` left after ruin and recreate would let the polish or guided
        local search run at all: the polish keeps time for the fill and needs its minimum
        per group of shifts, a pass its minimum per sub-round. When neither would, ruin
        and recreate gets that time instead: on a generated 200-worker week at 30 s, about
        2.4 s went to a pass and a polish that skipped every part, and with that time given
        to ruin and recreate the mean objective fell by 0.24% (seeds 1-6, same objective,
        weighted served 12,555 to 12,566)."""
        problem = self.problem
        rest = seconds
        if polishable(problem, self.costs, self.routes):
            polish_seconds = seconds * _POLISH_SHARE - self.fill_seconds()
            if polish_seconds / len(groups(problem, self.routes)) >= POLISH_MIN_SECONDS:
                return True
            rest -= seconds * _POLISH_SHARE
        return rest / self.parts() >= _MIN_MODEL_SECONDS

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
            fill_seconds = max((pass_end - now) * _FILL_SHARE, self.fill_seconds())
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
        self.stats["repair_tried"] = float(stats.tried)
        self.stats["repair_improved"] = float(stats.improved)
        self.stats["repair_seconds"] = stats.seconds
        self.optimal = stats.optimal
        self.bound = stats.bound
        self._take(routes)

    def _ruin_and_recreate(self, end: float, seed: int, moves: int | None) -> None:
        """Ruin and recreate over the whole round (:mod:`._lns`)."""

        def improved(objective: int, served: int) -> None:
            if self.due():
                self.report(objective, served)

        routes, stats = pooled_ruin_and_recreate(
            self.problem,
            self.policy,
            self.costs,
            self.routes,
            self.budget.deadline if moves is not None else end,
            seed,
            iterations=moves,
            stop=self.budget.stop,
            on_improve=improved if self.progress is not None else None,
            pooled=self.pooled,
        )
        if moves is not None and stats.iterations < moves and not self.budget.stopped:
            self.budget.capped = True
        self.stats["lns_moves"] = float(stats.iterations)
        self.stats["lns_processes"] = float(stats.processes)
        self.stats["lns_accepted"] = float(stats.accepted)
        self.stats["lns_improved"] = float(stats.improved)
        self.stats["lns_seconds"] = stats.seconds
        self.stats["lns_recombine_seconds"] = stats.recombine_seconds
        self.stats["lns_recombine_saved"] = float(stats.recombine_saved)
        self._take(routes)

    def _polish(self, seconds: float) -> None:
        """Less travel for the served jobs over the whole round (:mod:`._polish`)."""
        began = time.perf_counter()
        routes = polish(self.problem, self.costs, self.routes, seconds, stop=self.budget.stop)
        self.stats["polish_seconds"] = time.perf_counter() - began
        if routes is not None and (saved := self._take(routes)):
            self.stats["polish_saved"] = float(saved)

    def _reassign(self) -> None:
        """Whole routes to the shifts they suit best (:mod:`._reassign`). Last, where it
        changes travel alone: given also after ruin and recreate and after the polish, the
        runs were no better (a generated tight 200 x 600 day, 30 s, linear weights, seeds
        1-3 in both orders: objective +0.13% on average, weighted served 1,181.3 against
        1,182.5, within the spread). Not on a round with limits across days, which moving
        a route to another worker could break."""
        if self.problem.limits is not None:
            return
        began = time.perf_counter()
        routes = reassign(self.problem, self.costs, self.routes)
        self.stats["reassign_seconds"] = time.perf_counter() - began
        if routes is not None and (saved := self._take(routes)):
            self.stats["reassign_saved"] = float(saved)

    def _take(self, routes: tuple[Route, ...]) -> int:
        """Keep ``routes`` if they cost less than the plan; what they save (0 if not kept)."""
        saved = self.objective - plan_cost(self.problem, self.costs, routes)
        if saved <= 0:
            return 0
        self.model_objective -= saved
        self.routes, self.objective = routes, self.objective - saved
        return saved

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
        if self._take(filled.routes):
            self.stats["filled_by_greedy"] = self.stats.get("filled_by_greedy", 0.0) + 1.0

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
