"""Re-checking one imagined change of a round: eligibility, an insertion, then ``verify``.

A *variant* is an unserved job with edited fields (its window, its day, a requirement).
:func:`variant_eligibility` re-runs the compiled eligibility for many variants at once,
with the very rule functions :func:`~matchmaker.compile.compile_problem` uses: the pair
rules on a dataset of the variants (all workers, the variant jobs) and the shift fit
against every shift, with the travel from home of the job's own place. :func:`place`
then looks for room in the planned day of each eligible worker without moving anything
(:func:`~matchmaker.plan.standing_of`, the same reading of a plan ``explain`` uses), and
:func:`prove` builds the plan with the change and runs :func:`~matchmaker.plan.verify` on
the part of the round it touches: the workers who serve the change and every job they
serve. A change is only reported when that verification passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.compile import (
    Problem,
    ReasonBit,
    eligible_matrix,
    encode_pairs,
    pair_reasons,
    rule_shift_fit,
)
from matchmaker.model import Dataset, Job, ReasonCode, add_minutes, minutes_from
from matchmaker.plan import (
    Assignment,
    Plan,
    Standing,
    UnassignedJob,
    eligible_by_worker,
    standing_of,
    verify,
)

__all__ = ["Placement", "Schedule", "place", "prove", "variant_eligibility", "with_job"]

Schedule = dict[int, list[tuple[int, int]]]
_SHIFT_BITS = np.uint16(ReasonBit.NO_AVAILABILITY | ReasonBit.TRAVEL)


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where a job would go: its workers (and their vehicles) and the start minute."""

    workers: tuple[int, ...]
    vehicles: tuple[int, ...]
    start: int


def variant_eligibility(
    dataset: Dataset, problem: Problem, positions: Sequence[int], variants: Sequence[Job]
) -> npt.NDArray[np.bool_]:
    """``(V, K)``: may shift ``v`` serve variant ``k`` of the job at ``positions[k]``?"""
    count = len(variants)
    if count == 0:
        return np.zeros((problem.n_vehicles, 0), dtype=np.bool_)
    zone = _zone(problem)
    # Temporary ids keep the variants distinct in one dataset; pins do not apply to them,
    # nor links (the job they follow is not among the probes, and no pair rule reads them).
    probes = tuple(
        replace(v.unlinked().unpinned(), job_id=f"{v.job_id}#{k}") for k, v in enumerate(variants)
    )
    mini = replace(dataset, jobs=probes)
    bits = pair_reasons(encode_pairs(mini, zone=zone))
    origin = problem.horizon_start
    earliest = np.array(
        [minutes_from(origin, v.earliest_start, round_up=True) for v in variants], dtype=np.int32
    )
    latest = np.array(
        [minutes_from(origin, v.latest_start, round_up=False) for v in variants], dtype=np.int32
    )
    fit = rule_shift_fit(
        vehicle_start=problem.vehicle_start,
        vehicle_end=problem.vehicle_end,
        travel_home_job=problem.travel_home_job[:, np.asarray(positions, dtype=np.intp)],
        job_earliest=earliest,
        job_latest=latest,
        job_duration=np.array([v.duration_minutes for v in variants], dtype=np.int32),
    )
    pinned = np.zeros((problem.n_vehicles, count), dtype=np.bool_)
    return eligible_matrix(bits, problem.vehicle_worker, fit.fits, pinned)


def patched(problem: Problem, j: int, job: Job, eligible: npt.NDArray[np.bool_]) -> Problem:
    """``problem`` with job ``j`` replaced by ``job`` (same place): its window, duration,
    team and the ``(V,)`` eligible column."""
    origin = problem.horizon_start
    earliest = problem.job_earliest.copy()
    latest = problem.job_latest.copy()
    duration = problem.job_duration.copy()
    team = problem.job_team.copy()
    earliest[j] = minutes_from(origin, job.earliest_start, round_up=True)
    latest[j] = minutes_from(origin, job.latest_start, round_up=False)
    duration[j] = job.duration_minutes
    team[j] = job.workers_needed
    column = problem.eligible.copy()
    column[:, j] = eligible
    return replace(
        problem,
        job_earliest=earliest,
        job_latest=latest,
        job_duration=duration,
        job_team=team,
        eligible=column,
    )


