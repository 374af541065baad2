"""dataset.toml's ``[travel_source]``: read, written back, checked, and used by
``choose_travel`` when nothing else names a model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from matchmaker.compile import RoadTravel
from matchmaker.io import choose_travel, load_settings
from matchmaker.io._settings_file import settings_to_toml
from matchmaker.model import DatasetError, DatasetSettings, TravelSource
from tests.matrix_world import matrix_world


def test_travel_source_round_trips_through_dataset_toml(tmp_path: Path) -> None:
    """A matrix file and its missing-pairs choice survive writing and reading the file."""
    settings = DatasetSettings(travel_source=TravelSource(matrix="travel.csv", missing="error"))
    path = tmp_path / "dataset.toml"
    path.write_text(settings_to_toml(settings), encoding="utf-8")
    assert load_settings(path) == settings


def test_a_matrix_and_an_engine_at_once_are_refused(tmp_path: Path) -> None:
    """dataset.toml may name a matrix file or a road engine, not both."""
    path = tmp_path / "dataset.toml"
    path.write_text(
        '[travel_source]\nmatrix = "t.csv"\nengine = "osrm+http://127.0.0.1:5000"\n',
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match="not both"):
        load_settings(path)


def test_dataset_toml_can_name_a_road_engine(tmp_path: Path) -> None:
    """``engine`` (with a cache folder relative to the dataset) gives a RoadTravel for the
    engine's modes; nothing is asked before the model is used."""
    dataset, _ = matrix_world()
    source = TravelSource(engine="osrm+http://127.0.0.1:5000", cache=".cache")
    dataset = replace(dataset, settings=DatasetSettings(travel_source=source))
    chosen = choose_travel(dataset, folder=tmp_path)
    assert isinstance(chosen.model, RoadTravel)
    assert chosen.model.cache == tmp_path / ".cache"
    assert set(chosen.model.endpoints) == {"car", "bike", "walk"}
    assert choose_travel(dataset).model is None  # without the folder, no dataset source
