"""``matchmaker recommend``, ``slots`` and ``replan``: live dispatch on a plan folder.

A thin layer over :mod:`matchmaker.live`. Every command reads the plan folder with its own
input copy, policy and travel model (``read_plan``, ``load_plan_input``,
``load_plan_policy``), so a plan made on a travel matrix is judged by its own minutes.
"""

from __future__ import annotations

import enum
import json
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    console,
    fail,
    load_dataset_warning,
    stderr,
    user_errors,
)
from matchmaker.cli._lang import LangOption, Language
from matchmaker.cli._solving import in_thread, live_progress, stop_on_ctrl_c
from matchmaker.io import (
    CellError,
    check_output_folder,
    load_plan_input,
    load_plan_policy,
    parse_datetime,
    read_plan,
    write_plan,
)
from matchmaker.live import (
    DIFF_COLUMNS,
    Recommendation,
    ReplanResult,
    Slot,
    read_changes,
    read_jobs_file,
    recommend,
    replan,
    slots,
)
from matchmaker.model import Dataset, Job, PlanError, Policy, RequestError, load_policy
from matchmaker.plan import Plan, message

__all__ = [
    "load_plan",
    "register",
    "show_recommendation",
    "write_replan",
]


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


class ReplanSolver(enum.StrEnum):
    ROUTING = "routing"
    GREEDY = "greedy"
    CPSAT = "cpsat"
    NONE = "none"


def load_plan(folder: Path) -> tuple[Plan, Dataset, Policy]:
    """A plan folder's plan, its input copy and its policy (the dataset's when it has
    none); an unreadable folder is invalid input (exit 2)."""
    try:
        plan = read_plan(folder)
        dataset = load_plan_input(folder)
        policy = load_plan_policy(folder)
    except PlanError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    return plan, dataset, policy if policy is not None else dataset.settings.policy


def _one_job(path: Path, dataset: Dataset) -> Job:
    jobs = read_jobs_file(path, dataset)
    if len(jobs) != 1:
        raise RequestError(f"{path}: holds {len(jobs)} jobs; give one job per request")
    return jobs[0]


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def recommendation_table(recommendation: Recommendation) -> Table:
    """The options of a recommendation as a rich table."""
    table = Table(title=f"Options for {escape(recommendation.job_id)}")
    for column in ("#", "worker(s)", "start", "travel +", "score", "objective", "moves"):
        table.add_column(column, overflow="fold")
    for option in recommendation.options:
        table.add_row(
            str(option.rank),
            escape(", ".join(option.worker_ids)),
            _clock(option.assignments[0].start),
            str(option.travel_delta),
            f"{option.match_score:.1f}",
            f"{option.objective_delta:+,}",
            escape(", ".join(m.job_id for m in option.moves)) or "-",
        )
    return table


def recommend_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder written by matchmaker dispatch.")],
    job: Annotated[
        Path | None,
        typer.Option(
            "--job", help="A new job: a .csv (or .json) file in the jobs table's columns."
        ),
    ] = None,
    job_id: Annotated[
        str | None, typer.Option("--job-id", help="A job of the plan's dataset left unassigned.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many options.")] = 5,
    max_moves: Annotated[
        int,
        typer.Option(
            "--max-moves",
            min=0,
            help="Planned jobs an option may shift or re-assign (default: nothing moves).",
        ),
    ] = 0,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
    lang: LangOption = Language.EN,
) -> None:
    """The best workers (and start) for one job not in the plan, without re-dispatching."""
    with user_errors():
        if (job is None) == (job_id is None):
            raise RequestError("give exactly one of --job FILE and --job-id ID")
        read, dataset, policy = load_plan(plan)
        target: str | Job = job_id if job_id is not None else _one_job(job, dataset)  # type: ignore[arg-type]
        recommendation = recommend(dataset, read, target, k=k, policy=policy, max_moves=max_moves)
    if output_format is OutputFormat.JSON:
        data = recommendation.to_dict(lang.value)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    show_recommendation(console, recommendation, lang.value)


