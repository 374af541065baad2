"""Plan folders (plan contract v1, DESIGN section 5): writing them atomically, reading them back.

A plan folder holds::

    assignments.csv   job_id, worker_id, start, end, travel_minutes, sequence, match_score
    unassigned.csv    job_id, reason_code, reason
    workers.csv       worker_id, jobs, work_minutes, travel_minutes, shift_minutes, utilisation
    kpis.json         the KPIs (jobs_total, jobs_served, fill_rate, priority_served,
                      travel_minutes_total, mean_match_score, objective, lower_bound, gap,
                      backend, seed, solve_seconds, objective_terms, ...)
    plan.json         all of the above with "schema_version": 1, the score components of
                      every assignment, the policy, the travel model (``travel``, see
                      :mod:`matchmaker.io._travel_file`) and the checksum of input/
    travel_matrix.npz the travel matrix, when the plan was made with one
    policy.json       the policy the plan was made with
    input/            a normalised copy of the dataset (CSV tables and dataset.toml), so that
                      ``matchmaker explain`` and ``verify`` can read the plan on its own;
                      it keeps only the customers with a job, without name or location

Times are ISO 8601 with a UTC offset. ``workers.csv`` lists every worker of the dataset;
``utilisation`` is work minutes over shift minutes (travel is not work). ``input_sha256``
in ``plan.json`` is the SHA-256 over input/'s files in name order, each contributing its
relative path, a NUL byte and the SHA-256 of its bytes.

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

**Reading** (:func:`read_plan`) needs only ``assignments.csv`` (``job_id``, ``worker_id``,
``start``, ``end``; ``travel_minutes``, ``sequence`` and ``match_score`` are optional), so
plans made by hand or by another tool can be verified; ``unassigned.csv``, ``kpis.json`` and
``plan.json`` are read when present. Every problem is collected and raised as one
:class:`~matchmaker.model.PlanError` naming file, row and column.
The ``travel`` record of ``plan.json`` restores the model the plan was made with.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from matchmaker._version import __version__
from matchmaker.io._folders import recover, staging_folder, swap_into_place
from matchmaker.io._frames import dataset_to_frames
from matchmaker.io._loading import load_dataset
from matchmaker.io._tables import write_tables
from matchmaker.io._travel_file import read_travel, write_travel
from matchmaker.model import (
    Dataset,
    Issue,
    OutputExistsError,
    PlanError,
    Policy,
    UnverifiedPlanError,
    elapsed_minutes,
)
from matchmaker.plan import PLAN_SCHEMA_VERSION, Assignment, Plan, ReasonCode, UnassignedJob, verify

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "UNASSIGNED_COLUMNS",
    "WORKER_COLUMNS",
    "check_output_folder",
    "load_plan_input",
    "load_plan_policy",
    "plan_to_frames",
    "read_plan",
    "write_plan",
]

ASSIGNMENT_COLUMNS = (
    "job_id",
    "worker_id",
    "start",
    "end",
    "travel_minutes",
    "sequence",
    "match_score",
)
UNASSIGNED_COLUMNS = ("job_id", "reason_code", "reason")
WORKER_COLUMNS = (
    "worker_id",
    "jobs",
    "work_minutes",
    "travel_minutes",
    "shift_minutes",
    "utilisation",
)
_REQUIRED_ASSIGNMENT_COLUMNS = ("job_id", "worker_id", "start", "end")
_PLAN_MARKER = "plan.json"
_INPUT = "input"
_MAX_SHOWN_ISSUES = 20


# --- frames ---------------------------------------------------------------------------


def _minutes(a: Assignment) -> int:
    return int(elapsed_minutes(a.start, a.end))


def _worker_rows(plan: Plan, dataset: Dataset | None) -> list[dict[str, Any]]:
    by_worker: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        by_worker.setdefault(a.worker_id, []).append(a)
    if dataset is not None:
        worker_ids = [w.worker_id for w in dataset.workers]
        worker_ids += sorted(set(by_worker) - set(worker_ids))
    else:
        worker_ids = sorted(by_worker)
    rows: list[dict[str, Any]] = []
    for worker_id in worker_ids:
        mine = by_worker.get(worker_id, [])
        work = sum(_minutes(a) for a in mine)
        shift: int | None = None
        if dataset is not None and dataset.has_worker(worker_id):
            shift = sum(s.minutes for s in dataset.worker(worker_id).shifts)
        rows.append(
            {
                "worker_id": worker_id,
                "jobs": len(mine),
                "work_minutes": work,
                "travel_minutes": sum(a.travel_minutes for a in mine),
                "shift_minutes": shift,
                "utilisation": round(work / shift, 4) if shift else None,
            }
        )
    return rows


def _datetimes(values: list[datetime]) -> pd.Series:
    """A tz-aware datetime column when every value has one offset, else Python datetimes."""
    if values and len({v.utcoffset() for v in values}) == 1:
        return pd.Series(pd.to_datetime([v.isoformat() for v in values]), dtype=None)
    return pd.Series(values, dtype=object)


def plan_to_frames(plan: Plan, *, dataset: Dataset | None = None) -> dict[str, pd.DataFrame]:
    """The plan as DataFrames ``assignments``, ``unassigned``, ``workers`` and ``kpis``.

    ``start`` and ``end`` are tz-aware datetimes (a pandas datetime column when all share
    one offset). Without ``dataset``, ``workers`` covers only the workers of the plan and
    ``shift_minutes`` and ``utilisation`` are missing. ``kpis`` is one row with a column per
    KPI of ``kpis.json``, nested ones named with dots (``objective_terms.travel_cost``,
    ``served_by_priority.5.served``), so that the rows of several plans concatenate.
    """
    assignments = pd.DataFrame(
        {
            "job_id": pd.Series([a.job_id for a in plan.assignments], dtype=object),
            "worker_id": pd.Series([a.worker_id for a in plan.assignments], dtype=object),
            "start": _datetimes([a.start for a in plan.assignments]),
            "end": _datetimes([a.end for a in plan.assignments]),
            "travel_minutes": pd.Series(
                [a.travel_minutes for a in plan.assignments], dtype="int64"
            ),
            "sequence": pd.Series([a.sequence for a in plan.assignments], dtype="int64"),
            "match_score": pd.Series([a.match_score for a in plan.assignments], dtype="float64"),
        }
    )
    unassigned = pd.DataFrame(
        {
            "job_id": pd.Series([u.job_id for u in plan.unassigned], dtype=object),
            "reason_code": pd.Series([u.reason_code.value for u in plan.unassigned], dtype=object),
            "reason": pd.Series([u.reason for u in plan.unassigned], dtype=object),
        }
    )
    worker_rows = _worker_rows(plan, dataset)
    workers = pd.DataFrame(
        {
            "worker_id": pd.Series([r["worker_id"] for r in worker_rows], dtype=object),
            "jobs": pd.Series([r["jobs"] for r in worker_rows], dtype="int64"),
            "work_minutes": pd.Series([r["work_minutes"] for r in worker_rows], dtype="int64"),
            "travel_minutes": pd.Series([r["travel_minutes"] for r in worker_rows], dtype="int64"),
            "shift_minutes": pd.Series([r["shift_minutes"] for r in worker_rows], dtype="Int64"),
            "utilisation": pd.Series([r["utilisation"] for r in worker_rows], dtype="Float64"),
        }
    )
    kpis = pd.json_normalize(_json_safe(plan.kpis))
    return {"assignments": assignments, "unassigned": unassigned, "workers": workers, "kpis": kpis}


# --- writing --------------------------------------------------------------------------


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
    if is_folder and ((out / _PLAN_MARKER).is_file() or not any(out.iterdir())):
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


def _json_safe(value: Any) -> Any:
    """KPI values as strict JSON: NaN and infinities become null, tuples lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _tree_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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
    labels it in explanations); only customers with a job in the round stay, without
    their name and location, which no rule, score or explanation reads.
    """
    ordering = {job.customer_id for job in dataset.jobs}
    customers = tuple(
        replace(c, name="", location=None) for c in dataset.customers if c.customer_id in ordering
    )
    return replace(dataset, customers=customers)


def _write_contents(folder: Path, plan: Plan, dataset: Dataset, policy: Policy) -> None:
    copy = _input_copy(dataset)
    write_tables(dataset_to_frames(copy), folder / _INPUT, settings=copy.settings)
    assignments = [_assignment_row(a) for a in plan.assignments]
    unassigned = [
        {"job_id": u.job_id, "reason_code": u.reason_code.value, "reason": u.reason}
        for u in plan.unassigned
    ]
    workers = _worker_rows(plan, dataset)
    _csv(folder / "assignments.csv", ASSIGNMENT_COLUMNS, assignments)
    _csv(folder / "unassigned.csv", UNASSIGNED_COLUMNS, unassigned)
    _csv(folder / "workers.csv", WORKER_COLUMNS, workers)
    kpis = _json_safe(plan.kpis)
    _json(folder / "kpis.json", kpis)
    policy_data = policy.model_dump(mode="json")
    _json(folder / "policy.json", policy_data)
    travel = write_travel(folder, plan.travel, dataset)
    _json(
        folder / _PLAN_MARKER,
        {
            "schema_version": PLAN_SCHEMA_VERSION,
            "matchmaker_version": __version__,
            "kpis": kpis,
            "assignments": [
                {
                    **row,
                    "components": _json_safe(
                        plan.score_components.get((row["job_id"], row["worker_id"]), {})
                    ),
                }
                for row in assignments
            ],
            "unassigned": unassigned,
            "workers": workers,
            "policy": policy_data,
            "travel": travel,
            "input": _INPUT,
            "input_sha256": _tree_sha256(folder / _INPUT),
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
) -> None:
    """Write ``plan`` (made from ``dataset`` with ``policy``) as a plan folder at ``out``.

    See the module docstring for the layout and for when an existing ``out`` is replaced;
    ``source`` is the dataset's folder, if it came from one, so that it is never written
    into. Raises :class:`OutputExistsError` or :class:`PlanError`, and
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
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(out)
    try:
        _write_contents(staging, plan, dataset, policy)
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# --- reading --------------------------------------------------------------------------


