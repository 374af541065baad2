"""What-if scenarios: named, composable edits of a dataset and its policy.

A :class:`Scenario` is a name and a tuple of edits, each a frozen dataclass saying exactly
what changes (:class:`AddWorkers`, :class:`RemoveWorkers`, :class:`ChangeShifts`,
:class:`RelaxRule`, :class:`TightenRule`, :class:`ChangeWeights`, :class:`AddDemand`).
``scenario.apply(dataset, policy)`` returns a new dataset and policy; nothing is changed in
place. Scenarios compose: ``a + b`` applies the edits of ``a`` then those of ``b``.

**Relaxing a rule changes the data, never the verifier.** Each relaxable rule
(:data:`RELAXABLE_RULES`) says how it is relaxed through the dataset or its settings: the
job's language or gender requirement is dropped, the minimum experience is lowered by
``amount`` years, required skill levels go down by ``amount`` (not below 1), travel
speeds are multiplied by ``1 + amount``. The edited dataset is then dispatched and verified
under its own rules like any other. Tightening does the opposite: a customer's preferred
language or gender becomes required, experience and skill levels go up, speeds go down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Literal, Protocol

import numpy as np

from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Dataset,
    DomainError,
    Gender,
    Job,
    Location,
    Policy,
    PolicyError,
    Shift,
    SkillRequirement,
    TravelMode,
    TravelSettings,
    Worker,
    add_minutes,
    local_zone,
)

__all__ = [
    "RELAXABLE_RULES",
    "AddDemand",
    "AddWorkers",
    "ChangeShifts",
    "ChangeWeights",
    "Edit",
    "RelaxRule",
    "RemoveWorkers",
    "Scenario",
    "TightenRule",
    "round_days",
]

RelaxableRule = Literal[
    "language_required", "gender_required", "experience", "skill_level", "travel_speed"
]
RELAXABLE_RULES: tuple[str, ...] = (
    "language_required",
    "gender_required",
    "experience",
    "skill_level",
    "travel_speed",
)
"""The rules a scenario may relax or tighten (hard-rule names, plus the travel model)."""


class Edit(Protocol):
    """One change of a dataset and policy."""

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]: ...

    def describe(self) -> str: ...


def round_days(dataset: Dataset) -> list[date]:
    """The local dates the round's jobs may start on (earliest and latest starts)."""
    zone = local_zone(dataset)
    days = {j.earliest_start.astimezone(zone).date() for j in dataset.jobs}
    days |= {j.latest_start.astimezone(zone).date() for j in dataset.jobs}
    return sorted(days)


def _at(day: date, clock: time, dataset: Dataset) -> datetime:
    """``clock`` on ``day`` in the round's zone (a wall-clock time, built, not computed)."""
    return datetime.combine(day, clock, tzinfo=local_zone(dataset))


@dataclass(frozen=True, kw_only=True)
class AddWorkers:
    """Hire ``count`` workers with ``skills`` living at ``home``, working ``start``-``end``
    on every day of the round (or on ``days``). Certificates are valid for a year from the
    round's last day and the background check has passed."""

    count: int
    skills: Mapping[str, int]
    home: Location
    start: time = time(8, 0)
    end: time = time(18, 0)
    days: tuple[date, ...] = ()
    gender: Gender = Gender.FEMALE
    languages: frozenset[str] = frozenset({"mandarin"})
    certificates: tuple[str, ...] = ()
    experience_years: float = 5.0
    travel_mode: TravelMode = TravelMode.TRANSIT
    max_jobs: int | None = None
    max_work_minutes: int | None = None
    id_prefix: str = "HIRE"

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        if self.count < 0:
            raise DomainError(f"AddWorkers: count must be >= 0, got {self.count}")
        days = list(self.days) or round_days(dataset)
        expiry = (max(days) if days else date.today()).replace(day=1)
        expiry = date(expiry.year + 1, expiry.month, 1)
        shifts = tuple(
            Shift(start=_at(day, self.start, dataset), end=_at(day, self.end, dataset))
            for day in days
        )
        taken = {w.worker_id for w in dataset.workers}
        added: list[Worker] = []
        number = 0
        while len(added) < self.count:
            number += 1
            worker_id = f"{self.id_prefix}{number:03d}"
            if worker_id in taken:
                continue
            added.append(
                Worker(
                    worker_id=worker_id,
                    name=f"new {'/'.join(sorted(self.skills))} worker {number}",
                    gender=self.gender,
                    languages=frozenset(self.languages),
                    skills=dict(self.skills),
                    experience_years=self.experience_years,
                    certificates=tuple(
                        Certificate(name=c, expires=expiry) for c in self.certificates
                    ),
                    background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
                    home=self.home,
                    shifts=shifts,
                    max_jobs=self.max_jobs,
                    max_work_minutes=self.max_work_minutes,
                    travel_mode=self.travel_mode,
                )
            )
        return replace(dataset, workers=dataset.workers + tuple(added)), policy

    def describe(self) -> str:
        skills = ", ".join(f"{k}>={v}" for k, v in sorted(self.skills.items()))
        return (
            f"hire {self.count} ({skills}) at {self.home.lat:.3f},{self.home.lon:.3f} "
            f"{self.start:%H:%M}-{self.end:%H:%M}"
        )


