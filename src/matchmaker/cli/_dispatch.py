"""``matchmaker dispatch``, ``verify`` and ``explain``: plan a round, check a plan, ask why.

A thin layer over :func:`matchmaker.plan.dispatch`, :func:`matchmaker.plan.verify`,
:func:`matchmaker.plan.explain_job` and :mod:`matchmaker.io` (plan folders).
"""

from __future__ import annotations

import enum
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
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
from matchmaker.cli._split_options import (
    ExecutorOption,
    SplitOption,
    WorkersOption,
    ZonesOption,
)
from matchmaker.cli._travel_options import (
    MissingOption,
    TravelCacheOption,
    TravelEngineOption,
    TravelMatrixOption,
    travel_for,
)
from matchmaker.cli._whatif import attach_smallest_changes, coverage_line
from matchmaker.io import (
    check_output_folder,
    check_pin_travel,
    load_dataset,
    load_plan_input,
    load_plan_policy,
    read_plan,
    write_plan,
)
from matchmaker.live import explain_worker
from matchmaker.model import DatasetError, PlanError, load_policy
from matchmaker.plan import (
    RULES,
    Plan,
    Violation,
    dispatch,
    explain_job,
    explanation_text,
    localize_reason,
    message,
    open_executor,
    redacted,
    verify,
)

__all__ = ["register"]


SMALLEST_CHANGE_MIN_SECONDS = 5.0
"""The least time the smallest changes get after a dispatch (else half its time limit)."""


class SolverName(enum.StrEnum):
    ROUTING = "routing"
    GREEDY = "greedy"
    CPSAT = "cpsat"


class ExplainFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


@contextmanager
def _invalid_plan() -> Iterator[None]:
    """A plan that cannot be read is invalid input (exit 2), not an internal error."""
    try:
        yield
    except PlanError as error:
        fail(str(error), EXIT_INVALID_INPUT)


def _summary(plan: Plan, lang: str = "en") -> Table:
    kpis = plan.kpis

    def say(key: str, **fields: object) -> str:
        return escape(message(lang, key, **fields))

    table = Table(title=say("summary.title"), show_header=False)
    table.add_column("KPI", style="bold")
    table.add_column("value", justify="right")
    served, total = kpis.get("jobs_served", 0), kpis.get("jobs_total", 0)
    table.add_row(say("report.kpi.served"), say("summary.served", served=served, total=total))
    table.add_row(say("report.kpi.fill_rate"), f"{kpis.get('fill_rate', 0.0):.1%}")
    table.add_row(say("report.kpi.priority_served"), f"{kpis.get('priority_served', 0.0):.1%}")
    table.add_row(say("report.kpi.travel"), f"{kpis.get('travel_minutes_total', 0):,}")
    mean = kpis.get("mean_match_score")
    table.add_row(say("report.kpi.match_score"), "-" if mean is None else f"{mean:.1f}")
    table.add_row(say("report.kpi.objective"), f"{kpis.get('objective', 0):,}")
    bound = kpis.get("lower_bound")
    if bound is not None:
        table.add_row(say("summary.lower_bound"), f"{bound:,}")
    solver = f"{kpis.get('backend')} (seed {kpis.get('seed')})"
    table.add_row(say("report.kpi.solver"), escape(solver))
    table.add_row(say("summary.solve_seconds"), f"{kpis.get('solve_seconds', 0.0):.1f}")
    by_reason = (kpis.get("unassigned_by_reason") or {}).items()
    for code, count in sorted(by_reason, key=lambda item: (-item[1], item[0])):
        table.add_row(say("summary.unassigned", code=code), str(count))
    return table


def _violations_table(violations: list[Violation]) -> Table:
    table = Table(title=f"{len(violations)} violation(s)")
    for column in ("rule", "job", "worker", "what is wrong"):
        table.add_column(column, overflow="fold")
    for v in violations:
        table.add_row(*(escape(t) for t in (v.rule, v.job_id or "", v.worker_id or "", v.message)))
    return table


