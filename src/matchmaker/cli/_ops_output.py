"""What every ``ops`` command prints: a table for people, JSON or CSV for machines.

``--format table`` (the default) prints rich tables whose ids are never cut: an id column
is as wide as its longest id and other columns wrap; a table too wide for the terminal
even so is printed in long format, one ``column: value`` line per cell. ``--format json``
prints one object, ``{"summary": {...}, "rows": [...]}`` (money as decimal strings, times
as ISO 8601, NaN as null); ``--format csv`` prints the rows with a header (the summary as
one row when a command has no rows).

``--as-of`` takes an instant with a UTC offset or a date: a date means the end of that
day in the store's timezone (from its imported ``dataset.toml``; UTC without one),
converted through UTC.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchmaker.model import utc

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FormatOption",
    "OutputFormat",
    "cell_text",
    "emit",
    "jsonable",
    "parse_as_of",
    "print_rows",
    "records",
]


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table (for people), json or csv (for machines).")
]

_ID_NAMES = frozenset(
    {"visit", "worker", "entity", "placement", "customer", "order", "job", "follow_up", "id"}
)


_PLAIN = (str, int, bool)
"""Exact types that are JSON as they are (a subclass, such as a ``str`` enum, is not)."""


def cell_text(value: Any) -> str:
    """A table cell: numbers rounded, money exact, text escaped so rich shows it as it is."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.2f}"
    return escape(str(jsonable(value)))


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: Decimal as a string, times ISO, NaN as null, containers."""
    if value is None or type(value) in _PLAIN:  # most cells: skip the checks below
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    numpy = sys.modules.get("numpy")  # a numpy scalar, without importing numpy for it
    if numpy is not None and isinstance(value, numpy.generic):
        return jsonable(value.item())
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    pandas = sys.modules.get("pandas")  # pandas.NaT, without importing pandas for it
    if pandas is not None and value is pandas.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain dicts (JSON-ready values)."""
    return [jsonable(row) for row in frame.to_dict(orient="records")]


def _cell(value: Any) -> str:
    """A table or CSV cell: blank for none, JSON for nested values, numbers as they are."""
    if type(value) is str:
        return value
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.2f}"
    return str(value)


def _is_id(column: str) -> bool:
    return column in _ID_NAMES or column.endswith("_id") or column.endswith("_ids")


def print_rows(
    console: Console,
    title: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
) -> None:
    """Rows as a rich table with whole ids, or in long format when too wide for it."""
    names = list(columns) if columns is not None else list(rows[0]) if rows else []
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    widths = []
    for i, name in enumerate(names):
        longest = max([len(name), *(len(r[i]) for r in cells)])
        widths.append(longest if _is_id(name) else min(longest, 12))
    needed = sum(widths) + 3 * len(names) + 1
    if names and needed > console.width:
        console.print(f"{title} ({len(rows)})", markup=False, highlight=False)
        label = max(len(n) for n in names)
        for number, row in enumerate(cells, start=1):
            console.print(f"-- {number} --", markup=False, highlight=False)
            for name, value in zip(names, row, strict=True):
                console.print(f"{name:<{label}}  {value}", markup=False, highlight=False)
        return
    table = Table(title=escape(title))
    for name, width in zip(names, widths, strict=True):
        if _is_id(name):
            table.add_column(escape(name), no_wrap=True, min_width=width, overflow="fold")
        else:
            table.add_column(escape(name), overflow="fold")
    for row in cells:
        table.add_row(*[escape(v) for v in row])
    console.print(table)


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> str:
    names = list(columns) if columns is not None else list(rows[0]) if rows else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return buffer.getvalue()


def emit(
    output: OutputFormat,
    *,
    table: Callable[[], None],
    summary: Mapping[str, Any] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
    columns: Sequence[str] | None = None,
) -> None:
    """Print a command's result: ``table()`` for people, else JSON or CSV of the data.

    CSV prints ``rows`` (with ``columns`` as the header, also when there are none), or the
    summary as one row when the command has no ``columns``.
    """
    if output is OutputFormat.TABLE:
        table()
    elif output is OutputFormat.JSON:
        data = {"summary": jsonable(dict(summary or {})), "rows": [jsonable(r) for r in rows]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif columns is None and not rows:
        typer.echo(_csv([dict(summary or {})], list(summary or {})), nl=False)
    else:
        typer.echo(_csv(rows, columns), nl=False)


def parse_as_of(value: str | None, timezone: str | None) -> datetime:
    """``--as-of``: now, an instant with offset, or a date (its end in ``timezone``).

    Raises ``ValueError`` with the option's name for anything else.
    """
    if value is None:
        return datetime.now().astimezone()
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None and len(text) == 10:
        zone = ZoneInfo(timezone) if timezone else ZoneInfo("UTC")
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        return (utc(next_midnight) - timedelta(microseconds=1)).astimezone(zone)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--as-of: {value!r} is neither a date YYYY-MM-DD nor an ISO 8601 instant"
        ) from None
    if moment.utcoffset() is None:
        raise ValueError(
            f"--as-of: {value!r} has no UTC offset (e.g. 2026-12-01T09:00:00+08:00, or a "
            "date 2026-12-01)"
        )
    return moment