@dataclass(frozen=True, kw_only=True)
class RemoveWorkers:
    """Take workers out of the round; jobs pinned to them lose the pin."""

    worker_ids: tuple[str, ...]

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        gone = set(self.worker_ids)
        unknown = sorted(gone - {w.worker_id for w in dataset.workers})
        if unknown:
            raise DomainError(f"RemoveWorkers: unknown worker(s) {', '.join(unknown)}")
        jobs = tuple(j.unpinned() if gone & set(j.pinned_worker_ids) else j for j in dataset.jobs)
        workers = tuple(w for w in dataset.workers if w.worker_id not in gone)
        return replace(dataset, workers=workers, jobs=jobs), policy

    def describe(self) -> str:
        return f"remove {len(self.worker_ids)} worker(s)"


@dataclass(frozen=True, kw_only=True)
class ChangeShifts:
    """Move every shift's start and end by whole minutes of real time (through UTC):
    ``start_minutes=-60`` starts an hour earlier, ``end_minutes=60`` ends an hour later.
    ``worker_ids`` empty means every worker; a shift that would vanish is dropped."""

    start_minutes: int = 0
    end_minutes: int = 0
    worker_ids: tuple[str, ...] = ()

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        chosen = set(self.worker_ids)

        def moved(worker: Worker) -> Worker:
            if chosen and worker.worker_id not in chosen:
                return worker
            shifts = []
            for s in worker.shifts:
                start = add_minutes(s.start, self.start_minutes, s.start.tzinfo)
                end = add_minutes(s.end, self.end_minutes, s.end.tzinfo)
                if end > start:
                    shifts.append(Shift(start=start, end=end))
            return replace(worker, shifts=_non_overlapping(shifts))

        return replace(dataset, workers=tuple(moved(w) for w in dataset.workers)), policy

    def describe(self) -> str:
        who = f"{len(self.worker_ids)} worker(s)" if self.worker_ids else "all workers"
        return f"shifts of {who}: start {self.start_minutes:+d} min, end {self.end_minutes:+d} min"


def _non_overlapping(shifts: list[Shift]) -> tuple[Shift, ...]:
    """Longer shifts may now touch the next one: merge those that overlap."""
    merged: list[Shift] = []
    for s in sorted(shifts, key=lambda s: s.start):
        if merged and s.start < merged[-1].end:
            last = merged.pop()
            merged.append(Shift(start=last.start, end=max(last.end, s.end)))
        else:
            merged.append(s)
    return tuple(merged)


def _relax_jobs(dataset: Dataset, change: Callable[[Job], Job], jobs: tuple[str, ...]) -> Dataset:
    chosen = set(jobs)
    return replace(
        dataset,
        jobs=tuple(change(j) if not chosen or j.job_id in chosen else j for j in dataset.jobs),
    )


def _change_rule(
    dataset: Dataset, policy: Policy, rule: str, amount: float, jobs: tuple[str, ...], sign: int
) -> tuple[Dataset, Policy]:
    if rule not in RELAXABLE_RULES:
        raise DomainError(f"unknown rule {rule!r}; relaxable: {', '.join(RELAXABLE_RULES)}")
    if rule == "travel_speed":
        travel = dataset.settings.travel
        factor = (1.0 + amount) if sign > 0 else 1.0 / (1.0 + amount)
        speeds = {mode: min(300.0, max(1.0, v * factor)) for mode, v in travel.speed_kmh.items()}
        settings = dataset.settings.model_copy(
            update={
                "travel": TravelSettings.model_validate(
                    {**travel.model_dump(), "speed_kmh": speeds}
                )
            }
        )
        return replace(dataset, settings=settings), policy

    def customer_of(job: Job) -> Any:
        return dataset.customer(job.customer_id)

    def edit(job: Job) -> Job:
        if rule == "language_required":
            if sign > 0:
                return replace(job, language_required=())
            customer = customer_of(job)
            wanted = customer.preferred_languages[:1] if customer is not None else ()
            return replace(
                job, language_required=tuple(dict.fromkeys(job.language_required + wanted))
            )
        if rule == "gender_required":
            if sign > 0:
                return replace(job, gender_required=None)
            customer = customer_of(job)
            preferred = customer.preferred_gender if customer is not None else None
            return replace(job, gender_required=job.gender_required or preferred)
        if rule == "experience":
            years = max(0.0, job.min_experience_years - sign * amount)
            return replace(job, min_experience_years=years)
        levels = int(amount)
        return replace(
            job,
            required_skills=tuple(
                SkillRequirement(name=r.name, level=min(5, max(1, r.level - sign * levels)))
                for r in job.required_skills
            ),
        )

    return _relax_jobs(dataset, edit, jobs), policy


