"""The vectorised standing of every eligible worker for an unserved job agrees with the
one-worker reading (``standing_of``) that words the named workers' sentences."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset
from matchmaker.plan import dispatch, verify
from matchmaker.plan._capacity import eligible_by_worker, schedule_of_routes, standing_of
from matchmaker.plan._free_time import gap_table, most_together, standing_table


@pytest.fixture(scope="module")
def tight_day() -> Dataset:
    """A short-staffed generated day: many unserved jobs with eligible, busy workers."""
    return dataset_from_frames(generate_frames(workers=25, jobs=90, seed=12, load=1.6))


def _sweep(intervals: list[tuple[int, int]]) -> int:
    events = sorted([(lo, 1) for lo, _ in intervals] + [(hi + 1, -1) for _, hi in intervals])
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


@pytest.mark.parametrize("solver", ["greedy", "routing"])
def test_every_eligible_worker_gets_the_status_standing_of_gives(
    tight_day: Dataset, solver: str
) -> None:
    """For every unserved job of a verified plan and every eligible worker, the table's
    status is ``standing_of``'s, and its free intervals are the free workers' intervals.
    The plan is work-bounded: a time-bounded one differed by host, and on one CI run left
    every eligible worker of every unserved job full, exercising one branch only."""
    # Work-bounded, so that the plan, and the branches it exercises, are the same on any host.
    result = dispatch(tight_day, solver=solver, time_limit=10, seed=3, deterministic=True)
    assert not result.time_capped
    assert verify(tight_day, result.plan) == []
    problem, schedule = result.problem, schedule_of_routes(result.solution.routes)
    gaps = gap_table(problem, schedule)
    served = result.solution.served_jobs()
    unserved = [j for j in range(problem.n_jobs) if j not in served]
    assert len(unserved) >= 10
    statuses: set[str] = set()
    for j in unserved:
        table = standing_table(problem, gaps, j)
        eligible = eligible_by_worker(problem, j)
        assert set(np.flatnonzero(table.code >= 0).tolist()) == set(eligible)
        intervals: list[tuple[int, int]] = []
        for w, vehicles in eligible.items():
            standing = standing_of(tight_day, problem, schedule, j, w, vehicles)
            assert table.status(w) == standing.status, (problem.job_ids[j], w)
            intervals.extend(standing.free)
            statuses.add(standing.status)
        assert sorted(zip(table.free_low.tolist(), table.free_high.tolist(), strict=True)) == (
            sorted(intervals)
        )
        assert most_together(table.free_low, table.free_high) == _sweep(intervals)
    assert len(statuses) >= 2  # the day exercises more than one branch
