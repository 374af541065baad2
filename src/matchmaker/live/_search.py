"""The vectorised search behind a recommendation: candidate placements in minutes.

Three kinds of candidate, all read from one :class:`~matchmaker.live._index.GapTable`:

* **insert**: the job goes into a gap and nothing planned moves (``low <= high``);
* **push** (with a move budget): the job goes into a gap and the visits after it move later,
  each within its push-forward bound; every visit that moves counts as one move;
* **swap** (with a move budget): a planned one-worker visit leaves its gap to the job and is
  re-inserted, without moving anything, into another worker's day (one move).

Team jobs (``team > 1``) are inserted without moves: ``team`` distinct workers whose gaps
all hold one common start (only the left ends of the start intervals can be the cheapest
start, as in :mod:`matchmaker.solve._insertion`). The gap table ranks gaps by travel (the
way home included when it counts), match cost and the job's lateness at the gap's earliest
start; a handful of the cheapest per kind are expanded in Python, never all worker-job
pairs, and each is then priced exactly (:func:`~matchmaker.live._candidate.priced`).

**Breaks.** In a round with break rules a candidate is kept only when every shift it
changes still holds its breaks (:mod:`matchmaker.live._break_fit`, the solver's own
placement); the candidate carries those shifts' re-placed breaks. The gap table stays the
vectorised screen; the break check runs on the shortlist only: per worker, the gaps in
cost order until one fits (each at its earliest start and at the starts that leave a break
room before the job), the push and swap candidates as they are expanded (one that does not
fit does not count towards the few expanded), and the team candidates (more of them are
expanded when breaks may leave some out).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from matchmaker.live._break_fit import NEW, has_breaks, start_tries, visit_breaks
from matchmaker.live._candidate import Candidate, MovedVisit, priced
from matchmaker.live._index import (
    GapTable,
    JobColumn,
    PlanIndex,
    gap_table,
    job_column,
    way_home,
)
from matchmaker.solve import stability_cost

__all__ = ["Candidate", "MovedVisit", "candidates"]

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_TEAM_CELLS = 2_000_000
"""Most (start, interval) cells evaluated at once when choosing a team's start."""
_EXPAND = 4
"""Cheapest candidates expanded per option wanted, per kind with moves."""
_BREAK_FACTOR = 4
"""How many more teams to expand when breaks may leave some out."""


def candidates(
    index: PlanIndex,
    column: JobColumn,
    *,
    k: int,
    max_moves: int = 0,
    allowed: BoolArray | None = None,
    breaks: bool = True,
) -> list[Candidate]:
    """The ``k`` cheapest candidates on distinct workers (distinct teams), cheapest first.

    With ``breaks`` (the default) every candidate leaves room for the breaks of the
    shifts it changes; ``breaks=False`` ignores them (to tell whether a break is what
    blocks a worker)."""
    check = breaks and has_breaks(index.problem)
    table = gap_table(index, column, allowed)
    if column.team > 1:
        teams = _teams(index, table, column.team, _BREAK_FACTOR * k if check else k)
        if check:
            teams = [c for c in (fitted(index, column, t) for t in teams) if c is not None]
        teams = [priced(index, column, t) for t in teams]
        teams.sort(key=lambda c: c.cost)
        return teams[:k]
    found = _inserts_fitted(index, column, table, k) if check else _inserts(index, table)
    if max_moves > 0:
        found += _pushes(index, column, table, k, max_moves, check)
        found += _swaps(index, column, k, allowed, check)
    found = [priced(index, column, c) for c in found]
    found.sort(key=lambda c: (c.cost, len(c.moves), c.members[0][1], c.members[0][0]))
    best: list[Candidate] = []
    seen: set[int] = set()
    for candidate in found:
        worker = int(index.problem.vehicle_worker[candidate.members[0][0]])
        if worker in seen:
            continue
        seen.add(worker)
        best.append(candidate)
        if len(best) == k:
            break
    return best


