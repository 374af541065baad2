"""Validation rules beyond a single cell, one function per rule with a stable name.

Three kinds, each listed in a registry in the order they run:

- table checks (:data:`TABLE_CHECKS`) look at one table's shape: columns and rows;
- row checks (:data:`ROW_CHECKS`) compare cells of one valid row (a row whose cells all
  parsed) and yield ``(column, message)`` findings;
- dataset checks look across rows and tables: unique ids, references, locations,
  overlapping shifts (:mod:`matchmaker.io._dataset_checks`).

Every message says what is wrong and what is expected; file, row, column and value are
added by the caller (row checks) or set here (table and dataset checks).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from matchmaker.io._cells import MAX_CELL_CHARS
from matchmaker.io._rule_checks import check_job_rule_columns
from matchmaker.io._schemas import (
    REQUIRED_TABLES,
    ROW_MODELS,
    AvailabilityRow,
    CustomerRow,
    JobRow,
    PlacementRequestRow,
    WorkerRow,
    required_columns,
)
from matchmaker.io._tables import RawTable
from matchmaker.model import Issue

__all__ = [
    "ROW_CHECKS",
    "TABLE_CHECKS",
    "Finding",
    "check_availability_shift",
    "check_cell_lengths",
    "check_columns",
    "check_customer_coordinates",
    "check_job_coordinates",
    "check_job_window",
    "check_not_empty",
    "check_pinned_not_excluded",
    "check_pinned_start",
    "check_pinned_team_size",
    "check_placement_dates",
    "check_worker_shift",
    "issue_at",
    "oversized_rows",
]

Finding = tuple[str, str]
"""A row check's result: the column at fault and what is wrong there."""


def issue_at(
    file: str, row: int | None, column: str | None, value: str | None, message: str
) -> Issue:
    return Issue(file=file, row=row, column=column, value=value, message=message)


# Table checks


def check_not_empty(table: RawTable) -> Iterator[Issue]:
    """A table has at least one row (an empty optional table is only a warning)."""
    if table.rows:
        return
    required = table.name in REQUIRED_TABLES
    what = "has no rows" if len(table.frame.columns) else "is empty"
    yield Issue(
        file=table.file,
        row=None,
        column=None,
        value=None,
        message=f"{what}; expected a header row and one row per record"
        if required
        else f"{what} and is ignored",
        severity="error" if required else "warning",
    )


def _near_miss(column: str, absent: list[str]) -> str | None:
    """The absent known column that ``column`` looks like a misspelling of, if any."""
    for name in absent:
        if column.casefold() == name.casefold():
            return name
    close = difflib.get_close_matches(column.casefold(), absent, n=1, cutoff=0.8)
    return close[0] if close else None


def check_columns(table: RawTable) -> Iterator[Issue]:
    """Every required column is there; unknown columns are reported as warnings, except a
    near miss of a known column that is not there (``Status``, ``blocked_worker``): that is
    an error, since ignoring it would silently drop what the column says."""
    present = set(table.frame.columns)
    if not present and not table.rows:
        return  # an empty file: check_not_empty says so once
    known = ROW_MODELS[table.name].model_fields
    absent = [name for name in known if name not in present]
    misspelt: dict[str, str] = {}
    for column in table.frame.columns:
        if column not in known:
            guess = _near_miss(column, absent)
            if guess is not None and guess not in misspelt.values():
                misspelt[column] = guess
    for column in required_columns(table.name):
        if column not in present and column not in misspelt.values():
            yield issue_at(table.file, None, column, None, f"required column {column!r} is missing")
    for column in table.frame.columns:
        if column in misspelt:
            yield issue_at(
                table.file,
                1,
                column,
                None,
                f"unknown column {column!r}; did you mean {misspelt[column]!r}? Rename it "
                "(column names are exact and lower case)",
            )
        elif column not in known:
            yield Issue(
                file=table.file,
                row=None,
                column=column,
                value=None,
                message=f"unknown column {column!r} is ignored; the known columns are "
                f"{', '.join(known)}",
                severity="warning",
            )


def oversized_rows(table: RawTable) -> dict[int, list[str]]:
    """The columns of each row whose cell is longer than :data:`MAX_CELL_CHARS`."""
    found: dict[int, list[str]] = {}
    cells = table.frame.to_numpy(dtype=object)
    if not cells.size:
        return found
    rows, columns = np.nonzero(np.frompyfunc(len, 1, 1)(cells) > MAX_CELL_CHARS)
    for r, c in zip(rows.tolist(), columns.tolist(), strict=True):
        found.setdefault(int(table.frame.index[r]), []).append(str(table.frame.columns[c]))
    return found


