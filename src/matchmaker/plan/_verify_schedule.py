"""The verifier's schedule and shift rules: when, in which shift, one after another, as a
team and as pinned (docs/design.md section 2; the rules of scope shift and schedule in
:data:`matchmaker.model.HARD_RULES`).

See :mod:`matchmaker.plan._verify` for the conventions every rule follows.
"""

from __future__ import annotations

from collections.abc import Iterator

from matchmaker.compile import coordinates
from matchmaker.model import add_minutes, elapsed_minutes, utc
from matchmaker.plan._verify_context import Context, Pair, Violation, violation_of, who, who_first

__all__ = [
    "end_matches_duration",
    "home_by_shift_end",
    "inside_shift",
    "max_jobs_per_shift",
    "max_work_minutes_per_shift",
    "no_overlap",
    "pins_kept",
    "start_in_window",
    "team_complete_and_synchronised",
    "travel_fits",
]


# --- schedule rules: when, in which shift, one after another ---------------------------


def start_in_window(ctx: Context) -> Iterator[Violation]:
    """The job starts inside its window (earliest to latest start)."""
    for pair in ctx.pairs:
        start = pair.assignment.start
        if not utc(pair.job.earliest_start) <= utc(start) <= utc(pair.job.latest_start):
            yield violation_of(
                start_in_window,
                pair,
                f"Job {pair.job.job_id} starts at {ctx.time(start)} with {who(pair.worker)}, "
                f"outside its window {ctx.time(pair.job.earliest_start)} to "
                f"{ctx.time(pair.job.latest_start)}.",
            )


def end_matches_duration(ctx: Context) -> Iterator[Violation]:
    """The assignment lasts exactly the job's duration."""
    for pair in ctx.pairs:
        a = pair.assignment
        planned = elapsed_minutes(a.start, a.end)
        if planned != pair.job.duration_minutes:
            yield violation_of(
                end_matches_duration,
                pair,
                f"Job {pair.job.job_id} lasts {pair.job.duration_minutes} minutes but is planned "
                f"for {planned:g} minutes with {who(pair.worker)} "
                f"({ctx.time(a.start)} to {ctx.time(a.end)}).",
            )


def inside_shift(ctx: Context) -> Iterator[Violation]:
    """The job starts and ends inside one shift of the worker."""
    for pair in ctx.pairs:
        a = pair.assignment
        if any(
            utc(s.start) <= utc(a.start) and utc(a.end) <= utc(s.end) for s in pair.worker.shifts
        ):
            continue
        where = "has no shift" if not pair.worker.shifts else "has no shift covering it"
        yield violation_of(
            inside_shift,
            pair,
            f"Job {pair.job.job_id} runs {ctx.time(a.start)} to {ctx.time(a.end)} but "
            f"{who(pair.worker)} {where}.",
        )


def travel_fits(ctx: Context) -> Iterator[Violation]:
    """Travel from home (first job of a shift) or from the previous job fits before each
    start."""
    model = ctx.travel_model()
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
                    yield violation_of(
                        travel_fits,
                        pair,
                        f"{who_first(worker)} needs {minutes} minutes ({mode}) from "
                        f"{origin_name} to job {pair.job.job_id}, which starts at "
                        f"{ctx.time(a.start)}, but {since}.",
                    )
            if utc(a.end) >= utc(ready):
                ready = a.end
                origin = pair.job.location
                origin_name = f"job {pair.job.job_id}"


def home_by_shift_end(ctx: Context) -> Iterator[Violation]:
    """With the way home planned (``plan.travel_home``, or the dataset's policy), the last
    job of each shift ends early enough to travel home by the shift's end."""
    if not (ctx.plan.travel_home or ctx.dataset.settings.policy.travel_home):
        return
    model = ctx.travel_model()
    for worker, shift, pairs in ctx.shift_groups():
        last = max(pairs, key=lambda p: (utc(p.assignment.end), p.job.job_id))
        mode = worker.travel_mode.value
        legs = model.minutes(coordinates([last.job.location]), coordinates([worker.home]), mode)
        minutes = int(legs[0, 0])
        if utc(add_minutes(last.assignment.end, minutes)) > utc(shift.end):
            yield violation_of(
                home_by_shift_end,
                last,
                f"{who_first(worker)} needs {minutes} minutes ({mode}) home from job "
                f"{last.job.job_id}, which ends at {ctx.time(last.assignment.end)}, but the "
                f"shift ends at {ctx.time(shift.end)}.",
            )


def no_overlap(ctx: Context) -> Iterator[Violation]:
    """No two jobs of one worker overlap in time."""
    for worker_id, pairs in ctx.by_worker.items():
        worker = ctx.dataset.worker(worker_id)
        latest: Pair | None = None
        for pair in pairs:
            if latest is not None and utc(pair.assignment.start) < utc(latest.assignment.end):
                yield violation_of(
                    no_overlap,
                    pair,
                    f"{who_first(worker)} has job {pair.job.job_id} at "
                    f"{ctx.time(pair.assignment.start)} while still on job {latest.job.job_id} "
                    f"until {ctx.time(latest.assignment.end)}.",
                )
            if latest is None or utc(pair.assignment.end) > utc(latest.assignment.end):
                latest = pair


def max_jobs_per_shift(ctx: Context) -> Iterator[Violation]:
    """At most the worker's maximum number of jobs in one shift."""
    for worker, shift, pairs in ctx.shift_groups():
        if worker.max_jobs is not None and len(pairs) > worker.max_jobs:
            extra = pairs[worker.max_jobs]
            yield violation_of(
                max_jobs_per_shift,
                extra,
                f"{who_first(worker)} has {len(pairs)} jobs in the shift starting "
                f"{ctx.time(shift.start)}, more than the maximum of {worker.max_jobs}.",
            )


def max_work_minutes_per_shift(ctx: Context) -> Iterator[Violation]:
    """At most the worker's maximum service minutes in one shift."""
    for worker, shift, pairs in ctx.shift_groups():
        if worker.max_work_minutes is None:
            continue
        total = sum(p.job.duration_minutes for p in pairs)
        if total > worker.max_work_minutes:
            yield violation_of(
                max_work_minutes_per_shift,
                pairs[-1],
                f"{who_first(worker)} works {total} minutes in the shift starting "
                f"{ctx.time(shift.start)}, more than the maximum of {worker.max_work_minutes}.",
            )


def team_complete_and_synchronised(ctx: Context) -> Iterator[Violation]:
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


def pins_kept(ctx: Context) -> Iterator[Violation]:
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
                        f"Job {job.job_id} is pinned to {who(worker)} but the plan does not "
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
                        f"but {who(worker)} starts it at {ctx.time(pair.assignment.start)}."
                    ),
                )
