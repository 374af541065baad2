"""Export one day's dispatch round from the ops store as a dataset (contract v1): ``ops jobs``.

:func:`export_jobs` writes the visits to dispatch with every worker and the visits'
customers, feedback applied, atomically (a failed export leaves no folder behind). A round
without pins is written from the store's rows alone (no pandas, no loader: ``ops jobs``
stays within a second at a million events); a round with pins is loaded and its pins
checked by the dispatcher's rules (:mod:`~matchmaker.lifecycle._export_pins`).

What the export carries from operations into matching:

- ``workers``: every employed worker; applicants still in screening and rejected ones
  are left out; ``rating`` / ``rating_count``: updated by ratings; ``status``: ``suspended`` by
  the complaint rule (and ``on_leave`` for a worker whose availability has no shift that
  day); ``shift_start`` / ``shift_end`` given as full datetimes are moved to the day;
- ``customers.blocked_workers``: upheld complaints; ``previous_workers``: the workers of
  the customer's served visits, most recent first, then those imported;
  ``preferred_workers``: plus the current worker of each of the customer's orders with
  several visits (continuity of a recurring order or placement);
- ``jobs.excluded_workers`` (optional column beyond the contract): workers who declined or
  did not show up for that visit; ``pinned_worker_id`` / ``pinned_start``: proposed,
  confirmed and checked-in visits keep their workers and start; a rework visit is pinned
  to its original worker (no start) when the policy says so; with
  ``OpsPolicy.pin_recurring_worker`` a recurring order's visits are pinned to its worker;
- the home-care columns as stored: ``jobs`` ``due_start`` and the link (``depends_on``,
  ``min_gap``, ``max_gap``, ``link_worker``), ``workers`` limits and ``breaks``,
  ``customers.max_distinct_workers``; ``dataset.toml`` (its ``[[breaks]]``, ``[limits]``,
  policy) as imported. A linked visit whose partner is not in the round (served or
  checked in already, cancelled, planned on another day, of an ended order, unknown) is
  exported without its link: the round is planned as if it were not linked, and
  :attr:`ExportSummary.unlinked` names each such visit with its partner's state, so the
  dispatcher can check the gap by hand (the round would not load with a ``depends_on``
  outside its jobs).

A day with no visit in its round is nothing to dispatch: nothing is written (a dataset
without jobs would not load) and :attr:`ExportSummary.written` is false.

A visit is in the day's round when it is proposed, confirmed or checked in with its
planned start on that day, or still to dispatch (unassigned, or after a no-show) with
its start window touching that day, unless its order is closed or cancelled. Days are
taken in the store's timezone (from the imported ``dataset.toml``), else in each time's
own UTC offset.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._contract import (
    AVAILABILITY_COLUMNS,
    CUSTOMER_COLUMNS,
    JOB_COLUMNS,
    WORKER_COLUMNS,
    cell,
    customer_row,
    job_row,
    worker_row,
)
from matchmaker.lifecycle._export_pins import ReleasedPin
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._operations import Operations
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._round_inputs import (
    OPEN_STATES,
    PINNED_STATES,
    RoundInputs,
    ledger_round_inputs,
    local_date,
)
from matchmaker.lifecycle._rounds import record_round
from matchmaker.lifecycle._states import WorkerState
from matchmaker.lifecycle._visit import Visit
from matchmaker.lifecycle._worker import WorkerRecord
from matchmaker.model import LifecycleError, utc

if TYPE_CHECKING:
    import pandas as pd

Table = tuple[Sequence[str], list[dict[str, str]]]
"""A table to write: its columns and its rows (cells as text)."""

__all__ = [
    "OPEN_STATES",
    "PINNED_STATES",
    "ExportSummary",
    "ReleasedPin",
    "UnlinkedVisit",
    "export_dataset",
    "export_jobs",
    "write_round",
]


@dataclass(frozen=True, kw_only=True)
class ExportSummary:
    folder: Path
    day: date
    jobs: int
    to_dispatch: int
    pinned: int
    workers: int
    customers: int
    released: tuple[ReleasedPin, ...] = ()
    """Pins left out because the worker can no longer serve the job that day."""
    written: bool = True
    """False when the day has no visit in its round: nothing to dispatch, nothing written."""
    unlinked: tuple[UnlinkedVisit, ...] = ()
    """Linked visits exported without their link: the partner is not in the round."""


@dataclass(frozen=True, kw_only=True, slots=True)
class UnlinkedVisit:
    """A linked visit written without ``depends_on`` / gaps / ``link_worker``: the visit it
    follows is not in the day's round."""

    job_id: str
    depends_on: str
    partner_state: str
    """The partner's state (``completed``, ``cancelled``, ``unassigned`` on another day
    ...), or ``unknown`` when the store has no such visit."""


