"""An independent checker of plans: every hard rule of DESIGN section 2, re-derived.

:func:`verify` reads only the domain objects (:class:`~matchmaker.model.Dataset`) and the
:class:`~matchmaker.plan.Plan`; it never looks at the compiled ``Problem`` arrays or the
eligibility code, so a bug there cannot hide itself. It is the executable spec of a valid
plan, run on every plan the tests produce and by ``matchmaker verify``.

Each rule is one function with a stable name, listed in :data:`RULES` in the order they are
checked (plan integrity first, then the pair rules, then the schedule rules). A rule yields
one :class:`Violation` per offence, naming the rule, the job and the worker, with a sentence
a dispatcher understands.

Conventions the rules share:

* **The job's date** (certificates, background checks) is the calendar date of the planned
  start in the dataset's timezone when ``dataset.toml`` sets one, else in the start's own
  UTC offset (:func:`~matchmaker.model.planned_day`).
* **A shift holds an assignment** when the assignment starts inside it
  (``shift.start <= start < shift.end``). Per-shift limits and travel are counted in that
  shift; ``inside_shift`` separately requires the job to end by the shift's end.
* **Travel** uses the plan's travel model (``plan.travel``, else the default model with
  ``dataset.settings.travel``: the minutes the plan was solved with) and the worker's
  travel mode: the first job of a shift must start no earlier than the shift
  start plus the travel from home; every later job no earlier than the end of the previous
  job plus the travel between them. Overlapping jobs are left to ``no_overlap``.
* **Work minutes** are the jobs' ``duration_minutes``; travel does not count as work.
* **Pins are strict**: a pinned assignment that breaks a pair rule is still reported, with
  "(pinned)" in the message, because the plan is then wrong whatever the dispatcher
  confirmed.
* **Times are compared in real time**: every comparison and duration goes through UTC
  (:mod:`matchmaker.model._time`), so a clock change inside a shift or in a repeated hour
  cannot shift a rule by an hour.
* Assignments naming an unknown job or worker are reported once by ``known_ids`` and then
  ignored by every other rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from matchmaker.compile import HaversineTravel, TravelModel, coordinates
from matchmaker.model import (
    BackgroundCheckStatus,
    Dataset,
    Job,
    Shift,
    Worker,
    WorkerStatus,
    add_minutes,
    elapsed_minutes,
    planned_day,
    utc,
)
from matchmaker.plan._plan import Assignment, Plan

__all__ = ["PAIR_RULES", "RULES", "Violation", "check_pair", "verify"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Violation:
    """One broken rule: which rule, for which job and worker, in a dispatcher's words."""

    rule: str
    job_id: str | None
    worker_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True, kw_only=True, slots=True)
class _Pair:
    """A plan assignment whose job and worker both exist in the dataset."""

    assignment: Assignment
    job: Job
    worker: Worker
    pinned: bool


