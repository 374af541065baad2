"""The ``matchmaker`` command line: a thin typer layer over the public functions.

Exit codes: 0 success, 2 invalid input (the message names file, row and column),
1 internal error, 3 (``ops``) a concurrent writer: run it again, 130 interrupted
(Ctrl-C). User errors go to stderr without a traceback;
``--debug`` shows it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaker.cli._app import app

__all__ = ["app", "main"]

_EXIT_INTERRUPTED = 130


def main() -> None:
    """The console script. The application (typer, pandas, OR-Tools) is imported here, so
    that Ctrl-C while it loads ends with "interrupted" and exit 130, not a traceback."""
    try:
        from matchmaker.cli._ops_main import build, is_core

        if is_core(sys.argv[1:]):
            build()()  # the core ops commands start without the rest of the application
            return
        from matchmaker.cli._app import app

        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(_EXIT_INTERRUPTED)


def __getattr__(name: str) -> Any:
    if name == "app":
        from matchmaker.cli._app import app

        return app
    raise AttributeError(f"module 'matchmaker.cli' has no attribute {name!r}")
