"""What every command shares: the error boundary, exit codes and consoles."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from matchmaker.model import Dataset, DatasetError, MatchmakerError, PolicyError, RequestError

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_RETRY",
    "console",
    "fail",
    "load_dataset_warning",
    "state",
    "stderr",
    "user_errors",
]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID_INPUT = 2
EXIT_RETRY = 3
"""Another writer changed what an ``ops`` command read, or held the store past its wait:
nothing was written, and the same command run again may well succeed."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""

console = Console()
stderr = Console(stderr=True)


@dataclass
class _State:
    debug: bool = False


state = _State()


def fail(message: str, code: int = EXIT_INVALID_INPUT) -> NoReturn:
    """Print ``message`` (plain text, never markup) to stderr and exit with ``code``."""
    stderr.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_dataset_warning(path: Path) -> Dataset:
    """:func:`matchmaker.io.load_dataset`, printing the warnings ``validate`` shows to stderr."""
    from matchmaker.io import check_dataset

    report = check_dataset(path)
    for issue in report.warnings:
        stderr.print(f"[yellow]warning:[/] {escape(str(issue))}", highlight=False, soft_wrap=True)
    if report.dataset is None:
        raise DatasetError(report.issues)
    return report.dataset


def _interrupted() -> NoReturn:
    if state.debug:
        traceback.print_exc(file=sys.stderr)
    fail("interrupted; nothing was written", EXIT_INTERRUPTED)


def _dispatch_interrupted(error: Exception) -> bool:
    """Whether ``error`` is the dispatcher's Ctrl-C. Only a loaded dispatcher raises it:
    looking it up in ``sys.modules`` keeps the solver out of commands that never solve
    (``ops event`` starts without it)."""
    plan = sys.modules.get("matchmaker.plan")
    return plan is not None and isinstance(error, plan.DispatchInterrupted)


@contextmanager
def user_errors(
    on_dataset_error: Callable[[DatasetError], None] | None = None,
) -> Iterator[None]:
    """Turn matchmaker errors into messages and exit codes, with no traceback.

    Invalid input (dataset, policy, an unknown job, solver or table, a size out of range,
    missing files) exits 2; any other matchmaker error and unexpected exceptions exit 1;
    Ctrl-C exits 130 with "interrupted". ``--debug`` prints the traceback as well.
    """
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _interrupted()
    except DatasetError as error:
        if state.debug:
            traceback.print_exc(file=sys.stderr)
        if on_dataset_error is not None:
            on_dataset_error(error)
            raise typer.Exit(EXIT_INVALID_INPUT) from None
        fail(str(error))
    except (
        PolicyError,
        RequestError,
        FileNotFoundError,
        NotADirectoryError,
        FileExistsError,
    ) as error:
        if state.debug:
            traceback.print_exc(file=sys.stderr)
        fail(str(error))
    except MatchmakerError as error:
        if state.debug:
            traceback.print_exc(file=sys.stderr)
        fail(str(error), EXIT_INTERNAL)
    except Exception as error:
        if _dispatch_interrupted(error):
            _interrupted()
        if state.debug:
            traceback.print_exc(file=sys.stderr)
        fail(
            f"internal error: {type(error).__name__}: {error} (run with --debug for details)",
            EXIT_INTERNAL,
        )
