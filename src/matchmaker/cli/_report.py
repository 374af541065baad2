"""``matchmaker report``: the plan report page, and its pictures on request.

A thin layer over :func:`matchmaker.report.plan_report` and
:func:`matchmaker.report.write_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli._common import EXIT_INVALID_INPUT, console, fail, user_errors
from matchmaker.cli._lang import LangOption, Language
from matchmaker.model import PlanError

__all__ = ["register"]


def report_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder (written by matchmaker dispatch).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The report's HTML file (default: report.html in the plan folder)."
        ),
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option(help="Dataset folder, for a plan without its input/ copy (made by hand)."),
    ] = None,
    lang: LangOption = Language.EN,
    title: Annotated[str | None, typer.Option(help="Title of the page.")] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Name workers and customers by id only.")
    ] = False,
    gantt: Annotated[
        Path | None,
        typer.Option(help="Also save the Gantt of the first day as a picture (.png, .svg)."),
    ] = None,
    route_map: Annotated[
        Path | None,
        typer.Option("--map", help="Also save the route map as a picture (.png, .svg)."),
    ] = None,
) -> None:
    """Write a plan's report: one HTML page that needs no network to view.

    Key figures, a Gantt of every worker's day, a map of the routes, the unassigned jobs
    with their reasons, and tables per worker and per service. --gantt and --map need the
    plot extra (pip install 'matchmaker[plot]').
    """
    from matchmaker.report import plan_report, write_report

    target = out if out is not None else plan / "report.html"
    with user_errors():
        try:
            report = plan_report(plan, dataset, lang=lang.value, title=title, redact=redact)
        except PlanError as error:
            fail(str(error), EXIT_INVALID_INPUT)
        written = write_report(report, target)
        pictures = [
            save(path)
            for path, save in ((gantt, report.save_gantt), (route_map, report.save_map))
            if path is not None
        ]
    for path in (written, *pictures):
        console.print(f"Wrote {path}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_command)
