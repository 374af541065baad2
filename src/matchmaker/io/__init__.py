"""Dataset input and output: read, validate and write the tables of dataset contract v1.

A dataset is a folder of tables (``workers``, ``jobs`` and the optional ``customers`` and
``availability``), each a ``.csv``, ``.parquet``, ``.json`` (a list of records) or
``.xlsx`` file, plus an optional ``dataset.toml``. The same tables may be given as
DataFrames. Validation reports every problem with file, row and column; rows are numbered
as a spreadsheet shows them (header = row 1, first data row = row 2; JSON record ``i``,
counting from 0, is row ``i + 2``).
"""

from __future__ import annotations

from matchmaker.io.frames import dataset_to_frames
from matchmaker.io.loading import (
    ValidationReport,
    check_dataset,
    check_frames,
    dataset_from_frames,
    load_dataset,
)
from matchmaker.io.schemas import input_json_schemas
from matchmaker.io.settings_file import load_settings
from matchmaker.io.summary import DatasetSummary, summarize
from matchmaker.io.tables import write_tables

__all__ = [
    "DatasetSummary",
    "ValidationReport",
    "check_dataset",
    "check_frames",
    "dataset_from_frames",
    "dataset_to_frames",
    "input_json_schemas",
    "load_dataset",
    "load_settings",
    "summarize",
    "write_tables",
]
