"""Fixtures shared by the solver tests."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest


@pytest.fixture
def no_child_left() -> Iterator[None]:
    """The test ends with no search helper process alive."""
    yield
    assert multiprocessing.active_children() == []
