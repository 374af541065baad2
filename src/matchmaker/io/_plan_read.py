"""Reading plan folders back (plan contract v1, :mod:`matchmaker.io._plan_folder`).

**Reading** (:func:`read_plan`) needs only ``assignments.csv`` (``job_id``, ``worker_id``,
``start``, ``end``; ``travel_minutes``, ``sequence`` and ``match_score`` are optional), so
plans made by hand or by another tool can be verified; ``unassigned.csv``, ``kpis.json`` and
``plan.json`` are read when present. Rows of ``kind`` ``break`` are the workers' breaks
(:mod:`matchmaker.io._plan_breaks`). Every problem is collected and raised as one
:class:`~matchmaker.model.PlanError` naming file, row and column.
The ``travel`` record of ``plan.json`` restores the model the plan was made with.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matchmaker.io._loading import load_dataset
from matchmaker.io._plan_breaks import BREAK, KIND_COLUMN, VISIT
from matchmaker.io._plan_folder import INPUT, PLAN_MARKER, tree_sha256
from matchmaker.io._travel_file import read_travel
from matchmaker.model import Dataset, Issue, PlanError, Policy, utc
from matchmaker.plan import (
    PLAN_SCHEMA_VERSION,
    Assignment,
    Break,
    Plan,
    ReasonCode,
    UnassignedJob,
)

__all__ = ["load_plan_input", "load_plan_policy", "read_plan"]

_REQUIRED_ASSIGNMENT_COLUMNS = ("job_id", "worker_id", "start", "end")
_MAX_SHOWN_ISSUES = 20


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


def _read_assignments(path: Path) -> tuple[list[Assignment], list[Break], list[Issue]]:
    rows, issues = _read_rows(path, _REQUIRED_ASSIGNMENT_COLUMNS)
    parsed: list[dict[str, Any]] = []
    breaks: list[Break] = []
    for line, row in enumerate(rows, start=2):
        kind = row.get(KIND_COLUMN, "") or VISIT
        if kind == BREAK:
            pause = _read_break(path, line, row, issues)
            if pause is not None:
                breaks.append(pause)
            continue
        if kind != VISIT:
            issues.append(
                Issue(
                    file=path.name,
                    row=line,
                    column=KIND_COLUMN,
                    value=kind,
                    message=f"unknown kind; use {VISIT} (or blank) or {BREAK}",
                )
            )
            continue
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
    return [Assignment(**values) for values in parsed], breaks, issues


def _read_break(path: Path, line: int, row: dict[str, str], issues: list[Issue]) -> Break | None:
    """A row of kind ``break``: a worker, a start and an end, and no job."""
    values: dict[str, Any] = {}
    for column, parse in (("worker_id", str), ("start", _parse_datetime), ("end", _parse_datetime)):
        text = row.get(column, "")
        if not text:
            issues.append(
                Issue(
                    file=path.name, row=line, column=column, value=None, message="must not be blank"
                )
            )
            continue
        try:
            values[column] = parse(text)
        except ValueError as error:
            issues.append(
                Issue(file=path.name, row=line, column=column, value=text, message=str(error))
            )
    if row.get("job_id"):
        issues.append(
            Issue(
                file=path.name,
                row=line,
                column="job_id",
                value=row["job_id"],
                message="must be blank on a break row",
            )
        )
        return None
    if len(values) < 3:
        return None
    if values["end"] <= values["start"]:
        issues.append(
            Issue(
                file=path.name,
                row=line,
                column="end",
                value=row["end"],
                message="is not after start",
            )
        )
        return None
    return Break(**values)


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
                    job_id=job_id,
                    reason_code=ReasonCode(code),
                    reason=row.get("reason", ""),
                    smallest_change=row.get("smallest_change") or "",
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
    assignments, breaks, issues = _read_assignments(assignments_path)
    unassigned: list[UnassignedJob] = []
    if (folder / "unassigned.csv").is_file():
        unassigned, more = _read_unassigned(folder / "unassigned.csv")
        issues += more
    kpis = _read_json(folder / "kpis.json", issues)
    plan_data = _read_json(folder / PLAN_MARKER, issues)
    version = plan_data.get("schema_version", PLAN_SCHEMA_VERSION)
    if version != PLAN_SCHEMA_VERSION:
        issues.append(
            Issue(
                file=PLAN_MARKER,
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
                file=PLAN_MARKER,
                row=None,
                column="assignments",
                value=None,
                message="score components must map names to numbers",
            )
        )
        components = {}
    travel = read_travel(folder, plan_data.get("travel"), issues)
    _raise_issues(issues)
    policy = load_plan_policy(folder)
    return Plan(
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        kpis=kpis,
        score_components=components,
        travel=travel,
        breaks=tuple(sorted(breaks, key=lambda b: (utc(b.start), b.worker_id))),
        travel_home=policy is not None and policy.travel_home,
    )


def load_plan_input(folder: Path) -> Dataset:
    """The dataset a plan folder was made from (its ``input/`` copy), checked against the
    checksum in ``plan.json``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanError(f"{folder}: plan folder not found")
    source = folder / INPUT
    if not source.is_dir():
        raise PlanError(
            f"{folder}: no input/ folder; only plans written by matchmaker dispatch carry "
            "their dataset (give the dataset folder too: explain --dataset DIR, "
            "verify DATASET PLAN)"
        )
    issues: list[Issue] = []
    expected = _read_json(folder / PLAN_MARKER, issues).get("input_sha256")
    _raise_issues(issues)
    if expected is not None and tree_sha256(source) != expected:
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