def fitted(index: PlanIndex, column: JobColumn, candidate: Candidate) -> Candidate | None:
    """``candidate`` with the re-placed breaks of every shift it changes, or ``None`` when
    one of them has no room left for its breaks."""
    job = NEW if column.index is None else column.index
    placed: list[tuple[int, int, int]] = []
    for vehicle in candidate.vehicles():
        found = visit_breaks(
            index.problem, column, vehicle, candidate.day_after(index, job, vehicle)
        )
        if found is None:
            return None
        placed += [(vehicle, start, minutes) for start, minutes in found]
    return replace(candidate, breaks=tuple(placed))


def _inserts_fitted(
    index: PlanIndex, column: JobColumn, table: GapTable, limit: int
) -> list[Candidate]:
    """The cheapest no-move gap of each worker where the breaks still fit, for the
    ``limit`` cheapest workers: every worker's gaps in cost order (earlier start on
    ties), each at the starts :func:`~matchmaker.live._break_fit.start_tries` gives."""
    problem = index.problem
    rows, positions = np.nonzero(table.valid & (table.low <= table.high))
    if rows.size == 0:
        return []
    order = np.lexsort((table.low[rows, positions], table.cost[rows, positions]))
    out: list[Candidate] = []
    seen: set[int] = set()
    for r, p in zip(rows[order].tolist(), positions[order].tolist(), strict=True):
        vehicle = int(table.vehicles[r])
        worker = int(problem.vehicle_worker[vehicle])
        if worker in seen:
            continue
        tries = start_tries(
            problem,
            column,
            vehicle,
            int(index.gaps.before[vehicle, p]),
            int(index.gaps.ready[vehicle, p]),
            int(table.low[r, p]),
            int(table.high[r, p]),
        )
        for start in tries:
            found = fitted(
                index,
                column,
                Candidate(
                    members=((vehicle, start),),
                    cost=int(table.cost[r, p]),
                    added_travel=int(table.added[r, p]),
                ),
            )
            if found is not None:
                out.append(found)
                seen.add(worker)
                break
        if len(out) == limit:
            break
    return out


def _inserts(index: PlanIndex, table: GapTable) -> list[Candidate]:
    """The cheapest no-move gap of every worker (earlier start on ties)."""
    feasible = table.valid & (table.low <= table.high)
    if not feasible.any():
        return []
    span = int(table.low[feasible].max() - table.low[feasible].min()) + 1
    low = table.low - table.low[feasible].min()
    key = np.where(feasible, table.cost * span + low, np.iinfo(np.int64).max)
    position = np.argmin(key, axis=1)
    rows = np.flatnonzero(feasible.any(axis=1))
    row_key = key[rows, position[rows]]
    workers = index.problem.vehicle_worker[table.vehicles[rows]]
    order = np.lexsort((row_key, workers))
    first = np.r_[True, workers[order][1:] != workers[order][:-1]]
    out = []
    for r in rows[order[first]].tolist():
        p = int(position[r])
        out.append(
            Candidate(
                members=((int(table.vehicles[r]), int(table.low[r, p])),),
                cost=int(table.cost[r, p]),
                added_travel=int(table.added[r, p]),
            )
        )
    return out


def _pushes(
    index: PlanIndex,
    column: JobColumn,
    table: GapTable,
    k: int,
    max_moves: int,
    check: bool = False,
) -> list[Candidate]:
    """Gaps that need later visits pushed: the cheapest few, with their pushes counted.

    With ``check`` (break rules) each gap is tried at the starts
    :func:`~matchmaker.live._break_fit.start_tries` gives up to its push bound, and kept
    at the first whose pushes leave every break room (a gap with room for the job may
    then need a push to make room for a break too)."""
    needs = table.valid & (table.low <= table.push)
    if not check:
        needs &= table.low > table.high
    if not needs.any():
        return []
    rows, positions = np.nonzero(needs)
    order = np.argsort(table.cost[rows, positions], kind="stable")[: _EXPAND * k * 4]
    stability = stability_cost(index.policy, 1)
    out: list[Candidate] = []
    workers: set[int] = set()
    for r, p in zip(rows[order].tolist(), positions[order].tolist(), strict=True):
        vehicle = int(table.vehicles[r])
        if len(workers) >= k:
            break  # in cost order: the first k workers found are the cheapest
        low = int(table.low[r, p])
        tries = (
            start_tries(
                index.problem,
                column,
                vehicle,
                int(index.gaps.before[vehicle, p]),
                int(index.gaps.ready[vehicle, p]),
                low,
                int(table.push[r, p]),
            )
            if check
            else [low]
        )
        for start in tries:
            moves = _pushed(index, column, vehicle, p, start)
            if len(moves) > max_moves or not moves:
                continue
            pushed = Candidate(
                members=((vehicle, start),),
                cost=int(table.cost[r, p]) + stability * len(moves),
                added_travel=int(table.added[r, p]),
                moves=tuple(moves),
            )
            found = fitted(index, column, pushed) if check else pushed
            if found is not None:
                workers.add(int(index.problem.vehicle_worker[vehicle]))
                out.append(found)
                break
    return out


