"""A plan folder records the travel model its plan was made with, and only a verified plan
is written.

Regression for plans solved on a ``MatrixTravel``: ``verify``, ``explain`` and the plan
folder used to judge them by straight-line travel, and ``write_plan`` wrote them anyway.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.compile import HaversineTravel, MatrixTravel, coordinates
from matchmaker.io import dataset_to_frames, load_plan_input, read_plan, write_plan, write_tables
from matchmaker.io._travel_file import MATRIX_FILE
from matchmaker.model import (
    Dataset,
    DatasetSettings,
    PlanError,
    TravelSettings,
    UnverifiedPlanError,
)
from matchmaker.plan import DispatchResult, dispatch, verify
from tests.matrix_world import FAR, FAR2, MATRIX_LEGS, ConstantTravel, matrix_world
from tests.rules.world import HOME, world

runner = CliRunner()


@pytest.fixture
def matrix_plan(tmp_path: Path) -> tuple[Dataset, DispatchResult, Path]:
    """The matrix round dispatched on its matrix and written to ``tmp_path / "plan"``."""
    dataset, travel = matrix_world()
    result = dispatch(dataset, solver="greedy", time_limit=0.5, travel=travel)
    assert result.ok and verify(dataset, result.plan) == []
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    return dataset, result, out


def _dataset_folder(dataset: Dataset, folder: Path) -> Path:
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    return folder


def test_matrix_plan_round_trips_through_its_folder(
    matrix_plan: tuple[Dataset, DispatchResult, Path], tmp_path: Path
) -> None:
    """The folder saves the matrix (plain numpy, no pickle) and plan.json names it; reading
    the folder restores the model, and the CLI verifies and explains with its minutes."""
    dataset, result, out = matrix_plan
    record = json.loads((out / "plan.json").read_text(encoding="utf-8"))["travel"]
    assert record["kind"] == "matrix" and record["file"] == MATRIX_FILE
    with np.load(out / MATRIX_FILE, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["matrix", "points"]
    read = read_plan(out)
    assert isinstance(read.travel, MatrixTravel)
    points = coordinates([HOME, FAR, FAR2])
    assert np.array_equal(
        read.travel.minutes(points, points, "car"), [[0, 5, 6], [5, 0, 3], [6, 3, 0]]
    )
    assert read == result.plan
    assert verify(load_plan_input(out), read) == []

    data = _dataset_folder(dataset, tmp_path / "data")
    checked = runner.invoke(app, ["verify", str(data), str(out)])
    assert checked.exit_code == 0, checked.output
    for job_id, minutes in MATRIX_LEGS.items():
        told = runner.invoke(app, ["explain", str(out), "--job", job_id])
        assert told.exit_code == 0, told.output
        assert f"{minutes} min travel to get there" in told.output


def test_changed_travel_matrix_file_is_refused(
    matrix_plan: tuple[Dataset, DispatchResult, Path], tmp_path: Path
) -> None:
    """A travel matrix changed after writing fails its checksum: read_plan raises PlanError
    and ``matchmaker verify`` exits 2 naming the file."""
    dataset, _, out = matrix_plan
    with np.load(out / MATRIX_FILE, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["matrix"] = arrays["matrix"] * 100
    with (out / MATRIX_FILE).open("wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(PlanError, match=r"travel_matrix\.npz.*checksum"):
        read_plan(out)
    data = _dataset_folder(dataset, tmp_path / "data")
    checked = runner.invoke(app, ["verify", str(data), str(out)])
    assert checked.exit_code == 2
    assert "checksum" in checked.output


def test_plan_json_switched_to_straight_lines_fails_verify(
    matrix_plan: tuple[Dataset, DispatchResult, Path], tmp_path: Path
) -> None:
    """Recording the default model for a plan made on the matrix makes it fail travel_fits:
    the recorded model, not the dataset, decides how travel is judged."""
    dataset, _, out = matrix_plan
    path = out / "plan.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["travel"] = {"kind": "haversine", "settings": TravelSettings().model_dump(mode="json")}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert isinstance(read_plan(out).travel, HaversineTravel)
    checked = runner.invoke(
        app, ["verify", str(_dataset_folder(dataset, tmp_path / "d")), str(out)]
    )
    assert checked.exit_code == 1
    assert "travel_fits" in checked.output


def test_write_plan_refuses_a_plan_that_fails_verify(tmp_path: Path) -> None:
    """A plan breaking a hard rule (here: the matrix plan without its matrix) is not written:
    UnverifiedPlanError lists the violations and the output folder is not created."""
    dataset, travel = matrix_world()
    result = dispatch(dataset, solver="greedy", time_limit=0.5, travel=travel)
    out = tmp_path / "plan"
    with pytest.raises(UnverifiedPlanError, match="travel_fits") as caught:
        write_plan(replace(result.plan, travel=None), out, dataset=dataset, policy=result.policy)
    assert {v.rule for v in caught.value.violations} == {"travel_fits"}
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_haversine_plan_records_its_settings(tmp_path: Path) -> None:
    """A plan on the default model records its [travel] settings and reads them back."""
    settings = TravelSettings(detour_factor=1.5, speed_kmh={"car": 30.0})
    dataset = replace(world(), settings=DatasetSettings(travel=settings))
    result = dispatch(dataset, solver="greedy", time_limit=0.5)
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    record = json.loads((out / "plan.json").read_text(encoding="utf-8"))["travel"]
    assert record == {"kind": "haversine", "settings": settings.model_dump(mode="json")}
    assert not (out / MATRIX_FILE).exists()
    read = read_plan(out)
    assert isinstance(read.travel, HaversineTravel) and read.travel.settings == settings
    assert verify(dataset, read) == []


def test_other_travel_model_is_saved_as_its_matrix(tmp_path: Path) -> None:
    """A travel model of neither built-in kind is saved as its minutes over the dataset's
    places, so the folder verifies on its own with the numbers the plan was made with."""
    dataset, _ = matrix_world()
    result = dispatch(dataset, solver="greedy", time_limit=0.5, travel=ConstantTravel())
    assert result.ok and len(result.plan.assignments) == 2
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    read = read_plan(out)
    assert isinstance(read.travel, MatrixTravel)
    assert verify(dataset, read) == []
    assert {a.travel_minutes for a in read.assignments} == {4}
    assert verify(dataset, replace(read, travel=None)) != []
