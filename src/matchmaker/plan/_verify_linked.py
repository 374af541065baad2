"""The verifier's rule for linked visits (``depends_on``, ``min_gap``, ``max_gap``,
``link_worker``); see :mod:`matchmaker.plan._verify` for the conventions.

Like every rule, it reads only the dataset and the plan. A linked visit is checked when
it is served: the visit it depends on is served too, the gap between the two starts lies
in ``[min_gap, max_gap]`` (real minutes, through UTC), and the workers are the same or
different as ``link_worker`` asks. A team job's start is its members' common start (the
earliest, should they differ: ``team_complete_and_synchronised`` reports that).
"""

from __future__ import annotations

from collections.abc import Iterator

from matchmaker.model import LinkWorker, elapsed_minutes, utc
from matchmaker.plan._verify_context import Context, Pair, Violation

__all__ = ["linked_visits"]


def _start(pairs: list[Pair]) -> Pair:
    return min(pairs, key=lambda p: utc(p.assignment.start))


def linked_visits(ctx: Context) -> Iterator[Violation]:
    """A linked visit is served only with the visit it depends on, within its gap, by the
    same or a different worker as asked."""
    for job in ctx.dataset.jobs:
        if job.depends_on is None or job.job_id not in ctx.by_job:
            continue
        pairs = ctx.by_job[job.job_id]
        before = ctx.by_job.get(job.depends_on)
        if not before:
            yield Violation(
                rule="linked_visits",
                job_id=job.job_id,
                worker_id=None,
                message=(
                    f"Job {job.job_id} is planned but the visit it depends on, "
                    f"{job.depends_on}, is not."
                ),
            )
            continue
        mine, theirs = _start(pairs), _start(before)
        gap = elapsed_minutes(theirs.assignment.start, mine.assignment.start)
        low = job.min_gap or 0
        high = job.max_gap
        if gap < low or (high is not None and gap > high):
            bound = f"{low} to {high}" if high is not None else f"at least {low}"
            yield Violation(
                rule="linked_visits",
                job_id=job.job_id,
                worker_id=mine.worker.worker_id,
                message=(
                    f"Job {job.job_id} starts {gap:g} minutes after {job.depends_on} "
                    f"({ctx.time(mine.assignment.start)} after "
                    f"{ctx.time(theirs.assignment.start)}); it must start {bound} "
                    "minutes after it."
                ),
            )
        workers = {p.worker.worker_id for p in pairs}
        others = {p.worker.worker_id for p in before}
        if job.link_worker is LinkWorker.SAME and workers != others:
            yield Violation(
                rule="linked_visits",
                job_id=job.job_id,
                worker_id=mine.worker.worker_id,
                message=(
                    f"Job {job.job_id} goes to {', '.join(sorted(workers))} but must go to "
                    f"the worker of {job.depends_on} ({', '.join(sorted(others))})."
                ),
            )
        if job.link_worker is LinkWorker.DIFFERENT and workers & others:
            yield Violation(
                rule="linked_visits",
                job_id=job.job_id,
                worker_id=mine.worker.worker_id,
                message=(
                    f"Job {job.job_id} and {job.depends_on} both go to "
                    f"{', '.join(sorted(workers & others))}; they need different workers."
                ),
            )