@dataclass(frozen=True, kw_only=True)
class _Context:
    """What every rule reads, indexed once."""

    dataset: Dataset
    plan: Plan
    pairs: tuple[_Pair, ...]
    by_worker: Mapping[str, list[_Pair]] = field(default_factory=dict)
    by_job: Mapping[str, list[_Pair]] = field(default_factory=dict)
    travel: TravelModel | None = None
    hypothetical: bool = False
    """The plan is one assignment :func:`check_pair` imagines: say "would", not "is"."""

    @classmethod
    def build(cls, dataset: Dataset, plan: Plan, travel: TravelModel | None = None) -> _Context:
        pairs: list[_Pair] = []
        for assignment in plan.assignments:
            if not (
                dataset.has_job(assignment.job_id) and dataset.has_worker(assignment.worker_id)
            ):
                continue
            job = dataset.job(assignment.job_id)
            pairs.append(
                _Pair(
                    assignment=assignment,
                    job=job,
                    worker=dataset.worker(assignment.worker_id),
                    pinned=assignment.worker_id in job.pinned_worker_ids,
                )
            )
        by_worker: dict[str, list[_Pair]] = defaultdict(list)
        by_job: dict[str, list[_Pair]] = defaultdict(list)
        for pair in pairs:
            by_worker[pair.worker.worker_id].append(pair)
            by_job[pair.job.job_id].append(pair)
        for worker_pairs in by_worker.values():
            worker_pairs.sort(key=lambda p: (utc(p.assignment.start), utc(p.assignment.end)))
        return cls(
            dataset=dataset,
            plan=plan,
            pairs=tuple(pairs),
            by_worker=dict(by_worker),
            by_job=dict(by_job),
            travel=travel,
        )

    def time(self, moment: datetime) -> str:
        """A moment as a dispatcher reads it, in the dataset's timezone when it has one."""
        zone = self.dataset.settings.zone
        local = moment.astimezone(zone) if zone is not None else moment
        return local.isoformat(timespec="minutes")

    def shift_groups(self) -> Iterator[tuple[Worker, Shift, list[_Pair]]]:
        """Each worker shift with the assignments that start inside it, in start order."""
        for worker_id, worker_pairs in self.by_worker.items():
            worker = self.dataset.worker(worker_id)
            for shift in worker.shifts:
                inside = [p for p in worker_pairs if _starts_in(shift, p.assignment)]
                if inside:
                    yield worker, shift, inside


Rule = Callable[[_Context], Iterator[Violation]]


def _starts_in(shift: Shift, assignment: Assignment) -> bool:
    return utc(shift.start) <= utc(assignment.start) < utc(shift.end)


def _who(worker: Worker) -> str:
    if worker.name:
        return f"worker {worker.worker_id} ({worker.name})"
    return f"worker {worker.worker_id}"


def _who_first(worker: Worker) -> str:
    """:func:`_who` at the start of a sentence."""
    return "W" + _who(worker)[1:]


def _pin(pair: _Pair) -> str:
    return " (pinned)" if pair.pinned else ""


def _violation(rule: Rule, pair: _Pair, message: str) -> Violation:
    return Violation(
        rule=rule.__name__,
        job_id=pair.job.job_id,
        worker_id=pair.worker.worker_id,
        message=message + _pin(pair),
    )


# --- plan integrity -------------------------------------------------------------------


def known_ids(ctx: _Context) -> Iterator[Violation]:
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


def served_once(ctx: _Context) -> Iterator[Violation]:
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


def skill_level(ctx: _Context) -> Iterator[Violation]:
    """The worker holds every required skill at or above the required level."""
    for pair in ctx.pairs:
        for need in pair.job.required_skills:
            level = pair.worker.skill_level(need.name)
            if level >= need.level:
                continue
            has = f"has level {level}" if level else f"has no {need.name} skill"
            yield _violation(
                skill_level,
                pair,
                f"Job {pair.job.job_id} needs {need} but {_who(pair.worker)} {has}.",
            )


def experience(ctx: _Context) -> Iterator[Violation]:
    """The worker has at least the job's minimum years of experience."""
    for pair in ctx.pairs:
        need = pair.job.min_experience_years
        if pair.worker.experience_years < need:
            yield _violation(
                experience,
                pair,
                f"Job {pair.job.job_id} needs {need:g} years of experience but "
                f"{_who(pair.worker)} has {pair.worker.experience_years:g}.",
            )


def certificate_valid(ctx: _Context) -> Iterator[Violation]:
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
            yield _violation(
                certificate_valid,
                pair,
                f"Job {pair.job.job_id} on {day.isoformat()} needs a valid {name} certificate "
                f"but {_who(pair.worker)} {problem}.",
            )


def background_check(ctx: _Context) -> Iterator[Violation]:
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
        yield _violation(
            background_check,
            pair,
            f"Job {pair.job.job_id} on {day.isoformat()} needs a passed background check but "
            f"the check of {_who(pair.worker)} {state}.",
        )