def show_recommendation(out: Console, recommendation: Recommendation, lang: str) -> None:
    """The options as a table and a sentence each in ``lang``, or why there are none."""
    if not recommendation.options:
        line = message(
            lang, "live.no_option", job=recommendation.job_id, note=recommendation.why_none[lang]
        )
        out.print(line, highlight=False, markup=False)
        return
    out.print(recommendation_table(recommendation))
    for option in recommendation.options:
        out.print(f"{option.rank}. {option.said[lang]}", highlight=False, markup=False)


def _slot_table(found: list[Slot]) -> Table:
    table = Table(title="Bookable arrival windows")
    for column in ("rank", "arrive", "worker(s)", "objective", "score", "workers able"):
        table.add_column(column, overflow="fold")
    for slot in found:
        names = ", ".join(slot.option.worker_ids)
        table.add_row(
            str(slot.rank),
            f"{_clock(slot.start)}-{slot.end.strftime('%H:%M')}",
            escape(names),
            f"{slot.option.objective_delta:+,}",
            f"{slot.option.match_score:.1f}",
            str(slot.workers_able),
        )
    return table


def slots_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder written by matchmaker dispatch.")],
    template: Annotated[
        Path,
        typer.Option(
            "--template",
            help="The request: one job (.csv or .json, jobs table columns); its window "
            "gives the hours of the day the customer accepts.",
        ),
    ],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", min=1, max=62, help="How many days.")] = 7,
    window: Annotated[
        int, typer.Option("--window", min=1, help="Length of an arrival window, minutes.")
    ] = 120,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
    lang: LangOption = Language.EN,
) -> None:
    """Bookable arrival windows for a customer's request over the next days, graded."""
    with user_errors():
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise RequestError(f"--from: {start!r} is not YYYY-MM-DD") from None
        read, dataset, policy = load_plan(plan)
        request = _one_job(template, dataset)
        found = slots(
            dataset, read, request, start_day=first, days=days, window=window, policy=policy
        )
    if output_format is OutputFormat.JSON:
        data = {"job_id": request.job_id, "slots": [s.to_dict(lang.value) for s in found]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(message(lang.value, "live.no_slot"), highlight=False, markup=False)
        return
    console.print(_slot_table(found))


def _diff_table(result: ReplanResult) -> Table:
    table = Table(title="Changes to the plan")
    for column in ("job", "before", "after", "change", "cause"):
        table.add_column(column, overflow="fold")
    for row in result.diff:
        if row.change == "unchanged":
            continue
        before = (
            "" if row.before_start is None else f"{row.before_worker_id} {_clock(row.before_start)}"
        )
        after = (
            "" if row.after_start is None else f"{row.after_worker_id} {_clock(row.after_start)}"
        )
        table.add_row(*(escape(t) for t in (row.job_id, before, after, row.change, row.cause)))
    return table


def write_replan(
    result: ReplanResult,
    out: Path,
    *,
    source: Path | None = None,
    force: bool = False,
    lang: str = "en",
) -> None:
    """Write a re-plan's folder: the plan, its input (the changed round) and ``diff.csv``;
    its reason sentences in ``lang``, as ``dispatch --lang`` writes them."""
    write_plan(
        result.plan,
        out,
        dataset=result.dataset,
        policy=result.policy,
        force=force,
        source=source,
        extra_tables={"diff.csv": (DIFF_COLUMNS, [row.to_row() for row in result.diff])},
        lang=lang,
    )


def replan_command(
    dataset: Annotated[
        Path, typer.Argument(help="Dataset folder the previous plan was made from.")
    ],
    previous: Annotated[Path, typer.Option("--previous", help="The plan folder to re-plan.")],
    changes: Annotated[
        Path, typer.Option("--changes", help="JSON Lines file of changes, one per line.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Plan folder to write.")],
    max_moves: Annotated[
        int,
        typer.Option(
            "--max-moves",
            min=0,
            help="Planned jobs no change hit that may change worker or move (default 0).",
        ),
    ] = 0,
    freeze_before: Annotated[
        str | None,
        typer.Option(
            "--freeze-before",
            help="ISO 8601 time: what starts before it stays (started or on its way); "
            "nothing new starts before it.",
        ),
    ] = None,
    shift_tolerance: Annotated[
        int,
        typer.Option(
            "--shift-tolerance", min=0, help="Minutes a job may move and still count as unchanged."
        ),
    ] = 0,
    solver: Annotated[
        ReplanSolver, typer.Option(help="Solver placing what does not stay.")
    ] = ReplanSolver.ROUTING,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="Seconds for the whole re-plan.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed, as in dispatch.")] = 0,
    policy: Annotated[
        Path | None, typer.Option(help="Policy TOML file (default: the dataset's own).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing folder that is not a plan.")
    ] = False,
    lang: LangOption = Language.EN,
) -> None:
    """Re-plan a day after changes, moving as few planned jobs as possible; writes the
    plan folder with diff.csv (only if it passes verify).

    Ctrl-C stops the search: the re-plan found so far is verified and written (exit 130).
    """
    with user_errors():
        source = dataset if dataset.is_dir() else None
        try:
            check_output_folder(out, force=force, source=source)
            if out.resolve() == previous.resolve():
                raise PlanError(f"{out}: write the re-plan to a new folder, not over --previous")
        except PlanError as error:
            fail(str(error), EXIT_INVALID_INPUT)
        chosen = load_policy(policy) if policy is not None else None
        data = load_dataset_warning(dataset)
        try:
            read = read_plan(previous)
        except PlanError as error:
            fail(str(error), EXIT_INVALID_INPUT)
        frozen_from = None
        if freeze_before is not None:
            try:
                frozen_from = parse_datetime(freeze_before, data.settings.zone)
            except CellError as error:
                raise RequestError(f"--freeze-before: {error}") from None
        found = read_changes(changes, data)
        stop = threading.Event()
        with stop_on_ctrl_c(stop), live_progress(time_limit, len(data.jobs)) as report:
            result = in_thread(
                lambda: replan(
                    data,
                    read,
                    found,
                    policy=chosen,
                    max_moves=max_moves,
                    freeze_before=frozen_from,
                    shift_tolerance=shift_tolerance,
                    time_limit=time_limit,
                    seed=seed,
                    solver=solver.value,
                    progress=report,
                    stop=stop,
                )
            )
        if result.violations:
            fail(
                f"the re-plan breaks {len(result.violations)} hard rule(s) "
                f"({result.violations[0].rule}: {result.violations[0].message}); nothing "
                "was written",
                EXIT_INTERNAL,
            )
        if not result.dataset.jobs:
            # A plan folder holds its round's input, and a round without jobs does not
            # load: as ops jobs on a day with no visit, say so and write nothing.
            console.print(_diff_table(result))
            console.print(
                "nothing left to re-plan: the changes cancel every job of the round; "
                f"no plan written to {out}",
                highlight=False,
                markup=False,
            )
            return
        write_replan(result, out, source=source, force=force, lang=lang.value)
    counts = result.diff_counts()
    console.print(_diff_table(result))
    console.print(
        f"{result.plan.kpis['jobs_served']} of {result.plan.kpis['jobs_total']} jobs served; "
        + ", ".join(f"{n} {name}" for name, n in counts.items())
        + f"; {result.moved} job(s) no change hit moved (--max-moves {max_moves})",
        highlight=False,
        markup=False,
    )
    console.print(f"Plan written to {out} (with diff.csv)", highlight=False, markup=False)
    if stop.is_set():
        stderr.print(
            f"interrupted: wrote the best re-plan found so far to {out}",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED)


def register(app: typer.Typer) -> None:
    """Add ``recommend``, ``slots`` and ``replan`` to ``app``."""
    app.command("recommend")(recommend_command)
    app.command("slots")(slots_command)
    app.command("replan")(replan_command)
