"""The shared named worlds are what their names promise: valid, and served in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.io import check_dataset, dataset_from_frames, dataset_to_frames
from matchmaker.model import Dataset
from tests.rules.world import dispatched


@pytest.mark.parametrize("name", ["ok_small", "ok_team"])
def test_named_worlds_are_served_in_full(name: str, request: pytest.FixtureRequest) -> None:
    """Every backend serves every job of ok_small and ok_team with a plan verify accepts
    (``dispatched`` verifies), and each world survives the frames round trip unchanged."""
    dataset: Dataset = request.getfixturevalue(name)
    assert dataset_from_frames(dataset_to_frames(dataset), settings=dataset.settings) == dataset
    for result in dispatched(dataset):
        assert result.plan.unassigned == (), result.solution.backend
        served = {a.job_id for a in result.plan.assignments}
        assert served == {job.job_id for job in dataset.jobs}


def test_ok_team_staffs_its_team_job_together(ok_team: Dataset) -> None:
    """ok_team's team job gets two different workers at the same start."""
    for result in dispatched(ok_team):
        team = [a for a in result.plan.assignments if a.job_id == "T1"]
        assert len({a.worker_id for a in team}) == 2
        assert len({a.start for a in team}) == 1


def test_ok_folder_loads_without_errors(ok_folder: Path) -> None:
    """ok_folder is a dataset folder that check_dataset accepts."""
    report = check_dataset(ok_folder)
    assert report.dataset is not None, report.issues
    assert len(report.dataset.workers) == 3 and len(report.dataset.jobs) == 3