def worker_active(ctx: _Context) -> Iterator[Violation]:
    """The worker is active (not suspended, not on leave)."""
    for pair in ctx.pairs:
        if pair.worker.status is not WorkerStatus.ACTIVE:
            status = pair.worker.status.value.replace("_", " ")
            yield _violation(
                worker_active,
                pair,
                f"{_who_first(pair.worker)} is {status} and cannot serve job {pair.job.job_id}.",
            )


def gender_required(ctx: _Context) -> Iterator[Violation]:
    """The worker has the gender the job requires, when it requires one."""
    for pair in ctx.pairs:
        need = pair.job.gender_required
        if need is not None and pair.worker.gender is not need:
            yield _violation(
                gender_required,
                pair,
                f"Job {pair.job.job_id} requires a {_GENDER_WORD[need.value]} worker but "
                f"{_who(pair.worker)} is {_GENDER_WORD[pair.worker.gender.value]}.",
            )


_GENDER_WORD = {"F": "female", "M": "male"}


def language_required(ctx: _Context) -> Iterator[Violation]:
    """The worker speaks every language the job requires."""
    for pair in ctx.pairs:
        missing = [lang for lang in pair.job.language_required if lang not in pair.worker.languages]
        if missing:
            yield _violation(
                language_required,
                pair,
                f"Job {pair.job.job_id} requires {', '.join(missing)} but {_who(pair.worker)} "
                "does not speak it.",
            )


def not_blocked(ctx: _Context) -> Iterator[Violation]:
    """The job's customer has not blocked the worker."""
    for pair in ctx.pairs:
        customer = ctx.dataset.customer(pair.job.customer_id)
        if customer is not None and pair.worker.worker_id in customer.blocked_workers:
            role = "may not serve" if ctx.hypothetical else "is assigned to"
            yield _violation(
                not_blocked,
                pair,
                f"Customer {customer.customer_id} has blocked {_who(pair.worker)}, who "
                f"{role} their job {pair.job.job_id}.",
            )


def not_excluded(ctx: _Context) -> Iterator[Violation]:
    """The worker is not excluded from the job (for instance after declining it)."""
    for pair in ctx.pairs:
        if pair.worker.worker_id in pair.job.excluded_workers:
            tail = "." if ctx.hypothetical else " but is assigned to it."
            yield _violation(
                not_excluded,
                pair,
                f"{_who_first(pair.worker)} is excluded from job {pair.job.job_id} "
                f"(declined it){tail}",
            )


# --- schedule rules: when, in which shift, one after another ---------------------------


def start_in_window(ctx: _Context) -> Iterator[Violation]:
    """The job starts inside its window (earliest to latest start)."""
    for pair in ctx.pairs:
        start = pair.assignment.start
        if not utc(pair.job.earliest_start) <= utc(start) <= utc(pair.job.latest_start):
            yield _violation(
                start_in_window,
                pair,
                f"Job {pair.job.job_id} starts at {ctx.time(start)} with {_who(pair.worker)}, "
                f"outside its window {ctx.time(pair.job.earliest_start)} to "
                f"{ctx.time(pair.job.latest_start)}.",
            )


def end_matches_duration(ctx: _Context) -> Iterator[Violation]:
    """The assignment lasts exactly the job's duration."""
    for pair in ctx.pairs:
        a = pair.assignment
        planned = elapsed_minutes(a.start, a.end)
        if planned != pair.job.duration_minutes:
            yield _violation(
                end_matches_duration,
                pair,
                f"Job {pair.job.job_id} lasts {pair.job.duration_minutes} minutes but is planned "
                f"for {planned:g} minutes with {_who(pair.worker)} "
                f"({ctx.time(a.start)} to {ctx.time(a.end)}).",
            )


def inside_shift(ctx: _Context) -> Iterator[Violation]:
    """The job starts and ends inside one shift of the worker."""
    for pair in ctx.pairs:
        a = pair.assignment
        if any(
            utc(s.start) <= utc(a.start) and utc(a.end) <= utc(s.end) for s in pair.worker.shifts
        ):
            continue
        where = "has no shift" if not pair.worker.shifts else "has no shift covering it"
        yield _violation(
            inside_shift,
            pair,
            f"Job {pair.job.job_id} runs {ctx.time(a.start)} to {ctx.time(a.end)} but "
            f"{_who(pair.worker)} {where}.",
        )


