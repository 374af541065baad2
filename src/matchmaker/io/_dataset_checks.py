"""Dataset checks: rules across rows and tables (unique ids, references, locations,
overlapping shifts, times near the round), run on the text of the tables so that a
reference is checked even on a row with an unrelated bad cell. See
:mod:`matchmaker.io._checks` for the table and row checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pandas as pd
from pydantic import BaseModel

from matchmaker.io._checks import issue_at
from matchmaker.io._rule_checks import check_job_links
from matchmaker.io._schemas import AvailabilityRow, JobRow, WorkerRow
from matchmaker.io._tables import RawTable
from matchmaker.model import Issue

__all__ = [
    "DATASET_CHECKS",
    "WORKER_REFERENCES",
    "ParsedTables",
    "check_availability_overlaps",
    "check_customer_references",
    "check_job_locations",
    "check_placement_customers",
    "check_times_near_round",
    "check_unique_ids",
    "check_worker_references",
    "check_workers_have_shifts",
]


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
            yield issue_at(
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
            yield issue_at(
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
        yield issue_at(
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
        yield issue_at(
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
            yield issue_at(
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
            yield issue_at(
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
                yield issue_at(
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
                yield issue_at(
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
    check_job_links,
)
