"""``load``: a generated round's work asked for over work offered, set by scaling the
staff's daily work caps and nothing else."""

from __future__ import annotations

import pandas as pd
import pytest

from matchmaker.generate import generate_frames
from matchmaker.io import check_frames, dataset_from_frames
from matchmaker.model import InvalidSizeError
from matchmaker.plan import dispatch, verify


def _load(frames: dict[str, pd.DataFrame]) -> float:
    jobs, workers = frames["jobs"], frames["workers"]
    worked = frames["availability"].groupby("worker_id").size() if "availability" in frames else 1
    offered = (workers.set_index("worker_id")["max_work_minutes"] * worked).sum()
    return float((jobs["duration_minutes"] * jobs["workers_needed"]).sum() / offered)


@pytest.mark.parametrize(("load", "days"), [(1.0, 1), (2.0, 1), (2.5, 3)])
def test_the_round_has_the_load_asked_for(load: float, days: int) -> None:
    """Work minutes asked for over the caps of every worked shift is within 3% of ``load``."""
    frames = generate_frames(workers=60, jobs=200, seed=4, days=days, load=load)
    assert _load(frames) == pytest.approx(load, rel=0.03)


def test_only_the_work_caps_change() -> None:
    """Jobs, customers, shifts and every other worker column are the unloaded round's; only
    the pins and car needs, drawn for workers who can really serve them, follow the caps."""
    plain = generate_frames(workers=60, jobs=200, seed=4)
    tight = generate_frames(workers=60, jobs=200, seed=4, load=2.0)
    pd.testing.assert_frame_equal(plain["customers"], tight["customers"])
    same = [c for c in plain["workers"] if c not in ("max_work_minutes", "max_jobs")]
    pd.testing.assert_frame_equal(plain["workers"][same], tight["workers"][same])
    drawn_for_caps = ("pinned_worker_id", "pinned_start", "needs_car")
    unpinned = [c for c in plain["jobs"] if c not in drawn_for_caps]
    pd.testing.assert_frame_equal(plain["jobs"][unpinned], tight["jobs"][unpinned])
    assert (tight["workers"]["max_work_minutes"] < plain["workers"]["max_work_minutes"]).any()


def test_a_tight_round_is_valid_and_serves_fewer_jobs() -> None:
    """A loaded round passes every check, pins included, and at load 2 the greedy plan
    (verified) serves fewer jobs than at load 1."""
    served = {}
    for load in (1.0, 2.0):
        frames = generate_frames(workers=40, jobs=120, seed=9, load=load)
        report = check_frames(frames, pins=True)
        assert report.ok, report.errors
        dataset = dataset_from_frames(frames)
        result = dispatch(dataset, solver="greedy", time_limit=10, seed=1)
        assert verify(dataset, result.plan) == []
        served[load] = len(result.plan.assignments)
    assert served[2.0] < served[1.0]


@pytest.mark.parametrize(
    ("load", "message"),
    [
        (0.0, "load must be between 0.2 and 5.0"),
        (9.0, "load must be between 0.2 and 5.0"),
        (0.25, "cannot be reached with these workers' shifts"),
    ],
)
def test_a_load_out_of_reach_is_refused(load: float, message: str) -> None:
    """A load outside the range, or one the shifts cannot offer, is a size error."""
    with pytest.raises(InvalidSizeError, match=message):
        generate_frames(workers=60, jobs=200, seed=4, load=load)
