"""What happened since a plan was made: the changes a re-plan answers.

A changes file is JSON Lines, one change per line, ``"kind"`` one of:

* ``job_added``: a new job, with the jobs table's fields (``job_id``, ``customer_id``,
  ``service_type``, ``earliest_start``, ... as in ``jobs.csv``, lists as ``;`` text or JSON
  lists); it is validated exactly as a row of ``jobs.csv`` is;
* ``job_cancelled``: ``job_id`` (a visit that followed it stays, unlinked);
* ``worker_unavailable``: ``worker_id``, ``from`` and an optional ``until`` (ISO 8601 with
  offset): the worker is sick or away in between;
* ``job_overrun``: ``job_id``, ``minutes``: the job lasts that much longer;
* ``job_declined``: ``job_id``, ``worker_id``: the worker will not serve it.

Blank lines are skipped. :func:`read_changes` reports every bad line with its number
(``DatasetError``, exit 2 on the command line) and nothing is written.
:func:`apply_changes` turns a dataset into the round after the changes
(:class:`ChangedRound`), docs/design.md section 7 and the README say what each change does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from matchmaker.io import CellError, check_frames, dataset_to_frames, parse_datetime
from matchmaker.live._way_home import WayHome
from matchmaker.model import Dataset, DatasetError, Issue, Job, Shift, add_minutes, utc

__all__ = [
    "CHANGE_KINDS",
    "Change",
    "ChangeKind",
    "ChangedRound",
    "apply_changes",
    "jobs_from_records",
    "parse_changes",
    "read_changes",
    "read_jobs_file",
]

ChangeKind = Literal[
    "job_added", "job_cancelled", "worker_unavailable", "job_overrun", "job_declined"
]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "job_added",
    "job_cancelled",
    "worker_unavailable",
    "job_overrun",
    "job_declined",
)
_FIELDS: Mapping[str, tuple[str, ...]] = {
    "job_cancelled": ("job_id",),
    "worker_unavailable": ("worker_id", "from"),
    "job_overrun": ("job_id", "minutes"),
    "job_declined": ("job_id", "worker_id"),
}


@dataclass(frozen=True, kw_only=True)
class Change:
    """One change; ``line`` is its line in the changes file (1 for the first)."""

    kind: ChangeKind
    line: int
    job_id: str = ""
    worker_id: str = ""
    start: datetime | None = None
    """``from`` of ``worker_unavailable``."""
    until: datetime | None = None
    minutes: int = 0
    job: Job | None = None
    """The new job of ``job_added``."""
    source: str = ""
    """Where the change comes from when not a changes file (``store``: read from the
    event store by ``ops replan``)."""

    @property
    def label(self) -> str:
        """How ``diff.csv`` names the change: kind, line and what it is about."""
        what = {
            "job_added": self.job_id,
            "job_cancelled": self.job_id,
            "worker_unavailable": self.worker_id,
            "job_overrun": f"{self.job_id} +{self.minutes} min",
            "job_declined": f"{self.job_id} by {self.worker_id}",
        }[self.kind]
        where = self.source or f"line {self.line}"
        return f"{self.kind} {what} ({where})"


def read_changes(path: Path, dataset: Dataset) -> list[Change]:
    """The changes in the JSON Lines file ``path``, for a round on ``dataset``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: changes file not found") from None
    except UnicodeDecodeError:
        raise DatasetError(
            [Issue(file=str(path), row=None, column=None, value=None, message="is not UTF-8")]
        ) from None
    return parse_changes(text.splitlines(), dataset, file=str(path))


def parse_changes(lines: Sequence[str], dataset: Dataset, *, file: str) -> list[Change]:
    """Parse JSON Lines ``lines`` (see the module docstring); ``file`` names them in issues."""
    issues: list[Issue] = []
    changes: list[Change] = []
    added: list[tuple[int, dict[str, Any]]] = []

    def issue(line: int, column: str | None, value: Any, message: str) -> None:
        shown = None if value is None else str(value)
        issues.append(Issue(file=file, row=line, column=column, value=shown, message=message))

    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            issue(line, None, None, f"not valid JSON: {error.msg}")
            continue
        if not isinstance(record, dict):
            issue(line, None, None, "a change must be a JSON object")
            continue
        kind = record.get("kind")
        if kind not in CHANGE_KINDS:
            issue(line, "kind", kind, f"unknown change; use one of {', '.join(CHANGE_KINDS)}")
            continue
        if kind == "job_added":
            added.append((line, {k: v for k, v in record.items() if k != "kind"}))
            continue
        change = _parse_one(kind, line, record, dataset, issue)
        if change is not None:
            changes.append(change)
    if added:
        jobs = jobs_from_records(dataset, added, file=file, issues=issues)
        changes += [
            Change(kind="job_added", line=line, job_id=job.job_id, job=job)
            for (line, _), job in zip(added, jobs, strict=False)
        ]
    _check_together(changes, issue)
    if issues:
        raise DatasetError(issues)
    changes.sort(key=lambda c: c.line)
    return changes


