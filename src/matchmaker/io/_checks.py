"""Validation rules beyond a single cell, one function per rule with a stable name.

Three kinds, each listed in a registry in the order they run:

- table checks (:data:`TABLE_CHECKS`) look at one table's shape: columns and rows;
- row checks (:data:`ROW_CHECKS`) compare cells of one valid row (a row whose cells all
  parsed) and yield ``(column, message)`` findings;
- dataset checks (:data:`DATASET_CHECKS`) look across rows and tables: unique ids,
  references, locations, overlapping shifts. They read the text of the tables, so a
  reference is checked even on a row with an unrelated bad cell.

Every message says what is wrong and what is expected; file, row, column and value are
added by the caller (row checks) or set here (table and dataset checks).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from matchmaker.io._cells import MAX_CELL_CHARS
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
    "DATASET_CHECKS",
    "ROW_CHECKS",
    "TABLE_CHECKS",
    "WORKER_REFERENCES",
    "Finding",
    "ParsedTables",
    "check_availability_overlaps",
    "check_availability_shift",
    "check_cell_lengths",
    "check_columns",
    "check_customer_coordinates",
    "check_customer_references",
    "check_job_coordinates",
    "check_job_locations",
    "check_job_window",
    "check_not_empty",
    "check_pinned_not_excluded",
    "check_pinned_start",
    "check_pinned_team_size",
    "check_placement_customers",
    "check_placement_dates",
    "check_times_near_round",
    "check_unique_ids",
    "check_worker_references",
    "check_worker_shift",
    "check_workers_have_shifts",
    "oversized_rows",
]

Finding = tuple[str, str]
"""A row check's result: the column at fault and what is wrong there."""


