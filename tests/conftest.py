"""Fixtures every test may use: the small named worlds of :mod:`tests.worlds`.

Plain constants and helpers used at import time (``TZ``, ``DAY``, ``at``) live in
:mod:`tests.clock`; import them from there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.model import Dataset
from tests import worlds
from tests.io.builders import Tables, write_dataset


@pytest.fixture
def ok_small() -> Dataset:
    """3 workers, 5 one-worker jobs; every job servable (see :func:`tests.worlds.ok_small`)."""
    return worlds.ok_small()


@pytest.fixture
def ok_team() -> Dataset:
    """3 workers, one 2-worker team job and one solo job."""
    return worlds.ok_team()


@pytest.fixture
def ok_tables() -> Tables:
    """The valid base tables of the io tests, as text cells."""
    return worlds.ok_tables()


@pytest.fixture
def ok_folder(tmp_path: Path, ok_tables: Tables) -> Path:
    """``ok_tables`` written as a CSV dataset folder."""
    return write_dataset(tmp_path / "ok", ok_tables)
