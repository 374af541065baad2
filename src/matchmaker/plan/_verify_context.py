"""What every rule of the verifier reads: the plan's pairs indexed once, and the words
its sentences share (:mod:`matchmaker.plan._verify` holds the rules' list and the docs).

Like the rules, this reads only the domain objects and the plan, never the compiled
``Problem`` or the eligibility code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from matchmaker.compile import TravelModel, travel_or_default
from matchmaker.model import Dataset, Job, Shift, Worker, utc
from matchmaker.plan._plan import Assignment, Plan

__all__ = [
    "Context",
    "Pair",
    "Rule",
    "Violation",
    "starts_in",
    "violation_of",
    "who",
    "who_first",
]


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
class Pair:
    """A plan assignment whose job and worker both exist in the dataset."""

    assignment: Assignment
    job: Job
    worker: Worker
    pinned: bool


@dataclass(frozen=True, kw_only=True)
class Context:
    """What every rule reads, indexed once."""

    dataset: Dataset
    plan: Plan
    pairs: tuple[Pair, ...]
    by_worker: Mapping[str, list[Pair]] = field(default_factory=dict)
    by_job: Mapping[str, list[Pair]] = field(default_factory=dict)
    travel: TravelModel | None = None
    hypothetical: bool = False
    """The plan is one assignment :func:`check_pair` imagines: say "would", not "is"."""

    @classmethod
    def build(cls, dataset: Dataset, plan: Plan, travel: TravelModel | None = None) -> Context:
        pairs: list[Pair] = []
        for assignment in plan.assignments:
            if not (
                dataset.has_job(assignment.job_id) and dataset.has_worker(assignment.worker_id)
            ):
                continue
            job = dataset.job(assignment.job_id)
            pairs.append(
                Pair(
                    assignment=assignment,
                    job=job,
                    worker=dataset.worker(assignment.worker_id),
                    pinned=assignment.worker_id in job.pinned_worker_ids,
                )
            )
        by_worker: dict[str, list[Pair]] = defaultdict(list)
        by_job: dict[str, list[Pair]] = defaultdict(list)
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

    def travel_model(self) -> TravelModel:
        """The minutes travel is judged by: the plan's model, else the default one."""
        return travel_or_default(self.travel, self.dataset.settings.travel)

    def time(self, moment: datetime) -> str:
        """A moment as a dispatcher reads it, in the dataset's timezone when it has one."""
        zone = self.dataset.settings.zone
        local = moment.astimezone(zone) if zone is not None else moment
        return local.isoformat(timespec="minutes")

    def shift_groups(self) -> Iterator[tuple[Worker, Shift, list[Pair]]]:
        """Each worker shift with the assignments that start inside it, in start order."""
        for worker_id, worker_pairs in self.by_worker.items():
            worker = self.dataset.worker(worker_id)
            for shift in worker.shifts:
                inside = [p for p in worker_pairs if starts_in(shift, p.assignment)]
                if inside:
                    yield worker, shift, inside


Rule = Callable[[Context], Iterator[Violation]]


def starts_in(shift: Shift, assignment: Assignment) -> bool:
    return utc(shift.start) <= utc(assignment.start) < utc(shift.end)


def who(worker: Worker) -> str:
    if worker.name:
        return f"worker {worker.worker_id} ({worker.name})"
    return f"worker {worker.worker_id}"


def who_first(worker: Worker) -> str:
    """:func:`who` at the start of a sentence."""
    return "W" + who(worker)[1:]


def _pin(pair: Pair) -> str:
    return " (pinned)" if pair.pinned else ""


def violation_of(rule: Rule, pair: Pair, message: str) -> Violation:
    return Violation(
        rule=rule.__name__,
        job_id=pair.job.job_id,
        worker_id=pair.worker.worker_id,
        message=message + _pin(pair),
    )