def _raise_issues(issues: list[Issue]) -> None:
    if not issues:
        return
    lines = [str(i) for i in issues[:_MAX_SHOWN_ISSUES]]
    if len(issues) > _MAX_SHOWN_ISSUES:
        lines.append(f"... and {len(issues) - _MAX_SHOWN_ISSUES} more")
    raise PlanError(f"{len(issues)} error(s) in the plan\n" + "\n".join(lines))


def _read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[dict[str, str]], list[Issue]]:
    """The rows of a CSV file as text, keyed by the (stripped) header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            Issue(file=path.name, row=None, column=None, value=None, message="is not UTF-8 text")
        ]
    # Read whatever dispatch wrote: the csv module's default 128 kB field limit is not a
    # limit of the plan format.
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.DictReader(StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        return [], [_csv_issue(path, error)]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [
            Issue(file=path.name, row=1, column=c, value=None, message="required column missing")
            for c in missing
        ]
    reader.fieldnames = header
    try:
        rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as error:
        return [], [_csv_issue(path, error)]
    return rows, []


_CSV_FIELD_LIMIT = 2**31 - 1


def _csv_issue(path: Path, error: csv.Error) -> Issue:
    return Issue(
        file=path.name, row=None, column=None, value=None, message=f"is not valid CSV: {error}"
    )


def _parse_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not an ISO 8601 datetime (e.g. 2026-12-01T09:00:00+08:00)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("has no UTC offset (write it like 2026-12-01T09:00:00+08:00)")
    return value


def _parse_int(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if not value.is_integer():
        raise ValueError("not a whole number")
    return int(value)


def _parse_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _read_assignments(path: Path) -> tuple[list[Assignment], list[Issue]]:
    rows, issues = _read_rows(path, _REQUIRED_ASSIGNMENT_COLUMNS)
    parsed: list[dict[str, Any]] = []
    for line, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        ok = True
        for column, parse, default in (
            ("job_id", str, None),
            ("worker_id", str, None),
            ("start", _parse_datetime, None),
            ("end", _parse_datetime, None),
            ("travel_minutes", _parse_int, 0),
            ("sequence", _parse_int, 0),
            ("match_score", _parse_float, 0.0),
        ):
            text = row.get(column, "")
            if not text:
                if default is None:
                    issues.append(
                        Issue(
                            file=path.name,
                            row=line,
                            column=column,
                            value=None,
                            message="must not be blank",
                        )
                    )
                    ok = False
                values[column] = default
                continue
            try:
                values[column] = parse(text)
            except ValueError as error:
                issues.append(
                    Issue(file=path.name, row=line, column=column, value=text, message=str(error))
                )
                ok = False
        if ok and values["end"] < values["start"]:
            issues.append(
                Issue(
                    file=path.name,
                    row=line,
                    column="end",
                    value=row["end"],
                    message="is before start",
                )
            )
            ok = False
        if ok:
            parsed.append(values)
    if rows and "sequence" not in rows[0]:
        # A hand-made plan without sequence numbers: number each worker's jobs by start.
        counters: dict[str, int] = {}
        for values in sorted(parsed, key=lambda v: (v["worker_id"], v["start"])):
            counters[values["worker_id"]] = counters.get(values["worker_id"], 0) + 1
            values["sequence"] = counters[values["worker_id"]]
    return [Assignment(**values) for values in parsed], issues


def _read_unassigned(path: Path) -> tuple[list[UnassignedJob], list[Issue]]:
    rows, issues = _read_rows(path, ("job_id", "reason_code"))
    codes = ", ".join(c.value for c in ReasonCode)
    result: list[UnassignedJob] = []
    for line, row in enumerate(rows, start=2):
        job_id, code = row.get("job_id", ""), row.get("reason_code", "")
        if not job_id:
            issues.append(
                Issue(
                    file=path.name,
                    row=line,
                    column="job_id",
                    value=None,
                    message="must not be blank",
                )
            )
        if code not in ReasonCode.__members__:
            issues.append(
                Issue(
                    file=path.name,
                    row=line,
                    column="reason_code",
                    value=code,
                    message=f"unknown reason code; use one of {codes}",
                )
            )
            continue
        if job_id:
            result.append(
                UnassignedJob(
                    job_id=job_id, reason_code=ReasonCode(code), reason=row.get("reason", "")
                )
            )
    return result, issues


def _read_json(path: Path, issues: list[Issue]) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        issues.append(
            Issue(
                file=path.name,
                row=None,
                column=None,
                value=None,
                message=f"is not valid JSON: {error}",
            )
        )
        return {}
    if not isinstance(data, dict):
        issues.append(
            Issue(
                file=path.name, row=None, column=None, value=None, message="must hold a JSON object"
            )
        )
        return {}
    return data


def _components(plan_data: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, float]]:
    result: dict[tuple[str, str], dict[str, float]] = {}
    for row in plan_data.get("assignments", []):
        if isinstance(row, dict) and isinstance(row.get("components"), dict) and row["components"]:
            key = (str(row.get("job_id")), str(row.get("worker_id")))
            result[key] = {str(k): float(v) for k, v in row["components"].items()}
    return result


def read_plan(folder: Path) -> Plan:
    """Read the plan folder ``folder`` (see the module docstring for what it needs).

    Raises :class:`PlanError` naming file, row and column of every problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(f"{folder}: plan folder not found")
    assignments_path = folder / "assignments.csv"
    if not assignments_path.is_file():
        raise PlanError(f"{folder}: no assignments.csv; a plan folder needs at least that file")
    assignments, issues = _read_assignments(assignments_path)
    unassigned: list[UnassignedJob] = []
    if (folder / "unassigned.csv").is_file():
        unassigned, more = _read_unassigned(folder / "unassigned.csv")
        issues += more
    kpis = _read_json(folder / "kpis.json", issues)
    plan_data = _read_json(folder / _PLAN_MARKER, issues)
    version = plan_data.get("schema_version", PLAN_SCHEMA_VERSION)
    if version != PLAN_SCHEMA_VERSION:
        issues.append(
            Issue(
                file=_PLAN_MARKER,
                row=None,
                column="schema_version",
                value=str(version),
                message=f"unsupported; this matchmaker reads version {PLAN_SCHEMA_VERSION}",
            )
        )
    try:
        components = _components(plan_data)
    except (TypeError, ValueError):
        issues.append(
            Issue(
                file=_PLAN_MARKER,
                row=None,
                column="assignments",
                value=None,
                message="score components must map names to numbers",
            )
        )
        components = {}
    travel = read_travel(folder, plan_data.get("travel"), issues)
    _raise_issues(issues)
    return Plan(
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        kpis=kpis,
        score_components=components,
        travel=travel,
    )


def load_plan_input(folder: Path) -> Dataset:
    """The dataset a plan folder was made from (its ``input/`` copy), checked against the
    checksum in ``plan.json``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(f"{folder}: plan folder not found")
    source = folder / _INPUT
    if not source.is_dir():
        raise PlanError(
            f"{folder}: no input/ folder; only plans written by matchmaker dispatch carry "
            "their dataset (give the dataset folder with --dataset)"
        )
    issues: list[Issue] = []
    expected = _read_json(folder / _PLAN_MARKER, issues).get("input_sha256")
    _raise_issues(issues)
    if expected is not None and _tree_sha256(source) != expected:
        raise PlanError(
            f"{source}: the dataset copy was changed after the plan was written "
            "(checksum mismatch in plan.json)"
        )
    return load_dataset(source)


def load_plan_policy(folder: Path) -> Policy | None:
    """The policy a plan was made with (``policy.json``), or ``None`` when it has none."""
    path = Path(folder) / "policy.json"
    if not path.is_file():
        return None
    try:
        return Policy.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as error:
        raise PlanError(f"{path}: not a valid policy: {error}") from None
