"""A plan folder of the bundled sample day, shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.io import load_dataset, write_plan
from matchmaker.model import Dataset
from matchmaker.plan import DispatchResult, dispatch

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture(scope="session")
def sample_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, DispatchResult, Path]:
    """The sample day dispatched by the greedy solver (verified), and its plan folder."""
    dataset = load_dataset(SAMPLE)
    result = dispatch(dataset, solver="greedy", seed=1)
    assert result.violations == ()
    folder = tmp_path_factory.mktemp("report") / "sample"
    write_plan(result.plan, folder, dataset=dataset, policy=result.policy)
    return dataset, result, folder
