"""Hiring a worker for a job: who, when, and the proof that they would serve it.

A new worker holds exactly what the job needs (:func:`hire_worker`), lives at the centre of
the job's district and works whole hours around its window (:func:`hire_shift`). The proof
(:func:`serve_with`) plans the job on the new workers alone with the greedy solver
(deterministic) and keeps the plan only when it passes ``verify``: new workers take nothing
from anyone, so the rest of the plan stands as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from matchmaker.compile import Problem, coordinates
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Dataset,
    Gender,
    Job,
    MatchmakerError,
    Policy,
    Shift,
    TravelMode,
    Worker,
    add_minutes,
    minutes_from,
)
from matchmaker.plan import Plan
from matchmaker.whatif._change import CHANGE_COSTS, HireSignal, SmallestChange
from matchmaker.whatif._districts import Districts
from matchmaker.whatif._probe import prove

__all__ = ["hire_change", "hire_shift", "hire_worker", "serve_with"]


def hire_worker(
    dataset: Dataset, job: Job, *, worker_id: str, home: Any, shifts: Sequence[Shift]
) -> Worker:
    """A new worker who meets every requirement of ``job``: skills at the required level,
    its certificates (valid a year after the shift), a passed background check, the
    required (else the customer's preferred) gender, the required languages, a car when
    the job needs one."""
    customer = dataset.customer(job.customer_id)
    gender = job.gender_required
    if gender is None and customer is not None:
        gender = customer.preferred_gender
    expiry = (max(s.end for s in shifts) + timedelta(days=366)).date()
    return Worker(
        worker_id=worker_id,
        name="",
        gender=gender or Gender.FEMALE,
        languages=frozenset(job.language_required) | frozenset({"mandarin"}),
        skills={r.name: r.level for r in job.required_skills},
        experience_years=job.min_experience_years,
        certificates=tuple(Certificate(name=c, expires=expiry) for c in job.required_certificates),
        background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
        home=home,
        shifts=tuple(shifts),
        travel_mode=TravelMode.CAR if job.needs_car else TravelMode.TRANSIT,
    )


def hire_shift(dataset: Dataset, problem: Problem, job: Job) -> Shift:
    """Whole hours around the job: from the hour before its earliest start to the hour
    after its latest end, counted in real minutes from the round's local midnight."""
    origin = problem.horizon_start
    zone = origin.tzinfo
    first = minutes_from(origin, job.earliest_start, round_up=False) - 60
    last = minutes_from(origin, job.latest_start, round_up=True) + job.duration_minutes
    start = max(0, (first // 60) * 60)
    end = -(-last // 60) * 60
    return Shift(start=add_minutes(origin, start, zone), end=add_minutes(origin, end, zone))


def hire_change(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    problem: Problem,
    j: int,
    districts: Districts,
    job_district: list[str],
    value: int,
) -> SmallestChange | None:
    """New workers for the job alone (a team job gets its whole team), proven on a round
    of the new workers and the job."""
    job = replace(dataset.jobs[j].unpinned(), excluded_workers=frozenset())
    district = job_district[j]
    same = [k for k, d in enumerate(job_district) if d == district]
    home = districts.centre(district, coordinates(dataset.jobs[k].location for k in same))
    shift = hire_shift(dataset, problem, job)
    count = job.workers_needed
    hires = tuple(
        hire_worker(dataset, job, worker_id=f"hire-{n}", home=home, shifts=(shift,))
        for n in range(1, count + 1)
    )
    result = serve_with(dataset, plan, policy, hires, (job,), problem.horizon_start.tzinfo)
    if result is None or job.job_id not in result:
        return None
    signal = HireSignal(
        skills=job.required_skills,
        certificates=job.required_certificates,
        min_experience_years=job.min_experience_years,
        gender=hires[0].gender,
        languages=job.language_required,
        needs_car=job.needs_car,
        district=district,
        shift_start=shift.start,
        shift_end=shift.end,
        count=count,
    )
    start = result[job.job_id]
    return SmallestChange(
        job_id=job.job_id,
        kind="hire",
        cost=CHANGE_COSTS["hire_per_worker"] * count,
        change=signal.describe(),
        workers=tuple(h.worker_id for h in hires),
        start=start,
        value=value,
        district=district,
        hire=signal,
    )


def serve_with(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    workers: tuple[Worker, ...],
    jobs: tuple[Job, ...],
    zone: Any,
) -> dict[str, datetime] | None:
    """Plan ``jobs`` on ``workers`` alone (greedy, deterministic) and verify it: the start
    of each job served, or ``None`` when the travel model cannot place the new homes.

    The greedy planner does not read links or due starts, so it plans the jobs without
    them; the plan is then proven with them, against the whole plan (a linked visit must
    keep its gap to the visit it follows, a customer's cap on different workers counts the
    new ones): when that fails, ``None``.
    """
    from matchmaker.plan import dispatch

    unlinked = tuple(replace(j.unlinked(), due_start=None) for j in jobs)
    round_ = replace(dataset, workers=workers, jobs=unlinked)
    try:
        result = dispatch(
            round_,
            solver="greedy",
            policy=policy,
            time_limit=30.0,
            seed=0,
            deterministic=True,
            travel=plan.travel,
        )
    except MatchmakerError:
        return None
    if not result.ok:
        return None
    edited = {j.job_id: j for j in jobs}
    whole = replace(
        dataset,
        workers=(*dataset.workers, *workers),
        jobs=tuple(edited.get(j.job_id, j) for j in dataset.jobs),
    )
    if not prove(whole, plan, result.plan.assignments):
        return None
    return {a.job_id: a.start.astimezone(zone) for a in result.plan.assignments}
