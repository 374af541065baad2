"""Seed an ops store from a dataset folder (contract v1): ``ops import-dataset``.

Workers, customers (registered from the jobs when there is no customers table), one order
per ``order_id`` (created, quoted, contracted and started), one visit per job, and for a
pinned job a proposal and its confirmation. A worker's ``status`` becomes a suspension or
leave event; ``availability`` rows become each worker's shifts; ``dataset.toml`` is kept
with the store (its timezone decides the days of ``ops jobs``; its ``[[breaks]]`` and
``[limits]`` go into every round ``ops jobs`` writes). The home-care columns are kept on
the entities: a job's ``depends_on`` must name a job of the file or a visit of the store,
a worker's ``breaks`` a rule of ``dataset.toml``. ``address`` and ``district`` are not kept
(reported in :attr:`ImportSummary.ignored_columns`). All or nothing: every bad cell is
reported by file, row and column and nothing is written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import ValidationError

from matchmaker.io import CellError
from matchmaker.lifecycle._contract import (
    AVAILABILITY_COLUMNS,
    CUSTOMER_COLUMNS,
    JOB_COLUMNS,
    WORKER_COLUMNS,
)
from matchmaker.lifecycle._events import validation_issues
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._operations import Operations
from matchmaker.lifecycle._tables import (
    TIME_COLUMNS,
    Collector,
    check_columns,
    find_table,
    localize,
    read_table,
    records,
)
from matchmaker.model import NO_BREAKS, DatasetError, DatasetSettings, Issue, rule_names

__all__ = ["ImportSummary", "import_dataset"]


@dataclass(frozen=True, kw_only=True)
class ImportSummary:
    workers: int
    customers: int
    orders: int
    visits: int
    events: int
    ignored_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def import_dataset(
    ops: Operations, folder: Path, *, time: datetime | None = None, actor: str = "import"
) -> ImportSummary:
    """Seed the store from a dataset folder (contract v1); all or nothing.

    Raises :class:`~matchmaker.model.DatasetError` listing every bad cell (file, row,
    column), and writes nothing then.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(
            [
                Issue(
                    file=str(folder),
                    row=None,
                    column=None,
                    value=None,
                    message="dataset folder not found",
                )
            ]
        )
    when = time or datetime.now().astimezone()
    out = Collector(time=when, actor=actor)
    settings_text, zone, break_names = _read_settings(folder, out)
    tables: dict[str, pd.DataFrame] = {}
    paths: dict[str, str] = {}
    for name in ("workers", "customers", "jobs", "availability"):
        path = find_table(folder, name)
        if path is None:
            if name in ("workers", "jobs"):
                out.issue(str(folder / f"{name}.csv"), None, None, None, "required table missing")
            continue
        frame = read_table(path)
        for column in TIME_COLUMNS.get(name, ()):
            if column in frame.columns:
                frame[column] = _localized(frame[column], zone, path.name, out)
        tables[name] = frame
        paths[name] = path.name
    if out.issues:
        raise DatasetError(out.issues)

    ledger = ops.ledger()
    ignored: dict[str, tuple[str, ...]] = {}
    workers = _import_workers(
        tables["workers"], paths["workers"], ledger, out, ignored, break_names
    )
    if "availability" in tables:
        _import_availability(tables["availability"], paths["availability"], workers, out)
    customers = _import_customers(tables, paths, ledger, out, ignored)
    orders, visits = _import_jobs(
        tables["jobs"],
        paths["jobs"],
        customers,
        workers,
        ledger,
        out,
        ignored,
        has_customers="customers" in tables,
    )
    if out.issues:
        raise DatasetError(out.issues)
    meta = {}
    if settings_text is not None:
        meta["dataset_toml"] = settings_text
    if zone is not None:
        meta["timezone"] = zone.key
    stored = ops.submit(out.commands, meta=meta)
    return ImportSummary(
        workers=len(workers),
        customers=len(customers),
        orders=orders,
        visits=visits,
        events=len(stored),
        ignored_columns=ignored,
    )


def _localized(cells: pd.Series, zone: ZoneInfo | None, file: str, out: Collector) -> pd.Series:
    """``cells`` with :func:`localize` applied; a time that does not exist is an issue."""
    values = []
    for index, text in enumerate(cells.astype(str)):
        try:
            values.append(localize(text, zone))
        except CellError as error:
            out.issue(file, index + 2, str(cells.name), text, f"{cells.name} {error}")
            values.append(text)
    return pd.Series(values, index=cells.index, name=cells.name, dtype=object)


def _read_settings(
    folder: Path, out: Collector
) -> tuple[str | None, ZoneInfo | None, tuple[str, ...]]:
    """The text of ``dataset.toml``, its timezone and the names of its break rules."""
    path = folder / "dataset.toml"
    if not path.is_file():
        return None, None, ()
    text = path.read_text(encoding="utf-8")
    try:
        settings = DatasetSettings.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        out.issue(path.name, None, None, None, f"not valid TOML: {error}")
        return None, None, ()
    except ValidationError as error:
        out.issues.extend(validation_issues(error, file=path.name, row=None))
        return None, None, ()
    return text, settings.zone, rule_names(settings.breaks)


