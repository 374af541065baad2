"""Tests of the pins (matchmaker.generate._pins)."""

from __future__ import annotations

import itertools
from datetime import datetime

import pandas as pd
import pytest

from matchmaker.io import dataset_from_frames
from matchmaker.model import add_minutes
from matchmaker.plan import Assignment, Plan, ReasonCode, UnassignedJob, verify
from tests.generate.reading import (
    minutes_of,
    read_staff,
    split_cell,
    start_range,
)


@pytest.mark.parametrize("name", ["day", "week", "city"])
def test_pins_are_consistent(name: str, request: pytest.FixtureRequest) -> None:
    """Each pinned worker qualifies, starts inside window and shift, and no pins overlap."""
    frames: dict[str, pd.DataFrame] = request.getfixturevalue(name)
    jobs = frames["jobs"]
    pinned = jobs[jobs.pinned_worker_id != ""]
    assert 0 < len(pinned) <= 0.06 * len(jobs)
    staff = {w.worker_id: w for w in read_staff(frames)}
    customers = {c.customer_id: c for c in frames["customers"].itertuples()}
    busy: dict[str, list[tuple[int, int]]] = {}
    for job in pinned.itertuples():
        team = split_cell(job.pinned_worker_id)
        assert len(team) == job.workers_needed and len(set(team)) == len(team)
        start = minutes_of(job.pinned_start)
        for worker_id in team:
            fit = start_range(staff[worker_id], job, customers[job.customer_id])
            assert fit is not None, f"{job.job_id}: {worker_id} cannot serve it"
            assert fit[0] <= start <= fit[1]
            busy.setdefault(worker_id, []).append((start, start + job.duration_minutes))
    for intervals in busy.values():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            assert end <= start


def test_a_team_job_is_pinned(city: dict[str, pd.DataFrame]) -> None:
    """Team pins list every member, separated by ';'."""
    jobs = city["jobs"]
    assert (jobs.pinned_worker_id.str.contains(";") & (jobs.workers_needed > 1)).any()


@pytest.mark.parametrize("name", ["day", "week", "city"])
def test_pins_pass_the_verifier(name: str, request: pytest.FixtureRequest) -> None:
    """A plan of just the pins (every other job unassigned) breaks no hard rule: the pins
    were chosen with the rules and travel minutes the verifier itself uses."""
    frames: dict[str, pd.DataFrame] = request.getfixturevalue(name)
    dataset = dataset_from_frames(frames)
    assignments: list[Assignment] = []
    unassigned: list[UnassignedJob] = []
    for job in dataset.jobs:
        if not job.is_pinned or job.pinned_start is None:
            unassigned.append(
                UnassignedJob(job_id=job.job_id, reason_code=ReasonCode.CAPACITY, reason="")
            )
            continue
        start: datetime = job.pinned_start
        for worker_id in job.pinned_worker_ids:
            assignments.append(
                Assignment(
                    job_id=job.job_id,
                    worker_id=worker_id,
                    start=start,
                    end=add_minutes(start, job.duration_minutes),
                    travel_minutes=0,
                    sequence=1,
                    match_score=0.0,
                )
            )
    assert assignments
    plan = Plan(assignments=tuple(assignments), unassigned=tuple(unassigned), kpis={})
    assert verify(dataset, plan) == []
