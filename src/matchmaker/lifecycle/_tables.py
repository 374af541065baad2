"""Reading contract tables and turning their rows into validated commands.

Shared by the dataset import (:mod:`~matchmaker.lifecycle._seed`) and the plan import
(:mod:`~matchmaker.lifecycle._plans`): every cell is read as text, and every bad cell is
collected as an :class:`~matchmaker.model.Issue` (file, spreadsheet row, column)
before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import ValidationError

from matchmaker.io import parse_datetime
from matchmaker.lifecycle._events import Command, event_from_mapping, validation_issues
from matchmaker.model import DatasetError, Issue

__all__ = [
    "TIME_COLUMNS",
    "Collector",
    "check_columns",
    "find_table",
    "localize",
    "read_table",
    "records",
]

_EXTENSIONS = (".csv", ".parquet", ".json", ".xlsx")
TIME_COLUMNS = {
    "jobs": ("earliest_start", "latest_start", "pinned_start", "due_start"),
    "availability": ("start", "end"),
    "workers": ("shift_start", "shift_end"),
}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    return str(value).strip()


def find_table(folder: Path, name: str) -> Path | None:
    for extension in _EXTENSIONS:
        candidate = folder / f"{name}{extension}"
        if candidate.is_file():
            return candidate
    return None


def read_table(path: Path) -> pd.DataFrame:
    """A contract table with every cell as text (blank for missing)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except pd.errors.EmptyDataError:
            raise DatasetError(
                [
                    Issue(
                        file=str(path),
                        row=None,
                        column=None,
                        value=None,
                        message="the file is empty (not even a header)",
                    )
                ]
            ) from None
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix == ".json":
        frame = pd.read_json(path, orient="records", dtype=False)
    elif suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=object)
    else:
        raise DatasetError(
            [
                Issue(
                    file=str(path),
                    row=None,
                    column=None,
                    value=None,
                    message=f"unsupported file type {suffix}",
                )
            ]
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.astype(object).map(_text)


def records(frame: pd.DataFrame) -> list[tuple[int, dict[str, str]]]:
    """``(spreadsheet row, non-blank cells)`` per row; the header is row 1."""
    out = []
    for index, row in enumerate(frame.to_dict(orient="records")):
        cells = {str(k): str(v) for k, v in row.items() if str(v) != ""}
        if cells:
            out.append((index + 2, cells))
    return out


def localize(text: str, zone: ZoneInfo | None) -> str:
    """A time without UTC offset takes the dataset's timezone (contract rule).

    Raises :class:`~matchmaker.io._cells.CellError` for a wall-clock time the clocks skip
    in ``zone`` (datasets/README.md), like the dataset loader.
    """
    if not text or zone is None:
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return parse_datetime(text, zone).isoformat() if moment.tzinfo is None else text


class Collector:
    """Builds commands from table rows, gathering every issue before anything is written."""

    def __init__(self, *, time: datetime, actor: str) -> None:
        self.time = time
        self.actor = actor
        self.commands: list[Command] = []
        self.issues: list[Issue] = []

    def add(self, file: str, row: int | None, kind: str, entity: str, **payload: Any) -> bool:
        data = {"kind": kind, "entity": entity, "time": self.time, "actor": self.actor, **payload}
        try:
            event, _ = event_from_mapping(data)
        except ValidationError as error:
            self.issues.extend(validation_issues(error, file=file, row=row))
            return False
        self.commands.append(Command(event=event, line=row))
        return True

    def issue(
        self, file: str, row: int | None, column: str | None, value: str | None, message: str
    ) -> None:
        self.issues.append(Issue(file=file, row=row, column=column, value=value, message=message))


def check_columns(
    frame: pd.DataFrame,
    file: str,
    known: Iterable[str],
    required: Iterable[str],
    out: Collector,
) -> tuple[str, ...]:
    missing = [c for c in required if c not in frame.columns]
    for column in missing:
        out.issue(file, None, column, None, "required column is missing")
    return tuple(c for c in frame.columns if c not in set(known))
