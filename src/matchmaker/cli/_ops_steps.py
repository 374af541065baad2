"""``matchmaker ops`` commands for the process steps around dispatch.

The assessment visit (``assessment-schedule``, ``assessment-record``), a replacement asked
for by the customer (``replace-worker``), a recurring schedule changed
(``schedule-pause``, ``schedule-resume``, ``schedule-amend``) and an order's state with its
visits (``order-status``); worker screening is in :mod:`matchmaker.cli._ops_screening`.
Each command writes its events (and what the rules derive) in one transaction and prints
them; the flow is in docs/ops.md, section "Process steps".
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from matchmaker.cli._ops_base import (
    ActorOption,
    PolicyOption,
    StoreOption,
    TimeOption,
    _fail,
    _operations,
    _out,
    _run,
    _stored_rows,
    _time,
)
from matchmaker.cli._ops_output import FormatOption, OutputFormat, emit, print_rows
from matchmaker.lifecycle import (
    Command,
    Event,
    event_from_mapping,
    load_price_book,
    quote_visit,
    validation_issues,
)
from matchmaker.model import DatasetError, LifecycleError

__all__ = ["register"]

OrderOption = Annotated[str, typer.Option("--order", help="Order id.")]
WorkerOption = Annotated[str, typer.Option("--worker", help="Worker id.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded on the event).")]


_OPTIONS = {
    "from_date": "--from",
    "until_date": "--until",
    "effective_from": "--effective-from",
    "worker_id": "--worker",
    "outcome": "--outcome",
    "course": "--course",
    "result": "--result",
    "expires": "--expires",
    "reason": "--reason",
    "schedule": "--schedule",
}
"""Event fields set from one option, so an error names the option the user typed."""


def _event(kind: str, entity: str, when: datetime, actor: str, **payload: Any) -> Event:
    """A validated event; a bad option is reported as invalid input naming the option."""
    item = {"kind": kind, "entity": entity, "time": when.isoformat(), "actor": actor}
    item.update({k: v for k, v in payload.items() if v is not None})
    try:
        event, _ = event_from_mapping(item)
    except ValidationError as error:
        issues = validation_issues(error, file=kind, row=None)
        raise DatasetError(
            [replace(i, column=_OPTIONS.get(i.column or "", i.column)) for i in issues]
        ) from None
    return event


def _submit(store: str, policy: Path | None, events: list[Event], output: OutputFormat) -> None:
    with _operations(store, policy, create=False) as ops:
        stored = ops.submit([Command(event=e) for e in events])

    def lines() -> None:
        for s in stored:
            reason = s.event.get("reason") or s.event.get("note") or ""
            tail = f": {reason}" if reason else ""
            _out.print(
                f"{s.event.kind} {s.event.entity_id} (version {s.seq}) by {s.event.actor}{tail}",
                markup=False,
                highlight=False,
            )

    emit(output, table=lines, summary={"stored": len(stored)}, rows=_stored_rows(stored))


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        _fail(f"{option}: {value!r} is not YYYY-MM-DD")


def _json(value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        data = json.loads(value)
    except json.JSONDecodeError as error:
        _fail(f"{option}: not valid JSON: {error}")
    if not isinstance(data, dict):
        _fail(f"{option}: must be a JSON object")
    return data


def assessment_schedule(
    store: StoreOption,
    order: OrderOption,
    at: Annotated[str, typer.Option("--at", help="When the assessor comes, ISO 8601.")],
    actor: ActorOption,
    duration: Annotated[int, typer.Option("--duration", min=1, help="Minutes on site.")] = 60,
    window: Annotated[
        int, typer.Option("--window", min=0, help="Minutes the start may move later.")
    ] = 0,
    skills: Annotated[
        str, typer.Option("--skills", help="Skills the assessor needs, e.g. assessment:3.")
    ] = "",
    assessor: Annotated[
        str | None, typer.Option("--assessor", help="Pin the visit to this worker.")
    ] = None,
    no_visit: Annotated[
        bool, typer.Option("--no-visit", help="Only book the time; dispatch no assessor.")
    ] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Book the assessment and dispatch an assessor to the home like a job (ops jobs)."""

    def action() -> None:
        visit = None
        if not no_visit:
            visit = {
                "duration_minutes": duration,
                "window_minutes": window,
                "required_skills": skills,
                "assessor_id": [assessor] if assessor else [],
            }
        moment = _time(at, "--at").isoformat()
        event = _event(
            "assessment_scheduled", order, _time(time), actor, at=moment, note=note, visit=visit
        )
        _submit(store, policy, [event], output)

    _run(action)


