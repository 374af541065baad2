"""``matchmaker ops`` commands of worker screening: ``worker-apply``, ``worker-screen``,
``screening``. An applicant is dispatched only once approved (docs/ops.md, "Process
steps")."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

import typer

from matchmaker.cli._ops_base import (
    ActorOption,
    PolicyOption,
    StoreOption,
    TimeOption,
    _operations,
    _out,
    _run,
    _time,
)
from matchmaker.cli._ops_output import FormatOption, OutputFormat, emit, print_rows
from matchmaker.cli._ops_steps import WorkerOption, _day, _event, _json, _submit
from matchmaker.lifecycle import WorkerState, missing_steps

__all__ = ["register"]


def worker_apply(
    store: StoreOption,
    worker: WorkerOption,
    actor: ActorOption,
    data: Annotated[
        str, typer.Option("--data", help="The worker's contract columns, JSON object.")
    ],
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """A new applicant: screened before being dispatched (ops worker-screen)."""

    def action() -> None:
        event = _event("worker_applied", worker, _time(time), actor, **_json(data, "--data"))
        _submit(store, policy, [event], output)

    _run(action)


class Step(enum.StrEnum):
    INTERVIEW = "interview"
    TRAINING = "training"
    BACKGROUND_CHECK = "background-check"
    APPROVE = "approve"
    REJECT = "reject"


def worker_screen(
    store: StoreOption,
    worker: WorkerOption,
    step: Annotated[Step, typer.Option("--step", help="The screening step recorded.")],
    actor: ActorOption,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="interview: passed or failed.")
    ] = None,
    course: Annotated[str | None, typer.Option("--course", help="training: the course.")] = None,
    result: Annotated[
        str | None, typer.Option("--result", help="background-check: passed, pending, failed.")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="background-check: valid until YYYY-MM-DD.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="reject: why.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Record one screening step; approval checks every step and names what is missing."""

    def action() -> None:
        kinds = {
            Step.INTERVIEW: ("worker_interviewed", {"outcome": outcome, "note": note}),
            Step.TRAINING: ("worker_trained", {"course": course, "note": note}),
            Step.BACKGROUND_CHECK: (
                "worker_background_checked",
                {"result": result, "expires": _day(expires, "--expires"), "note": note},
            ),
            Step.APPROVE: ("worker_approved", {"note": note}),
            Step.REJECT: ("worker_rejected", {"reason": reason}),
        }
        kind, payload = kinds[step]
        _submit(store, policy, [_event(kind, worker, _time(time), actor, **payload)], output)

    _run(action)


def screening(
    store: StoreOption,
    on: Annotated[
        str | None, typer.Option("--on", help="Judge expiry on this day (default today).")
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Applicants in screening: steps done and what approval still needs."""

    def action() -> None:
        day = date.fromisoformat(_day(on, "--on") or date.today().isoformat())
        with _operations(store, None, create=False) as ops:
            ledger = ops.ledger()
        rows = [
            {
                "worker": worker.worker_id,
                "name": worker.name,
                "steps_done": [f"{step} {detail}" for step, detail, _ in worker.screening],
                "approval_still_needs": list(missing_steps(worker, day)),
            }
            for worker in sorted(ledger.workers.values(), key=lambda w: w.worker_id)
            if worker.state is WorkerState.APPLICANT
        ]
        columns = ("worker", "name", "steps_done", "approval_still_needs")
        ready = ["nothing: ready to approve"]
        shown = [{**r, "approval_still_needs": r["approval_still_needs"] or ready} for r in rows]
        emit(
            output,
            table=lambda: print_rows(_out, "applicants", shown, columns),
            summary={"applicants": len(rows), "on": day},
            rows=rows,
            columns=columns,
        )

    _run(action)


def register(app: typer.Typer) -> None:
    """Add the screening commands to the ``ops`` application."""
    app.command("worker-apply")(worker_apply)
    app.command("worker-screen")(worker_screen)
    app.command("screening")(screening)
