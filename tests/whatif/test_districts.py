"""Districts: nearest named centre or grid cell, and the districts CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchmaker.generate import DISTRICTS
from matchmaker.model import Location, RequestError
from matchmaker.whatif import Districts, read_districts

ROOT = Path(__file__).resolve().parents[2]


def test_named_districts_pick_the_nearest_centre() -> None:
    """Each point gets the name of the nearest centre."""
    districts = Districts.named({"west": (31.2, 121.4), "east": Location(lat=31.2, lon=121.6)})
    points = np.array([[31.21, 121.41], [31.19, 121.58]])
    assert districts.of(points) == ["west", "east"]
    assert districts.centre("east", points) == Location(lat=31.2, lon=121.6)


def test_grid_cells_group_close_points_and_name_their_corner() -> None:
    """Without names, points in one 5 km cell share a name; a new worker of the cell lives
    at its centre."""
    districts = Districts()
    names = districts.of(np.array([[31.22, 121.451], [31.221, 121.452], [31.40, 121.45]]))
    assert names[0] == names[1] != names[2]
    assert names[0].startswith("grid 31.")
    centre = districts.centre(names[0], np.array([[31.22, 121.451]]))
    assert districts.of(np.array([[centre.lat, centre.lon]])) == [names[0]]


def test_bundled_districts_file_reads(tmp_path: Path) -> None:
    """datasets/districts.csv names the generator's districts; a bad file names the row
    and column."""
    districts = read_districts(ROOT / "datasets" / "districts.csv")
    assert {name: (c.lat, c.lon) for name, c in districts.centres.items()} == DISTRICTS
    bad = tmp_path / "d.csv"
    bad.write_text("name,lat,lon\nA,31.2,121.4\nB,north,121.4\n", encoding="utf-8")
    with pytest.raises(RequestError, match="row 3, column lat"):
        read_districts(bad)
    bad.write_text("name,lat\nA,31.2\n", encoding="utf-8")
    with pytest.raises(RequestError, match="missing column"):
        read_districts(bad)
    with pytest.raises(RequestError, match="not found"):
        read_districts(tmp_path / "none.csv")
