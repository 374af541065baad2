"""The smallest change that would serve an unserved job, proven by re-checking.

For every unassigned job of a plan, :func:`smallest_changes` tries candidate changes from
the cheapest up (:data:`CHANGE_COSTS`) and keeps the first that is *proven*: eligibility is
re-run for the changed job, the job is inserted into the plan (nothing else moves, except
the one planned job a ``move_planned_job`` change moves), and the changed plan passes
:func:`~matchmaker.plan.verify` over the workers it touches (:mod:`._probe`). Candidates:

* ``widen_window``: the latest start later, or the earliest start earlier, by 15, 30, 60 or
  120 minutes (cost: a third of the minutes);
* ``move_planned_job``: one single-worker planned job of an eligible but busy worker moves
  to another free worker or time (inside its own window), and the worker serves this job
  (cost 10);
* ``relax_preference``: the customer's required gender or languages dropped (cost 30);
* ``relax_requirement``: two years less experience (35), or every required skill one level
  lower (40);
* ``another_day``: the same local time on another day of the round that has shifts
  (50, plus 10 per day away);
* ``hire``: new workers with exactly what the job requires, living in the job's district,
  free in whole hours around the window: the hiring signal (100 per worker).

Each result names the change, who would serve the job and when, and its cost; the job's
weighted value (``priority_weights[priority] * workers_needed``) lets
:func:`matchmaker.whatif.what_would_serve_most` add them up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from matchmaker.compile import Problem, compile_problem, coordinates
from matchmaker.model import Dataset, Job, Policy, add_minutes
from matchmaker.plan import Plan, eligible_by_worker, message, schedule_of_plan, standing_of
from matchmaker.whatif._change import CHANGE_COSTS, SmallestChange, gender_word
from matchmaker.whatif._districts import Districts
from matchmaker.whatif._hire import hire_change
from matchmaker.whatif._probe import (
    Schedule,
    assignments_for,
    patched,
    place,
    prove,
    variant_eligibility,
    with_job,
)

__all__ = ["WIDEN_MINUTES", "smallest_changes"]

WIDEN_MINUTES = (15, 30, 60, 120)
_CHUNK = 32  # jobs whose candidates' eligibility is computed at once


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    kind: str
    cost: int
    change: str
    job: Job


def _clock(moment: datetime, zone: Any) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _candidates(dataset: Dataset, job: Job, days: Sequence[Any], zone: Any) -> list[_Candidate]:
    found: list[_Candidate] = []
    window = job.window
    for minutes in WIDEN_MINUTES:
        later = add_minutes(window.end, minutes, zone)
        found.append(
            _Candidate(
                kind="widen_window",
                cost=minutes // 3,
                change=message("en", "change.later", minutes=minutes, at=_clock(later, zone)),
                job=replace(job, window=replace(window, end=later)),
            )
        )
        earlier = add_minutes(window.start, -minutes, zone)
        found.append(
            _Candidate(
                kind="widen_window",
                cost=minutes // 3,
                change=message("en", "change.earlier", minutes=minutes, at=_clock(earlier, zone)),
                job=replace(job, window=replace(window, start=earlier)),
            )
        )
    if job.gender_required is not None:
        found.append(
            _Candidate(
                kind="relax_preference",
                cost=CHANGE_COSTS["relax_gender"],
                change=message("en", "change.any_gender", gender=gender_word(job.gender_required)),
                job=replace(job, gender_required=None),
            )
        )
    if job.language_required:
        found.append(
            _Candidate(
                kind="relax_preference",
                cost=CHANGE_COSTS["relax_language"],
                change=message(
                    "en",
                    "change.no_language",
                    languages=message("en", "word.and").join(job.language_required),
                ),
                job=replace(job, language_required=()),
            )
        )
    if job.min_experience_years > 0:
        years = max(0.0, job.min_experience_years - 2)
        found.append(
            _Candidate(
                kind="relax_requirement",
                cost=CHANGE_COSTS["relax_experience"],
                change=message(
                    "en",
                    "change.less_experience.one" if years == 1 else "change.less_experience",
                    years=f"{years:g}",
                    required_years=f"{job.min_experience_years:g}",
                ),
                job=replace(job, min_experience_years=years),
            )
        )
    if any(r.level > 1 for r in job.required_skills):
        lower = tuple(replace(r, level=max(1, r.level - 1)) for r in job.required_skills)
        found.append(
            _Candidate(
                kind="relax_requirement",
                cost=CHANGE_COSTS["relax_skill_level"],
                change=message("en", "change.lower_skill", skills=", ".join(str(r) for r in lower)),
                job=replace(job, required_skills=lower),
            )
        )
    own = window.start.astimezone(zone).date()
    for day in sorted(days, key=lambda d: (abs((d - own).days), d)):
        if day == own:
            continue
        away = abs((day - own).days)
        found.append(
            _Candidate(
                kind="another_day",
                cost=CHANGE_COSTS["another_day"] + CHANGE_COSTS["another_day_per_day"] * away,
                change=message("en", "change.another_day", day=day.isoformat()),
                job=_on_day(job, own, day, zone),
            )
        )
    return sorted(found, key=lambda c: c.cost)


def _on_day(job: Job, own: Any, day: Any, zone: Any) -> Job:
    """``job`` moved from local date ``own`` to ``day`` at the same clock times: its window
    and, with it, its due start and pinned start (which must stay inside the window)."""

    def moved(moment: datetime) -> datetime:
        return _same_clock(moment, day + (moment.astimezone(zone).date() - own), zone)

    window = replace(job.window, start=moved(job.window.start), end=moved(job.window.end))
    return replace(
        job,
        window=window,
        due_start=None if job.due_start is None else moved(job.due_start),
        pinned_start=None if job.pinned_start is None else moved(job.pinned_start),
    )


def _same_clock(moment: datetime, day: Any, zone: Any) -> datetime:
    """The same local clock time on ``day`` (built as a wall-clock time of that day, so a
    daylight-saving change between the days keeps the clock, not the elapsed minutes)."""
    local = moment.astimezone(zone)
    return datetime.combine(day, local.time(), tzinfo=zone)


def smallest_changes(
    dataset: Dataset,
    plan: Plan,
    *,
    policy: Policy | None = None,
    districts: Districts | None = None,
    job_ids: Sequence[str] | None = None,
    time_limit: float | None = None,
    problem: Problem | None = None,
) -> tuple[SmallestChange, ...]:
    """For each unassigned job of ``plan`` (or of ``job_ids``), the cheapest proven change
    that serves it (module docstring). ``plan`` must be a plan of ``dataset``.

    Jobs are searched most valuable first. With ``time_limit`` (seconds) the search stops
    when it is spent, and the jobs not reached get ``kind="not_searched"``: on a round with
    hundreds of unserved jobs the proofs take minutes. ``problem`` is the round compiled
    under ``policy`` with the plan's travel (``DispatchResult.problem``), saving a compile.
    """
    began = time.perf_counter()
    chosen = dataset.settings.policy if policy is None else policy
    districts = Districts() if districts is None else districts
    if problem is None:
        problem = compile_problem(dataset, policy=chosen, travel=plan.travel)
    schedule: Schedule = schedule_of_plan(problem, plan)
    wanted = [u.job_id for u in plan.unassigned] if job_ids is None else list(job_ids)
    wanted = [j for j in wanted if dataset.has_job(j)]
    zone = problem.horizon_start.tzinfo
    days = sorted(
        {add_minutes(problem.horizon_start, int(s), zone).date() for s in problem.vehicle_start}
    )
    job_district = districts.of(coordinates(j.location for j in dataset.jobs))
    weights = chosen.priority_weights

    def value_of(job_id: str) -> int:
        job = dataset.job(job_id)
        return weights[job.priority] * job.workers_needed

    order = sorted(wanted, key=lambda job_id: -value_of(job_id))
    found_for: dict[str, SmallestChange] = {}
    for first in range(0, len(order), _CHUNK):
        if time_limit is not None and time.perf_counter() - began > time_limit:
            break
        chunk = order[first : first + _CHUNK]
        candidates = {j: _candidates(dataset, dataset.job(j), days, zone) for j in chunk}
        flat = [(j, c) for j in chunk for c in candidates[j]]
        eligible = variant_eligibility(
            dataset, problem, [dataset.job_position(j) for j, _ in flat], [c.job for _, c in flat]
        )
        column = {id(c): eligible[:, k] for k, (_, c) in enumerate(flat)}
        for job_id in chunk:
            if time_limit is not None and time.perf_counter() - began > time_limit:
                break
            j = dataset.job_position(job_id)
            value = value_of(job_id)
            found = _first_proven(
                dataset, plan, problem, schedule, j, candidates[job_id], column, value,
                job_district[j],
            )  # fmt: skip
            if found is None:
                found = hire_change(
                    dataset, plan, chosen, problem, j, districts, job_district, value
                )
            if found is None:
                found = SmallestChange(
                    job_id=job_id,
                    kind="none",
                    cost=None,
                    change=message("en", "change.none"),
                    value=value,
                    district=job_district[j],
                )
            found_for[job_id] = found
    unsearched = SmallestChange(
        job_id="", kind="not_searched", cost=None, change=message("en", "change.not_searched")
    )
    return tuple(
        found_for.get(job_id)
        or replace(
            unsearched,
            job_id=job_id,
            value=value_of(job_id),
            district=job_district[dataset.job_position(job_id)],
        )
        for job_id in wanted
    )


def _first_proven(
    dataset: Dataset,
    plan: Plan,
    problem: Problem,
    schedule: Schedule,
    j: int,
    candidates: Sequence[_Candidate],
    column: dict[int, Any],
    value: int,
    district: str,
) -> SmallestChange | None:
    zone = problem.horizon_start.tzinfo
    move_tried = False
    for candidate in candidates:
        if not move_tried and candidate.cost > CHANGE_COSTS["move_planned_job"]:
            move_tried = True
            moved = _move_one(dataset, plan, problem, schedule, j, value, district)
            if moved is not None:
                return moved
        trial = patched(problem, j, candidate.job, column[id(candidate)])
        placement = place(dataset, trial, schedule, j)
        if placement is None:
            continue
        edited = _with_job(dataset, candidate.job)
        rows = assignments_for(edited, trial, placement, candidate.job)
        if prove(edited, plan, rows):
            return SmallestChange(
                job_id=candidate.job.job_id,
                kind=candidate.kind,
                cost=candidate.cost,
                change=candidate.change,
                workers=tuple(a.worker_id for a in rows),
                start=rows[0].start.astimezone(zone),
                value=value,
                district=district,
            )
    if not move_tried:
        return _move_one(dataset, plan, problem, schedule, j, value, district)
    return None


def _with_job(dataset: Dataset, job: Job) -> Dataset:
    position = dataset.job_position(job.job_id)
    jobs = (*dataset.jobs[:position], job, *dataset.jobs[position + 1 :])
    return replace(dataset, jobs=jobs)


_MOVE_WORKERS = 5
"""Busy eligible workers tried for a ``move_planned_job`` change, best score first."""


def _move_one(
    dataset: Dataset,
    plan: Plan,
    problem: Problem,
    schedule: Schedule,
    j: int,
    value: int,
    district: str,
) -> SmallestChange | None:
    """Free an eligible worker by moving one of their planned single-worker jobs."""
    if int(problem.job_team[j]) != 1:
        return None
    zone = problem.horizon_start.tzinfo
    job = dataset.jobs[j]
    tried = 0
    for w, vehicles in eligible_by_worker(problem, j).items():
        if tried >= _MOVE_WORKERS:
            break
        standing = standing_of(dataset, problem, schedule, j, w, vehicles)
        if standing.status not in ("busy", "full"):
            continue
        tried += 1
        for v in vehicles:
            for k, _ in schedule.get(v, ()):
                other = dataset.jobs[k]
                if other.workers_needed != 1 or other.is_pinned:
                    continue
                without = dict(schedule)  # only this day changes
                without[v] = [(kk, s) for kk, s in schedule[v] if kk != k]
                here = place(dataset, problem, without, j, only_worker=w)
                if here is None:
                    continue
                after = with_job(without, here, j)
                there = place(dataset, problem, after, k)
                if there is None:
                    continue
                rows = assignments_for(dataset, problem, here, job)
                moved = assignments_for(dataset, problem, there, other)
                if not prove(dataset, plan, rows + moved, removed_jobs=(other.job_id,)):
                    continue
                target = ", ".join(a.worker_id for a in moved)
                when = f"{moved[0].start.astimezone(zone):%H:%M}"
                owner = problem.worker_ids[w]
                text = (
                    message("en", "change.move_same", job=other.job_id, at=when, worker=owner)
                    if target == owner
                    else message(
                        "en",
                        "change.move_other",
                        job=other.job_id,
                        worker=owner,
                        target=target,
                        at=when,
                    )
                )
                return SmallestChange(
                    job_id=job.job_id,
                    kind="move_planned_job",
                    cost=CHANGE_COSTS["move_planned_job"],
                    change=text,
                    workers=tuple(a.worker_id for a in rows),
                    start=rows[0].start.astimezone(zone),
                    value=value,
                    district=district,
                )
    return None
