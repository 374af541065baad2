"""The road engine client against a fake local engine: chunking, retries, timeouts, bad
answers, the cache, modes without an engine, and a road-engine plan judged offline."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from matchmaker.compile import HaversineTravel, MatrixTravel, RoadEngineError, road_travel
from matchmaker.io import read_plan, write_plan
from matchmaker.model import RequestError
from matchmaker.plan import dispatch, verify
from tests.compile.road_server import fake_engine, seconds
from tests.matrix_world import matrix_world

POINTS = np.array([[1.30 + 0.002 * i, 103.80 + 0.003 * (i % 3)] for i in range(7)])


def _expected(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    return np.array(
        [[math.ceil(seconds(tuple(a), tuple(b)) / 60) for b in destinations] for a in origins]
    )


@pytest.mark.parametrize("kind", ["osrm", "valhalla"])
def test_a_large_table_is_asked_in_chunks(kind: str) -> None:
    """With at most 4 points a request, a 7 x 7 table takes several requests and every
    minute is the engine's seconds rounded up."""
    with fake_engine() as (engine, url):
        travel = road_travel(f"{kind}+{url}", max_locations=4)
        minutes = travel.minutes(POINTS, POINTS, "car")
        assert np.array_equal(minutes, _expected(POINTS, POINTS))
        assert len(engine.requests) >= 9
        assert travel.requests == len(engine.requests)


def test_valhalla_compact_answers_are_read() -> None:
    """Valhalla's ``{"durations": [[...]]}`` form gives the same minutes."""
    with fake_engine() as (engine, url):
        engine.valhalla_compact = True
        minutes = road_travel(f"valhalla+{url}").minutes(POINTS[:3], POINTS, "walk")
        assert np.array_equal(minutes, _expected(POINTS[:3], POINTS))


@pytest.mark.parametrize("failure", ["500", "429", "garbage", "slow"])
def test_passing_failures_are_retried(failure: str) -> None:
    """A 5xx, a 429, a body that is not JSON and a timeout are retried; the next answer
    is used."""
    with fake_engine() as (engine, url):
        engine.script = [failure]
        engine.slow_seconds = 1.0
        travel = road_travel(f"osrm+{url}", timeout=0.3, retries=2, backoff=0.0)
        minutes = travel.minutes(POINTS[:2], POINTS[:2], "car")
        assert np.array_equal(minutes, _expected(POINTS[:2], POINTS[:2]))
        assert travel.requests == 2


def test_the_client_gives_up_after_its_retries() -> None:
    """Failures on every try end in a RoadEngineError naming the engine and the cause."""
    with fake_engine() as (engine, url):
        engine.script = ["500"] * 3
        travel = road_travel(f"osrm+{url}", retries=2, backoff=0.0)
        with pytest.raises(RoadEngineError, match=r"after 3 tries.*HTTP 500"):
            travel.minutes(POINTS[:2], POINTS[:2], "car")
        assert travel.requests == 3


def test_a_refusal_is_not_retried() -> None:
    """An HTTP 400 fails at once with the engine's message."""
    with fake_engine() as (engine, url):
        engine.script = ["400"]
        travel = road_travel(f"osrm+{url}", retries=3, backoff=0.0)
        with pytest.raises(RoadEngineError, match=r"HTTP 400.*scripted failure"):
            travel.minutes(POINTS[:2], POINTS[:2], "car")
        assert travel.requests == 1


def test_an_unroutable_pair_names_its_points() -> None:
    """A ``null`` duration is an error naming both points."""
    with fake_engine() as (engine, url):
        engine.script = ["null"]
        with pytest.raises(RoadEngineError, match="no route from"):
            road_travel(f"osrm+{url}").minutes(POINTS[:2], POINTS[:2], "car")


def test_the_disk_cache_answers_a_second_run(tmp_path: Path) -> None:
    """A second model over the same cache folder asks nothing for pairs already asked,
    and only the new pairs for a wider table."""
    with fake_engine() as (engine, url):
        first = road_travel(f"osrm+{url}", cache=tmp_path)
        expected = first.minutes(POINTS[:4], POINTS[:4], "car")
        second = road_travel(f"osrm+{url}", cache=tmp_path)
        assert np.array_equal(second.minutes(POINTS[:4], POINTS[:4], "car"), expected)
        assert second.requests == 0
        wider = second.minutes(POINTS, POINTS[:4], "car")
        assert np.array_equal(wider, _expected(POINTS, POINTS[:4]))
        assert second.requests == 1
        assert "sources=0;1;2&destinations=3;4;5;6&" in engine.requests[-1]
    assert list(tmp_path.glob("*.npz"))


def test_modes_without_an_engine_use_the_default_model() -> None:
    """Transit has no engine unless named: the default model answers without a request."""
    with fake_engine() as (engine, url):
        travel = road_travel(f"osrm+{url}")
        minutes = travel.minutes(POINTS[:3], POINTS[:3], "transit")
        assert np.array_equal(minutes, HaversineTravel().minutes(POINTS[:3], POINTS[:3], "transit"))
        assert engine.requests == []
        only_walk = road_travel(f"walk=osrm+{url}")
        assert set(only_walk.endpoints) == {"walk"}
        assert only_walk.endpoints["walk"].profile == "foot"


@pytest.mark.parametrize(
    "spec", ["http://host:5000", "osrm+ftp://host", "osrm+http://", "boat=osrm+http://h:1", "x"]
)
def test_bad_addresses_are_request_errors(spec: str) -> None:
    """An address that is not KIND+http(s)://HOST with a known mode is the caller's error."""
    with pytest.raises(RequestError):
        road_travel(spec)


def test_a_road_engine_plan_is_recorded_and_judged_offline(tmp_path: Path) -> None:
    """A plan solved on a road engine is written with the engine's minutes and its address
    (asking the engine nothing more), and verify passes on the folder after the engine is
    gone."""
    dataset, _ = matrix_world()
    with fake_engine() as (_, url):
        travel = road_travel(f"{dataset.workers[0].travel_mode.value}=osrm+{url}")
        result = dispatch(dataset, solver="greedy", travel=travel, time_limit=5)
        assert result.ok
        asked = travel.requests
        write_plan(result.plan, tmp_path / "plan", dataset=dataset, policy=result.policy)
        assert travel.requests == asked  # recorded from what solving already asked
    record = json.loads((tmp_path / "plan" / "plan.json").read_text())["travel"]
    assert record["kind"] == "matrix" and url in record["source"]
    read = read_plan(tmp_path / "plan")
    assert isinstance(read.travel, MatrixTravel)
    assert verify(dataset, read) == []
    legs = {a.job_id: a.travel_minutes for a in read.assignments}
    assert legs == {a.job_id: a.travel_minutes for a in result.plan.assignments}
