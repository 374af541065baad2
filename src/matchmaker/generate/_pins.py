"""Pins: a few jobs fixed to workers who really can serve them at the pinned time."""

from __future__ import annotations

import numpy as np

from matchmaker.compile import HaversineTravel
from matchmaker.generate._catalogue import Customers, Ints, Jobs, Workers
from matchmaker.generate._rules import commute_minutes, eligible, start_ranges

__all__ = ["draw_pins"]

# Minutes a pinned start keeps after the earliest arrival from home. The commute is the
# compiled problem's and the verifier's own number, so dispatch needs no margin; the minute
# is kept for other readers of the tables: an independent implementation of the travel
# model may come out one minute longer (see matchmaker.compile._travel), and this pins the
# bundled datasets and every earlier seed to the same output (without it, some pins of
# datasets/sample and datasets/week move).
_MARGIN = 1
_BLOCK_PAIRS = 1_000_000  # worker-job pairs asked of the rules at once


def draw_pins(
    rng: np.random.Generator,
    pool: Workers,
    customers: Customers,
    jobs: Jobs,
    travel: HaversineTravel,
) -> tuple[list[list[int]], Ints]:
    """Pin about 3% of jobs to workers who can serve them, at most one pin per worker-day.

    One pin per worker and day keeps every pin feasible together: the worker leaves home
    at the shift start, travels, and starts at the pinned time inside window and shift.
    """
    n_jobs = len(jobs.day)
    pins: list[list[int]] = [[] for _ in range(n_jobs)]
    starts = np.full(n_jobs, -1, dtype=np.int64)
    target = round(0.03 * n_jobs) if n_jobs >= 10 else 0
    order = rng.permutation(n_jobs)
    teams = order[jobs.needed[order] > 1]
    if len(teams):  # try a team job first so that team pins occur
        order = np.concatenate([teams[:1], order[order != teams[0]]])
    used = np.zeros((len(pool.lat), int(jobs.day.max()) + 1), dtype=bool)
    made = 0
    tried = order[: 10 * target]
    # The rules and the commutes are asked for a block of jobs at a time: far fewer calls
    # than one per job, and memory stays bounded on a big pool.
    block = max(1, _BLOCK_PAIRS // len(pool.lat))
    able, commutes = np.zeros((0, 0), dtype=bool), np.zeros((0, 0), dtype=np.int64)
    for i, j in enumerate(tried.tolist()):
        if made >= target:
            break
        if i % block == 0:
            chunk = tried[i : i + block]
            able = eligible(pool, customers, jobs, chunk)
            commutes = commute_minutes(travel, pool, jobs.lat[chunk], jobs.lon[chunk])
        day, needed = int(jobs.day[j]), int(jobs.needed[j])
        commute = commutes[:, i % block : i % block + 1]
        ranges = start_ranges(pool, jobs, tried[i : i + 1], commute, _MARGIN)
        low, high, fits = (a[:, 0] for a in ranges)
        ok = able[:, i % block] & ~used[:, day] & fits
        candidates = np.flatnonzero(ok)
        if len(candidates) < needed:
            continue
        previous = [w for w in customers.previous[jobs.customer[j]] if ok[w]]
        tries = previous[:1] + rng.permutation(candidates)[:8].tolist()
        for lead in tries:
            start = -(-int(low[lead]) // 5) * 5  # a round time when one fits
            if start > high[lead]:
                start = int(low[lead])
            team = np.flatnonzero(ok & (low <= start) & (start <= high))
            team = team[team != lead]
            if len(team) < needed - 1:
                continue
            members = [lead, *rng.choice(team, needed - 1, replace=False).tolist()]
            pins[j] = sorted(members)
            starts[j] = start
            used[members, day] = True
            made += 1
            break
    return pins, starts
