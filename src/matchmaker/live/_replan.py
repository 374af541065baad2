"""Re-plan a day after changes, moving as little as possible: ``matchmaker replan``.

:func:`replan` takes the dataset a plan was made from, the plan and the changes since
(:mod:`matchmaker.live._changes`) and returns a new verified plan with a diff:

1. **The changed round.** The changes are applied to the dataset (a sick worker's shift is
   cut, an overrun lengthens its job, a declined job excludes its worker, ...) and the
   round is compiled with the previous plan's travel model.
2. **What stays.** Every visit of the previous plan is replayed on its worker in start
   order. It stays when it still obeys every hard rule at its start, or pushed later by at
   most ``shift_tolerance`` minutes (team visits only at their start); otherwise the change
   that made it impossible *hit* it, and it is free to go anywhere (it does not count
   against the budget). A visit starting before ``freeze_before`` stays whatever happens,
   unless a change hit it.
3. **Placing the rest.** The visits that stay become pins and the solver (``routing`` by
   default, ``time_limit`` and ``seed`` as in ``dispatch``) places the new, hit and
   still-unassigned jobs around them: nothing that stays can move in this step.
4. **The budget.** Then, most valuable first, each job still unserved is offered the best
   recommendation (:mod:`matchmaker.live._search`) that moves at most the moves left of
   ``max_moves``; it is taken when it lowers the objective, the stability cost of its moves
   (``policy.stability_cost_per_move`` each) included.

A job *moved* is one planned before, not hit by a change, that changes worker, moves by
more than ``shift_tolerance`` minutes or is dropped; there are never more than
``max_moves``, and each costs ``stability_cost_per_move`` in the objective's
``stability_cost`` term. With no changes the previous plan comes back as it was.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np

from matchmaker.compile import Problem, compile_problem
from matchmaker.live._changes import Change, ChangedRound, apply_changes
from matchmaker.live._index import Schedule, index_of_schedule, job_column, schedule_of
from matchmaker.live._search import candidates
from matchmaker.model import Dataset, Policy, TimeWindow, add_minutes, minutes_from, utc
from matchmaker.plan import Plan, Violation, build_plan, verify
from matchmaker.solve import ProgressCallback, Route, Solution, get_solver, objective_terms

__all__ = ["DIFF_COLUMNS", "DiffRow", "ReplanResult", "replan"]

DIFF_COLUMNS = (
    "job_id",
    "before_worker_id",
    "before_start",
    "after_worker_id",
    "after_start",
    "change",
    "cause",
)
_SOLVE_SHARE = 0.8
"""Of the time limit, the solver's share; the budget step gets the rest."""

DiffChange = Literal["unchanged", "moved", "reassigned", "added", "dropped"]


