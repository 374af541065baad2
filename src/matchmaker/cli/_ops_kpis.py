"""How ``ops report`` prints the KPIs read from the store's counters, without pandas.

The full report (``--details``, every entity in memory, pandas) is printed by
:func:`matchmaker.cli._ops_read.show_report`; this prints the same summary and aggregate
tables, as a table, JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.cli._ops_output import OutputFormat, cell_text, print_rows
from matchmaker.lifecycle import KpiReport

__all__ = ["show_kpis"]

_TABLES = ("services", "money", "workers", "problems")
_LIMIT = 30


def show_kpis(out: Console, result: KpiReport, output: OutputFormat, path: Path | None) -> None:
    """The KPIs; with ``path``, JSON goes to that file and CSV to one file per table."""
    if output is OutputFormat.JSON:
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False)
        if path is None:
            typer.echo(text)
        else:
            path.write_text(text + "\n", encoding="utf-8")
        return
    if output is OutputFormat.CSV:
        if path is None:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(["kpi", "value"])
            for key, value in result.to_json()["summary"].items():
                writer.writerow([key, "" if value is None else value])
            typer.echo(buffer.getvalue(), nl=False)
        else:
            result.write_csv(path)
        return
    kpis = Table(title="Operations KPIs")
    kpis.add_column("KPI")
    kpis.add_column("value", justify="right")
    for key, value in result.summary.items():
        kpis.add_row(escape(key), cell_text(value))
    out.print(kpis)
    for name in _TABLES:
        table = result.tables[name]
        print_rows(out, name, table.rows[:_LIMIT], list(table.columns))
        if len(table.rows) > _LIMIT:
            out.print(f"... {len(table.rows) - _LIMIT} more rows (--format csv or json for all)")