_WORKER_FIELDS = [c for c in WORKER_COLUMNS if c not in ("worker_id", "status")]


def _check_breaks(cells: Mapping[str, str], known: tuple[str, ...]) -> str | None:
    """Why ``workers.breaks`` names a rule ``dataset.toml`` lacks (the loader's rule), or None."""
    names = [n.strip() for n in cells.get("breaks", "").split(";") if n.strip()]
    unknown = [n for n in names if n != NO_BREAKS and n not in known]
    if not unknown:
        return None
    rules = ", ".join(known) if known else "dataset.toml has no [[breaks]]"
    return f"names unknown break rule(s) {', '.join(unknown)} (rules: {rules})"


def _import_workers(
    frame: pd.DataFrame,
    file: str,
    ledger: Ledger,
    out: Collector,
    ignored: dict[str, tuple[str, ...]],
    break_names: tuple[str, ...],
) -> set[str]:
    extra = check_columns(
        frame, file, WORKER_COLUMNS, ("worker_id", "gender", "home_lat", "home_lon"), out
    )
    if extra:
        ignored[file] = extra
    seen: set[str] = set()
    for row, cells in records(frame):
        worker_id = cells.get("worker_id", "")
        if not worker_id:
            out.issue(file, row, "worker_id", None, "worker_id is blank")
            continue
        if worker_id in seen or worker_id in ledger.workers:
            where = "the file" if worker_id in seen else "the store"
            out.issue(file, row, "worker_id", worker_id, f"worker already in {where}")
            continue
        seen.add(worker_id)
        unknown_breaks = _check_breaks(cells, break_names)
        if unknown_breaks is not None:
            out.issue(file, row, "breaks", cells["breaks"], unknown_breaks)
            continue
        payload = {k: v for k, v in cells.items() if k in _WORKER_FIELDS}
        out.add(file, row, "worker_registered", worker_id, **payload)
        status = cells.get("status", "active")
        if status == "suspended":
            out.add(file, row, "worker_suspended", worker_id, reason=f"status in {file}")
        elif status == "on_leave":
            out.add(file, row, "worker_leave_started", worker_id, reason=f"status in {file}")
        elif status != "active":
            out.issue(file, row, "status", status, "status must be active, suspended or on_leave")
    return seen


def _import_availability(frame: pd.DataFrame, file: str, workers: set[str], out: Collector) -> None:
    check_columns(frame, file, AVAILABILITY_COLUMNS, AVAILABILITY_COLUMNS, out)
    shifts: dict[str, list[dict[str, str]]] = {}
    first_row: dict[str, int] = {}
    for row, cells in records(frame):
        worker_id = cells.get("worker_id", "")
        if worker_id not in workers:
            out.issue(file, row, "worker_id", worker_id, "unknown worker")
            continue
        shifts.setdefault(worker_id, []).append(
            {"start": cells.get("start", ""), "end": cells.get("end", "")}
        )
        first_row.setdefault(worker_id, row)
    for worker_id, items in shifts.items():
        out.add(file, first_row[worker_id], "worker_availability_set", worker_id, shifts=items)


def _import_customers(
    tables: Mapping[str, pd.DataFrame],
    paths: Mapping[str, str],
    ledger: Ledger,
    out: Collector,
    ignored: dict[str, tuple[str, ...]],
) -> set[str]:
    seen: set[str] = set()
    if "customers" in tables:
        frame, file = tables["customers"], paths["customers"]
        extra = check_columns(frame, file, CUSTOMER_COLUMNS, ("customer_id",), out)
        if extra:
            ignored[file] = extra
        for row, cells in records(frame):
            customer_id = cells.get("customer_id", "")
            if not customer_id:
                out.issue(file, row, "customer_id", None, "customer_id is blank")
                continue
            if customer_id in seen or customer_id in ledger.customers:
                where = "the file" if customer_id in seen else "the store"
                out.issue(file, row, "customer_id", customer_id, f"customer already in {where}")
                continue
            seen.add(customer_id)
            payload = {k: v for k, v in cells.items() if k in CUSTOMER_COLUMNS[1:]}
            out.add(file, row, "customer_registered", customer_id, **payload)
        return seen
    # Without a customers table, each customer is registered at its first job's place.
    frame, file = tables["jobs"], paths["jobs"]
    for row, cells in records(frame):
        customer_id = cells.get("customer_id", "")
        if not customer_id or customer_id in seen or customer_id in ledger.customers:
            continue
        seen.add(customer_id)
        location = {k: cells[k] for k in ("lat", "lon") if k in cells}
        out.add(file, row, "customer_registered", customer_id, **location)
    return seen


_JOB_FIELDS = [
    c
    for c in JOB_COLUMNS
    if c not in ("job_id", "pinned_worker_id", "pinned_start", "excluded_workers")
]