def check_cell_lengths(table: RawTable) -> Iterator[Issue]:
    """No cell is longer than :data:`MAX_CELL_CHARS` (such a row is not read further)."""
    for row, columns in oversized_rows(table).items():
        for column in columns:
            text = str(table.frame.at[row, column])
            yield issue_at(
                table.file,
                row,
                column,
                text,
                f"{column} holds {len(text):,} characters; a cell holds at most {MAX_CELL_CHARS:,}",
            )


TABLE_CHECKS: tuple[Callable[[RawTable], Iterator[Issue]], ...] = (
    check_not_empty,
    check_columns,
    check_cell_lengths,
)


# Row checks


def _paired(
    lat: float | None, lon: float | None, lat_name: str, lon_name: str
) -> Iterator[Finding]:
    if lat is None and lon is not None:
        yield lat_name, f"is blank while {lon_name} is given; give both or neither"
    if lon is None and lat is not None:
        yield lon_name, f"is blank while {lat_name} is given; give both or neither"


def check_worker_shift(row: WorkerRow) -> Iterator[Finding]:
    """shift_start and shift_end come together, and the shift ends after it starts."""
    if row.shift_start is None and row.shift_end is not None:
        yield "shift_start", "is blank while shift_end is given; give both or neither"
    elif row.shift_end is None and row.shift_start is not None:
        yield "shift_end", "is blank while shift_start is given; give both or neither"
    elif (
        row.shift_start is not None
        and row.shift_end is not None
        and row.shift_end <= row.shift_start
    ):
        yield "shift_end", "is not after shift_start; a shift must end after it starts"


def check_customer_coordinates(row: CustomerRow) -> Iterator[Finding]:
    """A customer's lat and lon come together."""
    yield from _paired(row.lat, row.lon, "lat", "lon")


def check_job_coordinates(row: JobRow) -> Iterator[Finding]:
    """A job's lat and lon come together (both blank = the customer's location)."""
    yield from _paired(row.lat, row.lon, "lat", "lon")


def check_job_window(row: JobRow) -> Iterator[Finding]:
    """latest_start is not before earliest_start."""
    if row.latest_start < row.earliest_start:
        yield "latest_start", "is before earliest_start; the start window must not be empty"


def check_pinned_start(row: JobRow) -> Iterator[Finding]:
    """pinned_start needs pinned_worker_id and lies inside the job's start window."""
    if row.pinned_start is None:
        return
    if not row.pinned_worker_id:
        yield "pinned_start", "is given but pinned_worker_id is blank; pin a worker or clear it"
    if not row.earliest_start <= row.pinned_start <= row.latest_start:
        yield (
            "pinned_start",
            f"is outside the start window {row.earliest_start.isoformat()} to "
            f"{row.latest_start.isoformat()}; a pinned start must lie inside it",
        )


def check_pinned_team_size(row: JobRow) -> Iterator[Finding]:
    """No more pinned workers than workers_needed."""
    if len(row.pinned_worker_id) > row.workers_needed:
        yield (
            "pinned_worker_id",
            f"pins {len(row.pinned_worker_id)} workers but workers_needed is "
            f"{row.workers_needed}; pin at most that many",
        )


def check_pinned_not_excluded(row: JobRow) -> Iterator[Finding]:
    """A pinned worker is not also excluded from the job."""
    both = sorted(set(row.pinned_worker_id) & row.excluded_workers)
    if both:
        yield (
            "excluded_workers",
            f"excludes {', '.join(repr(w) for w in both)}, pinned to this job in "
            "pinned_worker_id; remove the worker from one of the two",
        )


def check_availability_shift(row: AvailabilityRow) -> Iterator[Finding]:
    """An availability row ends after it starts."""
    if row.end <= row.start:
        yield "end", "is not after start; a shift must end after it starts"


def check_placement_dates(row: PlacementRequestRow) -> Iterator[Finding]:
    """One of start_date and due_date; an uncertainty window only around a due date; the
    age range not reversed."""
    if row.start_date is None and row.due_date is None:
        yield "start_date", "and due_date are both blank; give one of them"
    elif row.start_date is not None and row.due_date is not None:
        yield "due_date", "is given with start_date; give one of them"
    elif row.start_date is not None:
        for column in ("days_before", "days_after"):
            if getattr(row, column):
                yield column, "needs due_date; a fixed start_date has no uncertainty window"
    if row.age_min is not None and row.age_max is not None and row.age_min > row.age_max:
        yield "age_max", f"is below age_min ({row.age_min}); the range must not be empty"


ROW_CHECKS: dict[str, tuple[Callable[[Any], Iterator[Finding]], ...]] = {
    "workers": (check_worker_shift,),
    "customers": (check_customer_coordinates,),
    "jobs": (
        check_job_coordinates,
        check_job_window,
        check_pinned_start,
        check_pinned_team_size,
        check_pinned_not_excluded,
        check_job_rule_columns,
    ),
    "availability": (check_availability_shift,),
    "placement_requests": (check_placement_dates,),
}
