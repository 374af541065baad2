"""The road engine client against real OSRM and Valhalla servers built over a synthetic
street grid (tests/compile/road_engines.py): real durations, chunked tables, a plan solved
on them and judged offline from its folder, and the command line's ``--travel-engine``.

The Valhalla test runs with ``MATCHMAKER_VALHALLA_TEST=1`` (``make test-roads``, which CI
runs): its wheel is 250 MB."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.compile import MatrixTravel, coordinates, road_travel
from matchmaker.io import dataset_to_frames, read_plan, write_plan, write_tables
from matchmaker.model import Dataset, Location, TimeWindow
from matchmaker.plan import dispatch, verify
from tests.compile.road_engines import (
    GRID_LAT,
    GRID_LON,
    GRID_SIZE,
    GRID_STEP,
    osrm_server,
    python312,
    valhalla_server,
)
from tests.rules.world import at, job, worker, world

pytestmark = pytest.mark.roads
runner = CliRunner()


def _corner(i: int, j: int) -> Location:
    return Location(lat=GRID_LAT + i * GRID_STEP, lon=GRID_LON + j * GRID_STEP)


def _python312() -> str:
    interpreter = python312()
    if interpreter is None:
        pytest.skip(
            "no Python 3.12 found (python3.12 on PATH or pyenv): the engines' wheels need it"
        )
    return interpreter


@pytest.fixture(scope="module")
def osrm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with osrm_server(tmp_path_factory.mktemp("osrm"), _python312()) as url:
        yield url


@pytest.fixture(scope="module")
def valhalla(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("MATCHMAKER_VALHALLA_TEST") != "1":
        pytest.skip(
            "the Valhalla engine test runs with MATCHMAKER_VALHALLA_TEST=1 (make test-roads)"
        )
    with valhalla_server(tmp_path_factory.mktemp("valhalla"), _python312()) as url:
        yield url


def _grid_round() -> Dataset:
    """Three car workers at grid corners and twelve one-hour jobs at crossings."""
    workers = [
        worker(f"W{k}", home=_corner(i, j)) for k, (i, j) in enumerate([(0, 0), (7, 7), (0, 7)])
    ]
    jobs = [
        job(
            f"J{k:02d}",
            location=_corner((3 * k) % GRID_SIZE, (5 * k + 1) % GRID_SIZE),
            window=TimeWindow(start=at(8) + timedelta(minutes=40 * (k % 6)), end=at(15)),
        )
        for k in range(12)
    ]
    return world(workers=workers, jobs=jobs)


def test_minutes_are_the_engines_durations_rounded_up(osrm: str) -> None:
    """Chunked requests (at most 6 points each) give OSRM's own /table durations, rounded
    up to whole minutes; a street trip is longer than the straight line at car speed."""
    points = coordinates([_corner(i, (2 * i) % GRID_SIZE) for i in range(GRID_SIZE)])
    travel = road_travel(f"car=osrm+{osrm}", max_locations=6)
    minutes = travel.minutes(points, points, "car")
    assert travel.requests > 4
    coords = ";".join(f"{lon:.5f},{lat:.5f}" for lat, lon in points.tolist())
    with urllib.request.urlopen(f"{osrm}/table/v1/driving/{coords}", timeout=10) as answer:
        durations = np.array(json.loads(answer.read())["durations"], dtype=np.float64)
    assert np.array_equal(minutes, np.ceil(durations / 60).astype(np.int32))
    assert minutes[0, GRID_SIZE - 1] > minutes[0, 1] > 0
    assert np.all(np.diag(minutes) == 0)


def test_a_plan_on_real_roads_is_judged_offline(osrm: str, tmp_path: Path) -> None:
    """A round solved on the engine is verified, written with the engine's minutes, and
    verified again from its folder without the engine (an address nobody answers)."""
    dataset = _grid_round()
    travel = road_travel(f"car=osrm+{osrm}", cache=tmp_path / "cache")
    result = dispatch(dataset, solver="routing", travel=travel, time_limit=10, deterministic=True)
    assert result.ok and result.plan.kpis["jobs_served"] > 0
    write_plan(result.plan, tmp_path / "plan", dataset=dataset, policy=result.policy)
    read = read_plan(tmp_path / "plan")
    assert isinstance(read.travel, MatrixTravel)
    assert verify(dataset, read) == []
    first_legs = [a for a in read.assignments if a.sequence == 1]
    assert first_legs
    for leg in first_legs:
        home = coordinates([dataset.worker(leg.worker_id).home])
        place = coordinates([dataset.job(leg.job_id).location])
        assert leg.travel_minutes == int(travel.minutes(home, place, "car")[0, 0])


def test_the_command_line_dispatches_on_the_engine(osrm: str, tmp_path: Path) -> None:
    """``dispatch --travel-engine`` plans on the engine; ``verify`` then needs no option."""
    folder = tmp_path / "data"
    dataset = _grid_round()
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    plan = tmp_path / "plan"
    made = runner.invoke(
        app,
        [
            "dispatch", str(folder), "--out", str(plan), "--solver", "greedy",
            "--travel-engine", f"car=osrm+{osrm}", "--travel-cache", str(tmp_path / "cache"),
        ],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    record = json.loads((plan / "plan.json").read_text())["travel"]
    assert record["kind"] == "matrix" and osrm in record["source"]
    checked = runner.invoke(app, ["verify", str(folder), str(plan)])
    assert checked.exit_code == 0, checked.output


def test_valhalla_minutes_come_from_its_matrix(valhalla: str, tmp_path: Path) -> None:
    """Valhalla's sources_to_targets, asked in chunks, gives street minutes (rounded up),
    0 on the diagonal and longer for farther corners; a plan on it verifies offline."""
    points = coordinates([_corner(i, (2 * i) % GRID_SIZE) for i in range(GRID_SIZE)])
    travel = road_travel(f"car=valhalla+{valhalla}", max_locations=6)
    minutes = travel.minutes(points, points, "car")
    assert travel.requests > 4
    assert np.all(np.diag(minutes) == 0)
    assert minutes[0, GRID_SIZE - 1] > minutes[0, 1] > 0
    dataset = _grid_round()
    result = dispatch(dataset, solver="greedy", travel=travel, time_limit=10)
    assert result.ok and result.plan.kpis["jobs_served"] > 0
    write_plan(result.plan, tmp_path / "plan", dataset=dataset, policy=result.policy)
    assert verify(dataset, read_plan(tmp_path / "plan")) == []