def _parse_one(
    kind: ChangeKind, line: int, record: Mapping[str, Any], dataset: Dataset, issue: Any
) -> Change | None:
    ok = True
    for name in _FIELDS[kind]:
        if record.get(name) in (None, ""):
            issue(line, name, None, f"{kind} needs {name!r}")
            ok = False
    if not ok:
        return None
    job_id = str(record.get("job_id", ""))
    worker_id = str(record.get("worker_id", ""))
    if job_id and not dataset.has_job(job_id):
        issue(line, "job_id", job_id, "no such job in the dataset")
        ok = False
    if worker_id and not dataset.has_worker(worker_id):
        issue(line, "worker_id", worker_id, "no such worker in the dataset")
        ok = False
    start = until = None
    minutes = 0
    if kind == "worker_unavailable":
        start = _instant(record, "from", line, dataset, issue)
        if record.get("until") not in (None, ""):
            until = _instant(record, "until", line, dataset, issue)
            if start is not None and until is not None and utc(until) <= utc(start):
                issue(line, "until", record["until"], "must be after 'from'")
                ok = False
        ok = ok and start is not None and (record.get("until") in (None, "") or until is not None)
    if kind == "job_overrun":
        value = record.get("minutes")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            issue(line, "minutes", value, "must be a whole number of minutes above 0")
            ok = False
        else:
            minutes = value
    if not ok:
        return None
    return Change(
        kind=kind,
        line=line,
        job_id=job_id,
        worker_id=worker_id,
        start=start,
        until=until,
        minutes=minutes,
    )


def _instant(
    record: Mapping[str, Any], name: str, line: int, dataset: Dataset, issue: Any
) -> datetime | None:
    value = record.get(name)
    try:
        return parse_datetime(str(value), dataset.settings.zone)
    except CellError as error:
        issue(line, name, value, str(error))
        return None


def _check_together(changes: list[Change], issue: Any) -> None:
    """Changes that contradict each other: one job cancelled twice, or added and cancelled."""
    seen: dict[tuple[str, str], int] = {}
    for change in changes:
        if change.kind in ("job_cancelled", "job_added"):
            key = ("job", change.job_id)
            if key in seen:
                issue(
                    change.line,
                    "job_id",
                    change.job_id,
                    f"job {change.job_id} is already added or cancelled on line {seen[key]}",
                )
            seen[key] = change.line


def jobs_from_records(
    dataset: Dataset,
    records: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    file: str,
    issues: list[Issue],
) -> list[Job]:
    """New jobs from ``(line, fields)`` records, validated as rows of ``jobs.csv`` of
    ``dataset`` (ids unique, customer known, every cell checked); issues name ``file``
    and the record's line."""
    frames = dataset_to_frames(dataset)
    existing = frames["jobs"]
    rows = []
    for _, fields in records:
        row: dict[str, Any] = {}
        for column in existing.columns:
            value = fields.get(column)
            if isinstance(value, list):
                value = ";".join(str(v) for v in value)
            row[column] = value
        rows.append(row)
    unknown = {
        (line, name) for line, fields in records for name in fields if name not in existing.columns
    }
    for line, name in sorted(unknown):
        issues.append(
            Issue(file=file, row=line, column=name, value=None, message="not a jobs column")
        )
    added = pd.DataFrame.from_records(rows, columns=list(existing.columns)).astype(object)
    frames["jobs"] = pd.concat([existing.astype(object), added], ignore_index=True)
    report = check_frames(frames, settings=dataset.settings)
    first_new = len(existing) + 2  # spreadsheet numbering: the header is row 1
    lines = [line for line, _ in records]
    for found in report.errors:
        if found.file == "jobs" and found.row is not None and found.row >= first_new:
            issues.append(replace(found, file=file, row=lines[found.row - first_new]))
        else:
            issues.append(replace(found, file=f"{file} (with the dataset)"))
    if report.dataset is None:
        return []
    return list(report.dataset.jobs[len(existing) :])


