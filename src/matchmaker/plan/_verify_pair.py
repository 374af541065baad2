"""The verifier's plan-integrity and pair rules: the plan names what exists, once, and each
worker may serve their job at all (docs/design.md section 2; the rules of scope integrity
and pair in :data:`matchmaker.model.HARD_RULES`).

See :mod:`matchmaker.plan._verify` for the conventions every rule follows.
"""

from __future__ import annotations

from collections.abc import Iterator

from matchmaker.model import BackgroundCheckStatus, TravelMode, WorkerStatus, planned_day
from matchmaker.plan._verify_context import Context, Violation, violation_of, who, who_first

__all__ = [
    "background_check",
    "certificate_valid",
    "experience",
    "gender_required",
    "known_ids",
    "language_required",
    "needs_car",
    "not_blocked",
    "not_excluded",
    "served_once",
    "skill_level",
    "worker_active",
]


# --- plan integrity -------------------------------------------------------------------


def known_ids(ctx: Context) -> Iterator[Violation]:
    """Every job and worker the plan names exists in the dataset."""
    for a in ctx.plan.assignments:
        unknown_job = not ctx.dataset.has_job(a.job_id)
        unknown_worker = not ctx.dataset.has_worker(a.worker_id)
        if unknown_job or unknown_worker:
            what = []
            if unknown_job:
                what.append(f"job {a.job_id!r}")
            if unknown_worker:
                what.append(f"worker {a.worker_id!r}")
            yield Violation(
                rule="known_ids",
                job_id=a.job_id,
                worker_id=a.worker_id,
                message=f"The plan assigns {' and '.join(what)}, unknown in the dataset.",
            )
    for u in ctx.plan.unassigned:
        if not ctx.dataset.has_job(u.job_id):
            yield Violation(
                rule="known_ids",
                job_id=u.job_id,
                worker_id=None,
                message=f"The plan lists job {u.job_id!r} as unassigned, unknown in the dataset.",
            )


def served_once(ctx: Context) -> Iterator[Violation]:
    """Each job is either assigned or unassigned, each worker at most once per job, and
    every job of the dataset is accounted for."""
    assigned = {a.job_id for a in ctx.plan.assignments}
    seen_unassigned: set[str] = set()
    for u in ctx.plan.unassigned:
        if u.job_id in seen_unassigned:
            yield Violation(
                rule="served_once",
                job_id=u.job_id,
                worker_id=None,
                message=f"Job {u.job_id} is listed as unassigned more than once.",
            )
        seen_unassigned.add(u.job_id)
        if u.job_id in assigned:
            yield Violation(
                rule="served_once",
                job_id=u.job_id,
                worker_id=None,
                message=f"Job {u.job_id} is both assigned and listed as unassigned.",
            )
    seen_pairs: set[tuple[str, str]] = set()
    for a in ctx.plan.assignments:
        key = (a.job_id, a.worker_id)
        if key in seen_pairs:
            yield Violation(
                rule="served_once",
                job_id=a.job_id,
                worker_id=a.worker_id,
                message=f"Worker {a.worker_id} is assigned to job {a.job_id} more than once.",
            )
        seen_pairs.add(key)
    for job in ctx.dataset.jobs:
        if job.job_id not in assigned and job.job_id not in seen_unassigned:
            yield Violation(
                rule="served_once",
                job_id=job.job_id,
                worker_id=None,
                message=(
                    f"Job {job.job_id} is missing from the plan: it is neither assigned nor "
                    "listed as unassigned with a reason."
                ),
            )


# --- pair rules: the worker may serve the job at all -----------------------------------


def skill_level(ctx: Context) -> Iterator[Violation]:
    """The worker holds every required skill at or above the required level."""
    for pair in ctx.pairs:
        for need in pair.job.required_skills:
            level = pair.worker.skill_level(need.name)
            if level >= need.level:
                continue
            has = f"has level {level}" if level else f"has no {need.name} skill"
            yield violation_of(
                skill_level,
                pair,
                f"Job {pair.job.job_id} needs {need} but {who(pair.worker)} {has}.",
            )


def experience(ctx: Context) -> Iterator[Violation]:
    """The worker has at least the job's minimum years of experience."""
    for pair in ctx.pairs:
        need = pair.job.min_experience_years
        if pair.worker.experience_years < need:
            yield violation_of(
                experience,
                pair,
                f"Job {pair.job.job_id} needs {need:g} years of experience but "
                f"{who(pair.worker)} has {pair.worker.experience_years:g}.",
            )


