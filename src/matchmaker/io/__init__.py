"""Dataset and plan files: read, validate and write dataset contract v1 and plan folders.

A dataset is a folder of tables (``workers``, ``jobs`` and the optional ``customers`` and
``availability``), each a ``.csv``, ``.parquet``, ``.json`` (a list of records) or
``.xlsx`` file, plus an optional ``dataset.toml``. The same tables may be given as
DataFrames. Validation reports every problem with file, row and column; rows are numbered
as a spreadsheet shows them (header = row 1, first data row = row 2; JSON record ``i``,
counting from 0, is row ``i + 2``).
"""

from __future__ import annotations

from matchmaker.io._cells import CellError, parse_datetime
from matchmaker.io._folders import recover as recover_folder
from matchmaker.io._folders import staging_folder, swap_into_place
from matchmaker.io._frames import (
    LIMIT_WORKER_COLUMNS,
    PLACEMENT_WORKER_COLUMNS,
    dataset_to_frames,
)
from matchmaker.io._loading import (
    ValidationReport,
    check_dataset,
    check_frames,
    dataset_from_frames,
    load_dataset,
)
from matchmaker.io._matrix_file import (
    MATRIX_COLUMNS,
    MissingPairs,
    TravelMatrixFile,
    load_travel_matrix,
)
from matchmaker.io._pins import check_pin_travel, check_pins
from matchmaker.io._plan_input import input_sha256
from matchmaker.io._plan_read import load_plan_input, load_plan_policy, read_plan
from matchmaker.io._plan_write import check_output_folder, write_plan
from matchmaker.io._schemas import EXTENSION_COLUMNS, contract_columns, input_json_schemas
from matchmaker.io._settings_file import load_settings
from matchmaker.io._summary import DatasetSummary, summarize
from matchmaker.io._tables import write_tables
from matchmaker.io._travel_source import TravelChoice, choose_travel

# A plan's tables belong to the plan layer; matchmaker.io keeps offering them beside the
# plan folder they are written to.
from matchmaker.plan import ASSIGNMENT_COLUMNS, UNASSIGNED_COLUMNS, WORKER_COLUMNS, plan_to_frames

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "EXTENSION_COLUMNS",
    "LIMIT_WORKER_COLUMNS",
    "MATRIX_COLUMNS",
    "PLACEMENT_WORKER_COLUMNS",
    "UNASSIGNED_COLUMNS",
    "WORKER_COLUMNS",
    "CellError",
    "DatasetSummary",
    "MissingPairs",
    "TravelChoice",
    "TravelMatrixFile",
    "ValidationReport",
    "check_dataset",
    "check_frames",
    "check_output_folder",
    "check_pin_travel",
    "check_pins",
    "choose_travel",
    "contract_columns",
    "dataset_from_frames",
    "dataset_to_frames",
    "input_json_schemas",
    "input_sha256",
    "load_dataset",
    "load_plan_input",
    "load_plan_policy",
    "load_settings",
    "load_travel_matrix",
    "parse_datetime",
    "plan_to_frames",
    "read_plan",
    "recover_folder",
    "staging_folder",
    "summarize",
    "swap_into_place",
    "write_plan",
    "write_tables",
]
