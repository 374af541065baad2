"""dataset.toml: validation with issues naming the key, and writing it back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from matchmaker.io import check_dataset, load_settings
from matchmaker.io._settings_file import settings_to_toml
from matchmaker.model import DatasetError, DatasetSettings, Policy, ScoreWeights, TravelSettings
from tests.io.builders import DAY, base_tables, with_cell, write_dataset


def test_a_valid_file_gives_its_settings(tmp_path: Path) -> None:
    """Timezone, a partial travel table and a policy table are read."""
    path = tmp_path / "dataset.toml"
    path.write_text(
        'timezone = "Asia/Shanghai"\n[travel]\ndetour_factor = 1.5\n[travel.speed_kmh]\n'
        "car = 30.0\n[policy]\nstrict_priority = true\n"
    )
    settings = load_settings(path)
    assert settings.timezone == "Asia/Shanghai"
    assert settings.travel.detour_factor == 1.5
    assert settings.travel.speed_kmh == {"walk": 4.5, "bike": 12.0, "transit": 20.0, "car": 30.0}
    assert settings.policy.strict_priority


@pytest.mark.parametrize(
    ("content", "column"),
    [
        ('timezone = "Mars/Olympus"\n', "timezone"),
        ('timezon = "Asia/Shanghai"\n', "timezon"),
        ("[travel]\ndetour_factor = -1\n", "travel.detour_factor"),
        ("[travel.speed_kmh]\nboat = 9.0\n", "travel.speed_kmh"),
        ("[policy]\nrating_prior_mean = 9\n", "policy.rating_prior_mean"),
        ("timezone = \n", None),
    ],
)
def test_invalid_settings_are_issues_naming_the_key(
    content: str, column: str | None, tmp_path: Path
) -> None:
    """Each bad setting is an Issue on dataset.toml with the dotted key as column, no row."""
    path = tmp_path / "dataset.toml"
    path.write_text(content)
    with pytest.raises(DatasetError) as raised:
        load_settings(path)
    assert [(i.file, i.row, i.column) for i in raised.value.errors] == [
        ("dataset.toml", None, column)
    ]


def test_settings_issues_are_part_of_the_dataset_report(tmp_path: Path) -> None:
    """A bad dataset.toml fails the dataset; its valid timezone still applies to the tables."""
    tables = with_cell(base_tables(), "jobs", 2, "earliest_start", f"{DAY}T09:00:00")
    folder = write_dataset(
        tmp_path / "ds", tables, toml='timezone = "Asia/Shanghai"\nunknown_key = 1\n'
    )
    report = check_dataset(folder)
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        ("dataset.toml", None, "unknown_key")
    ]


def test_settings_are_written_as_toml_that_reads_back(tmp_path: Path) -> None:
    """settings_to_toml writes only what differs from the defaults, and reads back equal."""
    settings = DatasetSettings(
        timezone="Europe/Berlin",
        travel=TravelSettings(detour_factor=1.4, speed_kmh={"car": 31.5}),
        policy=Policy(
            score_weights=ScoreWeights(rating=40, experience=5),
            priority_weights={1: 1, 2: 3, 3: 9, 4: 27, 5: 81},
        ),
    )
    text = settings_to_toml(settings)
    path = tmp_path / "dataset.toml"
    path.write_text(text)
    assert load_settings(path) == settings
    assert "earth_radius_km" not in text
    assert tomllib.loads(settings_to_toml(DatasetSettings())) == {}
