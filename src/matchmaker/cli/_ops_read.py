"""How ``ops report``, ``followups``, ``statement`` and ``log`` print what the store says.

The commands (in :mod:`matchmaker.cli._ops`) open the store and read; these functions
print the result as a table, JSON or CSV (:mod:`matchmaker.cli._ops_output`).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._ops_output import OutputFormat, cell_text, emit, print_rows, records
from matchmaker.lifecycle import CustomerStatement, Report

__all__ = ["LOG_COLUMNS", "show_followups", "show_log", "show_report", "show_statement"]

LOG_COLUMNS = ["position", "entity_type", "entity_id", "seq", "kind", "time", "actor"]


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


def show_followups(out: Console, frame: pd.DataFrame, when: datetime, output: OutputFormat) -> None:
    emit(
        output,
        table=lambda: _print_frame(out, "follow-ups due", frame),
        summary={"as_of": when, "due": len(frame)},
        rows=records(frame),
        columns=[str(c) for c in frame.columns],
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


def show_log(out: Console, frame: pd.DataFrame, output: OutputFormat) -> None:
    """Events (``LOG_COLUMNS`` and ``payload``); JSON gives each payload as an object."""
    rows = [
        {**row, "payload": json.loads(row["payload"])} if isinstance(row["payload"], str) else row
        for row in records(frame)
    ]
    emit(
        output,
        table=lambda: _print_frame(out, "events", frame),
        summary={"events": len(rows)},
        rows=rows,
        columns=[*LOG_COLUMNS, "payload"],
    )
