"""``matchmaker ops recommend`` and ``ops replan``: live dispatch on the event store.

A thin layer over :mod:`matchmaker.lifecycle` (``recommend_visit``, ``store_changes``,
``apply_diff``) and :mod:`matchmaker.live`; the flow is in docs/ops.md.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from matchmaker.cli._lang import LangOption, Language
from matchmaker.cli._live import load_plan, show_recommendation, write_replan
from matchmaker.cli._ops_base import (
    ActorOption,
    PolicyOption,
    StoreOption,
    TimeOption,
    _fail,
    _operations,
    _out,
    _run,
    _time,
)
from matchmaker.cli._ops_output import FormatOption, OutputFormat, emit
from matchmaker.cli._solving import warm_solver
from matchmaker.lifecycle import apply_diff, recommend_visit, store_changes
from matchmaker.live import replan

__all__ = ["register"]

_OPTION_COLUMNS = (
    "rank",
    "worker_ids",
    "start",
    "travel_delta",
    "match_score",
    "objective_delta",
    "moves",
    "reason",
)

PlanOption = Annotated[
    Path, typer.Option("--plan", help="The day's plan folder (written by matchmaker dispatch).")
]


def ops_recommend(
    store: StoreOption,
    plan: PlanOption,
    visit: Annotated[str, typer.Option("--visit", help="A visit still unassigned.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many options.")] = 5,
    max_moves: Annotated[
        int, typer.Option("--max-moves", min=0, help="Planned jobs an option may move.")
    ] = 0,
    output_format: FormatOption = OutputFormat.TABLE,
    policy: PolicyOption = None,
    lang: LangOption = Language.EN,
) -> None:
    """The best workers for a visit still unassigned, against the day's plan."""

    def action() -> None:
        _, _, dispatch_policy = load_plan(plan)
        with _operations(store, policy, create=False) as ops:
            found = recommend_visit(
                ops, plan, visit, policy=dispatch_policy, k=k, max_moves=max_moves
            )
        if output_format is OutputFormat.JSON:
            typer.echo(json.dumps(found.to_dict(lang.value), ensure_ascii=False, indent=2))
            return
        if output_format is OutputFormat.CSV:
            rows = [
                {
                    "rank": o.rank,
                    "worker_ids": list(o.worker_ids),
                    "start": o.assignments[0].start,
                    "travel_delta": o.travel_delta,
                    "match_score": o.match_score,
                    "objective_delta": o.objective_delta,
                    "moves": len(o.moves),
                    "reason": o.said[lang.value],
                }
                for o in found.options
            ]
            emit(output_format, table=lambda: None, rows=rows, columns=list(_OPTION_COLUMNS))
            return
        show_recommendation(_out, found, lang.value)

    _run(action)


def ops_replan(
    store: StoreOption,
    plan: PlanOption,
    day: Annotated[str, typer.Option("--date", help="Day of the round, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Plan folder to write the re-plan to.")],
    freeze_before: Annotated[
        str | None,
        typer.Option(
            "--freeze-before",
            help="What starts before this time stays; a worker's leave counts from it "
            "(default: --time, i.e. now).",
        ),
    ] = None,
    max_moves: Annotated[
        int, typer.Option("--max-moves", min=0, help="Jobs no change hit that may move.")
    ] = 0,
    shift_tolerance: Annotated[int, typer.Option("--shift-tolerance", min=0)] = 0,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.0)] = 10.0,
    seed: Annotated[int, typer.Option()] = 0,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Apply the diff to the store as withdraw/propose events."),
    ] = False,
    time: TimeOption = None,
    actor: ActorOption = "dispatcher",
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
    lang: LangOption = Language.EN,
) -> None:
    """Answer declines and leave since the plan: re-plan the day with a change budget and
    (with --apply) turn the diff into withdraw and propose events."""

    def action() -> None:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            _fail(f"--date: {day!r} is not YYYY-MM-DD")
        now = _time(time)
        since = _time(freeze_before, "--freeze-before") if freeze_before else now
        previous, dataset, dispatch_policy = load_plan(plan)
        people = output is OutputFormat.TABLE
        summary: dict[str, object] = {"out": str(out)}
        with _operations(store, policy, create=False) as ops:
            changes, _ = store_changes(ops, dataset, previous, day=when, since=since)
            for change in changes:
                if people:
                    _out.print(f"change: {change.label}", markup=False, highlight=False)
            warm_solver()
            result = replan(
                dataset,
                previous,
                changes,
                policy=dispatch_policy,
                max_moves=max_moves,
                freeze_before=since,
                shift_tolerance=shift_tolerance,
                time_limit=time_limit,
                seed=seed,
            )
            if result.violations:
                broken = len(result.violations)
                _fail(f"the re-plan breaks {broken} hard rule(s); nothing was written", 1)
            write_replan(result, out, lang=lang.value)
            counts = ", ".join(f"{n} {name}" for name, n in result.diff_counts().items())
            summary.update(result.diff_counts())
            if people:
                _out.print(f"re-plan written to {out}: {counts}", markup=False)
            if apply:
                applied = apply_diff(ops, result, out, time=now, actor=actor)
                proposals = applied.proposals
                summary.update(
                    proposed=proposals.proposed,
                    unchanged_proposals=proposals.unchanged,
                    withdrawn=len(applied.withdrawn),
                )
                if people:
                    _out.print(
                        f"{proposals.proposed} proposal(s), {proposals.unchanged} unchanged, "
                        f"{len(applied.withdrawn)} withdrawn",
                        markup=False,
                    )
        emit(
            output,
            table=lambda: None,
            summary=summary,
            rows=[{"change": c.label} for c in changes],
            columns=["change"],
        )

    _run(action)


def register(app: typer.Typer) -> None:
    """Add ``recommend`` and ``replan`` to the ``ops`` application."""
    app.command("recommend")(ops_recommend)
    app.command("replan")(ops_replan)
