"""write_placements: the four files, atomically, never over someone else's folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.model import OutputExistsError
from matchmaker.placement import (
    PLACEMENT_COLUMNS,
    SHORTLIST_COLUMNS,
    UNFILLED_COLUMNS,
    match_placements,
    verify_placements,
    write_placements,
)
from tests.placement_world import placement_world, postpartum


def test_a_round_writes_four_files_in_their_columns(tmp_path: Path) -> None:
    """placements.csv, shortlists.csv, unfilled.csv with their columns and kpis.json."""
    world = placement_world(requests=[postpartum("P1"), postpartum("P2")])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    out = write_placements(plan, tmp_path / "round")
    assert sorted(p.name for p in out.iterdir()) == [
        "kpis.json",
        "placements.csv",
        "shortlists.csv",
        "unfilled.csv",
    ]
    assert tuple(pd.read_csv(out / "placements.csv").columns) == PLACEMENT_COLUMNS
    assert tuple(pd.read_csv(out / "shortlists.csv").columns) == SHORTLIST_COLUMNS
    assert tuple(pd.read_csv(out / "unfilled.csv").columns) == UNFILLED_COLUMNS
    assert json.loads((out / "kpis.json").read_text())["requests_total"] == 2
    write_placements(plan, out)  # a placement folder is replaced
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    """A folder holding anything else is never written into."""
    world = placement_world()
    plan = match_placements(world, time_limit=5)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError):
        write_placements(plan, out)
    assert (out / "notes.txt").read_text() == "keep me"