def travel_fits(ctx: _Context) -> Iterator[Violation]:
    """Travel from home (first job of a shift) or from the previous job fits before each
    start."""
    model = ctx.travel if ctx.travel is not None else HaversineTravel(ctx.dataset.settings.travel)
    for worker, shift, pairs in ctx.shift_groups():
        mode = worker.travel_mode.value
        ready = shift.start
        origin = worker.home
        origin_name = "home"
        for pair in pairs:
            a = pair.assignment
            if utc(a.start) >= utc(ready):  # an overlap is no_overlap's to report
                legs = model.minutes(coordinates([origin]), coordinates([pair.job.location]), mode)
                minutes = int(legs[0, 0])
                if utc(add_minutes(ready, minutes)) > utc(a.start):
                    since = (
                        f"the shift starts at {ctx.time(ready)}"
                        if origin_name == "home"
                        else f"{origin_name} ends at {ctx.time(ready)}"
                    )
                    yield _violation(
                        travel_fits,
                        pair,
                        f"{_who_first(worker)} needs {minutes} minutes ({mode}) from "
                        f"{origin_name} to job {pair.job.job_id}, which starts at "
                        f"{ctx.time(a.start)}, but {since}.",
                    )
            if utc(a.end) >= utc(ready):
                ready = a.end
                origin = pair.job.location
                origin_name = f"job {pair.job.job_id}"


def no_overlap(ctx: _Context) -> Iterator[Violation]:
    """No two jobs of one worker overlap in time."""
    for worker_id, pairs in ctx.by_worker.items():
        worker = ctx.dataset.worker(worker_id)
        latest: _Pair | None = None
        for pair in pairs:
            if latest is not None and utc(pair.assignment.start) < utc(latest.assignment.end):
                yield _violation(
                    no_overlap,
                    pair,
                    f"{_who_first(worker)} has job {pair.job.job_id} at "
                    f"{ctx.time(pair.assignment.start)} while still on job {latest.job.job_id} "
                    f"until {ctx.time(latest.assignment.end)}.",
                )
            if latest is None or utc(pair.assignment.end) > utc(latest.assignment.end):
                latest = pair


def max_jobs_per_shift(ctx: _Context) -> Iterator[Violation]:
    """At most the worker's maximum number of jobs in one shift."""
    for worker, shift, pairs in ctx.shift_groups():
        if worker.max_jobs is not None and len(pairs) > worker.max_jobs:
            extra = pairs[worker.max_jobs]
            yield _violation(
                max_jobs_per_shift,
                extra,
                f"{_who_first(worker)} has {len(pairs)} jobs in the shift starting "
                f"{ctx.time(shift.start)}, more than the maximum of {worker.max_jobs}.",
            )


def max_work_minutes_per_shift(ctx: _Context) -> Iterator[Violation]:
    """At most the worker's maximum service minutes in one shift."""
    for worker, shift, pairs in ctx.shift_groups():
        if worker.max_work_minutes is None:
            continue
        total = sum(p.job.duration_minutes for p in pairs)
        if total > worker.max_work_minutes:
            yield _violation(
                max_work_minutes_per_shift,
                pairs[-1],
                f"{_who_first(worker)} works {total} minutes in the shift starting "
                f"{ctx.time(shift.start)}, more than the maximum of {worker.max_work_minutes}.",
            )


def team_complete_and_synchronised(ctx: _Context) -> Iterator[Violation]:
    """A job needing several workers gets all of them (distinct), starting together, or none."""
    for job_id, pairs in ctx.by_job.items():
        job = ctx.dataset.job(job_id)
        workers = sorted({p.worker.worker_id for p in pairs})
        if len(workers) != job.workers_needed:
            yield Violation(
                rule="team_complete_and_synchronised",
                job_id=job_id,
                worker_id=None,
                message=(
                    f"Job {job_id} needs {job.workers_needed} worker(s) but the plan assigns "
                    f"{len(workers)} ({', '.join(workers)}); a team job gets all its workers "
                    "or none."
                ),
            )
        by_instant = {utc(p.assignment.start): p.assignment.start for p in pairs}
        starts = [by_instant[instant] for instant in sorted(by_instant)]
        if len(starts) > 1:
            yield Violation(
                rule="team_complete_and_synchronised",
                job_id=job_id,
                worker_id=None,
                message=(
                    f"The workers of job {job_id} start at different times "
                    f"({', '.join(ctx.time(s) for s in starts)}); a team starts together."
                ),
            )