@dataclass(frozen=True, kw_only=True)
class ChangedRound:
    """The round after the changes, and which jobs each change hit."""

    dataset: Dataset
    cancelled: dict[str, Change]
    declined: dict[tuple[str, str], Change]
    """``(job_id, worker_id)`` pairs no longer allowed."""
    unavailable: dict[str, list[Change]]
    overrun: dict[str, Change]
    added: dict[str, Change]


def apply_changes(
    dataset: Dataset,
    changes: Sequence[Change],
    visits: Mapping[str, Sequence[tuple[str, datetime, datetime]]],
    way_home: WayHome | None = None,
) -> ChangedRound:
    """``dataset`` after ``changes``.

    ``visits`` gives, per worker, the ``(job_id, start, end)`` of the visits the previous
    plan gives them. A worker unavailable from ``from`` keeps the visits that start before it
    (they are done or under way): the shift is cut at ``from`` or at the end of the last
    such visit (lengthened by an overrun reported before), whichever is later, and starts
    again at ``until``. An overrun lengthens the job (two overruns of one job add up) and,
    when it then runs past its worker's shift, the shift (the worker is still there; into
    the next shift, the two become one), and a work-minute limit by as much.
    A declined job excludes the worker, and a job pinned to a worker who is away at its
    start is no longer pinned to them (both drop only that worker's pin). With ``way_home``
    (the policy counts it) a stretched or cut shift also covers the way home from the visit
    that sets its end.
    """
    jobs = {job.job_id: job for job in dataset.jobs}
    workers = {worker.worker_id: worker for worker in dataset.workers}
    cancelled: dict[str, Change] = {}
    declined: dict[tuple[str, str], Change] = {}
    unavailable: dict[str, list[Change]] = {}
    overrun: dict[str, Change] = {}
    added: dict[str, Change] = {}

    def home(worker_id: str, job_id: str) -> int:
        if way_home is None or job_id not in jobs:
            return 0
        return way_home(workers[worker_id], jobs[job_id])

    for change in changes:
        if change.kind == "job_added" and change.job is not None:
            jobs[change.job_id] = change.job
            added[change.job_id] = change
        elif change.kind == "job_cancelled":
            jobs.pop(change.job_id, None)
            cancelled[change.job_id] = change
            # A visit that followed the cancelled one stays, unlinked (as ops jobs writes a
            # visit whose partner left the round).
            for job_id, job in list(jobs.items()):
                if job.depends_on == change.job_id:
                    jobs[job_id] = job.unlinked()
        elif change.kind == "job_declined" and change.job_id in jobs:
            job = jobs[change.job_id]
            jobs[change.job_id] = replace(
                _unpinned(job, change.worker_id),
                excluded_workers=job.excluded_workers | {change.worker_id},
            )
            declined[(change.job_id, change.worker_id)] = change
        elif change.kind == "job_overrun" and change.job_id in jobs:
            job = jobs[change.job_id]
            longer = job.duration_minutes + change.minutes
            jobs[change.job_id] = replace(job, duration_minutes=longer)
            overrun[change.job_id] = change
            for worker_id, theirs in visits.items():
                for job_id, start, _ in theirs:
                    if job_id == change.job_id:
                        worker = workers[worker_id]
                        end = add_minutes(start, longer + home(worker_id, job_id))
                        stretched = _stretch(worker.shifts, start, end)
                        limit = worker.max_work_minutes
                        if limit is not None:
                            limit += change.minutes  # the work is done: over the limit
                        workers[worker_id] = replace(
                            worker, shifts=stretched, max_work_minutes=limit
                        )
        elif change.kind == "worker_unavailable" and change.start is not None:
            worker = workers[change.worker_id]
            # A visit under way ends when its job does now: an overrun reported before
            # lengthens it, and the worker stays to the end of it.
            spans = [
                (
                    start,
                    add_minutes(
                        start,
                        jobs[job_id].duration_minutes + home(change.worker_id, job_id),
                    )
                    if job_id in jobs
                    else end,
                )
                for job_id, start, end in visits.get(change.worker_id, ())
            ]
            shifts = _cut(worker.shifts, change.start, change.until, spans)
            workers[change.worker_id] = replace(worker, shifts=shifts)
            unavailable.setdefault(change.worker_id, []).append(change)
            planned = {job_id: start for job_id, start, _ in visits.get(change.worker_id, ())}
            for job_id, job in list(jobs.items()):
                if change.worker_id not in job.pinned_worker_ids:
                    continue
                moment = planned.get(job_id) or job.pinned_start or job.earliest_start
                if _inside(moment, change.start, change.until):
                    jobs[job_id] = _unpinned(job, change.worker_id)
    changed = replace(
        dataset,
        workers=tuple(workers[w.worker_id] for w in dataset.workers),
        jobs=tuple(jobs.values()),
    )
    return ChangedRound(
        dataset=changed,
        cancelled=cancelled,
        declined=declined,
        unavailable=unavailable,
        overrun=overrun,
        added=added,
    )


