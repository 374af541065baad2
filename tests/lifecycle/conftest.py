"""Shared fixtures of the lifecycle tests: a store and operations on a small world."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, SqlStore, open_store
from tests import pg_cluster as pg_cluster_module

from . import scenario
from .factory import world


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "ops.db", durable=False) as opened:
        yield opened


@pytest.fixture
def ops(store: EventStore) -> Operations:
    operations = Operations(store, OpsPolicy())
    operations.submit(world())
    return operations


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg_cluster_module.Cluster]:
    """A throwaway PostgreSQL cluster for the session (skips, saying why, without one)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install 'matchmaker[postgres]'")
    cluster = pg_cluster_module.start()
    if isinstance(cluster, str):
        pytest.skip(cluster)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store goes, once per backend: an SQLite file, or a fresh schema of the
    test cluster (``postgresql://...?options=-csearch_path%3D<schema>``)."""
    if request.param == "sqlite":
        return str(tmp_path / "ops.db")
    cluster: pg_cluster_module.Cluster = request.getfixturevalue("pg_cluster")
    return cluster.url(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def any_store(store_location: str) -> Iterator[SqlStore]:
    """A new store on each backend."""
    with open_store(store_location, durable=False) as opened:
        yield opened


@pytest.fixture
def history(any_store: SqlStore) -> Operations:
    """A seeded random history (orders, visits through every state, money, complaints,
    follow-ups) in a store of each backend."""
    ops = Operations(any_store, OpsPolicy())
    scenario.run(ops)
    return ops
