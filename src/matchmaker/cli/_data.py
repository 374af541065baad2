"""``matchmaker validate``, ``schema`` and ``generate``: check a dataset, show the input
contract, make a synthetic dataset.

A thin layer over :func:`matchmaker.io.check_dataset`, :func:`matchmaker.io.summarize`,
:func:`matchmaker.io.input_json_schemas` and :func:`matchmaker.generate.generate_dataset`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._common import EXIT_INVALID_INPUT, EXIT_OK, console, fail, stderr, user_errors
from matchmaker.io import ValidationReport, check_dataset, input_json_schemas, summarize
from matchmaker.model import Issue

__all__ = ["register"]

# Piped output (CI logs, files) is not wrapped, so every message stays on one line.
_PIPE_WIDTH = 400


class ValidateFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    app.command("validate")(validate)
    app.command("schema")(schema)
    app.command("generate")(generate)


def validate(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder (workers, jobs, ... tables).")],
    output: Annotated[
        ValidateFormat,
        typer.Option("--format", help="text: tables for people; json: one JSON document."),
    ] = ValidateFormat.TEXT,
) -> None:
    """Check a dataset and report every problem with file, row and column.

    Exit code 0 when it is valid, 2 when it has errors (listed on stderr in text mode).
    """
    with user_errors():
        report = check_dataset(dataset)
        if output is ValidateFormat.JSON:
            typer.echo(json.dumps(_report_document(report), ensure_ascii=False, indent=2))
        else:
            _print_report(dataset, report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_INVALID_INPUT)


def _issue_record(issue: Issue) -> dict[str, object]:
    return dataclasses.asdict(issue)


def _report_document(report: ValidationReport) -> dict[str, object]:
    summary: dict[str, object] = {"rows": report.tables}
    if report.dataset is not None:
        summary.update(summarize(report.dataset).to_dict())
    return {
        "valid": report.ok,
        "errors": [_issue_record(i) for i in report.errors],
        "warnings": [_issue_record(i) for i in report.warnings],
        "summary": summary,
    }


def _counts_text(counts: dict[str, int]) -> str:
    return escape(", ".join(f"{name} {count}" for name, count in counts.items()) or "-")


def _print_report(folder: Path, report: ValidationReport) -> None:
    out, err = _unwrapped(console), _unwrapped(stderr)
    summary = Table(show_header=False)
    summary.add_column("what", style="bold")
    summary.add_column("value")
    summary.add_row("rows per table", _counts_text(report.tables))
    if report.dataset is not None:
        facts = summarize(report.dataset)
        span = "-"
        if facts.first_start is not None and facts.last_start is not None:
            span = f"{facts.first_start.isoformat()} to {facts.last_start.isoformat()}"
        summary.add_row("jobs per service type", _counts_text(facts.jobs_by_service_type))
        summary.add_row("job start window", f"{span} ({facts.days} day(s))")
        summary.add_row("workers per status", _counts_text(facts.workers_by_status))
        summary.add_row("workers per travel mode", _counts_text(facts.workers_by_travel_mode))
        summary.add_row("pinned jobs / team jobs", f"{facts.pinned_jobs} / {facts.team_jobs}")
        summary.add_row(
            "work demanded / offered",
            f"{facts.job_minutes} / {facts.shift_minutes} minutes (active workers' shifts)",
        )
        summary.add_row("timezone", escape(facts.timezone or "offsets as written"))
    out.print(f"[bold]Dataset {escape(str(folder))}[/]", highlight=False, soft_wrap=True)
    out.print(summary)
    if report.warnings:
        out.print(f"[bold yellow]{len(report.warnings)} warning(s)[/]", highlight=False)
        out.print(_issue_table(report.warnings))
    if report.ok:
        out.print("[bold green]valid[/]", highlight=False)
        return
    errors = report.errors
    err.print(f"[bold red]{len(errors)} error(s)[/]", highlight=False)
    err.print(_issue_table(errors))
    where = escape(str(folder))
    err.print(f"[bold red]invalid:[/] {len(errors)} error(s) in {where}", highlight=False)


def _unwrapped(target: Console) -> Console:
    """``target`` itself on a terminal; for piped output a wide console writing to the same
    stream, so that no message is wrapped across lines."""
    if target.is_terminal:
        return target
    return Console(file=target.file, width=_PIPE_WIDTH, no_color=target.no_color)


def _issue_table(issues: tuple[Issue, ...]) -> Table:
    table = Table()
    for name in ("file", "row", "column", "value"):
        table.add_column(name, no_wrap=True)
    table.add_column("message")
    for issue in issues:
        table.add_row(
            escape(issue.file),
            "" if issue.row is None else str(issue.row),
            escape(issue.column or ""),
            "" if issue.value is None else escape(issue.value),
            escape(issue.message),
        )
    return table


def schema(
    table: Annotated[
        str | None, typer.Argument(help="One table (workers, jobs, customers, availability).")
    ] = None,
) -> None:
    """Print the JSON Schema of the input tables (all of them, or one)."""
    schemas = input_json_schemas()
    if table is None:
        typer.echo(json.dumps(schemas, indent=2))
        return
    if table not in schemas:
        fail(f"unknown table {table!r}; the tables are {', '.join(schemas)}")
    typer.echo(json.dumps(schemas[table], indent=2))


def generate(
    out: Annotated[Path, typer.Argument(help="Folder to create (must not exist or be empty).")],
    workers: Annotated[int, typer.Option(min=1, help="Number of workers.")],
    jobs: Annotated[int, typer.Option(min=1, help="Number of jobs.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 0,
    days: Annotated[int, typer.Option(min=1, help="Number of days the jobs span.")] = 1,
    start_date: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First day of the round, YYYY-MM-DD (default 2026-12-01).",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA timezone of the round's wall-clock times, written to dataset.toml "
            "(default Asia/Shanghai); each time carries the UTC offset in force then, also "
            "across a daylight-saving change."
        ),
    ] = None,
    load: Annotated[
        float | None,
        typer.Option(
            help="Work asked for over work offered (about 0.9 when not given; 2 is a tight "
            "day where about half the jobs can be served): scales the staff's daily work caps."
        ),
    ] = None,
    placements: Annotated[
        int, typer.Option(min=0, help="Also write this many long placement requests.")
    ] = 0,
    placement_days: Annotated[
        int, typer.Option(min=1, help="Days from the first day within which placements start.")
    ] = 90,
    home_care: Annotated[
        bool,
        typer.Option(
            "--home-care",
            help="Add the home-care rules: soft due starts, linked visit pairs, a lunch "
            "break rule, limits across days (with --days > 1) and a continuity cap for "
            "care customers. Plan such a round with the routing backend.",
        ),
    ] = False,
) -> None:
    """Write a synthetic dataset (workers, customers, jobs, availability) to OUT."""
    with user_errors():
        from matchmaker.generate import TIMEZONE, generate_dataset  # on use: numpy-heavy

        generate_dataset(
            out,
            workers=workers,
            jobs=jobs,
            seed=seed,
            days=days,
            start_date=None if start_date is None else start_date.date(),
            timezone=timezone or TIMEZONE,
            load=load,
            placements=placements,
            placement_days=placement_days,
            home_care=home_care,
        )
    loaded = "" if load is None else f", load {load:g}"
    loaded += ", home-care rules" if home_care else ""
    console.print(
        f"wrote {escape(str(out))}: {workers} workers, {jobs} jobs over {days} day(s), "
        f"seed {seed}{loaded}",
        highlight=False,
        soft_wrap=True,
    )