def _unpinned(job: Job, worker_id: str) -> Job:
    """``job`` no longer pinned to ``worker_id`` (nor to a start, when no pin is left). A
    team job loses all its pins: the rest of a pinned team would be forced in place
    without the member it lost, so the team is staffed again (or left out) as a whole."""
    if job.workers_needed > 1:
        return job.unpinned()
    pins = tuple(w for w in job.pinned_worker_ids if w != worker_id)
    return replace(job, pinned_worker_ids=pins, pinned_start=job.pinned_start if pins else None)


def _inside(moment: datetime, begin: datetime, until: datetime | None) -> bool:
    return utc(begin) <= utc(moment) and (until is None or utc(moment) < utc(until))


def _stretch(shifts: Sequence[Shift], start: datetime, end: datetime) -> tuple[Shift, ...]:
    """The shift holding ``start`` lasts at least until ``end``.

    When the visit now runs into the worker's next shift, the two become one (the worker
    stayed on through the gap), as a visit must lie inside one shift.
    """
    held = [i for i, s in enumerate(shifts) if utc(s.start) <= utc(start) < utc(s.end)]
    if not held or utc(end) <= utc(shifts[held[0]].end):
        return tuple(shifts)
    i = held[0]
    last = utc(end)
    joined = i + 1
    while joined < len(shifts) and utc(shifts[joined].start) < last:
        last = max(last, utc(shifts[joined].end))
        joined += 1
    longer = Shift(start=shifts[i].start, end=last.astimezone(shifts[joined - 1].end.tzinfo))
    return (*shifts[:i], longer, *shifts[joined:])


def _cut(
    shifts: Sequence[Shift],
    begin: datetime,
    until: datetime | None,
    visits: Sequence[tuple[datetime, datetime]],
) -> tuple[Shift, ...]:
    """``shifts`` without ``[begin, until)``, keeping the visits that start before ``begin``."""
    out: list[Shift] = []
    away_from = utc(begin)
    back_at = None if until is None else utc(until)
    for shift in shifts:
        s, e = utc(shift.start), utc(shift.end)
        if e <= away_from or (back_at is not None and s >= back_at):
            out.append(shift)
            continue
        started = [utc(end) for start, end in visits if s <= utc(start) < away_from]
        cut = min(max([away_from, *started]), e)
        if cut > s:
            out.append(Shift(start=shift.start, end=cut.astimezone(shift.end.tzinfo)))
        if back_at is not None and back_at < e:
            resume = max(back_at, s, cut)
            if resume < e:
                out.append(Shift(start=resume.astimezone(shift.start.tzinfo), end=shift.end))
    return tuple(out)


def read_jobs_file(path: Path, dataset: Dataset) -> list[Job]:
    """Jobs from a ``.csv`` file in the jobs table's columns (or ``.json``: one record or
    a list), validated as rows of ``jobs.csv`` of ``dataset``; issues name the file and
    the row (a spreadsheet's numbering)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: job file not found") from None
    except UnicodeDecodeError:
        raise DatasetError(
            [Issue(file=str(path), row=None, column=None, value=None, message="is not UTF-8")]
        ) from None
    records: list[tuple[int, Mapping[str, Any]]]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DatasetError(
                [Issue(file=str(path), row=None, column=None, value=None, message=error.msg)]
            ) from None
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(item, dict) for item in items):
            raise DatasetError(
                [
                    Issue(
                        file=str(path),
                        row=None,
                        column=None,
                        value=None,
                        message="must hold a job record or a list of them",
                    )
                ]
            )
        records = [(i + 2, item) for i, item in enumerate(items)]
    else:
        reader = csv.DictReader(StringIO(text, newline=""))
        records = [
            (i + 2, {k.strip(): v for k, v in row.items() if k is not None and v not in (None, "")})
            for i, row in enumerate(reader)
        ]
    if not records:
        raise DatasetError(
            [Issue(file=str(path), row=None, column=None, value=None, message="holds no job")]
        )
    issues: list[Issue] = []
    jobs = jobs_from_records(dataset, records, file=str(path), issues=issues)
    if issues:
        raise DatasetError(issues)
    return jobs