def assessment_record(
    store: StoreOption,
    order: OrderOption,
    actor: ActorOption,
    findings: Annotated[str, typer.Option("--findings", help="What the assessor found.")] = "",
    duration_minutes: Annotated[
        int | None, typer.Option("--duration-minutes", min=1, help="Minutes a visit needs.")
    ] = None,
    workers_needed: Annotated[
        int | None, typer.Option("--workers-needed", min=1, help="Workers a visit needs.")
    ] = None,
    skills: Annotated[str | None, typer.Option("--skills", help="Skills a visit needs.")] = None,
    quantity: Annotated[
        float | None,
        typer.Option("--quantity", min=0, help="Size in the service's price unit (hours, m2)."),
    ] = None,
    price_book: Annotated[
        Path | None,
        typer.Option("--price-book", help="Price the findings into proposed quote lines."),
    ] = None,
    first_visit: Annotated[
        str | None,
        typer.Option("--first-visit", help="Start of the first visit, for day surcharges."),
    ] = None,
    visit: Annotated[
        str | None, typer.Option("--visit", help="The assessment visit (default: the latest).")
    ] = None,
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Record the assessment's findings on the order; with --price-book they are priced
    into quote lines, which a quote without lines ('ops event order_quoted') takes."""

    def action() -> None:
        when = _time(time)
        lines: list[dict[str, str]] = []
        if price_book is not None:
            with _operations(store, policy, create=False) as ops:
                known = ops.ledger().orders.get(order)
            if known is None:
                raise LifecycleError(f"unknown order {order!r}")
            amount = quantity or ((duration_minutes or 0) / 60)
            if amount <= 0:
                _fail("--price-book needs --quantity or --duration-minutes")
            quote = quote_visit(
                load_price_book(price_book),
                service_type=known.service_type,
                start=_time(first_visit, "--first-visit") if first_visit else when,
                quantity=Decimal(str(amount)),
                workers=workers_needed or 1,
            )
            lines = [
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "amount": str(line.amount),
                }
                for line in quote.lines
            ]
        found = {
            "text": findings,
            "duration_minutes": duration_minutes,
            "workers_needed": workers_needed,
            "required_skills": skills,
            "quantity": quantity,
            "lines": lines,
        }
        event = _event(
            "order_assessed",
            order,
            when,
            actor,
            visit_id=visit,
            findings={k: v for k, v in found.items() if v is not None},
        )
        _submit(store, policy, [event], output)

    _run(action)


def replace_worker(
    store: StoreOption,
    customer: Annotated[str, typer.Option("--customer", help="Customer id.")],
    worker: WorkerOption,
    actor: ActorOption,
    reason: ReasonOption = "",
    visit: Annotated[
        str | None, typer.Option("--visit", help="The visit the request is about.")
    ] = None,
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The customer asks for another worker: never sent to them again, and their open
    visits with that worker are withdrawn to be dispatched again."""

    def action() -> None:
        event = _event(
            "customer_replacement_requested",
            customer,
            _time(time),
            actor,
            worker_id=worker,
            reason=reason,
            visit_id=visit,
        )
        _submit(store, policy, [event], output)

    _run(action)


def schedule_pause(
    store: StoreOption,
    order: OrderOption,
    from_date: Annotated[str, typer.Option("--from", help="First paused day, YYYY-MM-DD.")],
    actor: ActorOption,
    until: Annotated[
        str | None, typer.Option("--until", help="Last paused day (default: until resumed).")
    ] = None,
    reason: ReasonOption = "",
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Pause a recurring order: its visits on the paused days are cancelled."""

    def action() -> None:
        event = _event(
            "order_schedule_paused",
            order,
            _time(time),
            actor,
            from_date=_day(from_date, "--from"),
            until_date=_day(until, "--until"),
            reason=reason,
        )
        _submit(store, policy, [event], output)

    _run(action)


def schedule_resume(
    store: StoreOption,
    order: OrderOption,
    actor: ActorOption,
    from_date: Annotated[
        str | None, typer.Option("--from", help="First day with visits again (default today).")
    ] = None,
    reason: ReasonOption = "",
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Resume a paused recurring order: the dropped visits from that day on come back."""

    def action() -> None:
        event = _event(
            "order_schedule_resumed",
            order,
            _time(time),
            actor,
            from_date=_day(from_date, "--from"),
            reason=reason,
        )
        _submit(store, policy, [event], output)

    _run(action)


def schedule_amend(
    store: StoreOption,
    order: OrderOption,
    effective_from: Annotated[
        str, typer.Option("--effective-from", help="First day of the new terms, YYYY-MM-DD.")
    ],
    actor: ActorOption,
    schedule: Annotated[
        str | None, typer.Option("--schedule", help="New schedule, JSON (as order_contracted).")
    ] = None,
    visit: Annotated[str | None, typer.Option("--visit", help="New visit template, JSON.")] = None,
    reason: ReasonOption = "",
    time: TimeOption = None,
    policy: PolicyOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Amend a recurring order from a day on: later visits follow, earlier ones stay."""

    def action() -> None:
        event = _event(
            "order_schedule_amended",
            order,
            _time(time),
            actor,
            effective_from=_day(effective_from, "--effective-from"),
            schedule=_json(schedule, "--schedule"),
            visit=_json(visit, "--visit"),
            reason=reason,
        )
        _submit(store, policy, [event], output)

    _run(action)


def order_status(
    store: StoreOption,
    order: OrderOption,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """An order's state, its quote, its visits by state, its schedule's pauses and its
    findings."""

    def action() -> None:
        with _operations(store, None, create=False) as ops:
            ledger = ops.ledger()
        found = ledger.orders.get(order)
        if found is None:
            raise LifecycleError(f"unknown order {order!r}")
        visits = sorted(
            (v for v in ledger.visits.values() if v.job.order_id == order),
            key=lambda v: (v.job.earliest_start, v.visit_id),
        )
        rows = [
            {
                "visit": v.visit_id,
                "kind": "assessment" if v.assessment else ("rework" if v.rework_of else "service"),
                "start": v.start,
                "state": str(v.state),
                "workers": list(v.workers),
            }
            for v in visits
        ]
        summary = {
            "order": order,
            "state": str(found.state),
            "customer": found.customer_id,
            "quote": found.quote.to_payload() if found.quote else None,
            "pauses": [{"from": start, "until": end} for start, end in found.pauses],
            "schedule_revision": found.schedule_revision,
            "schedule_from": found.schedule_from,
            "findings": dict(found.findings) if found.findings else None,
        }

        def table() -> None:
            _out.print(f"order {order}: {found.state} (customer {found.customer_id})", markup=False)
            if found.quote:
                quote = found.quote
                shown = f"quote: {quote.total} {quote.currency}, {len(quote.lines)} line(s)"
                _out.print(shown, markup=False)
            for start, end in found.pauses:
                shown = "until resumed" if end is None else f"to {end.isoformat()}"
                _out.print(f"paused from {start.isoformat()} {shown}", markup=False)
            if found.schedule_revision:
                since = found.schedule_from.isoformat() if found.schedule_from else "?"
                _out.print(
                    f"schedule amended {found.schedule_revision} time(s), current from {since}",
                    markup=False,
                )
            if found.findings:
                _out.print(f"findings: {json.dumps(dict(found.findings))}", markup=False)
            print_rows(_out, "visits", rows, ("visit", "kind", "start", "state", "workers"))

        emit(output, table=table, summary=summary, rows=rows)

    _run(action)


def register(app: typer.Typer) -> None:
    """Add the process-step commands to the ``ops`` application."""
    app.command("assessment-schedule")(assessment_schedule)
    app.command("assessment-record")(assessment_record)
    app.command("replace-worker")(replace_worker)
    app.command("schedule-pause")(schedule_pause)
    app.command("schedule-resume")(schedule_resume)
    app.command("schedule-amend")(schedule_amend)
    app.command("order-status")(order_status)
