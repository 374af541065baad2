"""``matchmaker ops placement-*``: the placement loop on an event store (docs/ops.md).

Requests come from a dataset's ``placement_requests`` rows; shortlists are solved against
the dataset's workers and the store's other placements; a moved due date re-checks the
holds; months are settled by the documented formula. The other steps (interview, decline,
select, contract, start, replacement, completion, follow-up done) are ``ops event``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from matchmaker.cli._ops_base import (
    ActorOption,
    StoreOption,
    TimeOption,
    _fail,
    _operations,
    _out,
    _run,
    _time,
)
from matchmaker.cli._ops_output import (
    FormatOption,
    OutputFormat,
    emit,
    parse_as_of,
    print_rows,
)

__all__ = ["register"]

DatasetOption = Annotated[
    Path, typer.Option("--dataset", help="Dataset folder: workers, customers, planned visits.")
]
PlacementOption = Annotated[str, typer.Option("--placement", help="Placement id.")]


def _load(dataset: Path) -> Any:
    from matchmaker.io import load_dataset

    return load_dataset(dataset)


def _request_payload(request: Any) -> dict[str, Any]:
    def text(items: Any) -> str:
        return ";".join(str(i) for i in items)

    return {
        "customer_id": request.customer_id,
        "service_type": request.service_type,
        "start_date": None if request.start_date is None else request.start_date.isoformat(),
        "due_date": None if request.due_date is None else request.due_date.isoformat(),
        "days_before": request.days_before,
        "days_after": request.days_after,
        "duration_days": request.duration_days,
        "live_in": request.live_in,
        "required_skills": text(f"{r.name}:{r.level}" for r in request.required_skills),
        "min_experience_years": request.min_experience_years,
        "required_certificates": text(request.required_certificates),
        "gender_required": None
        if request.gender_required is None
        else str(request.gender_required),
        "language_required": text(request.language_required),
        "preferred_tags": text(request.preferred_tags),
        "age_min": request.age_min,
        "age_max": request.age_max,
        "budget": None if request.budget is None else str(request.budget),
        "priority": request.priority,
    }


def placement_request(
    store: StoreOption,
    dataset: DatasetOption,
    request: Annotated[str, typer.Option("--request", help="request_id in placement_requests.")],
    actor: ActorOption,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Placement id (default: the request id).")
    ] = None,
    time: TimeOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Open a placement from a row of the dataset's placement_requests (state requested)."""

    def action() -> None:
        from matchmaker.lifecycle import make_event

        data = _load(dataset)
        rows = {r.request_id: r for r in data.placement_requests}
        if request not in rows:
            _fail(f"error: {dataset} has no placement request {request!r}")
        event = make_event(
            "placement_requested",
            entity or request,
            time=_time(time),
            actor=actor,
            **_request_payload(rows[request]),
        )
        with _operations(store, None, create=True) as ops:
            ops.submit([event])
        placement_id = entity or request
        emit(
            output,
            table=lambda: _out.print(f"placement_requested {placement_id}", markup=False),
            summary={"kind": "placement_requested", "placement_id": placement_id},
        )

    _run(action)


