"""A round solved as zones or days on a real Dask LocalCluster gives the very plan of the
serial run with the same seed (deterministic mode); the executor helper's errors."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames, load_dataset, read_plan, write_tables
from matchmaker.model import Dataset, RequestError
from matchmaker.plan import DispatchResult, dispatch, open_executor, verify

pytest.importorskip("distributed")
runner = CliRunner()


@cache
def _week() -> Dataset:
    return dataset_from_frames(generate_frames(workers=24, jobs=80, seed=9, days=3))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Executor]:
    with open_executor(workers=2, processes=False) as executor:
        assert executor is not None
        yield executor


def _same(a: DispatchResult, b: DispatchResult) -> None:
    assert a.ok and b.ok
    assert a.plan.assignments == b.plan.assignments
    assert a.plan.unassigned == b.plan.unassigned
    assert a.plan.kpis["objective"] == b.plan.kpis["objective"]


@pytest.mark.parametrize("split", ["zones", "days"])
def test_a_cluster_gives_the_serial_plan(cluster: Executor, split: str) -> None:
    """Zones and days solved on two Dask workers equal the same pieces solved one after
    another here, for the same seed, and pass the verifier."""
    dataset = _week()
    options = {"split": split, "zones": 2, "time_limit": 60.0, "seed": 4, "deterministic": True}
    serial = dispatch(dataset, **options)  # type: ignore[arg-type]
    spread = dispatch(dataset, executor=cluster, **options)  # type: ignore[arg-type]
    _same(serial, spread)
    assert spread.solution.stats["pieces"] >= 2
    assert verify(dataset, spread.plan) == []


def test_an_executor_alone_splits_by_zones(cluster: Executor) -> None:
    """Given only an executor, dispatch cuts the round into zones."""
    result = dispatch(_week(), solver="greedy", executor=cluster, zones=3, seed=1)
    assert result.ok
    assert result.solution.stats.get("split_zones") == result.solution.stats["pieces"]


def test_executor_requests_are_checked() -> None:
    """Both an address and workers, a malformed address or zero workers are refused."""
    for kwargs in ({"address": "dask://h:1", "workers": 2}, {"address": "h:1"}, {"workers": 0}):
        with pytest.raises(RequestError), open_executor(**kwargs):  # type: ignore[arg-type]
            pass
    with open_executor() as nothing:
        assert nothing is None


def test_a_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without dask[distributed] the error says which extra to install."""
    import importlib

    real = importlib.import_module

    def without_dask(name: str, package: str | None = None) -> object:
        if name == "distributed":
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_dask)
    with pytest.raises(RequestError, match=r"matchmaker\[dask\]"), open_executor(workers=1):
        pass


def test_the_command_line_spreads_days_over_local_workers(tmp_path: Path) -> None:
    """``dispatch --workers 2 --split days`` writes a verified plan."""
    folder = tmp_path / "data"
    dataset = _week()
    from matchmaker.io import dataset_to_frames

    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    plan = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            "dispatch", str(folder), "--out", str(plan), "--workers", "2", "--split", "days",
            "--solver", "greedy", "--seed", "1",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert verify(load_dataset(folder), read_plan(plan)) == []