def dispatch_command(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to plan.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Plan folder to write (replaced if it is a plan).")
    ],
    solver: Annotated[SolverName, typer.Option(help="Solver backend.")] = SolverName.ROUTING,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.0,
            help="Seconds the solver may search (with --deterministic: a safety cap only).",
        ),
    ] = 30.0,
    seed: Annotated[
        int,
        typer.Option(
            help="Random seed. Without --deterministic the same seed does NOT guarantee the "
            "same plan (the search is bounded by time, so machine speed and load matter)."
        ),
    ] = 0,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="Bound the search by work, not time: the same dataset, policy, solver and "
            "seed give the same plan on any machine. --time-limit is then only a safety "
            "cap; if it cuts the search short the plan is still written, with a warning "
            "that it may not repeat.",
        ),
    ] = False,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help="Leave worker and customer names out of every output: the plan, its "
            "reasons and its input copy name them by id only.",
        ),
    ] = False,
    policy: Annotated[
        Path | None, typer.Option(help="Policy TOML file (default: the dataset's own).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing folder that is not a plan.")
    ] = False,
    smallest_change: Annotated[
        bool,
        typer.Option(
            "--smallest-change/--no-smallest-change",
            help="Find the cheapest proven change that would serve each unassigned job "
            "(unassigned.csv's smallest_change column), the most valuable first, for at most "
            "half the time limit (at least 5 s).",
        ),
    ] = True,
    districts: Annotated[
        Path | None,
        typer.Option(help="CSV of districts (name,lat,lon) for hiring signals; default: grid."),
    ] = None,
    ruin_recreate: Annotated[
        bool | None,
        typer.Option(
            "--ruin-recreate/--no-ruin-recreate",
            help="Let the routing backend exchange jobs by ruin and recreate before guided "
            "local search (default: the policy's ruin_and_recreate, on unless it says false).",
        ),
    ] = None,
    lang: LangOption = Language.EN,
    travel_matrix: TravelMatrixOption = None,
    missing_pairs: MissingOption = None,
    travel_engine: TravelEngineOption = None,
    travel_cache: TravelCacheOption = None,
    split: SplitOption = None,
    zones: ZonesOption = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
) -> None:
    """Plan a dispatch round and write the plan folder (only if it passes verify).

    Ctrl-C stops the search: the best plan found so far is verified and written (exit
    130, "interrupted: wrote the best plan found so far"); if there is none, or it fails
    verify, or Ctrl-C came while loading, nothing is written (exit 130, "interrupted").
    """
    with user_errors():
        with _invalid_plan():
            check_output_folder(out, force=force, source=dataset if dataset.is_dir() else None)
        chosen = load_policy(policy) if policy is not None else None
        data = load_dataset_warning(dataset)
        if ruin_recreate is not None:
            base = chosen if chosen is not None else data.settings.policy
            chosen = base.model_copy(update={"ruin_and_recreate": ruin_recreate})
        travel = travel_for(
            data,
            folder=dataset,
            matrix=travel_matrix,
            engine=travel_engine,
            missing=missing_pairs,
            cache=travel_cache,
        )
        # The loader checked the pins with the default travel and the dataset's policy; a
        # chosen travel model, or a --policy asking for the way home, may break them.
        home = chosen is not None and chosen.travel_home and not data.settings.policy.travel_home
        if travel is not None or home:
            pin_issues = check_pin_travel(data, travel, policy=chosen if home else None)
            if pin_issues:
                raise DatasetError(pin_issues)
        if redact:
            data = redacted(data)
        coverage_line(data, chosen, districts, travel)
        stop = threading.Event()
        with (
            stop_on_ctrl_c(stop),
            open_executor(executor, workers=workers) as pool,
        ):
            with live_progress(time_limit, len(data.jobs)) as report:
                result = in_thread(
                    lambda: dispatch(
                        data,
                        solver=solver.value,
                        policy=chosen,
                        time_limit=time_limit,
                        seed=seed,
                        progress=report,
                        deterministic=deterministic,
                        stop=stop,
                        travel=travel,
                        split=None if split is None else split.value,
                        zones=zones,
                        executor=pool,
                    )
                )
            if result.violations:
                stderr.print(_violations_table(list(result.violations)))
                if stop.is_set():
                    fail(
                        f"interrupted; the plan found so far breaks {len(result.violations)} "
                        "hard rule(s), nothing was written",
                        EXIT_INTERRUPTED,
                    )
                fail(
                    f"the {solver.value} plan breaks {len(result.violations)} hard rule(s); "
                    "this is a bug in matchmaker, nothing was written",
                    EXIT_INTERNAL,
                )
            plan = result.plan
            if smallest_change and not stop.is_set():
                seconds = max(SMALLEST_CHANGE_MIN_SECONDS, time_limit / 2)
                plan = attach_smallest_changes(result, data, districts, seconds)
            write_plan(
                plan,
                out,
                dataset=data,
                policy=result.policy,
                force=force,
                source=dataset if dataset.is_dir() else None,
                lang=lang.value,
            )
    console.print(_summary(result.plan, lang.value))
    console.print(message(lang.value, "summary.written", out=out), highlight=False, markup=False)
    if result.model_too_large:
        stderr.print(
            "warning: building the CP-SAT model of this round did not fit the time limit; "
            "the plan is the greedy warm start (use --solver routing for rounds this size)",
            highlight=False,
            markup=False,
        )
    if result.time_capped:
        stderr.print(
            "warning: the time limit cut the deterministic search short; this plan may "
            "differ between runs (give a larger --time-limit)",
            highlight=False,
            markup=False,
        )
    if stop.is_set():
        stderr.print(
            f"interrupted: wrote the best plan found so far to {out}",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED)