def _may_fit(problem: Problem, schedule: Schedule, j: int, v: int) -> bool:
    """A quick necessary condition for job ``j`` in vehicle ``v``'s day, travel left out:
    room under the shift's limits and a gap long enough inside the window. Only workers
    passing it are read in full (:func:`~matchmaker.plan.standing_of`)."""
    visits = [(k, s) for k, s in schedule.get(v, ()) if k != j]
    duration = int(problem.job_duration[j])
    if len(visits) + 1 > int(problem.vehicle_max_jobs[v]):
        return False
    work = sum(int(problem.job_duration[k]) for k, _ in visits)
    if work + duration > int(problem.vehicle_max_work[v]):
        return False
    earliest, latest = int(problem.job_earliest[j]), int(problem.job_latest[j])
    ready = int(problem.vehicle_start[v])
    for k, start in [*visits, (-1, int(problem.vehicle_end[v]))]:
        if max(earliest, ready) <= min(latest, start - duration):
            return True
        if k >= 0:
            ready = start + int(problem.job_duration[k])
    return False


def _vehicle_at(problem: Problem, vehicles: Sequence[int], minute: int, j: int) -> int | None:
    end = minute + int(problem.job_duration[j])
    for v in vehicles:
        if problem.vehicle_start[v] <= minute and end <= problem.vehicle_end[v]:
            return v
    return None


def place(
    dataset: Dataset,
    problem: Problem,
    schedule: Schedule,
    j: int,
    *,
    only_worker: int | None = None,
) -> Placement | None:
    """A start for job ``j`` that fits the planned days of enough eligible workers (only
    ``only_worker`` when given), best match scores first, without moving anything;
    ``None`` when there is none."""
    team = int(problem.job_team[j])
    eligible = {
        w: vs
        for w, vs in eligible_by_worker(problem, j).items()
        if only_worker is None or w == only_worker
    }
    if len(eligible) < team:
        return None
    free: list[tuple[Standing, list[int]]] = []
    for w, vehicles in eligible.items():
        if not any(_may_fit(problem, schedule, j, v) for v in vehicles):
            continue
        standing = standing_of(dataset, problem, schedule, j, w, vehicles)
        if standing.status == "free":
            free.append((standing, vehicles))
            if team == 1:
                break
    if len(free) < team:
        return None
    starts = sorted({low for s, _ in free for low, _ in s.free})
    for start in starts:
        chosen = [(s.worker, vs) for s, vs in free if any(lo <= start <= hi for lo, hi in s.free)][
            :team
        ]
        if len(chosen) < team:
            continue
        found = [_vehicle_at(problem, vs, start, j) for _, vs in chosen]
        vehicles = [v for v in found if v is not None]
        if len(vehicles) < len(found):
            continue
        return Placement(
            workers=tuple(w for w, _ in chosen),
            vehicles=tuple(vehicles),
            start=start,
        )
    return None


def with_job(schedule: Schedule, placement: Placement, j: int) -> Schedule:
    """``schedule`` with job ``j`` placed (a copy)."""
    out = dict(schedule)  # only the changed days are copied
    for v in placement.vehicles:
        out[v] = sorted([*schedule.get(v, ()), (j, placement.start)], key=lambda visit: visit[1])
    return out


def assignments_for(
    dataset: Dataset, problem: Problem, placement: Placement, job: Job
) -> list[Assignment]:
    """The plan rows of ``placement`` (travel, sequence and score are left at 0: the
    verifier reads neither)."""
    zone = _zone(problem)
    start = add_minutes(problem.horizon_start, placement.start, zone)
    end = add_minutes(start, job.duration_minutes, zone)
    return [
        Assignment(
            job_id=job.job_id,
            worker_id=problem.worker_ids[w],
            start=start,
            end=end,
            travel_minutes=0,
            sequence=0,
            match_score=0.0,
        )
        for w in placement.workers
    ]


