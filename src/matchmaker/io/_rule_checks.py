"""Checks of the home-care columns of ``jobs``: ``due_start`` and the linked-visit columns
(``depends_on``, ``min_gap``, ``max_gap``, ``link_worker``); the row checks run with
:mod:`matchmaker.io._checks`, the cross-row check with :mod:`matchmaker.io._dataset_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from matchmaker.io._schemas import JobRow
from matchmaker.model import Issue, LinkWorker

if TYPE_CHECKING:
    from matchmaker.io._dataset_checks import ParsedTables

__all__ = ["check_job_links", "check_job_rule_columns"]


def issue_at(file: str, row: int, column: str, value: str, message: str) -> Issue:
    return Issue(file=file, row=row, column=column, value=value, message=message)


def check_job_rule_columns(row: JobRow) -> Iterator[tuple[str, str]]:
    """due_start lies in the start window; the link columns need depends_on and agree."""
    if row.due_start is not None and not row.earliest_start <= row.due_start <= row.latest_start:
        yield (
            "due_start",
            f"is outside the start window {row.earliest_start.isoformat()} to "
            f"{row.latest_start.isoformat()}; a due start must lie inside it",
        )
    if row.depends_on is None:
        for column in ("min_gap", "max_gap"):
            if getattr(row, column) is not None:
                yield column, "is given but depends_on is blank; link the visit or clear it"
        if row.link_worker is not LinkWorker.ANY:
            yield "link_worker", "is given but depends_on is blank; link the visit or clear it"
        return
    if row.depends_on == row.job_id:
        yield "depends_on", "names the job itself; name the visit this one follows"
    if row.min_gap is not None and row.max_gap is not None and row.max_gap < row.min_gap:
        yield "max_gap", f"is below min_gap ({row.min_gap}); the gap must not be empty"
    if row.link_worker is not LinkWorker.ANY and row.workers_needed != 1:
        yield (
            "link_worker",
            f"is {row.link_worker.value} but workers_needed is {row.workers_needed}; "
            "same or different worker needs one-worker visits",
        )


def check_job_links(parsed: ParsedTables) -> Iterator[Issue]:
    """Every depends_on names a job of the table, a same/different link joins one-worker
    visits, and no chain of links comes back to where it started."""
    rows = {row: job for row, job in parsed.rows.get("jobs", {}).items() if isinstance(job, JobRow)}
    ids = parsed.column("jobs", "job_id")
    if ids is None or not rows:
        return
    known = set(ids.tolist())
    by_id = {job.job_id: job for job in rows.values()}
    file = parsed.file("jobs")
    for row, job in rows.items():
        if job.depends_on is None:
            continue
        if job.depends_on not in known:
            yield issue_at(
                file,
                row,
                "depends_on",
                job.depends_on,
                f"depends_on names job {job.depends_on!r}, which is not in {file}; "
                "use an existing job_id",
            )
            continue
        other = by_id.get(job.depends_on)
        if (
            other is not None
            and job.link_worker is not LinkWorker.ANY
            and other.workers_needed != 1
        ):
            yield issue_at(
                file,
                row,
                "link_worker",
                job.link_worker.value,
                f"asks for the {job.link_worker.value} worker as job {other.job_id}, "
                f"which needs {other.workers_needed}; use any, or a one-worker visit",
            )
        seen = {job.job_id}
        current: JobRow | None = job
        while current is not None and current.depends_on is not None:
            if current.depends_on in seen:
                yield issue_at(
                    file,
                    row,
                    "depends_on",
                    job.depends_on,
                    "makes a cycle of linked visits (a visit ends up depending on itself); "
                    "break the chain",
                )
                break
            seen.add(current.depends_on)
            current = by_id.get(current.depends_on)
