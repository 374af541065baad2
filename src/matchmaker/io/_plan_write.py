"""Writing plan folders (plan contract v1, :mod:`matchmaker.io._plan_folder`).

**Only a verified plan is written**: :func:`write_plan` runs
:func:`~matchmaker.plan.verify` (with the plan's travel model) and raises
:class:`~matchmaker.model.UnverifiedPlanError` when any hard rule is broken.

**Writing is atomic**: everything goes into a hidden temporary sibling folder that is then
renamed into place (:mod:`matchmaker.io._folders`); a failure or an interrupted run leaves
the output as it was. A hard kill between the renames leaves the old plan as a hidden
``.NAME.*.old`` sibling; the next write puts it back first and deletes such leftovers.
Folders and files get the default modes (the umask decides who may read them). An
existing *plan* folder (one holding ``plan.json``) and an empty folder are replaced; any
other existing path is refused with :class:`~matchmaker.model.OutputExistsError`
unless ``force`` is given. A plan is never written into, or over, the dataset folder it was
made from, ``force`` or not.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from matchmaker._version import __version__
from matchmaker.io._folders import recover, staging_folder, swap_into_place
from matchmaker.io._frames import dataset_to_frames
from matchmaker.io._plan_breaks import KIND_COLUMN, break_record, break_rows
from matchmaker.io._plan_folder import DAYS, INPUT, PLAN_MARKER, tree_sha256
from matchmaker.io._tables import write_tables
from matchmaker.io._travel_file import write_travel
from matchmaker.model import Dataset, OutputExistsError, PlanError, Policy, UnverifiedPlanError
from matchmaker.plan import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENT_DETAIL_COLUMNS,
    PLAN_SCHEMA_VERSION,
    UNASSIGNED_COLUMNS,
    UNASSIGNED_DETAIL_COLUMNS,
    WORKER_COLUMNS,
    Assignment,
    Plan,
    assignment_details,
    json_safe,
    localized_plan,
    unassigned_details,
    verify,
    worker_rows,
)

__all__ = ["check_output_folder", "write_plan"]


def _is_within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_output_folder(out: Path, *, force: bool = False, source: Path | None = None) -> None:
    """Raise unless a plan may be written at ``out`` (see the module docstring).

    ``source`` is the dataset folder the plan comes from: writing into it, or over a folder
    containing it, is refused even with ``force`` (:class:`PlanError`).
    """
    out = Path(out)
    if source is not None:
        target, data = out.resolve(), Path(source).resolve()
        if _is_within(target, data) or _is_within(data, target):
            raise PlanError(
                f"{out}: refusing to write a plan into or over the dataset folder {source}; "
                "choose an output folder outside it"
            )
    if not out.exists() and not out.is_symlink():
        return
    is_folder = out.is_dir() and not out.is_symlink()
    if is_folder and ((out / PLAN_MARKER).is_file() or not any(out.iterdir())):
        return
    if not force:
        raise OutputExistsError(
            f"{out} already exists and is not a plan folder; choose a new folder or pass "
            "--force to replace it"
        )


def _csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row[c] is None else row[c] for c in columns})


def _json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def _assignment_row(a: Assignment) -> dict[str, Any]:
    return {
        "job_id": a.job_id,
        "worker_id": a.worker_id,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "travel_minutes": a.travel_minutes,
        "sequence": a.sequence,
        "match_score": a.match_score,
    }


def _input_copy(dataset: Dataset) -> Dataset:
    """What ``explain`` and ``verify`` need of ``dataset``, and no more personal data.

    Every worker and job stays (a job carries its own resolved location, a worker's name
    labels it in explanations), without the job's street address; only customers with a
    job in the round stay, without their name and address, which no rule, score or
    explanation reads. A customer keeps the location their jobs already carry, so that a
    new request of theirs (``recommend --job``, ``slots --template``) may leave lat and lon
    blank as a row of ``jobs.csv`` may. Long placement requests are left out: no plan of
    the round reads them, and they may name customers with no job in it.
    (``assignments.csv`` and ``unassigned.csv`` show names and addresses to the
    dispatcher; ``--redact`` leaves them out there too.)
    """
    ordering = {job.customer_id for job in dataset.jobs}
    customers = tuple(
        replace(c, name="", address="") for c in dataset.customers if c.customer_id in ordering
    )
    jobs = tuple(replace(j, address="") for j in dataset.jobs)
    return replace(dataset, customers=customers, jobs=jobs, placement_requests=())


_ASSIGNMENT_FILE_COLUMNS = ASSIGNMENT_COLUMNS + ASSIGNMENT_DETAIL_COLUMNS
_UNASSIGNED_FILE_COLUMNS = UNASSIGNED_COLUMNS + UNASSIGNED_DETAIL_COLUMNS


def _write_days(
    folder: Path,
    assignments: list[dict[str, Any]],
    unassigned: list[dict[str, Any]],
    assignment_columns: tuple[str, ...] = _ASSIGNMENT_FILE_COLUMNS,
) -> None:
    """``days/YYYY-MM-DD/{assignments,unassigned}.csv`` for a round over several days:
    the rows of the whole-round files whose ``day`` is that day."""
    days = sorted({r["day"] for r in assignments + unassigned if r["day"]})
    if len(days) < 2:
        return
    for day in days:
        target = folder / DAYS / day
        target.mkdir(parents=True)
        _csv(
            target / "assignments.csv",
            assignment_columns,
            [r for r in assignments if r["day"] == day],
        )
        _csv(
            target / "unassigned.csv",
            _UNASSIGNED_FILE_COLUMNS,
            [r for r in unassigned if r["day"] == day],
        )


def _write_contents(
    folder: Path,
    plan: Plan,
    dataset: Dataset,
    policy: Policy,
    extra_tables: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, Any]]]],
) -> None:
    copy = _input_copy(dataset)
    write_tables(dataset_to_frames(copy), folder / INPUT, settings=copy.settings)
    assignments = [_assignment_row(a) for a in plan.assignments]
    unassigned = [
        {
            "job_id": u.job_id,
            "reason_code": u.reason_code.value,
            "reason": u.reason,
            "smallest_change": u.smallest_change,
        }
        for u in plan.unassigned
    ]
    workers = worker_rows(plan, dataset)
    details = assignment_details(plan, dataset)
    unassigned_rows = [
        {**row, **more}
        for row, more in zip(unassigned, unassigned_details(plan, dataset), strict=True)
    ]
    assignment_rows = [{**row, **more} for row, more in zip(assignments, details, strict=True)]
    assignment_columns: tuple[str, ...] = _ASSIGNMENT_FILE_COLUMNS
    if plan.breaks:
        assignment_columns += (KIND_COLUMN,)
        assignment_rows = break_rows(plan, dataset, assignment_rows)
    _csv(folder / "assignments.csv", assignment_columns, assignment_rows)
    _csv(folder / "unassigned.csv", _UNASSIGNED_FILE_COLUMNS, unassigned_rows)
    _csv(folder / "workers.csv", WORKER_COLUMNS, workers)
    _write_days(folder, assignment_rows, unassigned_rows, assignment_columns)
    for name, (columns, rows) in extra_tables.items():
        _csv(folder / name, tuple(columns), [dict(row) for row in rows])
    kpis = json_safe(plan.kpis)
    _json(folder / "kpis.json", kpis)
    policy_data = policy.model_dump(mode="json")
    _json(folder / "policy.json", policy_data)
    travel = write_travel(folder, plan.travel, dataset)
    _json(
        folder / PLAN_MARKER,
        {
            "schema_version": PLAN_SCHEMA_VERSION,
            "matchmaker_version": __version__,
            "kpis": kpis,
            "assignments": [
                {
                    **row,
                    "components": json_safe(
                        plan.score_components.get((row["job_id"], row["worker_id"]), {})
                    ),
                }
                for row in assignments
            ],
            "unassigned": unassigned,
            **({"breaks": [break_record(b) for b in plan.breaks]} if plan.breaks else {}),
            "workers": workers,
            "policy": policy_data,
            "travel": travel,
            "input": INPUT,
            "input_sha256": tree_sha256(folder / INPUT),
        },
    )


def write_plan(
    plan: Plan,
    out: Path,
    *,
    dataset: Dataset,
    policy: Policy,
    force: bool = False,
    source: Path | None = None,
    lang: str = "en",
    extra_tables: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, Any]]]] | None = None,
) -> None:
    """Write ``plan`` (made from ``dataset`` with ``policy``) as a plan folder at ``out``.

    See the module docstring for the layout and for when an existing ``out`` is replaced;
    ``source`` is the dataset's folder, if it came from one, so that it is never written
    into. ``lang`` (``en`` or ``zh``) is the language of the reason sentences of
    ``unassigned.csv`` (codes stay as they are). ``extra_tables`` adds CSV files to the
    folder (name -> columns, rows), written in the same atomic swap (``replan`` adds
    ``diff.csv``). Raises :class:`OutputExistsError` or :class:`PlanError`, and
    :class:`UnverifiedPlanError` (nothing written) when the plan fails verify.
    """
    out = Path(out)
    recover(out)
    check_output_folder(out, force=force, source=source)
    violations = verify(dataset, plan)
    if violations:
        raise UnverifiedPlanError(
            f"{out}: not written: the plan breaks {len(violations)} hard rule(s)", violations
        )
    plan = localized_plan(plan, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(out)
    try:
        _write_contents(staging, plan, dataset, policy, extra_tables or {})
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