def _pushed(
    index: PlanIndex, column: JobColumn, vehicle: int, position: int, start: int
) -> list[MovedVisit]:
    """The visits after ``position`` that move when the job starts there at ``start``."""
    problem = index.problem
    mode = int(problem.vehicle_mode[vehicle])
    moves = []
    ready = start + column.duration
    previous: int | None = None
    for i in range(position, int(index.length[vehicle])):
        job = int(index.job[vehicle, i])
        hop = (
            int(column.travel_out[mode, job])
            if previous is None
            else int(problem.travel_job_job[mode, previous, job])
        )
        arrival = ready + hop
        old = int(index.start[vehicle, i])
        if arrival <= old:
            break
        moves.append(
            MovedVisit(job=job, vehicle=vehicle, start=old, new_vehicle=vehicle, new_start=arrival)
        )
        ready = arrival + int(problem.job_duration[job])
        previous = job
    return moves


def _swaps(
    index: PlanIndex, column: JobColumn, k: int, allowed: BoolArray | None, check: bool
) -> list[Candidate]:
    """A movable visit gives its gap to the job and goes, unmoved otherwise, elsewhere."""
    problem = index.problem
    ok = column.eligible.copy()
    if allowed is not None:
        ok &= allowed
    vehicles = np.flatnonzero(ok & (index.length > 0))
    if vehicles.size == 0 or index.width == 0:
        return []
    job = index.job[vehicles]
    movable = index.movable[vehicles]
    valid = job >= 0
    safe = np.maximum(job, 0)
    width = index.width
    g = index.gaps
    # The gap a visit at position q leaves: from q's "before" to the visit after q.
    before = g.before[vehicles, :width]
    ready = g.ready[vehicles, :width]
    after = g.after[vehicles, 1:]
    after_start = g.after_start[vehicles, 1:]
    mode = problem.vehicle_mode.astype(np.int64)[vehicles][:, None]
    travel_in = np.where(
        before >= 0, column.travel_in[mode, np.maximum(before, 0)], column.home[vehicles][:, None]
    )
    # In the last place the job leaves, as the visit did, by the way home when it counts
    # (0 when it does not).
    back = way_home(problem)
    home_out = column.back[vehicles][:, None]
    old_home = 0 if back is None else back[vehicles[:, None], safe].astype(np.int64)
    travel_out = np.where(after >= 0, column.travel_out[mode, np.maximum(after, 0)], home_out)
    duration = column.duration
    # What comes next: the visit after, or the shift's end (reached by the way home).
    next_start = np.where(after >= 0, after_start, problem.vehicle_end[vehicles][:, None])
    low = np.maximum(ready + travel_in, column.earliest)
    high = np.minimum(column.latest, next_start - travel_out - duration)
    old_in = np.where(
        before >= 0,
        problem.travel_job_job[mode, np.maximum(before, 0), safe],
        problem.travel_home_job[vehicles[:, None], safe],
    )
    old_out = np.where(
        after >= 0, problem.travel_job_job[mode, safe, np.maximum(after, 0)], old_home
    )
    duration_k = problem.job_duration.astype(np.int64)[safe]
    work_ok = (index.work[vehicles][:, None] - duration_k + duration) <= problem.vehicle_max_work[
        vehicles
    ][:, None]
    feasible = valid & movable & work_ok & (low <= high)
    if not feasible.any():
        return []
    worker = problem.vehicle_worker[vehicles].astype(np.int64)
    added = (travel_in + travel_out - old_in - old_out).astype(np.int64)
    cost = (
        index.policy.travel_cost_per_minute * added
        + column.match[worker][:, None]
        - index.match[worker[:, None], safe]
    )
    rows, positions = np.nonzero(feasible)
    order = np.argsort(cost[rows, positions], kind="stable")[: _EXPAND * k]
    stability = stability_cost(index.policy, 1)
    out: list[Candidate] = []
    for r, q in zip(rows[order].tolist(), positions[order].tolist(), strict=True):
        if len(out) >= k:
            break
        vehicle = int(vehicles[r])
        moved = int(job[r, q])
        elsewhere = np.ones(problem.n_vehicles, dtype=bool)
        elsewhere[problem.vehicle_worker == problem.vehicle_worker[vehicle]] = False
        moved_column = job_column(index, moved)
        moved_table = gap_table(index, moved_column, elsewhere)
        home = (
            _inserts_fitted(index, moved_column, moved_table, 1)
            if check
            else _inserts(index, moved_table)
        )
        if not home:
            continue
        place = min(home, key=lambda c: (c.cost, c.members[0][1]))
        new_vehicle, new_start = place.members[0]
        swap = Candidate(
            members=((vehicle, int(low[r, q])),),
            cost=int(cost[r, q]) + place.cost + stability,
            added_travel=int(added[r, q]) + place.added_travel,
            moves=(
                MovedVisit(
                    job=moved,
                    vehicle=vehicle,
                    start=int(index.start[vehicle, q]),
                    new_vehicle=new_vehicle,
                    new_start=new_start,
                ),
            ),
        )
        found = fitted(index, column, swap) if check else swap
        if found is not None:
            out.append(found)
    return out


