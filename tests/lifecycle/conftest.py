"""Shared fixtures of the lifecycle tests: a store and operations on a small world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy

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