@dataclass(frozen=True, kw_only=True)
class DiffRow:
    """How one job fared: before and after (workers ``;``-joined), and why."""

    job_id: str
    before_worker_id: str
    before_start: datetime | None
    after_worker_id: str
    after_start: datetime | None
    change: DiffChange
    cause: str

    def to_row(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "before_worker_id": self.before_worker_id,
            "before_start": "" if self.before_start is None else self.before_start.isoformat(),
            "after_worker_id": self.after_worker_id,
            "after_start": "" if self.after_start is None else self.after_start.isoformat(),
            "change": self.change,
            "cause": self.cause,
        }


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
    get_solver(solver)  # an unknown solver fails before any work
    visits: dict[str, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    for a in previous.assignments:
        visits[a.worker_id].append((a.job_id, a.start, a.end))
    changed = apply_changes(dataset, changes, visits)
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

    before = _previous_visits(problem, previous, round_)
    frozen = _frozen(previous, round_, changed, freeze_before)
    kept, hit = _replay(problem, before, frozen, changed, shift_tolerance)

    # From here on nothing new may start before freeze_before: that time has passed.
    future = _not_before(round_, frozen, freeze_before)
    free = compile_problem(future, policy=chosen, travel=previous.travel)
    # Both horizons are the same midnight unless the freeze moved the round's earliest time.
    shift = minutes_from(problem.horizon_start, free.horizon_start, round_up=False)
    kept = {v: [(j, s - shift) for j, s in visits_v] for v, visits_v in kept.items()}
    schedule: Schedule = defaultdict(list)
    for v, visits_of in kept.items():
        schedule[v].extend(visits_of)
    if solver != "none":
        solution = _solve_around(
            future, free, kept, chosen, solver, time_limit * _SOLVE_SHARE, seed, progress, stop
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


def _not_before(round_: Dataset, frozen: frozenset[str], freeze_before: datetime | None) -> Dataset:
    """The round for placing and moving: a job that is not frozen may start no earlier
    than ``freeze_before`` (one whose window closes before it cannot be served)."""
    if freeze_before is None:
        return round_
    everyone = frozenset(w.worker_id for w in round_.workers)
    jobs = list(round_.jobs)
    for j, job in enumerate(jobs):
        if job.job_id in frozen or utc(job.earliest_start) >= utc(freeze_before):
            continue
        if job.is_pinned:
            continue
        if utc(job.latest_start) < utc(freeze_before):
            jobs[j] = replace(job, excluded_workers=everyone)
            continue
        moved = freeze_before.astimezone(job.window.start.tzinfo)
        jobs[j] = replace(job, window=TimeWindow(start=moved, end=job.window.end))
    return replace(round_, jobs=tuple(jobs))


def _previous_visits(
    problem: Problem, previous: Plan, round_: Dataset
) -> dict[int, list[tuple[int, int]]]:
    """``worker -> [(job, start minute)]`` of the previous plan's visits still in the round."""
    workers = {w: i for i, w in enumerate(problem.worker_ids)}
    jobs = {j: i for i, j in enumerate(problem.job_ids)}
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a in previous.assignments:
        if a.job_id in jobs and a.worker_id in workers:
            minute = _minute(problem, a.start)
            out[workers[a.worker_id]].append((jobs[a.job_id], minute))
    for visits_of in out.values():
        visits_of.sort(key=lambda visit: visit[1])
    return dict(out)


def _minute(problem: Problem, moment: datetime) -> int:
    return minutes_from(problem.horizon_start, moment, round_up=False)


def _frozen(
    previous: Plan, round_: Dataset, changed: ChangedRound, freeze_before: datetime | None
) -> frozenset[str]:
    """Jobs that start before ``freeze_before`` and that no change hit."""
    if freeze_before is None:
        return frozenset()
    limit = utc(freeze_before)
    declined = {job_id for job_id, _ in changed.declined}
    out = set()
    for a in previous.assignments:
        if utc(a.start) >= limit or not round_.has_job(a.job_id) or a.job_id in declined:
            continue
        gone = any(
            c.start is not None
            and utc(c.start) <= utc(a.start)
            and (c.until is None or utc(a.start) < utc(c.until))
            for c in changed.unavailable.get(a.worker_id, ())
        )
        if not gone:
            out.add(a.job_id)
    return frozenset(out)


def _cause(
    changed: ChangedRound, job_id: str, worker_id: str, minute_moment: datetime | None
) -> str | None:
    """The change that directly concerns this visit, if any."""
    if (job_id, worker_id) in changed.declined:
        return changed.declined[(job_id, worker_id)].label
    for c in changed.unavailable.get(worker_id, ()):
        if minute_moment is None or (
            c.start is not None
            and utc(c.start) <= utc(minute_moment)
            and (c.until is None or utc(minute_moment) < utc(c.until))
        ):
            return c.label
    if job_id in changed.overrun:
        return changed.overrun[job_id].label
    return None


def _replay(
    problem: Problem,
    before: dict[int, list[tuple[int, int]]],
    frozen: frozenset[str],
    changed: ChangedRound,
    tolerance: int,
) -> tuple[dict[int, list[tuple[int, int]]], dict[str, str]]:
    """Which previous visits stay (per vehicle, at their possibly pushed start) and which a
    change hit (job id -> the change's label)."""
    hit: dict[str, str] = {}
    first = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers))
    last = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers), side="right")
    zone_origin = problem.horizon_start
    for _ in range(8):  # a hit team visit frees its other members: replay until stable
        kept: dict[int, list[tuple[int, int]]] = defaultdict(list)
        starts: dict[int, set[int]] = defaultdict(set)
        members: dict[int, int] = defaultdict(int)
        newly = False
        for w, visits_of in before.items():
            worker_id = problem.worker_ids[w]
            by_vehicle: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for j, minute in visits_of:
                job_id = problem.job_ids[j]
                if job_id in hit:
                    continue
                vehicle = next(
                    (
                        v
                        for v in range(int(first[w]), int(last[w]))
                        if problem.vehicle_start[v] <= minute < problem.vehicle_end[v]
                    ),
                    None,
                )
                if vehicle is None:
                    moment = add_minutes(zone_origin, minute)
                    hit[job_id] = _cause(changed, job_id, worker_id, moment) or "no shift left"
                    newly = True
                    continue
                by_vehicle[vehicle].append((j, minute))
            for v, visits_v in by_vehicle.items():
                route_cause: str | None = None
                mode = int(problem.vehicle_mode[v])
                previous_job: int | None = None
                ready = int(problem.vehicle_start[v])
                count = work = 0
                for j, old in visits_v:
                    job_id = problem.job_ids[j]
                    duration = int(problem.job_duration[j])
                    if job_id in frozen:
                        start = old
                    else:
                        travel = (
                            int(problem.travel_home_job[v, j])
                            if previous_job is None
                            else int(problem.travel_job_job[mode, previous_job, j])
                        )
                        start = max(old, ready + travel, int(problem.job_earliest[j]))
                        team = int(problem.job_team[j]) > 1
                        fits = (
                            bool(problem.eligible[v, j])
                            and start - old <= (0 if team else tolerance)
                            and start <= int(problem.job_latest[j])
                            and start + duration <= int(problem.vehicle_end[v])
                            and count + 1 <= int(problem.vehicle_max_jobs[v])
                            and work + duration <= int(problem.vehicle_max_work[v])
                        )
                        if not fits:
                            moment = add_minutes(zone_origin, old)
                            hit[job_id] = (
                                _cause(changed, job_id, worker_id, moment)
                                or route_cause
                                or "no longer fits its worker's day"
                            )
                            newly = True
                            continue
                    if job_id in changed.overrun:
                        route_cause = changed.overrun[job_id].label
                    kept[v].append((j, start))
                    starts[j].add(start)
                    members[j] += 1
                    previous_job, ready = j, start + duration
                    count, work = count + 1, work + duration
        for j, found in starts.items():
            job_id = problem.job_ids[j]
            size = int(problem.job_team[j])
            if size > 1 and (len(found) > 1 or members[j] != size) and job_id not in frozen:
                hit.setdefault(job_id, "its team was broken up by a change")
                newly = True
        if not newly:
            return dict(kept), hit
    return dict(kept), hit


