"""How ``ops report``, ``followups``, ``statement`` and ``log`` print what the store says.

The commands (in :mod:`matchmaker.cli._ops`) open the store and read; these functions
print the result as a table, JSON or CSV (:mod:`matchmaker.cli._ops_output`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._ops_output import OutputFormat, cell_text, emit, print_rows, records

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker.lifecycle import CustomerStatement, Report, StoredEvent

__all__ = ["LOG_COLUMNS", "show_followups", "show_log", "show_report", "show_statement"]

LOG_COLUMNS = ["position", "entity_type", "entity_id", "seq", "kind", "time", "actor"]

FOLLOWUPS_SHOWN = 50
"""Follow-ups a table shows (the most urgent); CSV and JSON give them all."""


def _print_frame(out: Console, title: str, frame: pd.DataFrame, limit: int | None = None) -> None:
    """A frame as a table with whole ids (long format when too wide), ``limit`` rows."""
    shown = frame if limit is None else frame.head(limit)
    print_rows(out, title, records(shown), [str(c) for c in frame.columns])
    if limit is not None and len(frame) > limit:
        out.print(f"... {len(frame) - limit} more rows (--format csv or json for all)")


def show_report(out: Console, result: Report, output: OutputFormat, path: Path | None) -> None:
    """The KPIs; with ``path``, JSON goes to that file and CSV to one file per table."""
    if output is OutputFormat.JSON:
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False)
        if path is None:
            typer.echo(text)
        else:
            path.write_text(text + "\n", encoding="utf-8")
    elif output is OutputFormat.CSV:
        if path is None:
            typer.echo(result.summary_frame().to_csv(index=False), nl=False)
        else:
            result.write_csv(path)
    else:
        kpis = Table(title="Operations KPIs")
        kpis.add_column("KPI")
        kpis.add_column("value", justify="right")
        for key, value in result.summary.items():
            kpis.add_row(escape(key), cell_text(value))
        out.print(kpis)
        for name in ("services", "money", "workers", "problems"):
            _print_frame(out, name, result.tables[name], limit=30)


def show_followups(
    out: Console, rows: list[dict[str, Any]], when: datetime, output: OutputFormat
) -> None:
    """Follow-up rows (``FOLLOWUP_COLUMNS``); a table shows the most urgent ones."""
    from matchmaker.lifecycle import FOLLOWUP_COLUMNS

    columns = list(FOLLOWUP_COLUMNS)

    def table() -> None:
        print_rows(out, "follow-ups due", rows[:FOLLOWUPS_SHOWN], columns)
        if len(rows) > FOLLOWUPS_SHOWN:
            out.print(f"... {len(rows) - FOLLOWUPS_SHOWN} more rows (--format csv or json for all)")

    emit(
        output,
        table=table,
        summary={"as_of": when, "due": len(rows)},
        rows=rows,
        columns=columns,
    )


def show_statement(out: Console, result: CustomerStatement, output: OutputFormat) -> None:
    rows = [
        {
            "date": line.time.date(),
            "visit_id": line.visit_id,
            "order_id": line.order_id,
            "service_type": line.service_type,
            "kind": line.kind,
            "method": line.method,
            "amount": line.amount,
            "note": line.note,
        }
        for line in result.lines
    ]
    columns = ["date", "visit_id", "order_id", "service_type", "kind", "method", "amount"]

    def table() -> None:
        print_rows(out, f"{result.customer_id} {result.month}", rows, columns)
        out.print(
            f"total {result.total}, deposit applied {result.deposit_applied}, "
            f"due on the monthly bill {result.amount_due}",
            markup=False,
        )

    emit(
        output,
        table=table,
        summary={
            "customer_id": result.customer_id,
            "month": result.month,
            "total": result.total,
            "totals": result.totals(),
            "deposit_applied": result.deposit_applied,
            "amount_due": result.amount_due,
        },
        rows=rows,
        columns=[*columns, "note"],
    )


def show_log(out: Console, events: list[StoredEvent], output: OutputFormat) -> None:
    """Events (``LOG_COLUMNS`` and ``payload``, times in UTC); JSON gives each payload as an
    object, a table or CSV as JSON text."""
    rows = [
        {
            "position": item.position,
            "entity_type": str(item.event.key[0]),
            "entity_id": item.event.entity_id,
            "seq": item.seq,
            "kind": item.event.kind,
            "time": item.event.time.astimezone(UTC),
            "actor": item.event.actor,
            "payload": item.event.payload,
        }
        for item in events
    ]
    columns = [*LOG_COLUMNS, "payload"]
    emit(
        output,
        table=lambda: print_rows(out, "events", rows, columns),
        summary={"events": len(rows)},
        rows=rows,
        columns=columns,
    )