@dataclass(frozen=True, kw_only=True)
class RelaxRule:
    """Relax ``rule`` (one of :data:`RELAXABLE_RULES`) by ``amount`` on the jobs ``job_ids``
    (all jobs when empty); see the module docstring for what each rule's relaxing does."""

    rule: RelaxableRule
    amount: float = 1.0
    job_ids: tuple[str, ...] = ()

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        return _change_rule(dataset, policy, self.rule, self.amount, self.job_ids, +1)

    def describe(self) -> str:
        return f"relax {self.rule} by {self.amount:g}"


@dataclass(frozen=True, kw_only=True)
class TightenRule:
    """The opposite of :class:`RelaxRule` (see the module docstring)."""

    rule: RelaxableRule
    amount: float = 1.0
    job_ids: tuple[str, ...] = ()

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        return _change_rule(dataset, policy, self.rule, self.amount, self.job_ids, -1)

    def describe(self) -> str:
        return f"tighten {self.rule} by {self.amount:g}"


@dataclass(frozen=True, kw_only=True)
class ChangeWeights:
    """Change policy fields: ``ChangeWeights(changes={"travel_cost_per_minute": 3})``;
    ``score_weights`` may be given in part (the others keep their values, the sum must
    still be 100)."""

    changes: Mapping[str, Any]

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        data = policy.model_dump()
        for key, value in self.changes.items():
            if key == "score_weights" and isinstance(value, Mapping):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        try:
            return dataset, Policy.model_validate(data)
        except ValueError as error:
            raise PolicyError(f"ChangeWeights: invalid policy: {error}") from None

    def describe(self) -> str:
        return "policy " + ", ".join(f"{k}={v}" for k, v in self.changes.items())


@dataclass(frozen=True, kw_only=True)
class AddDemand:
    """Add ``count`` jobs copied from the round's unpinned jobs (of ``service_type`` when
    given), chosen with ``seed``; copies get the id ``<job_id>+<n>``."""

    count: int
    service_type: str | None = None
    seed: int = 0

    def apply(self, dataset: Dataset, policy: Policy) -> tuple[Dataset, Policy]:
        pool = [
            j
            for j in dataset.jobs
            if not j.is_pinned
            and (self.service_type is None or j.service_type == self.service_type)
        ]
        if self.count and not pool:
            raise DomainError(f"AddDemand: no unpinned {self.service_type or ''} job to copy")
        rng = np.random.default_rng(self.seed)
        picks: list[int] = rng.integers(0, len(pool), size=self.count).tolist() if pool else []
        taken = {j.job_id for j in dataset.jobs}
        added: list[Job] = []
        for k in picks:
            source = pool[int(k)]
            n = 1
            while f"{source.job_id}+{n}" in taken:
                n += 1
            job_id = f"{source.job_id}+{n}"
            taken.add(job_id)
            added.append(replace(source, job_id=job_id, excluded_workers=frozenset()))
        return replace(dataset, jobs=dataset.jobs + tuple(added)), policy

    def describe(self) -> str:
        kind = f" {self.service_type}" if self.service_type else ""
        return f"add {self.count}{kind} job(s)"


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A named list of edits, applied in order (see the module docstring)."""

    name: str
    edits: tuple[Edit, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.name:
            raise DomainError("a scenario needs a name")
        object.__setattr__(self, "edits", tuple(self.edits))

    def __add__(self, other: Scenario) -> Scenario:
        return Scenario(name=f"{self.name} + {other.name}", edits=self.edits + other.edits)

    def with_edits(self, *edits: Edit, name: str | None = None) -> Scenario:
        """This scenario with more edits (under ``name``, else the same name)."""
        return Scenario(name=name or self.name, edits=self.edits + edits)

    def apply(self, dataset: Dataset, policy: Policy | None = None) -> tuple[Dataset, Policy]:
        """The edited dataset and policy (``policy`` defaults to the dataset's)."""
        chosen = dataset.settings.policy if policy is None else policy
        for edit in self.edits:
            dataset, chosen = edit.apply(dataset, chosen)
        return dataset, chosen

    def describe(self) -> str:
        return "; ".join(e.describe() for e in self.edits) or "no change"
