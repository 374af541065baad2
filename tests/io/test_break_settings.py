"""Break rules in files: ``[[breaks]]`` tables of ``dataset.toml`` and the optional
``workers.breaks`` column: read, refused with file and line (or row and column), exit 2,
written back."""

from __future__ import annotations

import copy
from datetime import time
from pathlib import Path

from typer.testing import CliRunner

from matchmaker.io import (
    check_dataset,
    check_frames,
    dataset_to_frames,
    load_dataset,
    write_tables,
)
from matchmaker.model import Dataset, DatasetSettings, TimeWindow
from tests.cli.test_data import app
from tests.io.builders import base_tables, write_dataset

BREAKS_TOML = """timezone = "Asia/Shanghai"

[[breaks]]
name = "lunch"
min_minutes = 30
max_minutes = 60
earliest_start = "11:30"
latest_start = "14:00"
min_shift_minutes = 360

[[breaks]]
name = "tea"
min_minutes = 10
earliest_start = 15:00:00
latest_start = 16:00:00
"""


def _with_column(values: list[str]) -> dict[str, list[dict[str, str]]]:
    tables = copy.deepcopy(base_tables())
    for record, value in zip(tables["workers"], values, strict=True):
        record["breaks"] = value
    return tables


def test_break_rules_and_the_worker_column_are_read(tmp_path: Path) -> None:
    """Both rules load with their local times (quoted or TOML times); a blank cell takes
    every rule, ``none`` no break, a name that rule alone."""
    folder = write_dataset(tmp_path / "ds", _with_column(["", "none", "tea"]), toml=BREAKS_TOML)
    dataset = load_dataset(folder)
    lunch, tea = dataset.settings.breaks
    assert (lunch.name, lunch.min_minutes, lunch.longest) == ("lunch", 30, 60)
    assert (lunch.earliest_start, lunch.latest_start) == (time(11, 30), time(14))
    assert (tea.earliest_start, tea.longest, tea.min_shift_minutes) == (time(15), 10, 0)
    assert [w.breaks for w in dataset.workers] == [None, (), ("tea",)]


def test_a_bad_break_setting_names_the_file_line_and_key(tmp_path: Path) -> None:
    """``min_minutes = 0`` in the second ``[[breaks]]`` table is refused at its line of
    dataset.toml, and a max below the min at the first table's header."""
    toml = BREAKS_TOML.replace("min_minutes = 10", "min_minutes = 0").replace(
        "max_minutes = 60", "max_minutes = 20"
    )
    report = check_dataset(write_dataset(tmp_path / "ds", toml=toml))
    found = {(e.file, e.row, e.column) for e in report.errors}
    assert ("dataset.toml", 13, "breaks.1.min_minutes") in found
    assert ("dataset.toml", 3, "breaks.0") in found
    assert any("max_minutes must be >= min_minutes" in e.message for e in report.errors)


def test_an_unknown_break_key_and_a_bad_time_are_refused(tmp_path: Path) -> None:
    """A misspelt key and a time of 25:00 are errors naming their lines."""
    toml = BREAKS_TOML.replace("min_shift_minutes", "min_shift").replace('"14:00"', '"25:00"')
    report = check_dataset(write_dataset(tmp_path / "ds", toml=toml))
    found = {(e.row, e.column) for e in report.errors}
    assert (9, "breaks.0.min_shift") in found
    assert (8, "breaks.0.latest_start") in found


def test_two_rules_of_one_name_are_refused(tmp_path: Path) -> None:
    """Names must be unique (workers.breaks refers to them)."""
    toml = BREAKS_TOML.replace('name = "tea"', 'name = "lunch"')
    report = check_dataset(write_dataset(tmp_path / "ds", toml=toml))
    assert any("two break rules are named 'lunch'" in e.message for e in report.errors)


def test_an_unknown_rule_in_workers_breaks_names_row_and_column(tmp_path: Path) -> None:
    """``workers.breaks`` naming a rule dataset.toml lacks is refused at its row."""
    folder = write_dataset(tmp_path / "ds", _with_column(["", "dinner", ""]), toml=BREAKS_TOML)
    report = check_dataset(folder)
    assert [(e.file, e.row, e.column) for e in report.errors] == [("workers.csv", 3, "breaks")]
    assert "dinner" in report.errors[0].message and "lunch" in report.errors[0].message


def test_validate_exits_2_on_a_bad_break_rule(tmp_path: Path) -> None:
    """The CLI: exit 2, the file, line and key on stderr, no traceback."""
    toml = BREAKS_TOML.replace('"11:30"', '"noon"')
    folder = write_dataset(tmp_path / "ds", toml=toml)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "dataset.toml" in result.stderr and "breaks.0.earliest_start" in result.stderr
    assert "Traceback" not in result.output


def test_break_rules_and_the_column_are_written_back(tmp_path: Path) -> None:
    """Frames and write_tables give the same rules and worker choices back."""
    folder = write_dataset(tmp_path / "ds", _with_column(["", "none", "tea"]), toml=BREAKS_TOML)
    dataset = load_dataset(folder)
    cells = dataset_to_frames(dataset)["workers"]["breaks"].tolist()
    assert cells[1:] == ["none", "tea"] and not isinstance(cells[0], str)
    write_tables(dataset_to_frames(dataset), tmp_path / "copy", settings=dataset.settings)
    back = load_dataset(tmp_path / "copy")
    assert back.settings.breaks == dataset.settings.breaks
    assert [w.breaks for w in back.workers] == [None, (), ("tea",)]


def test_a_pin_that_leaves_no_room_for_the_break_is_refused() -> None:
    """J1 pinned to W1 from 10:00 to 14:00 covers the whole lunch window: the pin is
    invalid input, named by the jobs table's row and pinned_worker_id; pinned at 13:00
    it leaves room (the break before it) and loads."""
    from tests.rules.test_breaks import LUNCH
    from tests.rules.world import at, job, shift, worker, world

    def round_(hour: int) -> Dataset:
        return world(
            workers=[worker("W1", shifts=(shift(8, 18),))],
            jobs=[
                job(
                    "J1",
                    window=TimeWindow(start=at(9), end=at(14)),
                    duration_minutes=240,
                    pinned_worker_ids=("W1",),
                    pinned_start=at(hour),
                )
            ],
            settings=DatasetSettings(breaks=(LUNCH,)),
        )

    blocked = round_(10)
    report = check_frames(dataset_to_frames(blocked), settings=blocked.settings, pins=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "pinned_worker_id")]
    assert "no room for the breaks" in report.errors[0].message
    free = round_(13)
    assert check_frames(dataset_to_frames(free), settings=free.settings, pins=True).ok