def prove(
    dataset: Dataset,
    plan: Plan,
    added: Sequence[Assignment],
    *,
    removed_jobs: Iterable[str] = (),
) -> bool:
    """Does the plan with ``added`` rows (and without the rows of ``removed_jobs``) pass
    :func:`~matchmaker.plan.verify` on ``dataset``, over the workers it touches?

    The part of the round verified is closed under what the rules read together (see
    :func:`_part`); the rest of the plan is unchanged and was verified already.
    """
    gone = set(removed_jobs)
    rows = [a for a in plan.assignments if a.job_id not in gone] + list(added)
    jobs, members = _part(dataset, rows, {a.worker_id for a in added}, gone)
    sub = replace(
        dataset,
        workers=tuple(w for w in dataset.workers if w.worker_id in members),
        jobs=tuple(j for j in dataset.jobs if j.job_id in jobs),
    )
    served = {a.job_id for a in rows}
    sub_plan = Plan(
        assignments=tuple(a for a in rows if a.job_id in jobs),
        unassigned=tuple(
            UnassignedJob(job_id=j.job_id, reason_code=ReasonCode.CAPACITY, reason="")
            for j in sub.jobs
            if j.job_id not in served
        ),
        kpis={},
        travel=plan.travel,
        travel_home=plan.travel_home,
    )
    return not verify(sub, sub_plan)


def _part(
    dataset: Dataset, rows: Sequence[Assignment], workers: set[str], jobs: set[str]
) -> tuple[set[str], set[str]]:
    """The jobs and workers to verify together, grown from ``workers`` and ``jobs``: every
    job of a worker in the part (a worker's days are read whole), every member of a job in
    it, the visits a job in it is linked with either way (served or not), and every job of
    its customer when the customer caps its different workers. No rule reads across the
    edge of such a part, so it passes verify exactly when the whole plan would."""
    jobs_of: dict[str, set[str]] = {}
    workers_of: dict[str, set[str]] = {}
    for a in rows:
        jobs_of.setdefault(a.worker_id, set()).add(a.job_id)
        workers_of.setdefault(a.job_id, set()).add(a.worker_id)
    capped = {c.customer_id for c in dataset.customers if c.max_distinct_workers is not None}
    by_customer: dict[str, set[str]] = {}
    linked: dict[str, set[str]] = {}
    for job in dataset.jobs:
        if job.customer_id in capped:
            by_customer.setdefault(job.customer_id, set()).add(job.job_id)
        if job.depends_on is not None:
            linked.setdefault(job.job_id, set()).add(job.depends_on)
            linked.setdefault(job.depends_on, set()).add(job.job_id)
    for job in dataset.jobs:
        if job.customer_id in capped:
            linked.setdefault(job.job_id, set()).update(by_customer[job.customer_id])
    found_jobs: set[str] = set()
    found_workers: set[str] = set()
    waiting_jobs, waiting_workers = list(jobs), list(workers)
    while waiting_jobs or waiting_workers:
        if waiting_workers:
            worker = waiting_workers.pop()
            if worker not in found_workers:
                found_workers.add(worker)
                waiting_jobs.extend(jobs_of.get(worker, ()))
            continue
        job_id = waiting_jobs.pop()
        if job_id not in found_jobs:
            found_jobs.add(job_id)
            waiting_workers.extend(workers_of.get(job_id, ()))
            waiting_jobs.extend(linked.get(job_id, ()))
    return found_jobs, found_workers


def _zone(problem: Problem) -> tzinfo | None:
    """The round's local zone: the one its horizon (local midnight) was built in, without
    scanning the dataset again."""
    return problem.horizon_start.tzinfo