def pins_kept(ctx: _Context) -> Iterator[Violation]:
    """Pinned (confirmed, in-progress) workers serve their job, at the pinned start if given."""
    for job in ctx.dataset.jobs:
        if not job.is_pinned:
            continue
        by_worker = {p.worker.worker_id: p for p in ctx.by_job.get(job.job_id, [])}
        for worker_id in job.pinned_worker_ids:
            pair = by_worker.get(worker_id)
            worker = ctx.dataset.worker(worker_id)
            if pair is None:
                yield Violation(
                    rule="pins_kept",
                    job_id=job.job_id,
                    worker_id=worker_id,
                    message=(
                        f"Job {job.job_id} is pinned to {_who(worker)} but the plan does not "
                        "assign them to it."
                    ),
                )
            elif job.pinned_start is not None and utc(pair.assignment.start) != utc(
                job.pinned_start
            ):
                yield Violation(
                    rule="pins_kept",
                    job_id=job.job_id,
                    worker_id=worker_id,
                    message=(
                        f"Job {job.job_id} is pinned to start at {ctx.time(job.pinned_start)} "
                        f"but {_who(worker)} starts it at {ctx.time(pair.assignment.start)}."
                    ),
                )


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.__name__: rule
        for rule in (
            known_ids,
            served_once,
            skill_level,
            experience,
            certificate_valid,
            background_check,
            worker_active,
            gender_required,
            language_required,
            not_blocked,
            not_excluded,
            start_in_window,
            end_matches_duration,
            inside_shift,
            travel_fits,
            no_overlap,
            max_jobs_per_shift,
            max_work_minutes_per_shift,
            team_complete_and_synchronised,
            pins_kept,
        )
    }
)
"""Every rule by its stable name, in the order :func:`verify` checks them."""

PAIR_RULES: tuple[str, ...] = (
    "skill_level",
    "experience",
    "certificate_valid",
    "background_check",
    "worker_active",
    "gender_required",
    "language_required",
    "not_blocked",
    "not_excluded",
)
"""The rules that depend only on the worker and the job (and the job's date)."""


def verify(dataset: Dataset, plan: Plan, *, travel: TravelModel | None = None) -> list[Violation]:
    """Every hard-rule violation of ``plan`` against ``dataset``; empty means the plan is valid.

    Travel is checked with ``travel`` when given, else with the model the plan records
    (``plan.travel``), else with the default model and the dataset's ``[travel]`` settings.
    """
    ctx = _Context.build(dataset, plan, travel if travel is not None else plan.travel)
    return [violation for rule in RULES.values() for violation in rule(ctx)]


def check_pair(dataset: Dataset, job_id: str, worker_id: str, start: datetime) -> list[Violation]:
    """The pair rules ``worker_id`` would break serving ``job_id`` at ``start``.

    The same code as :func:`verify`, applied to one hypothetical assignment, so that an
    explanation of why a worker could not take a job cannot disagree with the verifier.
    """
    job = dataset.job(job_id)
    hypothetical = Assignment(
        job_id=job_id,
        worker_id=worker_id,
        start=start,
        end=add_minutes(start, job.duration_minutes),
        travel_minutes=0,
        sequence=1,
        match_score=0.0,
    )
    ctx = replace(
        _Context.build(dataset, Plan(assignments=(hypothetical,), unassigned=(), kpis={})),
        hypothetical=True,
    )
    return [violation for name in PAIR_RULES for violation in RULES[name](ctx)]
