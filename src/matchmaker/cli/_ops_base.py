"""What the ``matchmaker ops`` commands share: the group, its options, the store and the
mapping of errors to exit codes (0 ok, 2 invalid input with nothing written, 1 internal
error, 3 a conflicting writer: nothing written, run it again)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from matchmaker.cli._common import EXIT_INTERNAL, EXIT_INVALID_INPUT, EXIT_RETRY, state
from matchmaker.cli._ops_output import OutputFormat
from matchmaker.lifecycle import Operations, OpsPolicy, is_postgres_url, load_ops_policy, open_store
from matchmaker.model import ConcurrencyError, DatasetError, Issue, MatchmakerError

app = typer.Typer(
    help="Order lifecycle and operations: event store, dispatch rounds, feedback, KPIs.",
    no_args_is_help=True,
)

_out = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)

StoreOption = Annotated[
    str,
    typer.Option(
        "--store",
        help="Event store: an SQLite file, or postgresql://user@host:port/dbname "
        "(extra 'postgres').",
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Ops policy TOML ([ops] table or top-level keys).")
]
TimeOption = Annotated[
    str | None, typer.Option("--time", help="Event time, ISO 8601 with UTC offset (default now).")
]
ActorOption = Annotated[str, typer.Option("--actor", help="Who does it (recorded on events).")]


ReportFormat = OutputFormat
"""The formats of ``ops report`` (every ``ops`` command takes the same)."""

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="An instant (ISO 8601 with offset) or a date YYYY-MM-DD (its end, in the "
        "store's timezone); default now.",
    ),
]


def _fail(message: str, code: int = EXIT_INVALID_INPUT) -> NoReturn:
    if state.debug and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)
    _err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def _issue_text(issue: Issue) -> str:
    where = issue.file
    if issue.row is not None:
        unit = "line" if issue.file.endswith(".jsonl") else "row"
        where += f", {unit} {issue.row}"
    if issue.column is not None:
        where += f", {issue.column!r}"
    value = "" if issue.value is None else f" (value {issue.value!r})"
    return f"{where}: {issue.message}{value}"


@contextmanager
def _errors() -> Iterator[None]:
    """Map errors to exit codes and messages on stderr, without a traceback (``--debug``
    shows it). Lifecycle errors (an illegal transition, an unknown id) are invalid input."""
    try:
        yield
    except typer.Exit:
        raise
    except DatasetError as error:
        errors = error.errors or error.issues
        lines = [f"{len(errors)} error(s); nothing was written"]
        lines += [_issue_text(i) for i in errors[:50]]
        if len(errors) > 50:
            lines.append(f"... and {len(errors) - 50} more")
        _fail("\n".join(lines))
    except ConcurrencyError as error:
        _fail(f"conflict: {error}", code=EXIT_RETRY)
    except (MatchmakerError, ValueError, OSError) as error:
        _fail(f"error: {error}")
    except Exception as error:
        _fail(
            f"internal error: {type(error).__name__}: {error} (run with --debug for details)",
            code=EXIT_INTERNAL,
        )


def _time(value: str | None, option: str = "--time") -> datetime:
    if value is None:
        return datetime.now().astimezone()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not an ISO 8601 datetime")
    if moment.utcoffset() is None:
        _fail(f"{option}: {value!r} has no UTC offset (e.g. 2026-12-01T09:00:00+08:00)")
    return moment


def _policy(path: Path | None) -> OpsPolicy | None:
    # Without --policy the store's own policy applies (the one it was last given).
    return None if path is None else load_ops_policy(path)


@contextmanager
def _operations(store: str, policy: Path | None, *, create: bool) -> Iterator[Operations]:
    """The store's operations, closed again when the command is done. A PostgreSQL store
    is created on first use of its database (in its own schema); an SQLite file this
    command created is removed again when the command fails (bad input writes nothing)."""
    sqlite = not is_postgres_url(store)
    if not create and sqlite and not Path(store).is_file():
        _fail(f"{store}: event store not found (seed it with 'ops import' or 'ops import-dataset')")
    new_file = sqlite and not Path(store).exists()
    ops = Operations(open_store(store), _policy(policy))
    try:
        yield ops
    except BaseException:
        ops.store.close()
        if new_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(store + suffix).unlink(missing_ok=True)
        raise
    else:
        ops.store.close()


def _run(action: Callable[[], None]) -> None:
    with _errors():
        action()


def _stored_rows(stored: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "position": s.position,
            "kind": s.event.kind,
            "entity_id": s.event.entity_id,
            "seq": s.seq,
            "time": s.event.time,
            "actor": s.event.actor,
        }
        for s in stored
    ]