def _can_pin(visit: Visit, workers: tuple[str, ...]) -> bool:
    # Whether the workers may serve the job that day is checked once the tables are built,
    # by the dispatcher's own rules (_release_broken_pins); a worker who declined the visit
    # is never pinned to it.
    return (
        bool(workers)
        and len(workers) <= visit.job.workers_needed
        and not set(workers) & set(visit.excluded_workers)
    )


def _job_rows(
    visits: list[Visit],
    policy: OpsPolicy,
    order_workers: Mapping[str, tuple[str, ...]],
    partner_states: Mapping[str, str],
) -> tuple[list[dict[str, str]], int, list[UnlinkedVisit]]:
    rows = []
    pinned_count = 0
    in_round = {v.visit_id for v in visits}
    unlinked: list[UnlinkedVisit] = []
    for visit in visits:
        job = visit.job
        if job.depends_on is not None and job.depends_on not in in_round:
            state = partner_states.get(job.depends_on, "unknown")
            unlinked.append(
                UnlinkedVisit(job_id=visit.visit_id, depends_on=job.depends_on, partner_state=state)
            )
            job = job.unlinked()
        pinned: tuple[str, ...] = ()
        pinned_start = None
        if visit.state in PINNED_STATES and _can_pin(visit, visit.workers):
            pinned, pinned_start = visit.workers, visit.planned_start
        elif visit.pinned_worker_ids and _can_pin(visit, visit.pinned_worker_ids):
            pinned = visit.pinned_worker_ids
        elif policy.pin_recurring_worker and visit.job.order_id in order_workers:
            candidate = order_workers[visit.job.order_id]
            if len(candidate) == visit.job.workers_needed and _can_pin(visit, candidate):
                pinned = candidate
        pinned_count += bool(pinned)
        rows.append(
            job_row(
                visit.visit_id,
                job,
                pinned_worker_ids=pinned,
                pinned_start=pinned_start,
                excluded_workers=visit.excluded_workers,
            )
        )
    return rows, pinned_count, unlinked