def _solve_around(
    round_: Dataset,
    problem: Problem,
    kept: dict[int, list[tuple[int, int]]],
    policy: Policy,
    solver: str,
    time_limit: float,
    seed: int,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
) -> Solution:
    """Solve the round with every kept visit pinned where it is."""
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
    pinned = compile_problem(
        replace(round_, jobs=tuple(jobs)), policy=policy, travel=problem.travel_model
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
        column = job_column(index, j)
        found = candidates(index, column, k=1, max_moves=left)
        if not found or found[0].cost - column.penalty >= 0:
            continue
        best = found[0]
        spent = sum(problem.job_ids[m.job] in counted for m in best.moves)
        if spent > left:
            continue
        for m in best.moves:
            schedule[m.vehicle].remove((m.job, m.start))
            schedule.setdefault(m.new_vehicle, []).append((m.job, m.new_start))
            reasons[problem.job_ids[m.job]] = f"moved to serve {problem.job_ids[j]} (--max-moves)"
        for vehicle, start in best.members:
            schedule.setdefault(vehicle, []).append((j, start))
        for visits_v in schedule.values():
            visits_v.sort(key=lambda visit: visit[1])
        left -= spent
    return reasons


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
    routes = tuple(
        Route(vehicle=v, jobs=tuple(j for j, _ in vs), starts=tuple(s for _, s in vs))
        for v, vs in sorted(schedule.items())
        if vs
    )
    elapsed = time.perf_counter() - began
    solution = Solution(
        routes=routes,
        objective=objective_terms(problem, routes, policy).total,
        backend=f"replan/{solver}",
        seed=seed,
        solve_seconds=elapsed,
    )
    plan = build_plan(round_, problem, solution, policy)
    diff = _diff(previous, plan, changed, hit, reasons, tolerance)
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


def _visits_by_job(plan: Plan) -> dict[str, tuple[str, datetime]]:
    workers: dict[str, list[str]] = defaultdict(list)
    starts: dict[str, datetime] = {}
    for a in plan.assignments:
        workers[a.job_id].append(a.worker_id)
        starts.setdefault(a.job_id, a.start)
    return {job_id: (";".join(sorted(w)), starts[job_id]) for job_id, w in workers.items()}


def _diff(
    previous: Plan,
    plan: Plan,
    changed: ChangedRound,
    hit: dict[str, str],
    reasons: dict[str, str],
    tolerance: int,
) -> list[DiffRow]:
    before = _visits_by_job(previous)
    after = _visits_by_job(plan)
    rows: list[DiffRow] = []
    for job_id in sorted(set(before) | set(after) | set(changed.cancelled)):
        was = before.get(job_id)
        now = after.get(job_id)
        if job_id in changed.cancelled:
            change: DiffChange = "dropped"
            cause = changed.cancelled[job_id].label
        elif was is None and now is not None:
            change = "added"
            cause = changed.added[job_id].label if job_id in changed.added else "served now"
        elif was is not None and now is None:
            change = "dropped"
            cause = hit.get(job_id, reasons.get(job_id, "no room left"))
        elif was is not None and now is not None:
            if was[0] != now[0]:
                change = "reassigned"
            elif abs((utc(now[1]) - utc(was[1])).total_seconds()) > tolerance * 60:
                change = "moved"
            else:
                change = "unchanged"
            cause = "" if change == "unchanged" else hit.get(job_id, reasons.get(job_id, ""))
            if change != "unchanged" and not cause:
                cause = "re-planned"
        else:
            continue
        rows.append(
            DiffRow(
                job_id=job_id,
                before_worker_id="" if was is None else was[0],
                before_start=None if was is None else was[1],
                after_worker_id="" if now is None else now[0],
                after_start=None if now is None else now[1],
                change=change,
                cause=cause,
            )
        )
    return rows
