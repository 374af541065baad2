"""Re-plan a day after changes, moving as little as possible: ``matchmaker replan``.

:func:`replan` takes the dataset a plan was made from, the plan and the changes since
(:mod:`matchmaker.live._changes`) and returns a new verified plan with a diff:

1. **The changed round.** The changes are applied to the dataset (a sick worker's shift is
   cut, an overrun lengthens its job, a declined job excludes its worker, ...) and the
   round is compiled with the previous plan's travel model.
2. **What stays.** Every visit of the previous plan is replayed on its worker in start
   order. It stays when it still obeys every hard rule at its start, or pushed later by at
   most ``shift_tolerance`` minutes (team and pinned visits only at their start); otherwise
   the change that made it impossible *hit* it, and it is free to go anywhere (it does not
   count against the budget). A visit starting before ``freeze_before`` stays whatever happens,
   unless a change hit it.
3. **Placing the rest.** The visits that stay become pins and the solver (``routing`` by
   default, ``time_limit`` and ``seed`` as in ``dispatch``) places the new, hit and
   still-unassigned jobs around them: nothing that stays can move in this step. With
   ``solver="none"`` this step is skipped and the budget step alone places them.
4. **The budget.** Then, most valuable first, each job still unserved is offered the best
   recommendation (:mod:`matchmaker.live._search`) that moves at most the moves left of
   ``max_moves``; it is taken when it lowers the objective, the stability cost of its moves
   (``policy.stability_cost_per_move`` each) included.

A job *moved* is one planned before, not hit by a change, that changes worker, moves by
more than ``shift_tolerance`` minutes or is dropped; there are never more than
``max_moves``, and each costs ``stability_cost_per_move`` in the objective's
``stability_cost`` term. With no changes the previous plan comes back as it was.

**Breaks** (``[[breaks]]``): the new plan's break rows are placed from its routes like
every plan's, so a break still to come moves within its rule when the jobs around it
move (and a break still to come starts at ``freeze_before`` or later when its window
allows); a break of the previous plan that starts before ``freeze_before`` was taken and
stays where it was (:mod:`matchmaker.live._keep_breaks`). A kept visit that leaves its
shift no room for a break is hit (step 2), the solver places breaks with the jobs (step
3, ``routing``; ``greedy`` and ``cpsat`` refuse a round with break rules) and the budget
step inserts only where the breaks still fit (:mod:`matchmaker.live._search`).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from matchmaker.compile import Problem, compile_problem
from matchmaker.live._changes import Change, ChangedRound, apply_changes
from matchmaker.live._diff import DiffRow, diff_of
from matchmaker.live._index import (
    Schedule,
    index_of_schedule,
    job_column,
    routes_of,
    schedule_of,
)
from matchmaker.live._keep import frozen_jobs, not_before, previous_visits, replay
from matchmaker.live._keep_breaks import hold_breaks, taken_breaks
from matchmaker.live._limit_options import within_link
from matchmaker.live._search import candidates
from matchmaker.live._way_home import way_home_minutes
from matchmaker.model import Dataset, Policy, add_minutes, minutes_from
from matchmaker.plan import Break, Plan, Violation, build_plan, verify
from matchmaker.solve import (
    ProgressCallback,
    Solution,
    breaches,
    broken_links,
    get_solver,
    objective_terms,
)

__all__ = ["ReplanResult", "replan"]

_SOLVE_SHARE = 0.8
"""Of the time limit, the solver's share; the budget step gets the rest."""


@dataclass(frozen=True, kw_only=True)
class ReplanResult:
    """The new plan on the changed round, its diff to the previous plan, and the verdict."""

    plan: Plan
    dataset: Dataset
    """The round after the changes (what the plan is for)."""
    policy: Policy
    diff: tuple[DiffRow, ...]
    violations: tuple[Violation, ...]
    moved: int
    """Jobs moved that no change hit (never more than ``max_moves``)."""
    frozen: frozenset[str]

    @property
    def ok(self) -> bool:
        return not self.violations

    def diff_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("unchanged", "moved", "reassigned", "added", "dropped"), 0)
        for row in self.diff:
            counts[row.change] += 1
        return counts


