"""Breaks in a re-plan: breaks already taken stay, the others follow the jobs.

A re-planned day is a new plan, and its break rows are placed like every plan's
(:func:`matchmaker.solve.place_breaks`, from the routes): a break that is still to come
moves within its rule when the jobs around it move. A break of the previous plan that
starts before ``freeze_before`` has been taken (or is under way): it stays where it was,
with its length; a break not taken yet starts at ``freeze_before`` or later when its
window allows. :func:`hold_breaks` narrows the windows in the compiled round that way, so
that the routing search, the keep step and the written plan all follow it (the verifier
still reads the rule's own window, which holds the narrowed one).

:func:`mend_breaks` is the keep step's guard: when the visits kept on a shift leave no
room for its breaks (an overrun ate the lunch gap), one of them is *hit* and placed again
like any other: the one whose removal lets the breaks fit, a job not frozen first, the
lowest priority and the latest start on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from matchmaker.compile import Problem
from matchmaker.live._changes import ChangedRound
from matchmaker.model import elapsed_minutes, minutes_from, utc
from matchmaker.plan import Break, Plan
from matchmaker.solve import place_breaks

__all__ = ["hold_breaks", "mend_breaks", "taken_breaks"]


def taken_breaks(previous: Plan, freeze_before: datetime | None) -> tuple[Break, ...]:
    """The breaks of ``previous`` that start before ``freeze_before`` (none without it)."""
    if freeze_before is None:
        return ()
    limit = utc(freeze_before)
    return tuple(b for b in previous.breaks if utc(b.start) < limit)


def hold_breaks(
    problem: Problem, taken: Sequence[Break], freeze_before: datetime | None
) -> Problem:
    """``problem`` with each break in ``taken`` fixed where it is: the break its shift
    needs whose window holds the start gets that start as its whole window, and the
    taken break's length when it is not shorter than the rule's. A taken break that no
    need of its worker's shift matches (the change cut the shift) is let go.

    Every other break starts no earlier than ``freeze_before`` (that time has passed
    without it), unless its window closes before: then the window is left as it is, so
    that a plan still exists (a shift with no work before, given work now)."""
    rules = problem.rules
    if rules is None or not rules.has_breaks or freeze_before is None:
        return problem
    workers = {w: i for i, w in enumerate(problem.worker_ids)}
    earliest = rules.break_earliest.copy()
    latest = rules.break_latest.copy()
    minutes = rules.break_minutes.copy()
    held: set[int] = set()
    for pause in sorted(taken, key=lambda b: utc(b.start)):
        w = workers.get(pause.worker_id)
        if w is None:
            continue
        at = minutes_from(problem.horizon_start, pause.start, round_up=False)
        length = int(elapsed_minutes(pause.start, pause.end))
        shifts = np.flatnonzero(
            (problem.vehicle_worker == w)
            & (problem.vehicle_start <= at)
            & (at < problem.vehicle_end)
        )
        rows = np.flatnonzero(
            np.isin(rules.break_vehicle, shifts) & (earliest <= at) & (at <= latest)
        )
        free = [b for b in rows.tolist() if b not in held]
        if not free:
            continue
        b = free[0]
        held.add(b)
        earliest[b] = latest[b] = at
        minutes[b] = max(int(minutes[b]), length)
    now = minutes_from(problem.horizon_start, freeze_before, round_up=True)
    later = np.array([b not in held for b in range(earliest.size)]) & (now <= latest)
    earliest = np.where(later, np.maximum(earliest, now), earliest).astype(np.int32)
    return replace(
        problem,
        rules=replace(rules, break_earliest=earliest, break_latest=latest, break_minutes=minutes),
    )


def _without(visits: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    return visits[:k] + visits[k + 1 :]


def _fit(problem: Problem, vehicle: int, visits: list[tuple[int, int]]) -> bool:
    jobs, starts = [j for j, _ in visits], [s for _, s in visits]
    return place_breaks(problem, vehicle, jobs, starts) is not None


def _order(
    problem: Problem, vehicle: int, visit: tuple[int, int], frozen: frozenset[str]
) -> tuple[bool, bool, int, int]:
    """Which kept visit to hit first: not frozen, near a break's window, of low priority,
    late."""
    assert problem.rules is not None
    j, start = visit
    end = start + int(problem.job_duration[j])
    near = any(
        start < latest + minutes and earliest < end
        for earliest, latest, minutes in problem.rules.breaks_of(vehicle)
    )
    return (problem.job_ids[j] in frozen, not near, int(problem.job_priority[j]), -start)


def mend_breaks(
    problem: Problem,
    kept: dict[int, list[tuple[int, int]]],
    frozen: frozenset[str],
    changed: ChangedRound,
    hit: dict[str, str],
) -> bool:
    """Hit one kept visit of each shift whose kept visits leave no room for its breaks
    (module docstring). Returns whether it hit one."""
    rules = problem.rules
    if rules is None or not rules.has_breaks:
        return False
    newly = False
    for v, visits in sorted(kept.items()):
        if not visits or _fit(problem, v, visits):
            continue
        order = sorted(range(len(visits)), key=lambda k: _order(problem, v, visits[k], frozen))
        chosen = next((k for k in order if _fit(problem, v, _without(visits, k))), order[0])
        j = visits[chosen][0]
        cause = next(
            (
                changed.overrun[problem.job_ids[x]].label
                for x, _ in visits
                if problem.job_ids[x] in changed.overrun
            ),
            None,
        )
        hit[problem.job_ids[j]] = cause or "leaves no room for its worker's break after the changes"
        newly = True
    return newly
