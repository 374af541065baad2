"""``matchmaker coverage``: can the staff cover a round, before solving; and what
``dispatch`` adds from :mod:`matchmaker.whatif` (the coverage line, the smallest changes).

A thin layer over :func:`matchmaker.whatif.coverage` and
:func:`matchmaker.whatif.smallest_changes`.
"""

from __future__ import annotations

import enum
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._common import console, load_dataset_warning, stderr, user_errors
from matchmaker.compile import TravelModel
from matchmaker.model import Dataset, Policy, RequestError, load_policy
from matchmaker.plan import DispatchResult, Plan
from matchmaker.whatif import (
    NOT_FOUND,
    Coverage,
    Districts,
    coverage,
    read_districts,
    smallest_changes,
    with_smallest_changes,
)

__all__ = ["attach_smallest_changes", "coverage_line", "register"]

_ROWS_SHOWN = 15


class CoverageFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class CoverageTable(enum.StrEnum):
    HOURS = "hours"
    JOBS = "jobs"
    DOCUMENTS = "documents"
    WORKERS = "workers"


def register(app: typer.Typer) -> None:
    """Add ``coverage`` to ``app``."""
    app.command("coverage")(coverage_command)


def _districts(path: Path | None) -> Districts | None:
    return None if path is None else read_districts(path)


def coverage_command(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to check.")],
    output: Annotated[
        CoverageFormat,
        typer.Option("--format", help="table: for people; json: everything; csv: one table."),
    ] = CoverageFormat.TABLE,
    table: Annotated[
        CoverageTable, typer.Option("--table", help="The table --format csv writes.")
    ] = CoverageTable.JOBS,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write json or csv here, not to stdout.")
    ] = None,
    districts: Annotated[
        Path | None,
        typer.Option(help="CSV of districts (name,lat,lon); default: 5 km grid cells."),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option(help="Policy TOML file (default: the dataset's own).")
    ] = None,
) -> None:
    """Before solving: demand against supply hours per skill, day and district, jobs with
    at most one eligible worker and why, documents expiring inside the round, workers
    without shifts."""
    with user_errors():
        if out is not None and dataset.is_dir():
            target, source = out.resolve(), dataset.resolve()
            if target == source or source in target.parents:
                raise RequestError(f"{out}: refusing to write into the dataset folder {dataset}")
        chosen = load_policy(policy) if policy is not None else None
        data = load_dataset_warning(dataset)
        report = coverage(data, policy=chosen, districts=_districts(districts))
        if output is CoverageFormat.TABLE:
            _print(report)
            return
        if output is CoverageFormat.JSON:
            text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            frame = getattr(report, table.value)
            text = frame.to_csv(index=False, lineterminator="\n")
        if out is None:
            typer.echo(text, nl=False)
        else:
            _write_atomically(out, text)
            console.print(f"wrote {escape(str(out))}", highlight=False)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _frame_table(title: str, frame: Any, columns: list[str]) -> Table:
    shown = frame.head(_ROWS_SHOWN)
    more = len(frame) - len(shown)
    table = Table(title=title + (f" (first {_ROWS_SHOWN} of {len(frame)})" if more > 0 else ""))
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in shown[columns].itertuples(index=False):
        table.add_row(*(escape(_cell(v)) for v in row))
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _print(report: Coverage) -> None:
    s = report.summary
    head = Table(title="Coverage", show_header=False)
    head.add_column("what", style="bold")
    head.add_column("value", justify="right")
    head.add_row("Jobs / workers", f"{s['jobs']} / {s['workers']}")
    head.add_row("Days", escape(", ".join(s["days"]) or "-"))
    head.add_row("Hours demanded / on shift", f"{s['demand_hours']:.1f} / {s['supply_hours']:.1f}")
    head.add_row("Skill x day x district cells short", str(s["short_cells"]))
    head.add_row("Jobs with no eligible worker", str(s["jobs_no_eligible"]))
    head.add_row("Jobs with one eligible worker", str(s["jobs_one_eligible"]))
    head.add_row("Team jobs short of eligible workers", str(s["jobs_short_of_team"]))
    head.add_row("Documents expiring in the round", str(s["expiring_documents"]))
    head.add_row("Workers without shifts", str(s["workers_without_shifts"]))
    console.print(head)
    short = report.hours[report.hours["short"]]
    if len(short):
        console.print(
            _frame_table(
                "Short: demand above supply hours",
                short,
                ["skill", "day", "district", "demand_hours", "supply_hours", "gap_hours"],
            )
        )
    if len(report.jobs):
        console.print(
            _frame_table(
                "Jobs with at most one eligible worker",
                report.jobs,
                ["job_id", "service_type", "priority", "eligible_workers", "reason"],
            )
        )
    for title, frame in (
        ("Documents expiring inside the round", report.documents),
        ("Workers without shifts in the round", report.workers),
    ):
        if len(frame):
            console.print(_frame_table(title, frame, list(frame.columns)))


def coverage_line(
    data: Dataset, policy: Policy | None, districts: Path | None, travel: TravelModel | None
) -> None:
    """Print the one-line coverage summary ``dispatch`` shows before solving (stderr). A bad
    districts file is invalid input; any other failure only loses the line."""
    chosen = _districts(districts)
    try:
        line = coverage(data, policy=policy, districts=chosen, travel=travel).summary_line()
    except Exception as error:  # advice must not stop a dispatch
        line = f"warning: coverage not computed ({type(error).__name__}: {error})"
    stderr.print(line, highlight=False, markup=False, soft_wrap=True)


def attach_smallest_changes(
    result: DispatchResult, data: Dataset, districts: Path | None, seconds: float
) -> Plan:
    """``plan`` with the smallest change of each unassigned job (the most valuable first,
    for at most ``seconds``), and a line saying how many have one. A failure here is
    reported and the plan is kept without them: it is verified already, and the column is
    advice."""
    plan = result.plan
    if not plan.unassigned:
        return plan
    try:
        changes = smallest_changes(
            data,
            plan,
            policy=result.policy,
            districts=_districts(districts),
            time_limit=seconds,
            problem=result.problem,
        )
    except RequestError:
        raise
    except Exception as error:
        stderr.print(
            f"warning: smallest changes not computed ({type(error).__name__}: {error}); "
            "the plan is written without them",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return plan
    kinds = Counter(c.kind for c in changes if c.kind not in NOT_FOUND)
    found = sum(kinds.values())
    listed = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
    unsearched = sum(c.kind == "not_searched" for c in changes)
    stderr.print(
        f"smallest changes: {found} of {len(changes)} unserved job(s) have a proven change"
        + (f" ({listed})" if listed else "")
        + (
            f"; {unsearched} not searched within {seconds:g} s (the least valuable; "
            "`matchmaker explain` searches one job)"
            if unsearched
            else ""
        )
        + "; see unassigned.csv",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    return with_smallest_changes(plan, changes)