def replan(
    dataset: Dataset,
    previous: Plan,
    changes: Sequence[Change],
    *,
    policy: Policy | None = None,
    max_moves: int = 0,
    freeze_before: datetime | None = None,
    shift_tolerance: int = 0,
    time_limit: float = 10.0,
    seed: int = 0,
    solver: str = "routing",
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> ReplanResult:
    """Re-plan ``previous`` (made from ``dataset``) after ``changes`` (module docstring).

    ``policy`` defaults to the dataset's own; the travel model is the previous plan's.
    """
    began = time.perf_counter()
    chosen = policy if policy is not None else dataset.settings.policy
    if max_moves < 0 or shift_tolerance < 0:
        raise ValueError("max_moves and shift_tolerance must be 0 or more")
    if solver != "none":
        get_solver(solver)  # an unknown solver fails before any work
    visits: dict[str, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    for a in previous.assignments:
        visits[a.worker_id].append((a.job_id, a.start, a.end))
    way_home = way_home_minutes(dataset, chosen, previous.travel)
    changed = apply_changes(dataset, changes, visits, way_home)
    round_ = changed.dataset
    problem = compile_problem(round_, policy=chosen, travel=previous.travel)

    if not changes:
        return _finish(
            round_,
            previous,
            chosen,
            problem,
            schedule_of(problem, previous),
            changed,
            {},
            {},
            frozenset(),
            shift_tolerance,
            max_moves,
            solver,
            seed,
            began,
        )

    # Breaks taken before the freeze stay where they were; the others follow the jobs.
    taken = taken_breaks(previous, freeze_before)
    problem = hold_breaks(problem, taken, freeze_before)
    before = previous_visits(problem, previous, round_)
    frozen = frozen_jobs(previous, round_, changed, freeze_before)
    kept, hit = replay(problem, before, frozen, changed, shift_tolerance)
    frozen = frozen - hit.keys()
    released = _release_pins(round_, hit)
    if released is not round_:
        round_ = released
        problem = hold_breaks(
            compile_problem(round_, policy=chosen, travel=previous.travel), taken, freeze_before
        )

    # From here on nothing new may start before freeze_before: that time has passed.
    future = not_before(round_, frozen, freeze_before)
    free = hold_breaks(
        compile_problem(future, policy=chosen, travel=previous.travel), taken, freeze_before
    )
    # Both horizons are the same midnight unless the freeze moved the round's earliest time.
    shift = minutes_from(problem.horizon_start, free.horizon_start, round_up=False)
    kept = {v: [(j, s - shift) for j, s in visits_v] for v, visits_v in kept.items()}
    schedule: Schedule = defaultdict(list)
    for v, visits_of in kept.items():
        schedule[v].extend(visits_of)
    if solver != "none":
        solution = _solve_around(
            future,
            free,
            kept,
            taken,
            freeze_before,
            chosen,
            solver,
            time_limit * _SOLVE_SHARE,
            seed,
            progress,
            stop,
        )
        schedule = defaultdict(list)
        for route in solution.routes:
            schedule[route.vehicle].extend(zip(route.jobs, route.starts, strict=True))
    counted = {
        problem.job_ids[j]
        for j in {j for visits_of in before.values() for j, _ in visits_of}
        if problem.job_ids[j] not in hit
    }
    deadline = began + max(time_limit, 0.0)
    reasons = _spend_budget(
        future, previous, chosen, free, schedule, frozen, counted, max_moves, deadline, stop
    )
    schedule = {v: [(j, s + shift) for j, s in visits_v] for v, visits_v in schedule.items()}
    return _finish(
        round_,
        previous,
        chosen,
        problem,
        dict(schedule),
        changed,
        hit,
        reasons,
        frozen,
        shift_tolerance,
        max_moves,
        solver,
        seed,
        began,
    )


def _release_pins(round_: Dataset, hit: dict[str, str]) -> Dataset:
    """``round_`` without the pins of the visits a change hit: the pin cannot be kept (an
    overrun ran into it, say), so the visit is placed again like any other; the reason
    says so."""
    jobs = list(round_.jobs)
    for position, job in enumerate(jobs):
        if job.is_pinned and job.job_id in hit:
            jobs[position] = job.unpinned()
            hit[job.job_id] += "; its pin is released"
    if all(a is b for a, b in zip(jobs, round_.jobs, strict=True)):
        return round_
    return replace(round_, jobs=tuple(jobs))


def _solve_around(
    round_: Dataset,
    problem: Problem,
    kept: dict[int, list[tuple[int, int]]],
    taken: Sequence[Break],
    freeze_before: datetime | None,
    policy: Policy,
    solver: str,
    time_limit: float,
    seed: int,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
) -> Solution:
    """Solve the round with every kept visit pinned where it is (and every break taken,
    :func:`~matchmaker.live._keep_breaks.hold_breaks`)."""
    workers: dict[int, list[str]] = defaultdict(list)
    starts: dict[int, int] = {}
    for v, visits_v in kept.items():
        for j, start in visits_v:
            workers[j].append(problem.worker_ids[int(problem.vehicle_worker[v])])
            starts[j] = start
    zone = round_.settings.zone
    jobs = list(round_.jobs)
    for j, names in workers.items():
        job = jobs[j]
        shown = zone if zone is not None else job.window.start.tzinfo
        jobs[j] = replace(
            job,
            pinned_worker_ids=tuple(sorted(names)),
            pinned_start=add_minutes(problem.horizon_start, starts[j], shown),
        )
    pinned = hold_breaks(
        compile_problem(
            replace(round_, jobs=tuple(jobs)), policy=policy, travel=problem.travel_model
        ),
        taken,
        freeze_before,
    )
    solve = get_solver(solver)
    return solve(
        pinned,
        policy=policy,
        time_limit=max(time_limit, 0.0),
        seed=seed,
        progress=progress,
        stop=stop,
    )


def _spend_budget(
    round_: Dataset,
    previous: Plan,
    policy: Policy,
    problem: Problem,
    schedule: Schedule,
    frozen: frozenset[str],
    counted: set[str],
    max_moves: int,
    deadline: float,
    stop: threading.Event | None,
) -> dict[str, str]:
    """Serve unserved jobs, most valuable first, by insertion or with at most the moves
    left; ``schedule`` is updated in place. Returns why each moved job moved."""
    reasons: dict[str, str] = {}
    left = max_moves
    tried: set[int] = set()
    broken = _broken(problem, schedule)
    while time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
        index = index_of_schedule(
            round_,
            previous,
            policy,
            problem,
            schedule,
            frozen=frozen | frozenset(reasons),
        )
        waiting = np.flatnonzero(~index.served & problem.eligible.any(axis=0))
        waiting = np.array([j for j in waiting.tolist() if j not in tried], dtype=np.int64)
        if waiting.size == 0:
            break
        j = int(waiting[np.lexsort((waiting, -index.penalty[waiting]))][0])
        tried.add(j)
        column = within_link(index, job_column(index, j), round_.jobs[j])
        found = candidates(index, column, k=1, max_moves=left)
        if not found or found[0].cost - column.penalty >= 0:
            continue
        best = found[0]
        spent = sum(problem.job_ids[m.job] in counted for m in best.moves)
        if spent > left:
            continue
        placed = best.applied(schedule, j)
        now_broken = _broken(problem, placed)
        if now_broken > broken:
            # The insertion search sees one worker's day; a limit across days, the
            # customer's cap on workers and linked visits are checked on the whole schedule.
            continue
        schedule.clear()
        schedule.update(placed)
        broken = now_broken
        for m in best.moves:
            reasons[problem.job_ids[m.job]] = f"moved to serve {problem.job_ids[j]} (--max-moves)"
        left -= spent
    return reasons


def _broken(problem: Problem, schedule: Schedule) -> int:
    """How many limits across days, customers' caps on workers and linked visits
    ``schedule`` breaks."""
    return len(breaches(problem, routes_of(schedule))) + len(broken_links(problem, schedule))


def _finish(
    round_: Dataset,
    previous: Plan,
    policy: Policy,
    problem: Problem,
    schedule: Schedule,
    changed: ChangedRound,
    hit: dict[str, str],
    reasons: dict[str, str],
    frozen: frozenset[str],
    tolerance: int,
    max_moves: int,
    solver: str,
    seed: int,
    began: float,
) -> ReplanResult:
    routes = routes_of(schedule)
    elapsed = time.perf_counter() - began
    solution = Solution(
        routes=routes,
        objective=objective_terms(problem, routes, policy).total,
        backend=f"replan/{solver}",
        seed=seed,
        solve_seconds=elapsed,
    )
    plan = build_plan(round_, problem, solution, policy)
    diff = diff_of(previous, plan, changed, hit, reasons, tolerance)
    moved = sum(
        1
        for row in diff
        if row.change in ("moved", "reassigned", "dropped")
        and row.job_id not in hit
        and row.job_id not in changed.cancelled
    )
    terms = objective_terms(problem, routes, policy, moved_jobs=moved)
    counts = dict.fromkeys(("unchanged", "moved", "reassigned", "added", "dropped"), 0)
    for row in diff:
        counts[row.change] += 1
    kpis = {
        **plan.kpis,
        "objective": terms.total,
        "objective_terms": terms.as_dict(),
        "diff": counts,
        "replan": {
            "changes": len(changed.cancelled)
            + len(changed.declined)
            + len(changed.overrun)
            + len(changed.added)
            + sum(len(c) for c in changed.unavailable.values()),
            "max_moves": max_moves,
            "moved": moved,
            "hit_by_changes": len(hit),
            "frozen": len(frozen),
            "shift_tolerance": tolerance,
        },
    }
    plan = replace(plan, kpis=kpis)
    return ReplanResult(
        plan=plan,
        dataset=round_,
        policy=policy,
        diff=tuple(diff),
        violations=tuple(verify(round_, plan)),
        moved=moved,
        frozen=frozen,
    )
