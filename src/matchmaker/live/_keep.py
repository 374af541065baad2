"""What stays in a re-plan: the previous visits replayed on the changed round.

Every visit of the previous plan is replayed on its worker in start order; it stays when it
still obeys every hard rule at its start, or pushed later by at most the shift tolerance
(team visits only at their start); otherwise the change that made it impossible *hit* it.
Frozen visits (before ``freeze_before``, no change hit them) stay where they are, unless an
overrun before them on their worker runs into them: then the overrun hit them too. When the
visits kept break a limit across days (an overrun adds work to a week), the latest visit of
the breach is hit, a frozen one only when nothing else mends it. When the visits kept on a
shift leave no room for its breaks, one of them is hit (:mod:`matchmaker.live._keep_breaks`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

import numpy as np

from matchmaker.compile import Problem
from matchmaker.live._changes import ChangedRound
from matchmaker.live._index import routes_of
from matchmaker.live._keep_breaks import mend_breaks
from matchmaker.model import Dataset, TimeWindow, add_minutes, minutes_from, utc
from matchmaker.plan import Plan
from matchmaker.solve import breaches, broken_links

__all__ = ["frozen_jobs", "not_before", "previous_visits", "replay"]


def not_before(round_: Dataset, frozen: frozenset[str], freeze_before: datetime | None) -> Dataset:
    """The round for placing and moving: a job that is not frozen may start no earlier
    than ``freeze_before`` (one whose window closes before it cannot be served). A due
    start already passed becomes ``freeze_before``: each minute after it still costs the
    same lateness, and the plan's own lateness is counted on the real due start."""
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
        due = job.due_start
        if due is not None and utc(due) < utc(moved):
            due = moved
        jobs[j] = replace(job, window=TimeWindow(start=moved, end=job.window.end), due_start=due)
    return replace(round_, jobs=tuple(jobs))


def previous_visits(
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


def frozen_jobs(
    previous: Plan, round_: Dataset, changed: ChangedRound, freeze_before: datetime | None
) -> frozenset[str]:
    """Jobs that start before ``freeze_before`` and that no change hit (a team job is hit
    when a change hits any of its members)."""
    if freeze_before is None:
        return frozenset()
    limit = utc(freeze_before)
    declined = {job_id for job_id, _ in changed.declined}
    out: set[str] = set()
    hit: set[str] = set()
    for a in previous.assignments:
        if utc(a.start) >= limit or not round_.has_job(a.job_id) or a.job_id in declined:
            continue
        gone = any(
            c.start is not None
            and utc(c.start) <= utc(a.start)
            and (c.until is None or utc(a.start) < utc(c.until))
            for c in changed.unavailable.get(a.worker_id, ())
        )
        (hit if gone else out).add(a.job_id)
    return frozenset(out - hit)


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


def replay(
    problem: Problem,
    before: dict[int, list[tuple[int, int]]],
    frozen: frozenset[str],
    changed: ChangedRound,
    tolerance: int,
) -> tuple[dict[int, list[tuple[int, int]]], dict[str, str]]:
    """Which previous visits stay (per vehicle, at their possibly pushed start) and which a
    change hit (job id -> the change's label); a frozen visit in ``hit`` is frozen no more."""
    hit: dict[str, str] = {}
    first = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers))
    last = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers), side="right")
    zone_origin = problem.horizon_start
    # A hit team visit frees its other members, a mended limit may leave others: replay
    # until stable (each round hits at least one more visit).
    for _ in range(problem.n_jobs + 8):
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
                    travel = (
                        int(problem.travel_home_job[v, j])
                        if previous_job is None
                        else int(problem.travel_job_job[mode, previous_job, j])
                    )
                    if job_id in frozen:
                        start = old
                        if old < ready + travel:
                            # An overrun ran into it: it cannot start where it was frozen.
                            hit[job_id] = route_cause or "no longer fits its worker's day"
                            newly = True
                            continue
                    else:
                        start = max(old, ready + travel, int(problem.job_earliest[j]))
                        # A team starts together and a pinned start is kept to the minute.
                        exact = int(problem.job_team[j]) > 1 or problem.job_pinned_start[j] >= 0
                        fits = (
                            bool(problem.eligible[v, j])
                            and start - old <= (0 if exact else tolerance)
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
        # A linked visit goes with the visit it follows, frozen or not: a leader hit
        # before the freeze cannot come back before it.
        for j, leader in broken_links(problem, kept):
            hit[problem.job_ids[j]] = (
                f"it follows {problem.job_ids[leader]}, which a change moved or hit"
            )
            newly = True
        if not newly:
            newly = mend_breaks(problem, kept, frozen, changed, hit)
        if not newly:
            newly = _mend_limits(problem, kept, frozen, changed, hit)
        if not newly:
            return dict(kept), hit
    return dict(kept), hit


def _mend_limits(
    problem: Problem,
    kept: dict[int, list[tuple[int, int]]],
    frozen: frozenset[str],
    changed: ChangedRound,
    hit: dict[str, str],
) -> bool:
    """Hit one kept visit of a limit across days (or a customer's cap on workers) that the
    kept visits break, if any: the latest to start, a frozen one only when no other visit
    of the breach can mend it. Returns whether it hit one."""
    start = {j: s for vs in kept.values() for j, s in vs}
    for group in breaches(problem, routes_of(kept)):
        movable = [j for j in group if problem.job_ids[j] not in frozen] or sorted(group)
        j = max(movable, key=lambda x: (start.get(x, -1), x))
        overrun = next(
            (
                changed.overrun[problem.job_ids[x]].label
                for x in sorted(group)
                if problem.job_ids[x] in changed.overrun
            ),
            None,
        )
        hit[problem.job_ids[j]] = overrun or "breaks a limit across days after the changes"
        return True
    return False