def placement_shortlist(
    store: StoreOption,
    dataset: DatasetOption,
    placement: PlacementOption,
    actor: ActorOption,
    size: Annotated[int, typer.Option("-k", "--size", min=1, help="Candidates wanted.")] = 3,
    max_shortlists: Annotated[
        int, typer.Option(min=1, help="Open shortlists a worker may be on at once.")
    ] = 3,
    time: TimeOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Shortlist candidates for a placement (declined and replaced workers excluded) and
    record them (placement_shortlisted)."""

    def action() -> None:
        from matchmaker.lifecycle import shortlist_placement

        data = _load(dataset)
        with _operations(store, None, create=False) as ops:
            plan, event = shortlist_placement(
                ops.ledger(),
                data,
                placement,
                k=size,
                max_shortlists=max_shortlists,
                time=_time(time),
                actor=actor,
            )
            ops.submit([event])
        rows = [
            {
                "rank": entry.rank,
                "worker_id": entry.worker_id,
                "score": round(entry.match_score, 1),
                "why": entry.reason,
            }
            for entry in plan.shortlists
        ]
        columns = ["rank", "worker_id", "score", "why"]

        def table() -> None:
            print_rows(_out, f"shortlist of {placement}", rows, columns)
            for short in plan.unfilled:
                _out.print(f"short: {short.reason}", markup=False)

        emit(
            output,
            table=table,
            summary={"placement_id": placement, "short": [u.reason for u in plan.unfilled]},
            rows=rows,
            columns=columns,
        )

    _run(action)


def _print_violations(
    violations: list[Any], output: OutputFormat, lines: tuple[str, ...] = (), **summary: Any
) -> None:
    def table() -> None:
        for line in lines:
            _out.print(line, markup=False)
        if not violations:
            _out.print("holds re-checked: every hard rule holds", markup=False)
        for violation in violations:
            _out.print(f"conflict: {violation}", markup=False)

    emit(
        output,
        table=table,
        summary={**summary, "conflicts": len(violations)},
        rows=[{"conflict": str(v)} for v in violations],
        columns=["conflict"],
    )


def placement_move_due(
    store: StoreOption,
    placement: PlacementOption,
    due_date: Annotated[str, typer.Option("--due-date", help="The new due date, YYYY-MM-DD.")],
    actor: ActorOption,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="Re-check the holds against this dataset.")
    ] = None,
    time: TimeOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Move a placement's due date (placement_due_date_moved) and re-check its holds: the
    held worker or the shortlisted candidates against every hard rule on the new dates."""

    def action() -> None:
        from matchmaker.lifecycle import make_event, recheck_holds

        event = make_event(
            "placement_due_date_moved",
            placement,
            time=_time(time),
            actor=actor,
            due_date=date.fromisoformat(due_date),
        )
        with _operations(store, None, create=False) as ops:
            ops.submit([event])
            ledger = ops.ledger()
        line = f"placement_due_date_moved {placement} to {due_date}"
        found = [] if dataset is None else recheck_holds(ledger, _load(dataset), placement)
        if dataset is None and output is OutputFormat.TABLE:
            _out.print(line, markup=False)
            return
        _print_violations(
            found,
            output,
            placement_id=placement,
            due_date=due_date,
            rechecked=dataset is not None,
            lines=(line,),
        )

    _run(action)


def placement_recheck(
    store: StoreOption,
    dataset: DatasetOption,
    placement: PlacementOption,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Re-check a placement's held worker or candidates against every hard rule; exit 1
    when one breaks."""
    found: list[Any] = []

    def action() -> None:
        from matchmaker.lifecycle import recheck_holds

        with _operations(store, None, create=False) as ops:
            found.extend(recheck_holds(ops.ledger(), _load(dataset), placement))
        _print_violations(found, output, placement_id=placement)

    _run(action)
    if found:
        raise typer.Exit(1)


def placement_settle(
    store: StoreOption,
    placement: PlacementOption,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    actor: ActorOption,
    time: TimeOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Settle a month of a placement: salary and service fee per worker (placement_settled)."""

    def action() -> None:
        from matchmaker.lifecycle import settle_month

        with _operations(store, None, create=False) as ops:
            events = settle_month(ops.ledger(), placement, month, time=_time(time), actor=actor)
            if events:
                ops.submit(events)

        def table() -> None:
            if not events:
                _out.print(f"{placement}: no days worked in {month}", markup=False)
            for event in events:
                p = event.payload
                days = f"{p['days']} day{'' if p['days'] == 1 else 's'}"
                _out.print(
                    f"{placement} {month} {p['worker_id']}: {days}, salary {p['salary']}, "
                    f"service fee {p['service_fee']}",
                    markup=False,
                )

        columns = ["placement_id", "month", "worker_id", "days", "salary", "service_fee"]
        rows = [
            {"placement_id": placement, **{c: e.payload[c] for c in columns[1:]}} for e in events
        ]
        emit(
            output,
            table=table,
            summary={"placement_id": placement, "month": month, "settled": len(events)},
            rows=rows,
            columns=columns,
        )

    _run(action)


def placement_followups_command(
    store: StoreOption,
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of", help="A date YYYY-MM-DD, or an instant (its date in the store's timezone)."
        ),
    ],
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Placement follow-ups due by a date and not done yet (record one with ops event
    --kind placement_followed_up --data '{"follow_up": "W1:day_7"}')."""

    def action() -> None:
        from matchmaker.lifecycle import placement_followups

        with _operations(store, None, create=False) as ops:
            day = parse_as_of(as_of, ops.store.get_meta("timezone")).date()
            items = placement_followups(ops.ledger(), as_of=day)
        rows = [
            {"due": item.due, "placement_id": item.placement_id, "follow_up": item.name}
            for item in items
        ]
        columns = ["due", "placement_id", "follow_up"]
        emit(
            output,
            table=lambda: print_rows(_out, "placement follow-ups due", rows, columns),
            summary={"as_of": day, "due": len(rows)},
            rows=rows,
            columns=columns,
        )

    _run(action)


def placement_report(store: StoreOption, output: FormatOption = OutputFormat.JSON) -> None:
    """Placement KPIs: time to fill, interviews per placement, replacement rate per worker,
    fill rate per service, money settled (JSON by default)."""

    def action() -> None:
        from matchmaker.lifecycle import placement_ops_kpis

        with _operations(store, None, create=False) as ops:
            kpis = placement_ops_kpis(ops.ledger())
        if output is OutputFormat.JSON:
            _out.print_json(json.dumps(kpis))
            return
        rows = [
            {"kpi": k, "value": json.dumps(v) if isinstance(v, dict) else v}
            for k, v in kpis.items()
        ]
        emit(
            output,
            table=lambda: print_rows(_out, "placement KPIs", rows, ["kpi", "value"]),
            rows=rows,
            columns=["kpi", "value"],
        )

    _run(action)


def register(app: typer.Typer) -> None:
    """Add the ``placement-*`` commands to the ``ops`` application."""
    app.command("placement-request")(placement_request)
    app.command("placement-shortlist")(placement_shortlist)
    app.command("placement-move-due")(placement_move_due)
    app.command("placement-recheck")(placement_recheck)
    app.command("placement-settle")(placement_settle)
    app.command("placement-followups")(placement_followups_command)
    app.command("placement-report")(placement_report)
