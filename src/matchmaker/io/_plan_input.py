"""The ``input_sha256`` a plan made from a dataset will carry, without making the plan.

``ops jobs`` records it for the round it exports, so that ``ops apply-plan`` can tell a
plan of that round from a plan made from another dataset.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from matchmaker.io._frames import dataset_to_frames
from matchmaker.io._plan_folder import INPUT, tree_sha256
from matchmaker.io._plan_write import _input_copy
from matchmaker.io._tables import write_tables
from matchmaker.model import Dataset

__all__ = ["input_sha256"]


def input_sha256(dataset: Dataset) -> str:
    """The ``input_sha256`` of ``plan.json`` for a plan made from ``dataset``: its input
    copy is written exactly as :func:`~matchmaker.io.write_plan` writes it, then hashed."""
    copy = _input_copy(dataset)
    with tempfile.TemporaryDirectory(prefix="matchmaker-input-") as temp:
        folder = Path(temp) / INPUT
        write_tables(dataset_to_frames(copy), folder, settings=copy.settings)
        return tree_sha256(folder)
