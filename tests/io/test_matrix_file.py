"""Travel matrix files: a long table of minutes between worker homes and job places."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matchmaker.compile import HaversineTravel, coordinates
from matchmaker.io import choose_travel, load_travel_matrix
from matchmaker.model import Dataset, DatasetError, RequestError
from tests.matrix_world import FAR, FAR2, matrix_world
from tests.rules.world import HOME

LEGS = [("W1", "J1", 5), ("W1", "J2", 6), ("J1", "J2", 3), ("J2", "J1", 3)]


def _write(path: Path, rows: list[tuple[object, ...]], columns: list[str]) -> Path:
    frame = pd.DataFrame(rows, columns=columns)
    if path.suffix == ".parquet":
        frame.astype(str).to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.fixture
def dataset() -> Dataset:
    return matrix_world()[0]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_given_pairs_are_used_and_missing_ones_come_from_the_default(
    dataset: Dataset, tmp_path: Path, suffix: str
) -> None:
    """The file's minutes (rounded up) hold for its pairs; the pairs the solver asks for
    that it lacks get the default model's minutes and are counted."""
    rows = [(a, b, "car", m - 0.5) for a, b, m in LEGS]
    loaded = load_travel_matrix(
        _write(tmp_path / f"travel{suffix}", rows, ["from_id", "to_id", "mode", "minutes"]),
        dataset,
    )
    points = coordinates([HOME, FAR, FAR2])
    car = loaded.travel.minutes(points, points, "car")
    assert car[0, 1] == 5 and car[0, 2] == 6 and car[1, 2] == 3 and car[2, 1] == 3
    assert car[1, 1] == 0
    walk = loaded.travel.minutes(points, points, "walk")
    default = HaversineTravel(dataset.settings.travel).minutes(points, points, "walk")
    assert np.array_equal(walk, default)
    mode = dataset.workers[0].travel_mode.value
    # Home to two jobs and the two jobs to each other, in the worker's mode, minus given.
    expected = 4 - sum(1 for _ in LEGS) if mode == "car" else 4
    assert loaded.filled == expected
    assert loaded.rows == 4


def test_a_file_without_a_mode_column_holds_for_every_mode(
    dataset: Dataset, tmp_path: Path
) -> None:
    """Without ``mode`` each row gives the minutes of every travel mode."""
    loaded = load_travel_matrix(
        _write(tmp_path / "t.csv", LEGS, ["from_id", "to_id", "minutes"]), dataset
    )
    points = coordinates([HOME, FAR])
    for mode in ("walk", "bike", "transit", "car"):
        assert loaded.travel.minutes(points, points, mode)[0, 1] == 5
    assert loaded.filled == 0


def test_missing_pairs_can_be_an_error(dataset: Dataset, tmp_path: Path) -> None:
    """With ``missing="error"`` a file lacking a needed pair is refused, naming it."""
    path = _write(tmp_path / "t.csv", LEGS[:2], ["from_id", "to_id", "minutes"])
    with pytest.raises(DatasetError) as caught:
        load_travel_matrix(path, dataset, missing="error")
    text = str(caught.value)
    assert "t.csv" in text and "from J1 to J2" in text and "2 pair(s)" in text


def test_bad_rows_are_reported_with_file_row_and_column(dataset: Dataset, tmp_path: Path) -> None:
    """Unknown ids, bad minutes and unknown modes are each named by file, row and column."""
    rows = [
        ("W1", "J1", "car", "5"),
        ("W9", "J1", "car", "5"),
        ("W1", "J2", "car", "-1"),
        ("J1", "J2", "boat", "3"),
        ("J2", "J1", "car", "soon"),
    ]
    path = _write(tmp_path / "t.csv", rows, ["from_id", "to_id", "mode", "minutes"])
    with pytest.raises(DatasetError) as caught:
        load_travel_matrix(path, dataset)
    found = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert found == {
        ("t.csv", 3, "from_id"),
        ("t.csv", 4, "minutes"),
        ("t.csv", 5, "mode"),
        ("t.csv", 6, "minutes"),
    }


def test_a_missing_column_and_a_missing_file_are_reported(dataset: Dataset, tmp_path: Path) -> None:
    """A file without ``minutes`` names the column on row 1; no file is an error too."""
    path = _write(tmp_path / "t.csv", [("W1", "J1")], ["from_id", "to_id"])
    with pytest.raises(DatasetError) as caught:
        load_travel_matrix(path, dataset)
    assert [(i.row, i.column) for i in caught.value.issues] == [(1, "minutes")]
    with pytest.raises(DatasetError, match="not found"):
        load_travel_matrix(tmp_path / "nope.csv", dataset)


def test_two_rows_for_one_pair_must_agree(dataset: Dataset, tmp_path: Path) -> None:
    """The same pair and mode twice with other minutes is refused, naming both rows."""
    rows = [("W1", "J1", "car", 5), ("W1", "J1", "car", 5), ("W1", "J1", "car", 9)]
    path = _write(tmp_path / "t.csv", rows, ["from_id", "to_id", "mode", "minutes"])
    with pytest.raises(DatasetError) as caught:
        load_travel_matrix(path, dataset)
    (issue,) = caught.value.issues
    assert issue.row == 4 and "row 3" in issue.message


def test_choose_travel_prefers_the_command_line_then_the_plan_then_dataset_toml(
    dataset: Dataset, tmp_path: Path
) -> None:
    """An explicit file wins over the plan's record, the record over dataset.toml; both a
    file and an engine at once are refused."""
    path = _write(tmp_path / "t.csv", LEGS, ["from_id", "to_id", "minutes"])
    recorded = HaversineTravel()
    assert choose_travel(dataset, matrix=path, recorded=recorded).model is not recorded
    assert choose_travel(dataset, recorded=recorded).model is recorded
    assert choose_travel(dataset).model is None
    with pytest.raises(RequestError):
        choose_travel(dataset, matrix=path, engine="osrm+http://127.0.0.1:9")


def test_pins_are_checked_again_with_the_chosen_travel_model() -> None:
    """A pin that fits with straight lines but not with a slow matrix is refused (naming
    the pinned worker column) before anything is solved; it fits with the default."""
    from matchmaker.compile import MatrixTravel
    from matchmaker.io import check_pin_travel
    from tests.rules.world import NEAR, at, job, world

    dataset = world(jobs=[job("J1", pinned_worker_ids=("W1",), pinned_start=at(9))])
    assert check_pin_travel(dataset, HaversineTravel()) == []
    slow = MatrixTravel([HOME, NEAR], [[0, 120], [120, 0]])
    (issue,) = check_pin_travel(dataset, slow)
    assert issue.column == "pinned_worker_id" and "W1" in issue.message
