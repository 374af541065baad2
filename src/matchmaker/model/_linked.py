"""Invariants of the home-care rules on jobs: soft windows and linked visits.

Kept out of :mod:`matchmaker.model._domain` so that the job dataclass only calls them.
A linked visit names the job it follows (``depends_on``); it starts ``min_gap`` to
``max_gap`` minutes after that job's start, is served only when that job is, and gets the
same worker, a different one, or any (``link_worker``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matchmaker.model._exceptions import DomainError
from matchmaker.model._time import utc

if TYPE_CHECKING:
    from matchmaker.model._domain import Job

__all__ = ["check_dataset_links", "check_job_rules", "has_link_rules"]


def check_job_rules(job: Job) -> None:
    """One job's own invariants of ``due_start`` and its link columns."""
    if job.due_start is not None:
        if job.due_start.tzinfo is None or job.due_start.utcoffset() is None:
            raise DomainError(f"job {job.job_id}: due_start must be timezone-aware")
        if not utc(job.window.start) <= utc(job.due_start) <= utc(job.window.end):
            raise DomainError(
                f"job {job.job_id}: due_start {job.due_start.isoformat()} lies outside the "
                f"window {job.window.start.isoformat()} to {job.window.end.isoformat()}"
            )
    if job.depends_on is None:
        if job.min_gap is not None or job.max_gap is not None or job.link_worker != "any":
            raise DomainError(f"job {job.job_id}: min_gap, max_gap and link_worker need depends_on")
        return
    if job.depends_on == job.job_id:
        raise DomainError(f"job {job.job_id}: depends_on names the job itself")
    if job.min_gap is not None and job.min_gap < 0:
        raise DomainError(f"job {job.job_id}: min_gap must be >= 0")
    if job.max_gap is not None and job.max_gap < (job.min_gap or 0):
        raise DomainError(f"job {job.job_id}: max_gap must be >= min_gap")
    if job.link_worker != "any" and job.workers_needed != 1:
        raise DomainError(f"job {job.job_id}: link_worker {job.link_worker} needs a one-worker job")


def check_dataset_links(jobs: Sequence[Job], index: Mapping[str, int]) -> None:
    """Every ``depends_on`` names a job of the round, and no chain of links is a cycle."""
    for job in jobs:
        if job.depends_on is None:
            continue
        if job.depends_on not in index:
            raise DomainError(f"job {job.job_id}: depends_on names unknown job {job.depends_on!r}")
        other = jobs[index[job.depends_on]]
        if job.link_worker != "any" and other.workers_needed != 1:
            raise DomainError(
                f"job {job.job_id}: link_worker {job.link_worker} needs one-worker jobs "
                f"({other.job_id} needs {other.workers_needed})"
            )
    for job in jobs:
        seen = {job.job_id}
        current = job
        while current.depends_on is not None:
            if current.depends_on in seen:
                raise DomainError(f"job {job.job_id}: depends_on links form a cycle")
            seen.add(current.depends_on)
            current = jobs[index[current.depends_on]]


def has_link_rules(jobs: Sequence[Job]) -> bool:
    """Whether any job is a linked visit."""
    return any(job.depends_on is not None for job in jobs)