def _import_jobs(
    frame: pd.DataFrame,
    file: str,
    customers: set[str],
    workers: set[str],
    ledger: Ledger,
    out: Collector,
    ignored: dict[str, tuple[str, ...]],
    *,
    has_customers: bool,
) -> tuple[int, int]:
    required = (
        "job_id",
        "customer_id",
        "service_type",
        "earliest_start",
        "latest_start",
        "duration_minutes",
    )
    extra = check_columns(frame, file, JOB_COLUMNS, required, out)
    if extra:
        ignored[file] = extra
    known_customers = customers | set(ledger.customers)
    rows = records(frame)
    job_ids = {cells.get("job_id", "") for _, cells in rows}
    orders: dict[str, tuple[int, dict[str, str]]] = {}
    for row, cells in rows:
        order_id = cells.get("order_id", "")
        if not order_id:
            continue
        if order_id in ledger.orders:
            out.issue(file, row, "order_id", order_id, "order already in the store")
        elif order_id not in orders:
            orders[order_id] = (row, cells)
        elif orders[order_id][1].get("customer_id") != cells.get("customer_id"):
            out.issue(
                file,
                row,
                "customer_id",
                cells.get("customer_id"),
                f"order {order_id} has jobs of different customers",
            )
    for order_id, (row, cells) in orders.items():
        first = {
            "customer_id": cells.get("customer_id", ""),
            "service_type": cells.get("service_type", ""),
        }
        out.add(file, row, "order_created", order_id, **first)
        out.add(file, row, "order_quoted", order_id, note=f"imported from {file}")
        out.add(file, row, "order_contracted", order_id, note=f"imported from {file}")
        out.add(file, row, "order_started", order_id)
    seen: set[str] = set()
    for row, cells in rows:
        job_id = cells.get("job_id", "")
        if not job_id:
            out.issue(file, row, "job_id", None, "job_id is blank")
            continue
        if job_id in seen or job_id in ledger.visits:
            where = "the file" if job_id in seen else "the store"
            out.issue(file, row, "job_id", job_id, f"job already in {where}")
            continue
        seen.add(job_id)
        customer_id = cells.get("customer_id", "")
        if customer_id and has_customers and customer_id not in known_customers:
            out.issue(file, row, "customer_id", customer_id, "unknown customer")
            continue
        partner = cells.get("depends_on", "")
        if partner and partner not in job_ids and partner not in ledger.visits:
            out.issue(
                file,
                row,
                "depends_on",
                partner,
                f"depends_on names job {partner!r}, which is neither in {file} nor in the store",
            )
            continue
        payload = {k: v for k, v in cells.items() if k in _JOB_FIELDS}
        if not out.add(file, row, "visit_created", job_id, **payload):
            continue
        pinned = [w.strip() for w in cells.get("pinned_worker_id", "").split(";") if w.strip()]
        if pinned:
            unknown = [w for w in pinned if w not in workers and w not in ledger.workers]
            if unknown:
                out.issue(file, row, "pinned_worker_id", ";".join(unknown), "unknown worker")
                continue
            start = cells.get("pinned_start") or cells.get("earliest_start", "")
            out.add(
                file,
                row,
                "visit_proposed",
                job_id,
                worker_ids=pinned,
                start=start,
                plan=f"pinned in {file}",
            )
            out.add(file, row, "visit_confirmed", job_id, note=f"pinned in {file}")
    _check_links(rows, file, ledger, out)
    return len(orders), len(seen)


def _check_links(
    rows: list[tuple[int, dict[str, str]]], file: str, ledger: Ledger, out: Collector
) -> None:
    """The loader's cross-row rules of linked visits, over the file and the store: a
    ``same``/``different`` link joins one-worker visits, and no chain comes back to its start
    (``ops jobs`` could not write a round that loads otherwise)."""
    needed: dict[str, str] = {v.visit_id: str(v.job.workers_needed) for v in ledger.visits.values()}
    partner: dict[str, str] = {
        v.visit_id: v.job.depends_on for v in ledger.visits.values() if v.job.depends_on
    }
    for _, cells in rows:
        job_id = cells.get("job_id", "")
        needed[job_id] = cells.get("workers_needed", "1")
        if cells.get("depends_on"):
            partner[job_id] = cells["depends_on"]
    for row, cells in rows:
        job_id, other = cells.get("job_id", ""), cells.get("depends_on", "")
        if not other:
            continue
        link = cells.get("link_worker", "any") or "any"
        if link != "any" and needed.get(other, "1") != "1":
            out.issue(
                file,
                row,
                "link_worker",
                link,
                f"asks for the {link} worker as job {other}, which needs {needed[other]}; "
                "use any, or a one-worker visit",
            )
        seen, current = {job_id}, other
        while current in partner and current not in seen:
            seen.add(current)
            current = partner[current]
        if current == job_id:
            out.issue(
                file,
                row,
                "depends_on",
                other,
                f"the links from job {job_id} come back to it; break the circle",
            )
