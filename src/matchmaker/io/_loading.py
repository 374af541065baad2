"""Loading a dataset folder (or DataFrames) into a :class:`~matchmaker.model.Dataset`.

Validation collects every problem before it fails: table shape (columns, rows), every
cell of every row (pydantic row models), rules within a row, then rules across rows and
tables (:mod:`matchmaker.io._checks`). Only a dataset with no error is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from matchmaker.io._build import build_dataset
from matchmaker.io._checks import ROW_CHECKS, TABLE_CHECKS, oversized_rows
from matchmaker.io._dataset_checks import DATASET_CHECKS, ParsedTables
from matchmaker.io._pins import check_pins
from matchmaker.io._schemas import (
    REQUIRED_TABLES,
    ROW_MODELS,
    TABLE_NAMES,
    AvailabilityRow,
    CustomerRow,
    JobRow,
    PlacementRequestRow,
    WorkerRow,
)
from matchmaker.io._settings_file import SETTINGS_FILE, read_settings
from matchmaker.io._tables import RawTable, find_tables, read_table, table_stems, text_frame
from matchmaker.model import (
    Dataset,
    DatasetError,
    DatasetSettings,
    DomainError,
    Issue,
    rule_names,
)

__all__ = [
    "ValidationReport",
    "check_dataset",
    "check_frames",
    "dataset_from_frames",
    "load_dataset",
]


@dataclass(frozen=True, kw_only=True)
class ValidationReport:
    """The outcome of validating a dataset.

    ``dataset`` is ``None`` when there is an error; ``issues`` holds every error and
    warning, ordered by file, row and column; ``tables`` counts the rows of each table read.
    """

    dataset: Dataset | None
    issues: tuple[Issue, ...]
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors


def check_dataset(path: str | Path) -> ValidationReport:
    """Validate the dataset folder at ``path`` without raising for bad data.

    Raises ``FileNotFoundError`` / ``NotADirectoryError`` only when the folder itself is
    missing.
    """
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"dataset folder {folder} not found")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder; a dataset is a folder of tables")
    files, issues = find_tables(folder)
    settings = DatasetSettings()
    settings_path = folder / SETTINGS_FILE
    if settings_path.is_file():
        settings, settings_issues = read_settings(settings_path)
        issues += settings_issues
    tables: dict[str, RawTable] = {}
    for name, file in files.items():
        table, read_issues = read_table(file, name)
        issues += read_issues
        if table is not None:
            tables[name] = table
    # Tables whose file is there but was not read (two formats, unreadable): checks that
    # need them are skipped instead of reporting every reference to them as unknown.
    unreadable = table_stems(folder) - set(tables)
    return _validate(tables, frozenset(unreadable), settings, issues, missing_hint=True, pins=True)


def load_dataset(path: str | Path) -> Dataset:
    """Load and validate the dataset folder at ``path``.

    Raises :class:`~matchmaker.model.DatasetError` holding every error found (and the
    warnings) when the dataset is invalid.
    """
    report = check_dataset(path)
    if report.dataset is None:
        raise DatasetError(report.issues)
    return report.dataset


def check_frames(
    frames: Mapping[str, pd.DataFrame],
    *,
    settings: DatasetSettings | None = None,
    pins: bool = False,
) -> ValidationReport:
    """Validate tables given as DataFrames (keys ``workers``, ``jobs``, ...) without raising.

    Cells may hold text or typed values (numbers, datetimes, lists); file names in the
    issues are the table names. With ``pins``, a pin that breaks a hard rule is an error
    as it is for a dataset folder (:mod:`matchmaker.io._pins`); without, such pins are
    loaded as they are (``ops jobs`` loads them so as to release them).
    """
    issues: list[Issue] = []
    tables: dict[str, RawTable] = {}
    for name, frame in frames.items():
        if name not in TABLE_NAMES:
            issues.append(
                Issue(
                    file=str(name),
                    row=None,
                    column=None,
                    value=None,
                    message=f"is not a dataset table; tables are {', '.join(TABLE_NAMES)}",
                )
            )
            continue
        tables[name] = RawTable(name=name, file=name, frame=text_frame(frame))
    return _validate(tables, frozenset(), settings or DatasetSettings(), issues, pins=pins)


def dataset_from_frames(
    frames: Mapping[str, pd.DataFrame],
    *,
    settings: DatasetSettings | None = None,
    pins: bool = False,
) -> Dataset:
    """Build a dataset from DataFrames with the validation of :func:`load_dataset` (the
    pins checked only with ``pins``, see :func:`check_frames`)."""
    report = check_frames(frames, settings=settings, pins=pins)
    if report.dataset is None:
        raise DatasetError(report.issues)
    return report.dataset


def _validate(
    tables: dict[str, RawTable],
    unreadable: frozenset[str],
    settings: DatasetSettings,
    issues: list[Issue],
    *,
    missing_hint: bool = False,
    pins: bool,
) -> ValidationReport:
    counts = {name: tables[name].rows for name in TABLE_NAMES if name in tables}
    for name in REQUIRED_TABLES:
        if name not in tables and name not in unreadable:
            files = f"add {name}.csv (or .parquet, .json, .xlsx)" if missing_hint else ""
            issues.append(
                Issue(
                    file=name,
                    row=None,
                    column=None,
                    value=None,
                    message=f"the required table {name!r} is missing"
                    + (f"; {files}" if files else ""),
                )
            )
    for table in list(tables.values()):
        for check in TABLE_CHECKS:
            issues.extend(check(table))
        if not table.rows and table.name not in REQUIRED_TABLES:
            del tables[table.name]  # an empty optional table counts as absent
    context = {"zone": settings.zone, "break_names": rule_names(settings.breaks)}
    rows = {name: _parse_rows(table, context, issues) for name, table in tables.items()}
    for name, valid in rows.items():
        _run_row_checks(tables[name], valid, issues)
    parsed = ParsedTables(tables=tables, unreadable=unreadable, rows=rows)
    for dataset_check in DATASET_CHECKS:
        issues.extend(dataset_check(parsed))
    dataset = None
    if not any(i.severity == "error" for i in issues):
        dataset = _build(rows, settings, issues)
    if dataset is not None and pins:
        job_rows = {r.job_id: row for row, r in rows["jobs"].items() if isinstance(r, JobRow)}
        pin_issues = check_pins(dataset, tables["jobs"].file, job_rows)
        if pin_issues:
            issues.extend(pin_issues)
            dataset = None
    return ValidationReport(dataset=dataset, issues=_ordered(issues), tables=counts)


def _parse_rows(
    table: RawTable, context: dict[str, Any], issues: list[Issue]
) -> dict[int, BaseModel]:
    """The rows of ``table`` whose every cell is valid, by row number; issues for the rest."""
    model = ROW_MODELS[table.name]
    columns = [c for c in table.frame.columns if c in model.model_fields]
    absent = set(model.model_fields) - set(columns)  # reported once by check_columns
    oversized = oversized_rows(table)  # reported by check_cell_lengths; not parsed
    frame = table.frame[columns]
    valid: dict[int, BaseModel] = {}
    for row, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        if int(row) in oversized:
            continue
        cells = {c: v for c, v in zip(columns, values, strict=True) if v != ""}
        try:
            valid[int(row)] = model.model_validate(cells, context=context)
        except ValidationError as error:
            issues.extend(_cell_issues(table, int(row), cells, error, absent))
    return valid


def _cell_issues(
    table: RawTable, row: int, cells: dict[str, str], error: ValidationError, absent: set[str]
) -> list[Issue]:
    found = []
    for detail in error.errors():
        column = str(detail["loc"][0]) if detail["loc"] else None
        if column in absent:
            continue
        if detail["type"] == "missing":
            message = f"{column} is blank; a value is required"
        elif detail["type"] == "cell":
            message = f"{column} {detail['msg']}"
        else:
            message = f"{column}: {detail['msg']}"
        found.append(
            Issue(
                file=table.file,
                row=row,
                column=column,
                value=cells.get(column) if column is not None else None,
                message=message,
            )
        )
    return found


def _run_row_checks(table: RawTable, valid: dict[int, BaseModel], issues: list[Issue]) -> None:
    checks = ROW_CHECKS[table.name]
    for row, model in valid.items():
        for check in checks:
            for column, message in check(model):
                value = str(table.frame.at[row, column]) if column in table.frame.columns else ""
                issues.append(
                    Issue(
                        file=table.file,
                        row=row,
                        column=column,
                        value=value or None,
                        message=f"{column} {message}",
                    )
                )


def _build(
    rows: dict[str, dict[int, BaseModel]], settings: DatasetSettings, issues: list[Issue]
) -> Dataset | None:
    def typed(name: str, kind: type[Any]) -> list[Any]:
        return [r for r in rows.get(name, {}).values() if isinstance(r, kind)]

    try:
        return build_dataset(
            workers=typed("workers", WorkerRow),
            jobs=typed("jobs", JobRow),
            customers=typed("customers", CustomerRow),
            availability=typed("availability", AvailabilityRow),
            placement_requests=typed("placement_requests", PlacementRequestRow),
            settings=settings,
        )
    except (DomainError, ValueError) as error:
        # Validation should rule this out; report it rather than crash.
        issues.append(Issue(file="dataset", row=None, column=None, value=None, message=str(error)))
        return None


_FILE_ORDER = {name: rank for rank, name in enumerate(("dataset", *TABLE_NAMES))}


def _ordered(issues: list[Issue]) -> tuple[Issue, ...]:
    """Issues by file (settings, then tables in contract order), row, then column."""

    def key(issue: Issue) -> tuple[int, str, int, int]:
        stem = issue.file.split(".")[0]
        rank = _FILE_ORDER.get(stem, len(_FILE_ORDER))
        fields = ROW_MODELS[stem].model_fields if stem in ROW_MODELS else {}
        column = list(fields).index(issue.column) if issue.column in fields else -1
        return rank, issue.file, issue.row or 0, column

    return tuple(sorted(issues, key=key))
