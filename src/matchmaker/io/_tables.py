"""Reading and writing table files: CSV, Parquet, JSON (a list of records) and Excel.

Every table is read as text first (:class:`RawTable`) so that validation sees what the user
wrote. Rows are numbered as a spreadsheet shows them: the header is row 1, the first data
row is row 2; for JSON, record ``i`` (counting from 0) is row ``i + 2`` as well. Reading
never raises for bad content: problems come back as :class:`~matchmaker.model.Issue`.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from matchmaker.io._cells import cell_text
from matchmaker.io._schemas import TABLE_NAMES
from matchmaker.io._settings_file import SETTINGS_FILE, settings_to_toml
from matchmaker.model import DatasetSettings, Issue, UnknownFormatError, UnknownTableError

__all__ = [
    "FORMATS",
    "RawTable",
    "TableFormat",
    "find_tables",
    "read_table",
    "table_stems",
    "text_frame",
    "write_table",
    "write_tables",
]

TableFormat = Literal["csv", "parquet", "json", "xlsx"]
FORMATS: tuple[TableFormat, ...] = ("csv", "parquet", "json", "xlsx")
XLSX_HINT = "pip install matchmaker[xlsx]"


@dataclass(frozen=True, kw_only=True)
class RawTable:
    """One table as text: ``frame`` holds every cell as a stripped string (blank = ``""``)
    and its index is the row number a spreadsheet shows (header = 1)."""

    name: str
    file: str
    frame: pd.DataFrame

    @property
    def rows(self) -> int:
        return len(self.frame)


def text_frame(frame: pd.DataFrame, *, first_row: int = 2) -> pd.DataFrame:
    """Every cell of ``frame`` as text, rows numbered from ``first_row``; blank rows dropped."""
    # One pass over all cells at once: per-column pandas calls dominate on small tables.
    cells = np.frompyfunc(cell_text, 1, 1)(frame.to_numpy(dtype=object))
    if cells.ndim != 2:
        cells = np.empty((len(frame), len(frame.columns)), dtype=object)
    names = [cell_text(column) for column in frame.columns]
    blank = cells == ""
    keep = [
        position
        for position, name in enumerate(names)
        # a trailing separator makes an empty "Unnamed: n" column, not a column
        if not (name.startswith("Unnamed: ") and blank[:, position].all())
    ]
    out = pd.DataFrame(
        {names[p]: cells[:, p].tolist() for p in keep},
        index=pd.RangeIndex(first_row, first_row + len(frame)),
        dtype=str,
    )
    if len(keep):
        out = out[~blank[:, keep].all(axis=1)]
    return out


def _table_format(path: Path) -> str | None:
    """The format of a table file, ``None`` for files that are not tables (hidden ones too)."""
    if path.name.startswith((".", "~$")) or not path.is_file():
        return None
    fmt = path.suffix.lower().lstrip(".")
    return fmt if fmt in FORMATS else None


def table_stems(folder: Path) -> set[str]:
    """The names of the dataset tables that have a file in ``folder``."""
    return {p.stem for p in folder.iterdir() if p.stem in TABLE_NAMES and _table_format(p)}


def find_tables(folder: Path) -> tuple[dict[str, Path], list[Issue]]:
    """The table files of a dataset folder by table name.

    A table given in two formats is an error (neither file is read); a file that looks
    like a table but has an unknown name gets a warning and is ignored.
    """
    found: dict[str, list[Path]] = {}
    issues: list[Issue] = []
    for path in sorted(folder.iterdir()):
        if _table_format(path) is None:
            continue
        if path.stem not in TABLE_NAMES:
            issues.append(
                Issue(
                    file=path.name,
                    row=None,
                    column=None,
                    value=None,
                    message=f"is not a dataset table and is ignored; tables are "
                    f"{', '.join(TABLE_NAMES)}",
                    severity="warning",
                )
            )
            continue
        found.setdefault(path.stem, []).append(path)
    tables: dict[str, Path] = {}
    for name, paths in found.items():
        if len(paths) == 1:
            tables[name] = paths[0]
            continue
        names = " and ".join(p.name for p in paths)
        for path in paths:
            issues.append(
                Issue(
                    file=path.name,
                    row=None,
                    column=None,
                    value=None,
                    message=f"table {name!r} is given in more than one format ({names}); "
                    "keep one file per table",
                )
            )
    return tables, issues


def _file_issue(path: Path, message: str, row: int | None = None) -> Issue:
    return Issue(file=path.name, row=row, column=None, value=None, message=message)


class _Unreadable(Exception):
    """A table file that cannot be read; ``row`` is the line at fault when known."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


