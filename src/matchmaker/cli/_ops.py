"""``matchmaker ops``: the order lifecycle from the command line, over an event store (an
SQLite file, or a PostgreSQL database given as ``--store postgresql://user@host:port/db``).

A batch round: ``ops jobs`` -> ``matchmaker dispatch`` -> ``ops apply-plan`` ->
confirmations and service events (``ops import``) -> ``ops report``.
Exit codes: 0 ok, 2 invalid input (nothing written), 1 internal error, 3 a conflicting
writer (nothing written, run it again).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from matchmaker.cli._ops_base import (
    ActorOption,
    AsOfOption,
    PolicyOption,
    StoreOption,
    TimeOption,
    _err,
    _fail,
    _operations,
    _out,
    _run,
    _stored_rows,
    _time,
    app,
)
from matchmaker.cli._ops_output import FormatOption, OutputFormat, emit, parse_as_of

# What the report, exports, imports and plans need (pandas, the dataset contract) is
# imported by those commands: `ops event` starts without it.
from matchmaker.lifecycle import (
    Command,
    event_from_mapping,
    rebuild_read_models,
    validation_issues,
)
from matchmaker.model import DatasetError

__all__ = ["app"]
"""The ``ops`` group, with its core commands registered (other modules add theirs)."""


@app.command("import")
def import_events(
    events: Annotated[Path, typer.Argument(help="JSONL file, one event per line.")],
    store: StoreOption,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Validate a JSONL file of events and append it; a bad line writes nothing."""

    def action() -> None:
        if not events.is_file():
            _fail(f"{events}: file not found")
        with _operations(store, policy, create=True) as ops:
            stored = ops.import_events(events)
        derived = sum(s.event.actor.startswith("rule:") for s in stored)
        emit(
            output,
            table=lambda: _out.print(
                f"{len(stored)} event(s) stored ({derived} by rules) in {store}", markup=False
            ),
            summary={"stored": len(stored), "by_rules": derived, "store": str(store)},
            rows=_stored_rows(stored),
            columns=["position", "kind", "entity_id", "seq", "time", "actor"],
        )

    _run(action)