def certificate_valid(ctx: Context) -> Iterator[Violation]:
    """Every required certificate is held and valid on the job's date."""
    for pair in ctx.pairs:
        day = planned_day(ctx.dataset, pair.assignment.start)
        for name in pair.job.required_certificates:
            held = pair.worker.certificate(name)
            if held is None:
                problem = f"has no {name} certificate"
            elif not held.valid_on(day):
                problem = f"has a {name} certificate that expired on {held.expires.isoformat()}"
            else:
                continue
            yield violation_of(
                certificate_valid,
                pair,
                f"Job {pair.job.job_id} on {day.isoformat()} needs a valid {name} certificate "
                f"but {who(pair.worker)} {problem}.",
            )


def background_check(ctx: Context) -> Iterator[Violation]:
    """The worker's background check passed and has not expired on the job's date."""
    for pair in ctx.pairs:
        day = planned_day(ctx.dataset, pair.assignment.start)
        check = pair.worker.background_check
        if check.valid_on(day):
            continue
        if check.expires is not None and check.status is BackgroundCheckStatus.PASSED:
            state = f"expired on {check.expires.isoformat()}"
        else:
            state = f"is {check.status.value}"
        yield violation_of(
            background_check,
            pair,
            f"Job {pair.job.job_id} on {day.isoformat()} needs a passed background check but "
            f"the check of {who(pair.worker)} {state}.",
        )


def worker_active(ctx: Context) -> Iterator[Violation]:
    """The worker is active (not suspended, not on leave)."""
    for pair in ctx.pairs:
        if pair.worker.status is not WorkerStatus.ACTIVE:
            status = pair.worker.status.value.replace("_", " ")
            yield violation_of(
                worker_active,
                pair,
                f"{who_first(pair.worker)} is {status} and cannot serve job {pair.job.job_id}.",
            )


def gender_required(ctx: Context) -> Iterator[Violation]:
    """The worker has the gender the job requires, when it requires one."""
    for pair in ctx.pairs:
        need = pair.job.gender_required
        if need is not None and pair.worker.gender is not need:
            yield violation_of(
                gender_required,
                pair,
                f"Job {pair.job.job_id} requires a {_GENDER_WORD[need.value]} worker but "
                f"{who(pair.worker)} is {_GENDER_WORD[pair.worker.gender.value]}.",
            )


_GENDER_WORD = {"F": "female", "M": "male"}


def language_required(ctx: Context) -> Iterator[Violation]:
    """The worker speaks every language the job requires."""
    for pair in ctx.pairs:
        missing = [lang for lang in pair.job.language_required if lang not in pair.worker.languages]
        if missing:
            yield violation_of(
                language_required,
                pair,
                f"Job {pair.job.job_id} requires {', '.join(missing)} but {who(pair.worker)} "
                "does not speak it.",
            )


def needs_car(ctx: Context) -> Iterator[Violation]:
    """A job flagged ``needs_car`` gets a worker whose travel mode is car."""
    for pair in ctx.pairs:
        if pair.job.needs_car and pair.worker.travel_mode is not TravelMode.CAR:
            yield violation_of(
                needs_car,
                pair,
                f"Job {pair.job.job_id} needs a car but {who(pair.worker)} travels by "
                f"{pair.worker.travel_mode.value}.",
            )


def not_blocked(ctx: Context) -> Iterator[Violation]:
    """The job's customer has not blocked the worker."""
    for pair in ctx.pairs:
        customer = ctx.dataset.customer(pair.job.customer_id)
        if customer is not None and pair.worker.worker_id in customer.blocked_workers:
            role = "may not serve" if ctx.hypothetical else "is assigned to"
            yield violation_of(
                not_blocked,
                pair,
                f"Customer {customer.customer_id} has blocked {who(pair.worker)}, who "
                f"{role} their job {pair.job.job_id}.",
            )


def not_excluded(ctx: Context) -> Iterator[Violation]:
    """The worker is not excluded from the job (for instance after declining it)."""
    for pair in ctx.pairs:
        if pair.worker.worker_id in pair.job.excluded_workers:
            tail = "." if ctx.hypothetical else " but is assigned to it."
            yield violation_of(
                not_excluded,
                pair,
                f"{who_first(pair.worker)} is excluded from job {pair.job.job_id} "
                f"(declined it){tail}",
            )
