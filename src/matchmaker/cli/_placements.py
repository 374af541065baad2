"""``matchmaker placements``: match long placements, or shortlist interview candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from matchmaker.cli._common import (
    EXIT_INTERNAL,
    console,
    fail,
    stderr,
    user_errors,
)
from matchmaker.model import Dataset, DatasetError, OutputExistsError

__all__ = ["placements_command", "register"]


_NO_SHIFT = "shift_start and shift_end are blank"


def _load(path: Path) -> Dataset:
    """The dataset, printing its warnings except "no shift": a placement needs none."""
    from matchmaker.io import check_dataset

    report = check_dataset(path)
    for issue in report.warnings:
        if not issue.message.startswith(_NO_SHIFT):
            stderr.print(
                f"[yellow]warning:[/] {escape(str(issue))}", highlight=False, soft_wrap=True
            )
    if report.dataset is None:
        raise DatasetError(report.issues)
    return report.dataset


def placements_command(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder with placement_requests.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the round into.")],
    shortlist: Annotated[
        int | None,
        typer.Option(
            "--shortlist", min=1, help="Shortlist K interview candidates per request instead."
        ),
    ] = None,
    max_shortlists: Annotated[
        int, typer.Option(min=1, help="Open shortlists a worker may be on at once.")
    ] = 3,
    solver: Annotated[str, typer.Option(help="cpsat (default) or greedy.")] = "cpsat",
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for the solver.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Solver seed.")] = 0,
) -> None:
    """Match workers to the dataset's long placement requests (or shortlist candidates) and
    write placements.csv, shortlists.csv, unfilled.csv and kpis.json to OUT."""
    from matchmaker.placement import (
        PLACEMENT_SOLVERS,
        match_placements,
        verify_placements,
        verify_shortlists,
        write_placements,
    )
    from matchmaker.placement import shortlist as make_shortlist

    with user_errors():
        if solver not in PLACEMENT_SOLVERS:
            fail(f"unknown solver {solver!r}; use one of {', '.join(PLACEMENT_SOLVERS)}")
        data = _load(dataset)
        if not data.placement_requests:
            fail(f"{dataset} has no placement requests; add placement_requests.csv")
        if shortlist is None:
            plan = match_placements(data, solver=solver, time_limit=time_limit, seed=seed)
            violations = verify_placements(data, plan)
        else:
            plan = make_shortlist(
                data, k=shortlist, max_shortlists=max_shortlists, time_limit=time_limit, seed=seed
            )
            violations = verify_shortlists(data, plan, k=shortlist, max_shortlists=max_shortlists)
        if violations:
            for violation in violations[:20]:
                console.print(escape(str(violation)), highlight=False, soft_wrap=True)
            fail(f"the round broke {len(violations)} hard rule(s); nothing written", EXIT_INTERNAL)
        try:
            write_placements(plan, out, source=dataset)
        except OutputExistsError as error:
            fail(str(error))
    kpis = plan.kpis
    if shortlist is None:
        line = (
            f"{kpis['requests_filled']} of {kpis['requests_total']} requests filled "
            f"(fill rate {kpis['fill_rate']:.0%}, mean score {kpis['mean_match_score']})"
        )
    else:
        line = (
            f"{kpis['candidates_total']} candidates for {kpis['requests_total']} requests, "
            f"{kpis['requests_short']} short of {shortlist} (diversity {kpis['diversity']})"
        )
    console.print(f"wrote {escape(str(out))}: {escape(line)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``placements`` to ``app``."""
    app.command("placements")(placements_command)