def verify_command(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="The plan folder (needs assignments.csv), checked against its own input/ "
            "copy; or the dataset folder the plan is for, then the plan folder.",
            metavar="[DATASET] PLAN",
            show_default=False,
        ),
    ],
    redact: Annotated[
        bool, typer.Option("--redact", help="Name workers by id only in the messages.")
    ] = False,
    travel_matrix: TravelMatrixOption = None,
    missing_pairs: MissingOption = None,
    travel_engine: TravelEngineOption = None,
    travel_cache: TravelCacheOption = None,
) -> None:
    """Check a plan against every hard rule; exit 1 when any is broken.

    Travel is judged with the model the plan records, unless --travel-matrix or
    --travel-engine names another; a plan without a record uses the dataset's own.
    """
    if len(folders) > 2:
        raise typer.BadParameter("give the plan folder, or the dataset folder and the plan folder")
    dataset, plan = (None, folders[0]) if len(folders) == 1 else (folders[0], folders[1])
    with user_errors():
        with _invalid_plan():
            data = load_plan_input(plan) if dataset is None else load_dataset(dataset)
            read = read_plan(plan)
        travel = travel_for(
            data,
            folder=dataset,
            matrix=travel_matrix,
            engine=travel_engine,
            missing=missing_pairs,
            cache=travel_cache,
            recorded=read.travel,
        )
        if redact:
            data = redacted(data)
        violations = verify(data, read, travel=travel)
    if violations:
        console.print(_violations_table(violations))
        raise typer.Exit(EXIT_INTERNAL)
    console.print(
        f"Plan is valid: {len(read.assignments)} assignment(s), {len(read.unassigned)} "
        f"unassigned job(s), all {len(RULES)} rules hold.",
        highlight=False,
    )


def explain_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder written by matchmaker dispatch.")],
    job: Annotated[str, typer.Option("--job", "-j", help="The job to explain.")],
    worker: Annotated[
        str | None,
        typer.Option(
            "--worker",
            "-w",
            help="Why not this worker: the hard rules they fail for the job, or what it "
            "would take to give it to them.",
        ),
    ] = None,
    output_format: Annotated[
        ExplainFormat, typer.Option("--format", help="text or json.")
    ] = ExplainFormat.TEXT,
    dataset: Annotated[
        Path | None,
        typer.Option(help="Dataset folder, for a plan without its input/ copy (made by hand)."),
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Name workers and customers by id only.")
    ] = False,
    lang: LangOption = Language.EN,
    travel_matrix: TravelMatrixOption = None,
    missing_pairs: MissingOption = None,
    travel_engine: TravelEngineOption = None,
    travel_cache: TravelCacheOption = None,
) -> None:
    """Explain one job of a plan: why its workers, or why it is not served; with
    --worker, why not that worker.

    Travel is the model the plan records, unless --travel-matrix or --travel-engine
    names another.
    """
    with user_errors():
        with _invalid_plan():
            read = read_plan(plan)
            data = load_dataset(dataset) if dataset is not None else load_plan_input(plan)
            policy = load_plan_policy(plan)
        travel = travel_for(
            data,
            folder=dataset,
            matrix=travel_matrix,
            engine=travel_engine,
            missing=missing_pairs,
            cache=travel_cache,
            recorded=read.travel,
        )
        if travel is not read.travel:
            read = replace(read, travel=travel)
        if redact:
            data = redacted(data)
        chosen = policy if policy is not None else data.settings.policy
        if worker is not None:
            verdict = explain_worker(data, read, job, worker, policy=chosen)
            if output_format is ExplainFormat.JSON:
                said = verdict.to_dict(lang.value)
                typer.echo(json.dumps(said, ensure_ascii=False, indent=2))
            else:
                typer.echo(verdict.to_text(lang.value))
            return
        explanation = explain_job(data, read, job, policy=chosen)
    if output_format is ExplainFormat.JSON:
        said = explanation.to_dict()
        if said["reason"] is not None:  # the fields stay, the sentence follows --lang
            said["reason"] = localize_reason(said["reason"], lang.value)
        typer.echo(json.dumps(said, ensure_ascii=False, indent=2))
    else:
        typer.echo(explanation_text(explanation, data, lang.value))


def register(app: typer.Typer) -> None:
    """Add ``dispatch``, ``verify`` and ``explain`` to ``app``."""
    app.command("dispatch")(dispatch_command)
    app.command("verify")(verify_command)
    app.command("explain")(explain_command)