def _decode(path: Path) -> str:
    """The file as text; raises ``_Unreadable`` naming the line of a byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _Unreadable(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); save it as UTF-8",
            row=line,
        ) from None


def _read_csv(path: Path) -> pd.DataFrame:
    text = _decode(path)
    if not text.strip():
        return pd.DataFrame()
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except pd.errors.ParserError as error:
        raise _Unreadable(f"is not valid CSV: {error}") from None


def _short_rows(path: Path) -> list[Issue]:
    """Rows of a CSV file with fewer fields than the header: pandas would fill the missing
    ones with blanks, silently giving every later column its default."""
    csv.field_size_limit(_CSV_FIELD_LIMIT)  # huge cells are reported by the cell checks
    issues: list[Issue] = []
    width = 0
    records = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        for number, record in enumerate(records, start=1):
            if number == 1:
                header = list(record)
                while header and not header[-1].strip():
                    header.pop()  # a trailing separator, not a column
                width = len(header)
            elif any(field.strip() for field in record) and len(record) < width:
                missing = header[len(record)].strip()
                issues.append(
                    Issue(
                        file=path.name,
                        row=number,
                        column=missing,
                        value=None,
                        message=f"row {number} has {len(record)} of the {width} fields of the "
                        f"header: {missing!r} and the columns after it are missing; write "
                        "every field, blank ones too (a,,c)",
                    )
                )
    except csv.Error as error:
        return [_file_issue(path, f"is not valid CSV: {error}")]
    return issues


_CSV_FIELD_LIMIT = 2**31 - 1


def _read_json(path: Path) -> pd.DataFrame:
    text = _decode(path)
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Unreadable(
            f"is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise _Unreadable(
            "nests lists or objects too deeply to read; expected a list of records"
        ) from None
    if not isinstance(records, list):
        raise _Unreadable("must hold a JSON list of records (objects), one per row")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise _Unreadable(
                f"record {index} is a {type(record).__name__}, not an object", row=index + 2
            )
    columns = list(dict.fromkeys(key for record in records for key in record))
    return pd.DataFrame(
        {c: [cell_text(record.get(c)) for record in records] for c in columns}, dtype=str
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises many kinds for a broken file
        raise _Unreadable(f"is not a readable Parquet file: {error}") from None


def _openpyxl_installed() -> bool:
    """Whether the optional Excel dependency (the ``xlsx`` extra) is installed."""
    return importlib.util.find_spec("openpyxl") is not None


def _read_xlsx(path: Path) -> pd.DataFrame:
    if not _openpyxl_installed():
        raise _Unreadable(f"reading Excel files needs openpyxl: {XLSX_HINT}")
    try:
        return pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as error:  # openpyxl and zipfile raise many kinds for a broken file
        raise _Unreadable(f"is not a readable Excel file: {error}") from None


_READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "csv": _read_csv,
    "json": _read_json,
    "parquet": _read_parquet,
    "xlsx": _read_xlsx,
}


def read_table(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    """Read one table file as text; ``None`` and an issue when it cannot be read."""
    reader = _READERS[path.suffix.lower().lstrip(".")]
    try:
        frame = reader(path)
    except _Unreadable as error:
        return None, [_file_issue(path, str(error), error.row)]
    except OSError as error:
        return None, [_file_issue(path, f"cannot be read: {error.strerror or error}")]
    issues = _short_rows(path) if reader is _read_csv else []
    return RawTable(name=name, file=path.name, frame=text_frame(frame)), issues


# Writing


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    columns = [str(c) for c in frame.columns]
    records = [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_table(frame: pd.DataFrame, path: Path, fmt: TableFormat) -> None:
    """Write one table in ``fmt`` (no index column)."""
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "json":
        _write_json(frame, path)
    elif fmt == "xlsx":
        if not _openpyxl_installed():
            raise ImportError(f"writing Excel files needs openpyxl: {XLSX_HINT}")
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        raise UnknownFormatError(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_tables(
    frames: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    fmt: TableFormat = "csv",
    settings: DatasetSettings | None = None,
) -> None:
    """Write a dataset folder: one file per table in ``fmt``, and ``dataset.toml`` when
    ``settings`` are given.

    Atomic: the tables are written into a temporary sibling folder that is renamed into
    place, so a failure leaves nothing behind. An existing non-empty ``folder`` is refused
    (``FileExistsError``); nothing the user has is overwritten.
    """
    if fmt not in FORMATS:
        raise UnknownFormatError(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS)}")
    unknown = sorted(set(frames) - set(TABLE_NAMES))
    if unknown:
        raise UnknownTableError(f"unknown table(s) {unknown}; tables are {', '.join(TABLE_NAMES)}")
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} already exists and is not empty; choose a new folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, frame in frames.items():
            write_table(frame, staging / f"{name}.{fmt}", fmt)
        if settings is not None:
            (staging / SETTINGS_FILE).write_text(settings_to_toml(settings), encoding="utf-8")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