@dataclass(frozen=True, kw_only=True)
class ParsedTables:
    """What dataset checks see: the tables that were read and their valid rows.

    ``unreadable`` names tables whose file exists but could not be read; checks that
    need one of them are skipped rather than report every reference as unknown.
    """

    tables: Mapping[str, RawTable]
    unreadable: frozenset[str] = frozenset()
    rows: Mapping[str, Mapping[int, BaseModel]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.tables

    def file(self, name: str) -> str:
        return self.tables[name].file

    def column(self, name: str, column: str) -> pd.Series[str] | None:
        """The text of one column, ``None`` when the table or the column is absent."""
        table = self.tables.get(name)
        if table is None or column not in table.frame.columns:
            return None
        return table.frame[column]


def _issue(
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
            yield _issue(table.file, None, column, None, f"required column {column!r} is missing")
    for column in table.frame.columns:
        if column in misspelt:
            yield _issue(
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
            yield _issue(
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
    ),
    "availability": (check_availability_shift,),
    "placement_requests": (check_placement_dates,),
}


# Dataset checks


_ID_COLUMNS = {
    "workers": "worker_id",
    "customers": "customer_id",
    "jobs": "job_id",
    "placement_requests": "request_id",
}


def check_unique_ids(parsed: ParsedTables) -> Iterator[Issue]:
    """worker_id, customer_id and job_id are unique in their tables."""
    for table, column in _ID_COLUMNS.items():
        ids = parsed.column(table, column)
        if ids is None:
            continue
        ids = ids[ids.ne("")]
        repeated = ids.duplicated()
        if not repeated.any():
            continue
        firsts = ids[~repeated]
        first_row = {ident: row for row, ident in _cells(firsts)}
        for row, ident in _cells(ids[repeated]):
            yield _issue(
                parsed.file(table),
                row,
                column,
                ident,
                f"{column} repeats row {first_row[ident]}; ids must be unique",
            )


def _cells(cells: pd.Series[str]) -> list[tuple[int, str]]:
    """``(row number, text)`` pairs of a column."""
    return list(zip(cells.index.astype(int).tolist(), cells.tolist(), strict=True))


def _listed_ids(cells: pd.Series[str]) -> pd.Series[str]:
    """One entry per id of a ``;`` list column, indexed by row number."""
    items = cells[cells.ne("")].str.split(";").explode().str.strip()
    return items[items.ne("")]


WORKER_REFERENCES: tuple[tuple[str, str], ...] = (
    ("jobs", "pinned_worker_id"),
    ("jobs", "excluded_workers"),
    ("customers", "preferred_workers"),
    ("customers", "blocked_workers"),
    ("customers", "previous_workers"),
    ("availability", "worker_id"),
    ("placement_requests", "excluded_workers"),
)
"""Columns that name workers, as ``(table, column)``."""


def check_worker_references(parsed: ParsedTables) -> Iterator[Issue]:
    """Every worker id named in jobs, customers and availability is in the workers table."""
    known_ids = parsed.column("workers", "worker_id")
    if known_ids is None:
        return
    known = set(known_ids)
    for table, column in WORKER_REFERENCES:
        cells = parsed.column(table, column)
        if cells is None:
            continue
        ids = _listed_ids(cells)
        for row, ident in _cells(ids[~ids.isin(known)]):
            yield _issue(
                parsed.file(table),
                row,
                column,
                ident,
                f"{column} names worker {ident!r}, who is not in {parsed.file('workers')}; "
                "use an existing worker_id",
            )


def check_customer_references(parsed: ParsedTables) -> Iterator[Issue]:
    """With a customers table, every jobs.customer_id is in it."""
    known_ids = parsed.column("customers", "customer_id")
    cells = parsed.column("jobs", "customer_id")
    if known_ids is None or cells is None:
        return
    ids = cells[cells.ne("")]
    for row, ident in _cells(ids[~ids.isin(set(known_ids))]):
        yield _issue(
            parsed.file("jobs"),
            int(row),
            "customer_id",
            ident,
            f"customer_id names customer {ident!r}, who is not in {parsed.file('customers')}; "
            "use an existing customer_id",
        )


def check_placement_customers(parsed: ParsedTables) -> Iterator[Issue]:
    """With a customers table, every placement_requests.customer_id is in it."""
    known_ids = parsed.column("customers", "customer_id")
    cells = parsed.column("placement_requests", "customer_id")
    if known_ids is None or cells is None:
        return
    ids = cells[cells.ne("")]
    for row, ident in _cells(ids[~ids.isin(set(known_ids))]):
        yield _issue(
            parsed.file("placement_requests"),
            int(row),
            "customer_id",
            ident,
            f"customer_id names customer {ident!r}, who is not in {parsed.file('customers')}; "
            "use an existing customer_id",
        )


def check_job_locations(parsed: ParsedTables) -> Iterator[Issue]:
    """A job with blank lat and lon takes its customer's location, which must exist."""
    lat, lon = parsed.column("jobs", "lat"), parsed.column("jobs", "lon")
    customer_ids = parsed.column("jobs", "customer_id")
    if customer_ids is None or "customers" in parsed.unreadable:
        return
    blank = pd.Series(True, index=customer_ids.index)
    if lat is not None:
        blank &= lat.eq("")
    if lon is not None:
        blank &= lon.eq("")
    if not blank.any():
        return
    if not parsed.has("customers"):
        for row, _ in _cells(customer_ids[blank]):
            yield _issue(
                parsed.file("jobs"),
                row,
                "lat",
                None,
                "lat and lon are blank and there is no customers table to take the customer's "
                "location from; the job needs a location: give lat and lon",
            )
        return
    customers = parsed.tables["customers"].frame
    if not {"customer_id", "lat", "lon"} <= set(customers.columns):
        located: set[str] = set()
    else:
        has_place = customers["lat"].ne("") & customers["lon"].ne("")
        located = set(customers["customer_id"][has_place])
    known = set(customers["customer_id"]) if "customer_id" in customers.columns else set()
    for row, ident in _cells(customer_ids[blank]):
        if ident in known and ident not in located:
            yield _issue(
                parsed.file("jobs"),
                row,
                "lat",
                None,
                f"lat and lon are blank and customer {ident!r} has no location in "
                f"{parsed.file('customers')} either; the job needs a location: give lat and "
                "lon in one of the two",
            )


def check_availability_overlaps(parsed: ParsedTables) -> Iterator[Issue]:
    """The availability rows of one worker do not overlap."""
    by_worker: dict[str, list[tuple[int, AvailabilityRow]]] = {}
    for row, shift in parsed.rows.get("availability", {}).items():
        if isinstance(shift, AvailabilityRow):
            by_worker.setdefault(shift.worker_id, []).append((row, shift))
    for worker_id, shifts in by_worker.items():
        shifts.sort(key=lambda item: (item[1].start, item[0]))
        for (before_row, before), (row, shift) in pairwise(shifts):
            if shift.start < before.end:
                yield _issue(
                    parsed.file("availability"),
                    row,
                    "start",
                    str(parsed.tables["availability"].frame.at[row, "start"]),
                    f"start overlaps the shift on row {before_row} of worker {worker_id!r}; "
                    "the shifts of one worker must not overlap",
                )


def check_workers_have_shifts(parsed: ParsedTables) -> Iterator[Issue]:
    """Warn about a worker with no shift at all: no job can be given to them."""
    available = parsed.column("availability", "worker_id")
    if "availability" in parsed.unreadable:
        return
    with_availability = set() if available is None else set(available)
    for row, worker in parsed.rows.get("workers", {}).items():
        if not isinstance(worker, WorkerRow) or worker.worker_id in with_availability:
            continue
        if worker.shift_start is None and worker.shift_end is None:
            yield Issue(
                file=parsed.file("workers"),
                row=row,
                column="shift_start",
                value=None,
                message="shift_start and shift_end are blank and availability has no rows for "
                "this worker, so no job can be given to them",
                severity="warning",
            )


ROUND_REACH = timedelta(days=366)
"""How far from the round's first job start a shift, window or pinned start may lie: a
round plans days, not years, and this keeps every time a few million minutes from the
round's start (the solver counts whole minutes in 32 bits, costs in 64)."""

_TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "workers": ("shift_start", "shift_end"),
    "jobs": ("earliest_start", "latest_start", "pinned_start"),
    "availability": ("start", "end"),
}


def check_times_near_round(parsed: ParsedTables) -> Iterator[Issue]:
    """Every shift, job window and pinned start lies within :data:`ROUND_REACH` of the
    round's first job start."""
    starts = [
        (row, job.earliest_start)
        for row, job in parsed.rows.get("jobs", {}).items()
        if isinstance(job, JobRow)
    ]
    if not starts:
        return
    first_row, first = min(starts, key=lambda item: item[1])
    for table, columns in _TIME_COLUMNS.items():
        for row, model in parsed.rows.get(table, {}).items():
            for column in columns:
                moment = getattr(model, column)
                if not isinstance(moment, datetime) or abs(moment - first) <= ROUND_REACH:
                    continue
                days = abs(moment - first).days
                yield _issue(
                    parsed.file(table),
                    row,
                    column,
                    str(parsed.tables[table].frame.at[row, column]),
                    f"{column} lies {days:,} days from the round's first job start "
                    f"({first.isoformat()}, row {first_row} of {parsed.file('jobs')}); times "
                    f"must lie within {ROUND_REACH.days} days of it",
                )


DATASET_CHECKS: tuple[Callable[[ParsedTables], Iterator[Issue]], ...] = (
    check_unique_ids,
    check_customer_references,
    check_placement_customers,
    check_worker_references,
    check_job_locations,
    check_availability_overlaps,
    check_workers_have_shifts,
    check_times_near_round,
)