@app.command("import-dataset")
def import_dataset_command(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder (contract v1).")],
    store: StoreOption,
    time: TimeOption = None,
    actor: ActorOption = "import",
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Seed a store from a dataset folder: workers, customers, orders, visits."""

    def action() -> None:
        when = _time(time)
        with _operations(store, policy, create=True) as ops:
            from matchmaker.lifecycle import import_dataset

            summary = import_dataset(ops, dataset, time=when, actor=actor)
        emit(
            output,
            table=lambda: _out.print(
                f"imported {summary.workers} workers, {summary.customers} customers, "
                f"{summary.orders} orders, {summary.visits} visits ({summary.events} events)",
                markup=False,
            ),
            summary={
                "workers": summary.workers,
                "customers": summary.customers,
                "orders": summary.orders,
                "visits": summary.visits,
                "events": summary.events,
            },
            rows=[
                {"file": file, "ignored_columns": list(columns)}
                for file, columns in summary.ignored_columns.items()
            ],
            columns=["file", "ignored_columns"],
        )
        for file, columns in summary.ignored_columns.items():
            _err.print(f"{file}: ignored columns {', '.join(columns)}", markup=False)

    _run(action)


@app.command("jobs")
def jobs(
    store: StoreOption,
    day: Annotated[str, typer.Option("--date", help="Day of the round, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing dataset.")] = False,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Write the day's dispatch round as a dataset (contract v1) with feedback applied."""

    def action() -> None:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            _fail(f"--date: {day!r} is not YYYY-MM-DD")
        with _operations(store, policy, create=False) as ops:
            from matchmaker.lifecycle import export_jobs

            summary = export_jobs(ops, day=when, out=out, force=force)
        if output is not OutputFormat.TABLE:
            emit(
                output,
                table=lambda: None,
                summary={
                    "day": summary.day,
                    "written": summary.written,
                    "folder": str(summary.folder) if summary.written else None,
                    "jobs": summary.jobs,
                    "to_dispatch": summary.to_dispatch,
                    "pinned": summary.pinned,
                    "workers": summary.workers,
                    "customers": summary.customers,
                    "unlinked": [
                        {"job_id": u.job_id, "depends_on": u.depends_on, "state": u.partner_state}
                        for u in summary.unlinked
                    ],
                },
                rows=[
                    {"job_id": p.job_id, "worker_id": p.worker_id, "reasons": list(p.reasons)}
                    for p in summary.released
                ],
                columns=["job_id", "worker_id", "reasons"],
            )
            return
        if not summary.written:
            kept = f"; {out} is left as it was" if out.exists() else ""
            _out.print(
                f"nothing to dispatch on {summary.day}: no visit is open or planned that day; "
                f"no dataset written{kept}",
                markup=False,
            )
            return
        _out.print(
            f"{summary.jobs} job(s) for {summary.day} ({summary.to_dispatch} to dispatch, "
            f"{summary.pinned} pinned), {summary.workers} workers, {summary.customers} "
            f"customers -> {summary.folder}",
            markup=False,
        )
        for pin in summary.released:
            detail = f": {pin.detail}" if pin.detail else ""
            _err.print(
                f"{pin.job_id}: not pinned to {pin.worker_id} any more "
                f"({', '.join(pin.reasons)}{detail}); it will be dispatched again",
                markup=False,
            )
        for link in summary.unlinked:
            _err.print(
                f"{link.job_id}: exported without its link to {link.depends_on} "
                f"({link.depends_on} is {link.partner_state}, not in this round); "
                "check the gap by hand",
                markup=False,
            )

    _run(action)


@app.command("apply-plan")
def apply_plan_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder (contract v1).")],
    store: StoreOption,
    time: TimeOption = None,
    actor: ActorOption = "dispatcher",
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Turn a plan's assignments into 'visit_proposed' events."""

    def action() -> None:
        when = _time(time)
        with _operations(store, policy, create=False) as ops:
            from matchmaker.lifecycle import apply_plan

            summary = apply_plan(ops, plan, time=when, actor=actor)

        def table() -> None:
            _out.print(
                f"{summary.proposed} proposal(s), {summary.unchanged} unchanged, "
                f"{len(summary.skipped)} skipped, {summary.unassigned} unassigned in the plan",
                markup=False,
            )
            for job_id, reason in summary.skipped:
                _out.print(f"  skipped {job_id}: {reason}", markup=False)

        emit(
            output,
            table=table,
            summary={
                "proposed": summary.proposed,
                "unchanged": summary.unchanged,
                "skipped": len(summary.skipped),
                "unassigned": summary.unassigned,
            },
            rows=[{"job_id": j, "skipped": reason} for j, reason in summary.skipped],
            columns=["job_id", "skipped"],
        )

    _run(action)


@app.command("event")
def event_command(
    store: StoreOption,
    kind: Annotated[str, typer.Option("--kind", help="Event kind, e.g. visit_confirmed.")],
    entity: Annotated[str, typer.Option("--entity", help="Id of the entity.")],
    actor: ActorOption,
    time: TimeOption = None,
    data: Annotated[str, typer.Option("--data", help="Payload as a JSON object.")] = "{}",
    expected_version: Annotated[
        int | None, typer.Option("--expected-version", help="Fail if the entity moved on.")
    ] = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Append one event (the same format as one JSONL line)."""

    def action() -> None:
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as error:
            _fail(f"--data: not valid JSON: {error}")
        if not isinstance(payload, dict):
            _fail("--data: must be a JSON object")
        item: dict[str, Any] = {
            "kind": kind,
            "entity": entity,
            "actor": actor,
            "time": _time(time).isoformat(),
            **payload,
        }
        if expected_version is not None:
            item["expected_version"] = expected_version
        try:
            event, expected = event_from_mapping(item)
        except ValidationError as error:
            raise DatasetError(validation_issues(error, file="--data", row=None)) from None
        with _operations(store, policy, create=True) as ops:
            stored = ops.submit([Command(event=event, expected_version=expected)])

        def table() -> None:
            for s in stored:
                _out.print(
                    f"{s.event.kind} {s.event.entity_id} (version {s.seq}) by {s.event.actor}",
                    markup=False,
                )

        rows = [
            {**r, "payload": s.event.payload}
            for r, s in zip(_stored_rows(stored), stored, strict=True)
        ]
        emit(
            output,
            table=table,
            summary={"stored": len(stored)},
            rows=rows,
            columns=["position", "kind", "entity_id", "seq", "time", "actor", "payload"],
        )

    _run(action)


@app.command("report")
def report_command(
    store: StoreOption,
    output: FormatOption = OutputFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="File (json) or folder (csv) to write.")
    ] = None,
    as_of: AsOfOption = None,
    policy: PolicyOption = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help="Add the tables of one row per visit or customer month (margins, "
            "follow-ups, continuity): reads every entity, slower on a large store.",
        ),
    ] = False,
) -> None:
    """The KPIs: fill rate, punctuality, rework, complaints, ratings, continuity, revenue,
    pay and margin (from the store's counters; --details adds the per-visit tables)."""

    def action() -> None:
        with _operations(store, policy, create=False) as ops:
            when = parse_as_of(as_of, ops.store.get_meta("timezone"))
            if details:
                from matchmaker.cli._ops_read import show_report
                from matchmaker.lifecycle import analytics

                result = analytics.report(ops.ledger(), ops.policy, as_of=when)
            else:
                from matchmaker.lifecycle import store_report

                fast = store_report(ops.store, ops.policy, as_of=when)
        if details:
            show_report(_out, result, output, out)
        else:
            from matchmaker.cli._ops_kpis import show_kpis

            show_kpis(_out, fast, output, out)

    _run(action)


@app.command("followups")
def followups_command(
    store: StoreOption,
    as_of: AsOfOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Follow-ups still to do, the most urgent first."""

    def action() -> None:
        with _operations(store, policy, create=False) as ops:
            from matchmaker.cli._ops_read import show_followups
            from matchmaker.lifecycle import followup_rows, store_followups_due

            when = parse_as_of(as_of, ops.store.get_meta("timezone"))
            items = store_followups_due(ops.store, ops.policy, as_of=when)
        show_followups(_out, followup_rows(items), when, output)

    _run(action)


@app.command("statement")
def statement_command(
    store: StoreOption,
    customer: Annotated[str, typer.Option("--customer", help="Customer id.")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """A customer's monthly statement: every money line, totals by method, amount due."""

    def action() -> None:
        with _operations(store, None, create=False) as ops:
            from matchmaker.cli._ops_read import show_statement
            from matchmaker.lifecycle import store_statement

            result = store_statement(ops.store, customer, month)
        show_statement(_out, result, output)

    _run(action)


@app.command("log")
def log_command(
    store: StoreOption,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Only events of this entity id.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Last N events.")] = 50,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The latest events in the store (the audit trail)."""

    def action() -> None:
        with _operations(store, None, create=False) as ops:
            events = ops.store.latest(limit, entity_id=entity)
        from matchmaker.cli._ops_read import show_log

        show_log(_out, events, output)

    _run(action)


@app.command("rebuild")
def rebuild_command(store: StoreOption, output: FormatOption = OutputFormat.TABLE) -> None:
    """Rebuild the read models (current state per entity) by replaying every event.

    Commands keep them up to date as they append; rebuild after restoring a backup of the
    events alone, or to check them (the state must come out the same)."""

    def action() -> None:
        with _operations(store, None, create=False) as ops:
            summary = rebuild_read_models(ops.store)
        emit(
            output,
            table=lambda: _out.print(
                f"read models rebuilt from {summary.events} event(s): {summary.entities} "
                f"entities, up to position {summary.position}",
                markup=False,
            ),
            summary={
                "events": summary.events,
                "entities": summary.entities,
                "position": summary.position,
            },
        )

    _run(action)