def _teams(index: PlanIndex, table: GapTable, size: int, k: int) -> list[Candidate]:
    """The ``k`` cheapest teams of ``size`` distinct workers with one common start."""
    rows, positions = np.nonzero(table.valid & (table.low <= table.high))
    if rows.size == 0:
        return []
    low = table.low[rows, positions]
    high = table.high[rows, positions]
    cost = table.cost[rows, positions]
    member = index.problem.vehicle_worker[table.vehicles[rows]].astype(np.int64)
    if np.unique(member).size < size:
        return []
    order = np.argsort(member, kind="stable")
    rows, positions, low, high, cost, member = (
        a[order] for a in (rows, positions, low, high, cost, member)
    )
    groups = np.flatnonzero(np.r_[True, member[1:] != member[:-1]])
    starts = np.unique(low)
    big = np.iinfo(np.int64).max // (4 * size)
    totals = np.full(starts.size, big * size, dtype=np.int64)
    step = max(1, _TEAM_CELLS // max(1, low.size))
    for offset in range(0, starts.size, step):
        chunk = starts[offset : offset + step]
        covers = (low[None, :] <= chunk[:, None]) & (chunk[:, None] <= high[None, :])
        by_worker = np.minimum.reduceat(np.where(covers, cost[None, :], big), groups, axis=1)
        if by_worker.shape[1] > size:
            by_worker = np.partition(by_worker, size - 1, axis=1)[:, :size]
        ok = by_worker.max(axis=1) < big
        totals[offset : offset + chunk.size] = np.where(ok, by_worker.sum(axis=1), big * size)
    ranked = np.argsort(totals, kind="stable")
    bounds = np.r_[groups, low.size]
    out: list[Candidate] = []
    seen: set[tuple[int, ...]] = set()
    for s in ranked.tolist():
        if totals[s] >= big or len(out) == k:
            break
        at = int(starts[s])
        covers = (low <= at) & (at <= high)
        masked = np.where(covers, cost, big)
        per_worker = np.minimum.reduceat(masked, groups)
        chosen = np.argsort(per_worker, kind="stable")[:size]
        members = []
        travel = 0
        for group in chosen.tolist():
            lo, hi = int(bounds[group]), int(bounds[group + 1])
            pick = lo + int(np.argmin(masked[lo:hi]))
            members.append((int(table.vehicles[rows[pick]]), at))
            travel += int(table.added[rows[pick], positions[pick]])
        team = tuple(sorted(int(member[bounds[g]]) for g in chosen.tolist()))
        if team in seen:
            continue
        seen.add(team)
        out.append(Candidate(members=tuple(members), cost=int(totals[s]), added_travel=travel))
    return out
