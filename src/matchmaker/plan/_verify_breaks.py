"""The verifier's rule for breaks (``[[breaks]]`` of ``dataset.toml``, ``workers.breaks``);
see :mod:`matchmaker.plan._verify` for the conventions.

Like every rule, it reads only the dataset and the plan (``plan.breaks``). The breaks a
shift must hold come from :func:`matchmaker.model.shift_breaks` (the rule's window in the
round's local time, through UTC). Checked for each worker:

* every break lies inside one of the worker's shifts and overlaps none of the worker's
  jobs;
* every shift in which the worker has a job holds, for each break it needs, a distinct
  break starting inside the window and lasting ``min_minutes`` to ``max_minutes``;
* the travel still fits around the breaks: between two jobs (or from the shift's start
  to its first job) the gap holds the travel and every break inside it. A break may fall
  in the middle of a trip (the worker stops on the way); it never splits a job.

A break the rules do not ask for (a plan made by hand) is allowed where it breaks none of
the above; a shift with no job needs no break.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo

from matchmaker.compile import coordinates
from matchmaker.model import (
    BreakNeed,
    Shift,
    Worker,
    elapsed_minutes,
    local_zone,
    shift_breaks,
    utc,
)
from matchmaker.plan._plan import Break
from matchmaker.plan._verify_context import Context, Pair, Violation, who_first

__all__ = ["breaks"]


def _fits(need: BreakNeed, pause: Break) -> bool:
    length = elapsed_minutes(pause.start, pause.end)
    start = utc(pause.start)
    return need.earliest <= start <= need.latest and need.min_minutes <= length <= need.max_minutes


def _matching(needs: Sequence[BreakNeed], pauses: Sequence[Break]) -> list[int | None]:
    """For each need, the index of a distinct pause that meets it (``None`` when the needs
    cannot all be met: those left unmatched), by augmenting paths (a handful of each)."""
    owner: dict[int, int] = {}

    def augment(n: int, seen: set[int]) -> bool:
        for p, pause in enumerate(pauses):
            if p in seen or not _fits(needs[n], pause):
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = n
                return True
        return False

    for n in range(len(needs)):
        augment(n, set())
    taken: list[int | None] = [None] * len(needs)
    for p, n in owner.items():
        taken[n] = p
    return taken


def _violation(worker: Worker, message: str) -> Violation:
    return Violation(rule="breaks", job_id=None, worker_id=worker.worker_id, message=message)


def _missing(
    ctx: Context, worker: Worker, need: BreakNeed, pauses: Sequence[Break], zone: tzinfo
) -> str:
    # The window's instants are UTC: shown in the round's local time.
    window = (
        f"between {ctx.time(need.earliest.astimezone(zone))} and "
        f"{ctx.time(need.latest.astimezone(zone))}"
    )
    length = (
        f"{need.min_minutes}"
        if need.min_minutes == need.max_minutes
        else f"{need.min_minutes}-{need.max_minutes}"
    )
    head = f"{who_first(worker)} needs a {length} minute break ({need.name}) starting {window}"
    inside = [p for p in pauses if need.earliest <= utc(p.start) <= need.latest]
    if inside:
        p = inside[0]
        minutes = elapsed_minutes(p.start, p.end)
        word = "short" if minutes < need.min_minutes else "long"
        return f"{head}; the break at {ctx.time(p.start)} is {minutes:g} minutes, too {word}."
    if pauses:
        shown = ", ".join(ctx.time(p.start) for p in pauses)
        return f"{head}; the shift's breaks start outside that window ({shown})."
    return f"{head}; the shift has none."


def _shift_of(worker: Worker, pause: Break) -> Shift | None:
    for shift in worker.shifts:
        if utc(shift.start) <= utc(pause.start) and utc(pause.end) <= utc(shift.end):
            return shift
    return None


def _overlaps(pause: Break, pair: Pair) -> bool:
    a = pair.assignment
    return utc(pause.start) < utc(a.end) and utc(a.start) < utc(pause.end)


def _gaps(
    ctx: Context, worker: Worker, shift: Shift, pairs: list[Pair], pauses: list[Break]
) -> Iterator[str]:
    """Gaps (shift start to first job, job to job) too short for their travel and breaks."""
    model = ctx.travel_model()
    mode = worker.travel_mode.value
    ready: datetime = shift.start
    origin, origin_name = worker.home, "home"
    for pair in pairs:
        a = pair.assignment
        if utc(a.start) < utc(ready):  # an overlap: no_overlap reports it
            continue
        inside = [p for p in pauses if utc(ready) <= utc(p.start) and utc(p.end) <= utc(a.start)]
        if inside:
            legs = model.minutes(coordinates([origin]), coordinates([pair.job.location]), mode)
            travel = int(legs[0, 0])
            resting = sum(elapsed_minutes(p.start, p.end) for p in inside)
            gap = elapsed_minutes(ready, a.start)
            if travel + resting > gap:
                yield (
                    f"{who_first(worker)} has {gap:g} minutes from {origin_name} "
                    f"({ctx.time(ready)}) to job {pair.job.job_id} ({ctx.time(a.start)}): "
                    f"too few for {travel} minutes of travel and {resting:g} of break."
                )
        ready, origin, origin_name = a.end, pair.job.location, f"job {pair.job.job_id}"


def breaks(ctx: Context) -> Iterator[Violation]:
    """Every shift with work holds its breaks, in their windows, beside its jobs and
    travel."""
    dataset = ctx.dataset
    rules = dataset.settings.breaks
    if not rules and not ctx.plan.breaks:
        return
    zone = local_zone(dataset)
    by_worker: dict[str, list[Break]] = {}
    for pause in ctx.plan.breaks:
        if not dataset.has_worker(pause.worker_id):
            yield Violation(
                rule="breaks",
                job_id=None,
                worker_id=pause.worker_id,
                message=f"A break at {ctx.time(pause.start)} names unknown worker "
                f"{pause.worker_id}.",
            )
            continue
        by_worker.setdefault(pause.worker_id, []).append(pause)
    for worker_id, pauses in by_worker.items():
        worker = dataset.worker(worker_id)
        pairs = ctx.by_worker.get(worker_id, [])
        for pause in sorted(pauses, key=lambda p: utc(p.start)):
            if utc(pause.end) <= utc(pause.start):
                yield _violation(
                    worker,
                    f"{who_first(worker)} has a break at {ctx.time(pause.start)} that "
                    "does not end after it starts.",
                )
            elif _shift_of(worker, pause) is None:
                yield _violation(
                    worker,
                    f"{who_first(worker)} has a break {ctx.time(pause.start)} to "
                    f"{ctx.time(pause.end)} outside every shift.",
                )
            for pair in pairs:
                if _overlaps(pause, pair):
                    yield _violation(
                        worker,
                        f"{who_first(worker)} has a break {ctx.time(pause.start)} to "
                        f"{ctx.time(pause.end)} during job {pair.job.job_id} "
                        f"({ctx.time(pair.assignment.start)} to {ctx.time(pair.assignment.end)}).",
                    )
    for worker, shift, pairs in ctx.shift_groups():
        mine = [
            p
            for p in by_worker.get(worker.worker_id, [])
            if utc(shift.start) <= utc(p.start) < utc(shift.end)
        ]
        needs = shift_breaks(rules, worker, shift, zone) if rules else ()
        taken = _matching(needs, mine)
        for need, match in zip(needs, taken, strict=True):
            if match is None:
                yield _violation(worker, _missing(ctx, worker, need, mine, zone))
        if mine:
            for message in _gaps(ctx, worker, shift, pairs, mine):
                yield _violation(worker, message)