def _redate(text: str | None, day: date, zone: ZoneInfo | None) -> datetime | None:
    """The same wall-clock time on ``day``: in the store's timezone when it has one, so a
    regular 08:00 stays 08:00 on the far side of a daylight-saving change (its old UTC
    offset would make it 07:00 or 09:00); a time the clocks skip that day moves forward by
    the gap, as calendars do. A time of day (``HH:MM``, as the worker events allow) is
    that wall-clock time in the store's timezone, in UTC for a store without one."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            clock = time.fromisoformat(text)
        except ValueError:
            return None
        place: tzinfo = zone or UTC
    else:
        if zone is None or moment.tzinfo is None:
            return moment.replace(year=day.year, month=day.month, day=day.day)
        clock, place = moment.astimezone(zone).time(), zone
    return utc(datetime.combine(day, clock, tzinfo=place)).astimezone(place)


def _worker_rows(
    workers: Sequence[WorkerRecord], day: date, zone: ZoneInfo | None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows, availability = [], []
    for worker in workers:
        if worker.state in (WorkerState.APPLICANT, WorkerState.REJECTED):
            continue  # not (or never) approved by screening: not a worker to dispatch
        status = worker.status
        shifts = [
            (s, e)
            for s, e in worker.availability
            if local_date(s, zone) <= day <= local_date(e - timedelta(seconds=1), zone)
        ]
        if worker.availability and not shifts and status == WorkerState.ACTIVE:
            status = WorkerState.ON_LEAVE.value
        for start, end in shifts:
            availability.append(
                {"worker_id": worker.worker_id, "start": cell(start), "end": cell(end)}
            )
        rows.append(worker_row(worker, status=status, **_shift_on(worker, day, zone)))
    return rows, availability


def _shift_on(worker: WorkerRecord, day: date, zone: ZoneInfo | None) -> dict[str, str | None]:
    # A shift (full datetimes or times of day) is the worker's regular shift: put it on the day.
    start, end = _redate(worker.shift_start, day, zone), _redate(worker.shift_end, day, zone)
    if start is None or end is None:
        return {}
    if utc(end) <= utc(start):
        end = _redate(end.isoformat(), day + timedelta(days=1), zone) or end
    return {"shift_start": start.isoformat(), "shift_end": end.isoformat()}


def export_dataset(
    ledger: Ledger,
    *,
    day: date,
    out: Path,
    policy: OpsPolicy | None = None,
    timezone: str | None = None,
    dataset_toml: str | None = None,
    force: bool = False,
) -> ExportSummary:
    """Write the dataset of ``day``'s dispatch round to ``out`` (atomically), from the
    current state of every entity (``ops jobs`` reads the store's round index instead).

    Raises ``LifecycleError`` when ``out`` exists (without ``force``) or holds something
    other than a dataset. A day without visits writes nothing and touches no existing
    ``out`` (the summary says ``written=False``).
    """
    zone = ZoneInfo(timezone) if timezone else None
    return write_round(
        ledger_round_inputs(ledger, day, zone),
        day=day,
        out=out,
        policy=policy,
        timezone=timezone,
        dataset_toml=dataset_toml,
        force=force,
    )


def _customer_rows(inputs: RoundInputs) -> list[dict[str, str]]:
    rows = []
    for customer in inputs.customers:
        preferred = list(customer.preferred_workers)
        for order_id in inputs.running_orders.get(customer.customer_id, ()):
            for worker_id in inputs.order_workers.get(order_id, ()):
                if worker_id not in preferred and worker_id not in customer.blocked_workers:
                    preferred.append(worker_id)
        history = inputs.previous.get(customer.customer_id, [])
        earlier = [w for w in customer.previous_workers if w not in history]
        rows.append(
            customer_row(
                customer, preferred_workers=preferred, previous_workers=[*history, *earlier]
            )
        )
    return rows


def write_round(
    inputs: RoundInputs,
    *,
    day: date,
    out: Path,
    policy: OpsPolicy | None = None,
    timezone: str | None = None,
    dataset_toml: str | None = None,
    force: bool = False,
) -> ExportSummary:
    """Write the round made of ``inputs`` (see :func:`export_dataset`)."""
    return _write_round(
        inputs,
        day=day,
        out=out,
        policy=policy,
        timezone=timezone,
        dataset_toml=dataset_toml,
        force=force,
    )[0]


def _write_round(
    inputs: RoundInputs,
    *,
    day: date,
    out: Path,
    policy: OpsPolicy | None,
    timezone: str | None,
    dataset_toml: str | None,
    force: bool,
) -> tuple[ExportSummary, dict[str, str]]:
    """:func:`write_round`, and the files written (name -> text; none without visits)."""
    policy = policy or OpsPolicy()
    zone = ZoneInfo(timezone) if timezone else None
    out = Path(out)
    if not inputs.visits:
        empty = ExportSummary(
            folder=out,
            day=day,
            jobs=0,
            to_dispatch=0,
            pinned=0,
            workers=len(inputs.workers),
            customers=len(inputs.customers),
            written=False,
        )
        return empty, {}
    _check_output(out, force)
    job_rows, pinned, unlinked = _job_rows(
        inputs.visits, policy, inputs.order_workers, inputs.partner_states
    )
    worker_rows, availability = _worker_rows(inputs.workers, day, zone)
    customer_rows = _customer_rows(inputs)
    tables: dict[str, Table] = {
        "workers": (WORKER_COLUMNS, worker_rows),
        "customers": (CUSTOMER_COLUMNS, customer_rows),
        "jobs": (JOB_COLUMNS, job_rows),
    }
    if any(w.availability for w in inputs.workers):
        tables["availability"] = (AVAILABILITY_COLUMNS, availability)
    if dataset_toml is None and timezone is not None:
        dataset_toml = f'timezone = "{timezone}"\n'
    released: list[ReleasedPin] = []
    if pinned:
        released, tables = _release_pins(tables, dataset_toml)
        pinned -= sum(1 for r in released if r.job_unpinned)
    files = {f"{name}.csv": _csv_text(*table) for name, table in tables.items()}
    if dataset_toml is not None:
        files["dataset.toml"] = dataset_toml
    _write_folder(out, files)
    summary = ExportSummary(
        folder=out,
        day=day,
        jobs=len(job_rows),
        to_dispatch=len(job_rows) - pinned,
        pinned=pinned,
        workers=len(worker_rows),
        customers=len(customer_rows),
        released=tuple(released),
        unlinked=tuple(unlinked),
    )
    return summary, files


def _release_pins(
    tables: dict[str, Table], dataset_toml: str | None
) -> tuple[list[ReleasedPin], dict[str, Table]]:
    """The pins a round cannot keep, checked by the dispatcher's own rules (which need
    pandas and the compiler: only a round with pins waits for them), and the tables with
    those pins left out."""
    import pandas as pd

    from matchmaker.lifecycle._export_pins import release_pins

    frames: dict[str, pd.DataFrame] = {
        name: pd.DataFrame(
            [[row.get(c, "") for c in columns] for row in rows], columns=list(columns), dtype=object
        )
        for name, (columns, rows) in tables.items()
    }
    released = release_pins(frames, dataset_toml)
    return released, {
        name: (
            tables[name][0],
            [{str(k): str(v) for k, v in r.items()} for r in frame.to_dict("records")],
        )
        for name, frame in frames.items()
    }


def _csv_text(columns: Sequence[str], rows: list[dict[str, str]]) -> str:
    """The table as CSV text: a header, then one line per row; a cell a row lacks is blank."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def export_jobs(ops: Operations, *, day: date, out: Path, force: bool = False) -> ExportSummary:
    """``ops jobs``: :func:`export_dataset` of the store's current state and settings.

    A written round's files are kept in the store
    (:func:`~matchmaker.lifecycle._rounds.record_round`); ``ops apply-plan`` hashes them
    to check a plan's ``input_sha256``.
    """
    from matchmaker.lifecycle._round_read import store_round_inputs

    timezone = ops.store.get_meta("timezone")
    with ops.store.snapshot() as tx:
        inputs = store_round_inputs(tx, day, ZoneInfo(timezone) if timezone else None)
    summary, files = _write_round(
        inputs,
        day=day,
        out=out,
        policy=ops.policy,
        timezone=timezone,
        dataset_toml=ops.store.get_meta("dataset_toml"),
        force=force,
    )
    if summary.written:
        record_round(ops, files, day)
    return summary


_DATASET_FILES = {"workers.csv", "customers.csv", "jobs.csv", "availability.csv", "dataset.toml"}


def _check_output(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise LifecycleError(f"{out} exists and is not a folder; choose another --out")
    names = {p.name for p in out.iterdir()}
    if not names:
        return
    if not force:
        raise LifecycleError(f"{out} exists; pass --force to replace it")
    if not names <= _DATASET_FILES:
        strangers = ", ".join(sorted(names - _DATASET_FILES))
        raise LifecycleError(
            f"{out} holds files that are not a dataset ({strangers}); refusing to replace it"
        )


def _write_folder(out: Path, files: Mapping[str, str]) -> None:
    """Write into a sibling temporary folder, then swap it in: no partial output."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if temp.exists():
        shutil.rmtree(temp)
    temp.mkdir()
    try:
        for name, text in files.items():
            (temp / name).write_text(text, encoding="utf-8", newline="")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            temp.rename(out)
            shutil.rmtree(old)
        else:
            temp.rename(out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
